// Live updates without a page reload: an element with data-live="URL" listens to the console's
// server-sent events at URL and, on each, fetches this page again and swaps in that element.
"use strict";
document.querySelectorAll("[data-live]").forEach((el) => {
  const source = new EventSource(el.dataset.live);
  let pending = false;
  source.onmessage = async () => {
    if (pending) return;
    pending = true;
    try {
      const res = await fetch(location.href, { credentials: "same-origin" });
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.getElementById(el.id);
      if (fresh) el.replaceChildren(...fresh.childNodes);
    } finally {
      pending = false;
    }
  };
});

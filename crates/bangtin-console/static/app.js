// Live updates without a page reload: an element with data-live="URL" listens to the console's
// server-sent events at URL and, on each, fetches this page again and swaps in that element
// (or reloads the page when its data-state changed).
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
      // What the page is about changed (an alert confirmed, cancelled): its buttons change
      // too, so the whole page is loaded again.
      const state = (d) => d.querySelector("[data-state]")?.dataset.state;
      if (state(doc) !== state(document)) {
        location.reload();
        return;
      }
      const fresh = doc.getElementById(el.id);
      if (fresh) el.replaceChildren(...fresh.childNodes);
    } finally {
      pending = false;
    }
  };
});

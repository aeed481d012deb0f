#!/usr/bin/env python3
"""Writes one channel item as a static HTML page that looks like bangtin's announcement slide.

Used by bench/render-vs-chromium.sh so headless Chromium renders the same words, in the same
font (Be Vietnam Pro from the repo's fonts/ folder, via @font-face on file:// URLs), at the
same sizes as `bangtin render`.

The page is deliberately static: no script runs. Font sizes are chosen here with the
announcement template's own rules (src/layout/templates.rs): padding 2.5% of the geometric
mean of width and height, title 6.5%..3.5% of it in a band at most 30% of the height (less
padding), body 5%..2.6%, line height 1.4x, largest size that fits, binary search over the
same size steps. Widths are measured from the TTF's advance widths (cmap + hmtx, no kerning),
which is close to what the board's shaper measures; Chromium still wraps the lines itself.
The item's inline image goes in as a data: URL (right 40% column in landscape, top row in
portrait, fitted with its aspect ratio), and its QR code as an inline SVG of whole-pixel
modules with a 2-module quiet zone (encoded here: byte mode, level M, like the qrcode crate's
QrCode::new; the mask may differ, the size does not). Everything is absolutely placed at the
template's rectangles. URL images are left out, as `bangtin render` does without --assets.

Standard library only.

Usage: slide_html.py CONTENT.json OUT.html [--item ID] [--size WxH] [--repo DIR]
"""

import argparse
import base64
import html
import json
import math
import os
import struct
import sys
import unicodedata
from urllib.parse import quote

PAPER = "#FFFDF7"
INK = "#1A1A1A"
TITLE_BAND = "#B71C1C"
GOLD = "#F9C80E"
WHITE = "#FFFFFF"

FACES = [
    # (family, weight, file under fonts/)
    ("Be Vietnam Pro", 400, "be-vietnam-pro/BeVietnamPro-Regular.ttf"),
    ("Be Vietnam Pro", 500, "be-vietnam-pro/BeVietnamPro-Medium.ttf"),
    ("Be Vietnam Pro", 600, "be-vietnam-pro/BeVietnamPro-SemiBold.ttf"),
    ("Be Vietnam Pro", 700, "be-vietnam-pro/BeVietnamPro-Bold.ttf"),
    # The board falls back to Noto Sans for anything Be Vietnam Pro lacks; so does the page.
    ("Noto Sans (bangtin)", 400, "noto-sans/NotoSans-Regular.ttf"),
    ("Noto Sans (bangtin)", 700, "noto-sans/NotoSans-Bold.ttf"),
]


class Font:
    """Advance widths from a TrueType/OpenType file: head, hhea, hmtx and cmap (4 or 12)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        num_tables = struct.unpack_from(">H", data, 4)[0]
        tables = {}
        for i in range(num_tables):
            tag, _, off, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag.decode("latin-1")] = (off, length)
        self.upm = struct.unpack_from(">H", data, tables["head"][0] + 18)[0]
        n_hmetrics = struct.unpack_from(">H", data, tables["hhea"][0] + 34)[0]
        hmtx = tables["hmtx"][0]
        self.advances = [struct.unpack_from(">H", data, hmtx + 4 * i)[0] for i in range(n_hmetrics)]
        self.cmap = self._cmap(data, tables["cmap"][0])
        self.fallback = self.advances[0] if self.advances else self.upm // 2

    @staticmethod
    def _cmap(data, base):
        n = struct.unpack_from(">H", data, base + 2)[0]
        subtables = {}
        for i in range(n):
            pid, eid, off = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            fmt = struct.unpack_from(">H", data, base + off)[0]
            subtables[(pid, eid, fmt)] = base + off
        cmap = {}
        for key in [k for k in subtables if k[2] == 12] + [k for k in subtables if k[2] == 4]:
            off = subtables[key]
            if key[2] == 12:
                ngroups = struct.unpack_from(">I", data, off + 12)[0]
                for g in range(ngroups):
                    start, end, gid = struct.unpack_from(">III", data, off + 16 + 12 * g)
                    for c in range(start, end + 1):
                        cmap.setdefault(c, gid + c - start)
            else:
                segx2 = struct.unpack_from(">H", data, off + 6)[0]
                ends = off + 14
                starts = ends + segx2 + 2
                deltas = starts + segx2
                ranges = deltas + segx2
                for s in range(segx2 // 2):
                    end = struct.unpack_from(">H", data, ends + 2 * s)[0]
                    start = struct.unpack_from(">H", data, starts + 2 * s)[0]
                    delta = struct.unpack_from(">h", data, deltas + 2 * s)[0]
                    ro = struct.unpack_from(">H", data, ranges + 2 * s)[0]
                    for c in range(start, end + 1):
                        if c == 0xFFFF:
                            continue
                        if ro == 0:
                            gid = (c + delta) & 0xFFFF
                        else:
                            at = ranges + 2 * s + ro + 2 * (c - start)
                            gid = struct.unpack_from(">H", data, at)[0]
                            gid = (gid + delta) & 0xFFFF if gid else 0
                        cmap.setdefault(c, gid)
            break
        return cmap

    def has(self, ch):
        return self.cmap.get(ord(ch), 0) != 0

    def advance(self, ch):
        gid = self.cmap.get(ord(ch), 0)
        if gid < len(self.advances):
            return self.advances[gid]
        return self.advances[-1] if self.advances else self.fallback


class Measure:
    def __init__(self, primary, fallback):
        self.primary, self.fallback = primary, fallback

    def width(self, text, size):
        units = 0.0
        for ch in text:
            if unicodedata.combining(ch) and self.primary.has(ch):
                units += self.primary.advance(ch)  # usually 0 for marks
            elif self.primary.has(ch) or not self.fallback.has(ch):
                units += self.primary.advance(ch)
            else:
                units += self.fallback.advance(ch) * self.primary.upm / self.fallback.upm
        return units * size / self.primary.upm

    def lines(self, text, size, width):
        """Greedy word wrap (breaking inside over-long words), honouring newlines."""
        out = []
        widest = 0.0
        space = self.width(" ", size)
        for para in text.split("\n"):
            words = para.split()
            line, line_w = "", 0.0
            if not words:
                out.append("")
                continue
            for word in words:
                w = self.width(word, size)
                if line and line_w + space + w <= width + 0.5:
                    line, line_w = line + " " + word, line_w + space + w
                    continue
                if line:
                    out.append(line)
                    widest = max(widest, line_w)
                line, line_w = word, w
                while line_w > width + 0.5 and len(line) > 1:
                    # break inside the word, as the board's WordOrGlyph wrap does
                    cut = len(line)
                    while cut > 1 and self.width(line[:cut], size) > width + 0.5:
                        cut -= 1
                    out.append(line[:cut])
                    widest = max(widest, self.width(line[:cut], size))
                    line = line[cut:]
                    line_w = self.width(line, size)
            out.append(line)
            widest = max(widest, line_w)
        return out, widest


def size_steps(mx, mn):
    mx = round(max(mx, mn))
    mn = round(mn)
    step = max(math.ceil((mx - mn) / 24.0), 1)
    v, s = [], mx
    while s > mn:
        v.append(s)
        s -= step
    v.append(mn)
    return v


def fit(measure, text, sizes, width, height, line_height=1.4):
    """The largest size at which text fits; (size, line_height_px, lines). Binary search."""

    def attempt(size):
        lines, widest = measure.lines(text, size, width)
        lh = round(size * line_height)
        return len(lines) * lh <= height + 0.5 and widest <= width + 0.5, (size, lh, lines)

    lo, hi, best = 0, len(sizes), None
    while lo < hi:
        mid = (lo + hi) // 2
        ok, f = attempt(sizes[mid])
        if ok:
            best, hi = f, mid
        else:
            lo = mid + 1
    return best if best else attempt(sizes[-1])[1]


def find_items(doc):
    """The items list of a channel file (bare channel, or wrapped in payload/body)."""
    if isinstance(doc, dict):
        if isinstance(doc.get("items"), list):
            return doc["items"]
        for key in ("payload", "channel", "body"):
            inner = doc.get(key)
            if isinstance(inner, str):
                try:
                    inner = json.loads(inner)
                except ValueError:
                    continue
            found = find_items(inner)
            if found is not None:
                return found
    return None


def pick_item(path, item_id):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    items = find_items(doc)
    if not items:
        sys.exit(f"slide_html: no items in {path}")
    if item_id is None:
        item = items[0]
    else:
        matches = [i for i in items if i.get("id") == item_id]
        if not matches:
            sys.exit(f"slide_html: no item with id {item_id!r} in {path}")
        item = matches[0]
    if item.get("type", "announcement") != "announcement":
        sys.exit(f"slide_html: item {item.get('id')!r} is a {item.get('type')!r}, not an announcement")
    image = None
    if item.get("image"):
        image = image_info(item["image"])
        if image is None:
            print("slide_html: note: the item's image is not inline (or not PNG/JPEG); left out, "
                  "as `bangtin render` does without --assets", file=sys.stderr)
    return {
        "id": item.get("id"),
        "title": clean(item.get("title"), False),
        "body": clean(item.get("body"), True),
        "image": image,
        "qr": clean(item.get("qr"), False),
    }


def clean(text, multiline):
    """The board's text hygiene (docs/protocol.md section 9): NFC; CRLF, CR and LF become a
    line break in multi-line fields and a space elsewhere; tab becomes a space; BOM and other
    control characters are dropped; the ends are trimmed."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif ch == "\ufeff" or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out).strip() or None


# --- images -------------------------------------------------------------------------------------


def image_info(ref):
    """(mime, bytes, width, height) of an inline image reference; None for URL images, which
    `bangtin render` leaves out too unless it is given --assets."""
    if not isinstance(ref, dict) or not isinstance(ref.get("inline"), str):
        return None
    data = base64.b64decode(ref["inline"])
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", data, w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return "image/jpeg", data, w, h
            i += 2 + length
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return None  # not decoded here; rare in channel files
    return None


def fit_rect(area, iw, ih):
    """An image fitted inside area (x, y, w, h) with its aspect ratio kept, centred."""
    x, y, w, h = area
    scale = min(w / max(iw, 1), h / max(ih, 1))
    fw, fh = math.floor(iw * scale), math.floor(ih * scale)
    return (round(x + (w - fw) / 2), round(y + (h - fh) / 2), fw, fh)


# --- QR codes: byte mode, error correction level M, as the qrcode crate's QrCode::new --------

ECC_M = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28,
         28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
BLOCKS_M = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25,
            26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49]


def _gf_mul(x, y):
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_remainder(data, degree):
    div = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            div[j] = _gf_mul(div[j], root)
            if j + 1 < degree:
                div[j] ^= div[j + 1]
        root = _gf_mul(root, 2)
    rem = [0] * degree
    for b in data:
        factor = b ^ rem.pop(0)
        rem.append(0)
        for i, coef in enumerate(div):
            rem[i] ^= _gf_mul(coef, factor)
    return rem


def _raw_modules(ver):
    n = (16 * ver + 128) * ver + 64
    if ver >= 2:
        na = ver // 7 + 2
        n -= (25 * na - 10) * na - 55
        if ver >= 7:
            n -= 36
    return n


def qr_matrix(text):
    """The QR code of text (UTF-8, byte mode, level M) as rows of booleans (True = dark)."""
    data = text.encode("utf-8")
    for ver in range(1, 41):
        capacity = _raw_modules(ver) // 8 - ECC_M[ver] * BLOCKS_M[ver]
        cc = 8 if ver <= 9 else 16
        if 4 + cc + 8 * len(data) <= capacity * 8:
            break
    else:
        return None
    bits = [0, 1, 0, 0] + [(len(data) >> i) & 1 for i in reversed(range(cc))]
    for b in data:
        bits += [(b >> i) & 1 for i in reversed(range(8))]
    bits += [0] * min(4, capacity * 8 - len(bits))
    bits += [0] * (-len(bits) % 8)
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(words) < capacity:
        words.append(pad)
        pad ^= 0xEC ^ 0x11
    # split into blocks, add error correction, interleave
    nblocks, ecc = BLOCKS_M[ver], ECC_M[ver]
    raw = _raw_modules(ver) // 8
    nshort, short_len = nblocks - raw % nblocks, raw // nblocks
    blocks, k = [], 0
    for i in range(nblocks):
        n = short_len - ecc + (0 if i < nshort else 1)
        dat = words[k : k + n]
        k += n
        rem = _rs_remainder(dat, ecc)
        if i < nshort:
            dat = dat + [0]
        blocks.append(dat + rem)
    stream = []
    for i in range(len(blocks[0])):
        for j, blk in enumerate(blocks):
            if i != short_len - ecc or j >= nshort:
                stream.append(blk[i])

    size = ver * 4 + 17
    mod = [[False] * size for _ in range(size)]
    fn = [[False] * size for _ in range(size)]

    def put(x, y, dark):
        mod[y][x] = dark
        fn[y][x] = True

    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    put(x, y, max(abs(dx), abs(dy)) not in (2, 4))
    if ver > 1:
        na = ver // 7 + 2
        step = (ver * 8 + na * 3 + 5) // (na * 4 - 4) * 2
        pos = [6] + sorted(size - 7 - i * step for i in range(na - 1))
        for i, ax in enumerate(pos):
            for j, ay in enumerate(pos):
                if (i, j) in ((0, 0), (0, na - 1), (na - 1, 0)):
                    continue
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)

    def put_format(mask):
        d = (0 << 3) | mask  # level M has format bits 00
        rem = d
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        f = ((d << 10) | rem) ^ 0x5412
        bit = lambda i: (f >> i) & 1 == 1
        for i in range(6):
            put(8, i, bit(i))
        put(8, 7, bit(6))
        put(8, 8, bit(7))
        put(7, 8, bit(8))
        for i in range(9, 15):
            put(14 - i, 8, bit(i))
        for i in range(8):
            put(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            put(8, size - 15 + i, bit(i))
        put(8, size - 8, True)

    put_format(0)  # reserves the format areas
    if ver >= 7:
        rem = ver
        for _ in range(12):
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
        v = (ver << 12) | rem
        for i in range(18):
            dark = (v >> i) & 1 == 1
            a, b = size - 11 + i % 3, i // 3
            put(a, b, dark)
            put(b, a, dark)

    i = 0
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                up = ((right + 1) & 2) == 0
                y = size - 1 - vert if up else vert
                if not fn[y][x] and i < len(stream) * 8:
                    mod[y][x] = (stream[i >> 3] >> (7 - (i & 7))) & 1 == 1
                    i += 1
        right -= 2

    masks = [
        lambda x, y: (x + y) % 2 == 0,
        lambda x, y: y % 2 == 0,
        lambda x, y: x % 3 == 0,
        lambda x, y: (x + y) % 3 == 0,
        lambda x, y: (x // 3 + y // 2) % 2 == 0,
        lambda x, y: x * y % 2 + x * y % 3 == 0,
        lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
        lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
    ]

    def masked(m):
        out = [row[:] for row in mod]
        for y in range(size):
            for x in range(size):
                if not fn[y][x] and masks[m](x, y):
                    out[y][x] = not out[y][x]
        return out

    def penalty(g):
        score = 0
        lines = ["".join("1" if c else "0" for c in row) for row in g]
        lines += ["".join("1" if g[y][x] else "0" for y in range(size)) for x in range(size)]
        for line in lines:
            run = 1
            for a, b in zip(line, line[1:]):
                if a == b:
                    run += 1
                else:
                    score += run - 2 if run >= 5 else 0
                    run = 1
            score += run - 2 if run >= 5 else 0
            for pat in ("10111010000", "00001011101"):
                start = line.find(pat)
                while start != -1:
                    score += 40
                    start = line.find(pat, start + 1)
        for y in range(size - 1):
            for x in range(size - 1):
                if g[y][x] == g[y][x + 1] == g[y + 1][x] == g[y + 1][x + 1]:
                    score += 3
        dark = sum(map(sum, g))
        score += 10 * (abs(dark * 20 - size * size * 10) // (size * size))
        return score

    best = None
    for m in range(8):
        put_format(m)
        g = masked(m)
        sc = penalty(g)
        if best is None or sc < best[0]:
            best = (sc, g)
    return best[1]


def qr_svg(text, area):
    """The board's QR drawing: whole-pixel modules, a 2-module white quiet zone, placed at the
    bottom-right of area. Returns (svg markup, the square it takes) or None if it cannot fit."""
    m = qr_matrix(text)
    if m is None:
        return None
    n = len(m)
    x, y, w, h = area
    module = math.floor(min(w, h) / (n + 4))
    if module < 1:
        return None
    side = module * (n + 4)
    x0, y0 = round(x + w - side), round(y + h - side)
    path = []
    for r, row in enumerate(m):
        c = 0
        while c < n:
            if row[c]:
                s = c
                while c < n and row[c]:
                    c += 1
                path.append(f"M{s + 2} {r + 2}h{c - s}v1h{s - c}z")
            else:
                c += 1
    svg = (
        f'<svg class="qr" style="left:{x0}px;top:{y0}px" width="{side}" height="{side}" '
        f'viewBox="0 0 {n + 4} {n + 4}" shape-rendering="crispEdges" aria-label="QR">'
        f'<rect width="{n + 4}" height="{n + 4}" fill="#FFFFFF"/>'
        f'<path fill="#000000" d="{"".join(path)}"/></svg>'
    )
    return svg, (x0, y0, side, side)


# --- the page ---------------------------------------------------------------------------------


def build(item, w, h, fonts_dir):
    """The announcement template (src/layout/templates.rs `announcement`), as absolutely placed
    HTML: title band and gold rule, then image (right column in landscape, top row in portrait),
    QR code (bottom right), and the body in what is left."""
    title, body = item["title"], item["body"]
    base = math.sqrt(w * h)
    pad = max(round(base * 0.025), 4)
    regular = Font(os.path.join(fonts_dir, "be-vietnam-pro/BeVietnamPro-Regular.ttf"))
    bold = Font(os.path.join(fonts_dir, "be-vietnam-pro/BeVietnamPro-Bold.ttf"))
    noto_r = Font(os.path.join(fonts_dir, "noto-sans/NotoSans-Regular.ttf"))
    noto_b = Font(os.path.join(fonts_dir, "noto-sans/NotoSans-Bold.ttf"))

    faces = []
    for family, weight, rel in FACES:
        url = "file://" + quote(os.path.abspath(os.path.join(fonts_dir, rel)))
        faces.append(
            f"@font-face{{font-family:'{family}';font-weight:{weight};font-style:normal;"
            f"font-display:block;src:url('{url}') format('truetype')}}"
        )
    css = [
        *faces,
        "html,body{margin:0;padding:0}",
        f"body{{position:relative;width:{w}px;height:{h}px;overflow:hidden;background:{PAPER};"
        "font-family:'Be Vietnam Pro','Noto Sans (bangtin)';"
        "-webkit-font-smoothing:antialiased;text-rendering:optimizeLegibility}",
        "body>*{position:absolute;margin:0;box-sizing:border-box}",
        "p{overflow:hidden;overflow-wrap:anywhere;white-space:pre-wrap}",
        ".qr,img{display:block}",
    ]
    box = lambda x, y, bw, bh: f"left:{x:.0f}px;top:{y:.0f}px;width:{bw:.0f}px;height:{bh:.0f}px"
    parts = []
    top = 0
    if title:
        inner_w, inner_h = w - 2 * pad, h * 0.3 - 2 * pad
        size, lh, lines = fit(Measure(bold, noto_b), title, size_steps(base * 0.065, base * 0.035), inner_w, inner_h)
        n = min(len(lines), max(math.floor(inner_h / lh), 1))
        band = min(n * lh + 2 * pad, h * 0.45)
        rule = max(round(base * 0.006), 1)
        css += [
            f".band{{{box(0, 0, w, band)};background:{TITLE_BAND}}}",
            f".rule{{{box(0, band, w, rule)};background:{GOLD}}}",
            f".title{{{box(pad, pad, inner_w, n * lh)};font-weight:700;font-size:{size}px;"
            f"line-height:{lh}px;color:{WHITE}}}",
        ]
        parts += ['<div class="band"></div>', '<div class="rule"></div>', f'<p class="title">{html.escape(title)}</p>']
        top = band + rule
    cx, cy, cw, ch = pad, top + pad, w - 2 * pad, h - top - 2 * pad
    landscape = w >= h
    img = item["image"]
    if img:
        mime, data, iw, ih = img
        if body is None:
            placed = fit_rect((cx, cy, cw, ch), iw, ih)
            ch = 0
        elif landscape:
            col = round(cw * 0.4)
            placed = fit_rect((cx + cw - col, cy, col, ch), iw, ih)
            cw -= col + pad
        else:
            row = round(ch * 0.35)
            placed = fit_rect((cx, cy, cw, row), iw, ih)
            used = placed[1] + placed[3] - cy + pad
            cy += used
            ch -= used
        src = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        parts.append(f'<img style="{box(*placed)}" src="{src}" alt="">')
    if item["qr"]:
        side = min(ch * 0.45, cw * 0.3)
        made = qr_svg(item["qr"], (cx + cw - side, cy + ch - side, side, side))
        if made:
            parts.append(made[0])
            if landscape or body is None:
                cw -= side + pad
            else:
                ch -= side + pad
    if body and cw >= 1 and ch >= 1:
        size, lh, lines = fit(Measure(regular, noto_r), body, size_steps(base * 0.05, base * 0.026), cw, ch)
        per_page = max(math.floor(ch / lh), 1)
        shown = min(len(lines), per_page)
        css.append(
            f".body{{{box(cx, cy, cw, shown * lh)};font-weight:400;font-size:{size}px;"
            f"line-height:{lh}px;color:{INK}}}"
        )
        parts.append(f'<p class="body">{html.escape(body)}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width={w},height={h}"><title>bangtin slide</title>\n'
        "<style>\n" + "\n".join(css) + "\n</style></head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("content")
    ap.add_argument("out")
    ap.add_argument("--item")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args()
    try:
        w, h = (int(x) for x in a.size.lower().split("x"))
    except ValueError:
        sys.exit(f"slide_html: bad --size {a.size!r}, expected WxH")
    item = pick_item(a.content, a.item)
    if not item["title"] and not item["body"] and not item["image"]:
        sys.exit(f"slide_html: item {item['id']!r} has nothing to show")
    page = build(item, w, h, os.path.join(a.repo, "fonts"))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()

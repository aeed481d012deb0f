#!/usr/bin/env python3
"""Draws the sample images used by the example content in examples/.

Everything here is drawn from shapes: no fonts, no text, no downloaded artwork.
Deterministic: all randomness comes from random.Random with fixed seeds, so the same
Pillow version writes byte-identical files (another Pillow/libjpeg/zlib version may encode
the same pixels into slightly different bytes; the pictures stay the same).

    pip install pillow
    python3 examples/images/make_images.py

Writes, next to this script:
    tram-y-te.jpg        800x600   commune health station with a red cross (vaccination notice)
    le-hoi-lua-moi.jpg  1200x800   rice fields at sunset, harvesters in conical hats (festival photo)
    ban-do-so-tan.png    800x600   sketch map: river, dike, flood zone, evacuation routes, shelters
    lang-xanh-sach.jpg   800x600   clean village road with three waste-sorting bins
"""

import math
import os
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
SS = 2  # supersampling factor: draw at 2x, downscale with LANCZOS for smooth edges


# ----------------------------------------------------------------------------- helpers

def lerp(a, b, t):
    return a + (b - a) * t


def mix(c1, c2, t):
    return tuple(int(round(lerp(a, b, t))) for a, b in zip(c1, c2))


def stops_color(stops, t):
    """Colour at t in 0..1 of a multi-stop gradient [(pos, (r, g, b)), ...]."""
    if t <= stops[0][0]:
        return stops[0][1]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if t <= p1:
            return mix(c0, c1, (t - p0) / (p1 - p0) if p1 > p0 else 0.0)
    return stops[-1][1]


def vgradient(size, stops):
    w, h = size
    col = Image.new("RGB", (1, h))
    px = col.load()
    for y in range(h):
        px[0, y] = stops_color(stops, y / max(1, h - 1))
    return col.resize((w, h), Image.NEAREST)


def radial_mask(size, inner=0.0):
    """L mask: 255 in the centre, fading smoothly to 0 at the ellipse edge (inner: flat core share)."""
    # radial_gradient is 0 at the centre and 181 at the edge of the inscribed circle
    def falloff(v):
        r = min(1.0, v / 181.0)
        r = 0.0 if r <= inner else (r - inner) / (1.0 - inner)
        return int(round(255 * (1.0 - r) ** 2))

    return Image.radial_gradient("L").point(falloff).resize(size, Image.BICUBIC)


def glow(base, center, radius, color, strength=1.0, inner=0.0):
    """Adds a soft radial glow of `color` onto RGB image `base` (in place, returns base)."""
    cx, cy = center
    r = int(radius)
    mask = radial_mask((2 * r, 2 * r), inner)
    if strength != 1.0:
        mask = mask.point(lambda v: int(v * strength))
    layer = Image.new("RGB", (2 * r, 2 * r), color)
    base.paste(layer, (int(cx - r), int(cy - r)), mask)
    return base


def noise_texture(base, rng, amount, blur=0.0, scale=1):
    """Overlays grain: amount 0..1 is the contrast of the noise around mid-grey."""
    w, h = base.size
    nw, nh = max(1, w // scale), max(1, h // scale)
    n = Image.frombytes("L", (nw, nh), rng.randbytes(nw * nh))
    if scale != 1:
        n = n.resize((w, h), Image.BICUBIC)
    if blur:
        n = n.filter(ImageFilter.GaussianBlur(blur))
    n = n.point(lambda v: int(128 + (v - 128) * amount))
    return ImageChops.overlay(base, Image.merge("RGB", (n, n, n)))


def vignette(img, strength=0.35):
    w, h = img.size
    m = radial_mask((int(w * 1.5), int(h * 1.5)), inner=0.35)
    m = m.crop((int(w * 0.25), int(h * 0.25), int(w * 0.25) + w, int(h * 0.25) + h))
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    m = m.point(lambda v: int(255 - (255 - v) * strength))
    return Image.composite(img, dark, m)


def alpha_layer(size):
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def star_points(cx, cy, r_out, r_in, n=5, rot=-math.pi / 2):
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = rot + i * math.pi / n
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def vn_flag(d, x, y, w, h):
    """The national flag: red field, yellow five-pointed star."""
    d.rectangle([x, y, x + w, y + h], fill=(218, 37, 29))
    r = h * 0.30
    d.polygon(star_points(x + w / 2, y + h / 2 + r * 0.05, r, r * 0.382), fill=(255, 221, 0))


def cloud(d, cx, cy, s, color):
    for dx, dy, r in [(-1.0, 0.15, 0.55), (-0.4, -0.2, 0.7), (0.3, -0.1, 0.65), (0.95, 0.15, 0.5),
                      (0.0, 0.25, 0.6)]:
        d.ellipse([cx + (dx - r) * s, cy + (dy - r * 0.7) * s, cx + (dx + r) * s, cy + (dy + r * 0.7) * s],
                  fill=color)


def finish(img, size):
    return img.resize(size, Image.LANCZOS)


def save_jpeg(img, name, quality):
    path = os.path.join(HERE, name)
    img.save(path, "JPEG", quality=quality, optimize=True, progressive=False, subsampling="4:2:0")
    return path


def save_png(img, name):
    path = os.path.join(HERE, name)
    img.save(path, "PNG", optimize=True)
    return path


# ----------------------------------------------------------------------------- 1. health station

def health_station():
    rng = random.Random(20261201)
    W, H = 800 * SS, 600 * SS
    s = SS

    def S(*v):
        return [x * s for x in v]

    img = vgradient((W, H), [(0.0, (92, 160, 222)), (0.45, (170, 212, 240)), (0.62, (214, 234, 244)),
                             (0.621, (128, 178, 88)), (1.0, (78, 140, 60))])
    glow(img, (660 * s, 90 * s), 120 * s, (255, 250, 225), 0.8, inner=0.15)
    d = ImageDraw.Draw(img)
    d.ellipse(S(640, 70, 680, 110), fill=(255, 248, 220))

    # clouds (soft)
    cl, cd = alpha_layer((W, H))
    for cx, cy, sc in [(140, 80, 55), (330, 55, 40), (520, 120, 45), (760, 180, 30)]:
        cloud(cd, cx * s, cy * s, sc * s, (255, 255, 255, 215))
    cl = cl.filter(ImageFilter.GaussianBlur(3 * s))
    img.paste(cl, (0, 0), cl)
    d = ImageDraw.Draw(img)

    # distant trees along the horizon
    for i in range(60):
        x = rng.uniform(-20, 820)
        r = rng.uniform(14, 30)
        g = rng.randint(95, 130)
        d.ellipse(S(x - r, 372 - r * 1.1, x + r, 378 + r * 0.3), fill=(60, g, 70))

    # courtyard
    d.polygon(S(150, 420, 650, 420, 700, 470, 100, 470), fill=(206, 200, 186))
    # path to the gate, in perspective
    d.polygon(S(360, 470, 440, 470, 560, 600, 240, 600), fill=(196, 190, 176))
    for i in range(1, 8):
        t = i / 8
        y = 470 + 130 * t * t
        d.line(S(lerp(360, 240, (y - 470) / 130), y, lerp(440, 560, (y - 470) / 130), y),
               fill=(178, 172, 160), width=s)

    # ------------------------------------------------ the building (two floors, ochre walls)
    wall = (236, 196, 98)
    wall_dark = (206, 162, 72)
    trim = (250, 246, 236)
    roof = (176, 62, 40)
    roof_dark = (130, 40, 28)
    glass = (88, 140, 178)

    # wings
    wall_img = vgradient((460 * s, 210 * s), [(0, wall_dark), (0.12, wall), (1, (226, 184, 88))])
    img.paste(wall_img, (170 * s, 210 * s))
    d = ImageDraw.Draw(img)
    d.rectangle(S(170, 312, 630, 318), fill=trim)          # floor band
    d.rectangle(S(165, 412, 635, 422), fill=(190, 180, 168))  # plinth

    # hip roof with tile courses
    d.polygon(S(146, 214, 654, 214, 590, 154, 210, 154), fill=roof)
    for i in range(1, 8):
        y = 154 + i * 60 / 8
        xa = lerp(210, 146, (y - 154) / 60)
        xb = lerp(590, 654, (y - 154) / 60)
        d.line(S(xa, y, xb, y), fill=roof_dark, width=s)
    for x in range(150, 654, 9):
        d.line(S(x, 214, lerp(210, 590, (x - 146) / 508), 154), fill=(160, 54, 36), width=1)
    d.rectangle(S(146, 212, 654, 220), fill=(238, 232, 220))   # fascia
    d.rectangle(S(170, 220, 630, 226), fill=(180, 140, 60))    # eave shadow

    def window(x, y, w=44, h=60):
        d.rectangle(S(x - 4, y - 4, x + w + 4, y + h + 6), fill=trim)
        d.rectangle(S(x, y, x + w, y + h), fill=glass)
        d.polygon(S(x, y, x + w * 0.6, y, x, y + h * 0.7), fill=(126, 176, 206))  # sky reflection
        d.line(S(x + w / 2, y, x + w / 2, y + h), fill=trim, width=2 * s)
        d.line(S(x, y + h * 0.35, x + w, y + h * 0.35), fill=trim, width=2 * s)
        d.rectangle(S(x - 6, y + h + 4, x + w + 6, y + h + 9), fill=(214, 208, 196))  # sill

    for floor_y in (236, 336):
        for x in (192, 252, 312, 444, 504, 564):
            window(x, floor_y)

    # central block (porch) with gable
    d.rectangle(S(340, 186, 460, 420), fill=(244, 210, 120))
    d.polygon(S(326, 190, 474, 190, 400, 118), fill=roof)
    d.polygon(S(340, 186, 460, 186, 400, 132), fill=(246, 240, 228))
    # red cross emblem in the gable
    d.ellipse(S(380, 146, 420, 186), fill=(255, 255, 255), outline=(200, 30, 36), width=2 * s)
    d.rectangle(S(395, 152, 405, 180), fill=(214, 30, 38))
    d.rectangle(S(386, 161, 414, 171), fill=(214, 30, 38))
    # sign board above the door: white panel with a large red cross, no lettering
    d.rounded_rectangle(S(350, 206, 450, 250), radius=4 * s, fill=(255, 255, 255), outline=(60, 100, 160), width=2 * s)
    d.rectangle(S(392, 212, 408, 244), fill=(214, 30, 38))
    d.rectangle(S(384, 220, 416, 236), fill=(214, 30, 38))
    d.line(S(356, 230, 376, 230), fill=(60, 100, 160), width=3 * s)
    d.line(S(424, 230, 444, 230), fill=(60, 100, 160), width=3 * s)
    window(374, 262, 52, 44)
    # columns and door
    for x in (344, 446):
        d.rectangle(S(x, 318, x + 10, 412), fill=trim)
        d.rectangle(S(x + 7, 318, x + 10, 412), fill=(214, 208, 196))
    d.rectangle(S(370, 332, 430, 412), fill=(70, 110, 140))
    d.rectangle(S(373, 335, 398, 412), fill=(110, 160, 190))
    d.rectangle(S(402, 335, 427, 412), fill=(110, 160, 190))
    d.polygon(S(373, 335, 392, 335, 373, 380), fill=(150, 196, 220))
    # steps
    for i, (x0, x1) in enumerate([(356, 444), (348, 452), (340, 460)]):
        y = 412 + i * 6
        d.rectangle(S(x0, y, x1, y + 6), fill=(226 - i * 8, 222 - i * 8, 214 - i * 8))

    # low front wall with a gate
    for x0, x1 in ((120, 350), (450, 680)):
        d.rectangle(S(x0, 452, x1, 470), fill=(238, 226, 196))
        d.rectangle(S(x0, 450, x1, 454), fill=(196, 84, 60))
        for x in range(x0 + 10, x1 - 5, 20):
            d.rectangle(S(x, 456, x + 10, 466), fill=(214, 200, 170))
    for x in (342, 450):
        d.rectangle(S(x, 436, x + 10, 470), fill=(250, 244, 230))
        d.rectangle(S(x - 2, 432, x + 12, 438), fill=(196, 84, 60))

    # flag pole with the national flag
    d.rectangle(S(108, 230, 111, 470), fill=(200, 200, 206))
    d.ellipse(S(105, 225, 114, 234), fill=(230, 196, 60))
    vn_flag(d, 111 * s, 236 * s, 60 * s, 40 * s)

    # trees on both sides
    def tree(x, y, r, seed):
        tr = random.Random(seed)
        d.rectangle(S(x - 5, y - r * 0.2, x + 5, y + r * 1.3), fill=(110, 78, 50))
        for _ in range(16):
            a = tr.uniform(0, 2 * math.pi)
            rr = tr.uniform(0.2, 0.75) * r
            cr = tr.uniform(0.35, 0.55) * r
            g = tr.randint(110, 165)
            cx, cy = x + math.cos(a) * rr, y - r * 0.2 + math.sin(a) * rr * 0.8
            d.ellipse(S(cx - cr, cy - cr, cx + cr, cy + cr), fill=(50, g, 60))
        for _ in range(10):
            a = tr.uniform(math.pi * 1.1, math.pi * 1.9)
            rr = tr.uniform(0.3, 0.7) * r
            cr = tr.uniform(0.12, 0.22) * r
            cx, cy = x + math.cos(a) * rr, y - r * 0.2 + math.sin(a) * rr * 0.8
            d.ellipse(S(cx - cr, cy - cr, cx + cr, cy + cr), fill=(120, 190, 90))

    tree(40, 380, 70, 1)
    tree(730, 370, 80, 2)
    tree(680, 430, 45, 3)
    tree(120, 440, 40, 4)

    # hedge / flower beds along the wall
    for x in range(120, 690, 14):
        if 340 < x < 460:
            continue
        c = (200, 60, 90) if (x // 14) % 3 == 0 else (240, 190, 60) if (x // 14) % 3 == 1 else (70, 140, 60)
        d.ellipse(S(x, 470, x + 16, 484), fill=(60, 130, 60))
        d.ellipse(S(x + 5, 472, x + 10, 477), fill=c)

    # a mother with a small child walking to the station
    def person(x, y, h, shirt, trousers, hat=None):
        head = h * 0.14
        d.ellipse(S(x - head / 2, y - h, x + head / 2, y - h + head), fill=(236, 196, 160))
        d.rounded_rectangle(S(x - h * 0.13, y - h + head, x + h * 0.13, y - h * 0.42), radius=3 * s, fill=shirt)
        d.rectangle(S(x - h * 0.11, y - h * 0.44, x - h * 0.01, y), fill=trousers)
        d.rectangle(S(x + h * 0.01, y - h * 0.44, x + h * 0.11, y), fill=trousers)
        if hat:
            d.polygon(S(x - h * 0.2, y - h + head * 0.45, x + h * 0.2, y - h + head * 0.45, x, y - h - head * 0.55),
                      fill=hat)

    person(330, 560, 110, (210, 70, 110), (50, 50, 70), hat=(236, 224, 180))
    person(372, 560, 62, (60, 140, 210), (40, 60, 110))
    d.line(S(344, 500, 362, 516), fill=(236, 196, 160), width=3 * s)  # holding hands

    # badge: syringe in a blue ring (top-left)
    bl, bd = alpha_layer((120 * s, 120 * s))
    bd.ellipse([4 * s, 4 * s, 116 * s, 116 * s], fill=(255, 255, 255, 240), outline=(34, 110, 190, 255), width=6 * s)
    # syringe drawn horizontally, then rotated
    sy, syd = alpha_layer((120 * s, 120 * s))
    c = 60 * s
    syd.rounded_rectangle([c - 34 * s, c - 10 * s, c + 18 * s, c + 10 * s], radius=3 * s, fill=(220, 236, 250, 255),
                          outline=(34, 110, 190, 255), width=3 * s)
    syd.rectangle([c - 30 * s, c - 7 * s, c - 4 * s, c + 7 * s], fill=(90, 170, 230, 255))
    for i in range(4):
        x = c - 24 * s + i * 10 * s
        syd.line([x, c - 10 * s, x, c - 3 * s], fill=(34, 110, 190, 255), width=2 * s)
    syd.rectangle([c + 18 * s, c - 3 * s, c + 26 * s, c + 3 * s], fill=(34, 110, 190, 255))
    syd.line([c + 26 * s, c, c + 46 * s, c], fill=(120, 130, 140, 255), width=2 * s)
    syd.rectangle([c - 46 * s, c - 2 * s, c - 34 * s, c + 2 * s], fill=(34, 110, 190, 255))
    syd.rectangle([c - 50 * s, c - 10 * s, c - 46 * s, c + 10 * s], fill=(34, 110, 190, 255))
    sy = sy.rotate(40, resample=Image.BICUBIC, center=(c, c))
    bl.paste(sy, (0, 0), sy)
    img.paste(bl, (24 * s, 24 * s), bl)

    img = noise_texture(img, rng, 0.10)
    img = finish(img, (800, 600))
    img = vignette(img, 0.18)
    return save_jpeg(img, "tram-y-te.jpg", 82)


# ----------------------------------------------------------------------------- 2. rice fields at sunset

def rice_sunset():
    rng = random.Random(20261122)
    W, H = 1200 * SS, 800 * SS
    s = SS
    hy = 0.56  # horizon, share of height
    HY = int(H * hy)

    img = vgradient((W, H), [(0.0, (46, 42, 96)), (0.18, (112, 64, 118)), (0.36, (214, 98, 86)),
                             (0.48, (248, 156, 72)), (hy, (255, 214, 128)), (1.0, (0, 0, 0))])
    sun = (int(W * 0.63), int(H * 0.47))
    glow(img, sun, 520 * s, (255, 196, 110), 0.55)
    glow(img, sun, 200 * s, (255, 226, 160), 0.8)
    d = ImageDraw.Draw(img)
    d.ellipse([sun[0] - 48 * s, sun[1] - 48 * s, sun[0] + 48 * s, sun[1] + 48 * s], fill=(255, 244, 206))

    # long thin clouds, lit from below
    cl, cd = alpha_layer((W, H))
    for _ in range(14):
        cx = rng.uniform(0, W)
        cy = rng.uniform(0.08, 0.40) * H
        w = rng.uniform(160, 420) * s
        h = rng.uniform(8, 20) * s
        t = cy / (0.40 * H)
        col = mix((150, 90, 140), (255, 170, 120), t)
        cd.ellipse([cx - w, cy - h, cx + w, cy + h], fill=col + (150,))
        cd.ellipse([cx - w * 0.7, cy + h * 0.2, cx + w * 0.6, cy + h * 1.1], fill=mix(col, (255, 210, 150), 0.5) + (120,))
    cl = cl.filter(ImageFilter.GaussianBlur(6 * s))
    img.paste(cl, (0, 0), cl)
    d = ImageDraw.Draw(img)

    # distant village: bamboo groves and a communal-house roof, as silhouettes
    far = (92, 52, 78)
    for _ in range(70):
        x = rng.uniform(-40, W + 40)
        r = rng.uniform(14, 40) * s
        d.ellipse([x - r, HY - r * 1.6, x + r, HY + r * 0.4], fill=far)
    # bamboo clumps (lũy tre): arching stems with feathery leaves
    for _ in range(30):
        x0 = rng.uniform(-20, W + 20)
        hgt = rng.uniform(70, 130) * s
        for k in range(9):
            lean = rng.uniform(-0.55, 0.55)
            pts = []
            for i in range(13):
                t = i / 12
                pts.append((x0 + lean * hgt * t * t * 1.2, HY - hgt * t * (1 - 0.25 * t * abs(lean))))
            d.line(pts, fill=far, width=2 * s)
            for i in range(3, 13):
                px_, py_ = pts[i]
                for _ in range(3):
                    side = rng.choice((-1, 1))
                    ang = math.radians(rng.uniform(15, 75))  # below the horizontal
                    ln = rng.uniform(8, 18) * s
                    dx, dy = side * math.cos(ang) * ln, math.sin(ang) * ln
                    nx, ny = -dy / ln * 2.2 * s, dx / ln * 2.2 * s
                    d.polygon([(px_, py_), (px_ + dx * 0.5 + nx, py_ + dy * 0.5 + ny), (px_ + dx, py_ + dy),
                               (px_ + dx * 0.5 - nx, py_ + dy * 0.5 - ny)], fill=far)
    # đình roof with upturned eaves
    rx, rw = 0.22 * W, 150 * s
    d.rectangle([rx - rw * 0.55, HY - 44 * s, rx + rw * 0.55, HY], fill=(78, 42, 66))
    d.polygon([(rx - rw, HY - 40 * s), (rx + rw, HY - 40 * s), (rx + rw * 0.55, HY - 86 * s),
               (rx - rw * 0.55, HY - 86 * s)], fill=(78, 42, 66))
    d.polygon([(rx - rw - 8 * s, HY - 58 * s), (rx - rw + 20 * s, HY - 40 * s), (rx - rw, HY - 40 * s)], fill=(78, 42, 66))
    d.polygon([(rx + rw + 8 * s, HY - 58 * s), (rx + rw - 20 * s, HY - 40 * s), (rx + rw, HY - 40 * s)], fill=(78, 42, 66))
    d.rectangle([rx - rw * 0.55, HY - 92 * s, rx + rw * 0.55, HY - 84 * s], fill=(78, 42, 66))

    # haze over the horizon
    hz = vgradient((W, 60 * s), [(0, (255, 200, 130)), (1, (255, 200, 130))])
    hmask = vgradient((W, 60 * s), [(0, (0, 0, 0)), (0.6, (110, 110, 110)), (1, (0, 0, 0))]).convert("L")
    img.paste(hz, (0, HY - 45 * s), hmask)
    d = ImageDraw.Draw(img)

    # the field: golden gradient, rows converging to a vanishing point near the sun
    field = vgradient((W, H - HY), [(0, (226, 164, 64)), (0.25, (206, 140, 46)), (1, (120, 76, 22))])
    img.paste(field, (0, HY))
    d = ImageDraw.Draw(img)
    vx = sun[0]
    # a canal catching the sunset
    cy0, cy1 = HY + 40 * s, HY + 58 * s
    d.polygon([(0, cy0 + 6 * s), (W, cy0), (W, cy1), (0, cy1 + 10 * s)], fill=(250, 190, 120))
    glow(img, (vx, (cy0 + cy1) // 2), 160 * s, (255, 240, 200), 0.9)
    d = ImageDraw.Draw(img)
    d.line([(0, cy1 + 10 * s), (W, cy1)], fill=(120, 70, 30), width=3 * s)

    # paddy dykes converging
    for i in range(-9, 10):
        xb = vx + i * 260 * s
        d.line([(vx + i * 8 * s, cy1 + 2 * s), (xb, H)], fill=(128, 84, 30), width=max(2, int(abs(i) * 0.3 + 3)) * s // 2 + 1)

    # harvesters in conical hats (nón lá), backlit
    sil = (52, 28, 36)

    def limb(p0, p1, w):
        d.line([p0, p1], fill=sil, width=int(w))
        for px_, py_ in (p0, p1):
            d.ellipse([px_ - w / 2, py_ - w / 2, px_ + w / 2, py_ + w / 2], fill=sil)

    def hat(cx, cy, h, tilt):
        """Conical hat centred on the head top, axis tilted by `tilt` radians from vertical."""
        ax, ay = math.sin(tilt), -math.cos(tilt)       # axis (towards the tip)
        px_, py_ = math.cos(tilt), math.sin(tilt)      # brim direction
        r, tip = h * 0.24, h * 0.15
        d.polygon([(cx - px_ * r, cy - py_ * r), (cx + px_ * r, cy + py_ * r), (cx + ax * tip, cy + ay * tip)],
                  fill=(64, 36, 40))
        d.line([(cx - px_ * r, cy - py_ * r), (cx + px_ * r, cy + py_ * r)], fill=(255, 196, 120), width=2 * s)

    def sheaf(x, y, ln, ang, spread=26):
        for k in range(9):
            a = math.radians(ang - spread / 2 + spread * k / 8)
            d.line([(x, y), (x + math.cos(a) * ln, y + math.sin(a) * ln)], fill=(196, 132, 48), width=2 * s)
            d.ellipse([x + math.cos(a) * ln - 3 * s, y + math.sin(a) * ln - 3 * s, x + math.cos(a) * ln + 3 * s,
                       y + math.sin(a) * ln + 3 * s], fill=(214, 156, 62))

    def bending(x, y, h, face=1):
        """A harvester bent over the rice, sickle in the front hand."""
        f = face
        hip = (x, y - h * 0.42)
        limb(hip, (x - f * h * 0.08, y), h * 0.10)
        limb(hip, (x + f * h * 0.10, y), h * 0.10)
        sh = (x + f * h * 0.28, y - h * 0.60)
        limb(hip, sh, h * 0.21)
        head = (sh[0] + f * h * 0.11, sh[1] - h * 0.01)
        d.ellipse([head[0] - h * 0.075, head[1] - h * 0.075, head[0] + h * 0.075, head[1] + h * 0.075], fill=sil)
        hat(head[0] + f * h * 0.02, head[1] - h * 0.04, h, f * 0.75)
        hand = (sh[0] + f * h * 0.16, y - h * 0.24)
        limb(sh, hand, h * 0.065)
        d.arc([hand[0] - h * 0.05, hand[1] - h * 0.02, hand[0] + h * 0.11, hand[1] + h * 0.12], 180, 330,
              fill=(40, 24, 28), width=3 * s)
        hand2 = (sh[0] - f * h * 0.02, y - h * 0.28)
        limb(sh, hand2, h * 0.065)
        sheaf(hand2[0], hand2[1], h * 0.16, 90 + f * 20 - 180 * (f < 0) * 0)

    def carrier(x, y, h, face=1):
        """A farmer walking home with two sheaves on a shoulder pole (đòn gánh)."""
        f = face
        hip = (x, y - h * 0.46)
        limb(hip, (x - f * h * 0.10, y), h * 0.085)
        limb(hip, (x + f * h * 0.08, y), h * 0.085)
        sh = (x + f * h * 0.02, y - h * 0.78)
        limb(hip, sh, h * 0.19)
        head = (sh[0] + f * h * 0.02, sh[1] - h * 0.10)
        d.ellipse([head[0] - h * 0.065, head[1] - h * 0.07, head[0] + h * 0.065, head[1] + h * 0.07], fill=sil)
        hat(head[0], head[1] - h * 0.05, h, f * 0.08)
        # the pole, bowed under the load
        p0, p1 = (sh[0] - h * 0.42, sh[1] + h * 0.03), (sh[0] + h * 0.42, sh[1] + h * 0.03)
        d.line([p0, (sh[0], sh[1] - h * 0.01), p1], fill=(70, 40, 30), width=3 * s, joint="curve")
        limb(sh, (sh[0] + f * h * 0.2, sh[1] + h * 0.01), h * 0.045)
        for ex, ey in (p0, p1):
            d.line([(ex, ey), (ex, ey + h * 0.28)], fill=(70, 40, 30), width=s)
            bx, by = ex, ey + h * 0.28
            d.polygon([(bx - h * 0.03, by - h * 0.12), (bx + h * 0.03, by - h * 0.12), (bx + h * 0.13, by + h * 0.10),
                       (bx - h * 0.13, by + h * 0.10)], fill=(176, 116, 40))
            for k in range(14):
                a = math.radians(60 + k * 60 / 13)
                d.line([(bx, by - h * 0.12), (bx + math.cos(a) * h * 0.3 - h * 0.15 * math.cos(math.radians(90)),
                                              by - h * 0.12 + math.sin(a) * h * 0.30)],
                       fill=(200, 136, 50), width=2 * s)
            d.line([(bx - h * 0.05, by), (bx + h * 0.05, by)], fill=(110, 70, 30), width=3 * s)

    bending(0.34 * W, HY + 150 * s, 230 * s, 1)
    bending(0.60 * W, HY + 112 * s, 160 * s, -1)
    carrier(0.80 * W, HY + 210 * s, 300 * s, -1)
    carrier(0.10 * W, HY + 90 * s, 120 * s, 1)

    # rice stalks: short strokes, larger and sparser near the bottom
    for _ in range(14000):
        t = rng.random() ** 0.8
        y = cy1 + (H - cy1) * t
        x = rng.uniform(-10, W + 10)
        ln = (4 + 46 * t * t) * s * rng.uniform(0.6, 1.2)
        lean = rng.uniform(-0.35, 0.15) * ln
        base = mix((236, 182, 78), (150, 98, 30), t)
        c = tuple(max(0, min(255, v + rng.randint(-28, 28))) for v in base)
        d.line([(x, y), (x + lean, y - ln)], fill=c, width=max(1, int((1 + 3 * t) * s)))
        if t > 0.35 and rng.random() < 0.35:  # drooping grain heads
            d.ellipse([x + lean - 3 * s * t, y - ln - 2 * s, x + lean + 5 * s * t, y - ln + 8 * s * t],
                      fill=mix(c, (255, 210, 110), 0.4))

    # sheaves stacked in the foreground
    for sx, sy, sc in [(0.18, 0.93, 1.0), (0.25, 0.96, 1.1), (0.62, 0.95, 0.9)]:
        x, y = sx * W, sy * H
        for k in range(26):
            a = math.radians(240 + k * 2.3)
            ln = rng.uniform(90, 120) * s * sc
            d.line([(x, y), (x + math.cos(a) * ln * 0.5 + 20 * s, y + math.sin(a) * ln)],
                   fill=mix((230, 170, 70), (140, 90, 30), rng.random()), width=3 * s)
        d.line([(x - 6 * s, y - 45 * s * sc), (x + 34 * s, y - 50 * s * sc)], fill=(100, 60, 20), width=5 * s)

    # birds
    for _ in range(9):
        bx, by = rng.uniform(0.45, 0.9) * W, rng.uniform(0.12, 0.32) * H
        r = rng.uniform(6, 12) * s
        d.arc([bx - r, by - r * 0.5, bx, by + r * 0.5], 200, 340, fill=(60, 30, 50), width=2 * s)
        d.arc([bx, by - r * 0.5, bx + r, by + r * 0.5], 200, 340, fill=(60, 30, 50), width=2 * s)

    img = img.filter(ImageFilter.GaussianBlur(0.6 * s))
    img = noise_texture(img, rng, 0.14)
    img = finish(img, (1200, 800))
    img = vignette(img, 0.38)
    return save_jpeg(img, "le-hoi-lua-moi.jpg", 80)


# ----------------------------------------------------------------------------- 3. evacuation map

def evacuation_map():
    rng = random.Random(20260906)
    W, H = 800 * SS, 600 * SS
    s = SS

    paper = (244, 238, 220)
    img = Image.new("RGB", (W, H), paper)
    d = ImageDraw.Draw(img)

    # faint grid
    for x in range(0, 800, 50):
        d.line([(x * s, 0), (x * s, H)], fill=(230, 224, 206), width=s)
    for y in range(0, 600, 50):
        d.line([(0, y * s), (W, y * s)], fill=(230, 224, 206), width=s)

    def river_y(x):
        return 110 + 0.16 * x + 38 * math.sin(x / 120.0)

    def dike_y(x):
        return river_y(x) + 130 + 18 * math.sin(x / 70.0 + 1)

    xs = list(range(-20, 821, 4))
    # flood zone between the river bank and the dike: red hatch
    zone = [(x * s, (river_y(x) + 34) * s) for x in xs] + [(x * s, (dike_y(x) - 6) * s) for x in reversed(xs)]
    zl, zd = alpha_layer((W, H))
    zd.polygon(zone, fill=(226, 70, 60, 70))
    hatch, hd = alpha_layer((W, H))
    for k in range(-H, W, 14 * s):
        hd.line([(k, H), (k + H, 0)], fill=(210, 50, 40, 110), width=2 * s)
    zmask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(zmask).polygon(zone, fill=255)
    hatch.putalpha(ImageChops.multiply(hatch.getchannel("A"), zmask))
    img.paste(zl, (0, 0), zl)
    img.paste(hatch, (0, 0), hatch)
    d = ImageDraw.Draw(img)

    # fields inside the dike
    for _ in range(26):
        x = rng.uniform(0, 780)
        y = rng.uniform(0, 600)
        if y < dike_y(x) + 24:
            continue
        w, h = rng.uniform(50, 110), rng.uniform(30, 60)
        d.rectangle([x * s, y * s, (x + w) * s, (y + h) * s], fill=(214, 230, 188))
        for k in range(int(h // 8)):
            d.line([(x + 4) * s, (y + 6 + k * 8) * s, (x + w - 4) * s, (y + 6 + k * 8) * s], fill=(190, 214, 160), width=s)

    # river with darker banks and flow lines
    top = [(x * s, (river_y(x) - 34) * s) for x in xs]
    bot = [(x * s, (river_y(x) + 34) * s) for x in reversed(xs)]
    d.polygon(top + bot, fill=(120, 178, 222))
    d.line(top, fill=(70, 130, 190), width=3 * s)
    d.line(list(reversed(bot)), fill=(70, 130, 190), width=3 * s)
    for k in range(22):
        x0 = rng.uniform(0, 760)
        off = rng.uniform(-20, 20)
        pts = [(x * s, (river_y(x) + off) * s) for x in range(int(x0), int(x0) + 40, 4)]
        d.line(pts, fill=(170, 210, 238), width=2 * s)
    # a boat
    bx = 560
    by = river_y(bx)
    d.polygon([((bx - 14) * s, (by - 3) * s), ((bx + 14) * s, (by - 3) * s), ((bx + 9) * s, (by + 4) * s),
               ((bx - 9) * s, (by + 4) * s)], fill=(120, 80, 50))

    # roads: one along the dike crest, one inland, and cross roads
    def road(pts, w=7):
        d.line([(x * s, y * s) for x, y in pts], fill=(150, 146, 138), width=(w + 3) * s, joint="curve")
        d.line([(x * s, y * s) for x, y in pts], fill=(255, 255, 255), width=w * s, joint="curve")

    inland = [(x, dike_y(x) + 110 + 10 * math.sin(x / 90)) for x in range(-20, 821, 10)]
    road(inland, 9)
    for x0 in (120, 330, 520, 700):
        road([(x0, dike_y(x0)), (x0 + 12, dike_y(x0) + 60), (x0 - 6, 610)], 6)

    # the dike: brown embankment with slope ticks on the land side
    dpts = [(x * s, dike_y(x) * s) for x in xs]
    d.line(dpts, fill=(150, 104, 60), width=12 * s, joint="curve")
    d.line(dpts, fill=(196, 150, 96), width=5 * s, joint="curve")
    for x in range(-10, 820, 12):
        y = dike_y(x)
        d.line([(x * s, (y + 6) * s), (x * s, (y + 14) * s)], fill=(150, 104, 60), width=2 * s)

    # houses: outside the dike (at risk) and inside
    def village(cx, cy, n, col, spread=34):
        for _ in range(n):
            x = cx + rng.uniform(-spread, spread)
            y = cy + rng.uniform(-spread * 0.5, spread * 0.5)
            w, h = rng.uniform(8, 14), rng.uniform(7, 11)
            d.rectangle([x * s, y * s, (x + w) * s, (y + h) * s], fill=col, outline=(90, 80, 70), width=s)

    risk_villages = [(150, None), (420, None), (660, None)]
    for i, (x, _) in enumerate(risk_villages):
        y = (river_y(x) + 34 + dike_y(x) - 6) / 2
        risk_villages[i] = (x, y)
        village(x, y - 8, 14, (214, 150, 130), spread=40)
    for x in (60, 250, 470, 610, 760):
        village(x, dike_y(x) + 70, 10, (200, 190, 170), spread=30)

    # shelters (schools, cultural houses, commune office): green tile with a white house
    shelters = [(200, 520), (440, 545), (690, 520)]

    def shelter(x, y):
        d.rounded_rectangle([(x - 22) * s, (y - 22) * s, (x + 22) * s, (y + 22) * s], radius=6 * s,
                            fill=(30, 150, 80), outline=(255, 255, 255), width=3 * s)
        d.polygon([((x - 13) * s, (y - 1) * s), (x * s, (y - 14) * s), ((x + 13) * s, (y - 1) * s)], fill=(255, 255, 255))
        d.rectangle([(x - 9) * s, (y - 2) * s, (x + 9) * s, (y + 12) * s], fill=(255, 255, 255))
        d.rectangle([(x - 3) * s, (y + 3) * s, (x + 3) * s, (y + 12) * s], fill=(30, 150, 80))

    # evacuation routes: dashed green with arrowheads
    def route(pts):
        pts = [(x * s, y * s) for x, y in pts]
        d.line(pts, fill=(255, 255, 255), width=14 * s, joint="curve")
        dash, gap = 16 * s, 9 * s
        segs = []
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            L = math.hypot(x1 - x0, y1 - y0)
            segs.append((x0, y0, x1, y1, L))
        pos, on, left = 0.0, True, dash
        for x0, y0, x1, y1, L in segs:
            t = 0.0
            while t < L:
                step = min(left, L - t)
                if on:
                    a = (x0 + (x1 - x0) * t / L, y0 + (y1 - y0) * t / L)
                    b = (x0 + (x1 - x0) * (t + step) / L, y0 + (y1 - y0) * (t + step) / L)
                    d.line([a, b], fill=(20, 140, 60), width=8 * s)
                t += step
                left -= step
                if left <= 0:
                    on = not on
                    left = dash if on else gap
        # arrowhead at the end
        (xa, ya), (xb, yb) = pts[-2], pts[-1]
        ang = math.atan2(yb - ya, xb - xa)
        tip = (xb, yb)
        l, wdt = 26 * s, 14 * s
        p1 = (xb - l * math.cos(ang) + wdt * math.sin(ang), yb - l * math.sin(ang) - wdt * math.cos(ang))
        p2 = (xb - l * math.cos(ang) - wdt * math.sin(ang), yb - l * math.sin(ang) + wdt * math.cos(ang))
        d.polygon([tip, p1, p2], fill=(20, 140, 60), outline=(255, 255, 255))

    for (vx, vy), (sx, sy) in zip(risk_villages, shelters):
        mid_x = vx + (sx - vx) * 0.4
        route([(vx + 6, vy + 6), (mid_x, dike_y(mid_x) - 2), (mid_x + (sx - mid_x) * 0.5, (dike_y(mid_x) + sy) / 2 + 10),
               (sx, sy - 34)])
    for x, y in shelters:
        shelter(x, y)

    # commune office: red pin with a small flag
    ox, oy = 560, 470
    d.ellipse([(ox - 12) * s, (oy - 30) * s, (ox + 12) * s, (oy - 6) * s], fill=(210, 40, 40), outline=(255, 255, 255), width=2 * s)
    d.polygon([((ox - 10) * s, (oy - 14) * s), ((ox + 10) * s, (oy - 14) * s), (ox * s, oy * s)], fill=(210, 40, 40))
    d.ellipse([(ox - 5) * s, (oy - 23) * s, (ox + 5) * s, (oy - 13) * s], fill=(255, 255, 255))

    # warning triangle in the flood zone
    for x in (280, 560):
        y = (river_y(x) + 34 + dike_y(x) - 6) / 2
        d.polygon([(x * s, (y - 16) * s), ((x + 16) * s, (y + 12) * s), ((x - 16) * s, (y + 12) * s)],
                  fill=(250, 200, 40), outline=(40, 40, 40))
        d.rectangle([(x - 1.5) * s, (y - 6) * s, (x + 1.5) * s, (y + 4) * s], fill=(40, 40, 40))
        d.ellipse([(x - 2) * s, (y + 6) * s, (x + 2) * s, (y + 10) * s], fill=(40, 40, 40))

    # north arrow (top right)
    nx, ny = 745, 55
    d.ellipse([(nx - 30) * s, (ny - 30) * s, (nx + 30) * s, (ny + 30) * s], fill=(255, 255, 255), outline=(60, 60, 60), width=2 * s)
    d.polygon([(nx * s, (ny - 26) * s), ((nx + 10) * s, (ny + 4) * s), (nx * s, (ny - 2) * s)], fill=(40, 40, 40))
    d.polygon([(nx * s, (ny - 26) * s), ((nx - 10) * s, (ny + 4) * s), (nx * s, (ny - 2) * s)], fill=(140, 140, 140))
    d.polygon([(nx * s, (ny + 26) * s), ((nx + 8) * s, (ny + 2) * s), ((nx - 8) * s, (ny + 2) * s)], fill=(200, 200, 200))

    # scale bar (bottom left)
    sx, sy = 24, 570
    for k in range(4):
        d.rectangle([(sx + k * 30) * s, sy * s, (sx + (k + 1) * 30) * s, (sy + 8) * s],
                    fill=(40, 40, 40) if k % 2 == 0 else (255, 255, 255), outline=(40, 40, 40), width=s)

    # frame
    d.rectangle([0, 0, W - 1, H - 1], outline=(80, 70, 60), width=6 * s)
    d.rectangle([10 * s, 10 * s, W - 10 * s, H - 10 * s], outline=(150, 140, 120), width=s)

    img = finish(img, (800, 600))
    img = img.quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    return save_png(img, "ban-do-so-tan.png")


# ----------------------------------------------------------------------------- 4. clean village

def recycle_symbol(size, color, bg=None):
    """Three chasing arrows around a circle (RGBA, size x size)."""
    layer, d = alpha_layer((size, size))
    c = size / 2
    r_out, r_in = size * 0.44, size * 0.28
    if bg:
        d.ellipse([0, 0, size - 1, size - 1], fill=bg)
        r_out, r_in = size * 0.38, size * 0.24
    for k in range(3):
        a0 = math.radians(k * 120 + 12)
        a1 = math.radians(k * 120 + 92)
        pts = []
        for i in range(21):
            a = a0 + (a1 - a0) * i / 20
            pts.append((c + r_out * math.cos(a), c + r_out * math.sin(a)))
        for i in range(20, -1, -1):
            a = a0 + (a1 - a0) * i / 20
            pts.append((c + r_in * math.cos(a), c + r_in * math.sin(a)))
        d.polygon(pts, fill=color)
        # arrowhead at a1
        rm = (r_out + r_in) / 2
        wide = (r_out - r_in) * 0.95
        tip_a = a1 + math.radians(22)
        d.polygon([(c + (rm + wide) * math.cos(a1), c + (rm + wide) * math.sin(a1)),
                   (c + (rm - wide) * math.cos(a1), c + (rm - wide) * math.sin(a1)),
                   (c + rm * math.cos(tip_a), c + rm * math.sin(tip_a))], fill=color)
    return layer


def clean_village():
    rng = random.Random(20261215)
    W, H = 800 * SS, 600 * SS
    s = SS
    HY = 300 * s

    img = vgradient((W, H), [(0, (120, 190, 240)), (0.48, (214, 238, 250)), (0.5, (150, 200, 120)), (1, (96, 160, 80))])
    glow(img, (120 * s, 80 * s), 110 * s, (255, 252, 225), 0.9, inner=0.2)
    d = ImageDraw.Draw(img)
    d.ellipse([100 * s, 60 * s, 140 * s, 100 * s], fill=(255, 250, 222))
    cl, cd = alpha_layer((W, H))
    for cx, cy, sc in [(330, 70, 45), (560, 50, 38), (720, 120, 30)]:
        cloud(cd, cx * s, cy * s, sc * s, (255, 255, 255, 220))
    cl = cl.filter(ImageFilter.GaussianBlur(3 * s))
    img.paste(cl, (0, 0), cl)
    d = ImageDraw.Draw(img)

    # far hills
    for layer_i, (base, col) in enumerate([(270, (140, 186, 150)), (288, (112, 170, 110))]):
        pts = [(0, H)]
        for x in range(0, 801, 10):
            pts.append((x * s, (base - 26 * math.sin(x / (90 + layer_i * 40) + layer_i) - 10 * math.sin(x / 33)) * s))
        pts.append((W, H))
        d.polygon(pts, fill=col)
    d.rectangle([0, HY, W, H], fill=(120, 180, 90))
    g = vgradient((W, H - HY), [(0, (134, 190, 100)), (1, (80, 146, 66))])
    img.paste(g, (0, HY))
    d = ImageDraw.Draw(img)

    # village houses along the horizon: pastel walls, red roofs
    for i in range(16):
        x = 10 + i * 50 + rng.uniform(-8, 8)
        if 350 < x < 450:
            continue
        w, h = rng.uniform(30, 42), rng.uniform(22, 34)
        y = 300 - h
        wallc = rng.choice([(246, 226, 170), (240, 240, 232), (250, 214, 190), (210, 228, 240)])
        d.rectangle([x * s, y * s, (x + w) * s, 300 * s], fill=wallc)
        d.polygon([((x - 4) * s, y * s), ((x + w + 4) * s, y * s), ((x + w / 2) * s, (y - 14) * s)], fill=(196, 80, 56))
        d.rectangle([(x + w * 0.35) * s, (y + h * 0.45) * s, (x + w * 0.6) * s, 300 * s], fill=(120, 90, 70))

    # the road in perspective, with a centre line
    # grass blades, denser and longer towards the viewer
    for _ in range(2600):
        tt = rng.random() ** 0.7
        y = 300 + 300 * tt
        x = rng.uniform(0, 800)
        ln = (1 + 9 * tt) * rng.uniform(0.6, 1.3)
        c = mix((150, 206, 110), (60, 126, 50), rng.random())
        d.line([(x * s, y * s), ((x + rng.uniform(-2, 2) * tt) * s, (y - ln) * s)], fill=c, width=s)

    d.polygon([(388 * s, HY), (412 * s, HY), (600 * s, H), (180 * s, H)], fill=(170, 170, 176))
    d.polygon([(392 * s, HY), (408 * s, HY), (570 * s, H), (210 * s, H)], fill=(190, 190, 196))
    for k in range(12):
        t0, t1 = (k / 12) ** 1.6, ((k + 0.5) / 12) ** 1.6
        y0, y1 = HY + (H - HY) * t0, HY + (H - HY) * t1
        w0, w1 = 1 + 4 * t0, 1 + 4 * t1
        d.polygon([(400 * s - w0 * s, y0), (400 * s + w0 * s, y0), (400 * s + w1 * s, y1), (400 * s - w1 * s, y1)],
                  fill=(255, 255, 255))

    # trees lining the road, smaller towards the horizon
    def tree(x, y, r, seed):
        tr = random.Random(seed)
        d.rectangle([(x - r * 0.08) * s, (y - r * 0.6) * s, (x + r * 0.08) * s, y * s], fill=(112, 80, 52))
        for _ in range(12):
            a = tr.uniform(0, 2 * math.pi)
            rr = tr.uniform(0.1, 0.5) * r
            cr = tr.uniform(0.3, 0.5) * r
            cx, cy = x + math.cos(a) * rr, y - r * 1.1 + math.sin(a) * rr * 0.8
            d.ellipse([(cx - cr) * s, (cy - cr) * s, (cx + cr) * s, (cy + cr) * s], fill=(40, tr.randint(110, 160), 60))
        for _ in range(6):
            a = tr.uniform(math.pi * 1.1, math.pi * 1.9)
            rr = tr.uniform(0.2, 0.5) * r
            cr = tr.uniform(0.1, 0.18) * r
            cx, cy = x + math.cos(a) * rr, y - r * 1.1 + math.sin(a) * rr * 0.8
            d.ellipse([(cx - cr) * s, (cy - cr) * s, (cx + cr) * s, (cy + cr) * s], fill=(130, 200, 100))

    for k in range(6, -1, -1):
        t = (k / 6) ** 1.4
        y = 300 + 300 * t
        r = 14 + 80 * t
        tree(lerp(378, 110, t), y, r, 10 + k)
        if k < 3:
            tree(lerp(422, 700, t), y, r, 30 + k)

    # flower strip along the road
    for _ in range(260):
        t = rng.random()
        y = 300 + 300 * t
        side = rng.choice((-1, 1))
        x = 400 + side * (12 + 210 * t + rng.uniform(0, 10 + 20 * t))
        r = 1 + 3 * t
        c = rng.choice([(240, 80, 110), (250, 200, 60), (255, 255, 255), (220, 120, 200)])
        d.ellipse([(x - r) * s, (y - r) * s, (x + r) * s, (y + r) * s], fill=c)

    # three waste-sorting bins in the right foreground
    def bin_(x, y, w, h, body, lid, icon):
        # shadow
        sl, sd = alpha_layer((W, H))
        sd.ellipse([(x - w * 0.6) * s, (y - 8) * s, (x + w * 0.7) * s, (y + 10) * s], fill=(0, 0, 0, 70))
        sl = sl.filter(ImageFilter.GaussianBlur(4 * s))
        img.paste(sl, (0, 0), sl)
        dd = ImageDraw.Draw(img)
        dd.polygon([((x - w / 2) * s, (y - h) * s), ((x + w / 2) * s, (y - h) * s), ((x + w * 0.42) * s, y * s),
                    ((x - w * 0.42) * s, y * s)], fill=body)
        # highlight band and ribs
        dd.polygon([((x - w * 0.44) * s, (y - h) * s), ((x - w * 0.30) * s, (y - h) * s), ((x - w * 0.24) * s, y * s),
                    ((x - w * 0.36) * s, y * s)], fill=mix(body, (255, 255, 255), 0.25))
        dd.rounded_rectangle([(x - w * 0.56) * s, (y - h - 14) * s, (x + w * 0.56) * s, (y - h + 2) * s], radius=5 * s,
                             fill=lid)
        dd.rectangle([(x - w * 0.15) * s, (y - h - 20) * s, (x + w * 0.15) * s, (y - h - 13) * s], fill=lid)
        for wx in (x - w * 0.3, x + w * 0.3):
            dd.ellipse([(wx - 8) * s, (y - 8) * s, (wx + 8) * s, (y + 8) * s], fill=(40, 40, 44))
            dd.ellipse([(wx - 3) * s, (y - 3) * s, (wx + 3) * s, (y + 3) * s], fill=(150, 150, 150))
        # white icon disc
        cx, cy, r = x, y - h * 0.52, w * 0.28
        dd.ellipse([(cx - r) * s, (cy - r) * s, (cx + r) * s, (cy + r) * s], fill=(255, 255, 255))
        icon(dd, cx, cy, r * 0.8)

    def leaf(dd, cx, cy, r):
        pts = []
        for i in range(41):
            t = i / 40 * math.pi
            pts.append((cx + r * math.cos(t + math.pi * 0.75) * 1.0, cy + r * 0.55 * math.sin(t) - r * 0.1))
        leaf_l, ld = alpha_layer((int(4 * r * s), int(4 * r * s)))
        c0 = 2 * r * s
        ld.ellipse([c0 - r * s, c0 - r * 0.5 * s, c0 + r * s, c0 + r * 0.5 * s], fill=(40, 150, 70, 255))
        ld.line([c0 - r * s, c0, c0 + r * 0.9 * s, c0], fill=(255, 255, 255, 255), width=2 * s)
        for k in range(-2, 3):
            ld.line([c0 + k * r * 0.3 * s, c0, c0 + (k * 0.3 + 0.2) * r * s, c0 - r * 0.35 * s], fill=(255, 255, 255, 255), width=s)
        leaf_l = leaf_l.rotate(35, resample=Image.BICUBIC)
        img.paste(leaf_l, (int(cx * s - c0), int(cy * s - c0)), leaf_l)

    def recyc(dd, cx, cy, r):
        sym = recycle_symbol(int(2 * r * s), (30, 110, 190, 255))
        img.paste(sym, (int((cx - r) * s), int((cy - r) * s)), sym)

    def other(dd, cx, cy, r):
        # a tied rubbish bag
        dd.ellipse([(cx - r * 0.7) * s, (cy - r * 0.4) * s, (cx + r * 0.7) * s, (cy + r * 0.9) * s], fill=(90, 90, 96))
        dd.polygon([((cx - r * 0.25) * s, (cy - r * 0.35) * s), ((cx + r * 0.25) * s, (cy - r * 0.35) * s),
                    ((cx + r * 0.45) * s, (cy - r * 0.9) * s), ((cx - r * 0.45) * s, (cy - r * 0.9) * s)], fill=(90, 90, 96))
        dd.rectangle([(cx - r * 0.3) * s, (cy - r * 0.45) * s, (cx + r * 0.3) * s, (cy - r * 0.32) * s], fill=(240, 170, 40))

    # a paved collection point beside the road
    d = ImageDraw.Draw(img)
    d.polygon([(600 * s, 520 * s), (796 * s, 520 * s), (800 * s, 596 * s), (588 * s, 596 * s)], fill=(206, 202, 192))
    d.line([(600 * s, 520 * s), (588 * s, 596 * s)], fill=(170, 166, 156), width=2 * s)
    bin_(622, 566, 62, 104, (44, 150, 72), (30, 120, 56), leaf)
    bin_(690, 572, 62, 108, (36, 116, 196), (24, 90, 160), recyc)
    bin_(756, 578, 60, 112, (128, 128, 136), (96, 96, 104), other)

    # a badge with the recycling symbol (top right)
    badge = recycle_symbol(130 * s, (255, 255, 255, 255), bg=(40, 150, 80, 240))
    img.paste(badge, (650 * s, 20 * s), badge)

    img = noise_texture(img, rng, 0.08)
    img = finish(img, (800, 600))
    img = vignette(img, 0.15)
    return save_jpeg(img, "lang-xanh-sach.jpg", 82)


def main():
    for make in (health_station, rice_sunset, evacuation_map, clean_village):
        path = make()
        print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()

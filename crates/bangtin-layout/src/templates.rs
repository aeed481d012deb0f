//! The slide templates: announcement, image, ticker, alert and idle.
//!
//! Sizes are fractions of the screen (the geometric mean of width and height, so landscape and
//! portrait of the same panel read alike), floored at a legible minimum. Line height is 1.4x
//! the font size and every text box has padding above it, so stacked Vietnamese capitals
//! (Ầ Ẫ Ặ Ỡ reach ~1.2 em above the baseline) are never clipped.

use super::text::{size_steps, Fitted, Style, TextEngine};
use super::{Align, DisplayList, Face, Op, Rect, Rgba, TextRun};
use bangtin_protocol::content::{Alert, AlertStatus, Item, ItemKind, Severity};
use bangtin_vi::calendar;
use chrono::NaiveDateTime;

/// What to lay out.
#[derive(Debug, Clone, Copy)]
pub enum Slide<'a> {
    /// A channel item, at a page of it.
    Item { item: &'a Item, page: u32 },
    /// A full-screen alert, at a page of it.
    Alert { alert: &'a Alert, page: u32 },
    /// Nothing valid to show: the board's name and the date, never a black screen.
    Idle {
        board_name: &'a str,
        now: NaiveDateTime,
    },
}

mod theme {
    use super::Rgba;
    pub const PAPER: Rgba = Rgba::hex(0xFFFDF7);
    pub const INK: Rgba = Rgba::hex(0x1A1A1A);
    pub const TITLE_BAND: Rgba = Rgba::hex(0xB71C1C);
    pub const GOLD: Rgba = Rgba::hex(0xF9C80E);
    pub const WHITE: Rgba = Rgba::hex(0xFFFFFF);
    pub const PHOTO_BG: Rgba = Rgba::hex(0x111111);
    pub const CAPTION_BG: Rgba = Rgba([0, 0, 0, 200]);
    pub const IDLE_BG: Rgba = Rgba::hex(0x0D3B66);
    pub const IDLE_SOFT: Rgba = Rgba::hex(0xCFE0F2);
    pub const DRILL: Rgba = Rgba::hex(0xFFD600);
    pub const BLACK: Rgba = Rgba::hex(0x000000);
}

/// The alert colours by severity: background and text.
pub fn severity_colors(s: Severity) -> (Rgba, Rgba) {
    match s {
        Severity::Extreme => (Rgba::hex(0xB00020), theme::WHITE),
        Severity::Severe => (Rgba::hex(0xD84315), theme::WHITE),
        Severity::Moderate => (Rgba::hex(0xF9A825), theme::BLACK),
        Severity::Minor => (Rgba::hex(0x1565C0), theme::WHITE),
    }
}

/// Screen-relative measures.
struct Screen {
    w: f32,
    h: f32,
    /// Geometric mean of width and height.
    base: f32,
    pad: f32,
    /// Too small for anti-aliased text: use the pixel font at 16 px multiples.
    tiny: bool,
}

impl Screen {
    fn new(w: u32, h: u32) -> Screen {
        let (w, h) = (w.max(1) as f32, h.max(1) as f32);
        let tiny = h < 160.0 || w < 160.0;
        let base = (w * h).sqrt();
        let pad = if tiny {
            2.0
        } else {
            (base * 0.025).round().max(4.0)
        };
        Screen {
            w,
            h,
            base,
            pad,
            tiny,
        }
    }

    fn full(&self) -> Rect {
        Rect::new(0.0, 0.0, self.w, self.h)
    }

    /// Candidate sizes for a role: fractions of `base`, floored at a legible 12 px.
    fn sizes(&self, max: f32, min: f32) -> Vec<f32> {
        if self.tiny {
            return if self.h >= 96.0 && max >= 0.06 {
                vec![32.0, 16.0]
            } else {
                vec![16.0]
            };
        }
        size_steps((self.base * max).max(12.0), (self.base * min).max(12.0))
    }

    fn style(&self, weight: u16, color: Rgba, align: Align) -> Style {
        if self.tiny {
            Style {
                face: Face::Pixel,
                weight: 400,
                color,
                align,
                line_height: 1.0,
            }
        } else {
            Style {
                face: Face::Sans,
                weight,
                color,
                align,
                line_height: 1.4,
            }
        }
    }
}

/// Lays out a slide for a `width` x `height` screen. `image_size` gives the pixel size of an
/// image by sha256 when it is available; images that are not are left out.
pub fn layout(
    engine: &mut TextEngine,
    slide: Slide<'_>,
    width: u32,
    height: u32,
    image_size: &dyn Fn(&str) -> Option<(u32, u32)>,
) -> DisplayList {
    let screen = Screen::new(width, height);
    let mut b = Builder {
        engine,
        ops: Vec::new(),
        pages: 1,
    };
    let (background, page) = match slide {
        Slide::Item { item, page } => (item_slide(&mut b, &screen, item, page, image_size), page),
        Slide::Alert { alert, page } => {
            (alert_slide(&mut b, &screen, alert, page, image_size), page)
        }
        Slide::Idle { board_name, now } => (idle_slide(&mut b, &screen, board_name, now), 0),
    };
    let pages = b.pages.max(1);
    DisplayList {
        width,
        height,
        background,
        page: page.min(pages - 1),
        pages,
        ops: b.ops,
    }
}

struct Builder<'e> {
    engine: &'e mut TextEngine,
    ops: Vec<Op>,
    pages: u32,
}

impl Builder<'_> {
    fn quad(&mut self, rect: Rect, color: Rgba) {
        self.ops.push(Op::Quad { rect, color });
    }

    fn text(&mut self, rect: Rect, fitted: &Fitted, lines: &[String], style: &Style) {
        if lines.is_empty() {
            return;
        }
        self.ops.push(Op::Text(TextRun {
            rect: Rect::new(
                rect.x,
                rect.y,
                rect.w,
                lines.len() as f32 * fitted.line_height,
            ),
            text: lines.join("\n"),
            face: style.face,
            weight: style.weight,
            size: fitted.size,
            line_height: fitted.line_height,
            color: style.color,
            align: style.align,
            lines: lines.to_vec(),
        }));
    }

    /// Fits `text` into `rect` and places it; text that does not fit even at the smallest size
    /// is split into pages, and `page` of them is placed. Returns the height used.
    #[allow(clippy::too_many_arguments)]
    fn fitted_text(
        &mut self,
        text: &str,
        rect: Rect,
        style: &Style,
        sizes: &[f32],
        page: u32,
        valign_center: bool,
    ) -> f32 {
        if rect.w < 1.0 || rect.h < 1.0 {
            return 0.0;
        }
        let fitted = self.engine.fit(text, style, sizes, rect.w, rect.h);
        let (lines, reserved) = self.page_of(&fitted, rect.h, page);
        let used = lines.len() as f32 * fitted.line_height;
        let y = if valign_center {
            rect.y + ((rect.h - used) / 2.0).max(0.0)
        } else {
            rect.y
        };
        self.text(Rect::new(rect.x, y, rect.w, used), &fitted, &lines, style);
        reserved
    }

    /// The lines of `fitted` that belong on `page` when at most `max_h` of them fit at once,
    /// and the height the block takes on every page (its tallest page), so what follows it
    /// sits in the same place whichever page is shown. Text is never dropped: lines that do
    /// not fit go to further pages (the slide's page count grows), and a block with fewer
    /// pages than the slide shows its last page again.
    fn page_of(&mut self, fitted: &Fitted, max_h: f32, page: u32) -> (Vec<String>, f32) {
        // The same half-pixel tolerance as fitting, so text that fits is never paged.
        let per_page = (((max_h + 0.5) / fitted.line_height).floor() as usize).max(1);
        let pages = fitted.lines.len().div_ceil(per_page).max(1);
        self.pages = self.pages.max(pages as u32);
        let page = (page as usize).min(pages - 1);
        let lines = fitted
            .lines
            .iter()
            .skip(page * per_page)
            .take(per_page)
            .cloned()
            .collect();
        let height = fitted.lines.len().min(per_page) as f32 * fitted.line_height;
        (lines, height)
    }

    /// An image fitted inside `area` with its aspect ratio kept, centred.
    fn image(&mut self, area: Rect, sha256: &str, (iw, ih): (u32, u32)) -> Rect {
        let scale = (area.w / iw.max(1) as f32).min(area.h / ih.max(1) as f32);
        let (w, h) = ((iw as f32 * scale).floor(), (ih as f32 * scale).floor());
        let rect = Rect::new(
            (area.x + (area.w - w) / 2.0).round(),
            (area.y + (area.h - h) / 2.0).round(),
            w,
            h,
        );
        self.ops.push(Op::Image {
            rect,
            sha256: sha256.to_owned(),
        });
        rect
    }

    /// A QR code as crisp modules: whole-pixel module size, a white quiet zone of 2 modules.
    fn qr(&mut self, area: Rect, data: &str) -> Option<Rect> {
        let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
        let n = code.width();
        let module = (area.w.min(area.h) / (n as f32 + 4.0)).floor();
        if module < 1.0 {
            return None;
        }
        let side = module * (n as f32 + 4.0);
        let x0 = (area.right() - side).round();
        let y0 = (area.bottom() - side).round();
        self.quad(Rect::new(x0, y0, side, side), theme::WHITE);
        let colors = code.to_colors();
        for row in 0..n {
            // Merge each row's dark runs into one quad: fewer draws, no seams.
            let mut col = 0;
            while col < n {
                if colors[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colors[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    self.quad(
                        Rect::new(
                            x0 + (start as f32 + 2.0) * module,
                            y0 + (row as f32 + 2.0) * module,
                            (col - start) as f32 * module,
                            module,
                        ),
                        theme::BLACK,
                    );
                } else {
                    col += 1;
                }
            }
        }
        Some(Rect::new(x0, y0, side, side))
    }
}

fn item_slide(
    b: &mut Builder<'_>,
    s: &Screen,
    item: &Item,
    page: u32,
    image_size: &dyn Fn(&str) -> Option<(u32, u32)>,
) -> Rgba {
    match &item.kind {
        ItemKind::Announcement {
            title,
            body,
            image,
            qr,
        } => {
            let image = image
                .as_ref()
                .and_then(|i| image_size(i.sha256()).map(|sz| (i.sha256(), sz)));
            announcement(
                b,
                s,
                title.as_deref(),
                body.as_deref(),
                image,
                qr.as_deref(),
                page,
            );
            theme::PAPER
        }
        ItemKind::Image { image, caption } => {
            captioned(b, s, caption.as_deref(), page, |b, area| {
                if let Some(sz) = image_size(image.sha256()) {
                    b.image(area, image.sha256(), sz);
                }
            });
            theme::PHOTO_BG
        }
        ItemKind::Ticker { text } => {
            let style = s.style(600, theme::WHITE, Align::Center);
            let band = s.full().inset(s.pad);
            b.quad(Rect::new(0.0, s.h - s.pad, s.w, s.pad), theme::GOLD);
            b.fitted_text(text, band, &style, &s.sizes(0.07, 0.03), page, true);
            theme::IDLE_BG
        }
        // The clip plays in the area above its caption; until its first frame (and in a
        // preview: over its first frame, when there is one) a tag says a clip goes there.
        ItemKind::Video { video, caption, .. } => {
            captioned(b, s, caption.as_deref(), page, |b, area| {
                let poster = crate::poster_key(&video.sha256);
                if let Some(sz) = image_size(&poster) {
                    b.image(area, &poster, sz);
                }
                // A tag in the corner says it is a clip (hidden by the clip once it plays).
                let style = s.style(700, theme::WHITE, Align::Center);
                let tag = Rect::new(area.x + s.pad, area.y + s.pad, s.h * 0.3, s.h * 0.1);
                b.quad(tag, theme::CAPTION_BG);
                b.fitted_text(
                    "VIDEO",
                    tag.inset(s.h * 0.015),
                    &style,
                    &s.sizes(0.05, 0.02),
                    0,
                    true,
                );
                b.ops.push(Op::Video { rect: area });
            });
            theme::PHOTO_BG
        }
    }
}

/// A picture or a clip over the whole slide, or, with a caption, above the caption's band:
/// `media` draws into its area first, then the band and its text.
fn captioned(
    b: &mut Builder<'_>,
    s: &Screen,
    caption: Option<&str>,
    page: u32,
    media: impl FnOnce(&mut Builder<'_>, Rect),
) {
    let mut area = s.full();
    let Some(caption) = caption else {
        media(b, area);
        return;
    };
    let style = s.style(500, theme::WHITE, Align::Center);
    let sizes = s.sizes(0.045, 0.03);
    let text_area = Rect::new(s.pad, 0.0, s.w - 2.0 * s.pad, s.h * 0.2);
    let fitted = b
        .engine
        .fit(caption, &style, &sizes, text_area.w, text_area.h);
    let (lines, reserved) = b.page_of(&fitted, text_area.h, page);
    let band_h = reserved + s.pad;
    area.h = s.h - band_h;
    media(b, area);
    b.quad(Rect::new(0.0, area.h, s.w, band_h), theme::CAPTION_BG);
    b.text(
        Rect::new(s.pad, area.h + s.pad / 2.0, text_area.w, 0.0),
        &fitted,
        &lines,
        &style,
    );
}

fn announcement(
    b: &mut Builder<'_>,
    s: &Screen,
    title: Option<&str>,
    body: Option<&str>,
    image: Option<(&str, (u32, u32))>,
    qr: Option<&str>,
    page: u32,
) {
    let mut top = 0.0;
    if let Some(title) = title {
        let style = s.style(700, theme::WHITE, Align::Left);
        let inner = Rect::new(s.pad, s.pad, s.w - 2.0 * s.pad, s.h * 0.3 - 2.0 * s.pad);
        let fitted = b
            .engine
            .fit(title, &style, &s.sizes(0.065, 0.035), inner.w, inner.h);
        let (lines, reserved) = b.page_of(&fitted, inner.h, page);
        let band_h = (reserved + 2.0 * s.pad).min(s.h * 0.45);
        b.quad(Rect::new(0.0, 0.0, s.w, band_h), theme::TITLE_BAND);
        let rule = (s.base * 0.006).round().max(1.0);
        b.quad(Rect::new(0.0, band_h, s.w, rule), theme::GOLD);
        b.text(inner, &fitted, &lines, &style);
        top = band_h + rule;
    }
    let mut content = Rect::new(
        s.pad,
        top + s.pad,
        s.w - 2.0 * s.pad,
        s.h - top - 2.0 * s.pad,
    );
    let landscape = s.w >= s.h;
    if let Some((sha, size)) = image {
        if body.is_none() {
            b.image(content, sha, size);
            content.h = 0.0;
        } else if landscape {
            let col = (content.w * 0.4).round();
            b.image(
                Rect::new(content.right() - col, content.y, col, content.h),
                sha,
                size,
            );
            content.w -= col + s.pad;
        } else {
            let row = (content.h * 0.35).round();
            let placed = b.image(Rect::new(content.x, content.y, content.w, row), sha, size);
            let used = placed.bottom() - content.y + s.pad;
            content.y += used;
            content.h -= used;
        }
    }
    if let Some(qr) = qr {
        let side = (content.h * 0.45).min(content.w * 0.3);
        let area = Rect::new(content.right() - side, content.bottom() - side, side, side);
        if b.qr(area, qr).is_some() {
            if landscape || body.is_none() {
                content.w -= side + s.pad;
            } else {
                content.h -= side + s.pad;
            }
        }
    }
    if let Some(body) = body {
        let style = s.style(400, theme::INK, Align::Left);
        b.fitted_text(body, content, &style, &s.sizes(0.05, 0.026), page, false);
    }
}

fn alert_slide(
    b: &mut Builder<'_>,
    s: &Screen,
    alert: &Alert,
    page: u32,
    image_size: &dyn Fn(&str) -> Option<(u32, u32)>,
) -> Rgba {
    let (bg, fg) = severity_colors(alert.severity);
    let drill = alert.status == AlertStatus::Exercise;
    let mut area = s.full().inset(s.pad);
    if drill {
        // A thick drill-yellow frame and two bands no one can miss or mistake.
        let t = (s.pad * 0.8).max(2.0);
        b.quad(Rect::new(0.0, 0.0, s.w, t), theme::DRILL);
        b.quad(Rect::new(0.0, s.h - t, s.w, t), theme::DRILL);
        b.quad(Rect::new(0.0, 0.0, t, s.h), theme::DRILL);
        b.quad(Rect::new(s.w - t, 0.0, t, s.h), theme::DRILL);
        let style = s.style(800, theme::BLACK, Align::Center);
        let label = if s.tiny {
            "DIỄN TẬP"
        } else {
            "DIỄN TẬP — KHÔNG PHẢI TÌNH HUỐNG THẬT"
        };
        let sizes = s.sizes(0.04, 0.02);
        let (band_h, size) = band(b, s, label, &style, &sizes, 0.0, theme::DRILL);
        if !s.tiny {
            // The bottom band repeats the marking at the top band's size, so both are as tall.
            band(
                b,
                s,
                "DIỄN TẬP",
                &style,
                &[size],
                s.h - band_h,
                theme::DRILL,
            );
            area = Rect::new(
                area.x + t,
                band_h + s.pad,
                area.w - 2.0 * t,
                s.h - 2.0 * band_h - 2.0 * s.pad,
            );
        } else {
            area = Rect::new(area.x, band_h, area.w, s.h - band_h - s.pad);
        }
    }
    let label = match (alert.severity.is_full_screen(), s.tiny) {
        (true, false) => "CẢNH BÁO KHẨN CẤP",
        (false, false) => "THÔNG BÁO CẢNH BÁO",
        (_, true) => "",
    };
    let mut y = area.y;
    if !label.is_empty() {
        let style = s.style(700, fg, Align::Center);
        let used = b.fitted_text(
            label,
            Rect::new(area.x, y, area.w, s.h * 0.1),
            &style,
            &s.sizes(0.04, 0.025),
            0,
            false,
        );
        y += used + s.pad * 0.5;
    }
    let headline_style = s.style(800, fg, Align::Center);
    let used = b.fitted_text(
        &alert.headline,
        Rect::new(area.x, y, area.w, (area.bottom() - y) * 0.4),
        &headline_style,
        &s.sizes(0.09, 0.045),
        page,
        false,
    );
    y += used + s.pad;
    if !s.tiny {
        let rule = (s.base * 0.004).round().max(1.0);
        b.quad(
            Rect::new(area.x + area.w * 0.2, y - s.pad * 0.5, area.w * 0.6, rule),
            fg,
        );
    }
    let mut rest = Rect::new(area.x, y, area.w, area.bottom() - y);
    if let Some(sender) = alert.sender_name.as_deref().filter(|_| !s.tiny) {
        let style = s.style(500, fg, Align::Center);
        let fitted = b
            .engine
            .fit(sender, &style, &s.sizes(0.03, 0.022), rest.w, rest.h * 0.15);
        let (line, _) = b.page_of(&fitted, fitted.line_height, page);
        let h = fitted.line_height;
        b.text(
            Rect::new(rest.x, rest.bottom() - h, rest.w, h),
            &fitted,
            &line,
            &style,
        );
        rest.h -= h + s.pad * 0.5;
    }
    let image = alert
        .image
        .as_ref()
        .and_then(|i| image_size(i.sha256()).map(|sz| (i.sha256(), sz)));
    let box_h = alert_body(
        b,
        s,
        rest,
        alert.description.as_deref(),
        alert.instruction.as_deref(),
        (fg, bg),
        page,
    );
    if let (Some((sha, size)), None) = (image, &alert.description) {
        // With no description, the image (a map, say) fills what the instruction leaves.
        let area = Rect::new(rest.x, rest.y, rest.w, rest.h - box_h);
        if area.h > s.h * 0.2 {
            b.image(area, sha, size);
        }
    }
    bg
}

/// The description and the instruction (what to do, in an inverted box at the bottom) of an
/// alert, set at one size: the largest at which both fit `rest` together. When even the
/// smallest is too much, the instruction keeps up to half the area and both are paged.
/// Returns the height the instruction box takes at the bottom, with its gap.
fn alert_body(
    b: &mut Builder<'_>,
    s: &Screen,
    rest: Rect,
    description: Option<&str>,
    instruction: Option<&str>,
    (fg, bg): (Rgba, Rgba),
    page: u32,
) -> f32 {
    let desc_style = s.style(500, fg, Align::Center);
    let instr_style = s.style(700, bg, Align::Center);
    let inner_w = rest.w - 2.0 * s.pad;
    let sizes = s.sizes(0.05, 0.026);
    // Height both blocks need at `size`: (instruction box, description).
    let need = |b: &mut Builder<'_>, size: f32| -> (f32, f32) {
        let instr = instruction.map_or(0.0, |t| {
            let (lines, _) = b.engine.lines(t, &instr_style, size, inner_w);
            lines.len() as f32 * (size * instr_style.line_height).round() + s.pad
        });
        let desc = description.map_or(0.0, |t| {
            let (lines, _) = b.engine.lines(t, &desc_style, size, rest.w);
            lines.len() as f32 * (size * desc_style.line_height).round()
        });
        (instr, desc)
    };
    let gap = if instruction.is_some() && description.is_some() {
        s.pad
    } else {
        0.0
    };
    // Fitting is monotone in size: binary search the descending candidates.
    let (mut lo, mut hi) = (0usize, sizes.len());
    let mut chosen = None;
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (i, d) = need(b, sizes[mid]);
        if i + gap + d <= rest.h + 0.5 {
            chosen = Some(sizes[mid]);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let (box_sizes, box_max): (Vec<f32>, f32) = match chosen {
        Some(size) => (vec![size], rest.h),
        None => (sizes.last().copied().into_iter().collect(), rest.h * 0.5),
    };
    let mut desc_area = rest;
    if let Some(text) = instruction {
        let fitted = b
            .engine
            .fit(text, &instr_style, &box_sizes, inner_w, box_max - s.pad);
        let (lines, reserved) = b.page_of(&fitted, box_max - s.pad, page);
        let box_h = reserved + s.pad;
        let box_rect = Rect::new(rest.x, rest.bottom() - box_h, rest.w, box_h);
        b.quad(box_rect, fg);
        b.text(
            Rect::new(rest.x + s.pad, box_rect.y + s.pad / 2.0, inner_w, 0.0),
            &fitted,
            &lines,
            &instr_style,
        );
        desc_area.h -= box_h + gap;
    }
    if let Some(text) = description {
        b.fitted_text(text, desc_area, &desc_style, &box_sizes, page, true);
    }
    rest.h - desc_area.h
}

/// A full-width band of one line of text at `y`, at the largest of `sizes` that fits; returns
/// its height and the size used.
fn band(
    b: &mut Builder<'_>,
    s: &Screen,
    text: &str,
    style: &Style,
    sizes: &[f32],
    y: f32,
    color: Rgba,
) -> (f32, f32) {
    let max = sizes.first().copied().unwrap_or(16.0);
    let fitted = b
        .engine
        .fit(text, style, sizes, s.w - 2.0 * s.pad, max * 1.5);
    let lines: Vec<String> = fitted.lines.iter().take(1).cloned().collect();
    let h = fitted.line_height + if s.tiny { 0.0 } else { s.pad * 0.5 };
    b.quad(Rect::new(0.0, y, s.w, h), color);
    b.text(
        Rect::new(
            s.pad,
            y + (h - fitted.line_height) / 2.0,
            s.w - 2.0 * s.pad,
            0.0,
        ),
        &fitted,
        &lines,
        style,
    );
    (h, fitted.size)
}

fn idle_slide(b: &mut Builder<'_>, s: &Screen, board_name: &str, now: NaiveDateTime) -> Rgba {
    // The board's name, whole, then the clock, then the date: on a small panel what does not
    // fit goes from the end (the long date, then the short one, then the clock), and no line is
    // ever cut in half.
    let area = s.full().inset(s.pad);
    let name_style = s.style(700, theme::WHITE, Align::Center);
    let date_style = s.style(500, theme::IDLE_SOFT, Align::Center);
    let rule = if s.tiny {
        0.0
    } else {
        (s.base * 0.006).round().max(1.0)
    };
    let gap = if s.tiny { 0.0 } else { s.pad * 0.5 };
    let name = b.engine.fit(
        board_name,
        &name_style,
        &s.sizes(0.09, 0.04),
        area.w,
        area.h * 0.5,
    );
    let name_h = name.height().min(area.h);
    let mut left = area.h - name_h - rule - 2.0 * gap;
    let clock_text = calendar::clock(now.time());
    let clock = b.engine.fit(
        &clock_text,
        &name_style,
        &s.sizes(0.1, 0.04),
        area.w,
        area.h * 0.3,
    );
    let show_clock = clock.lines.len() == 1 && clock.line_height <= left + 0.5;
    if show_clock {
        left -= clock.line_height;
    }
    let long = calendar::date_line(now.date());
    let short = now.date().format("%d/%m/%Y").to_string();
    let date = [long, short].into_iter().find_map(|text| {
        let f = b.engine.fit(
            &text,
            &date_style,
            &s.sizes(0.045, 0.025),
            area.w,
            area.h * 0.25,
        );
        (f.height() <= left.min(area.h * 0.25) + 0.5).then_some(f)
    });
    let total = name_h
        + rule
        + 2.0 * gap
        + date.as_ref().map_or(0.0, |d| d.height())
        + if show_clock { clock.line_height } else { 0.0 };
    let mut y = area.y + ((area.h - total) / 2.0).max(0.0);
    let per_page = (((area.h + 0.5) / name.line_height).floor() as usize).max(1);
    let name_lines: Vec<String> = name.lines.iter().take(per_page).cloned().collect();
    b.text(
        Rect::new(area.x, y, area.w, 0.0),
        &name,
        &name_lines,
        &name_style,
    );
    y += name_lines.len() as f32 * name.line_height + gap;
    if rule > 0.0 {
        b.quad(
            Rect::new(area.x + area.w * 0.3, y, area.w * 0.4, rule),
            theme::GOLD,
        );
    }
    y += rule + gap;
    if let Some(d) = &date {
        b.text(Rect::new(area.x, y, area.w, 0.0), d, &d.lines, &date_style);
        y += d.height();
    }
    if show_clock {
        b.text(
            Rect::new(area.x, y, area.w, 0.0),
            &clock,
            &clock.lines,
            &name_style,
        );
    }
    theme::IDLE_BG
}

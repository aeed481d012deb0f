//! The board's chrome around the programme: a header (board name, clock, solar and lunar date)
//! and a footer band that scrolls the tickers (or a moderate/minor alert's banner).
//!
//! The canvas is split into bands once per change; the slide is laid out in the body. The
//! footer's text is laid out once, unwrapped, and scrolled by the compositor: each frame only
//! moves its `x`, so scrolling never re-shapes text.

use super::templates::severity_colors;
use super::text::{size_steps, Style, TextEngine};
use super::{Align, DisplayList, Face, Op, Rect, Rgba, Slide, TextRun};
use bangtin_protocol::content::Severity;
use bangtin_vi::calendar::{self, lunar};
use chrono::NaiveDateTime;

/// Which chrome a board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chrome {
    pub header: bool,
    pub footer: bool,
}

/// The canvas cut into bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    pub header: Option<Rect>,
    pub body: Rect,
    pub footer: Option<Rect>,
}

const HEADER_BG: Rgba = Rgba::hex(0x0D3B66);
const FOOTER_BG: Rgba = Rgba::hex(0x111111);
const GOLD: Rgba = Rgba::hex(0xF9C80E);
const WHITE: Rgba = Rgba::hex(0xFFFFFF);
const SOFT: Rgba = Rgba::hex(0xCFE0F2);
/// Between ticker items.
pub const TICKER_SEPARATOR: &str = "   •   ";
/// The wrapping width of a footer run: wide enough that it never wraps.
const UNWRAPPED: f32 = 1.0e6;

fn is_tiny(w: f32, h: f32) -> bool {
    w < 160.0 || h < 160.0
}

/// Cuts a `width` x `height` canvas into header, body and footer.
pub fn bands(width: u32, height: u32, chrome: Chrome) -> Bands {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let (header_h, footer_h) = if is_tiny(w, h) {
        // One 16-pixel row each: the header where the body keeps at least 32 rows; the footer
        // (tickers, and the banner of a moderate alert, which must be seen) down to 32 rows.
        let header = if h >= 64.0 { 16.0 } else { 0.0 };
        let footer = if h >= 32.0 { 16.0 } else { 0.0 };
        (header, footer)
    } else {
        let base = (w * h).sqrt();
        ((base * 0.065).round(), (base * 0.055).round())
    };
    let header = (chrome.header && header_h > 0.0).then(|| Rect::new(0.0, 0.0, w, header_h));
    let footer =
        (chrome.footer && footer_h > 0.0).then(|| Rect::new(0.0, h - footer_h, w, footer_h));
    let top = header.map_or(0.0, |r| r.h);
    let bottom = footer.map_or(0.0, |r| r.h);
    Bands {
        header,
        body: Rect::new(0.0, top, w, (h - top - bottom).max(1.0)),
        footer,
    }
}

fn run(text: &str, rect: Rect, style: &Style, size: f32, lines: Vec<String>) -> TextRun {
    TextRun {
        rect,
        text: text.to_owned(),
        face: style.face,
        weight: style.weight,
        size,
        line_height: (size * style.line_height).round(),
        color: style.color,
        align: style.align,
        lines,
    }
}

fn style(tiny: bool, weight: u16, color: Rgba) -> Style {
    Style {
        face: if tiny { Face::Pixel } else { Face::Sans },
        weight: if tiny { 400 } else { weight },
        color,
        align: Align::Left,
        line_height: if tiny { 1.0 } else { 1.3 },
    }
}

/// The width of `text` on one line.
fn width_of(engine: &mut TextEngine, text: &str, style: &Style, size: f32) -> f32 {
    engine.lines(text, style, size, UNWRAPPED).1
}

/// The header's drawing operations for `rect` (canvas coordinates) at `now` (board time).
/// Wide screens: the name on the left, the date and lunar date, then the clock, on the right.
/// Narrow ones fall back to shorter date forms; a tiny LED panel shows the clock and dates in
/// one row of the pixel font. Nothing is cut: a form that does not fit is not used.
pub fn header(engine: &mut TextEngine, rect: Rect, name: &str, now: NaiveDateTime) -> Vec<Op> {
    let mut ops = vec![Op::Quad {
        rect,
        color: HEADER_BG,
    }];
    let date = now.date();
    let lunar_date = lunar::lunar_date(date);
    let clock = calendar::clock(now.time());
    if is_tiny(rect.w, rect.h * 4.0) || rect.h <= 16.0 {
        let st = style(true, 400, WHITE);
        let short = date.format("%d/%m").to_string();
        let mut forms = vec![];
        if let Some(l) = &lunar_date {
            forms.push(format!("{clock} {short} {}", lunar::lunar_short(l)));
        }
        forms.push(format!("{clock} {short}"));
        forms.push(clock.clone());
        let text = forms
            .into_iter()
            .find(|t| width_of(engine, t, &st, 16.0) <= rect.w)
            .unwrap_or(clock);
        ops.push(Op::Text(run(
            &text,
            Rect::new(rect.x + 1.0, rect.y, rect.w, 16.0),
            &st,
            16.0,
            vec![text.clone()],
        )));
        return ops;
    }

    let pad = (rect.h * 0.25).round();
    let rule = (rect.h * 0.04).round().max(1.0);
    ops.push(Op::Quad {
        rect: Rect::new(rect.x, rect.bottom() - rule, rect.w, rule),
        color: GOLD,
    });
    let inner_h = rect.h - rule;
    let clock_style = style(false, 700, WHITE);
    let clock_size = (inner_h * 0.62).round();
    let clock_w = width_of(engine, &clock, &clock_style, clock_size);
    let clock_lh = (clock_size * clock_style.line_height).round();
    let clock_x = rect.right() - pad - clock_w;
    ops.push(Op::Text(run(
        &clock,
        Rect::new(
            clock_x,
            rect.y + (inner_h - clock_lh) / 2.0,
            clock_w + 2.0,
            clock_lh,
        ),
        &clock_style,
        clock_size,
        vec![clock.clone()],
    )));

    // The date block: two lines, from the long forms down to the short ones.
    let date_style = style(false, 500, SOFT);
    let date_size = (inner_h * 0.27).round();
    let lunar_long = lunar_date
        .as_ref()
        .map(|l| format!("Âm lịch: {}", lunar::lunar_line(l)));
    let lunar_mid = lunar_date.as_ref().map(|l| {
        format!(
            "{}{} {}",
            l.day,
            if l.leap {
                format!("/{} nhuận", l.month)
            } else {
                format!("/{}", l.month)
            },
            lunar::can_chi_year(l.year)
        )
    });
    let short = date.format("%d/%m/%Y").to_string();
    let forms: Vec<(String, Option<String>)> = vec![
        (calendar::date_line(date), lunar_long),
        (
            format!("{}, {short}", calendar::weekday_name(date)),
            lunar_mid.clone().map(|l| format!("Âm lịch: {l}")),
        ),
        (short.clone(), lunar_mid),
        (short, None),
    ];
    let name_style = style(false, 700, WHITE);
    let name_sizes = size_steps(inner_h * 0.42, (inner_h * 0.22).max(12.0));
    let min_name_w = rect.w * 0.3;
    let gap = pad;
    let measured: Vec<(f32, &(String, Option<String>))> = forms
        .iter()
        .map(|f| {
            let a = width_of(engine, &f.0, &date_style, date_size);
            let b =
                f.1.as_deref()
                    .map_or(0.0, |t| width_of(engine, t, &date_style, date_size));
            (a.max(b), f)
        })
        .collect();
    let chosen = measured
        .iter()
        .find(|(w, _)| clock_x - gap - w - gap - pad >= min_name_w)
        .or(measured.last());
    let mut name_right = clock_x - gap;
    if let Some((w, (line1, line2))) = chosen {
        let lh = (date_size * date_style.line_height).round();
        let lines: Vec<String> = std::iter::once(line1.clone())
            .chain(line2.clone())
            .collect();
        let block_h = lh * lines.len() as f32;
        let x = clock_x - gap - w;
        ops.push(Op::Text(run(
            &lines.join("\n"),
            Rect::new(x, rect.y + (inner_h - block_h) / 2.0, w + 2.0, block_h),
            &date_style,
            date_size,
            lines,
        )));
        name_right = x - gap;
    }
    let name_w = (name_right - rect.x - pad).max(1.0);
    let fitted = engine.fit(name, &name_style, &name_sizes, name_w, inner_h);
    let block_h = fitted.height().min(inner_h);
    let per_page = ((inner_h + 0.5) / fitted.line_height).floor().max(1.0) as usize;
    let lines: Vec<String> = fitted.lines.iter().take(per_page).cloned().collect();
    ops.push(Op::Text(run(
        &lines.join("\n"),
        Rect::new(
            rect.x + pad,
            rect.y + ((inner_h - block_h) / 2.0).max(0.0),
            name_w,
            lines.len() as f32 * fitted.line_height,
        ),
        &name_style,
        fitted.size,
        lines,
    )));
    ops
}

/// What the footer band scrolls.
#[derive(Debug, Clone, PartialEq)]
pub enum FooterText {
    /// Ticker items' texts, in order.
    Tickers(Vec<String>),
    /// A moderate or minor alert shown over the rotation: its headline, in its colours.
    Banner {
        text: String,
        severity: Severity,
        drill: bool,
    },
}

/// The footer, laid out once: a background band (drawn with the canvas) and one unwrapped line
/// of text that the compositor scrolls across it.
#[derive(Debug, Clone, PartialEq)]
pub struct Footer {
    /// The band's background and rules, in canvas coordinates.
    pub background: Vec<Op>,
    /// The line, at `x` = 0 in the band's own coordinates (its `y` is within the band).
    pub text: TextRun,
    /// The band's background colour (the strip texture is cleared with it).
    pub color: Rgba,
    /// The line's width in pixels: one scroll cycle is `band.w + text_width`.
    pub text_width: f32,
}

/// Lays out the footer for `band`.
pub fn footer(engine: &mut TextEngine, band: Rect, what: &FooterText) -> Footer {
    let tiny = band.h <= 16.0;
    let (bg, fg, text) = match what {
        FooterText::Tickers(texts) => (FOOTER_BG, GOLD, texts.join(TICKER_SEPARATOR)),
        FooterText::Banner {
            text,
            severity,
            drill,
        } => {
            let (bg, fg) = severity_colors(*severity);
            let text = if *drill {
                format!("DIỄN TẬP — {text}")
            } else {
                text.clone()
            };
            (bg, fg, text)
        }
    };
    let st = style(tiny, 600, fg);
    let rule = if tiny {
        0.0
    } else {
        (band.h * 0.05).round().max(1.0)
    };
    let size = if tiny {
        16.0
    } else {
        ((band.h - rule) * 0.55).round()
    };
    let lh = (size * st.line_height).round();
    let text_width = width_of(engine, &text, &st, size).ceil();
    let y = rule + ((band.h - rule - lh) / 2.0).max(0.0).round();
    let mut background = vec![Op::Quad {
        rect: band,
        color: bg,
    }];
    if rule > 0.0 {
        background.push(Op::Quad {
            rect: Rect::new(band.x, band.y, band.w, rule),
            color: GOLD,
        });
    }
    Footer {
        background,
        text: run(
            &text,
            Rect::new(0.0, y, UNWRAPPED, lh),
            &st,
            size,
            vec![text.clone()],
        ),
        color: bg,
        text_width,
    }
}

/// Where the footer's line starts at `elapsed_s` seconds of scrolling at `speed` px/s: it
/// enters at the right edge and leaves at the left, then starts again. Whole pixels, so
/// pixel-font text stays crisp on LED panels.
pub fn scroll_x(band_w: f32, text_width: f32, speed: f32, elapsed_s: f64) -> f32 {
    let cycle = f64::from(band_w + text_width).max(1.0);
    let travelled = (elapsed_s * f64::from(speed)).rem_euclid(cycle);
    (f64::from(band_w) - travelled).round() as f32
}

/// A whole board frame, laid out: the canvas (header, slide, footer band) and the footer's
/// line with the band it scrolls in.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    pub list: DisplayList,
    pub footer: Option<(Footer, Rect)>,
}

/// What a whole canvas shows: the slide, the screen's size, and the chrome around it.
#[derive(Debug, Clone, Copy)]
pub struct CanvasSpec<'a> {
    pub slide: Slide<'a>,
    /// The canvas in pixels.
    pub size: (u32, u32),
    /// The header band (board name, clock, date) over the slide; alerts never have it.
    pub header: bool,
    /// The board's name, as the header shows it.
    pub board_name: &'a str,
    /// The board's local time: the header's clock and date.
    pub now: NaiveDateTime,
    /// The footer's line (tickers or an alert banner), if any.
    pub footer: Option<&'a FooterText>,
}

/// Lays out a board frame: a full-screen alert takes the whole canvas; anything else sits in
/// the body between the header (when `header`) and the footer (when there is `footer` text).
pub fn canvas(
    engine: &mut TextEngine,
    spec: &CanvasSpec<'_>,
    image_size: &dyn Fn(&str) -> Option<(u32, u32)>,
) -> Canvas {
    let CanvasSpec {
        slide,
        size: (width, height),
        header,
        board_name: name,
        now,
        footer,
    } = *spec;
    let alert = matches!(slide, Slide::Alert { .. });
    let chrome = Chrome {
        header: header && !alert,
        footer: footer.is_some() && !alert,
    };
    let b = bands(width, height, chrome);
    let body = b.body;
    let slide_list = super::layout(engine, slide, body.w as u32, body.h as u32, image_size);
    // The canvas is cleared with the slide's background: the body needs no quad of its own
    // (a full-screen quad is the costliest thing a software GPU draws).
    let mut ops = Vec::with_capacity(slide_list.ops.len() + 8);
    ops.extend(
        slide_list
            .ops
            .into_iter()
            .map(|op| translate(op, body.x, body.y)),
    );
    if let Some(rect) = b.header {
        ops.extend(self::header(engine, rect, name, now));
    }
    let footer = match (footer, b.footer) {
        (Some(text), Some(band)) => {
            let laid = self::footer(engine, band, text);
            ops.extend(laid.background.iter().cloned());
            Some((laid, band))
        }
        _ => None,
    };
    Canvas {
        list: DisplayList {
            width,
            height,
            background: slide_list.background,
            page: slide_list.page,
            pages: slide_list.pages,
            ops,
        },
        footer,
    }
}

/// The `identify` command's overlay: the board's id and area in a box across the middle of
/// the canvas, large enough to read from the square while an installer stands at the board.
pub fn identify(
    engine: &mut TextEngine,
    (width, height): (u32, u32),
    id: &str,
    area: &str,
) -> Vec<Op> {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let tiny = is_tiny(w, h);
    let rect = if tiny {
        Rect::new(0.0, 0.0, w, h)
    } else {
        Rect::new(w * 0.08, h * 0.3, w * 0.84, h * 0.4)
    };
    let text = format!("{id}\n{area}");
    let mut st = style(tiny, 700, Rgba::hex(0xffffff));
    st.align = Align::Center;
    let pad = if tiny { 0.0 } else { (rect.h * 0.08).round() };
    let inner = rect.inset(pad);
    let sizes = if tiny {
        vec![16.0]
    } else {
        super::text::size_steps(inner.h * 0.4, 12.0)
    };
    let fitted = engine.fit(&text, &st, &sizes, inner.w, inner.h);
    let mut text_rect = inner;
    let used = fitted.height();
    text_rect.y += ((inner.h - used) / 2.0).max(0.0).round();
    text_rect.h = used.min(inner.h);
    vec![
        Op::Quad {
            rect,
            color: Rgba([10, 60, 160, 255]),
        },
        Op::Text(run(&text, text_rect, &st, fitted.size, fitted.lines)),
    ]
}

/// The footer strip's display list (band-sized) with its line starting at `x`.
pub fn strip(footer: &Footer, band: Rect, x: f32) -> DisplayList {
    let mut run = footer.text.clone();
    run.rect.x = x;
    DisplayList {
        width: band.w as u32,
        height: band.h as u32,
        background: footer.color,
        page: 0,
        pages: 1,
        ops: footer
            .background
            .iter()
            .map(|op| translate(op.clone(), -band.x, -band.y))
            .chain(std::iter::once(Op::Text(run)))
            .collect(),
    }
}

/// `op` moved by (`dx`, `dy`).
pub fn translate(op: Op, dx: f32, dy: f32) -> Op {
    let shift = |r: Rect| Rect::new(r.x + dx, r.y + dy, r.w, r.h);
    match op {
        Op::Quad { rect, color } => Op::Quad {
            rect: shift(rect),
            color,
        },
        Op::Image { rect, sha256 } => Op::Image {
            rect: shift(rect),
            sha256,
        },
        Op::Text(mut run) => {
            run.rect = shift(run.rect);
            Op::Text(run)
        }
        Op::Video { rect } => Op::Video { rect: shift(rect) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_canvas() {
        for (w, h) in [(1920, 1080), (1080, 1920), (192, 96), (128, 32), (480, 270)] {
            for (header, footer) in [(true, true), (false, true), (true, false), (false, false)] {
                let b = bands(w, h, Chrome { header, footer });
                let top = b.header.map_or(0.0, |r| r.h);
                let bottom = b.footer.map_or(0.0, |r| r.h);
                assert_eq!(b.body.y, top);
                assert!((top + b.body.h + bottom - h as f32).abs() < 0.01, "{w}x{h}");
                assert!(b.body.h >= h as f32 * 0.5, "{w}x{h}: body {}", b.body.h);
            }
        }
        // A 32-row panel has no room for the header, but keeps a footer row for banners.
        let b = bands(
            128,
            32,
            Chrome {
                header: true,
                footer: true,
            },
        );
        assert!(b.header.is_none());
        assert_eq!(b.footer.map(|r| r.h), Some(16.0));
    }

    #[test]
    fn scrolling_enters_right_leaves_left_and_repeats() {
        assert_eq!(scroll_x(1000.0, 500.0, 100.0, 0.0), 1000.0);
        assert_eq!(scroll_x(1000.0, 500.0, 100.0, 10.0), 0.0);
        assert_eq!(scroll_x(1000.0, 500.0, 100.0, 14.0), -400.0);
        // One cycle (1,500 px) later it is back at the start.
        assert_eq!(scroll_x(1000.0, 500.0, 100.0, 15.0), 1000.0);
        assert_eq!(scroll_x(1000.0, 500.0, 100.0, 16.0), 900.0);
        // Days of uptime do not lose precision.
        let day = 86_400.0 * 3.0;
        let a = scroll_x(1000.0, 500.0, 100.0, day);
        let b = scroll_x(1000.0, 500.0, 100.0, day + 0.5);
        assert_eq!(((a - b) + 1500.0) % 1500.0, 50.0);
    }
}

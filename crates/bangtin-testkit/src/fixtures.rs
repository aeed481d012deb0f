//! Content for tests: channels, alerts and items from JSON, a fake image folder for layout,
//! the screen sizes layouts are checked at.

use bangtin_layout::{self as layout, DisplayList, Slide, TextEngine};
use bangtin_protocol::content::{self, Alert, Channel, Item};

/// Every stacked-diacritic capital of Vietnamese (a circumflex, breve or horn letter with a
/// tone mark above), the letters that overflow a tight line box.
pub const STACKED_CAPITALS: &str = "ẦẤẨẪẬ ẰẮẲẴẶ ỀẾỂỄỆ ỒỐỔỖỘ ỜỚỞỠỢ ỪỨỬỮỰ";

pub fn channel(json: &str) -> Channel {
    match content::parse_channel(json.as_bytes()) {
        Ok(c) => c,
        Err(p) => panic!("fixture channel is invalid: {p}"),
    }
}

pub fn alert(json: &str) -> Alert {
    match content::parse_alert(json.as_bytes()) {
        Ok(a) => a,
        Err(p) => panic!("fixture alert is invalid: {p}"),
    }
}

pub fn item(json: &str) -> Item {
    channel(&format!(r#"{{"items": [{json}]}}"#))
        .items
        .remove(0)
}

/// A fake image directory: every sha256 is a 4:3 picture, except "wide" (16:9 landscape) and
/// "tall" (portrait).
pub fn image_size(sha: &str) -> Option<(u32, u32)> {
    Some(match sha {
        s if s.starts_with("aaaa") => (1600, 900),
        s if s.starts_with("bbbb") => (600, 900),
        _ => (800, 600),
    })
}

pub const WIDE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const TALL: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// An image field naming `sha` by URL (layout needs only its size).
pub fn url_image(sha: &str) -> String {
    format!(r#"{{"url": "https://example.invalid/{sha}.jpg", "sha256": "{sha}", "bytes": 1000}}"#)
}

pub fn lay(engine: &mut TextEngine, slide: Slide<'_>, w: u32, h: u32) -> DisplayList {
    layout::layout(engine, slide, w, h, &image_size)
}

pub const SIZES: [(u32, u32); 4] = [(128, 64), (480, 270), (1920, 1080), (1080, 1920)];

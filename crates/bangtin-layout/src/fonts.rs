//! The bundled fonts, compiled into the binary; the only faces the board knows.
//!
//! System fonts are never consulted: a kiosk image may have none, and Debian's default sans
//! lacks Vietnamese. Family names here are what layout asks cosmic-text for.

use cosmic_text::fontdb;
use std::sync::Arc;

/// Default face: titles, body, header, alerts.
pub const SANS: &str = "Be Vietnam Pro";
/// Fallback for any character the default face lacks.
pub const FALLBACK: &str = "Noto Sans";
/// Pixel font for tiny LED canvases; crisp at multiples of 16 px.
pub const PIXEL: &str = "Unifont";

const FILES: &[(&str, &[u8])] = &[
    (
        "BeVietnamPro-Regular",
        include_bytes!("../../../fonts/be-vietnam-pro/BeVietnamPro-Regular.ttf"),
    ),
    (
        "BeVietnamPro-Medium",
        include_bytes!("../../../fonts/be-vietnam-pro/BeVietnamPro-Medium.ttf"),
    ),
    (
        "BeVietnamPro-SemiBold",
        include_bytes!("../../../fonts/be-vietnam-pro/BeVietnamPro-SemiBold.ttf"),
    ),
    (
        "BeVietnamPro-Bold",
        include_bytes!("../../../fonts/be-vietnam-pro/BeVietnamPro-Bold.ttf"),
    ),
    (
        "NotoSans-Regular",
        include_bytes!("../../../fonts/noto-sans/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold",
        include_bytes!("../../../fonts/noto-sans/NotoSans-Bold.ttf"),
    ),
    (
        "Unifont",
        include_bytes!("../../../fonts/unifont/unifont-vi.otf"),
    ),
];

/// The bundled font files, by name, as bytes.
pub fn files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES.iter().copied()
}

/// A font database holding exactly the bundled fonts.
pub fn database() -> fontdb::Database {
    let mut db = fontdb::Database::new();
    for (_, bytes) in FILES {
        db.load_font_source(fontdb::Source::Binary(Arc::new(*bytes)));
    }
    db.set_sans_serif_family(SANS);
    db.set_serif_family(SANS);
    db.set_monospace_family(PIXEL);
    db.set_cursive_family(SANS);
    db.set_fantasy_family(SANS);
    db
}

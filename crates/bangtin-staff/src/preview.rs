//! What a preview shows: the first item of a channel (or the alert) laid out exactly as a board
//! lays it out, header and ticker included, as a display list. The caller draws it with the
//! board's renderer (`bangtin_render`), so the preview is the board's picture, not a likeness.

use crate::document::Loaded;
use crate::Error;
use bangtin_layout::chrome::{self, FooterText};
use bangtin_layout::{DisplayList, Op, Slide, TextEngine};
use bangtin_protocol::content::{ItemKind, PayloadRef};
use chrono::{DateTime, FixedOffset};

/// The header's name on a preview.
pub const PREVIEW_NAME: &str = "Xem trước / Preview";

/// The whole screen a board of `size` would show for `loaded` at `now` (page `page` of a long
/// item, from 0; the list says how many pages there are), and the sha256 of each image it
/// draws (to decode before rendering).
pub fn display_list(
    loaded: &Loaded,
    size: (u32, u32),
    page: u32,
    now: DateTime<FixedOffset>,
    engine: &mut TextEngine,
) -> Result<(DisplayList, Vec<String>), Error> {
    let image_size = |sha: &str| loaded.image_size(sha);
    let (slide, footer) = match loaded.document.payload() {
        PayloadRef::Channel(c) => {
            let tickers: Vec<String> = c
                .items
                .iter()
                .filter_map(|i| match &i.kind {
                    ItemKind::Ticker { text } => Some(text.clone()),
                    _ => None,
                })
                .collect();
            let first = c
                .items
                .iter()
                .find(|i| !matches!(i.kind, ItemKind::Ticker { .. }));
            let slide = match first {
                Some(item) => Slide::Item { item, page },
                None => Slide::Idle {
                    board_name: "Bảng tin",
                    now: now.naive_local(),
                },
            };
            (
                slide,
                (!tickers.is_empty()).then_some(FooterText::Tickers(tickers)),
            )
        }
        PayloadRef::Alert(alert) => (Slide::Alert { alert, page }, None),
        PayloadRef::Command(_) => {
            return Err(Error::Input(vec!["a command has nothing to show".into()]))
        }
    };
    let canvas = chrome::canvas(
        engine,
        &chrome::CanvasSpec {
            slide,
            size,
            header: true,
            board_name: PREVIEW_NAME,
            now: now.naive_local(),
            footer: footer.as_ref(),
        },
        &image_size,
    );
    let mut list = canvas.list;
    if let Some((footer, band)) = &canvas.footer {
        list.ops.extend(
            chrome::strip(footer, *band, 0.0)
                .ops
                .into_iter()
                .map(|op| chrome::translate(op, band.x, band.y)),
        );
    }
    let images = list
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Image { sha256, .. } => Some(sha256.clone()),
            _ => None,
        })
        .collect();
    Ok((list, images))
}

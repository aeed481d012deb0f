//! Layout: a slide + screen size -> a [`DisplayList`] of quads, images and text runs.
//!
//! Pure and GPU-free: tests compare DisplayLists as data. Text is set with the bundled fonts
//! ([`fonts`]) through [`TextEngine`], auto-fitted to the largest size that fits, down to a
//! legible minimum relative to screen height; what still does not fit is split into pages.
//! [`chrome`] puts the board's header and footer around a slide.
//!
//! What it must never do: touch a GPU (it must never depend on wgpu), read a file, use a system
//! font, or panic on any text: every string that passed validation lays out whole inside its box.

pub mod chrome;
pub mod fonts;
mod templates;
pub mod text;

use serde::Serialize;
pub use templates::{layout, Slide};
pub use text::TextEngine;

/// An sRGB colour with straight alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    pub const fn hex(rgb: u32) -> Rgba {
        Rgba([(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8, 255])
    }
}

/// A rectangle in pixels, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect {
            x,
            y,
            w: w.max(0.0),
            h: h.max(0.0),
        }
    }

    /// This rectangle shrunk by `d` on every side.
    pub fn inset(self, d: f32) -> Rect {
        Rect::new(self.x + d, self.y + d, self.w - 2.0 * d, self.h - 2.0 * d)
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    /// Be Vietnam Pro (Noto Sans fallback).
    Sans,
    /// GNU Unifont, for canvases too small for anti-aliased text.
    Pixel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Center,
}

/// A block of text, already fitted: the renderer draws it at `rect` with these metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextRun {
    pub rect: Rect,
    pub text: String,
    pub face: Face,
    pub weight: u16,
    pub size: f32,
    pub line_height: f32,
    pub color: Rgba,
    pub align: Align,
    /// The visual lines layout measured (for tests and diagnostics).
    pub lines: Vec<String>,
}

/// The image key of a video's poster frame (what previews draw where the clip will play): never a
/// stored asset's name, so a board, which has no posters, never looks for one.
pub fn poster_key(video_sha256: &str) -> String {
    format!("{video_sha256}.poster")
}

/// One drawing operation; later operations draw over earlier ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Quad {
        rect: Rect,
        color: Rgba,
    },
    /// An image by its sha256, drawn into `rect` (aspect already kept by layout).
    Image {
        rect: Rect,
        sha256: String,
    },
    Text(TextRun),
    /// Where a playing video's frames go (fitted inside, aspect kept, by the compositor).
    /// The renderer draws nothing for it: the ops before it are the still shown until the
    /// first frame (and in previews).
    Video {
        rect: Rect,
    },
}

/// Everything the renderer needs for one frame, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisplayList {
    pub width: u32,
    pub height: u32,
    pub background: Rgba,
    /// Which page of the slide this is (0-based) and how many it has.
    pub page: u32,
    pub pages: u32,
    pub ops: Vec<Op>,
}

impl DisplayList {
    pub fn texts(&self) -> impl Iterator<Item = &TextRun> {
        self.ops.iter().filter_map(|op| match op {
            Op::Text(t) => Some(t),
            _ => None,
        })
    }
}

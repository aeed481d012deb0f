//! Text shaping and auto-fit with cosmic-text, on the bundled fonts only.
//!
//! The engine keeps the shaped buffers it made for layout, so the renderer draws exactly the
//! lines that layout measured and never shapes the same run twice.

use super::{Align, Face, Rgba, TextRun};
use crate::fonts;
use cosmic_text::{Attrs, Buffer, Family, FontSystem, Metrics, Shaping, Weight, Wrap};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Owns the font system (bundled fonts only) and a cache of shaped buffers.
pub struct TextEngine {
    pub font_system: FontSystem,
    buffers: HashMap<u64, (u64, Buffer)>,
    generation: u64,
}

/// How a run is set, before a size is chosen.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub face: Face,
    pub weight: u16,
    pub color: Rgba,
    pub align: Align,
    /// Line height as a multiple of the font size.
    pub line_height: f32,
}

/// Everything that decides how a text is shaped: the cache key of a shaped buffer.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub text: &'a str,
    pub face: Face,
    pub weight: u16,
    pub size: f32,
    /// In pixels.
    pub line_height: f32,
    /// Wrapping width in pixels.
    pub width: f32,
    pub align: Align,
}

impl<'a> Run<'a> {
    /// The run a laid-out text was measured as.
    pub fn of(run: &'a TextRun) -> Run<'a> {
        Run {
            text: &run.text,
            face: run.face,
            weight: run.weight,
            size: run.size,
            line_height: run.line_height,
            width: run.rect.w,
            align: run.align,
        }
    }

    fn key(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.text.hash(&mut h);
        self.face.hash(&mut h);
        self.weight.hash(&mut h);
        self.size.to_bits().hash(&mut h);
        self.line_height.to_bits().hash(&mut h);
        self.width.to_bits().hash(&mut h);
        self.align.hash(&mut h);
        h.finish()
    }
}

/// The outcome of fitting text into a box.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub size: f32,
    pub line_height: f32,
    /// The text of each visual line, in order.
    pub lines: Vec<String>,
}

impl Fitted {
    pub fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height
    }
}

impl Default for TextEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl TextEngine {
    pub fn new() -> Self {
        let font_system = FontSystem::new_with_locale_and_db("vi-VN".into(), fonts::database());
        TextEngine {
            font_system,
            buffers: HashMap::new(),
            generation: 0,
        }
    }

    /// Shapes a run (or finds it already shaped) and returns its cache key and buffer.
    pub fn shape(&mut self, run: &Run<'_>) -> (u64, &Buffer) {
        let key = run.key();
        let generation = self.generation;
        let font_system = &mut self.font_system;
        let entry = self.buffers.entry(key).or_insert_with(|| {
            let mut buffer = Buffer::new(font_system, Metrics::new(run.size, run.line_height));
            buffer.set_wrap(Wrap::WordOrGlyph);
            buffer.set_size(Some(run.width.max(1.0)), None);
            let family = match run.face {
                Face::Sans => Family::Name(fonts::SANS),
                Face::Pixel => Family::Name(fonts::PIXEL),
            };
            let attrs = Attrs::new().family(family).weight(Weight(run.weight));
            let align = match run.align {
                Align::Left => cosmic_text::Align::Left,
                Align::Center => cosmic_text::Align::Center,
            };
            buffer.set_text(run.text, &attrs, Shaping::Advanced, Some(align));
            buffer.shape_until_scroll(font_system, false);
            (generation, buffer)
        });
        entry.0 = generation;
        (key, &entry.1)
    }

    /// Makes sure the buffer for a run that layout produced is shaped (again only if it was
    /// evicted) and returns its cache key.
    pub fn ensure(&mut self, run: &TextRun) -> u64 {
        self.shape(&Run::of(run)).0
    }

    /// The font system and a lookup of shaped buffers by key, borrowed together (the
    /// renderer needs both at once).
    pub fn split<'a>(
        &'a mut self,
    ) -> (&'a mut FontSystem, impl Fn(u64) -> Option<&'a Buffer> + 'a) {
        let buffers = &self.buffers;
        (&mut self.font_system, move |k| {
            buffers.get(&k).map(|(_, b)| b)
        })
    }

    /// Forgets every shaped buffer (the next layout shapes from scratch).
    pub fn clear(&mut self) {
        self.buffers.clear();
    }

    /// Starts a new frame of use; buffers unused for a few generations are dropped, so the
    /// cache holds what is on screen and what was just measured, not every slide ever shown.
    pub fn next_generation(&mut self) {
        self.generation += 1;
        let keep_after = self.generation.saturating_sub(3);
        self.buffers.retain(|_, (g, _)| *g >= keep_after);
    }

    /// The visual lines of `text` at a size, and the widest line.
    pub fn lines(
        &mut self,
        text: &str,
        style: &Style,
        size: f32,
        width: f32,
    ) -> (Vec<String>, f32) {
        let lh = (size * style.line_height).round();
        let (_, buffer) = self.shape(&Run {
            text,
            face: style.face,
            weight: style.weight,
            size,
            line_height: lh,
            width,
            align: style.align,
        });
        let mut lines = Vec::new();
        let mut widest: f32 = 0.0;
        for run in buffer.layout_runs() {
            widest = widest.max(run.line_w);
            let (Some(first), Some(last)) = (run.glyphs.first(), run.glyphs.last()) else {
                lines.push(String::new());
                continue;
            };
            let (start, end) = (first.start.min(last.start), first.end.max(last.end));
            lines.push(run.text.get(start..end).unwrap_or("").trim().to_owned());
        }
        (lines, widest)
    }

    /// The largest size in `sizes` (descending) at which `text` fits `width` x `height`;
    /// if none does, the last (smallest) size, with all its lines (the caller pages them).
    pub fn fit(
        &mut self,
        text: &str,
        style: &Style,
        sizes: &[f32],
        width: f32,
        height: f32,
    ) -> Fitted {
        let fits = |engine: &mut TextEngine, size: f32| {
            let (lines, widest) = engine.lines(text, style, size, width);
            let lh = (size * style.line_height).round();
            let ok = lines.len() as f32 * lh <= height + 0.5 && widest <= width + 0.5;
            (
                ok,
                Fitted {
                    size,
                    line_height: lh,
                    lines,
                },
            )
        };
        // Binary search over the descending candidate sizes: fitting is monotone in size.
        let (mut lo, mut hi) = (0usize, sizes.len());
        let mut best: Option<Fitted> = None;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (ok, fitted) = fits(self, sizes[mid]);
            if ok {
                best = Some(fitted);
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        match best {
            Some(f) => f,
            None => fits(self, *sizes.last().unwrap_or(&16.0)).1,
        }
    }
}

/// Candidate sizes from `max` down to `min` in whole pixels (at most ~24 steps).
pub fn size_steps(max: f32, min: f32) -> Vec<f32> {
    let max = max.max(min).round();
    let min = min.round();
    let step = ((max - min) / 24.0).ceil().max(1.0);
    let mut v = Vec::new();
    let mut s = max;
    while s > min {
        v.push(s);
        s -= step;
    }
    v.push(min);
    v
}

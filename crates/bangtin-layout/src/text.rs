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
    /// By key: the generation it was last used in, the run it was shaped from, the buffer.
    buffers: HashMap<u64, (u64, RunKey, Buffer)>,
    generation: u64,
}

/// A run as the cache compares it: two runs with the same hash but anything else different
/// never share a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunKey {
    text: String,
    face: Face,
    weight: u16,
    size: u32,
    line_height: u32,
    width: u32,
    align: Align,
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

    fn owned(&self) -> RunKey {
        RunKey {
            text: self.text.to_owned(),
            face: self.face,
            weight: self.weight,
            size: self.size.to_bits(),
            line_height: self.line_height.to_bits(),
            width: self.width.to_bits(),
            align: self.align,
        }
    }

    fn is(&self, key: &RunKey) -> bool {
        self.text == key.text
            && self.face == key.face
            && self.weight == key.weight
            && self.size.to_bits() == key.size
            && self.line_height.to_bits() == key.line_height
            && self.width.to_bits() == key.width
            && self.align == key.align
    }

    fn hash(&self) -> u64 {
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
        // The run's hash, or the next free or matching key after it: a collision of hashes
        // can never give one text's buffer to another.
        let mut key = run.hash();
        while self.buffers.get(&key).is_some_and(|(_, k, _)| !run.is(k)) {
            key = key.wrapping_add(1);
        }
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
            (generation, run.owned(), buffer)
        });
        entry.0 = generation;
        (key, &entry.2)
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
            buffers.get(&k).map(|(_, _, b)| b)
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
        self.buffers.retain(|_, (g, _, _)| *g >= keep_after);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Run<'_> {
        Run {
            text,
            face: Face::Sans,
            weight: 400,
            size: 20.0,
            line_height: 28.0,
            width: 300.0,
            align: Align::Left,
        }
    }

    #[test]
    fn a_hash_collision_never_gives_one_text_the_buffer_of_another() {
        let mut engine = TextEngine::new();
        let a = run("Họp dân thôn Đông");
        let b = run("Tiêm chủng mở rộng");
        let (key_a, _) = engine.shape(&a);
        // Plant b's buffer where a's hash points, as a collision would.
        let (key_b, _) = engine.shape(&b);
        let planted = engine.buffers.remove(&key_b).unwrap();
        engine.buffers.remove(&key_a);
        engine.buffers.insert(a.hash(), planted);
        let (key, buffer) = engine.shape(&a);
        assert_ne!(key, a.hash(), "a collision is probed past");
        let text: String = buffer.layout_runs().map(|r| r.text.to_owned()).collect();
        assert_eq!(text, "Họp dân thôn Đông");
        let (font_system, lookup) = engine.split();
        let _ = font_system;
        assert!(lookup(key).is_some());
    }
}

//! Letters and marks: the vowels, their shapes and tones, put together.

use super::*;

/// The five tones (thanh điệu) written as marks; the sixth, ngang, has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    Grave,
    Hook,
    Tilde,
    Acute,
    Dot,
}

impl Tone {
    pub(super) fn mark(self) -> char {
        match self {
            Tone::Grave => '\u{300}',
            Tone::Acute => '\u{301}',
            Tone::Tilde => '\u{303}',
            Tone::Hook => '\u{309}',
            Tone::Dot => '\u{323}',
        }
    }

    pub(super) fn from_mark(c: char) -> Option<Tone> {
        match c {
            '\u{300}' => Some(Tone::Grave),
            '\u{301}' => Some(Tone::Acute),
            '\u{303}' => Some(Tone::Tilde),
            '\u{309}' => Some(Tone::Hook),
            '\u{323}' => Some(Tone::Dot),
            _ => None,
        }
    }
}

/// The marks that make the letters ă â ê ô ơ ư.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Circumflex,
    Breve,
    Horn,
}

impl Shape {
    pub(super) fn mark(self) -> char {
        match self {
            Shape::Circumflex => '\u{302}',
            Shape::Breve => '\u{306}',
            Shape::Horn => '\u{31B}',
        }
    }

    pub(super) fn from_mark(c: char) -> Option<Shape> {
        match c {
            '\u{302}' => Some(Shape::Circumflex),
            '\u{306}' => Some(Shape::Breve),
            '\u{31B}' => Some(Shape::Horn),
            _ => None,
        }
    }

    /// Whether Vietnamese has this shape on `base` (â ê ô, ă, ơ ư).
    pub(super) fn fits(self, base: char) -> bool {
        let base = base.to_ascii_lowercase();
        match self {
            Shape::Circumflex => matches!(base, 'a' | 'e' | 'o'),
            Shape::Breve => base == 'a',
            Shape::Horn => matches!(base, 'o' | 'u'),
        }
    }
}

/// A Vietnamese vowel taken apart: its ASCII base letter (either case), shape and tone.
#[derive(Debug, Clone, Copy)]
pub(super) struct Vowel {
    pub(super) base: char,
    pub(super) shape: Option<Shape>,
    pub(super) tone: Option<Tone>,
}

impl Vowel {
    /// `c` taken apart, if it is a vowel Vietnamese writes (with at most one shape and one tone).
    pub(super) fn of(c: char) -> Option<Vowel> {
        let mut parts = std::iter::once(c).nfd();
        let base = parts.next()?;
        if !matches!(base.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            return None;
        }
        let mut vowel = Vowel {
            base,
            shape: None,
            tone: None,
        };
        for mark in parts {
            if let Some(tone) = Tone::from_mark(mark) {
                if vowel.tone.replace(tone).is_some() {
                    return None;
                }
            } else if let Some(shape) = Shape::from_mark(mark) {
                if !shape.fits(base) || vowel.shape.replace(shape).is_some() {
                    return None;
                }
            } else {
                return None;
            }
        }
        Some(vowel)
    }

    /// The precomposed letter. Every combination `of` accepts has one in Unicode.
    pub(super) fn to_char(self) -> char {
        let mut parts = String::with_capacity(8);
        parts.push(self.base);
        parts.extend(self.shape.map(Shape::mark));
        parts.extend(self.tone.map(Tone::mark));
        let mut composed = parts.nfc();
        match (composed.next(), composed.next()) {
            (Some(letter), None) => letter,
            _ => self.base,
        }
    }
}

/// Puts `shape` and `tone` on the last character of `out` if Vietnamese allows them there:
/// a vowel, with no tone yet, and a shape only on a bare vowel that can carry it.
pub(super) fn attach(out: &mut [char], shape: Option<Shape>, tone: Option<Tone>) -> bool {
    let Some(last) = out.last_mut() else {
        return false;
    };
    let Some(mut vowel) = Vowel::of(*last) else {
        return false;
    };
    if let Some(shape) = shape {
        if vowel.shape.is_some() || vowel.tone.is_some() || !shape.fits(vowel.base) {
            return false;
        }
        vowel.shape = Some(shape);
    }
    if let Some(tone) = tone {
        if vowel.tone.is_some() {
            return false;
        }
        vowel.tone = Some(tone);
    }
    *last = vowel.to_char();
    true
}

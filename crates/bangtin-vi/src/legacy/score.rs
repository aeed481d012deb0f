//! Scoring: how strongly a text reads as one legacy encoding.

use super::*;

/// The evidence one reading of a text collects, word by word.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    /// Words that are nonsense as they stand and Vietnamese syllables once decoded.
    pub(super) hits: u32,
    /// Hits with a mark no Unicode text puts there.
    pub(super) strong: u32,
    /// Words the reading turns into nonsense, or that speak for another language.
    pub(super) against: f32,
    /// Plain ASCII words (two letters or more, not an abbreviation) that are Vietnamese
    /// syllables ("cho", "hai"), and those that are not ("the", "und"). TCVN3 and VNI let them
    /// stand in for a strong hit: "Göi cho líp" is Vietnamese around its legacy words.
    pub(super) native: u32,
    pub(super) foreign: u32,
    pub(super) native_may_vouch: bool,
}

impl Tally {
    pub(super) fn is_clear(&self) -> bool {
        let vouched = self.native_may_vouch && self.native >= 1 && self.native >= 2 * self.foreign;
        (self.strong >= 1 || vouched) && self.hits >= 2 && self.hits as f32 >= 3.0 * self.against
    }

    /// Counts a word the reading leaves unchanged, if it is a plain ASCII word.
    pub(super) fn plain(&mut self, word: &str) {
        let plain = word.len() >= 2
            && word.chars().all(|c| c.is_ascii_alphabetic())
            && !word.chars().all(|c| c.is_ascii_uppercase());
        if plain {
            if is_syllable(word) {
                self.native += 1;
            } else {
                self.foreign += 1;
            }
        }
    }

    /// Scores one word that the reading changes.
    pub(super) fn word(
        &mut self,
        original_is_syllable: bool,
        decoded_is_syllable: bool,
        strong: bool,
    ) {
        match (original_is_syllable, decoded_is_syllable) {
            (false, true) => {
                self.hits += 1;
                self.strong += u32::from(strong);
            }
            // Valid both ways ("hoà"/"hồ"): says nothing.
            (true, true) => {}
            (_, false) => self.against += 1.0,
        }
    }
}

/// True when every letter and mark of `text` could be one byte of Windows-1252: the only text
/// that TCVN3 or VNI can have produced. Punctuation, symbols and emoji outside it are fine.
pub(super) fn letters_are_bytes(text: &str) -> bool {
    text.chars()
        .all(|c| !(c.is_alphabetic() || is_combining(c)) || byte_of(c).is_some())
}

pub(super) fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

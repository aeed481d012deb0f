//! Vietnamese typed in legacy 8-bit encodings (TCVN3/ABC, VNI-Windows) or in the ASCII
//! convention VIQR, recognised and converted to Unicode NFC.
//!
//! District and commune (xã) offices still keep announcements in Word documents typed with the
//! fonts of the 1990s: the .VnTime/.VnArial family, which holds TCVN 5712:1993 "VN3" bytes and is
//! called ABC after its keyboard driver (common in the north), and VNI-Times, which writes a base
//! letter followed by a separate mark byte (common in the south). Neither is Unicode. Pasted into
//! a modern editor the bytes arrive as the Windows-1252 characters of the same bytes, so an
//! officer who copies "Thông báo" out of an old document sends "Th«ng b¸o" or "Thoâng baùo", and
//! a board that shows it as it came shows gibberish to the whole commune. VIQR (RFC 1456) is the
//! ASCII spelling of e-mail and Usenet days ("Tho^ng ba'o"). This module tells such text apart
//! from real Unicode and rewrites it as the Vietnamese it was meant to be.
//!
//! What it must never do is touch good text: "â ê ô ù à á" are ordinary Unicode Vietnamese
//! letters and ordinary VNI mark bytes at the same time, and a false positive would corrupt a
//! correct announcement on every board of a province. So [`detect`] is conservative:
//!
//! - TCVN3 and VNI are only considered when every letter of the text is one byte of Windows-1252
//!   (or its Latin-1 C1 reading); a single "ư", "ơ", "đ", "ạ" or combining mark means Unicode.
//!   VIQR is only considered for text whose letters are all ASCII.
//! - The text is cut into words and every word that the encoding would change is read both ways.
//!   A word that is not a Vietnamese syllable as it stands but becomes one when decoded is a hit;
//!   a word that is a valid syllable as it stands but becomes nonsense, or becomes nonsense
//!   anyway, counts against. Words valid both ways ("hoà" is also VNI for "hồ") count neither way,
//!   so correct Unicode Vietnamese, every word of which is a syllable, can never score a hit.
//! - Plain ASCII words that are not Vietnamese syllables ("sure", "und") count against too: half
//!   a word for VIQR, so English with "I'm" or "a.m." stays English, a quarter for TCVN3 and VNI.
//! - An encoding is detected only with at least two hits, hits at least three times what counts
//!   against, and one hit at least that is "strong", a mark that no language's spelling puts
//!   there: for TCVN3 a mapped symbol inside a word ("Th«ng", "b¸o") or a case no word has
//!   ("ViÖt"); for VNI a mark after a vowel in a word of three letters or more, except the
//!   spellings French, Italian and Spanish also have ("thaï", "più", "aún"); for VIQR one of
//!   "^ ( + ` ~", a "." or "?" inside a word ("ho.c"), or "dd". For TCVN3 and VNI, plain ASCII
//!   words that are Vietnamese syllables ("cho", "em") may stand in for the strong hit when
//!   they outnumber the foreign ones two to one. When two encodings pass, more strong hits win;
//!   a tie is refused.
//! - VIQR never reads code or addresses (URLs, e-mail, "Sinh_dda", "Keysym::A"), runs touching a
//!   digit ("U+1100", "lo^2"), or any text with an opening backtick ("`ls`").
//!
//! Conversion follows the published byte tables (cited at each table below) and keeps tone
//! placement as typed ("Uû" is TCVN3 for "Uỷ", and stays "Uỷ", not "Ủy").
//!
//! Known limits:
//!
//! - A single legacy word ("Th«ng") is never detected; [`convert`] still converts it. Neither is
//!   a short text with one telling word ("Göi cho líp": "líp" is a Unicode word too), nor a
//!   legacy fragment made mostly of English ("Th«ng b¸o: Covid-19 vaccine Pfizer, Moderna").
//! - Text that mixes legacy words with Unicode Vietnamese is left alone by [`detect`].
//! - VN3 has no toned capitals: they are typed in the upper-case companion fonts (.VnTimeH),
//!   which draw the lower-case codes as capitals. A word whose ASCII letters are all capitals
//!   (at least two, "B·O") is taken as upper case, and a word with one or no ASCII letter ("Sè")
//!   follows its nearest decided neighbour on the same line. A .VnTimeH word typed with
//!   lower-case ASCII ("th«ng", shown as "THÔNG") or a .VnTimeH capital inside a mixed-case word
//!   ("Êp" for "Ấp") comes out in lower case. Bytes that only VN1/VN2 assign are left as they are.
//! - Some clipboards drop the soft hyphen U+00AD, which is TCVN3 for "ư"; a word that lost it
//!   cannot be recovered.
//! - RFC 1456 reads a mnemonic as a mark whenever it can combine, so an unescaped full stop or
//!   question mark after a vowel becomes a dot below or a hook ("Hai." gives "Haị"); writers were
//!   asked to escape it (`Hai\.`). Detection ignores such trailing marks; conversion follows the
//!   RFC, on the same words detection reads (code, addresses and numbers are left as they are).
//! - Run it on the raw text, before [`super::text::clean`], which drops the C1 controls that a
//!   Latin-1 reading of the clipboard produces.
//!
//! Everything here is a pure function of its input: no I/O, no state, and no panic on any input.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// A legacy way of writing Vietnamese that still reaches boards through copy and paste.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// TCVN 5712:1993 VN3, the "ABC" encoding of the .VnTime fonts: one byte per letter.
    Tcvn3,
    /// VNI-Windows (VNI-Times fonts): a base letter followed by a mark byte.
    Vni,
    /// VIQR, RFC 1456: ASCII letters followed by mnemonic punctuation ("Vie^.t").
    Viqr,
}

impl Encoding {
    /// Every encoding this module knows, in the order [`detect`] tries them.
    pub const ALL: [Encoding; 3] = [Encoding::Tcvn3, Encoding::Vni, Encoding::Viqr];

    /// The name people know the encoding by, for logs and problem reports.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Tcvn3 => "TCVN3 (ABC)",
            Encoding::Vni => "VNI-Windows",
            Encoding::Viqr => "VIQR",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which legacy encoding `text` is in, if it clearly is one; None for Unicode Vietnamese,
/// English, numbers, URLs, etc. Conservative: a false positive corrupts good text.
pub fn detect(text: &str) -> Option<Encoding> {
    let mut best: Option<(Encoding, Tally)> = None;
    let mut tied = false;
    for encoding in Encoding::ALL {
        let tally = match encoding {
            Encoding::Tcvn3 => tcvn3_tally(text),
            Encoding::Vni => vni_tally(text),
            Encoding::Viqr => viqr_tally(text),
        };
        let Some(tally) = tally.filter(Tally::is_clear) else {
            continue;
        };
        // Strong hits first: a VNI text is often valid TCVN3 word by word too ("tö" is "tư" in
        // VNI, "tử" in TCVN3), but only VNI puts marks where no language does.
        let rank = |t: &Tally| (t.strong, t.hits);
        match &best {
            Some((_, kept)) if rank(kept) > rank(&tally) => {}
            // Two encodings that explain the text equally well: refuse to guess.
            Some((_, kept)) if rank(kept) == rank(&tally) => tied = true,
            _ => {
                best = Some((encoding, tally));
                tied = false;
            }
        }
    }
    if tied {
        None
    } else {
        best.map(|(encoding, _)| encoding)
    }
}

/// `text` read as `encoding`, converted to Unicode NFC.
///
/// Characters the encoding does not assign are kept; for TCVN3 and VNI, C1 controls of a
/// Latin-1 reading (U+0080..=U+009F) become the Windows-1252 characters of those bytes (“ ” – …).
pub fn convert(text: &str, encoding: Encoding) -> String {
    let converted = match encoding {
        Encoding::Tcvn3 => tcvn3_convert(text),
        Encoding::Vni => vni_convert(text),
        Encoding::Viqr => viqr_convert(text),
    };
    converted.nfc().collect()
}

/// detect + convert: Some((encoding, repaired)) only if detected AND the result differs.
pub fn repair(text: &str) -> Option<(Encoding, String)> {
    let encoding = detect(text)?;
    let repaired = convert(text, encoding);
    (repaired != text).then_some((encoding, repaired))
}

// ------------------------------------------------------------------------------------------
// Scoring

/// The evidence one reading of a text collects, word by word.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Words that are nonsense as they stand and Vietnamese syllables once decoded.
    hits: u32,
    /// Hits with a mark no Unicode text puts there.
    strong: u32,
    /// Words the reading turns into nonsense, or that speak for another language.
    against: f32,
    /// Plain ASCII words (two letters or more, not an abbreviation) that are Vietnamese
    /// syllables ("cho", "hai"), and those that are not ("the", "und"). TCVN3 and VNI let them
    /// stand in for a strong hit: "Göi cho líp" is Vietnamese around its legacy words.
    native: u32,
    foreign: u32,
    native_may_vouch: bool,
}

impl Tally {
    fn is_clear(&self) -> bool {
        let vouched = self.native_may_vouch && self.native >= 1 && self.native >= 2 * self.foreign;
        (self.strong >= 1 || vouched) && self.hits >= 2 && self.hits as f32 >= 3.0 * self.against
    }

    /// Counts a word the reading leaves unchanged, if it is a plain ASCII word.
    fn plain(&mut self, word: &str) {
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
    fn word(&mut self, original_is_syllable: bool, decoded_is_syllable: bool, strong: bool) {
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
fn letters_are_bytes(text: &str) -> bool {
    text.chars()
        .all(|c| !(c.is_alphabetic() || is_combining(c)) || byte_of(c).is_some())
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

// ------------------------------------------------------------------------------------------
// Bytes as a clipboard delivers them

/// Windows-1252 0x80..=0x9F (Microsoft's published cp1252 table, also WHATWG's "windows-1252"
/// index). The five bytes cp1252 leaves undefined keep their C1 control, as WHATWG does.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The byte a clipboard turned into `c`: Windows-1252, or Latin-1 for U+0080..=U+00FF (which
/// accepts the C1 reading of 0x80..=0x9F too). None for characters no single byte gives.
fn byte_of(c: char) -> Option<u8> {
    match u8::try_from(u32::from(c)) {
        Ok(byte) => Some(byte),
        Err(_) => CP1252_HIGH
            .iter()
            .position(|&high| high == c)
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// The Windows-1252 character of `byte`.
fn cp1252_char(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// A character outside any word, as the legacy font showed it: the C1 reading of a smart quote
/// or a dash becomes the quote or dash again.
fn as_shown(c: char) -> char {
    byte_of(c).map_or(c, cp1252_char)
}

// ------------------------------------------------------------------------------------------
// Letters and marks

/// The five tones (thanh điệu) written as marks; the sixth, ngang, has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Grave,
    Hook,
    Tilde,
    Acute,
    Dot,
}

impl Tone {
    fn mark(self) -> char {
        match self {
            Tone::Grave => '\u{300}',
            Tone::Acute => '\u{301}',
            Tone::Tilde => '\u{303}',
            Tone::Hook => '\u{309}',
            Tone::Dot => '\u{323}',
        }
    }

    fn from_mark(c: char) -> Option<Tone> {
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
enum Shape {
    Circumflex,
    Breve,
    Horn,
}

impl Shape {
    fn mark(self) -> char {
        match self {
            Shape::Circumflex => '\u{302}',
            Shape::Breve => '\u{306}',
            Shape::Horn => '\u{31B}',
        }
    }

    fn from_mark(c: char) -> Option<Shape> {
        match c {
            '\u{302}' => Some(Shape::Circumflex),
            '\u{306}' => Some(Shape::Breve),
            '\u{31B}' => Some(Shape::Horn),
            _ => None,
        }
    }

    /// Whether Vietnamese has this shape on `base` (â ê ô, ă, ơ ư).
    fn fits(self, base: char) -> bool {
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
struct Vowel {
    base: char,
    shape: Option<Shape>,
    tone: Option<Tone>,
}

impl Vowel {
    /// `c` taken apart, if it is a vowel Vietnamese writes (with at most one shape and one tone).
    fn of(c: char) -> Option<Vowel> {
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
    fn to_char(self) -> char {
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
fn attach(out: &mut [char], shape: Option<Shape>, tone: Option<Tone>) -> bool {
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

// ------------------------------------------------------------------------------------------
// Syllables

/// Initial consonants (every one is tried, so "nghiêng" parses as "ngh" + "iêng").
const INITIALS: [&str; 28] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];

/// Rhymes (vần) without tone: a vowel group and the finals it takes. Generous on purpose: a
/// rhyme missing here would make a real Unicode word look like nonsense, which is the one
/// mistake that can corrupt good text.
#[rustfmt::skip]
const RHYMES: &[(&str, &[&str])] = &[
    ("a", &["", "c", "ch", "i", "m", "n", "ng", "nh", "o", "p", "t", "u", "y"]),
    ("ă", &["c", "m", "n", "ng", "p", "t"]),
    ("â", &["c", "m", "n", "ng", "p", "t", "u", "y"]),
    ("e", &["", "c", "m", "n", "ng", "o", "p", "t"]),
    ("ê", &["", "ch", "m", "n", "nh", "p", "t", "u"]),
    ("ia", &[""]),
    ("iê", &["c", "m", "n", "ng", "p", "t", "u"]),
    ("i", &["", "ch", "m", "n", "nh", "p", "t", "u"]),
    ("yê", &["m", "n", "ng", "t", "u"]),
    ("y", &["", "ch", "n", "nh", "p", "t", "u"]),
    ("oa", &["", "c", "ch", "i", "m", "n", "ng", "nh", "o", "p", "t", "y"]),
    ("oă", &["c", "m", "n", "ng", "t"]),
    ("oe", &["", "n", "o", "t"]),
    ("oo", &["c", "ng"]),
    ("o", &["", "c", "i", "m", "n", "ng", "p", "t"]),
    ("ô", &["", "c", "i", "m", "n", "ng", "p", "t"]),
    ("ơ", &["", "i", "m", "n", "p", "t"]),
    ("uyê", &["n", "t"]),
    ("uya", &[""]),
    ("uy", &["", "ch", "n", "nh", "p", "t", "u"]),
    ("uâ", &["n", "ng", "t", "y"]),
    ("uă", &["c", "n", "ng", "t"]),
    ("uê", &["", "ch", "n", "nh"]),
    ("uô", &["c", "i", "m", "n", "ng", "t"]),
    ("uơ", &[""]),
    ("ua", &[""]),
    ("u", &["", "c", "i", "m", "n", "ng", "p", "t"]),
    ("ươ", &["c", "i", "m", "n", "ng", "p", "t", "u"]),
    ("ưa", &[""]),
    ("ư", &["", "c", "i", "m", "n", "ng", "t", "u"]),
];

/// Whether `word` is one Vietnamese syllable as written: an initial, a rhyme, at most one tone
/// on a vowel of the rhyme (never on a final: "leó" is no word), a sắc or nặng tone before a
/// stop final (c ch p t), and lower case, upper case or a capital first letter. Accepts NFC and
/// NFD, old and new tone placement ("hoà", "hòa"), both "y"/"i" spellings, and Icelandic "Ð"
/// typed for "Đ". It is a spelling check, not a dictionary: it accepts every syllable of the
/// Debian hunspell-vi word list except loanwords and abbreviations ("gram", "tivi", "UBND").
pub fn is_syllable(word: &str) -> bool {
    let mut plain = String::with_capacity(word.len());
    let mut upper = Vec::with_capacity(8);
    let mut tone: Option<(Tone, usize)> = None;
    for (index, c) in word.nfc().enumerate() {
        if index >= 8 {
            return false;
        }
        if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
            plain.push('đ');
            upper.push(matches!(c, 'Đ' | 'Ð'));
        } else if let Some(vowel) = Vowel::of(c) {
            if let Some(t) = vowel.tone {
                if tone.replace((t, index)).is_some() {
                    return false;
                }
            }
            let bare = Vowel {
                base: vowel.base.to_ascii_lowercase(),
                tone: None,
                ..vowel
            };
            plain.push(bare.to_char());
            upper.push(vowel.base.is_ascii_uppercase());
        } else if c.is_ascii_alphabetic() {
            plain.push(c.to_ascii_lowercase());
            upper.push(c.is_ascii_uppercase());
        } else {
            return false;
        }
    }
    let case_ok = match upper.split_first() {
        None => return false,
        Some((_, rest)) if rest.iter().all(|&u| !u) => true,
        Some(_) => upper.iter().all(|&u| u),
    };
    case_ok
        && INITIALS.iter().any(|initial| {
            let Some(rhyme) = plain.strip_prefix(initial) else {
                return false;
            };
            // "qu" already holds the glide: no "quu", no "quo" (but "quốc", "quở", and the
            // rare "quoàng", "quoắt").
            let glide_repeated = (*initial == "qu"
                && (rhyme.starts_with('u')
                    || (rhyme.starts_with('o')
                        && !rhyme.starts_with("oa")
                        && !rhyme.starts_with("oă"))))
                || (*initial == "gi" && rhyme.starts_with('i'));
            let skip = initial.chars().count();
            let tone_in_rhyme = match tone {
                None => Some(None),
                Some((t, at)) => at.checked_sub(skip).map(|at| Some((t, at))),
            };
            !glide_repeated && tone_in_rhyme.is_some_and(|tone| rhyme_ok(rhyme, tone))
        })
}

/// Whether `rhyme` is a vowel group and one of its finals, with the tone (if any, at that char
/// index of the rhyme) on the vowel group: never on a final, so "leó" and "aí" are not words.
fn rhyme_ok(rhyme: &str, tone: Option<(Tone, usize)>) -> bool {
    RHYMES.iter().any(|(vowels, finals)| {
        rhyme.strip_prefix(vowels).is_some_and(|fin| {
            let stop = matches!(fin, "c" | "ch" | "p" | "t");
            finals.contains(&fin)
                && tone.is_none_or(|(_, at)| at < vowels.chars().count())
                && (!stop || matches!(tone, Some((Tone::Acute | Tone::Dot, _))))
        })
    })
}

// ------------------------------------------------------------------------------------------
// Words

/// A run of `text` that is a word for the encoding at hand, or the run between two words.
#[derive(Debug, Clone, Copy)]
struct Piece<'a> {
    text: &'a str,
    word: bool,
    line: usize,
}

/// Cuts `text` into alternating word and non-word pieces.
fn pieces(text: &str, is_word: impl Fn(char) -> bool) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    let mut line = 0;
    let mut start_line = 0;
    for (at, c) in text.char_indices() {
        let word = is_word(c);
        if current.is_some_and(|w| w != word) {
            out.push(Piece {
                text: &text[start..at],
                word: !word,
                line: start_line,
            });
            start = at;
            start_line = line;
        }
        current = Some(word);
        if c == '\n' {
            line += 1;
        }
    }
    if let Some(word) = current {
        out.push(Piece {
            text: &text[start..],
            word,
            line: start_line,
        });
    }
    out
}

// ------------------------------------------------------------------------------------------
// TCVN3 (ABC)

/// TCVN 5712:1993 part 3 (VN3, "TCVN3", the .VnTime/ABC fonts): the 74 letters it assigns, as
/// published in the standard's code table (also reproduced in the Wikipedia article "VSCII").
/// ASCII and the C0/C1 ranges are unchanged; 0xA0 is the no-break space. VN3 has only seven
/// capitals; toned capitals come from the .VnTimeH fonts, which reuse the small-letter codes.
#[rustfmt::skip]
const TCVN3_ROWS: [(u8, char); 74] = [
    // Capitals without tone.
    (0xA1, 'Ă'), (0xA2, 'Â'), (0xA3, 'Ê'), (0xA4, 'Ô'), (0xA5, 'Ơ'), (0xA6, 'Ư'), (0xA7, 'Đ'),
    // Small letters without tone.
    (0xA8, 'ă'), (0xA9, 'â'), (0xAA, 'ê'), (0xAB, 'ô'), (0xAC, 'ơ'), (0xAD, 'ư'), (0xAE, 'đ'),
    // Small letters with tone, each vowel in the order huyền, hỏi, ngã, sắc, nặng.
    (0xB5, 'à'), (0xB6, 'ả'), (0xB7, 'ã'), (0xB8, 'á'), (0xB9, 'ạ'),
    (0xBB, 'ằ'), (0xBC, 'ẳ'), (0xBD, 'ẵ'), (0xBE, 'ắ'), (0xC6, 'ặ'),
    (0xC7, 'ầ'), (0xC8, 'ẩ'), (0xC9, 'ẫ'), (0xCA, 'ấ'), (0xCB, 'ậ'),
    (0xCC, 'è'), (0xCE, 'ẻ'), (0xCF, 'ẽ'), (0xD0, 'é'), (0xD1, 'ẹ'),
    (0xD2, 'ề'), (0xD3, 'ể'), (0xD4, 'ễ'), (0xD5, 'ế'), (0xD6, 'ệ'),
    (0xD7, 'ì'), (0xD8, 'ỉ'), (0xDC, 'ĩ'), (0xDD, 'í'), (0xDE, 'ị'),
    (0xDF, 'ò'), (0xE1, 'ỏ'), (0xE2, 'õ'), (0xE3, 'ó'), (0xE4, 'ọ'),
    (0xE5, 'ồ'), (0xE6, 'ổ'), (0xE7, 'ỗ'), (0xE8, 'ố'), (0xE9, 'ộ'),
    (0xEA, 'ờ'), (0xEB, 'ở'), (0xEC, 'ỡ'), (0xED, 'ớ'), (0xEE, 'ợ'),
    (0xEF, 'ù'), (0xF1, 'ủ'), (0xF2, 'ũ'), (0xF3, 'ú'), (0xF4, 'ụ'),
    (0xF5, 'ừ'), (0xF6, 'ử'), (0xF7, 'ữ'), (0xF8, 'ứ'), (0xF9, 'ự'),
    (0xFA, 'ỳ'), (0xFB, 'ỷ'), (0xFC, 'ỹ'), (0xFD, 'ý'), (0xFE, 'ỵ'),
];

/// [`TCVN3_ROWS`] indexed by byte; '\0' where VN3 assigns nothing beyond ASCII.
const TCVN3: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut i = 0;
    while i < TCVN3_ROWS.len() {
        table[TCVN3_ROWS[i].0 as usize] = TCVN3_ROWS[i].1;
        i += 1;
    }
    table
};

fn tcvn3_letter(c: char) -> Option<char> {
    let letter = TCVN3[usize::from(byte_of(c)?)];
    (letter != '\0').then_some(letter)
}

fn tcvn3_word_char(c: char) -> bool {
    c.is_alphabetic() || tcvn3_letter(c).is_some()
}

/// Whether a TCVN3 word was typed in a .VnTimeH (all capitals) font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Upper,
    Unknown,
}

/// A lower-case ASCII letter means an ordinary font; two or more capitals (ASCII or the seven
/// VN3 capitals) and no lower case mean .VnTimeH; anything else cannot tell.
fn tcvn3_case(word: &str) -> Case {
    let mut capitals = 0;
    for c in word.chars() {
        if c.is_ascii_lowercase() {
            return Case::Lower;
        }
        if c.is_ascii_uppercase() || matches!(byte_of(c), Some(0xA1..=0xA7)) {
            capitals += 1;
        }
    }
    if capitals >= 2 {
        Case::Upper
    } else {
        Case::Unknown
    }
}

/// How far to look for a neighbour that decides the case of an undecided word.
const CASE_REACH: usize = 8;

/// Decodes every word piece, each in the case its font implies; non-word pieces come back as
/// they are.
fn tcvn3_decode(pieces: &[Piece<'_>]) -> Vec<String> {
    let words: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].word).collect();
    let cases: Vec<Case> = words.iter().map(|&i| tcvn3_case(pieces[i].text)).collect();
    let mut out: Vec<String> = pieces.iter().map(|p| p.text.to_owned()).collect();
    for (k, &i) in words.iter().enumerate() {
        let line = pieces[i].line;
        let decided = |j: usize| pieces[words[j]].line == line && cases[j] != Case::Unknown;
        let case = if cases[k] != Case::Unknown {
            cases[k]
        } else {
            let before = (1..=CASE_REACH.min(k)).find(|&d| decided(k - d));
            let after = (1..=CASE_REACH).find(|&d| k + d < words.len() && decided(k + d));
            match (before, after) {
                (Some(b), Some(a)) if a < b => cases[k + a],
                (Some(b), _) => cases[k - b],
                (None, Some(a)) => cases[k + a],
                (None, None) => Case::Lower,
            }
        };
        out[i] = pieces[i]
            .text
            .chars()
            .map(|c| match tcvn3_letter(c) {
                Some(letter) if case == Case::Upper => {
                    letter.to_uppercase().next().unwrap_or(letter)
                }
                Some(letter) => letter,
                None => c,
            })
            .collect();
    }
    out
}

fn tcvn3_convert(text: &str) -> String {
    let pieces = pieces(text, tcvn3_word_char);
    let decoded = tcvn3_decode(&pieces);
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (piece, word) in pieces.iter().zip(decoded) {
        if piece.word {
            out.push_str(&word);
        } else {
            out.extend(piece.text.chars().map(as_shown));
        }
    }
    out
}

/// A TCVN3 hit is strong when a mapped symbol follows another character of the word ("Th«ng",
/// "b¸o", "hµnh", "n\u{AD}íc"; a leading "µ" is more likely a unit, "µm"), or when a mapped
/// letter leaves the word in a case no language writes ("ViÖt", "MÊt").
fn tcvn3_strong(word: &str) -> bool {
    let is_latin1_letter = |c: char| matches!(c, '\u{C0}'..='\u{FF}') && c != '×' && c != '÷';
    let symbol_inside = word
        .chars()
        .skip(1)
        .any(|c| tcvn3_letter(c).is_some() && !is_latin1_letter(c));
    symbol_inside || (word.chars().any(|c| tcvn3_letter(c).is_some()) && !regular_case(word))
}

/// Lower case, upper case, or one capital first: the three shapes words take.
fn regular_case(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return true;
    };
    let rest: Vec<char> = letters.collect();
    rest.iter().all(|c| !c.is_uppercase())
        || (first.is_uppercase() && rest.iter().all(|c| !c.is_lowercase()))
}

fn tcvn3_tally(text: &str) -> Option<Tally> {
    if !letters_are_bytes(text) || !text.chars().any(|c| tcvn3_letter(c).is_some()) {
        return None;
    }
    let pieces = pieces(text, tcvn3_word_char);
    let decoded = tcvn3_decode(&pieces);
    let mut tally = Tally {
        native_may_vouch: true,
        ..Tally::default()
    };
    for (piece, word) in pieces.iter().zip(decoded) {
        // A lone "×", "µ" or "©" is a symbol far more often than a one-letter TCVN3 word.
        let lone = piece.text.chars().nth(1).is_none();
        if piece.word && word == piece.text {
            tally.plain(piece.text);
        } else if piece.word && !lone {
            tally.word(
                is_syllable(piece.text),
                is_syllable(&word),
                tcvn3_strong(piece.text),
            );
        }
    }
    // Foreign words weigh a little: "Loïc et Caïn sont thaï" is French, not VNI.
    tally.against += 0.25 * tally.foreign as f32;
    Some(tally)
}

// ------------------------------------------------------------------------------------------
// VNI-Windows

/// What a VNI-Windows byte does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VniByte {
    /// ASCII, or a byte VNI leaves to Windows-1252.
    Other,
    /// A letter of its own.
    Letter(char),
    /// A mark drawn over (or under) the letter before it.
    Mark(Option<Shape>, Option<Tone>),
}

/// VNI-Windows mark bytes, from VNI Software's published VNI-Windows font table (the mark
/// columns, as used by the VNI-Times fonts). Small-letter forms are listed; the capital form of
/// each mark is 0x20 lower (ù 0xF9 / Ù 0xD9), as in Latin-1.
const VNI_MARKS: [(u8, Option<Shape>, Option<Tone>); 17] = [
    (0xF9, None, Some(Tone::Acute)),                    // ù
    (0xF8, None, Some(Tone::Grave)),                    // ø
    (0xFB, None, Some(Tone::Hook)),                     // û
    (0xF5, None, Some(Tone::Tilde)),                    // õ
    (0xEF, None, Some(Tone::Dot)),                      // ï
    (0xE2, Some(Shape::Circumflex), None),              // â
    (0xE1, Some(Shape::Circumflex), Some(Tone::Acute)), // á
    (0xE0, Some(Shape::Circumflex), Some(Tone::Grave)), // à
    (0xE5, Some(Shape::Circumflex), Some(Tone::Hook)),  // å
    (0xE3, Some(Shape::Circumflex), Some(Tone::Tilde)), // ã
    (0xE4, Some(Shape::Circumflex), Some(Tone::Dot)),   // ä
    (0xEA, Some(Shape::Breve), None),                   // ê
    (0xE9, Some(Shape::Breve), Some(Tone::Acute)),      // é
    (0xE8, Some(Shape::Breve), Some(Tone::Grave)),      // è
    (0xFA, Some(Shape::Breve), Some(Tone::Hook)),       // ú
    (0xFC, Some(Shape::Breve), Some(Tone::Tilde)),      // ü
    (0xEB, Some(Shape::Breve), Some(Tone::Dot)),        // ë
];

/// VNI-Windows bytes that are whole letters (same published table): ơ ư đ, and the toned i and
/// ỵ, which the fonts draw as single glyphs. Small byte, small letter, capital letter (its
/// byte 0x20 lower).
const VNI_LETTERS: [(u8, char, char); 9] = [
    (0xF4, 'ơ', 'Ơ'), // ô
    (0xF6, 'ư', 'Ư'), // ö
    (0xF1, 'đ', 'Đ'), // ñ
    (0xEC, 'ì', 'Ì'), // ì
    (0xED, 'í', 'Í'), // í
    (0xE6, 'ỉ', 'Ỉ'), // æ
    (0xF3, 'ĩ', 'Ĩ'), // ó
    (0xF2, 'ị', 'Ị'), // ò
    (0xEE, 'ỵ', 'Ỵ'), // î
];

/// [`VNI_MARKS`] and [`VNI_LETTERS`] indexed by byte, capitals included.
const VNI: [VniByte; 256] = {
    let mut table = [VniByte::Other; 256];
    let mut i = 0;
    while i < VNI_MARKS.len() {
        let (byte, shape, tone) = VNI_MARKS[i];
        table[byte as usize] = VniByte::Mark(shape, tone);
        table[(byte - 0x20) as usize] = VniByte::Mark(shape, tone);
        i += 1;
    }
    let mut i = 0;
    while i < VNI_LETTERS.len() {
        let (byte, small, capital) = VNI_LETTERS[i];
        table[byte as usize] = VniByte::Letter(small);
        table[(byte - 0x20) as usize] = VniByte::Letter(capital);
        i += 1;
    }
    table
};

fn vni_byte(c: char) -> VniByte {
    byte_of(c).map_or(VniByte::Other, |byte| VNI[usize::from(byte)])
}

/// One VNI word decoded. A mark that has no vowel to sit on stays as the character it came as,
/// and makes the word `broken`.
struct VniWord {
    text: String,
    /// Marks read where European spelling does not put the same letter: see [`vni_strong`].
    strong_marks: usize,
    broken: bool,
}

fn vni_word(word: &str) -> VniWord {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut strong_marks = 0;
    let mut broken = false;
    for (at, &c) in chars.iter().enumerate() {
        match vni_byte(c) {
            VniByte::Letter(letter) => out.push(letter),
            VniByte::Mark(shape, tone) if attach(&mut out, shape, tone) => {
                let before = at.checked_sub(1).and_then(|b| chars.get(b)).copied();
                strong_marks += usize::from(vni_strong(c, before, at + 1 == chars.len()));
            }
            VniByte::Mark(..) => {
                broken = true;
                out.push(c);
            }
            VniByte::Other => out.push(c),
        }
    }
    VniWord {
        text: out.into_iter().collect(),
        strong_marks,
        broken,
    }
}

/// Whether VNI mark `c`, read after `before`, is a sign of VNI. Most are: no language writes
/// "aù" inside a word or "oâ" at all. Three are how French, Italian and Spanish spell: "ù" at
/// the end of a word ("più", "où"), "ï" after a plain vowel ("thaï", "Loïc") and "ú" after "a"
/// ("aún"). Those count only where no such spelling exists: "ù" inside a word ("baùo"), "ï"
/// after VNI's own ơ/ư ("töï").
fn vni_strong(c: char, before: Option<char>, last: bool) -> bool {
    match c {
        'ù' | 'Ù' => !last,
        'ï' | 'Ï' => matches!(before, Some('ô' | 'ö' | 'Ô' | 'Ö')),
        'ú' | 'Ú' => false,
        _ => true,
    }
}

fn vni_convert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text, char::is_alphabetic) {
        if piece.word {
            out.push_str(&vni_word(piece.text).text);
        } else {
            out.extend(piece.text.chars().map(as_shown));
        }
    }
    out
}

fn vni_tally(text: &str) -> Option<Tally> {
    if !letters_are_bytes(text) || !text.chars().any(|c| vni_byte(c) != VniByte::Other) {
        return None;
    }
    let mut tally = Tally {
        native_may_vouch: true,
        ..Tally::default()
    };
    for piece in pieces(text, char::is_alphabetic) {
        if !piece.word {
            continue;
        }
        let word = vni_word(piece.text);
        if word.text == piece.text && !word.broken {
            tally.plain(piece.text);
        } else if piece.text.chars().nth(1).is_some() {
            // A telling mark in a word of three letters or more ("baùo", "Uûy"); two-letter
            // words like French "dû" are too short to say.
            let strong = word.strong_marks > 0 && piece.text.chars().count() >= 3;
            tally.word(
                is_syllable(piece.text),
                !word.broken && is_syllable(&word.text),
                strong,
            );
        }
    }
    // Foreign words weigh a little: "Loïc et Caïn sont thaï" is French, not VNI.
    tally.against += 0.25 * tally.foreign as f32;
    Some(tally)
}

// ------------------------------------------------------------------------------------------
// VIQR

/// VIQR shape mnemonics, RFC 1456 section "VIQR": "(" breve, "^" circumflex, "+" horn.
fn viqr_shape(c: char) -> Option<Shape> {
    match c {
        '(' => Some(Shape::Breve),
        '^' => Some(Shape::Circumflex),
        '+' => Some(Shape::Horn),
        _ => None,
    }
}

/// VIQR tone mnemonics, RFC 1456: "'" sắc, "`" huyền, "?" hỏi, "~" ngã, "." nặng.
fn viqr_tone(c: char) -> Option<Tone> {
    match c {
        '\'' => Some(Tone::Acute),
        '`' => Some(Tone::Grave),
        '?' => Some(Tone::Hook),
        '~' => Some(Tone::Tilde),
        '.' => Some(Tone::Dot),
        _ => None,
    }
}

fn is_mnemonic(c: char) -> bool {
    viqr_shape(c).is_some() || viqr_tone(c).is_some()
}

/// A whitespace-separated chunk that VIQR must leave alone: addresses ("a?b=c" in a URL is not
/// "ảb") and code ("Sinh_dda", "Keysym::A", "x=a^b").
fn looks_like_code(chunk: &str) -> bool {
    const MARKERS: [&str; 11] = ["://", "@", "_", "::", "=", "<", ">", "{", "}", "|", "#"];
    MARKERS.iter().any(|marker| chunk.contains(marker))
        || chunk.to_ascii_lowercase().starts_with("www.")
}

/// One VIQR word decoded, with what its mnemonics say about the text.
#[derive(Debug, Default)]
struct ViqrWord {
    text: String,
    /// Mnemonics read as marks, "dd" included; escapes do not count.
    applied: usize,
    /// See [`Tally::strong`]: "^ ( + ` ~" in a word of two letters or more, "." or "?" between a
    /// consonant-led vowel and a further letter ("ho.c"), or "dd".
    strong: bool,
    /// Every mark read was a "." "?" or "'" at the end of the word, where it may be punctuation.
    trailing_only: bool,
    /// A "~ ^ ( + `" right after a letter or mark that could not be read as a mark ("hi~~~",
    /// "C++"): ASCII art or code, not VIQR.
    broken: bool,
}

/// Decodes one word: a run that starts with an ASCII letter and goes on over letters,
/// mnemonics and backslashes. RFC 1456: a mnemonic is a mark if it can combine with the letter
/// before it, "dd"/"DD" is đ/Đ, and a backslash makes the next mnemonic literal.
fn viqr_word(word: &str) -> ViqrWord {
    let chars: Vec<char> = word.chars().collect();
    let letters = chars.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut result = ViqrWord {
        trailing_only: true,
        ..ViqrWord::default()
    };
    let mut i = 0;
    if let [first @ ('d' | 'D'), second @ ('d' | 'D'), ..] = chars.as_slice() {
        // "dD" is no spelling of đ; "Dd" is how a capital is often typed.
        if !(*first == 'd' && *second == 'D') {
            out.push(if *first == 'D' { 'Đ' } else { 'đ' });
            i = 2;
            result.applied += 1;
            result.strong = true;
            result.trailing_only = false;
        }
    }
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == '\\' {
            if let Some(&next) = chars.get(i).filter(|&&n| is_mnemonic(n)) {
                out.push(next);
                i += 1;
                continue;
            }
        }
        let (shape, tone) = (viqr_shape(c), viqr_tone(c));
        if (shape.is_some() || tone.is_some()) && attach(&mut out, shape, tone) {
            result.applied += 1;
            let letter_follows = chars.get(i).is_some_and(char::is_ascii_alphabetic);
            let letters_before = out[..out.len() - 1]
                .iter()
                .filter(|c| c.is_alphabetic())
                .count();
            result.strong |= match c {
                '^' | '(' | '+' | '`' | '~' => letters >= 2,
                '.' | '?' => letter_follows && letters_before >= 1,
                _ => false,
            };
            if letter_follows || !matches!(c, '.' | '?' | '\'') {
                result.trailing_only = false;
            }
        } else {
            let attached = i >= 2
                && chars
                    .get(i - 2)
                    .is_some_and(|&p| p.is_ascii_alphabetic() || is_mnemonic(p));
            result.broken |= attached && matches!(c, '~' | '^' | '(' | '+' | '`');
            out.push(c);
        }
    }
    result.text = out.into_iter().collect();
    result
}

/// Calls `visit(part, is_word)` for every part of `text` in order: VIQR words (a run that starts
/// with an ASCII letter and goes on over letters, mnemonics and backslashes) and what lies
/// between them. Code and addresses are never cut into words, and neither is a run that touches
/// a digit ("U+1100", "lo^2", "A97F"): Vietnamese words stand apart from numbers.
fn viqr_walk<'a>(text: &'a str, mut visit: impl FnMut(&'a str, bool)) {
    for chunk in pieces(text, |c| !c.is_whitespace()) {
        if !chunk.word || looks_like_code(chunk.text) {
            visit(chunk.text, false);
            continue;
        }
        let mut rest = chunk.text;
        let mut after_digit = false;
        while !rest.is_empty() {
            let start = rest
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            if start > 0 {
                visit(&rest[..start], false);
                after_digit = rest[..start].ends_with(|c: char| c.is_ascii_digit());
            }
            rest = &rest[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphabetic() || is_mnemonic(c) || c == '\\'))
                .unwrap_or(rest.len());
            let before_digit = rest[end..].starts_with(|c: char| c.is_ascii_digit());
            if end > 0 {
                visit(&rest[..end], !(after_digit || before_digit));
            }
            rest = &rest[end..];
        }
    }
}

fn viqr_convert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    viqr_walk(text, |part, word| {
        if word {
            out.push_str(&viqr_word(part).text);
        } else {
            out.push_str(part);
        }
    });
    out
}

fn viqr_tally(text: &str) -> Option<Tally> {
    if text
        .chars()
        .any(|c| (c.is_alphabetic() && !c.is_ascii()) || is_combining(c))
    {
        return None;
    }
    // A backtick that opens something ("`ls`", "[`BE`]") quotes code, and then the closing
    // ones are no grave accents either.
    let mut previous = ' ';
    for c in text.chars() {
        if c == '`' && !(previous.is_ascii_alphabetic() || is_mnemonic(previous)) {
            return None;
        }
        previous = c;
    }
    let mut words: Vec<&str> = Vec::new();
    viqr_walk(text, |part, word| {
        if word {
            words.push(part);
        }
    });
    let mut tally = Tally::default();
    for word in words {
        let decoded = viqr_word(word);
        if decoded.applied == 0 {
            tally.plain(word);
            continue;
        }
        let core = decoded.text.trim_matches(|c: char| !c.is_alphabetic());
        match (is_syllable(core) && !decoded.broken, decoded.trailing_only) {
            // "Go." or "tre?" may be punctuation after a word: no evidence either way.
            (true, true) => {}
            (true, false) => tally.word(false, true, decoded.strong),
            (false, true) => tally.against += 0.5,
            (false, false) => tally.against += 1.0,
        }
    }
    // English words speak against VIQR; abbreviations (UBND, THCS) say nothing.
    tally.against += 0.5 * tally.foreign as f32;
    Some(tally)
}

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

mod bytes;
mod letters;
mod score;
mod syllables;
mod tcvn3;
mod viqr;
mod vni;
mod words;

use bytes::*;
use letters::*;
use score::*;
pub use syllables::is_syllable;
use tcvn3::*;
use viqr::*;
use vni::*;
use words::*;

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

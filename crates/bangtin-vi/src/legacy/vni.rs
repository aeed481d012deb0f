//! VNI-Windows: a base letter followed by a separate mark byte.

use super::*;

/// What a VNI-Windows byte does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VniByte {
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
pub(super) const VNI_MARKS: [(u8, Option<Shape>, Option<Tone>); 17] = [
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
pub(super) const VNI_LETTERS: [(u8, char, char); 9] = [
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
pub(super) const VNI: [VniByte; 256] = {
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

pub(super) fn vni_byte(c: char) -> VniByte {
    byte_of(c).map_or(VniByte::Other, |byte| VNI[usize::from(byte)])
}

/// One VNI word decoded. A mark that has no vowel to sit on stays as the character it came as,
/// and makes the word `broken`.
pub(super) struct VniWord {
    pub(super) text: String,
    /// Marks read where European spelling does not put the same letter: see [`vni_strong`].
    pub(super) strong_marks: usize,
    pub(super) broken: bool,
}

pub(super) fn vni_word(word: &str) -> VniWord {
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
pub(super) fn vni_strong(c: char, before: Option<char>, last: bool) -> bool {
    match c {
        'ù' | 'Ù' => !last,
        'ï' | 'Ï' => matches!(before, Some('ô' | 'ö' | 'Ô' | 'Ö')),
        'ú' | 'Ú' => false,
        _ => true,
    }
}

pub(super) fn vni_convert(text: &str) -> String {
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

pub(super) fn vni_tally(text: &str) -> Option<Tally> {
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

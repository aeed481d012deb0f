//! TCVN3 (ABC): the .VnTime fonts' bytes, read back as letters.

use super::*;

/// TCVN 5712:1993 part 3 (VN3, "TCVN3", the .VnTime/ABC fonts): the 74 letters it assigns, as
/// published in the standard's code table (also reproduced in the Wikipedia article "VSCII").
/// ASCII and the C0/C1 ranges are unchanged; 0xA0 is the no-break space. VN3 has only seven
/// capitals; toned capitals come from the .VnTimeH fonts, which reuse the small-letter codes.
#[rustfmt::skip]
pub(super) const TCVN3_ROWS: [(u8, char); 74] = [
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
pub(super) const TCVN3: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut i = 0;
    while i < TCVN3_ROWS.len() {
        table[TCVN3_ROWS[i].0 as usize] = TCVN3_ROWS[i].1;
        i += 1;
    }
    table
};

pub(super) fn tcvn3_letter(c: char) -> Option<char> {
    let letter = TCVN3[usize::from(byte_of(c)?)];
    (letter != '\0').then_some(letter)
}

pub(super) fn tcvn3_word_char(c: char) -> bool {
    c.is_alphabetic() || tcvn3_letter(c).is_some()
}

/// Whether a TCVN3 word was typed in a .VnTimeH (all capitals) font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    Lower,
    Upper,
    Unknown,
}

/// A lower-case ASCII letter means an ordinary font; two or more capitals (ASCII or the seven
/// VN3 capitals) and no lower case mean .VnTimeH; anything else cannot tell.
pub(super) fn tcvn3_case(word: &str) -> Case {
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
pub(super) const CASE_REACH: usize = 8;

/// Decodes every word piece, each in the case its font implies; non-word pieces come back as
/// they are.
pub(super) fn tcvn3_decode(pieces: &[Piece<'_>]) -> Vec<String> {
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

pub(super) fn tcvn3_convert(text: &str) -> String {
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
pub(super) fn tcvn3_strong(word: &str) -> bool {
    let is_latin1_letter = |c: char| matches!(c, '\u{C0}'..='\u{FF}') && c != '×' && c != '÷';
    let symbol_inside = word
        .chars()
        .skip(1)
        .any(|c| tcvn3_letter(c).is_some() && !is_latin1_letter(c));
    symbol_inside || (word.chars().any(|c| tcvn3_letter(c).is_some()) && !regular_case(word))
}

/// Lower case, upper case, or one capital first: the three shapes words take.
pub(super) fn regular_case(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return true;
    };
    let rest: Vec<char> = letters.collect();
    rest.iter().all(|c| !c.is_uppercase())
        || (first.is_uppercase() && rest.iter().all(|c| !c.is_lowercase()))
}

pub(super) fn tcvn3_tally(text: &str) -> Option<Tally> {
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

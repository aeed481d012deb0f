//! Bytes as a clipboard delivers them: Windows-1252 characters and their Latin-1 reading.

/// Windows-1252 0x80..=0x9F (Microsoft's published cp1252 table, also WHATWG's "windows-1252"
/// index). The five bytes cp1252 leaves undefined keep their C1 control, as WHATWG does.
pub(super) const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The byte a clipboard turned into `c`: Windows-1252, or Latin-1 for U+0080..=U+00FF (which
/// accepts the C1 reading of 0x80..=0x9F too). None for characters no single byte gives.
pub(super) fn byte_of(c: char) -> Option<u8> {
    match u8::try_from(u32::from(c)) {
        Ok(byte) => Some(byte),
        Err(_) => CP1252_HIGH
            .iter()
            .position(|&high| high == c)
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// The Windows-1252 character of `byte`.
pub(super) fn cp1252_char(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// A character outside any word, as the legacy font showed it: the C1 reading of a smart quote
/// or a dash becomes the quote or dash again.
pub(super) fn as_shown(c: char) -> char {
    byte_of(c).map_or(c, cp1252_char)
}

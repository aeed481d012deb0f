//! Text hygiene on the way in: NFC, line endings, control characters, and the invisible
//! formatting characters that make text reorder or hide itself.
//!
//! Shaping NFD Vietnamese loses mark positioning, so every string a board will lay out goes
//! through [`clean`] exactly once, when the document is parsed. A right-to-left override
//! (U+202E) at the start of a title would make "HỌP dân thôn" show backwards, or as a lone
//! "H"; an isolate or a zero-width character can hide words from the officer who checks a
//! message before it is signed. A Vietnamese board needs none of them: they are dropped.

use unicode_normalization::UnicodeNormalization;

/// Whether `c` is an invisible formatting character a board drops: bidirectional embeddings,
/// overrides, isolates and marks (U+061C, U+200E, U+200F, U+202A..=U+202E,
/// U+2066..=U+2069), zero-width and invisible characters (U+00AD, U+180E, U+200B..=U+200D,
/// U+2060..=U+2064, U+206A..=U+206F, U+FEFF), interlinear annotations (U+FFF9..=U+FFFB) and
/// tags (U+E0000..=U+E007F).
pub fn is_hidden_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Turns CRLF/CR into LF and tabs into spaces, drops every other control character (C0, DEL,
/// C1) and every hidden formatting character ([`is_hidden_format`]: bidi overrides and
/// isolates, zero-width characters, the BOM), NFC-normalises, and trims whitespace at both
/// ends. Multi-line text keeps its
/// line breaks when `multiline` is true; otherwise they become spaces. Controls go before
/// normalising, so a control between a letter and its mark cannot keep the pair apart.
pub fn clean(s: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(if multiline { '\n' } else { ' ' });
            }
            '\n' => out.push(if multiline { '\n' } else { ' ' }),
            '\t' => out.push(' '),
            c if c.is_control() || is_hidden_format(c) => {}
            c => out.push(c),
        }
    }
    out.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc() {
        let nfd = "Thuy\u{309} le\u{323}\u{302}"; // "Thuỷ lệ" decomposed
        assert_eq!(clean(nfd, false), "Thuỷ lệ");
    }

    #[test]
    fn controls_dropped_and_line_breaks_kept_only_when_multiline() {
        assert_eq!(clean("a\r\nb\u{7}\tc\u{feff}", true), "a\nb c");
        assert_eq!(clean("a\r\nb\rc", false), "a b c");
        assert_eq!(clean("  x  \n", true), "x");
    }

    #[test]
    fn a_control_between_letter_and_mark_does_not_block_composition() {
        assert_eq!(clean("e\u{7}\u{301}", false), "é");
    }

    #[test]
    fn text_that_reorders_or_hides_itself_is_cleaned() {
        // A right-to-left override first: the title would show backwards (or as one letter).
        assert_eq!(clean("\u{202e}HỌP dân thôn", false), "HỌP dân thôn");
        assert_eq!(
            clean("a\u{2066}b\u{2069}c\u{200b}d\u{200f}e\u{e0041}", false),
            "abcde"
        );
        // Nothing a Vietnamese text needs is touched.
        let vi = "Thông báo: tiêm chủng mở rộng – đợt 2 (“khẩn”) ₫ 100%";
        assert_eq!(clean(vi, false), vi);
    }

    #[test]
    fn d_with_stroke_is_untouched() {
        assert_eq!(clean("Đông Anh đẹp", false), "Đông Anh đẹp");
    }
}

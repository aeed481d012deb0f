//! Text hygiene on the way in: NFC, line endings, control characters.
//!
//! Shaping NFD Vietnamese loses mark positioning, so every string a board will lay out goes
//! through [`clean`] exactly once, when the document is parsed.

use unicode_normalization::UnicodeNormalization;

/// Turns CRLF/CR into LF and tabs into spaces, drops every other control character (C0, DEL,
/// C1) and the BOM, NFC-normalises, and trims whitespace at both ends. Multi-line text keeps its
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
            '\u{feff}' => {}
            c if c.is_control() => {}
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
    fn d_with_stroke_is_untouched() {
        assert_eq!(clean("Đông Anh đẹp", false), "Đông Anh đẹp");
    }
}

//! Text hygiene on the way in: NFC, line endings, control characters.
//!
//! Shaping NFD Vietnamese loses mark positioning, so every string a board will lay out goes
//! through [`clean`] exactly once, when the document is parsed.

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises `s`, turns CRLF/CR into LF and tabs into spaces, drops every other control
/// character (C0, DEL, C1) and the BOM, and trims trailing whitespace of the whole text.
/// Multi-line text keeps its line breaks when `multiline` is true; otherwise they become spaces.
pub fn clean(s: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.nfc().peekable();
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
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    let leading = out.len() - out.trim_start().len();
    out.drain(..leading);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc() {
        let nfd = "Thu\u{309}y le\u{323}\u{302}"; // "Thuỷ lệ" decomposed
        assert_eq!(clean(nfd, false), "Thuỷ lệ");
    }

    #[test]
    fn controls_dropped_and_line_breaks_kept_only_when_multiline() {
        assert_eq!(clean("a\r\nb\u{7}\tc\u{feff}", true), "a\nb c");
        assert_eq!(clean("a\r\nb\rc", false), "a b c");
        assert_eq!(clean("  x  \n", true), "x");
    }

    #[test]
    fn d_with_stroke_is_untouched() {
        assert_eq!(clean("Đông Anh đẹp", false), "Đông Anh đẹp");
    }
}

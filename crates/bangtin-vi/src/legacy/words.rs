//! Words: text cut into words and what lies between them.

/// A run of `text` that is a word for the encoding at hand, or the run between two words.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece<'a> {
    pub(super) text: &'a str,
    pub(super) word: bool,
    pub(super) line: usize,
}

/// Cuts `text` into alternating word and non-word pieces.
pub(super) fn pieces(text: &str, is_word: impl Fn(char) -> bool) -> Vec<Piece<'_>> {
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

//! VIQR (RFC 1456): Vietnamese spelled in ASCII.

use super::*;

/// VIQR shape mnemonics, RFC 1456 section "VIQR": "(" breve, "^" circumflex, "+" horn.
pub(super) fn viqr_shape(c: char) -> Option<Shape> {
    match c {
        '(' => Some(Shape::Breve),
        '^' => Some(Shape::Circumflex),
        '+' => Some(Shape::Horn),
        _ => None,
    }
}

/// VIQR tone mnemonics, RFC 1456: "'" sắc, "`" huyền, "?" hỏi, "~" ngã, "." nặng.
pub(super) fn viqr_tone(c: char) -> Option<Tone> {
    match c {
        '\'' => Some(Tone::Acute),
        '`' => Some(Tone::Grave),
        '?' => Some(Tone::Hook),
        '~' => Some(Tone::Tilde),
        '.' => Some(Tone::Dot),
        _ => None,
    }
}

pub(super) fn is_mnemonic(c: char) -> bool {
    viqr_shape(c).is_some() || viqr_tone(c).is_some()
}

/// A whitespace-separated chunk that VIQR must leave alone: addresses ("a?b=c" in a URL is not
/// "ảb") and code ("Sinh_dda", "Keysym::A", "x=a^b").
pub(super) fn looks_like_code(chunk: &str) -> bool {
    const MARKERS: [&str; 11] = ["://", "@", "_", "::", "=", "<", ">", "{", "}", "|", "#"];
    MARKERS.iter().any(|marker| chunk.contains(marker))
        || chunk.to_ascii_lowercase().starts_with("www.")
}

/// One VIQR word decoded, with what its mnemonics say about the text.
#[derive(Debug, Default)]
pub(super) struct ViqrWord {
    pub(super) text: String,
    /// Mnemonics read as marks, "dd" included; escapes do not count.
    pub(super) applied: usize,
    /// See [`Tally::strong`]: "^ ( + ` ~" in a word of two letters or more, "." or "?" between a
    /// consonant-led vowel and a further letter ("ho.c"), or "dd".
    pub(super) strong: bool,
    /// Every mark read was a "." "?" or "'" at the end of the word, where it may be punctuation.
    pub(super) trailing_only: bool,
    /// A "~ ^ ( + `" right after a letter or mark that could not be read as a mark ("hi~~~",
    /// "C++"): ASCII art or code, not VIQR.
    pub(super) broken: bool,
}

/// Decodes one word: a run that starts with an ASCII letter and goes on over letters,
/// mnemonics and backslashes. RFC 1456: a mnemonic is a mark if it can combine with the letter
/// before it, "dd"/"DD" is đ/Đ, and a backslash makes the next mnemonic literal.
pub(super) fn viqr_word(word: &str) -> ViqrWord {
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
pub(super) fn viqr_walk<'a>(text: &'a str, mut visit: impl FnMut(&'a str, bool)) {
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

pub(super) fn viqr_convert(text: &str) -> String {
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

pub(super) fn viqr_tally(text: &str) -> Option<Tally> {
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

//! Syllables: which words are Vietnamese syllables at all.

use super::*;

/// Initial consonants (every one is tried, so "nghiêng" parses as "ngh" + "iêng").
pub(super) const INITIALS: [&str; 28] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];

/// Rhymes (vần) without tone: a vowel group and the finals it takes. Generous on purpose: a
/// rhyme missing here would make a real Unicode word look like nonsense, which is the one
/// mistake that can corrupt good text.
#[rustfmt::skip]
pub(super) const RHYMES: &[(&str, &[&str])] = &[
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
pub(super) fn rhyme_ok(rhyme: &str, tone: Option<(Tone, usize)>) -> bool {
    RHYMES.iter().any(|(vowels, finals)| {
        rhyme.strip_prefix(vowels).is_some_and(|fin| {
            let stop = matches!(fin, "c" | "ch" | "p" | "t");
            finals.contains(&fin)
                && tone.is_none_or(|(_, at)| at < vowels.chars().count())
                && (!stop || matches!(tone, Some((Tone::Acute | Tone::Dot, _))))
        })
    })
}

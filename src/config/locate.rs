//! Finds the source line of a setting, so every problem can say `board.toml:12:`.
//!
//! `toml::Table` keeps no positions, so this scans the text itself: it notes every
//! `[table]` / `[[array]]` header and every `key =` that starts a statement, skipping what sits
//! inside multi-line strings, arrays and inline tables. It is a best effort that never fails:
//! a setting it cannot place (an inline table, a key written in some unusual way) falls back to
//! its table's header line, or to no line at all.

/// Where a key lives in the document.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place<'a> {
    /// The top level, before any header.
    Root,
    /// A `[name]` table.
    Table(&'a str),
    /// The n-th (0-based) `[[name]]` table.
    ArrayItem(&'a str, usize),
}

impl Place<'_> {
    /// The dotted path of `key` in this place: `board.id`, `trust[1].public`, `revoked`.
    pub(super) fn path(&self, key: &str) -> String {
        match self {
            Place::Root => key.to_owned(),
            Place::Table(t) => format!("{t}.{key}"),
            Place::ArrayItem(t, i) => format!("{t}[{i}].{key}"),
        }
    }

    /// The path of the place itself: `board`, `trust[1]`, or empty for the root.
    pub(super) fn name(&self) -> String {
        match self {
            Place::Root => String::new(),
            Place::Table(t) => (*t).to_owned(),
            Place::ArrayItem(t, i) => format!("{t}[{i}]"),
        }
    }
}

/// A `key = value` statement: its dotted key, by segment, and its 1-based line.
#[derive(Debug)]
struct Stmt {
    key: Vec<String>,
    line: usize,
}

/// A `[table]` or `[[array]]` header and the statements under it.
#[derive(Debug)]
struct Header {
    path: Vec<String>,
    array: bool,
    line: usize,
    keys: Vec<Stmt>,
}

/// The positions of every header and statement in one TOML text.
#[derive(Debug, Default)]
pub(super) struct Locator {
    top: Vec<Stmt>,
    headers: Vec<Header>,
}

/// What the scanner is inside of when a physical line ends.
#[derive(Debug, Default)]
struct LexState {
    /// Open `[` / `{` of a value (arrays, inline tables).
    depth: usize,
    /// Inside a `"""` string.
    ml_basic: bool,
    /// Inside a `'''` string.
    ml_literal: bool,
}

impl LexState {
    fn at_statement_start(&self) -> bool {
        self.depth == 0 && !self.ml_basic && !self.ml_literal
    }

    /// Follows one line's worth of value text, tracking strings and brackets.
    fn scan(&mut self, text: &str) {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.ml_basic {
                if b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i..].starts_with(b"\"\"\"") {
                    self.ml_basic = false;
                    i += 3;
                    continue;
                }
                i += 1;
                continue;
            }
            if self.ml_literal {
                if b[i..].starts_with(b"'''") {
                    self.ml_literal = false;
                    i += 3;
                    continue;
                }
                i += 1;
                continue;
            }
            match b[i] {
                b'#' => return,
                b'"' if b[i..].starts_with(b"\"\"\"") => {
                    self.ml_basic = true;
                    i += 3;
                }
                b'\'' if b[i..].starts_with(b"'''") => {
                    self.ml_literal = true;
                    i += 3;
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'\'' => {
                    i += 1;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                b'[' | b'{' => {
                    self.depth += 1;
                    i += 1;
                }
                b']' | b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }
}

/// Parses a dotted key (`a`, `"a b".c`, `'x'`) at the start of `s`; returns its segments and
/// the rest of the text after it (and after trailing blanks).
fn parse_key(s: &str) -> Option<(Vec<String>, &str)> {
    let mut segs = Vec::new();
    let mut rest = s.trim_start();
    loop {
        let (seg, after) = if let Some(r) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = r.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            out.push(e);
                        }
                    }
                    c => out.push(c),
                }
            }
            (out, r.get(end?..)?)
        } else if let Some(r) = rest.strip_prefix('\'') {
            let end = r.find('\'')?;
            (r[..end].to_owned(), &r[end + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            (rest[..end].to_owned(), &rest[end..])
        };
        segs.push(seg);
        rest = after.trim_start();
        match rest.strip_prefix('.') {
            Some(r) => rest = r.trim_start(),
            None => return Some((segs, rest)),
        }
    }
}

impl Locator {
    /// Scans `text`; never fails, whatever the text.
    pub(super) fn new(text: &str) -> Locator {
        let mut loc = Locator::default();
        let mut lex = LexState::default();
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            if !lex.at_statement_start() {
                lex.scan(line);
                continue;
            }
            let t = line.trim_start();
            if let Some(r) = t.strip_prefix("[[") {
                if let Some((path, rest)) = parse_key(r) {
                    if rest.starts_with("]]") {
                        loc.headers.push(Header {
                            path,
                            array: true,
                            line: line_no,
                            keys: Vec::new(),
                        });
                    }
                }
                // A header holds no value: nothing to follow on this line.
            } else if let Some(r) = t.strip_prefix('[') {
                if let Some((path, rest)) = parse_key(r) {
                    if rest.starts_with(']') {
                        loc.headers.push(Header {
                            path,
                            array: false,
                            line: line_no,
                            keys: Vec::new(),
                        });
                    }
                }
            } else if let Some((key, rest)) = parse_key(t) {
                if let Some(value) = rest.strip_prefix('=') {
                    let stmt = Stmt { key, line: line_no };
                    match loc.headers.last_mut() {
                        Some(h) => h.keys.push(stmt),
                        None => loc.top.push(stmt),
                    }
                    lex.scan(value);
                }
            }
        }
        loc
    }

    /// The line of `key` in `place` (or of `place` itself when `key` is `None`), if found.
    pub(super) fn line(&self, place: Place<'_>, key: Option<&str>) -> Option<usize> {
        match place {
            Place::Root => {
                let key = key?;
                self.top
                    .iter()
                    .find(|s| s.key[0] == key)
                    .map(|s| s.line)
                    .or_else(|| {
                        self.headers
                            .iter()
                            .find(|h| h.path[0] == key)
                            .map(|h| h.line)
                    })
            }
            Place::Table(table) => {
                let header = self
                    .headers
                    .iter()
                    .find(|h| !h.array && h.path.len() == 1 && h.path[0] == table);
                if let Some(key) = key {
                    let in_header = header
                        .and_then(|h| h.keys.iter().find(|s| s.key[0] == key))
                        .map(|s| s.line);
                    let sub_header = || {
                        self.headers
                            .iter()
                            .find(|h| h.path.len() >= 2 && h.path[0] == table && h.path[1] == key)
                            .map(|h| h.line)
                    };
                    let dotted = || {
                        self.top
                            .iter()
                            .find(|s| s.key.len() >= 2 && s.key[0] == table && s.key[1] == key)
                            .map(|s| s.line)
                    };
                    if let Some(line) = in_header.or_else(sub_header).or_else(dotted) {
                        return Some(line);
                    }
                }
                header
                    .map(|h| h.line)
                    .or_else(|| self.line(Place::Root, Some(table)))
            }
            Place::ArrayItem(table, index) => {
                let header = self
                    .headers
                    .iter()
                    .filter(|h| h.array && h.path.len() == 1 && h.path[0] == table)
                    .nth(index);
                match header {
                    Some(h) => key
                        .and_then(|k| h.keys.iter().find(|s| s.key[0] == k))
                        .map_or(Some(h.line), |s| Some(s.line)),
                    None => self.line(Place::Root, Some(table)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# a comment
revoked = ["old"]

[board]
id = "x"
"name" = """
[not a header]
id = "not a key"
"""
area = [
  "[nor this]",
]
timezone = "+07:00"

[[trust]]
key = "a"

[[trust]]
public = "b"
scopes = ['vn']
[board.extra]
x = 1
"#;

    #[test]
    fn finds_headers_and_keys_but_not_text_inside_values() {
        let loc = Locator::new(TEXT);
        assert_eq!(loc.line(Place::Root, Some("revoked")), Some(2));
        assert_eq!(loc.line(Place::Table("board"), None), Some(4));
        assert_eq!(loc.line(Place::Table("board"), Some("id")), Some(5));
        assert_eq!(loc.line(Place::Table("board"), Some("name")), Some(6));
        assert_eq!(loc.line(Place::Table("board"), Some("area")), Some(10));
        assert_eq!(loc.line(Place::Table("board"), Some("timezone")), Some(13));
        assert_eq!(loc.line(Place::Table("board"), Some("extra")), Some(21));
        assert_eq!(loc.line(Place::Table("board"), Some("nope")), Some(4));
        assert_eq!(
            loc.line(Place::ArrayItem("trust", 0), Some("key")),
            Some(16)
        );
        assert_eq!(loc.line(Place::ArrayItem("trust", 1), None), Some(18));
        assert_eq!(
            loc.line(Place::ArrayItem("trust", 1), Some("scopes")),
            Some(20)
        );
        assert_eq!(
            loc.line(Place::ArrayItem("trust", 1), Some("key")),
            Some(18)
        );
        assert_eq!(
            loc.line(Place::ArrayItem("trust", 2), Some("key")),
            Some(15)
        );
        assert_eq!(loc.line(Place::Table("display"), Some("width")), None);
    }

    #[test]
    fn dotted_and_inline_forms_fall_back_sensibly() {
        let loc = Locator::new("board.id = \"x\"\nbroker = { url = \"mqtt://h\" }\n");
        assert_eq!(loc.line(Place::Table("board"), Some("id")), Some(1));
        assert_eq!(loc.line(Place::Table("broker"), Some("url")), Some(2));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "[",
            "[[",
            "\"",
            "'",
            "a.",
            "[\"unterminated",
            "x = \"\"\"",
            "é = 1",
            "\\",
        ] {
            let loc = Locator::new(text);
            let _ = loc.line(Place::Table("a"), Some("b"));
        }
    }
}

//! The source line of a setting, so every problem can say `board.toml:12:`: read from the spans
//! `toml_edit` keeps of every key and table header. A setting with no span (written in some
//! unusual way) falls back to its table's header line, or to no line at all.

use toml_edit::{ImDocument, Item, Key, TableLike};

/// Where a key lives in the document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place<'a> {
    /// The top level, before any header.
    Root,
    /// A `[name]` table.
    Table(&'a str),
    /// The n-th (0-based) `[[name]]` table.
    ArrayItem(&'a str, usize),
}

impl Place<'_> {
    /// The dotted path of `key` in this place: `board.id`, `trust[1].public`, `revoked`.
    pub(crate) fn path(&self, key: &str) -> String {
        match self {
            Place::Root => key.to_owned(),
            Place::Table(t) => format!("{t}.{key}"),
            Place::ArrayItem(t, i) => format!("{t}[{i}].{key}"),
        }
    }

    /// The path of the place itself: `board`, `trust[1]`, or empty for the root.
    pub(crate) fn name(&self) -> String {
        match self {
            Place::Root => String::new(),
            Place::Table(t) => (*t).to_owned(),
            Place::ArrayItem(t, i) => format!("{t}[{i}]"),
        }
    }
}

/// The positions of one TOML text's keys and headers.
pub(crate) struct Locator<'t> {
    text: &'t str,
    doc: Option<ImDocument<&'t str>>,
}

impl<'t> Locator<'t> {
    pub(crate) fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            doc: ImDocument::parse(text).ok(),
        }
    }

    fn line_at(&self, at: Option<std::ops::Range<usize>>) -> Option<usize> {
        at.map(|r| crate::line_of(self.text, r.start))
    }

    fn key_line(&self, table: &dyn TableLike, key: &str) -> Option<usize> {
        let (k, item): (&Key, &Item) = table.get_key_value(key)?;
        self.line_at(k.span().or_else(|| item.span()))
    }

    /// The line of `key` in `place` (or of `place` itself when `key` is `None`), if found.
    pub(crate) fn line(&self, place: Place<'_>, key: Option<&str>) -> Option<usize> {
        let root = self.doc.as_ref()?.as_table();
        match place {
            Place::Root => self.key_line(root, key?),
            Place::Table(name) => {
                let item = root.get(name)?;
                let own = key
                    .zip(item.as_table_like())
                    .and_then(|(key, table)| self.key_line(table, key));
                own.or_else(|| self.line_at(item.as_table().and_then(|t| t.span())))
                    .or_else(|| self.key_line(root, name))
            }
            Place::ArrayItem(name, index) => {
                let table = root
                    .get(name)
                    .and_then(Item::as_array_of_tables)
                    .and_then(|a| a.get(index));
                match table {
                    Some(t) => key
                        .and_then(|key| self.key_line(t, key))
                        .or_else(|| self.line_at(t.span())),
                    None => self.key_line(root, name),
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
    fn dotted_and_inline_forms_are_placed_exactly() {
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

//! The second stage of reading a config: a raw [`toml::Table`] checked key by key into the
//! typed [`Config`], every problem collected with its line. The sections are checked in their
//! own modules (`board`, `broker`, `trust`, `display`, `storage`); this module holds the
//! framework they share: typed reads that report what was expected and what was found,
//! unknown keys with a did-you-mean, and values quoted without ever showing a password.

use crate::locate::{Locator, Place};
use crate::Config;
use bangtin_protocol::trust;
use std::fmt;
use std::path::PathBuf;
use toml::{Table, Value};

pub(crate) const ROOT_KEYS: &[&str] = &[
    "board", "broker", "trust", "revoked", "display", "store", "assets", "video",
];
/// Keys whose values never appear in a message.
pub(crate) const SECRET_KEYS: &[&str] = &["password"];

/// A problem has been reported; the value is unusable.
pub(crate) struct Reported;

/// The strings of a list, with their indexes, and whether every element was a string.
pub(crate) struct StringList<'t> {
    pub(crate) items: Vec<(usize, &'t str)>,
    pub(crate) all_strings: bool,
}

/// One table being checked: where it is, what it holds and which keys it may hold.
pub(crate) struct Sect<'t> {
    pub(crate) place: Place<'t>,
    pub(crate) table: &'t Table,
    pub(crate) known: &'static [&'static str],
}

/// The second stage: checks a raw table, collecting every problem with its line.
pub(crate) struct Checker<'t> {
    pub(crate) loc: Locator<'t>,
    pub(crate) problems: Vec<(Option<usize>, String)>,
}

impl Checker<'_> {
    /// Reports `KEY MESSAGE` at the line of `key` in `place`.
    pub(crate) fn problem(&mut self, place: Place<'_>, key: &str, message: impl fmt::Display) {
        let line = self.loc.line(place, Some(key));
        self.problems
            .push((line, format!("{} {message}", place.path(key))));
    }

    pub(crate) fn type_problem(
        &mut self,
        place: Place<'_>,
        key: &str,
        expected: &str,
        got: &Value,
    ) {
        let got = if SECRET_KEYS.contains(&key) {
            kind_of(got).to_owned()
        } else {
            describe(got)
        };
        self.problem(place, key, format!("must be {expected}, got {got}"));
    }

    pub(crate) fn config(&mut self, root: &Table) -> Option<Config> {
        let root_sect = Sect {
            place: Place::Root,
            table: root,
            known: ROOT_KEYS,
        };
        self.unknown_keys(&root_sect);
        // The default client id needs the board id; read it without reporting (board() does).
        let board_id = root
            .get("board")
            .and_then(Value::as_table)
            .and_then(|t| t.get("id"))
            .and_then(Value::as_str)
            .filter(|id| trust::is_slug(id));
        let board = self.board(root);
        let broker = self.broker(root, board_id);
        let trust = self.trust(root);
        let revoked = self.revoked(&root_sect);
        let display = self.display(root);
        let store = self.store(root);
        let assets = self.assets(root);
        let video = self.video(root);
        Some(Config {
            board: board?,
            broker: broker?,
            trust: trust?,
            revoked: revoked?,
            display: display?,
            store: store?,
            assets: assets?,
            video: video?,
        })
    }

    /// A top-level table: `Ok(None)` if absent.
    pub(crate) fn section<'t>(
        &mut self,
        root: &'t Table,
        name: &str,
    ) -> Result<Option<&'t Table>, Reported> {
        match root.get(name) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => {
                self.type_problem(Place::Root, name, &format!("a table ([{name}])"), other);
                Err(Reported)
            }
        }
    }

    pub(crate) fn unknown_keys(&mut self, s: &Sect<'_>) {
        for key in s.table.keys() {
            if s.known.contains(&key.as_str()) {
                continue;
            }
            let shown = show_key(key);
            let mut message = "is not a known setting".to_owned();
            if let Some(best) = did_you_mean(key, s.known) {
                message.push_str(&format!("; did you mean {}?", s.place.path(best)));
            } else if !matches!(s.place, Place::Root) && ROOT_KEYS.contains(&key.as_str()) {
                message.push_str(&format!(
                    "; top-level keys such as {key} must come before the first [table] header"
                ));
            } else if matches!(s.place, Place::Root) {
                message.push_str(&format!(" (known: {})", s.known.join(", ")));
            } else {
                message.push_str(&format!(
                    " (known in {}: {})",
                    s.place.name(),
                    s.known.join(", ")
                ));
            }
            let line = self.loc.line(s.place, Some(key));
            self.problems
                .push((line, format!("{} {message}", s.place.path(&shown))));
        }
    }

    /// A string, `Ok(None)` if absent.
    pub(crate) fn string<'t>(
        &mut self,
        s: &Sect<'t>,
        key: &str,
    ) -> Result<Option<&'t str>, Reported> {
        match s.table.get(key) {
            None => Ok(None),
            Some(Value::String(v)) => Ok(Some(v.as_str())),
            Some(other) => {
                self.type_problem(s.place, key, "a string", other);
                Err(Reported)
            }
        }
    }

    pub(crate) fn required_string<'t>(&mut self, s: &Sect<'t>, key: &str) -> Option<&'t str> {
        match self.string(s, key) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.problem(s.place, key, "is required");
                None
            }
            Err(Reported) => None,
        }
    }

    /// An optional path: a non-empty string.
    pub(crate) fn path(&mut self, s: &Sect<'_>, key: &str) -> Result<Option<PathBuf>, Reported> {
        match self.string(s, key)? {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => {
                self.problem(s.place, key, "must not be empty (leave it out instead)");
                Err(Reported)
            }
            Some(v) => Ok(Some(PathBuf::from(v))),
        }
    }

    /// An integer in `min..=max`, `default` if absent; `unit` follows the bound in messages.
    pub(crate) fn int(
        &mut self,
        s: &Sect<'_>,
        key: &str,
        (min, max): (i64, i64),
        default: i64,
        unit: &str,
    ) -> Option<i64> {
        match s.table.get(key) {
            None => Some(default),
            Some(Value::Integer(v)) if (min..=max).contains(v) => Some(*v),
            Some(Value::Integer(v)) => {
                self.problem(
                    s.place,
                    key,
                    format!("must be {min}..={max}{unit}, got {v}"),
                );
                None
            }
            Some(other) => {
                self.type_problem(s.place, key, "an integer", other);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, s: &Sect<'_>, key: &str, default: bool) -> Option<bool> {
        match s.table.get(key) {
            None => Some(default),
            Some(Value::Boolean(b)) => Some(*b),
            Some(other) => {
                self.type_problem(s.place, key, "true or false", other);
                None
            }
        }
    }

    /// A list of strings, `Ok(None)` if absent: the strings with their indexes, and whether
    /// every element was one (each one that was not is reported, so the rest can be checked).
    pub(crate) fn strings<'t>(
        &mut self,
        s: &Sect<'t>,
        key: &str,
    ) -> Result<Option<StringList<'t>>, Reported> {
        let items = match s.table.get(key) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.type_problem(s.place, key, "a list of strings", other);
                return Err(Reported);
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut all_strings = true;
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(v) => out.push((i, v.as_str())),
                other => {
                    let line = self.loc.line(s.place, Some(key));
                    let got = describe(other);
                    self.problems.push((
                        line,
                        format!("{}[{i}] must be a string, got {got}", s.place.path(key)),
                    ));
                    all_strings = false;
                }
            }
        }
        Ok(Some(StringList {
            items: out,
            all_strings,
        }))
    }

    /// An optional top-level table, as a section (empty when absent).
    pub(crate) fn optional_section<'t>(
        &mut self,
        root: &'t Table,
        name: &'t str,
        known: &'static [&'static str],
        empty: &'t Table,
    ) -> Option<Sect<'t>> {
        let table = self.section(root, name).ok()?.unwrap_or(empty);
        let s = Sect {
            place: Place::Table(name),
            table,
            known,
        };
        self.unknown_keys(&s);
        Some(s)
    }
}

/// The closest known key within edit distance 2, if any.
pub(crate) fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// A key as written in a message: bare if it could be written bare in TOML, else quoted.
pub(crate) fn show_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// A string value, quoted, cut short if long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

/// "a string", "an integer", …
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// The kind and, for scalars, the value: `a string ("30")`.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("a string ({})", quote(s)),
        Value::Integer(i) => format!("an integer ({i})"),
        Value::Float(f) => format!("a float ({f})"),
        Value::Boolean(b) => format!("a boolean ({b})"),
        Value::Datetime(d) => format!("a date-time ({d})"),
        Value::Array(_) | Value::Table(_) => kind_of(v).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion() {
        let known = crate::display::DISPLAY_KEYS;
        assert_eq!(did_you_mean("widht", known), Some("width"));
        assert_eq!(did_you_mean("colour", known), None);
        assert_eq!(did_you_mean("nmae", &["name", "area"]), Some("name"));
        assert_eq!(
            did_you_mean("keep_alive", &["keep_alive_s"]),
            Some("keep_alive_s")
        );
    }
}

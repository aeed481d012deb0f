//! `[[trust]]` and `revoked`: the keys whose messages this board accepts.

use crate::check::{describe, quote, Checker, Reported, Sect, StringList};
use crate::locate::Place;
use bangtin_protocol::trust::{self, Scope, TrustedKey};
use std::collections::HashMap;
use toml::{Table, Value};

pub(crate) const TRUST_KEYS: &[&str] = &["key", "public", "scopes", "alerts"];

impl Checker<'_> {
    pub(crate) fn trust(&mut self, root: &Table) -> Option<Vec<TrustedKey>> {
        const NONE: &str = "no [[trust]] key: this board would accept nothing; add at least one \
                            [[trust]] table with key, public and scopes";
        let items = match root.get("trust") {
            None => {
                self.problems.push((None, NONE.to_owned()));
                return None;
            }
            Some(Value::Array(items)) if items.is_empty() => {
                let line = self.loc.line(Place::Root, Some("trust"));
                self.problems.push((line, NONE.to_owned()));
                return None;
            }
            Some(Value::Array(items)) => items,
            Some(Value::Table(_)) => {
                self.problem(
                    Place::Root,
                    "trust",
                    "must be written [[trust]], with double brackets (a list of keys), not [trust]",
                );
                return None;
            }
            Some(other) => {
                self.type_problem(Place::Root, "trust", "a list of [[trust]] tables", other);
                return None;
            }
        };
        let mut keys = Vec::with_capacity(items.len());
        let mut all_good = true;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let place = Place::ArrayItem("trust", i);
            let Value::Table(table) = item else {
                let line = self.loc.line(place, None);
                self.problems.push((
                    line,
                    format!("trust[{i}] must be a table, got {}", describe(item)),
                ));
                all_good = false;
                continue;
            };
            let s = Sect {
                place,
                table,
                known: TRUST_KEYS,
            };
            self.unknown_keys(&s);
            let id = self.required_string(&s, "key").and_then(|id| {
                if !is_key_id(id) {
                    self.problem(
                        place,
                        "key",
                        format!(
                            "must be a key id of 1..=64 characters A-Z, a-z, 0-9, '.', '_' or \
                             '-', not starting with '.' or '-', got {}",
                            quote(id)
                        ),
                    );
                    return None;
                }
                if let Some(first) = seen.get(id) {
                    self.problem(
                        place,
                        "key",
                        format!(
                            "{} is already the id of trust[{first}]; each key id must be unique",
                            quote(id)
                        ),
                    );
                    return None;
                }
                seen.insert(id, i);
                Some(id.to_owned())
            });
            let public =
                self.required_string(&s, "public")
                    .and_then(|p| match trust::parse_public_key(p) {
                        Ok(k) => Some(k),
                        Err(m) => {
                            self.problem(place, "public", m);
                            None
                        }
                    });
            let scopes = match self.strings(&s, "scopes") {
                Ok(None) => {
                    self.problem(
                        place,
                        "scopes",
                        "is required: the areas (\"vn/ha-noi\") or boards (\"board/ID\") this \
                         key may publish to",
                    );
                    None
                }
                Ok(Some(StringList {
                    items,
                    all_strings: true,
                })) if items.is_empty() => {
                    self.problem(
                        place,
                        "scopes",
                        "must not be empty: a key with no scope may publish nothing",
                    );
                    None
                }
                Ok(Some(StringList { items, all_strings })) => {
                    let mut scopes = Vec::with_capacity(items.len());
                    let mut good = all_strings;
                    for (j, text) in items {
                        match Scope::parse(text) {
                            Some(scope) => scopes.push(scope),
                            None => {
                                let line = self.loc.line(place, Some("scopes"));
                                self.problems.push((
                                    line,
                                    format!(
                                        "{}[{j}] must be an area path of slugs such as \
                                         \"vn/ha-noi\" or \"board/BOARD-ID\", got {}",
                                        place.path("scopes"),
                                        quote(text)
                                    ),
                                ));
                                good = false;
                            }
                        }
                    }
                    good.then_some(scopes)
                }
                Err(Reported) => None,
            };
            let alerts = self.boolean(&s, "alerts", false);
            match (id, public, scopes, alerts) {
                (Some(id), Some(public), Some(scopes), Some(alerts)) => keys.push(TrustedKey {
                    id,
                    public,
                    scopes,
                    alerts,
                }),
                _ => all_good = false,
            }
        }
        all_good.then_some(keys)
    }

    pub(crate) fn revoked(&mut self, root: &Sect<'_>) -> Option<Vec<String>> {
        let StringList {
            items,
            all_strings: mut good,
        } = self.strings(root, "revoked").ok()?.unwrap_or(StringList {
            items: Vec::new(),
            all_strings: true,
        });
        for &(i, id) in &items {
            if !is_key_id(id) {
                let line = self.loc.line(Place::Root, Some("revoked"));
                self.problems.push((
                    line,
                    format!(
                        "revoked[{i}] must be a key id of 1..=64 characters A-Z, a-z, 0-9, '.', \
                         '_' or '-', not starting with '.' or '-', got {}",
                        quote(id)
                    ),
                ));
                good = false;
            }
        }
        good.then(|| items.into_iter().map(|(_, id)| id.to_owned()).collect())
    }
}

/// A trust key id: the id rule of envelopes (1..=64 of `[A-Za-z0-9._-]`, not starting with
/// '.' or '-'), so that every key a board trusts can actually sign something.
fn is_key_id(s: &str) -> bool {
    bangtin_protocol::content::is_valid_id(s)
}

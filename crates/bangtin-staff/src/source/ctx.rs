//! Collecting every problem of a source file, each with the file, the item and the key.

use super::*;

pub(super) struct Ctx<'a> {
    pub(super) name: &'a str,
    /// The file name without extension, as an id slug (may be empty).
    pub(super) stem: String,
    pub(super) base_dir: &'a Path,
    pub(super) errors: Vec<String>,
    pub(super) warnings: Vec<Warning>,
}

impl Ctx<'_> {
    /// Records a problem of item `item` (1-based; `None` for the file or front matter) at `key`.
    pub(super) fn error(&mut self, item: Option<usize>, key: &str, message: impl fmt::Display) {
        let place = match (item, key) {
            (None, "") => String::new(),
            (None, k) => format!("\"{k}\": "),
            (Some(n), "") => format!("item {n}: "),
            (Some(n), k) => format!("item {n}, \"{k}\": "),
        };
        self.errors.push(format!("{}: {place}{message}", self.name));
    }

    pub(super) fn expected(&mut self, item: Option<usize>, key: &str, what: &str, found: &Toml) {
        self.error(
            item,
            key,
            format!("expected {what}, found {}", describe(found)),
        );
    }
}

/// A value as the officer wrote it, for "found ..." in messages.
pub(super) fn describe(v: &Toml) -> String {
    match v {
        Toml::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("\"{short}…\"")
            } else {
                format!("\"{s}\"")
            }
        }
        Toml::Integer(n) => n.to_string(),
        Toml::Float(x) => x.to_string(),
        Toml::Boolean(b) => b.to_string(),
        Toml::Datetime(d) => d.to_string(),
        Toml::Array(a) if a.is_empty() => "an empty list".into(),
        Toml::Array(_) => "a list".into(),
        Toml::Table(_) => "a table".into(),
    }
}

pub(super) fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", (bytes + 512) / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reports every key of `table` not in `allowed`, suggesting the closest known one.
pub(super) fn check_keys(
    ctx: &mut Ctx,
    item: Option<usize>,
    prefix: &str,
    table: &toml::Table,
    allowed: &[&str],
    hint: impl Fn(&str) -> Option<String>,
) {
    for key in table.keys() {
        if allowed.contains(&key.as_str()) {
            continue;
        }
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let advice = hint(key)
            .or_else(|| {
                allowed
                    .iter()
                    .map(|k| (strsim::levenshtein(key, k), *k))
                    .filter(|(d, k)| *d <= 2 && *d < k.len())
                    .min()
                    .map(|(_, k)| format!("did you mean \"{k}\"?"))
            })
            .unwrap_or_else(|| format!("known keys here: {}", allowed.join(", ")));
        ctx.error(item, &full, format!("unknown key ({advice})"));
    }
}

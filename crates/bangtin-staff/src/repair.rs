//! Text typed in a legacy Vietnamese encoding (TCVN3, VNI, VIQR), found in the text fields of
//! a channel or an alert and rewritten as Unicode before anything is signed, with the before
//! and after for the officer to see.

use crate::i18n::{Lang, Msg};
use serde_json::Value;

/// One piece of text converted from a legacy encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub field: String,
    pub encoding: &'static str,
    pub before: String,
    pub after: String,
}

impl Repaired {
    pub fn text(&self, lang: Lang) -> String {
        let cut = |s: &str| -> String {
            let mut t: String = s.chars().take(60).collect();
            if s.chars().count() > 60 {
                t.push('…');
            }
            t
        };
        format!(
            "{}: {}",
            self.field,
            Msg::EncodingConverted {
                encoding: self.encoding.to_owned(),
                before: cut(&self.before),
                after: cut(&self.after),
            }
            .text(lang)
        )
    }
}

/// Converts the text fields of a channel or alert object that are in a legacy Vietnamese
/// encoding (TCVN3, VNI, VIQR) to Unicode, in place; returns what was converted.
pub fn repair_text(doc: &mut Value) -> Vec<Repaired> {
    const FIELDS: [&str; 8] = [
        "title",
        "body",
        "caption",
        "text",
        "headline",
        "description",
        "instruction",
        "sender_name",
    ];
    let mut out = Vec::new();
    let mut fix = |obj: &mut serde_json::Map<String, Value>, at: &str| {
        for f in FIELDS {
            let Some(Value::String(s)) = obj.get_mut(f) else {
                continue;
            };
            if let Some((encoding, fixed)) = bangtin_vi::legacy::repair(s) {
                out.push(Repaired {
                    field: format!("{at}{f}"),
                    encoding: encoding.name(),
                    before: s.clone(),
                    after: fixed.clone(),
                });
                *s = fixed;
            }
        }
    };
    if let Some(items) = doc.get_mut("items").and_then(Value::as_array_mut) {
        for (i, item) in items.iter_mut().enumerate() {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("items[{i}]"), str::to_owned);
            if let Some(obj) = item.as_object_mut() {
                fix(obj, &format!("{id}."));
            }
        }
    } else if let Some(obj) = doc.as_object_mut() {
        fix(obj, "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_text_fields_are_repaired_and_reported() {
        let mut doc = json!({"items": [
            {"id": "a", "type": "announcement", "title": "Th«ng b¸o", "body": "Hello"},
            {"id": "b", "type": "ticker", "text": "Tin vắn: họp lúc 8 giờ"}
        ]});
        let fixes = repair_text(&mut doc);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert_eq!(fixes[0].field, "a.title");
        assert_eq!(doc["items"][0]["title"], "Thông báo");
        assert_eq!(doc["items"][1]["text"], "Tin vắn: họp lúc 8 giờ");
        assert!(fixes[0].text(Lang::En).contains("Th«ng b¸o"));
    }
}

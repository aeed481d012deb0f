//! CAP 1.2 (OASIS Common Alerting Protocol) documents, mapped onto our [`Alert`].
//!
//! An alert object may be `{"cap": "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">...</alert>"}`
//! instead of the fields form. [`alert_from_cap`] reads that document and gives the same [`Alert`]
//! the fields form would, under the same rules (ids, text hygiene, length limits):
//!
//! | CAP 1.2                                   | [`Alert`]                                      |
//! |-------------------------------------------|------------------------------------------------|
//! | `identifier`                              | `id`, through [`cap_id`]                       |
//! | `msgType` Alert / Update / Cancel         | `msg_type` (Ack and Error are refused)         |
//! | `status` Actual / Exercise / Test         | `status` (System and Draft are refused)        |
//! | `scope` Public                            | (Restricted and Private are refused)           |
//! | `references` "sender,identifier,sent" ... | `references`: each identifier through [`cap_id`] |
//! | `info`: the first whose `language` is `vi` or `vi-VN` (any case), else the first `info` |   |
//! | `info/severity` Extreme ... Minor         | `severity` (Unknown is refused)                |
//! | `info/headline`, else `info/event`        | `headline`                                     |
//! | `info/description`, `info/instruction`    | `description`, `instruction`                   |
//! | `info/senderName`, else `sender`          | `sender_name`                                  |
//! | `info/effective`, else `sent`             | `effective`                                    |
//! | `info/expires`                            | `expires`                                      |
//! | `info/area/areaDesc`, all, joined by "; " | `area`                                         |
//!
//! An Alert or Update needs an `info`; a Cancel may have none (its headline is then empty and its
//! severity `minor`, as in the fields form), and a Cancel's severity and headline are never a
//! reason to refuse it: a cancel must get through. Other CAP elements (category, urgency,
//! certainty, parameters, resources, geometry) are not used; elements outside the CAP 1.2
//! namespace are ignored. Whitespace from XML indentation is dropped: one-line fields have runs of
//! spaces and line breaks collapsed to one space, multi-line fields keep their line breaks but
//! lose the spaces at both ends of each line. Then every text goes through [`clean`].
//!
//! Problems are all reported at the JSON path of the `cap` string (`cap`, `body.alert.cap`); the
//! message starts with the place inside the XML document, written like a JSON path from the
//! `<alert>` element: `info[1].severity must be one of ...` (indices from 0, counting only the
//! elements of that name), or with nothing for the document as a whole (`is not well-formed XML`).
//!
//! The document is refused above [`limits::CAP_XML_BYTES`] before it is parsed, and roxmltree
//! runs with DTDs off (its default), so a `<!DOCTYPE>` with entity declarations is refused at once:
//! no entity is ever expanded.

use super::model::{limits, Alert, AlertStatus, MsgType, Severity, Timestamp};
use super::problems::{index, join, Problems};
use super::text::clean;
use crate::ids::is_valid_id;
use roxmltree::{Document, Node, ParsingOptions};
use std::fmt::Display;

/// The XML namespace of CAP 1.2; the `<alert>` root element must be in exactly this one.
pub const CAP_1_2_NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// The alert id a CAP `identifier` becomes, deterministically, so that an Update or Cancel (whose
/// `references` go through the same mapping) names the same alert the original became.
///
/// Surrounding whitespace is dropped; every character other than `A-Z a-z 0-9 . _ -` becomes
/// `-`; leading `.` and `-` are dropped (an id may not start with them); the rest is cut to 64
/// characters, with nothing appended. An identifier that is already a valid id is kept as it is.
/// The result is empty (and refused) only when the identifier has no letter, digit or `_`.
///
/// `"urn:oid:2.49.0.1.704.0.2026"` becomes `"urn-oid-2.49.0.1.704.0.2026"`. Two identifiers that
/// differ only in the replaced characters, or only after the 64th character, become the same id.
pub fn cap_id(identifier: &str) -> String {
    let mapped: String = identifier
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    mapped
        .trim_start_matches(['.', '-'])
        .chars()
        .take(limits::ID_CHARS)
        .collect()
}

/// Maps a CAP 1.2 XML document onto an [`Alert`], reporting every problem at `path` (the JSON
/// path of the `cap` string). See the module documentation for the mapping and the conventions.
pub fn alert_from_cap(xml: &str, path: &str) -> Result<Alert, Problems> {
    let mut r = Report {
        path,
        problems: Problems::default(),
    };
    if xml.len() > limits::CAP_XML_BYTES {
        r.at(
            "",
            format!(
                "is a CAP document of {} bytes, more than the limit of {} bytes ({} KiB)",
                xml.len(),
                limits::CAP_XML_BYTES,
                limits::CAP_XML_BYTES / 1024
            ),
        );
        return Err(r.problems);
    }
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(xml, options) {
        Ok(doc) => doc,
        Err(roxmltree::Error::DtdDetected) => {
            r.at(
                "",
                "must not contain a DTD (<!DOCTYPE ...> with declarations): CAP 1.2 needs none, \
                 and entities are never expanded",
            );
            return Err(r.problems);
        }
        Err(e) => {
            r.at("", format!("is not well-formed XML: {e}"));
            return Err(r.problems);
        }
    };
    let root = doc.root_element();
    let name = root.tag_name();
    if name.name() != "alert" || name.namespace() != Some(CAP_1_2_NAMESPACE) {
        if name.name() != "alert" {
            r.at(
                "",
                format!(
                    "must have <alert> as its root element, got <{}>",
                    name.name()
                ),
            );
        }
        match name.namespace() {
            Some(CAP_1_2_NAMESPACE) => {}
            Some(other) => r.at(
                "",
                format!(
                    "is in the XML namespace {other:?}; only CAP 1.2 is read, whose namespace \
                     is \"{CAP_1_2_NAMESPACE}\""
                ),
            ),
            None => r.at(
                "",
                format!(
                    "has no XML namespace; a CAP 1.2 document has \
                     xmlns=\"{CAP_1_2_NAMESPACE}\" on <alert>"
                ),
            ),
        }
        return Err(r.problems);
    }
    read_alert(root, &mut r)
}

/// Where problems go: each one at the JSON path, its message led by the place in the XML.
struct Report<'p> {
    path: &'p str,
    problems: Problems,
}

impl Report<'_> {
    fn at(&mut self, place: &str, message: impl Display) {
        let message = if place.is_empty() {
            message.to_string()
        } else {
            format!("{place} {message}")
        };
        self.problems.push(self.path, message);
    }

    fn len(&self) -> usize {
        self.problems.len()
    }
}

fn read_alert(root: Node<'_, '_>, r: &mut Report<'_>) -> Result<Alert, Problems> {
    let id = required(root, "", "identifier", r).and_then(|raw| {
        let id = cap_id(&raw);
        if is_valid_id(&id) {
            Some(id)
        } else {
            r.at(
                "identifier",
                format!(
                    "{:?} cannot become an alert id: it has no letter, digit or '_'",
                    raw.trim()
                ),
            );
            None
        }
    });
    let sender = required(root, "", "sender", r);
    let sent = required(root, "", "sent", r).and_then(|raw| time(&raw, "sent", r));
    let status = required(root, "", "status", r).and_then(|raw| match raw.trim() {
        "Actual" => Some(AlertStatus::Actual),
        "Exercise" => Some(AlertStatus::Exercise),
        "Test" => Some(AlertStatus::Test),
        s @ ("System" | "Draft") => {
            r.at(
                "status",
                format!(
                    "is {s:?}, which is not for public display (a board takes Actual, Exercise or Test)"
                ),
            );
            None
        }
        s => {
            r.at(
                "status",
                format!("must be one of Actual, Exercise, Test, got {s:?}"),
            );
            None
        }
    });
    let msg_type = required(root, "", "msgType", r).and_then(|raw| match raw.trim() {
        "Alert" => Some(MsgType::Alert),
        "Update" => Some(MsgType::Update),
        "Cancel" => Some(MsgType::Cancel),
        s @ ("Ack" | "Error") => {
            r.at(
                "msgType",
                format!(
                    "is {s:?}, which is not for public display (a board takes Alert, Update or Cancel)"
                ),
            );
            None
        }
        s => {
            r.at(
                "msgType",
                format!("must be one of Alert, Update, Cancel, got {s:?}"),
            );
            None
        }
    });
    if let Some(raw) = required(root, "", "scope", r) {
        match raw.trim() {
            "Public" => {}
            s @ ("Restricted" | "Private") => r.at(
                "scope",
                format!("is {s:?}, which is not for public display (a board takes Public alerts)"),
            ),
            s => r.at("scope", format!("must be Public, got {s:?}")),
        }
    }
    let references = match one(root, "", "references", r) {
        Some(raw) => references(&raw, r),
        None => Some(Vec::new()),
    };
    if let (Some(MsgType::Update | MsgType::Cancel), Some(refs)) = (msg_type, &references) {
        if refs.is_empty() {
            r.at(
                "references",
                "is required for an Update or Cancel: the alerts it replaces or ends",
            );
        }
    }
    let is_cancel = msg_type == Some(MsgType::Cancel);

    let infos: Vec<Node<'_, '_>> = elements(root, "info").collect();
    let chosen = infos
        .iter()
        .position(|info| is_vietnamese(&language(*info)))
        .unwrap_or(0);
    let info = infos.get(chosen).copied();
    if info.is_none() && matches!(msg_type, Some(MsgType::Alert | MsgType::Update)) {
        r.at(
            "info",
            "is required: an Alert or Update needs at least one <info> block",
        );
    }
    let at = index("info", chosen);
    let fields = info.map(|info| read_info(info, &at, is_cancel, r));
    let fields = fields.unwrap_or_default();

    let sender_name = match fields.sender_name {
        Some(name) => Some(name),
        None if fields.sender_name_given => None,
        None => sender
            .as_deref()
            .and_then(|raw| bounded(one_line(raw), limits::SENDER_CHARS, "sender", r)),
    };
    let effective = fields.effective.or(sent);
    if let (Some(eff), Some(exp)) = (effective, fields.expires) {
        if exp <= eff {
            r.at(
                &join(&at, "expires"),
                format!("must be after effective ({eff}), got {exp}"),
            );
        }
    }
    let severity = match fields.severity {
        Some(s) => Some(s),
        None if is_cancel => Some(Severity::Minor),
        None => None,
    };
    match (id, msg_type, references, status, severity, sent) {
        (Some(id), Some(msg_type), Some(references), Some(status), Some(severity), Some(_))
            if r.problems.is_empty() =>
        {
            Ok(Alert {
                id,
                msg_type,
                references,
                status,
                severity,
                headline: fields.headline.unwrap_or_default(),
                description: fields.description,
                instruction: fields.instruction,
                sender_name,
                area: fields.area,
                effective,
                expires: fields.expires,
                image: None,
            })
        }
        _ => {
            if r.problems.is_empty() {
                // Every missing piece reports itself; this only guards the "never empty" promise.
                r.at("", "could not be read as a CAP 1.2 alert");
            }
            Err(std::mem::take(&mut r.problems))
        }
    }
}

/// What the chosen `info` gives.
#[derive(Default)]
struct InfoFields {
    severity: Option<Severity>,
    headline: Option<String>,
    description: Option<String>,
    instruction: Option<String>,
    sender_name: Option<String>,
    /// `senderName` was there (so a bad one is not replaced by the alert's `sender`).
    sender_name_given: bool,
    effective: Option<Timestamp>,
    expires: Option<Timestamp>,
    area: Option<String>,
}

fn read_info(info: Node<'_, '_>, at: &str, is_cancel: bool, r: &mut Report<'_>) -> InfoFields {
    const SEVERITIES: &str = "Extreme, Severe, Moderate, Minor";
    let severity_at = join(at, "severity");
    let severity = match one(info, at, "severity", r) {
        Some(raw) => match raw.trim() {
            "Extreme" => Some(Severity::Extreme),
            "Severe" => Some(Severity::Severe),
            "Moderate" => Some(Severity::Moderate),
            "Minor" => Some(Severity::Minor),
            _ if is_cancel => None,
            s @ "Unknown" => {
                r.at(
                    &severity_at,
                    format!(
                        "must be one of {SEVERITIES}, got {s:?}: a board cannot rank an alert of \
                         unknown severity against the others, nor choose full screen or banner"
                    ),
                );
                None
            }
            s => {
                r.at(
                    &severity_at,
                    format!("must be one of {SEVERITIES}, got {s:?}"),
                );
                None
            }
        },
        None => {
            if !is_cancel {
                r.at(&severity_at, format!("is required (one of {SEVERITIES})"));
            }
            None
        }
    };

    let before = r.len();
    let headline = match one(info, at, "headline", r) {
        Some(raw) => bounded(
            one_line(&raw),
            limits::HEADLINE_CHARS,
            &join(at, "headline"),
            r,
        ),
        None => one(info, at, "event", r).and_then(|raw| {
            bounded(
                one_line(&raw),
                limits::HEADLINE_CHARS,
                &join(at, "event"),
                r,
            )
        }),
    };
    if headline.is_none() && !is_cancel && r.len() == before {
        r.at(
            &join(at, "headline"),
            "is required (or an event to stand in for it)",
        );
    }
    let description = one(info, at, "description", r).and_then(|raw| {
        bounded(
            multi_line(&raw),
            limits::DESCRIPTION_CHARS,
            &join(at, "description"),
            r,
        )
    });
    let instruction = one(info, at, "instruction", r).and_then(|raw| {
        bounded(
            multi_line(&raw),
            limits::INSTRUCTION_CHARS,
            &join(at, "instruction"),
            r,
        )
    });
    let sender_name_raw = one(info, at, "senderName", r);
    let sender_name_given = sender_name_raw.is_some();
    let sender_name = sender_name_raw.and_then(|raw| {
        bounded(
            one_line(&raw),
            limits::SENDER_CHARS,
            &join(at, "senderName"),
            r,
        )
    });
    let effective =
        one(info, at, "effective", r).and_then(|raw| time(&raw, &join(at, "effective"), r));
    let expires = one(info, at, "expires", r).and_then(|raw| time(&raw, &join(at, "expires"), r));

    let area_at = join(at, "area");
    let mut areas = Vec::new();
    for (j, area) in elements(info, "area").enumerate() {
        let place = index(&area_at, j);
        match one(area, &place, "areaDesc", r).map(|raw| one_line(&raw)) {
            Some(desc) if !desc.is_empty() => areas.push(desc),
            _ => r.at(&join(&place, "areaDesc"), "is required"),
        }
    }
    let area = if areas.is_empty() {
        None
    } else {
        let joined = areas.join("; ");
        let n = joined.chars().count();
        if n > limits::AREA_CHARS {
            r.at(
                &area_at,
                format!(
                    "must be at most {} characters in all (every areaDesc, joined with \"; \"), got {n}",
                    limits::AREA_CHARS
                ),
            );
            None
        } else {
            Some(joined)
        }
    };

    InfoFields {
        severity,
        headline,
        description,
        instruction,
        sender_name,
        sender_name_given,
        effective,
        expires,
        area,
    }
}

/// `references`: whitespace-separated "sender,identifier,sent" triples; the identifiers, mapped.
fn references(raw: &str, r: &mut Report<'_>) -> Option<Vec<String>> {
    let triples: Vec<&str> = raw.split_ascii_whitespace().collect();
    if triples.len() > limits::REFERENCES {
        r.at(
            "references",
            format!(
                "may name at most {} alerts, got {}",
                limits::REFERENCES,
                triples.len()
            ),
        );
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut ok = true;
    for (i, triple) in triples.iter().enumerate() {
        let parts: Vec<&str> = triple.split(',').collect();
        match parts.as_slice() {
            [sender, identifier, sent]
                if !sender.is_empty() && !identifier.is_empty() && !sent.is_empty() =>
            {
                let id = cap_id(identifier);
                if !is_valid_id(&id) {
                    r.at(
                        &index("references", i),
                        format!(
                            "names the identifier {identifier:?}, which cannot become an alert id: \
                             it has no letter, digit or '_'"
                        ),
                    );
                    ok = false;
                } else if !out.contains(&id) {
                    out.push(id);
                }
            }
            _ => {
                r.at(
                    &index("references", i),
                    format!("must be \"sender,identifier,sent\", got {triple:?}"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The child elements of `parent` named `name` in the CAP 1.2 namespace.
fn elements<'a, 'i>(
    parent: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    parent.children().filter(move |n| {
        n.is_element()
            && n.tag_name().name() == name
            && n.tag_name().namespace() == Some(CAP_1_2_NAMESPACE)
    })
}

/// All the text inside an element (CDATA included, entities resolved), as written.
fn text_of(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The text of the one `name` child of `parent`; `None` when it is absent or blank. CAP allows
/// each of these elements once, so a repeated one is a problem (the first is still read).
fn one(
    parent: Node<'_, '_>,
    place: &str,
    name: &'static str,
    r: &mut Report<'_>,
) -> Option<String> {
    let mut found = elements(parent, name);
    let first = found.next()?;
    let more = found.count();
    if more > 0 {
        r.at(
            &join(place, name),
            format!("appears {} times; CAP 1.2 allows it once", more + 1),
        );
    }
    let text = text_of(first);
    (!text.trim().is_empty()).then_some(text)
}

/// [`one`], reporting a missing or blank element.
fn required(
    parent: Node<'_, '_>,
    place: &str,
    name: &'static str,
    r: &mut Report<'_>,
) -> Option<String> {
    let v = one(parent, place, name, r);
    if v.is_none() {
        r.at(&join(place, name), "is required");
    }
    v
}

/// An info's language, "en-US" when it names none (the CAP 1.2 default).
fn language(info: Node<'_, '_>) -> String {
    elements(info, "language")
        .next()
        .map(|n| text_of(n).trim().to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en-US".to_owned())
}

fn is_vietnamese(language: &str) -> bool {
    language.eq_ignore_ascii_case("vi") || language.eq_ignore_ascii_case("vi-VN")
}

/// A one-line text: [`clean`], then every run of spaces (indentation, former line breaks) as one.
fn one_line(raw: &str) -> String {
    let cleaned = clean(raw, false);
    let mut out = String::with_capacity(cleaned.len());
    for word in cleaned.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A multi-line text: [`clean`] keeping line breaks, then each line without spaces at its ends.
fn multi_line(raw: &str) -> String {
    clean(raw, true)
        .split('\n')
        .map(|line| line.trim_matches(' '))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A cleaned text within `max_chars`; `None` (without a problem) when it cleaned away to nothing.
fn bounded(text: String, max_chars: usize, place: &str, r: &mut Report<'_>) -> Option<String> {
    let n = text.chars().count();
    if text.is_empty() {
        None
    } else if n > max_chars {
        r.at(
            place,
            format!("must be at most {max_chars} characters, got {n}"),
        );
        None
    } else {
        Some(text)
    }
}

/// A CAP date-time ("2026-11-24T08:00:00+07:00"); "-00:00" (UTC in CAP) is read as UTC.
fn time(raw: &str, place: &str, r: &mut Report<'_>) -> Option<Timestamp> {
    let s = raw.trim();
    let parsed =
        chrono::DateTime::parse_from_rfc3339(s).or_else(|e| match s.strip_suffix("-00:00") {
            Some(local) => chrono::DateTime::parse_from_rfc3339(&format!("{local}+00:00")),
            None => Err(e),
        });
    match parsed {
        Ok(t) => Some(t),
        Err(_) => {
            r.at(
                place,
                format!(
                    "must be a date-time with its offset like \"2026-11-24T08:00:00+07:00\", got {s:?}"
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_deterministically_onto_the_id_rule() {
        assert_eq!(cap_id("43b080713727"), "43b080713727");
        assert_eq!(cap_id(" KAR0-0306112239-SW\n"), "KAR0-0306112239-SW");
        assert_eq!(
            cap_id("urn:oid:2.49.0.1.704.0.2026"),
            "urn-oid-2.49.0.1.704.0.2026"
        );
        assert_eq!(cap_id("bão số 3"), "b-o-s--3");
        assert_eq!(cap_id("::.-x"), "x");
        assert_eq!(cap_id(":::"), "");
        let long = "a".repeat(70);
        assert_eq!(cap_id(&long), "a".repeat(64));
        for s in ["urn:oid:1.2", "bão số 3", &long, "_x", "A.B_C-D"] {
            assert!(is_valid_id(&cap_id(s)), "{s}");
            assert_eq!(cap_id(&cap_id(s)), cap_id(s), "a mapped id maps to itself");
        }
    }

    #[test]
    fn indentation_is_dropped() {
        assert_eq!(one_line("  A\n      B \t C  "), "A B C");
        assert_eq!(
            multi_line("\n   one\n      two  \n\n   three\n"),
            "one\ntwo\n\nthree"
        );
    }

    #[test]
    fn minus_zero_offset_is_utc() {
        let mut r = Report {
            path: "",
            problems: Problems::default(),
        };
        let t = time("2026-11-24T01:00:00-00:00", "sent", &mut r).expect("read");
        assert_eq!(t.offset().local_minus_utc(), 0);
        assert!(r.problems.is_empty());
    }
}

//! CAP 1.2 alerts (`{"cap": "<alert ...>"}`): the four examples of the CAP 1.2 specification
//! (Appendix A) and hand-made Vietnamese ones map onto the right fields; every broken or
//! unwanted document is refused with problems at the `cap` path, never a panic or a hang; and
//! `bangtin check --content` takes a CAP alert.

use bangtin_protocol::content::{
    alert_from_cap, alert_from_value, parse_alert, parse_document, Alert, AlertStatus, Document,
    MsgType, Payload, Severity, Timestamp,
};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cap")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mapped(name: &str) -> Alert {
    alert_from_cap(&fixture(name), "cap").unwrap_or_else(|p| panic!("{name} is refused: {p}"))
}

fn t(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

/// Every problem with `xml`, as shown to an officer; each must be at the `cap` path.
fn refused(xml: &str) -> Vec<String> {
    match alert_from_cap(xml, "cap") {
        Ok(a) => panic!("accepted: {a:?}"),
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in problems.iter() {
                assert_eq!(p.path, "cap", "{p}");
            }
            problems.iter().map(|p| p.to_string()).collect()
        }
    }
}

#[track_caller]
fn assert_has(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem contains {needle:?}: {problems:#?}"
    );
}

fn doc(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">{inner}</alert>"
    )
}

/// The alert-level elements of a good alert, with `status` and `msgType` to choose.
fn head(status: &str, msg_type: &str) -> String {
    format!(
        "<identifier>lu-quet-01</identifier><sender>ubnd@example.vn</sender>\
         <sent>2026-11-24T08:00:00+07:00</sent><status>{status}</status>\
         <msgType>{msg_type}</msgType><scope>Public</scope>"
    )
}

fn info(severity: &str) -> String {
    format!(
        "<info><language>vi-VN</language><category>Met</category><event>Lũ quét</event>\
         <urgency>Immediate</urgency><severity>{severity}</severity><certainty>Likely</certainty>\
         <headline>Lũ quét tại xã Xuân Nộn</headline></info>"
    )
}

// ---- The CAP 1.2 specification's examples (Appendix A) ----

#[test]
fn spec_a1_homeland_security_advisory() {
    let a = mapped("spec-a1-homeland-security.xml");
    assert_eq!(a.id, "43b080713727");
    assert_eq!(a.msg_type, MsgType::Alert);
    assert_eq!(a.status, AlertStatus::Actual);
    assert_eq!(a.severity, Severity::Severe);
    assert!(a.references.is_empty());
    assert_eq!(a.headline, "Homeland Security Sets Code ORANGE");
    assert_eq!(
        a.description.as_deref(),
        Some(
            "The Department of Homeland Security has elevated the Homeland Security Advisory\n\
             System threat level to ORANGE / High in response to intelligence which may indicate a heightened\n\
             threat of terrorism."
        )
    );
    let instruction = a.instruction.as_deref().unwrap();
    assert!(
        instruction.starts_with("A High Condition is declared when there is a high risk of terrorist attacks. In\naddition"),
        "{instruction:?}"
    );
    assert!(instruction.ends_with("existing plans."));
    assert_eq!(
        a.sender_name.as_deref(),
        Some("U.S. Government, Department of Homeland Security")
    );
    assert_eq!(
        a.area.as_deref(),
        Some("U.S. nationwide and interests worldwide")
    );
    // No effective: the alert's sent stands in. No expires.
    assert_eq!(a.effective, Some(t("2003-04-02T14:39:01-05:00")));
    assert_eq!(a.expires, None);
    assert_eq!(a.image, None);
}

#[test]
fn spec_a2_severe_thunderstorm_warning() {
    let a = mapped("spec-a2-severe-thunderstorm.xml");
    assert_eq!(a.id, "KSTO1055887203");
    assert_eq!(a.msg_type, MsgType::Alert);
    assert_eq!(a.status, AlertStatus::Actual);
    assert_eq!(a.severity, Severity::Severe);
    assert_eq!(a.headline, "SEVERE THUNDERSTORM WARNING");
    let description = a.description.as_deref().unwrap();
    assert!(
        description.starts_with("AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED A SEVERE\nTHUNDERSTORM OVER"),
        "{description:?}"
    );
    assert!(description.ends_with("LIKELY WITH THIS\nSTORM."));
    assert_eq!(
        a.instruction.as_deref(),
        Some("TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.")
    );
    assert_eq!(
        a.sender_name.as_deref(),
        Some("NATIONAL WEATHER SERVICE SACRAMENTO CA")
    );
    assert_eq!(
        a.area.as_deref(),
        Some(
            "EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA, EXTREME NORTHEASTERN \
             CALAVERAS COUNTY IN CALIFORNIA, SOUTHWESTERN ALPINE COUNTY IN CALIFORNIA"
        )
    );
    assert_eq!(a.effective, Some(t("2003-06-17T14:57:00-07:00")));
    assert_eq!(a.expires, Some(t("2003-06-17T16:00:00-07:00")));
}

#[test]
fn spec_a3_earthquake_update() {
    let a = mapped("spec-a3-earthquake.xml");
    assert_eq!(a.id, "TRI13970876.2");
    assert_eq!(a.msg_type, MsgType::Update);
    assert_eq!(a.references, vec!["TRI13970876.1".to_owned()]);
    assert_eq!(a.status, AlertStatus::Actual);
    assert_eq!(a.severity, Severity::Minor);
    assert_eq!(a.headline, "EQ 3.4 Imperial County CA");
    assert!(a.description.as_deref().unwrap().starts_with(
        "A minor earthquake measuring 3.4 on the Richter scale occurred near Brawley,\nCalifornia"
    ));
    assert_eq!(a.instruction, None);
    assert_eq!(
        a.sender_name.as_deref(),
        Some("Southern California Seismic Network (TriNet) operated by Caltech and USGS")
    );
    assert_eq!(
        a.area.as_deref(),
        Some(
            "1 mi. WSW of Brawley, CA; 11 mi. N of El Centro, CA; 30 mi. E of OCOTILLO (quarry); \
             1 mi. N of the Imperial Fault"
        )
    );
    assert_eq!(a.effective, Some(t("2003-06-11T20:56:00-07:00")));
    assert_eq!(a.expires, None);
}

#[test]
fn spec_a4_amber_alert_without_vietnamese_takes_the_first_info() {
    let a = mapped("spec-a4-amber-alert.xml");
    assert_eq!(a.id, "KAR0-0306112239-SW");
    assert_eq!(a.msg_type, MsgType::Alert);
    assert_eq!(a.status, AlertStatus::Actual);
    assert_eq!(a.severity, Severity::Severe);
    assert_eq!(a.headline, "Amber Alert in Los Angeles County");
    assert_eq!(
        a.sender_name.as_deref(),
        Some("Los Angeles Police Dept - LAPD")
    );
    assert_eq!(a.area.as_deref(), Some("Los Angeles County"));
    let description = a.description.as_deref().unwrap();
    assert!(
        description.starts_with(
            "DATE/TIME: 06/11/03, 1915 HRS. VICTIM(S): KHAYRI DOE JR. M/B BLK/BRO 3'0\", 40\nLBS."
        ),
        "{description:?}"
    );
    assert_eq!(a.instruction, None);
    assert_eq!(a.effective, Some(t("2003-06-11T22:39:00-07:00")));
}

// ---- Hand-made Vietnamese alerts ----

#[test]
fn storm_alert_takes_the_vietnamese_info_over_the_english_one_before_it() {
    let a = mapped("bao-so-3.xml");
    assert_eq!(a.id, "urn-oid-2.49.0.1.704.0.2026.0906.bao-so-3");
    assert_eq!(a.msg_type, MsgType::Alert);
    assert_eq!(a.status, AlertStatus::Actual);
    assert_eq!(a.severity, Severity::Extreme);
    assert_eq!(
        a.headline,
        "BÃO SỐ 3 (YAGI): SƠ TÁN KHẨN CẤP KHU VỰC VEN ĐÊ"
    );
    assert_eq!(
        a.description.as_deref(),
        Some(
            "Hồi 16 giờ ngày 06/09/2026, tâm bão số 3 ở trên vùng biển Quảng Ninh – Hải Phòng.\n\
             Mực nước sông Hồng đang lên nhanh, có khả năng vượt báo động II."
        ),
        "NFD from character references comes out NFC"
    );
    assert_eq!(
        a.instruction.as_deref(),
        Some(
            "Người dân khu vực ngoài đê di chuyển ngay đến điểm sơ tán trước 20 giờ hôm nay.\n\
             Mang theo giấy tờ tùy thân, thuốc men, nước uống; ngắt điện, khóa van ga trước khi rời nhà.\n\
             Không ra sông, không đi qua ngầm, tràn; gọi 112 khi cần cứu nạn."
        )
    );
    assert_eq!(
        a.sender_name.as_deref(),
        Some("Ban Chỉ huy PCTT&TKCN huyện Đông Anh")
    );
    assert_eq!(
        a.area.as_deref(),
        Some("Xã Xuân Nộn, huyện Đông Anh; Xã Nam Hồng, huyện Đông Anh")
    );
    assert_eq!(a.effective, Some(t("2026-09-06T17:00:00+07:00")));
    assert_eq!(a.expires, Some(t("2026-09-08T17:00:00+07:00")));
}

#[test]
fn drill_is_an_exercise_with_fallbacks_for_headline_sender_and_effective() {
    let a = mapped("dien-tap-chay-no.xml");
    assert_eq!(a.id, "dien-tap-pccc-2026-11-24");
    assert_eq!(a.status, AlertStatus::Exercise);
    assert_eq!(a.msg_type, MsgType::Alert);
    assert_eq!(a.severity, Severity::Moderate);
    assert_eq!(
        a.headline, "Diễn tập phòng cháy, chữa cháy tại chợ Xuân Nộn",
        "the event stands in for a missing headline"
    );
    assert_eq!(a.sender_name.as_deref(), Some("ubnd.xuannon@hanoi.gov.vn"));
    // "-00:00" is UTC.
    assert_eq!(a.effective, Some(t("2026-11-24T01:00:00+00:00")));
    assert_eq!(a.effective.unwrap().offset().local_minus_utc(), 0);
    assert_eq!(a.expires, Some(t("2026-11-24T03:00:00+00:00")));
    assert_eq!(a.area.as_deref(), Some("Chợ Xuân Nộn"));
}

#[test]
fn update_and_cancel_reference_the_ids_the_originals_became() {
    let original = mapped("bao-so-3.xml");
    let update = mapped("cap-nhat-bao-so-3.xml");
    assert_eq!(update.id, "bao-so-3-cap-nhat-1");
    assert_eq!(update.msg_type, MsgType::Update);
    assert_eq!(update.references, vec![original.id.clone()]);
    assert_eq!(update.severity, Severity::Severe);
    assert_eq!(
        update.headline,
        "BÃO SỐ 3 ĐÃ SUY YẾU: TIẾP TỤC ĐỀ PHÒNG MƯA LŨ"
    );
    assert_eq!(update.description, None);
    assert_eq!(update.area.as_deref(), Some("Huyện Đông Anh"));
    assert_eq!(update.effective, Some(t("2026-09-07T08:00:00+07:00")));

    let cancel = mapped("huy-bao-so-3.xml");
    assert_eq!(cancel.id, "bao-so-3-ket-thuc");
    assert_eq!(cancel.msg_type, MsgType::Cancel);
    assert_eq!(cancel.references, vec![original.id, update.id]);
    assert_eq!(cancel.status, AlertStatus::Actual);
    // No info: as in the fields form, an empty headline and the lowest severity.
    assert_eq!(cancel.headline, "");
    assert_eq!(cancel.severity, Severity::Minor);
    assert_eq!(
        cancel.sender_name.as_deref(),
        Some("bchpctt@donganh.hanoi.gov.vn")
    );
    assert_eq!(cancel.effective, Some(t("2026-09-08T06:00:00+07:00")));
    assert_eq!(cancel.area, None);
}

#[test]
fn a_cancel_with_an_unknown_severity_still_gets_through() {
    let a = alert_from_cap(
        &doc(&format!(
            "{}<references>ubnd@example.vn,lu-quet-00,2026-11-24T07:00:00+07:00</references>{}",
            head("Actual", "Cancel"),
            info("Unknown")
        )),
        "cap",
    )
    .unwrap();
    assert_eq!(a.msg_type, MsgType::Cancel);
    assert_eq!(a.severity, Severity::Minor);
    assert_eq!(a.references, vec!["lu-quet-00".to_owned()]);
}

#[test]
fn identifiers_outside_the_id_rule_are_mapped_the_same_way_everywhere() {
    let long = format!("urn:oid:2.49.0.1.704.0.{}", "7".repeat(80));
    let a = alert_from_cap(
        &doc(&format!(
            "<identifier>{long}</identifier><sender>s@x.vn</sender>\
             <sent>2026-11-24T08:00:00+07:00</sent><status>Actual</status>\
             <msgType>Update</msgType><scope>Public</scope>\
             <references>s@x.vn,bao:so:3,2026-11-24T07:00:00+07:00 s@x.vn,{long},2026-11-24T07:30:00+07:00</references>{}",
            info("Severe")
        )),
        "cap",
    )
    .unwrap();
    assert_eq!(a.id.len(), 64);
    assert!(a.id.starts_with("urn-oid-2.49.0.1.704.0.777"));
    assert!(bangtin_protocol::content::is_valid_id(&a.id));
    assert_eq!(a.references, vec!["bao-so-3".to_owned(), a.id.clone()]);
    assert_eq!(bangtin_protocol::content::cap::cap_id(&long), a.id);
}

// ---- Refusals ----

#[test]
fn malformed_xml_is_refused() {
    let p = refused(&doc(&format!(
        "{}<info><severity>Severe</info>",
        head("Actual", "Alert")
    )));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_has(&p, "cap is not well-formed XML: ");
    let p = refused("not xml at all");
    assert_has(&p, "is not well-formed XML");
    let p = refused("");
    assert_has(&p, "is not well-formed XML");
}

#[test]
fn another_namespace_or_root_is_refused_naming_what_was_found() {
    let xml = doc(&format!("{}{}", head("Actual", "Alert"), info("Severe")));
    let p = refused(&xml.replace("cap:1.2", "cap:1.1"));
    assert_eq!(
        p,
        vec![
            "cap is in the XML namespace \"urn:oasis:names:tc:emergency:cap:1.1\"; only CAP 1.2 \
             is read, whose namespace is \"urn:oasis:names:tc:emergency:cap:1.2\""
        ]
    );
    let p = refused(&xml.replace(" xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", ""));
    assert_has(&p, "cap has no XML namespace");
    let p = refused("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>");
    assert_has(&p, "must have <alert> as its root element, got <feed>");
    assert_has(&p, "\"http://www.w3.org/2005/Atom\"");
    // A prefixed CAP 1.2 alert is fine: the namespace counts, not the prefix.
    let prefixed = "<c:alert xmlns:c=\"urn:oasis:names:tc:emergency:cap:1.2\">\
        <c:identifier>p-1</c:identifier><c:sender>s@x.vn</c:sender>\
        <c:sent>2026-11-24T08:00:00+07:00</c:sent><c:status>Actual</c:status>\
        <c:msgType>Alert</c:msgType><c:scope>Public</c:scope>\
        <c:info><c:severity>Minor</c:severity><c:headline>Cúp nước</c:headline></c:info></c:alert>";
    let a = alert_from_cap(prefixed, "cap").unwrap();
    assert_eq!((a.id.as_str(), a.headline.as_str()), ("p-1", "Cúp nước"));
    // CAP elements in another namespace are not CAP elements.
    let foreign = xml.replace(
        "<severity>Severe</severity>",
        "<x:severity xmlns:x=\"urn:example\">Severe</x:severity>",
    );
    assert_has(&refused(&foreign), "info[0].severity is required");
}

#[test]
fn every_missing_required_element_is_reported_at_once() {
    let p = refused(&doc(&info("Severe")));
    for name in ["identifier", "sender", "sent", "status", "msgType", "scope"] {
        assert!(
            p.contains(&format!("cap {name} is required")),
            "{name}: {p:#?}"
        );
    }
    assert_eq!(p.len(), 6, "{p:#?}");
    // Blank counts as missing.
    let p = refused(&doc(&format!(
        "{}{}",
        head("Actual", "Alert").replace("<sender>ubnd@example.vn</sender>", "<sender>  </sender>"),
        info("Severe")
    )));
    assert_eq!(p, vec!["cap sender is required"]);
}

#[test]
fn system_and_draft_alerts_are_not_for_public_display() {
    for status in ["System", "Draft"] {
        let p = refused(&doc(&format!(
            "{}{}",
            head(status, "Alert"),
            info("Severe")
        )));
        assert_eq!(
            p,
            vec![format!(
                "cap status is \"{status}\", which is not for public display (a board takes Actual, Exercise or Test)"
            )]
        );
    }
    let a = alert_from_cap(
        &doc(&format!("{}{}", head("Test", "Alert"), info("Severe"))),
        "cap",
    )
    .unwrap();
    assert_eq!(a.status, AlertStatus::Test);
    let p = refused(&doc(&format!(
        "{}{}",
        head("actual", "Alert"),
        info("Severe")
    )));
    assert_has(
        &p,
        "cap status must be one of Actual, Exercise, Test, got \"actual\"",
    );
}

#[test]
fn acks_errors_and_non_public_scopes_are_refused() {
    for t in ["Ack", "Error"] {
        let p = refused(&doc(&format!("{}{}", head("Actual", t), info("Severe"))));
        assert_has(
            &p,
            &format!("cap msgType is \"{t}\", which is not for public display"),
        );
    }
    for scope in ["Restricted", "Private"] {
        let xml = doc(&format!("{}{}", head("Actual", "Alert"), info("Severe")))
            .replace("<scope>Public</scope>", &format!("<scope>{scope}</scope>"));
        assert_has(
            &refused(&xml),
            &format!("cap scope is \"{scope}\", which is not for public display"),
        );
    }
}

#[test]
fn unknown_severity_is_refused_with_a_reason() {
    let p = refused(&doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Unknown")
    )));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with(
            "cap info[0].severity must be one of Extreme, Severe, Moderate, Minor, got \"Unknown\": "
        ),
        "{p:#?}"
    );
    assert_has(&p, "unknown severity");
    // The place names the chosen (Vietnamese) info, here the second.
    let en = info("Severe").replace("vi-VN", "en-US");
    let p = refused(&doc(&format!(
        "{}{en}{}",
        head("Actual", "Alert"),
        info("Unknown")
    )));
    assert_has(&p, "cap info[1].severity must be one of");
    let p = refused(&doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Severe").replace("<severity>Severe</severity>", "")
    )));
    assert_eq!(
        p,
        vec!["cap info[0].severity is required (one of Extreme, Severe, Moderate, Minor)"]
    );
}

#[test]
fn alerts_need_an_info_and_updates_need_references() {
    assert_eq!(
        refused(&doc(&head("Actual", "Alert"))),
        vec!["cap info is required: an Alert or Update needs at least one <info> block"]
    );
    let p = refused(&doc(&format!(
        "{}{}",
        head("Actual", "Update"),
        info("Severe")
    )));
    assert_eq!(
        p,
        vec!["cap references is required for an Update or Cancel: the alerts it replaces or ends"]
    );
    let p = refused(&doc(&format!(
        "{}<references>just-an-id</references>{}",
        head("Actual", "Update"),
        info("Severe")
    )));
    assert_eq!(
        p,
        vec!["cap references[0] must be \"sender,identifier,sent\", got \"just-an-id\""]
    );
}

#[test]
fn bad_times_long_texts_and_repeated_elements_are_reported_together() {
    let xml = doc(&format!(
        "{}{}",
        head("Actual", "Alert")
            .replace("2026-11-24T08:00:00+07:00", "24/11/2026 08:00")
            .replace("<scope>", "<status>Actual</status><scope>"),
        info("Severe").replace(
            "<headline>",
            &format!(
                "<expires>2026-11-24T07:00:00+07:00</expires>\
                 <effective>2026-11-24T09:00:00+07:00</effective>\
                 <description>{}</description><headline>",
                "x".repeat(4001)
            )
        )
    ));
    let p = refused(&xml);
    assert_has(
        &p,
        "cap sent must be a date-time with its offset like \"2026-11-24T08:00:00+07:00\", got \"24/11/2026 08:00\"",
    );
    assert_has(&p, "cap status appears 2 times; CAP 1.2 allows it once");
    assert_has(
        &p,
        "cap info[0].description must be at most 4000 characters, got 4001",
    );
    assert_has(&p, "cap info[0].expires must be after effective");
    assert_eq!(p.len(), 4, "{p:#?}");
}

#[test]
fn an_oversized_document_is_refused_before_parsing() {
    // Not even well-formed: the size alone refuses it.
    let xml = format!("<alert>{}", "x".repeat(256 * 1024));
    let p = refused(&xml);
    assert_eq!(p.len(), 1);
    assert_has(&p, "more than the limit of 262144 bytes (256 KiB)");
    // Just under the limit it is read (and here refused for what it says).
    let filler = format!("<!--{}-->", "x".repeat(200 * 1024));
    let a = alert_from_cap(
        &doc(&format!(
            "{filler}{}{}",
            head("Actual", "Alert"),
            info("Severe")
        )),
        "cap",
    );
    assert!(a.is_ok(), "{a:?}");
}

#[test]
fn a_dtd_or_entity_bomb_is_refused_without_expanding_anything() {
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE alert [\n  <!ENTITY lol \"lol\">\n");
    bomb.push_str("  <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = format!("&lol{};", i - 1);
        bomb.push_str(&format!("  <!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    bomb.push_str("]>\n");
    bomb.push_str(
        &doc(&format!(
            "{}{}",
            head("Actual", "Alert"),
            info("Severe").replace("Lũ quét tại xã Xuân Nộn", "&lol9;")
        ))
        .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", ""),
    );
    let started = Instant::now();
    let p = refused(&bomb);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_has(&p, "cap must not contain a DTD");

    // An external entity (XXE) is refused the same way, and nothing is read from disk.
    let xxe = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
        doc(&format!(
            "{}{}",
            head("Actual", "Alert"),
            info("Severe").replace("Lũ quét tại xã Xuân Nộn", "&x;")
        ))
        .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "")
    );
    assert_has(&refused(&xxe), "cap must not contain a DTD");

    // Without a DTD an undeclared entity is simply malformed.
    let p = refused(&doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Severe").replace("Lũ quét tại xã Xuân Nộn", "&lol9;")
    )));
    assert_has(
        &p,
        "cap is not well-formed XML: unknown entity reference 'lol9'",
    );
}

#[test]
fn every_prefix_of_a_document_is_answered_without_a_panic() {
    let good = fixture("bao-so-3.xml");
    // Every prefix of a real document (cut on character boundaries) is answered, not a panic.
    for (cut, _) in good.char_indices().step_by(7) {
        let _ = alert_from_cap(&good[..cut], "cap");
    }
}

#[test]
fn deep_nesting_within_the_size_limit_is_answered() {
    let deep = format!("{}Lũ{}", "<b>".repeat(30_000), "</b>".repeat(30_000));
    let xml = doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Severe").replace("Lũ quét tại xã Xuân Nộn", &deep)
    ));
    assert!(xml.len() < 256 * 1024);
    let a = alert_from_cap(&xml, "cap").unwrap();
    assert_eq!(a.headline, "Lũ");
}

// ---- The JSON side: {"cap": "..."} ----

#[test]
fn an_alert_object_with_cap_is_read_and_its_problems_carry_the_cap_path() {
    let xml = fixture("bao-so-3.xml");
    let a = alert_from_value(&json!({ "cap": xml }), "").unwrap();
    assert_eq!(a, mapped("bao-so-3.xml"));
    let a = parse_alert(json!({ "cap": xml }).to_string().as_bytes()).unwrap();
    assert_eq!(a.id, "urn-oid-2.49.0.1.704.0.2026.0906.bao-so-3");

    let draft = xml.replace("<status>Actual</status>", "<status>Draft</status>");
    let p = alert_from_value(&json!({ "cap": draft }), "alert").unwrap_err();
    assert_eq!(p.len(), 1);
    assert_eq!(p.0[0].path, "alert.cap");
    assert!(p.0[0].message.starts_with("status is \"Draft\""), "{p}");

    let p =
        alert_from_value(&json!({ "cap": xml, "id": "x", "severity": "minor" }), "").unwrap_err();
    assert_eq!(
        p.to_string(),
        "holds a CAP document in \"cap\", so it must have no other fields; found \"id\", \"severity\""
    );
    let p = alert_from_value(&json!({ "cap": 5 }), "alert").unwrap_err();
    assert_eq!(
        p.to_string(),
        "alert.cap must be a string holding a CAP 1.2 XML document, got a number (5)"
    );
}

#[test]
fn documents_and_envelopes_carry_cap_alerts() {
    let xml = fixture("dien-tap-chay-no.xml");
    match parse_document(json!({ "cap": xml }).to_string().as_bytes()).unwrap() {
        Document::Alert(a) => assert_eq!(a.status, AlertStatus::Exercise),
        other => panic!("{other:?}"),
    }
    let body = |xml: &str| {
        json!({
            "topic": "vn/ha-noi/dong-anh/alert", "seq": 7,
            "issued_at": "2026-11-24T08:00:00+07:00",
            "kind": "alert", "alert": { "cap": xml }
        })
        .to_string()
    };
    let envelope = |xml: &str| {
        json!({ "v": 1, "key": "pctt-dong-anh", "sig": format!("{}==", "A".repeat(86)), "body": body(xml) })
            .to_string()
    };
    match parse_document(envelope(&xml).as_bytes()).unwrap() {
        Document::Envelope(_, b) => match b.payload {
            Payload::Alert(a) => assert_eq!(a.id, "dien-tap-pccc-2026-11-24"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let p = parse_document(envelope(&xml.replace("Moderate", "Unknown")).as_bytes()).unwrap_err();
    assert_eq!(p.len(), 1);
    assert_eq!(p.0[0].path, "body.alert.cap");
    assert!(
        p.to_string()
            .starts_with("body.alert.cap info[0].severity must be one of"),
        "{p}"
    );
}

#[test]
fn the_fields_form_takes_an_optional_area_that_is_not_written_when_absent() {
    let base = json!({"id": "a1", "status": "actual", "severity": "minor", "headline": "Cúp điện"});
    let a = parse_alert(base.to_string().as_bytes()).unwrap();
    assert_eq!(a.area, None);
    assert!(serde_json::to_value(&a).unwrap().get("area").is_none());

    let mut with_area = base.clone();
    with_area["area"] = json!("  Thôn Đìa,\nxã Nam Hồng ");
    let a = parse_alert(with_area.to_string().as_bytes()).unwrap();
    assert_eq!(a.area.as_deref(), Some("Thôn Đìa, xã Nam Hồng"));
    assert_eq!(
        serde_json::to_value(&a).unwrap()["area"],
        json!("Thôn Đìa, xã Nam Hồng")
    );

    let mut too_long = base.clone();
    too_long["area"] = json!("x".repeat(501));
    let p = parse_alert(too_long.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        p.to_string(),
        "area must be at most 500 characters, got 501"
    );
    let mut wrong = base;
    wrong["area"] = json!(["a"]);
    let p = parse_alert(wrong.to_string().as_bytes()).unwrap_err();
    assert_eq!(p.to_string(), "area must be a string, got a list");
}

#[test]
fn too_many_areas_are_refused() {
    let areas: String = (0..30)
        .map(|i| format!("<area><areaDesc>Thôn số {i} của xã Xuân Nộn</areaDesc></area>"))
        .collect();
    let xml = doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Severe").replace("</info>", &format!("{areas}</info>"))
    ));
    assert_has(
        &refused(&xml),
        "cap info[0].area must be at most 500 characters in all",
    );
    let xml = doc(&format!(
        "{}{}",
        head("Actual", "Alert"),
        info("Severe").replace(
            "</info>",
            "<area><polygon>1,1 2,2 3,3 1,1</polygon></area></info>"
        )
    ));
    assert_eq!(
        refused(&xml),
        vec!["cap info[0].area[0].areaDesc is required"]
    );
}

// ---- The command line ----

#[test]
fn bangtin_check_takes_a_cap_alert() {
    let dir = std::env::temp_dir().join(format!("bangtin-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let check = |name: &str, xml: &str| {
        let path = dir.join(name);
        std::fs::write(&path, json!({ "cap": xml }).to_string()).unwrap();
        Command::new(env!("CARGO_BIN_EXE_bangtin"))
            .args(["check", "--content", path.to_str().unwrap()])
            .output()
            .expect("the bangtin binary runs")
    };
    let o = check("bao-so-3.alert.json", &fixture("bao-so-3.xml"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains(
            ": OK, an alert \"urn-oid-2.49.0.1.704.0.2026.0906.bao-so-3\" (alert, actual, extreme)"
        ),
        "{stdout}"
    );

    let o = check(
        "draft.alert.json",
        &fixture("spec-a2-severe-thunderstorm.xml").replace("<status>Actual", "<status>Draft"),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("draft.alert.json: cap status is \"Draft\", which is not for public display"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! Trust: only signed messages from keys scoped to this board's area change what it shows.

use bangtin_protocol::trust::{
    self, BoardIdentity, Rejection, Scope, SeqMarks, TopicKind, TrustStore, TrustedKey,
};
use ed25519_dalek::SigningKey;

const P: &str = "bangtin/v1";

fn board() -> BoardIdentity {
    BoardIdentity {
        id: "xuan-non-01".into(),
        area: ["vn", "ha-noi", "dong-anh", "xuan-non"]
            .map(String::from)
            .to_vec(),
        prefix: P.into(),
    }
}

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn trusted(id: &str, n: u8, scopes: &[&str], alerts: bool) -> TrustedKey {
    TrustedKey {
        id: id.into(),
        public: key(n).verifying_key(),
        scopes: scopes.iter().map(|s| Scope::parse(s).unwrap()).collect(),
        alerts,
    }
}

fn store() -> TrustStore {
    TrustStore::new(
        vec![
            trusted("huyen-dong-anh", 1, &["vn/ha-noi/dong-anh"], true),
            trusted("xa-xuan-non", 2, &["vn/ha-noi/dong-anh/xuan-non"], false),
            trusted("ky-thuat", 3, &["board/xuan-non-01"], false),
            trusted("cu", 4, &["vn"], true),
        ],
        ["cu".to_owned()],
    )
}

fn channel_body(topic: &str, seq: u64, text: &str) -> String {
    format!(
        r#"{{"topic": "{topic}", "seq": {seq}, "issued_at": "2026-11-24T08:00:00+07:00", "kind": "channel", "channel": {{"items": [{{"id": "t", "type": "ticker", "text": "{text}"}}]}}}}"#
    )
}

fn alert_body(topic: &str, seq: u64) -> String {
    format!(
        r#"{{"topic": "{topic}", "seq": {seq}, "issued_at": "2026-11-24T08:00:00+07:00", "kind": "alert", "alert": {{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO"}}}}"#
    )
}

fn envelope(id: &str, n: u8, body: &str) -> Vec<u8> {
    serde_json::to_vec(&trust::sign(id, &key(n), body)).unwrap()
}

fn check(topic: &str, payload: &[u8], marks: &SeqMarks) -> Result<trust::Accepted, Rejection> {
    store().check(&board(), topic, payload, marks)
}

#[test]
fn a_signed_channel_in_scope_is_accepted() {
    let topic = format!("{P}/content/vn/ha-noi/dong-anh");
    let a = check(
        &topic,
        &envelope("huyen-dong-anh", 1, &channel_body(&topic, 5, "Tin vắn")),
        &SeqMarks::default(),
    )
    .unwrap();
    assert_eq!(
        (a.key.as_str(), a.seq, a.kind),
        ("huyen-dong-anh", 5, TopicKind::Content)
    );
    // A commune key on its commune; a board key on its board; a district key on the board topic.
    let commune = format!("{P}/content/vn/ha-noi/dong-anh/xuan-non");
    assert!(check(
        &commune,
        &envelope("xa-xuan-non", 2, &channel_body(&commune, 1, "x")),
        &SeqMarks::default()
    )
    .is_ok());
    let own = format!("{P}/content/board/xuan-non-01");
    assert!(check(
        &own,
        &envelope("ky-thuat", 3, &channel_body(&own, 1, "x")),
        &SeqMarks::default()
    )
    .is_ok());
    assert!(check(
        &own,
        &envelope("huyen-dong-anh", 1, &channel_body(&own, 1, "x")),
        &SeqMarks::default()
    )
    .is_ok());
}

#[test]
fn every_refusal_names_its_reason() {
    let m = SeqMarks::default();
    let district = format!("{P}/content/vn/ha-noi/dong-anh");
    let commune = format!("{P}/content/vn/ha-noi/dong-anh/xuan-non");
    let body = channel_body(&district, 5, "x");

    // A signature made by another key.
    let forged = envelope("huyen-dong-anh", 9, &body);
    assert_eq!(
        check(&district, &forged, &m),
        Err(Rejection::BadSignature("huyen-dong-anh".into()))
    );
    // The body changed after signing.
    let mut env = trust::sign("huyen-dong-anh", &key(1), &body);
    env.body = channel_body(&district, 5, "y");
    assert!(matches!(
        check(&district, &serde_json::to_vec(&env).unwrap(), &m),
        Err(Rejection::BadSignature(_))
    ));
    assert_eq!(
        check(&district, &envelope("la", 7, &body), &m),
        Err(Rejection::UnknownKey("la".into()))
    );
    assert_eq!(
        check(&district, &envelope("cu", 4, &body), &m),
        Err(Rejection::RevokedKey("cu".into()))
    );
    // A commune key may not publish for the whole district.
    assert!(matches!(
        check(&district, &envelope("xa-xuan-non", 2, &body), &m),
        Err(Rejection::OutOfScope { .. })
    ));
    // A board key may not publish to an area.
    assert!(matches!(
        check(
            &commune,
            &envelope("ky-thuat", 3, &channel_body(&commune, 1, "x")),
            &m
        ),
        Err(Rejection::OutOfScope { .. })
    ));
    // Alerts need the alert right.
    let alert_topic = format!("{P}/alert/vn/ha-noi/dong-anh/xuan-non");
    assert_eq!(
        check(
            &alert_topic,
            &envelope("xa-xuan-non", 2, &alert_body(&alert_topic, 1)),
            &m
        ),
        Err(Rejection::NoAlertRight("xa-xuan-non".into()))
    );
    assert!(check(
        &alert_topic,
        &envelope("huyen-dong-anh", 1, &alert_body(&alert_topic, 1)),
        &m
    )
    .is_ok());
    // Signed for one topic, replayed on another.
    assert!(matches!(
        check(&commune, &envelope("huyen-dong-anh", 1, &body), &m),
        Err(Rejection::TopicMismatch { .. })
    ));
    // A channel on an alert topic.
    let wrong_kind = channel_body(&alert_topic, 1, "x");
    assert!(matches!(
        check(
            &alert_topic,
            &envelope("huyen-dong-anh", 1, &wrong_kind),
            &m
        ),
        Err(Rejection::KindMismatch { .. })
    ));
    // Another district's topic, even with a key that covers it.
    let other = format!("{P}/content/vn/hai-phong");
    assert!(matches!(
        check(
            &other,
            &envelope("cu", 4, &channel_body(&other, 1, "x")),
            &m
        ),
        Err(Rejection::RevokedKey(_))
    ));
    let big = TrustStore::new(vec![trusted("quoc-gia", 5, &["vn"], true)], []);
    assert_eq!(
        big.check(
            &board(),
            &other,
            &envelope("quoc-gia", 5, &channel_body(&other, 1, "x")),
            &m
        ),
        Err(Rejection::NotForThisBoard(other.clone()))
    );
    // Malformed, empty and oversized payloads.
    assert!(matches!(
        check(&district, b"{not json", &m),
        Err(Rejection::Malformed(_))
    ));
    assert_eq!(check(&district, b"", &m), Err(Rejection::UnsignedClear));
    let huge = vec![b' '; 1024 * 1024 + 1];
    assert!(matches!(
        check(&district, &huge, &m),
        Err(Rejection::Oversized { .. })
    ));
    for r in [
        Rejection::UnsignedClear,
        Rejection::BadSignature("k".into()),
    ] {
        assert!(!r.to_string().is_empty() && !r.is_silent());
    }
}

#[test]
fn sequence_numbers_tell_duplicates_from_replays() {
    let topic = format!("{P}/content/vn/ha-noi/dong-anh");
    let mut marks = SeqMarks::default();
    let first = envelope("huyen-dong-anh", 1, &channel_body(&topic, 10, "một"));
    let a = check(&topic, &first, &marks).unwrap();
    marks.record(&a.key, &a.topic, a.mark());
    // The same message again (a retained message redelivered): a silent duplicate.
    let dup = check(&topic, &first, &marks).unwrap_err();
    assert_eq!(dup, Rejection::Duplicate { seq: 10 });
    assert!(dup.is_silent());
    // Same seq, other body: a replay attack or a publisher bug.
    let other = envelope("huyen-dong-anh", 1, &channel_body(&topic, 10, "hai"));
    assert!(matches!(
        check(&topic, &other, &marks),
        Err(Rejection::SameSeqOtherBody { seq: 10, .. })
    ));
    // Lower seq: replay.
    let old = envelope("huyen-dong-anh", 1, &channel_body(&topic, 9, "cũ"));
    assert!(matches!(
        check(&topic, &old, &marks),
        Err(Rejection::Replay {
            last: 10,
            got: 9,
            ..
        })
    ));
    // Higher: accepted. Marks are per (key, topic): seq 1 on another topic is fine.
    assert!(check(
        &topic,
        &envelope("huyen-dong-anh", 1, &channel_body(&topic, 11, "ba")),
        &marks
    )
    .is_ok());
    let commune = format!("{P}/content/vn/ha-noi/dong-anh/xuan-non");
    assert!(check(
        &commune,
        &envelope("huyen-dong-anh", 1, &channel_body(&commune, 1, "x")),
        &marks
    )
    .is_ok());
    // Marks never go down and survive serialisation.
    let b = check(
        &topic,
        &envelope("huyen-dong-anh", 1, &channel_body(&topic, 11, "ba")),
        &marks,
    )
    .unwrap();
    marks.record(&b.key, &b.topic, b.mark());
    marks.record(&a.key, &a.topic, a.mark());
    assert_eq!(marks.get("huyen-dong-anh", &topic).unwrap().seq, 11);
    let json = serde_json::to_string(&marks).unwrap();
    assert_eq!(serde_json::from_str::<SeqMarks>(&json).unwrap(), marks);
}

#[test]
fn weak_and_malformed_public_keys_are_refused() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    assert!(trust::parse_public_key(&b64(key(1).verifying_key().as_bytes())).is_ok());
    // The identity point is a small-order (weak) key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(trust::parse_public_key(&b64(&identity))
        .unwrap_err()
        .contains("weak"));
    assert!(trust::parse_public_key(&b64(&[1u8; 31]))
        .unwrap_err()
        .contains("32 bytes"));
    assert!(trust::parse_public_key("%%%")
        .unwrap_err()
        .contains("base64"));
}

#[test]
fn scopes_parse_only_slugs() {
    assert_eq!(
        Scope::parse("board/xuan-non-01"),
        Some(Scope::Board("xuan-non-01".into()))
    );
    assert!(Scope::parse("vn/ha-noi").is_some());
    for bad in [
        "",
        "vn//x",
        "VN",
        "vn/hà-nội",
        "board/",
        "vn/../etc",
        "vn/+",
        "vn/#",
    ] {
        assert_eq!(Scope::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn garbage_never_panics_the_checker() {
    let topic = format!("{P}/content/vn/ha-noi/dong-anh");
    let good = envelope("huyen-dong-anh", 1, &channel_body(&topic, 5, "Tin vắn"));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let m = SeqMarks::default();
    for _ in 0..5000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut bytes = good.clone();
        let i = state as usize % bytes.len();
        bytes[i] = (state >> 24) as u8;
        assert!(check(&topic, &bytes, &m).is_err() || bytes == good);
    }
}

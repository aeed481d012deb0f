//! The content model: validation collects every problem with its JSON path, text arrives NFC,
//! and no input, however broken, makes parsing panic.

use bangtin_protocol::content::{
    self, AlertStatus, Class, Document, ItemKind, MsgType, Payload, Severity, Weekday,
};
use base64::Engine as _;
use sha2::Digest as _;

fn problems(json: &str) -> Vec<String> {
    match content::parse_document(json.as_bytes()) {
        Ok(doc) => panic!("expected problems, parsed {doc:?}"),
        Err(p) => p.iter().map(ToString::to_string).collect(),
    }
}

fn has(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn every_problem_is_reported_with_its_json_path() {
    let p = problems(
        r#"{"items": [
            {"id": "ok", "type": "ticker", "text": "Tin vắn"},
            {"id": "a", "type": "announcement", "title": "T", "duration_s": 0},
            {"id": "b", "type": "announcement", "title": 42},
            {"type": "image"},
            {"id": "c", "type": "video"},
            {"id": "d", "type": "ticker", "text": "x", "duration_s": 601, "class": "urgent"}
        ]}"#,
    );
    assert!(
        has(&p, "items[1].duration_s must be 3..=600 seconds, got 0"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[2].title must be a string, got a number (42)"),
        "{p:#?}"
    );
    assert!(has(&p, "items[3].id is required"), "{p:#?}");
    assert!(
        has(&p, "items[3].image is required for an image item"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[4].video is required for a video item"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[5].duration_s must be 3..=600 seconds, got 601"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[5].class must be \"normal\" or \"priority\""),
        "{p:#?}"
    );
    assert!(
        !p.iter().any(|p| p.starts_with("items[0]")),
        "the valid item has no problem: {p:#?}"
    );
}

#[test]
fn a_video_item_names_its_file_by_url_and_is_checked_like_a_url_image() {
    let sha = "ab".repeat(32);
    let doc = content::parse_document(
        format!(
            r#"{{"items": [{{"id": "v", "type": "video", "caption": "Phòng chống sốt xuất huyết",
                "video": {{"url": "https://tt.example.vn/v.mp4", "sha256": "{}", "bytes": 1048576}}}}]}}"#,
            sha.to_uppercase()
        )
        .as_bytes(),
    )
    .unwrap();
    let Document::Channel(c) = doc else {
        panic!("{doc:?}")
    };
    match &c.items[0].kind {
        ItemKind::Video {
            video,
            caption,
            audio,
        } => {
            assert_eq!(video.sha256, sha, "kept lowercase");
            assert_eq!(video.bytes, 1048576);
            assert_eq!(caption.as_deref(), Some("Phòng chống sốt xuất huyết"));
            assert!(!audio, "silent by default");
        }
        other => panic!("{other:?}"),
    }
    let p = problems(&format!(
        r#"{{"items": [
            {{"id": "a", "type": "video", "video": {{"inline": "AAAA", "sha256": "{sha}"}}}},
            {{"id": "b", "type": "video", "video": {{"url": "file:///etc/passwd", "sha256": "x", "bytes": 0}}}},
            {{"id": "c", "type": "video", "audio": "yes",
              "video": {{"url": "https://x/v.mp4", "sha256": "{sha}", "bytes": 999999999999}}}}
        ]}}"#
    ));
    assert!(has(&p, "items[0].video.inline is not allowed"), "{p:#?}");
    assert!(
        has(&p, "items[1].video.url must be an http(s) URL"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[1].video.sha256 must be 64 hexadecimal digits"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[1].video.bytes must be the video size"),
        "{p:#?}"
    );
    assert!(has(&p, "items[2].audio must be true or false"), "{p:#?}");
    assert!(
        has(&p, "items[2].video.bytes must be the video size"),
        "{p:#?}"
    );
}

#[test]
fn malformed_json_and_bad_utf8_are_reported_not_panicked_on() {
    let p = problems(r#"{"items": [ {"id": "a", }"#);
    assert!(has(&p, "is not valid JSON"), "{p:?}");
    let mut bytes = br#"{"items": [{"id": "a", "type": "ticker", "text": "Tin "#.to_vec();
    bytes.extend_from_slice(&[0xC3, 0x28]);
    bytes.extend_from_slice(br#""}]}"#);
    let err = content::parse_document(&bytes).unwrap_err();
    assert!(err.to_string().contains("not valid UTF-8 at byte"), "{err}");
}

#[test]
fn defaults_follow_the_protocol() {
    let c =
        content::parse_channel(br#"{"items": [{"id": "a", "type": "announcement", "body": "B"}]}"#)
            .unwrap();
    let it = &c.items[0];
    assert_eq!(it.class, Class::Normal);
    assert_eq!(it.duration_s, 10);
    assert_eq!(
        (it.valid_from, it.valid_until, &it.days, &it.hours),
        (None, None, &None, &None)
    );
}

#[test]
fn an_empty_items_list_is_a_valid_clear() {
    let c = content::parse_channel(br#"{"items": []}"#).unwrap();
    assert!(c.items.is_empty());
}

#[test]
fn text_is_normalised_to_nfc_on_the_way_in() {
    // "Nộn" and "Thuỷ" written decomposed (NFD).
    let c = content::parse_channel(
        "{\"items\": [{\"id\": \"a\", \"type\": \"announcement\", \"title\": \"No\u{323}\u{302}n\", \"body\": \"Thuy\u{309}\\r\\nle\u{323}\u{302}\"}]}".as_bytes(),
    )
    .unwrap();
    match &c.items[0].kind {
        ItemKind::Announcement { title, body, .. } => {
            assert_eq!(title.as_deref(), Some("Nộn"));
            assert_eq!(body.as_deref(), Some("Thuỷ\nlệ"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schedules_parse_and_bad_ones_are_named() {
    let c = content::parse_channel(
        br#"{"items": [{"id": "a", "type": "ticker", "text": "x", "days": ["mon", "sat"],
            "hours": [{"from": "21:00", "to": "06:00"}, {"from": "12:00", "to": "24:00"}],
            "valid_from": "2026-11-20T00:00:00+07:00", "valid_until": "2026-11-25T00:00:00+07:00"}]}"#,
    )
    .unwrap();
    let it = &c.items[0];
    assert_eq!(it.days.as_deref(), Some(&[Weekday::Mon, Weekday::Sat][..]));
    assert_eq!(it.hours.as_ref().map(Vec::len), Some(2));
    let p = problems(
        r#"{"items": [{"id": "a", "type": "ticker", "text": "x", "days": ["monday"],
            "hours": [{"from": "+6:00", "to": "25:00"}],
            "valid_from": "2026-11-25T00:00:00+07:00", "valid_until": "2026-11-20T00:00:00+07:00"}]}"#,
    );
    assert!(has(&p, "items[0].days[0]"), "{p:#?}");
    assert!(has(&p, "items[0].hours[0].from"), "{p:#?}");
    assert!(has(&p, "items[0].hours[0].to"), "{p:#?}");
    assert!(
        has(&p, "items[0].valid_until must be after valid_from"),
        "{p:#?}"
    );
    let p = problems(
        r#"{"items": [{"id": "a", "type": "ticker", "text": "x", "valid_from": "24/11/2026"}]}"#,
    );
    assert!(
        has(&p, "items[0].valid_from must be an RFC 3339 time"),
        "{p:#?}"
    );
}

#[test]
fn ids_cannot_be_paths_and_cannot_repeat() {
    let p = problems(
        r#"{"items": [{"id": "../etc/passwd", "type": "ticker", "text": "x"},
                      {"id": "a", "type": "ticker", "text": "x"},
                      {"id": "a", "type": "ticker", "text": "y"}]}"#,
    );
    assert!(has(&p, "items[0].id must be 1..=64 characters"), "{p:#?}");
    assert!(
        has(&p, "items[2].id \"a\" is already used by items[1]"),
        "{p:#?}"
    );
}

fn inline(bytes: &[u8]) -> String {
    format!(
        r#"{{"inline": "{}", "sha256": "{}"}}"#,
        base64::engine::general_purpose::STANDARD.encode(bytes),
        hex::encode(sha2::Sha256::digest(bytes))
    )
}

#[test]
fn images_are_checked_before_a_byte_is_trusted() {
    let good = inline(b"\x89PNG\r\n\x1a\n pretend");
    let c = content::parse_channel(
        format!(r#"{{"items": [{{"id": "a", "type": "image", "image": {good}}}]}}"#).as_bytes(),
    )
    .unwrap();
    assert_eq!(
        c.items[0].kind.image().unwrap().inline_bytes().unwrap(),
        b"\x89PNG\r\n\x1a\n pretend"
    );

    // Data and a well-formed hash that is not the data's.
    let wrong_hash = format!(
        r#"{{"inline": "{}", "sha256": "{}"}}"#,
        base64::engine::general_purpose::STANDARD.encode(b"abc"),
        "ab".repeat(32)
    );
    let p = problems(&format!(
        r#"{{"items": [
            {{"id": "a", "type": "image", "image": {wrong_hash}}},
            {{"id": "b", "type": "image", "image": {{"inline": "not base64 !!", "sha256": "{}"}}}},
            {{"id": "c", "type": "image", "image": {{"url": "ftp://x/y.png", "sha256": "{}", "bytes": 0}}}},
            {{"id": "d", "type": "image", "image": {{"url": "https://x/y.png", "inline": "", "sha256": "{}"}}}},
            {{"id": "e", "type": "image", "image": null}}
        ]}}"#,
        "ab".repeat(32),
        "ab".repeat(32),
        "ab".repeat(32)
    ));
    assert!(
        has(&p, "items[0].image.sha256 does not match the inline data"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[1].image.inline is not valid base64"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[2].image.url must be an http(s) URL"),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[2].image.bytes must be the image size"),
        "{p:#?}"
    );
    assert!(
        has(
            &p,
            "items[3].image must have either \"url\" or \"inline\", not both"
        ),
        "{p:#?}"
    );
    assert!(
        has(&p, "items[4].image is required for an image item"),
        "{p:#?}"
    );
}

#[test]
fn an_inline_image_over_256_kib_is_refused_before_decoding() {
    let big = vec![7u8; 256 * 1024 + 1];
    let p = problems(&format!(
        r#"{{"items": [{{"id": "a", "type": "image", "image": {}}}]}}"#,
        inline(&big)
    ));
    assert!(has(&p, "items[0].image.inline decodes to"), "{p:#?}");
}

#[test]
fn an_oversized_message_is_refused_whole() {
    let text = "a".repeat(1024 * 1024);
    let p = problems(&format!(
        r#"{{"items": [{{"id": "a", "type": "ticker", "text": "{text}"}}]}}"#
    ));
    assert!(has(&p, "more than the limit of 1048576 bytes"), "{p:#?}");
}

#[test]
fn alerts_parse_with_defaults_and_cancel_needs_references() {
    let a = content::parse_alert(
        "{\"id\": \"bao-3\", \"status\": \"exercise\", \"severity\": \"extreme\", \"headline\": \"BÃO SỐ 3\"}".as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (a.msg_type, a.status, a.severity),
        (MsgType::Alert, AlertStatus::Exercise, Severity::Extreme)
    );
    assert!(a.severity.is_full_screen() && !Severity::Moderate.is_full_screen());
    let cancel = content::parse_alert(
        br#"{"id": "huy", "msg_type": "cancel", "status": "actual", "references": ["bao-3"]}"#,
    )
    .unwrap();
    assert_eq!(cancel.references, vec!["bao-3"]);
    let p = problems(
        r#"{"id": "huy", "msg_type": "cancel", "status": "actual", "severity": "extreme"}"#,
    );
    assert!(has(&p, "references"), "{p:#?}");
    let p = problems(r#"{"id": "x", "status": "real", "severity": "bad", "headline": null}"#);
    assert!(
        has(&p, "status must be one of actual, exercise, test"),
        "{p:#?}"
    );
    assert!(
        has(
            &p,
            "severity must be one of extreme, severe, moderate, minor"
        ),
        "{p:#?}"
    );
    assert!(has(&p, "headline is required"), "{p:#?}");
}

#[test]
fn envelopes_carry_their_body_and_problems_inside_are_pathed() {
    let body = r#"{"topic": "bangtin/v1/content/vn/ha-noi", "seq": 42, "issued_at": "2026-11-24T08:00:00+07:00", "kind": "channel", "channel": {"items": [{"id": "a", "type": "ticker", "text": "Tin vắn"}]}}"#;
    let sig = base64::engine::general_purpose::STANDARD.encode([0u8; 64]);
    let env =
        serde_json::json!({"v": 1, "key": "huyen-dong-anh", "sig": sig, "body": body}).to_string();
    match content::parse_document(env.as_bytes()).unwrap() {
        Document::Envelope(e, b) => {
            assert_eq!(e.key, "huyen-dong-anh");
            assert_eq!(
                (b.topic.as_str(), b.seq),
                ("bangtin/v1/content/vn/ha-noi", 42)
            );
            assert!(matches!(b.payload, Payload::Channel(ref c) if c.items.len() == 1));
            // The body re-serialises to JSON that parses to the same body.
            assert_eq!(content::parse_body(&b.to_json()).unwrap(), b);
        }
        other => panic!("{other:?}"),
    }
    let bad_body = body
        .replace(r#""seq": 42"#, r#""seq": -1"#)
        .replace("\"ticker\"", "\"film\"");
    let env = serde_json::json!({"v": 2, "key": "k", "sig": "%%%", "body": bad_body}).to_string();
    let p = problems(&env);
    assert!(has(&p, "v must be 1"), "{p:#?}");
    assert!(has(&p, "sig is not valid base64"), "{p:#?}");
    let env = serde_json::json!({"v": 1, "key": "k", "sig": sig, "body": bad_body}).to_string();
    let p = problems(&env);
    assert!(has(&p, "body.seq must be a non-negative integer"), "{p:#?}");
    assert!(
        has(&p, "body.channel.items[0].type must be one of"),
        "{p:#?}"
    );
    let env = serde_json::json!({"v": 1, "key": "k", "sig": sig, "body": "not json"}).to_string();
    let p = problems(&env);
    assert!(
        p.iter().any(|p| p.starts_with("body is not valid JSON")),
        "{p:#?}"
    );
}

#[test]
fn commands_validate_their_arguments() {
    let c = content::parse_command(
        br#"{"id": "req-7", "action": "set_brightness", "args": {"level": 40}}"#,
    )
    .unwrap();
    assert_eq!(c.id, "req-7");
    let err = content::parse_command(
        br#"{"id": "req-8", "action": "set_brightness", "args": {"level": 140}}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("level must be a percentage 0..=100 or null, got 140"),
        "{err}"
    );
    // Back to the schedule, for two hours; unknown arguments and bad durations refused.
    assert!(content::parse_command(
        br#"{"id": "a", "action": "set_brightness", "args": {"level": null, "minutes": 120}}"#
    )
    .is_ok());
    for bad in [
        r#"{"level": 50, "minutes": 0}"#,
        r#"{"level": 50, "for": 3}"#,
        r#"{"minutes": 5}"#,
    ] {
        let doc = format!(r#"{{"id": "b", "action": "set_brightness", "args": {bad}}}"#);
        assert!(content::parse_command(doc.as_bytes()).is_err(), "{bad}");
    }
    let err = content::parse_command(br#"{"id": "req-9", "action": "reboot"}"#).unwrap_err();
    assert!(err.to_string().contains("action must be one of"), "{err}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Beside the libFuzzer targets (fuzz/, bench/fuzz.sh), cheap enough for every test run:
    // mutate a valid document byte by byte.
    let doc = r#"{"items": [{"id": "a", "type": "announcement", "title": "Tiêu đề", "body": "Nội dung", "duration_s": 15, "days": ["mon"], "hours": [{"from": "06:00", "to": "21:00"}]}]}"#.as_bytes();
    let mut state = 0x2545F4914F6CDD1Du64;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut bytes = doc.to_vec();
        let i = (state as usize) % bytes.len();
        bytes[i] = (state >> 32) as u8;
        if state.is_multiple_of(3) {
            bytes.truncate((state >> 40) as usize % bytes.len());
        }
        let _ = content::parse_document(&bytes);
    }
}

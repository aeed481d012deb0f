//! Every message in both languages: complete, and in the officers' own words.

use super::*;

#[test]
fn detect_reads_the_language_part() {
    for v in [
        "vi",
        "vi_VN",
        "vi_VN.UTF-8",
        "vi_VN.utf8",
        "vi_VN@latin",
        "VI_vn",
        "vi-VN",
    ] {
        assert_eq!(Lang::detect(Some(v), None, None), Lang::Vi, "{v}");
    }
    for v in ["en_US.UTF-8", "C", "POSIX", "C.UTF-8", "fr_FR", "vie", "v"] {
        assert_eq!(Lang::detect(Some(v), None, None), Lang::En, "{v}");
    }
}

#[test]
fn detect_takes_the_first_non_empty_in_posix_order() {
    assert_eq!(Lang::detect(None, None, None), Lang::En);
    assert_eq!(Lang::detect(Some(""), Some(""), Some("")), Lang::En);
    assert_eq!(Lang::detect(None, None, Some("vi_VN.UTF-8")), Lang::Vi);
    assert_eq!(Lang::detect(Some(""), Some("vi"), Some("en_US")), Lang::Vi);
    assert_eq!(Lang::detect(Some("  "), None, Some("vi")), Lang::Vi);
    // LC_ALL wins over everything, even when it says English.
    assert_eq!(Lang::detect(Some("C"), Some("vi"), Some("vi")), Lang::En);
    assert_eq!(Lang::detect(None, Some("en_GB"), Some("vi")), Lang::En);
}

#[test]
fn parse_accepts_only_the_two_codes() {
    assert_eq!(Lang::parse("vi"), Ok(Lang::Vi));
    assert_eq!(Lang::parse("EN"), Ok(Lang::En));
    assert_eq!("vi".parse::<Lang>(), Ok(Lang::Vi));
    let err = Lang::parse("fr").unwrap_err();
    assert!(err.contains("vi or en") && err.contains("fr"), "{err}");
    assert_eq!(Lang::parse(Lang::Vi.code()), Ok(Lang::Vi));
}

/// One of every variant. The match below has no wildcard, so a new variant does not
/// compile until it is added here too.
fn every_msg() -> Vec<Msg> {
    let all = vec![
        Msg::HeaderBoard,
        Msg::HeaderName,
        Msg::HeaderArea,
        Msg::HeaderState,
        Msg::HeaderLastSeen,
        Msg::HeaderShowing,
        Msg::HeaderAlert,
        Msg::HeaderChannels,
        Msg::HeaderClock,
        Msg::HeaderLastError,
        Msg::StateOnline,
        Msg::StateOffline,
        Msg::StateStale,
        Msg::ClockSynced,
        Msg::ClockNotSynced,
        Msg::Duration { seconds: 12 },
        Msg::FleetSummary {
            total: 15,
            online: 12,
            offline: 2,
            stale: 1,
        },
        Msg::NoBoardsKnown,
        Msg::NoBoardsInArea {
            area: "vn/ha-noi".into(),
        },
        Msg::ShowingOn {
            showing: 3,
            total: 4,
            offline: vec!["xuan-non-02".into()],
        },
        Msg::ReceivedBy {
            received: 2,
            total: 4,
            offline: vec!["xuan-non-02".into()],
        },
        Msg::Waiting { seconds_left: 20 },
        Msg::AllAcknowledged { total: 4 },
        Msg::NotAcknowledged {
            boards: vec!["a".into(), "b".into()],
        },
        Msg::WaitingBehind {
            board: "xuan-non-01".into(),
            behind: "lu-song-hong".into(),
        },
        Msg::Sent {
            topic: "bangtin/v1/content/vn".into(),
            seq: 42,
        },
        Msg::NothingSent,
        Msg::NoneOnline {
            offline: vec!["xuan-non-02".into()],
        },
        Msg::SentNotConfirmed,
        Msg::AlertHint {
            id: "bao-so-3".into(),
        },
        Msg::ConfirmLiveAlert {
            severity: "extreme".into(),
            area: "vn/ha-noi/dong-anh".into(),
        },
        Msg::ConfirmationMismatch,
        Msg::ConfirmationNeeded {
            severity: "extreme".into(),
            area: "vn/ha-noi/dong-anh".into(),
        },
        Msg::Drill,
        Msg::DryRun {
            path: "preview.png".into(),
        },
        Msg::ScreenshotSaved {
            path: "shot.png".into(),
            width: 1920,
            height: 1080,
        },
        Msg::NoAnswer {
            board: "xuan-non-01".into(),
            seconds: 10,
        },
        Msg::EncodingConverted {
            encoding: "TCVN3".into(),
            before: "Th\u{00B5}nh".into(),
            after: "Thành".into(),
        },
        Msg::ImageRecompressed {
            before_bytes: 2_400_000,
            after_bytes: 180_000,
            width: 1920,
            height: 1080,
        },
        Msg::VideoChecked {
            what: "MP4 H.264".into(),
            width: 1920,
            height: 1080,
            millis: 30_500,
            url: "https://cdn.example.vn/sxh.mp4".into(),
        },
        Msg::ReportWritten { lines: 7 },
        Msg::UndatedPlays { lines: 2 },
    ];
    for m in &all {
        match m {
            Msg::HeaderBoard
            | Msg::HeaderName
            | Msg::HeaderArea
            | Msg::HeaderState
            | Msg::HeaderLastSeen
            | Msg::HeaderShowing
            | Msg::HeaderAlert
            | Msg::HeaderChannels
            | Msg::HeaderClock
            | Msg::HeaderLastError
            | Msg::StateOnline
            | Msg::StateOffline
            | Msg::StateStale
            | Msg::ClockSynced
            | Msg::ClockNotSynced
            | Msg::Duration { .. }
            | Msg::FleetSummary { .. }
            | Msg::NoBoardsKnown
            | Msg::NoBoardsInArea { .. }
            | Msg::ShowingOn { .. }
            | Msg::ReceivedBy { .. }
            | Msg::Waiting { .. }
            | Msg::AllAcknowledged { .. }
            | Msg::NotAcknowledged { .. }
            | Msg::WaitingBehind { .. }
            | Msg::Sent { .. }
            | Msg::NothingSent
            | Msg::NoneOnline { .. }
            | Msg::SentNotConfirmed
            | Msg::AlertHint { .. }
            | Msg::ConfirmLiveAlert { .. }
            | Msg::ConfirmationMismatch
            | Msg::ConfirmationNeeded { .. }
            | Msg::Drill
            | Msg::DryRun { .. }
            | Msg::ScreenshotSaved { .. }
            | Msg::NoAnswer { .. }
            | Msg::EncodingConverted { .. }
            | Msg::ImageRecompressed { .. }
            | Msg::VideoChecked { .. }
            | Msg::ReportWritten { .. }
            | Msg::UndatedPlays { .. } => {}
        }
    }
    all
}

#[test]
fn every_message_has_distinct_non_empty_vietnamese_and_english() {
    let all = every_msg();
    assert_eq!(all.len(), 42);
    for m in &all {
        let vi = m.text(Lang::Vi);
        let en = m.text(Lang::En);
        assert!(!vi.trim().is_empty(), "{m:?} has no Vietnamese");
        assert!(!en.trim().is_empty(), "{m:?} has no English");
        assert_ne!(vi, en, "{m:?} is not translated");
        assert!(
            !vi.contains('\n') && !en.contains('\n'),
            "{m:?} is not one line"
        );
    }
}

#[test]
fn vietnamese_is_precomposed() {
    // NFC Vietnamese has no combining marks: every letter with its diacritics is one char.
    for m in every_msg() {
        let vi = m.text(Lang::Vi);
        let combining = vi.chars().find(|c| ('\u{0300}'..='\u{036F}').contains(c));
        assert_eq!(combining, None, "{m:?}: {vi}");
    }
    assert_eq!(Msg::StateOffline.text(Lang::Vi).chars().count(), 11);
}

#[test]
fn values_appear_in_both_languages() {
    let m = Msg::Sent {
        topic: "bangtin/v1/alert/vn".into(),
        seq: 42,
    };
    for lang in [Lang::Vi, Lang::En] {
        let t = m.text(lang);
        assert!(t.contains("bangtin/v1/alert/vn") && t.contains("42"), "{t}");
    }
    assert_eq!(
        Msg::FleetSummary {
            total: 15,
            online: 12,
            offline: 2,
            stale: 1
        }
        .text(Lang::En),
        "15 boards: 12 online, 2 offline, 1 not reporting"
    );
    assert_eq!(
        Msg::FleetSummary {
            total: 1,
            online: 1,
            offline: 0,
            stale: 0
        }
        .text(Lang::En),
        "1 board: 1 online, 0 offline, 0 not reporting"
    );
    assert_eq!(
        Msg::FleetSummary {
            total: 15,
            online: 12,
            offline: 2,
            stale: 1
        }
        .text(Lang::Vi),
        "15 bảng tin: 12 trực tuyến, 2 ngoại tuyến, 1 không báo cáo"
    );
}

#[test]
fn durations_round_down_to_one_unit() {
    let en = |s| Msg::Duration { seconds: s }.text(Lang::En);
    let vi = |s| Msg::Duration { seconds: s }.text(Lang::Vi);
    assert_eq!(en(0), "0 s");
    assert_eq!(en(12), "12 s");
    assert_eq!(en(59), "59 s");
    assert_eq!(en(60), "1 min");
    assert_eq!(en(5 * 60 + 59), "5 min");
    assert_eq!(en(3 * 3600 + 1), "3 h");
    assert_eq!(en(2 * 86_400 + 7), "2 d");
    assert_eq!(vi(12), "12 giây");
    assert_eq!(vi(300), "5 phút");
    assert_eq!(vi(3 * 3600), "3 giờ");
    assert_eq!(vi(2 * 86_400), "2 ngày");
}

#[test]
fn long_board_lists_are_cut_with_a_count() {
    let boards: Vec<String> = (1..=13).map(|i| format!("b{i}")).collect();
    let m = Msg::NotAcknowledged { boards };
    let en = m.text(Lang::En);
    assert!(
        en.starts_with("13 boards did not acknowledge: b1, b2"),
        "{en}"
    );
    assert!(en.contains("b10 and 3 more") && !en.contains("b11"), "{en}");
    let vi = m.text(Lang::Vi);
    assert!(vi.contains("b10 và 3 bảng tin khác"), "{vi}");
    let one = Msg::NotAcknowledged {
        boards: vec!["x".into()],
    };
    assert_eq!(one.text(Lang::En), "1 board did not acknowledge: x.");
}

#[test]
fn showing_on_names_offline_boards_only_when_there_are_some() {
    let all = Msg::ShowingOn {
        showing: 4,
        total: 4,
        offline: vec![],
    };
    assert_eq!(all.text(Lang::En), "4/4 boards showing it.");
    let some = Msg::ShowingOn {
        showing: 2,
        total: 4,
        offline: vec!["a".into(), "b".into()],
    };
    assert_eq!(some.text(Lang::En), "2/4 boards showing it; offline: a, b.");
    assert!(some.text(Lang::Vi).ends_with("; ngoại tuyến: a, b."));
}

#[test]
fn live_alert_prompt_translates_the_severity() {
    let m = Msg::ConfirmLiveAlert {
        severity: "extreme".into(),
        area: "vn/ha-noi".into(),
    };
    let vi = m.text(Lang::Vi);
    assert!(
        vi.contains("THẬT") && vi.contains("CỰC KỲ NGHIÊM TRỌNG"),
        "{vi}"
    );
    assert!(vi.contains("vn/ha-noi"), "{vi}");
    let en = m.text(Lang::En);
    assert!(en.contains("LIVE") && en.contains("EXTREME"), "{en}");
    let odd = Msg::ConfirmLiveAlert {
        severity: "unknown".into(),
        area: "vn".into(),
    };
    assert!(odd.text(Lang::Vi).contains("unknown"));
}

#[test]
fn sizes_use_the_local_decimal_mark() {
    let m = Msg::ImageRecompressed {
        before_bytes: 2_400_000,
        after_bytes: 180_400,
        width: 1920,
        height: 1080,
    };
    assert_eq!(
        m.text(Lang::En),
        "Image recompressed: 2.4 MB -> 180 kB (1920x1080)."
    );
    assert_eq!(
        m.text(Lang::Vi),
        "Ảnh đã được nén lại: 2,4 MB -> 180 kB (1920x1080)."
    );
    assert_eq!(bytes(999, false), "999 B");
}

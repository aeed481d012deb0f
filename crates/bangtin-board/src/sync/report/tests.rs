//! The reporter's state machine, without a broker.

use super::*;

fn identity() -> Identity {
    Identity {
        board: BoardIdentity {
            id: "xn-01".into(),
            area: vec!["vn".into(), "ha-noi".into()],
            prefix: "bangtin/v1".into(),
        },
        name: "UBND xã".into(),
        timezone: bangtin_vi::calendar::VIETNAM,
        display: (1920, 1080, 0),
    }
}

fn t(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

fn published(actions: &[Action], leaf: &str) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Publish {
                leaf: l, payload, ..
            } if *l == leaf => Some(payload.clone()),
            _ => None,
        })
        .collect()
}

fn record(n: u64) -> Record {
    Record {
        n,
        item: "a".into(),
        topic: "bangtin/v1/content/vn".into(),
        seq: 1,
        from: t("2026-11-24T08:00:00+07:00"),
        to: t("2026-11-24T08:00:10+07:00"),
        clock_trusted: true,
    }
}

fn connected() -> (Reporter, Instant) {
    let now = Instant::now();
    let mut r = Reporter::new(identity(), t("2026-11-24T08:00:00+07:00"), now);
    let actions = r.handle(Report::Connected, now);
    assert!(actions.contains(&Action::WantFigures));
    assert!(actions.contains(&Action::FetchBatch { max: BATCH }));
    (r, now)
}

#[test]
fn only_the_echo_of_the_batch_in_flight_confirms_it() {
    let (mut r, now) = connected();
    let out = r.batch(vec![record(1), record(2), record(3)], now);
    assert_eq!(published(&out, "played").len(), 1);
    // A forged echo naming other numbers, or another board, moves nothing.
    let forged = json!({"board": "xn-01", "items": [{"n": 1}, {"n": 9}]});
    assert!(r
        .handle(Report::Echo(forged.to_string().into_bytes()), now)
        .is_empty());
    let other = json!({"board": "xn-02", "items": [{"n": 1}, {"n": 3}]});
    assert!(r
        .handle(Report::Echo(other.to_string().into_bytes()), now)
        .is_empty());
    // The real echo marks the records sent and asks for the next batch at once.
    let real = batch("xn-01", &[record(1), record(2), record(3)]);
    let out = r.handle(Report::Echo(real.to_string().into_bytes()), now);
    assert_eq!(out[0], Action::MarkSent { last: 3 });
    assert!(out.contains(&Action::FetchBatch { max: BATCH }));
}

#[test]
fn a_batch_not_echoed_is_sent_again_after_the_timeout() {
    let (mut r, now) = connected();
    r.batch(vec![record(1)], now);
    // Within the timeout no new batch is fetched.
    let out = r.tick(now + PLAYED_EVERY);
    assert!(!out.contains(&Action::FetchBatch { max: BATCH }));
    let out = r.tick(now + ECHO_TIMEOUT + PLAYED_EVERY);
    assert!(out.contains(&Action::FetchBatch { max: BATCH }));
}

#[test]
fn acks_made_offline_are_held_and_sent_at_the_next_connection() {
    let now = Instant::now();
    let mut r = Reporter::new(identity(), t("2026-11-24T08:00:00+07:00"), now);
    let received = Report::Received {
        topic: "bangtin/v1/alert/vn".into(),
        seq: 5,
        at: t("2026-11-24T08:00:01+07:00"),
        clock_trusted: false,
        alert: Some("lu".into()),
    };
    assert!(
        r.handle(received, now).is_empty(),
        "nothing published offline"
    );
    let shown = Report::Shown {
        topic: "bangtin/v1/alert/vn".into(),
        seq: 5,
        at: t("2026-11-24T08:00:02+07:00"),
        clock_trusted: true,
    };
    assert!(r.handle(shown, now).is_empty());
    let out = r.handle(Report::Connected, now);
    let acks = published(&out, "ack");
    assert_eq!(acks.len(), 2, "{out:?}");
    assert_eq!(acks[0]["shown_at"], Value::Null);
    assert_eq!(acks[1]["shown_at"], "2026-11-24T08:00:02+07:00");
    assert_eq!(acks[1]["alert"], "lu");
    // Received before the clock was trusted: the ack says so.
    assert_eq!(acks[1]["clock_trusted"], false);
    // A second "shown" of the same message acks nothing more.
    let again = Report::Shown {
        topic: "bangtin/v1/alert/vn".into(),
        seq: 5,
        at: t("2026-11-24T08:00:03+07:00"),
        clock_trusted: true,
    };
    assert!(published(&r.handle(again, now), "ack").is_empty());
}

#[test]
fn status_comes_every_minute_and_soon_after_a_new_error_but_not_per_refusal() {
    let (mut r, now) = connected();
    let figures = StatusFigures::default();
    let out = r.status(&figures, now);
    let status = &published(&out, "status")[0];
    assert_eq!(status["display"]["width"], 1920);
    assert_eq!(status["area"], "vn/ha-noi");
    assert!(!r
        .tick(now + Duration::from_secs(30))
        .contains(&Action::WantFigures));
    for i in 0..100 {
        r.handle(
            Report::Rejected {
                topic: "t".into(),
                reason: format!("forged {}", i % 2),
            },
            now,
        );
    }
    let soon = now + ERROR_STATUS_EVERY;
    assert!(r.tick(soon).contains(&Action::WantFigures));
    r.status(&figures, soon);
    // The same error again changes nothing: the next status is the minute's.
    r.handle(
        Report::Rejected {
            topic: "t".into(),
            reason: "forged 1".into(),
        },
        soon,
    );
    assert!(!r
        .tick(soon + ERROR_STATUS_EVERY)
        .contains(&Action::WantFigures));
    assert!(r.tick(soon + STATUS_EVERY).contains(&Action::WantFigures));
}

#[test]
fn a_reload_changes_the_name_status_shows() {
    let (mut r, now) = connected();
    let mut renamed = identity();
    renamed.name = "UBND xã mới".into();
    let out = r.handle(Report::Identity(renamed), now);
    assert!(out.contains(&Action::WantFigures));
    let status = &published(&r.status(&StatusFigures::default(), now), "status")[0];
    assert_eq!(status["name"], "UBND xã mới");
}

#[test]
fn an_alert_waiting_behind_another_says_so_once_then_acks_when_shown() {
    let (mut r, now) = connected();
    let topic = "bangtin/v1/alert/vn/ha-noi";
    let received = |seq: u64, id: &str| Report::Received {
        topic: topic.into(),
        seq,
        at: t("2026-11-24T02:00:00+07:00"),
        clock_trusted: true,
        alert: Some(id.into()),
    };
    let waiting = |id: &str, behind: &str| {
        (
            id.to_owned(),
            AlertState::Waiting {
                behind: behind.into(),
            },
        )
    };
    // The flood warning is on screen; a severe road warning arrives and waits behind it.
    r.handle(received(1, "lu"), now);
    r.handle(
        Report::Alerts(vec![("lu".into(), AlertState::OnScreen)]),
        now,
    );
    let acks = published(&r.handle(received(2, "duong"), now), "ack");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["shown_at"], Value::Null);
    assert_eq!(acks[0].get("waiting_behind"), None, "not known yet");
    let alerts = vec![("lu".into(), AlertState::OnScreen), waiting("duong", "lu")];
    let out = r.handle(Report::Alerts(alerts.clone()), now);
    let acks = published(&out, "ack");
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(acks[0]["seq"], 2);
    assert_eq!(acks[0]["waiting_behind"], "lu");
    assert!(
        out.contains(&Action::WantFigures),
        "status lists the alerts"
    );
    // The same states again: nothing more.
    assert!(r.handle(Report::Alerts(alerts), now).is_empty());
    // Status lists every active alert with its state, at the time it is given.
    let figures = StatusFigures {
        at: Some(t("2026-11-24T02:00:05+07:00")),
        ..StatusFigures::default()
    };
    let status = &published(&r.status(&figures, now), "status")[0];
    assert_eq!(status["at"], "2026-11-24T02:00:05+07:00");
    assert_eq!(
        status["alerts"],
        json!([{"id": "lu", "state": "on_screen"},
               {"id": "duong", "state": "waiting", "behind": "lu"}])
    );
    // Its turn comes: the ack with shown_at, without waiting_behind.
    let out = r.handle(
        Report::Shown {
            topic: topic.into(),
            seq: 2,
            at: t("2026-11-24T02:00:15+07:00"),
            clock_trusted: true,
        },
        now,
    );
    let acks = published(&out, "ack");
    assert_eq!(acks[0]["shown_at"], "2026-11-24T02:00:15+07:00");
    assert_eq!(acks[0].get("waiting_behind"), None);
    // An alert accepted while another's states already say it waits: told in its receipt ack.
    r.handle(
        Report::Alerts(vec![
            ("duong".into(), AlertState::OnScreen),
            waiting("chay", "duong"),
        ]),
        now,
    );
    let acks = published(&r.handle(received(3, "chay"), now), "ack");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["waiting_behind"], "duong");
}

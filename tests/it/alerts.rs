//! Several emergencies at once, in simulated time: a new alert at least as severe as every
//! active one takes the screen at the next tick, whatever phase the alternation is in, keeps it
//! for a first look, then every alert gets its whole turn; a cancel hands over at once; less
//! severe ones wait for their turn and say so.

use bangtin_board::schedule::{
    turn_length, AlertSet, AlertState, Clock, Program, Scheduler, Show, ALERT_ALTERNATE,
};
use bangtin_protocol::content::{self, Item};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::time::Duration;

const SEVERITY: [&str; 4] = ["minor", "moderate", "severe", "extreme"];

struct Sim {
    scheduler: Scheduler,
    alerts: AlertSet,
    clock: Clock,
}

impl Sim {
    fn new() -> Sim {
        Sim {
            scheduler: Scheduler::default(),
            alerts: AlertSet::default(),
            clock: Clock {
                now: chrono::DateTime::parse_from_rfc3339("2026-11-24T02:00:00+07:00").unwrap(),
                mono: Duration::from_secs(1_000),
                trusted: true,
            },
        }
    }

    fn add(&mut self, id: &str, severity: &str) {
        let json = format!(
            r#"{{"id": "{id}", "status": "actual", "severity": "{severity}", "headline": "Cảnh báo {id}"}}"#
        );
        let a = content::parse_alert(json.as_bytes()).unwrap();
        let c = self.clock;
        self.alerts.apply(&a, c.now, &c);
    }

    fn cancel(&mut self, id: &str) {
        let json = format!(
            r#"{{"id": "huy-{id}", "msg_type": "cancel", "status": "actual", "references": ["{id}"]}}"#
        );
        let a = content::parse_alert(json.as_bytes()).unwrap();
        let c = self.clock;
        self.alerts.apply(&a, c.now, &c);
    }

    fn tick(&mut self) -> Program {
        let none: [(&str, &Item); 0] = [];
        self.alerts.expire(&self.clock);
        self.scheduler
            .tick(&none, &|_, _| 1, &self.alerts, &|_| 1, &self.clock)
    }

    /// What is shown, full screen or as the banner.
    fn shown(&mut self) -> String {
        let p = self.tick();
        match (&p.show, &p.banner) {
            (Show::Alert { id, .. }, _) => id.clone(),
            (_, Some(b)) => format!("banner:{b}"),
            _ => "(none)".into(),
        }
    }

    /// `secs` seconds in 1 s ticks; what was shown each second.
    fn run(&mut self, secs: u64) -> Vec<String> {
        (0..secs)
            .map(|_| {
                let s = self.shown();
                self.clock = self.clock.later(1);
                s
            })
            .collect()
    }
}

fn runs(shows: &[String]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for s in shows {
        match out.last_mut() {
            Some((last, n)) if last == s => *n += 1,
            _ => out.push((s.clone(), 1)),
        }
    }
    out
}

/// `n - 1` extreme alerts alternate; a new one arrives at every second of their cycle. It is on
/// screen at the next tick and for a whole turn; then each of the `n` has its whole turn, and
/// all are seen within `n` turns.
fn a_new_alert_interrupts_the_alternation_at_every_phase(n: usize) {
    let turn = turn_length(1).as_secs();
    let cycle = (n as u64 - 1) * turn;
    for phase in 0..cycle {
        let mut sim = Sim::new();
        for k in 0..n - 1 {
            sim.add(&format!("cu-{k}"), "extreme");
        }
        sim.run(phase);
        sim.add("moi", "extreme");
        let shows = sim.run(n as u64 * turn);
        let r = runs(&shows);
        assert_eq!(
            r[0],
            ("moi".to_owned(), turn),
            "{n} alerts, arrival {phase} s into the cycle: {r:?}"
        );
        assert!(
            r[1..r.len() - 1].iter().all(|(_, len)| *len == turn),
            "{n} alerts, arrival at {phase} s: every alert its whole turn: {r:?}"
        );
        let seen: BTreeSet<&str> = shows.iter().map(String::as_str).collect();
        assert_eq!(
            seen.len(),
            n,
            "{n} alerts, arrival at {phase} s: all seen within {n} turns: {r:?}"
        );
    }
}

#[test]
fn a_second_alert_is_shown_at_once_at_every_phase() {
    a_new_alert_interrupts_the_alternation_at_every_phase(2);
}

#[test]
fn a_fifth_alert_among_four_is_shown_at_once_at_every_phase() {
    a_new_alert_interrupts_the_alternation_at_every_phase(5);
}

#[test]
fn a_fiftieth_alert_among_forty_nine_is_shown_at_once_at_every_phase() {
    a_new_alert_interrupts_the_alternation_at_every_phase(50);
}

#[test]
fn an_update_restarts_its_first_look_and_a_cancel_hands_over_at_once() {
    let mut sim = Sim::new();
    sim.add("lu", "extreme");
    sim.add("dap", "extreme");
    sim.add("bao", "extreme");
    // bao (newest) for its first look, then dap, lu, bao...
    let shows = sim.run(20);
    assert_eq!(runs(&shows), [("bao".into(), 15), ("dap".into(), 5)]);
    // An update of lu (waiting) is a new arrival: shown at once.
    let json = r#"{"id": "lu-2", "msg_type": "update", "references": ["lu"], "status": "actual", "severity": "extreme", "headline": "Lũ lên"}"#;
    let up = content::parse_alert(json.as_bytes()).unwrap();
    let c = sim.clock;
    sim.alerts.apply(&up, c.now, &c);
    assert_eq!(runs(&sim.run(15)), [("lu-2".into(), 15)]);
    // Cancelled while on screen: the next one at the next tick, not the idle slide.
    sim.run(3);
    let on = sim.shown();
    sim.cancel(&on);
    let next = sim.shown();
    assert!(
        next != on && next != "(none)",
        "{on} cancelled, then {next}"
    );
}

#[test]
fn a_less_severe_alert_waits_for_its_turn_and_says_behind_which() {
    let mut sim = Sim::new();
    sim.add("lu", "extreme");
    sim.tick();
    sim.add("duong", "severe");
    assert_eq!(sim.shown(), "lu", "the extreme one keeps the screen");
    let states = sim.scheduler.alert_states(&sim.alerts, &sim.clock);
    assert_eq!(
        states,
        [
            ("lu".to_owned(), AlertState::OnScreen),
            (
                "duong".to_owned(),
                AlertState::Waiting {
                    behind: "lu".into()
                }
            )
        ]
    );
    // Its turn comes within one alternation period.
    let shows = sim.run(ALERT_ALTERNATE.as_secs() + 1);
    assert!(shows.contains(&"duong".to_owned()), "{shows:?}");
    // Without a full-screen alert, moderate ones are banners, taking turns too.
    let mut sim = Sim::new();
    sim.add("a", "moderate");
    sim.add("b", "minor");
    assert_eq!(sim.shown(), "banner:a");
    let states = sim.scheduler.alert_states(&sim.alerts, &sim.clock);
    assert_eq!(states[0], ("a".to_owned(), AlertState::Banner));
    let shows = sim.run(2 * ALERT_ALTERNATE.as_secs());
    assert!(shows.contains(&"banner:b".to_owned()), "{shows:?}");
}

#[derive(Debug, Clone)]
enum Step {
    Add(usize),
    Cancel(usize),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..4).prop_map(Step::Add),
        (0usize..40).prop_map(Step::Cancel),
        (1u64..40).prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_new_alert_at_least_as_severe_as_all_active_ones_is_shown_at_the_next_tick(
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let mut sim = Sim::new();
        let mut added = 0usize;
        for s in steps {
            match s {
                Step::Add(sev) => {
                    let top = sim.alerts.active(&sim.clock).first().map(|a| a.alert.severity);
                    let id = format!("a{added}");
                    added += 1;
                    sim.add(&id, SEVERITY[sev]);
                    let severity = sim.alerts.get(&id).unwrap().alert.severity;
                    let shown = sim.shown();
                    if top.is_none_or(|t| severity >= t) {
                        let want = if severity.is_full_screen() { id.clone() } else { format!("banner:{id}") };
                        prop_assert_eq!(shown, want);
                    }
                }
                Step::Cancel(k) => {
                    sim.cancel(&format!("a{k}"));
                    let shown = sim.shown();
                    let active = sim.alerts.active(&sim.clock);
                    prop_assert_eq!(shown == "(none)", active.is_empty(), "nothing shown while alerts are active");
                }
                Step::Wait(secs) => {
                    sim.run(secs);
                }
            }
            let p = sim.tick();
            prop_assert!(p.until > sim.clock.mono);
        }
    }
}

mod end_to_end {
    //! A real broker, a headless board and the `bangtin alert` command.

    use crate::staff::{bangtin, start_board, text, wait_fleet, Watch, PREFIX};
    use bangtin_testkit::board::{alert, send, share, ALERTS, EXTREME, IDLE};
    use bangtin_testkit::{embedded_broker, temp_dir};
    use chrono::{DateTime, FixedOffset};
    use serde_json::{json, Value};
    use std::time::Duration;

    const FLOOD: &str = r#"{"id": "lu-song-ca-lo", "msg_type": "alert", "status": "actual",
        "severity": "extreme", "headline": "LŨ KHẨN CẤP TRÊN SÔNG CÀ LỒ",
        "instruction": "Di chuyển ngay lên vùng cao."}"#;
    const DAM: &str = r#"{"id": "vo-dap-xuan-non", "msg_type": "alert", "status": "actual",
        "severity": "extreme", "headline": "NGUY CƠ VỠ ĐẬP XUÂN NỘN",
        "instruction": "Sơ tán ngay khỏi vùng trũng."}"#;

    fn at(v: &Value, field: &str) -> DateTime<FixedOffset> {
        v[field].as_str().unwrap().parse().unwrap()
    }

    #[test]
    fn a_second_extreme_alert_20_s_after_the_first_is_shown_at_once_and_a_lesser_one_waits() {
        let dir = temp_dir("alerts-second");
        let port = embedded_broker();
        let url = format!("mqtt://127.0.0.1:{port}");
        let b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
        wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
        b.wait_for("the idle slide", |f| share(f, IDLE) > 0.3);
        let watch = Watch::start(port, &format!("{PREFIX}/board/xuan-non-01/+"));
        let ack = |v: &Value, topic: &str, alert: &str| {
            v["topic"] == topic && v["alert"] == alert && v["shown_at"].is_string()
        };

        // The district's flood warning takes the screen.
        send(port, ALERTS, 1, alert(FLOOD));
        watch.wait_for("the flood warning shown", 30, |t, v| {
            t.ends_with("/ack") && ack(v, ALERTS, "lu-song-ca-lo")
        });
        std::thread::sleep(Duration::from_secs(20));

        // Twenty seconds later, the commune's dam-break warning: on screen at once, not at its
        // place in the alternation (up to 15 s later before).
        let commune = format!("{ALERTS}/xuan-non");
        send(port, &commune, 1, alert(DAM));
        let shown = watch.wait_for("the dam-break warning shown", 30, |t, v| {
            t.ends_with("/ack") && ack(v, &commune, "vo-dap-xuan-non")
        });
        let delay = at(&shown, "shown_at") - at(&shown, "received_at");
        assert!(
            delay < chrono::TimeDelta::seconds(3),
            "shown {delay} after it was received: {shown}"
        );
        b.wait_for("a full-screen warning", |f| share(f, EXTREME) > 0.3);

        // Status lists both, the flood warning waiting behind the new one.
        let both = json!([
            {"id": "vo-dap-xuan-non", "state": "on_screen"},
            {"id": "lu-song-ca-lo", "state": "waiting", "behind": "vo-dap-xuan-non"}
        ]);
        watch.wait_for("status listing both alerts", 10, |t, v| {
            t.ends_with("/status") && v["alerts"] == both
        });

        // A severe (less severe) warning: the officer is told it waits, not that it timed out.
        let key = crate::staff::key_file(&dir);
        let out = bangtin(
            &dir,
            &[
                "alert",
                "--key",
                key.to_str().unwrap(),
                "--broker",
                &url,
                "--area",
                "vn/ha-noi/dong-anh",
                "--severity",
                "severe",
                "--headline",
                "Ngập sâu đường liên xã",
                "--id",
                "ngap-duong",
                "--confirm",
                "dong-anh",
                "--wait",
                "5",
                "--lang",
                "en",
            ],
        );
        let said = text(&out);
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains("xuan-non-01: received, waiting behind alert "),
            "{said}"
        );
        assert!(!said.contains("did not acknowledge"), "{said}");
        let waiting = watch.wait_for("the waiting ack", 10, |t, v| {
            t.ends_with("/ack") && v["alert"] == "ngap-duong" && v["waiting_behind"].is_string()
        });
        assert_eq!(waiting["shown_at"], Value::Null);
    }
}

//! The programme in simulated time: rotation, priority, day-parting, alerts preempting and
//! ending, restarts and clock jumps; and properties over random content and times.

use bangtin_board::schedule::{
    AlertChange, AlertSet, Clock, ItemKey, Program, RotationState, Scheduler, Show,
};
use bangtin_protocol::content::{self, Alert, Item};
use proptest::prelude::*;
use std::collections::HashMap;
use std::time::Duration;

const T: &str = "bangtin/v1/content/vn/ha-noi";

fn items(json: &str) -> Vec<Item> {
    content::parse_channel(format!(r#"{{"items": [{json}]}}"#).as_bytes())
        .unwrap()
        .items
}

fn alert(json: &str) -> Alert {
    content::parse_alert(json.as_bytes()).unwrap()
}

fn clock(at: &str) -> Clock {
    Clock {
        now: chrono::DateTime::parse_from_rfc3339(at).unwrap(),
        mono: Duration::from_secs(1_000),
        trusted: true,
    }
}

struct Sim {
    scheduler: Scheduler,
    alerts: AlertSet,
    clock: Clock,
    pages: HashMap<String, u32>,
}

impl Sim {
    fn new(at: &str) -> Sim {
        Sim {
            scheduler: Scheduler::default(),
            alerts: AlertSet::default(),
            clock: clock(at),
            pages: HashMap::new(),
        }
    }

    fn tick(&mut self, content: &[Item]) -> Program {
        let list: Vec<(&str, &Item)> = content.iter().map(|i| (T, i)).collect();
        let pages = |_: &str, i: &Item| self.pages.get(&i.id).copied().unwrap_or(1);
        self.alerts.expire(&self.clock);
        self.scheduler
            .tick(&list, &pages, &self.alerts, &|_| 1, &self.clock)
    }

    fn advance(&mut self, secs: u64) {
        self.clock = self.clock.later(secs);
    }

    /// Runs `secs` of simulated time in 1 s ticks; returns what was on screen each second.
    fn run(&mut self, content: &[Item], secs: u64) -> Vec<Show> {
        (0..secs)
            .map(|_| {
                let p = self.tick(content);
                self.advance(1);
                p.show
            })
            .collect()
    }
}

fn id(show: &Show) -> &str {
    match show {
        Show::Item { key, .. } => &key.id,
        Show::Alert { id, .. } => id,
        Show::Idle => "(idle)",
    }
}

/// Runs of the same thing on screen: (id, seconds).
fn runs(shows: &[Show]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for s in shows {
        match out.last_mut() {
            Some((last, n)) if last == id(s) => *n += 1,
            _ => out.push((id(s).to_owned(), 1)),
        }
    }
    out
}

#[test]
fn items_rotate_each_for_its_duration_and_tickers_go_to_the_footer() {
    let content = items(
        r#"{"id": "a", "type": "announcement", "title": "A", "duration_s": 10},
           {"id": "b", "type": "announcement", "title": "B", "duration_s": 20},
           {"id": "tin", "type": "ticker", "text": "Tin vắn"},
           {"id": "c", "type": "announcement", "title": "C", "duration_s": 5}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    let first = sim.tick(&content);
    assert_eq!(first.tickers, vec![ItemKey::new(T, "tin")]);
    assert_eq!(first.until, sim.clock.mono + Duration::from_secs(10));
    assert!(matches!(first.next, Some(Show::Item { ref key, .. }) if key.id == "b"));
    let shows = sim.run(&content, 70);
    assert_eq!(
        runs(&shows)[..5],
        [
            ("a".into(), 10),
            ("b".into(), 20),
            ("c".into(), 6),
            ("a".into(), 10),
            ("b".into(), 20)
        ],
        "c's 5 s is raised to the 6 s minimum a page stays up"
    );
}

#[test]
fn long_items_share_their_time_between_pages_with_a_minimum_per_page() {
    let content = items(
        r#"{"id": "dai", "type": "announcement", "body": "…", "duration_s": 30}, {"id": "ngan", "type": "announcement", "body": "x", "duration_s": 10}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.pages.insert("dai".into(), 3);
    let mut pages_seen = Vec::new();
    for _ in 0..30 {
        if let Show::Item { page, pages, .. } = sim.tick(&content).show {
            pages_seen.push((page, pages));
        }
        sim.advance(1);
    }
    assert_eq!(pages_seen.iter().filter(|p| **p == (0, 3)).count(), 10);
    assert_eq!(pages_seen.iter().filter(|p| **p == (1, 3)).count(), 10);
    assert_eq!(pages_seen.iter().filter(|p| **p == (2, 3)).count(), 10);
    // Ten pages in 30 s would be 3 s each: raised to 6 s.
    sim.pages.insert("dai".into(), 10);
    let mut sim2 = Sim::new("2026-11-24T08:00:00+07:00");
    sim2.pages.insert("dai".into(), 10);
    let shows = sim2.run(&content, 60);
    assert_eq!(runs(&shows)[0], ("dai".into(), 60), "10 pages x 6 s");
}

#[test]
fn priority_items_come_first_and_at_least_twice_as_often() {
    let content = items(
        r#"{"id": "n1", "type": "announcement", "title": "1"},
           {"id": "p1", "type": "announcement", "title": "P", "class": "priority"},
           {"id": "n2", "type": "announcement", "title": "2"},
           {"id": "n3", "type": "announcement", "title": "3"},
           {"id": "n4", "type": "announcement", "title": "4"},
           {"id": "p2", "type": "announcement", "title": "Q", "class": "priority"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    let shows = sim.run(&content, 24 * 3600);
    let r = runs(&shows);
    assert_eq!(r[0].0, "p1", "a priority item opens the cycle");
    assert_eq!(r[1].0, "p2");
    let mut count: HashMap<String, u64> = HashMap::new();
    for (i, _) in &r {
        *count.entry(i.clone()).or_default() += 1;
    }
    for p in ["p1", "p2"] {
        for n in ["n1", "n2", "n3", "n4"] {
            assert!(
                count[p] >= 2 * count[n] - 1,
                "{p} {} vs {n} {}",
                count[p],
                count[n]
            );
        }
    }
}

#[test]
fn a_day_of_day_parting() {
    let content = items(
        r#"{"id": "sang", "type": "announcement", "title": "Buổi sáng", "hours": [{"from": "06:00", "to": "11:00"}]},
           {"id": "dem", "type": "announcement", "title": "Ban đêm", "hours": [{"from": "21:00", "to": "06:00"}]},
           {"id": "tuan", "type": "announcement", "title": "Cuối tuần", "days": ["sat", "sun"]}"#,
    );
    // Friday 2026-11-27, from midnight, a whole day in 10 s steps.
    let mut sim = Sim::new("2026-11-27T00:00:00+07:00");
    let mut seen: HashMap<String, Vec<u32>> = HashMap::new();
    for _ in 0..(24 * 360) {
        let hour = chrono::Timelike::hour(&sim.clock.now);
        let p = sim.tick(&content);
        seen.entry(id(&p.show).to_owned()).or_default().push(hour);
        sim.advance(10);
    }
    assert!(seen["sang"].iter().all(|h| (6..11).contains(h)));
    assert!(seen["dem"].iter().all(|h| *h >= 21 || *h < 6));
    assert!(!seen.contains_key("tuan"), "not on a Friday");
    assert!(
        seen["(idle)"].iter().all(|h| (11..21).contains(h)),
        "nothing valid from 11 to 21: the idle slide"
    );
}

#[test]
fn an_alert_arriving_mid_slot_preempts_in_the_same_tick_and_rotation_resumes_where_it_was() {
    let content = items(
        r#"{"id": "a", "type": "announcement", "title": "A", "duration_s": 30},
           {"id": "b", "type": "announcement", "title": "B", "duration_s": 30}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.run(&content, 35); // 5 s into b
    assert_eq!(id(&sim.tick(&content).show), "b");
    let bao =
        alert(r#"{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO"}"#);
    assert_eq!(
        sim.alerts.apply(&bao, sim.clock.now, &sim.clock),
        AlertChange::Added("bao".into())
    );
    let p = sim.tick(&content);
    assert_eq!(
        p.show,
        Show::Alert {
            id: "bao".into(),
            page: 0,
            pages: 1
        }
    );
    sim.run(&content, 600);
    let cancel =
        alert(r#"{"id": "huy", "msg_type": "cancel", "status": "actual", "references": ["bao"]}"#);
    assert_eq!(
        sim.alerts.apply(&cancel, sim.clock.now, &sim.clock),
        AlertChange::Cancelled(vec!["bao".into()])
    );
    // b again, with the 25 s it had left.
    let shows = sim.run(&content, 40);
    assert_eq!(runs(&shows)[0], ("b".into(), 25));
}

#[test]
fn updates_replace_cancels_end_and_alerts_expire_after_six_hours() {
    let content = items(r#"{"id": "a", "type": "announcement", "title": "A"}"#);
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.alerts.apply(
        &alert(r#"{"id": "lu-1", "status": "actual", "severity": "severe", "headline": "Lũ"}"#),
        sim.clock.now,
        &sim.clock,
    );
    assert_eq!(id(&sim.tick(&content).show), "lu-1");
    let up = alert(
        r#"{"id": "lu-2", "msg_type": "update", "references": ["lu-1"], "status": "actual", "severity": "extreme", "headline": "Lũ lớn"}"#,
    );
    assert_eq!(
        sim.alerts.apply(&up, sim.clock.now, &sim.clock),
        AlertChange::Updated {
            id: "lu-2".into(),
            replaced: vec!["lu-1".into()]
        }
    );
    assert_eq!(id(&sim.tick(&content).show), "lu-2");
    assert_eq!(sim.alerts.len(), 1);
    sim.advance(6 * 3600 - 1);
    assert_eq!(id(&sim.tick(&content).show), "lu-2");
    sim.advance(1);
    assert_eq!(
        id(&sim.tick(&content).show),
        "a",
        "six hours after receipt, with no expires"
    );
    // An explicit expires wins.
    let short = alert(
        r#"{"id": "ngan", "status": "actual", "severity": "extreme", "headline": "x", "expires": "2026-11-24T14:30:00+07:00"}"#,
    );
    sim.alerts.apply(&short, sim.clock.now, &sim.clock);
    assert_eq!(id(&sim.tick(&content).show), "ngan");
    sim.advance(1800);
    assert_eq!(id(&sim.tick(&content).show), "a");
}

#[test]
fn the_newest_most_severe_first_then_all_take_turns_test_alerts_never_show_and_moderate_is_a_banner(
) {
    let content = items(r#"{"id": "a", "type": "announcement", "title": "A"}"#);
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    let add = |sim: &mut Sim, j: &str| {
        let a = alert(j);
        let c = sim.clock;
        sim.alerts.apply(&a, c.now, &c)
    };
    assert_eq!(
        add(
            &mut sim,
            r#"{"id": "thu", "status": "test", "severity": "extreme", "headline": "thử"}"#
        ),
        AlertChange::TestOnly("thu".into())
    );
    add(
        &mut sim,
        r#"{"id": "vua", "status": "actual", "severity": "moderate", "headline": "vừa"}"#,
    );
    let p = sim.tick(&content);
    assert_eq!((id(&p.show), p.banner.as_deref()), ("a", Some("vua")));
    add(
        &mut sim,
        r#"{"id": "nang", "status": "actual", "severity": "severe", "headline": "nặng"}"#,
    );
    assert_eq!(id(&sim.tick(&content).show), "nang");
    add(
        &mut sim,
        r#"{"id": "dt", "status": "exercise", "severity": "extreme", "headline": "diễn tập"}"#,
    );
    add(
        &mut sim,
        r#"{"id": "that", "status": "actual", "severity": "extreme", "headline": "thật"}"#,
    );
    // The newest extreme one first, for its first look; then every active alert its turn,
    // most severe first, then newest first; the moderate one too, full screen, rather than a
    // banner over the warning. The test alert never.
    let shows = sim.run(&content, 75);
    assert_eq!(
        runs(&shows),
        [
            ("that".to_owned(), 15),
            ("dt".to_owned(), 15),
            ("nang".to_owned(), 15),
            ("vua".to_owned(), 15),
            ("that".to_owned(), 15)
        ]
    );
    let shows: Vec<String> = shows.iter().map(|s| id(s).to_owned()).collect();
    assert!(!shows.contains(&"thu".to_owned()));
}

#[test]
fn removed_or_expired_items_go_at_once_and_updates_do_not_restart_the_cycle() {
    let abc = items(
        r#"{"id": "a", "type": "announcement", "title": "A", "duration_s": 20},
           {"id": "b", "type": "announcement", "title": "B", "duration_s": 20},
           {"id": "c", "type": "announcement", "title": "C", "duration_s": 20, "valid_until": "2026-11-24T08:00:45+07:00"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.run(&abc, 25);
    assert_eq!(id(&sim.tick(&abc).show), "b");
    // A new item is added at the front: b goes on, it does not start over at the new item.
    let mut updated =
        items(r#"{"id": "moi", "type": "announcement", "title": "Mới", "duration_s": 20}"#);
    updated.extend(abc.clone());
    let shows = sim.run(&updated, 15);
    assert_eq!(runs(&shows)[0], ("b".into(), 15));
    assert_eq!(id(&sim.tick(&updated).show), "c");
    // c expires at 08:00:45, five seconds into its slot: gone at once.
    sim.advance(4);
    assert_eq!(id(&sim.tick(&updated).show), "c");
    sim.advance(1);
    assert_ne!(id(&sim.tick(&updated).show), "c");
    // b removed while showing: the next one at once.
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.run(&abc, 25);
    let without_b: Vec<Item> = abc.iter().filter(|i| i.id != "b").cloned().collect();
    assert_eq!(id(&sim.tick(&without_b).show), "c");
}

#[test]
fn nothing_valid_is_the_idle_slide_never_black() {
    let content = items(
        r#"{"id": "cu", "type": "announcement", "title": "Cũ", "valid_until": "2026-01-01T00:00:00+07:00"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    assert_eq!(sim.tick(&content).show, Show::Idle);
    assert_eq!(sim.tick(&[]).show, Show::Idle);
}

#[test]
fn a_restart_keeps_the_active_alert_and_the_rotation_position() {
    let content = items(
        r#"{"id": "a", "type": "announcement", "title": "A"}, {"id": "b", "type": "announcement", "title": "B"}, {"id": "c", "type": "announcement", "title": "C"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.run(&content, 15);
    assert_eq!(id(&sim.tick(&content).show), "b");
    sim.alerts.apply(
        &alert(r#"{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO"}"#),
        sim.clock.now,
        &sim.clock,
    );
    let saved_alerts = serde_json::to_vec(&sim.alerts).unwrap();
    let saved_rotation = serde_json::to_vec(&sim.scheduler.rotation).unwrap();
    // Power cut; the board comes back a minute later, its monotonic clock from zero.
    let mut after = Sim::new("2026-11-24T08:01:15+07:00");
    after.clock.mono = Duration::ZERO;
    after.alerts = serde_json::from_slice::<AlertSet>(&saved_alerts)
        .unwrap()
        .restored(&after.clock);
    after.scheduler =
        Scheduler::new(serde_json::from_slice::<RotationState>(&saved_rotation).unwrap());
    assert_eq!(id(&after.tick(&content).show), "bao");
    after.alerts.apply(
        &alert(r#"{"id": "het", "msg_type": "cancel", "status": "actual", "references": ["bao"]}"#),
        after.clock.now,
        &after.clock,
    );
    assert_eq!(
        id(&after.tick(&content).show),
        "b",
        "the rotation resumes with the item it was on"
    );
}

#[test]
fn clock_jumps_backwards_and_forwards() {
    let content = items(
        r#"{"id": "tuan-nay", "type": "announcement", "title": "x", "valid_from": "2026-11-23T00:00:00+07:00", "valid_until": "2026-11-30T00:00:00+07:00"},
           {"id": "luon", "type": "announcement", "title": "y"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    let seen = |sim: &mut Sim| -> Vec<String> {
        runs(&sim.run(&content, 40))
            .into_iter()
            .map(|r| r.0)
            .collect()
    };
    assert!(seen(&mut sim).contains(&"tuan-nay".to_owned()));
    // NTP moves the clock five hours back: still inside the window.
    sim.clock.now -= chrono::TimeDelta::hours(5);
    assert!(seen(&mut sim).contains(&"tuan-nay".to_owned()));
    // Forwards by a week: past the window, gone.
    sim.clock.now += chrono::TimeDelta::hours(24 * 7);
    assert!(!seen(&mut sim).contains(&"tuan-nay".to_owned()));
    // A board that woke in 1970 with no NTP yet does not trust its clock: nothing dropped, and
    // an alert's six hours run on the monotonic clock.
    let mut cold = Sim::new("1970-01-01T07:00:00+07:00");
    cold.clock.trusted = false;
    assert!(seen(&mut cold).contains(&"tuan-nay".to_owned()));
    cold.alerts.apply(&alert(r#"{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO", "effective": "2026-11-24T08:00:00+07:00"}"#), cold.clock.now, &cold.clock);
    assert_eq!(id(&cold.tick(&content).show), "bao");
    cold.clock.now += chrono::TimeDelta::days(20000); // the wall clock leaps; lifetimes do not care
    assert_eq!(id(&cold.tick(&content).show), "bao");
    cold.advance(6 * 3600);
    assert_ne!(id(&cold.tick(&content).show), "bao");
}

// ---- properties over random content sets and times ----

#[derive(Debug, Clone)]
struct GenItem {
    class_priority: bool,
    duration: u32,
    from_h: Option<i64>,
    len_h: i64,
    hours: Option<(u8, u8)>,
    day_mask: Option<u8>,
    ticker: bool,
}

fn gen_item() -> impl Strategy<Value = GenItem> {
    (
        any::<bool>(),
        3u32..=60,
        proptest::option::of(-48i64..48),
        1i64..96,
        proptest::option::of((0u8..24, 0u8..24)),
        proptest::option::of(1u8..128),
        proptest::bool::weighted(0.15),
    )
        .prop_map(|(p, d, f, l, h, m, t)| GenItem {
            class_priority: p,
            duration: d,
            from_h: f,
            len_h: l,
            hours: h,
            day_mask: m,
            ticker: t,
        })
}

fn build(gen: &[GenItem]) -> Vec<Item> {
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-24T00:00:00+07:00").unwrap();
    let json: Vec<String> = gen
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut s = if g.ticker {
                format!(r#"{{"id": "i{i}", "type": "ticker", "text": "t{i}""#)
            } else {
                format!(
                    r#"{{"id": "i{i}", "type": "announcement", "title": "t{i}", "duration_s": {}"#,
                    g.duration
                )
            };
            if g.class_priority {
                s.push_str(r#", "class": "priority""#);
            }
            if let Some(f) = g.from_h {
                let from = base + chrono::TimeDelta::hours(f);
                let until = from + chrono::TimeDelta::hours(g.len_h);
                s.push_str(&format!(
                    r#", "valid_from": "{}", "valid_until": "{}""#,
                    from.to_rfc3339(),
                    until.to_rfc3339()
                ));
            }
            if let Some((a, b)) = g.hours.filter(|(a, b)| a != b) {
                s.push_str(&format!(
                    r#", "hours": [{{"from": "{a:02}:00", "to": "{b:02}:00"}}]"#
                ));
            }
            if let Some(m) = g.day_mask {
                let days: Vec<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| m & (1 << k) != 0)
                    .map(|(_, d)| format!("\"{d}\""))
                    .collect();
                s.push_str(&format!(r#", "days": [{}]"#, days.join(",")));
            }
            s.push('}');
            s
        })
        .collect();
    items(&json.join(","))
}

#[derive(Debug, Clone)]
struct GenAlert {
    at_step: usize,
    severity: u8,
    status: u8,
}

fn gen_alert() -> impl Strategy<Value = GenAlert> {
    (0usize..200, 0u8..4, 0u8..3).prop_map(|(at_step, severity, status)| GenAlert {
        at_step,
        severity,
        status,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_programme_keeps_its_promises(
        gen in proptest::collection::vec(gen_item(), 0..25),
        alerts in proptest::collection::vec(gen_alert(), 0..4),
        steps in proptest::collection::vec(1u64..600, 200),
        start_h in -24i64..72,
    ) {
        let content = build(&gen);
        let mut sim = Sim::new("2026-11-24T00:00:00+07:00");
        sim.clock.now += chrono::TimeDelta::hours(start_h);
        let sev = ["minor", "moderate", "severe", "extreme"];
        let status = ["actual", "exercise", "test"];
        for (step, dt) in steps.iter().enumerate() {
            for (k, a) in alerts.iter().enumerate().filter(|(_, a)| a.at_step == step) {
                let json = format!(r#"{{"id": "al{k}", "status": "{}", "severity": "{}", "headline": "h"}}"#, status[a.status as usize], sev[a.severity as usize]);
                let c = sim.clock;
                sim.alerts.apply(&alert(&json), c.now, &c);
            }
            let p = sim.tick(&content);
            let active = sim.alerts.active(&sim.clock);
            match &p.show {
                Show::Item { key, .. } => {
                    let item = content.iter().find(|i| i.id == key.id).expect("shows an item that exists");
                    prop_assert!(bangtin_board::schedule::is_valid(item, &sim.clock.now, true), "showed {} out of its window at {}", key.id, sim.clock.now);
                    let is_ticker = matches!(item.kind, content::ItemKind::Ticker { .. });
                    prop_assert!(!is_ticker, "a ticker in the main area");
                    prop_assert!(active.iter().all(|a| !a.is_full_screen()), "an item over a full-screen alert");
                }
                Show::Alert { id, .. } => {
                    let shown = sim.alerts.get(id).expect("a held alert");
                    prop_assert_ne!(shown.alert.status, content::AlertStatus::Test);
                    prop_assert!(active.iter().any(|a| a.alert.id == *id), "shows an alert that is not active");
                    prop_assert!(active[0].is_full_screen(), "full screen while no full-screen alert is active");
                    prop_assert_eq!(p.banner.as_deref(), None, "a banner over a full-screen alert");
                }
                Show::Idle => {
                    prop_assert!(active.iter().all(|a| !a.is_full_screen()));
                    let any_valid = content.iter().any(|i| !matches!(i.kind, content::ItemKind::Ticker { .. }) && bangtin_board::schedule::is_valid(i, &sim.clock.now, true));
                    prop_assert!(!any_valid, "idle while an item is valid");
                }
            }
            if let Some(b) = &p.banner {
                let held = active.iter().find(|a| a.alert.id == *b);
                prop_assert!(held.is_some_and(|a| !a.is_full_screen()), "the banner {} is not an active banner alert", b);
            }
            prop_assert!(p.until > sim.clock.mono, "the programme always says when it changes");
            sim.advance(*dt);
        }
    }

    #[test]
    fn every_valid_item_appears_within_one_cycle(durations in proptest::collection::vec((3u32..60, any::<bool>()), 1..20)) {
        let json: Vec<String> = durations.iter().enumerate().map(|(i, (d, p))| {
            format!(r#"{{"id": "i{i}", "type": "announcement", "title": "t", "duration_s": {d}{}}}"#, if *p { r#", "class": "priority""# } else { "" })
        }).collect();
        let content = items(&json.join(","));
        let cycle: u64 = durations.iter().map(|(d, p)| u64::from((*d).max(6)) * if *p { 2 } else { 1 }).sum();
        let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
        let shows = sim.run(&content, cycle);
        for item in &content {
            prop_assert!(shows.iter().any(|s| id(s) == item.id), "{} not shown within one cycle of {cycle} s", item.id);
        }
    }
}

#[test]
fn the_programme_state_survives_a_restart_through_the_store() {
    use bangtin_board::board::programme::{Programme, Saved, ALERTS, ROTATION};
    use bangtin_board::sync::ContentSet;
    let dir = bangtin_testkit::temp_dir("schedule-persist");
    let content = items(
        r#"{"id": "a", "type": "announcement", "title": "A"}, {"id": "b", "type": "announcement", "title": "B"}"#,
    );
    let mut sim = Sim::new("2026-11-24T08:00:00+07:00");
    sim.run(&content, 12);
    sim.alerts.apply(
        &alert(r#"{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO"}"#),
        sim.clock.now,
        &sim.clock,
    );
    {
        let store = bangtin_store::Store::open(&dir, 1 << 30).unwrap();
        store
            .put_state(ALERTS, &serde_json::to_vec(&sim.alerts).unwrap())
            .unwrap();
        store
            .put_state(
                ROTATION,
                &serde_json::to_vec(&sim.scheduler.rotation).unwrap(),
            )
            .unwrap();
    }
    let store = bangtin_store::Store::open(&dir, 1 << 30).unwrap();
    let saved = |store: &bangtin_store::Store| Saved {
        alerts: store.state(ALERTS).unwrap(),
        rotation: store.state(ROTATION).unwrap(),
        applied: None,
        origins: None,
    };
    let after = Sim::new("2026-11-24T08:02:00+07:00");
    let refs: Vec<(&str, &Item)> = content.iter().map(|i| (T, i)).collect();
    let mut programme = Programme::restore(
        &saved(&store),
        &ContentSet::default(),
        &after.clock,
        &|_| true,
    );
    let tick = |p: &mut Programme, clock: &Clock| p.tick(&refs, &|_, _| 1, &|_| 1, clock).show;
    assert_eq!(id(&tick(&mut programme, &after.clock)), "bao");
    // Garbage on disk: the board still starts, empty.
    store.put_state(ALERTS, b"{not json").unwrap();
    let programme = Programme::restore(
        &saved(&store),
        &ContentSet::default(),
        &after.clock,
        &|_| true,
    );
    assert!(programme.alerts().is_empty());
}

#[test]
fn the_next_start_or_end_of_an_alert_is_known_so_the_board_wakes_for_it() {
    let now = clock("2026-11-24T08:00:00+07:00");
    let mut alerts = AlertSet::default();
    assert_eq!(alerts.next_change(&now), None);
    alerts.apply(
        &alert(
            r#"{"id": "bao", "status": "actual", "severity": "severe", "headline": "Bão",
                "effective": "2026-11-24T09:00:00+07:00", "expires": "2026-11-24T11:00:00+07:00"}"#,
        ),
        now.now,
        &now,
    );
    // It starts in an hour, then ends two hours later.
    assert_eq!(
        alerts.next_change(&now),
        Some(now.mono + Duration::from_secs(3600))
    );
    let later = now.later(3600);
    assert_eq!(
        alerts.next_change(&later),
        Some(now.mono + Duration::from_secs(3 * 3600))
    );
    assert_eq!(alerts.next_change(&now.later(3 * 3600)), None);
    // With the clock untrusted, the lifetime runs on monotonic time from receipt.
    let untrusted = Clock {
        trusted: false,
        ..now
    };
    assert_eq!(
        alerts.next_change(&untrusted),
        Some(now.mono + Duration::from_secs(2 * 3600))
    );
}

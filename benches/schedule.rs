//! The programme's cost per tick at 10, 100, 1,000 and 10,000 items (target: <= 50 us at
//! 1,000 items, growing no worse than linearly). Items carry validity windows, day-parting and
//! both classes; two alerts are held (one a banner). Then 2, 50 and 200 active alerts taking
//! turns over 200 items.

use bangtin_board::schedule::{AlertSet, Clock, Scheduler};
use bangtin_protocol::content::{self, Item};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn content(n: usize) -> Vec<Item> {
    let per_channel = 200;
    let mut out = Vec::with_capacity(n);
    for chunk in 0..n.div_ceil(per_channel) {
        let items: Vec<String> = (0..per_channel.min(n - chunk * per_channel))
            .map(|i| {
                let class = if i % 5 == 0 { r#", "class": "priority""# } else { "" };
                let window = if i % 3 == 0 {
                    r#", "valid_from": "2026-11-20T00:00:00+07:00", "valid_until": "2026-12-20T00:00:00+07:00""#
                } else {
                    ""
                };
                let hours = if i % 4 == 0 { r#", "hours": [{"from": "06:00", "to": "22:00"}]"# } else { "" };
                format!(r#"{{"id": "i{chunk}-{i}", "type": "announcement", "title": "t", "duration_s": 10{class}{window}{hours}}}"#)
            })
            .collect();
        out.extend(
            content::parse_channel(format!(r#"{{"items": [{}]}}"#, items.join(",")).as_bytes())
                .unwrap()
                .items,
        );
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("programme tick");
    for n in [10usize, 100, 1_000, 10_000] {
        let items = content(n);
        let list: Vec<(&str, &Item)> = items.iter().map(|i| ("bangtin/v1/content/vn", i)).collect();
        let mut alerts = AlertSet::default();
        let mut clock = Clock {
            now: chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap(),
            mono: Duration::from_secs(100),
            trusted: true,
        };
        for j in [
            r#"{"id": "a1", "status": "actual", "severity": "moderate", "headline": "h"}"#,
            r#"{"id": "a2", "status": "test", "severity": "extreme", "headline": "h"}"#,
        ] {
            alerts.apply(
                &content::parse_alert(j.as_bytes()).unwrap(),
                clock.now,
                &clock,
            );
        }
        let mut scheduler = Scheduler::default();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                clock = clock.later(1);
                black_box(scheduler.tick(&list, &|_, _| 1, &alerts, &|_| 1, &clock))
            })
        });
    }
    group.finish();

    // Many emergencies at once: 200 items, and 2, 50 or 200 extreme alerts taking turns (each
    // tick also expires alerts and says where each one stands, as the board does).
    let mut group = c.benchmark_group("programme tick with alerts");
    let items = content(200);
    let list: Vec<(&str, &Item)> = items.iter().map(|i| ("bangtin/v1/content/vn", i)).collect();
    for n in [2usize, 50, 200] {
        let mut clock = Clock {
            now: chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap(),
            mono: Duration::from_secs(100),
            trusted: true,
        };
        let mut alerts = AlertSet::default();
        for k in 0..n {
            let j = format!(
                r#"{{"id": "lu-{k}", "status": "actual", "severity": "extreme", "headline": "h"}}"#
            );
            alerts.apply(
                &content::parse_alert(j.as_bytes()).unwrap(),
                clock.now,
                &clock,
            );
        }
        let mut scheduler = Scheduler::default();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                // The turns move on; the wall clock stays, so that no alert expires.
                clock.mono += Duration::from_secs(1);
                alerts.expire(&clock);
                let p = scheduler.tick(&list, &|_, _| 1, &alerts, &|_| 1, &clock);
                black_box((p, scheduler.alert_states(&alerts, &clock)))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Layout of one slide at 1920x1080: from content to DisplayList, text shaping included.
//!
//! `cold` forgets every shaped buffer first (a slide seen for the first time); `warm` lays out
//! a slide whose text was shaped before (the rotation coming back to it).

use bangtin_layout::{self as layout, Slide, TextEngine};
use bangtin_protocol::content;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let channel_bytes = std::fs::read(format!("{root}/examples/xa-xuan-non.channel.json")).unwrap();
    let channel = content::parse_channel(&channel_bytes).unwrap();
    let alert_bytes = std::fs::read(format!("{root}/examples/bao-so-3.alert.json")).unwrap();
    let alert = content::parse_alert(&alert_bytes).unwrap();
    let announcement = channel
        .items
        .iter()
        .find(|i| i.id == "tiem-chung-t12-2026")
        .unwrap();
    let image_size = |_: &str| Some((800, 600));
    let mut engine = TextEngine::new();

    let slides = [
        (
            "announcement",
            Slide::Item {
                item: announcement,
                page: 0,
            },
        ),
        (
            "alert",
            Slide::Alert {
                alert: &alert,
                page: 0,
            },
        ),
    ];
    for (name, slide) in slides {
        c.bench_function(&format!("layout {name} 1920x1080 cold"), |b| {
            b.iter(|| {
                engine.clear();
                black_box(layout::layout(&mut engine, slide, 1920, 1080, &image_size))
            })
        });
        c.bench_function(&format!("layout {name} 1920x1080 warm"), |b| {
            b.iter(|| black_box(layout::layout(&mut engine, slide, 1920, 1080, &image_size)))
        });
    }
    c.bench_function("parse sample channel (8 items, 3 inline images)", |b| {
        b.iter(|| black_box(content::parse_channel(black_box(&channel_bytes)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

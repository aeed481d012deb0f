//! Receive -> verified -> durably stored, per envelope, as the network task does it: the trust
//! check (Ed25519, scopes, seq), then the storage thread writes the envelope and the seq marks
//! (each a temp file + fsync + rename + directory fsync) and answers, then the content is
//! updated. Prints median and p99 for a 10 KiB channel and for one carrying a 200 KiB
//! inline image. Target: p99 <= 5 ms for 10 KiB.
//!
//! A harness rather than a criterion benchmark, because the target is a p99:
//! `bangtin-bench ingest [--runs N]` (default 500). The store goes to a temporary folder on the
//! same disk as std::env::temp_dir().

use bangtin_board::storage::Storage;
use bangtin_board::sync::Ingest;
use bangtin_protocol::content::{self, Payload};
use bangtin_protocol::trust::{BoardIdentity, Scope, TrustStore, TrustedKey};
use bangtin_staff::keys;
use bangtin_store::{PlayedLog, Store};
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use sha2::Digest as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOPIC: &str = "bangtin/v1/content/vn/ha-noi/dong-anh";

fn channel_of_about(bytes: usize, image: Option<&[u8]>) -> Payload {
    let sentence =
        "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi. ";
    let body: String = sentence.repeat(bytes / sentence.len() / 4 + 1);
    let mut items: Vec<String> = (0..4)
        .map(|i| format!(r#"{{"id": "tb-{i}", "type": "announcement", "title": "Thông báo {i}", "body": "{body}"}}"#))
        .collect();
    if let Some(img) = image {
        items.push(format!(
            r#"{{"id": "anh", "type": "image", "image": {{"inline": "{}", "sha256": "{}"}}}}"#,
            base64::engine::general_purpose::STANDARD.encode(img),
            hex::encode(sha2::Sha256::digest(img))
        ));
    }
    Payload::Channel(
        content::parse_channel(format!(r#"{{"items": [{}]}}"#, items.join(",")).as_bytes())
            .unwrap(),
    )
}

fn noise_png(target: usize) -> Vec<u8> {
    let side = ((target / 3) as f64).sqrt() as u32;
    let mut x = 0x1234_5678u32;
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        image::Rgb([x as u8, (x >> 8) as u8, (x >> 16) as u8])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn measure(name: &str, payload: Payload, n: usize) {
    let dir = std::env::temp_dir().join(format!("bangtin-bench-ingest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let key = SigningKey::from_bytes(&[1; 32]);
    let trust = TrustStore::new(
        vec![TrustedKey {
            id: "huyen".into(),
            public: key.verifying_key(),
            scopes: vec![Scope::parse("vn/ha-noi/dong-anh").unwrap()],
            alerts: true,
        }],
        [],
    );
    let identity = BoardIdentity {
        id: "b-1".into(),
        area: ["vn", "ha-noi", "dong-anh", "xuan-non"]
            .map(String::from)
            .to_vec(),
        prefix: "bangtin/v1".into(),
    };
    let store = Arc::new(Store::open(&dir, 1 << 34).unwrap());
    let storage = Storage::start(store.clone(), PlayedLog::open(store.clone()).unwrap()).unwrap();
    let (mut ingest, _) = Ingest::open(identity, trust, None, Vec::new(), |t| {
        store.envelope_path(t)
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap();
    let envelopes: Vec<Vec<u8>> = (1..=n as u64 + 10)
        .map(|seq| keys::envelope("huyen", &key, TOPIC, seq, at, payload.clone()))
        .collect();
    let size = envelopes[0].len();
    let mut times = Vec::with_capacity(n);
    for (i, env) in envelopes.iter().enumerate() {
        let t0 = Instant::now();
        let accepted = ingest.check(TOPIC, env).expect("accepted");
        ingest.accept(&accepted);
        rt.block_on(storage.envelope(TOPIC, env, ingest.marks_json()))
            .expect("stored");
        if i >= 10 {
            times.push(t0.elapsed()); // the first ten warm caches up
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let fmt = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    println!(
        "ingest {name} ({} KiB envelope, {n} runs): median {}, p99 {}, max {}",
        size / 1024,
        fmt(pct(0.5)),
        fmt(pct(0.99)),
        fmt(*times.last().unwrap())
    );
    storage.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

pub fn main(args: &[String]) {
    let n = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    measure("10 KiB channel", channel_of_about(10 * 1024, None), n);
    let img = noise_png(200 * 1024);
    measure(
        "channel with a 200 KiB inline image",
        channel_of_about(2 * 1024, Some(&img)),
        n,
    );
}

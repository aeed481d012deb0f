//! Images given by URL, from a real local HTTP server: the right bytes are stored; a wrong
//! hash, an oversized body, a slow or a dead server are handled without holding up the rest.

use bangtin_board::storage::Storage;
use bangtin_board::sync::assets::{fetch, AssetEvent, AssetFetcher, FetchError, Limits};
use bangtin_board::sync::{Delivery, Events};
use bangtin_board::BoardEvent;
use bangtin_protocol::content::ImageRef;
use bangtin_store::{PlayedLog, Store};
use sha2::Digest as _;
use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn png(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([shade, 100, 50, 255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn sha(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

/// How the test server answers a path.
#[derive(Clone)]
pub(crate) enum Route {
    Bytes(Vec<u8>),
    /// Sends the bytes slowly: one byte every `pause`.
    Slow(Vec<u8>, Duration),
    /// Claims no length and streams this many bytes.
    Endless(usize),
}

/// A minimal HTTP/1.1 server on a free loopback port, one thread per connection.
pub(crate) fn serve(routes: HashMap<&'static str, Route>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = routes.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let _ = match routes.get(path.as_str()) {
                    Some(Route::Bytes(b)) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            b.len()
                        );
                        stream.write_all(b)
                    }
                    Some(Route::Slow(b, pause)) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            b.len()
                        );
                        for byte in b {
                            if stream.write_all(&[*byte]).is_err() {
                                return;
                            }
                            std::thread::sleep(*pause);
                        }
                        Ok(())
                    }
                    Some(Route::Endless(n)) => {
                        let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                        let chunk = vec![0u8; 64 * 1024];
                        let mut sent = 0;
                        while sent < *n {
                            if stream.write_all(&chunk).is_err() {
                                return;
                            }
                            sent += chunk.len();
                        }
                        Ok(())
                    }
                    None => write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    ),
                };
            });
        }
    });
    base
}

fn limits() -> Limits {
    Limits {
        max_bytes: 1024 * 1024,
        timeout: Duration::from_secs(3),
    }
}

#[test]
fn the_right_bytes_pass_every_check() {
    let good = png(40, 30, 10);
    let base = serve(HashMap::from([("/a.png", Route::Bytes(good.clone()))]));
    let got = fetch(
        &format!("{base}/a.png"),
        &sha(&good),
        good.len() as u64,
        limits(),
    )
    .unwrap();
    assert_eq!(got, good);
}

#[test]
fn wrong_hash_wrong_size_oversize_non_images_and_dead_servers_are_refused() {
    let good = png(40, 30, 10);
    let not_image = b"<html>this is an error page, not a picture</html>".to_vec();
    let base = serve(HashMap::from([
        ("/a.png", Route::Bytes(good.clone())),
        ("/page", Route::Bytes(not_image.clone())),
        ("/endless", Route::Endless(8 * 1024 * 1024)),
    ]));
    let url = format!("{base}/a.png");
    let n = good.len() as u64;
    let e = fetch(&url, &"0".repeat(64), n, limits()).unwrap_err();
    assert!(
        matches!(e, FetchError::WrongHash { .. }) && e.is_permanent(),
        "{e}"
    );
    let e = fetch(&url, &sha(&good), n + 5, limits()).unwrap_err();
    assert!(matches!(e, FetchError::WrongSize { .. }), "{e}");
    // The server sends more than the content declared: cut off at the declared size.
    let e = fetch(&url, &sha(&good), n - 5, limits()).unwrap_err();
    assert!(matches!(e, FetchError::TooLarge { .. }), "{e}");
    // A declared size above the global cap is refused before any request.
    let e = fetch(&url, &sha(&good), 2 * 1024 * 1024, limits()).unwrap_err();
    assert!(matches!(e, FetchError::TooLarge { .. }), "{e}");
    // A body with no length that never ends is cut off at the limit.
    let e = fetch(&format!("{base}/endless"), &sha(&good), 1000, limits()).unwrap_err();
    assert!(matches!(e, FetchError::TooLarge { .. }), "{e}");
    let e = fetch(
        &format!("{base}/page"),
        &sha(&not_image),
        not_image.len() as u64,
        limits(),
    )
    .unwrap_err();
    assert!(matches!(e, FetchError::NotAnImage { .. }), "{e}");
    let e = fetch(&format!("{base}/missing"), &sha(&good), n, limits()).unwrap_err();
    assert!(
        matches!(e, FetchError::Http { .. }) && !e.is_permanent(),
        "{e}"
    );
    // Nothing listens on this port.
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = fetch(&format!("http://{dead}/a.png"), &sha(&good), n, limits()).unwrap_err();
    assert!(matches!(e, FetchError::Http { .. }), "{e}");
}

/// A store in a temporary folder, with its storage thread: where fetched assets go.
fn storage() -> (bangtin_testkit::Dir, Storage) {
    let dir = bangtin_testkit::temp_dir("assets");
    let store = Arc::new(Store::open(&dir, 1 << 30).unwrap());
    let played = PlayedLog::open(store.clone()).unwrap();
    (dir, Storage::start(store, played).unwrap())
}

/// Events the fetcher sends, as the board's thread would receive them.
fn events() -> (Events, mpsc::UnboundedReceiver<AssetEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let events = Events::new(Arc::new(move |d: Delivery| {
        if let BoardEvent::Asset(e) = d.event {
            let _ = tx.send(e);
        }
    }));
    (events, rx)
}

fn url_ref(base: &str, path: &str, bytes: &[u8]) -> ImageRef {
    ImageRef::Url {
        url: format!("{base}{path}"),
        sha256: sha(bytes),
        bytes: bytes.len() as u64,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_does_not_hold_up_other_assets_and_failures_are_reported() {
    let fast = png(30, 20, 1);
    let slow = png(30, 20, 2);
    let bad = png(30, 20, 3);
    let base = serve(HashMap::from([
        ("/fast.png", Route::Bytes(fast.clone())),
        (
            "/slow.png",
            Route::Slow(slow.clone(), Duration::from_millis(50)),
        ),
    ]));
    let (_dir, storage) = storage();
    let (tx, mut rx) = events();
    let fetcher = AssetFetcher::new(
        storage.clone(),
        Limits {
            max_bytes: 1 << 20,
            timeout: Duration::from_secs(2),
        },
        2,
        tx,
    )
    .with_retries(2, Duration::from_millis(50));
    let t0 = Instant::now();
    let slow_ref = url_ref(&base, "/slow.png", &slow);
    let fast_ref = url_ref(&base, "/fast.png", &fast);
    let missing_ref = url_ref(&base, "/missing.png", &bad);
    fetcher.want([&slow_ref, &fast_ref, &missing_ref, &fast_ref]);
    let mut events = Vec::new();
    while events.len() < 3 {
        let e = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("events keep coming")
            .unwrap();
        events.push((t0.elapsed(), e));
    }
    let ready_fast = events
        .iter()
        .find(|(_, e)| *e == AssetEvent::Ready { sha256: sha(&fast) })
        .expect("fast is stored");
    assert!(
        ready_fast.0 < Duration::from_secs(1),
        "the fast asset is not held up by the slow one: {events:?}"
    );
    assert!(events
        .iter()
        .any(|(_, e)| matches!(e, AssetEvent::Failed { sha256, .. } if *sha256 == sha(&bad))));
    // The slow server (50 ms a byte) cannot finish within the 2 s timeout: reported, not hung.
    assert!(events.iter().any(|(_, e)| matches!(e, AssetEvent::Failed { sha256, reason } if *sha256 == sha(&slow) && !reason.is_empty())), "{events:?}");
    let store = storage.store();
    assert_eq!(store.asset(&sha(&fast)), Some(fast.clone()));
    assert!(!store.has_asset(&sha(&slow)) && !store.has_asset(&sha(&bad)));
    // Asked twice, fetched once.
    assert!(tokio::time::timeout(Duration::from_millis(300), rx.recv())
        .await
        .is_err());
}

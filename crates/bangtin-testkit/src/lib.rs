//! What bangtin's integration tests and harnesses share: temporary folders, ports, real brokers
//! (Mosquitto and the embedded one), board processes, content fixtures and golden images.
//!
//! Every helper uses the real component, never a stand-in: a test that cannot start Mosquitto
//! or find a GPU fails and says which packages to install. Helpers panic with a message on
//! failure; that is how a test fails.

pub mod board;
pub mod browser;
pub mod console;
pub mod fixtures;
pub mod golden;
pub mod mosquitto;

pub use fixtures::*;
pub use golden::*;
pub use mosquitto::Mosquitto;

use std::collections::HashSet;
use std::net::TcpListener;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The repository's root folder.
pub fn repo() -> PathBuf {
    // crates/bangtin-testkit -> the workspace root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// A fresh, empty temporary folder, removed when dropped (kept with `BANGTIN_KEEP_TEMP=1`, to
/// look at a failed test's files). Derefs to its path.
pub struct Dir(Option<tempfile::TempDir>, PathBuf);

impl Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.1
    }
}

impl AsRef<Path> for Dir {
    fn as_ref(&self) -> &Path {
        &self.1
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        if std::env::var_os("BANGTIN_KEEP_TEMP").is_some_and(|v| v == "1") {
            if let Some(dir) = self.0.take() {
                eprintln!("kept {}", dir.keep().display());
            }
        }
    }
}

/// A fresh temporary folder whose name starts with `bangtin-NAME-`.
pub fn temp_dir(name: &str) -> Dir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("bangtin-{name}-"))
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot make a temporary folder: {e}"));
    let path = dir.path().to_owned();
    Dir(Some(dir), path)
}

/// Ports this process has handed out: never twice, so two tests of one binary cannot be given
/// the same port between asking and binding.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A TCP port on loopback that was free a moment ago and that this process has not handed out
/// before. Servers started on it retry with another port if it was taken meanwhile (see
/// [`Mosquitto::start`] and [`embedded_broker`]).
pub fn free_port() -> u16 {
    let mut handed = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    let handed = handed.get_or_insert_with(HashSet::new);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port on loopback: {e}"));
        if handed.insert(port) {
            return port;
        }
    }
}

/// The embedded broker (rumqttd) on a port of its own; returns the port.
pub fn embedded_broker() -> u16 {
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        match bangtin_broker::start(([127, 0, 0, 1], port).into()) {
            Ok(()) => return port,
            Err(e) => last = e.to_string(),
        }
    }
    panic!("the embedded broker would not start: {last}");
}

/// The `bangtin` binary of this build: next to the test or harness binary (`target/PROFILE/`
/// or its `deps/`), or `BANGTIN_EXE`.
pub fn exe() -> PathBuf {
    if let Some(p) = std::env::var_os("BANGTIN_EXE") {
        return PathBuf::from(p);
    }
    let me = std::env::current_exe().unwrap_or_default();
    let found = me
        .ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join("bangtin"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "the bangtin binary is not built next to {} (build it with `cargo build`, \
             `cargo build --release`, or set BANGTIN_EXE)",
            me.display()
        )
    })
}

/// Reads a file a test needs.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

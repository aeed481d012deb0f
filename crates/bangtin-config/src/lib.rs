//! Board configuration: the one TOML file an installer writes for each board (docs/protocol.md,
//! "Board config"; every setting in docs/operations.md).
//!
//! Why this module exists: the config is written by hand, on site, often by someone who is not
//! a programmer, and a board that starts with a half-understood config fails quietly later
//! (subscribes to the wrong area, trusts nobody, crashes deep inside the MQTT client). So the
//! file is read in two stages: first TOML into a plain
//! [`toml::Table`], then every key is checked into the typed [`Config`], collecting *all*
//! problems as `FILE:LINE: KEY MESSAGE` lines that name the key, the bound and the value, so one
//! run of `bangtin check --config FILE` lists everything to fix.
//!
//! What it must never do:
//! - panic, whatever the bytes (not UTF-8, not TOML, wrong types, huge numbers);
//! - stop at the first problem, or accept a key it does not know: a typo such as `keep_alive`
//!   for `keep_alive_s` is an error with a did-you-mean, never a setting silently ignored;
//! - print a password, even in a type error;
//! - touch anything outside the text it is given: it opens no certificate or key file, makes
//!   no directory and connects to nothing. [`load`] reads the one config file and nothing else.
//!
//! Line numbers come from the spans `toml_edit` keeps (`locate`); a setting with no span falls
//! back to its table's header line, or to no line at all.
//!
//! The modules: `check` (the framework: typed reads, unknown keys, did-you-mean), one module per
//! section (`board`, `broker`, `trust`, `display`, `storage`), `url` (the broker URL parser the
//! staff tools share) and `locate` (lines).

mod board;
mod broker;
mod check;
mod display;
mod locate;
mod storage;
mod trust;
mod url;

pub use url::BrokerUrl;

use bangtin_protocol::trust::{BoardIdentity, TrustedKey};
use check::Checker;
use chrono::FixedOffset;
use locate::Locator;
use std::path::{Path, PathBuf};
use toml::Table;

/// The topic prefix when `broker.prefix` is not set.
pub const DEFAULT_PREFIX: &str = "bangtin/v1";
/// The board's time zone when `board.timezone` is not set: Vietnam, UTC+7.
pub const DEFAULT_TIMEZONE: FixedOffset = bangtin_vi::calendar::VIETNAM;
/// Where the board keeps its state when `store.dir` is not set.
pub const DEFAULT_STORE_DIR: &str = "/var/lib/bangtin";

pub(crate) const KIB: i64 = 1024;
pub(crate) const MIB: i64 = 1024 * KIB;
pub(crate) const GIB: i64 = 1024 * MIB;

/// A whole, valid board config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub board: Board,
    pub broker: Broker,
    /// The `[[trust]]` entries; never empty.
    pub trust: Vec<TrustedKey>,
    /// Key ids this board refuses even if they are in `trust` (top-level `revoked = [...]`).
    pub revoked: Vec<String>,
    pub display: Display,
    pub store: Store,
    pub assets: Assets,
    pub video: Video,
}

/// `[board]`: who this board is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// A slug: `xuan-non-01`.
    pub id: String,
    /// The area path by segment: `["vn", "ha-noi", "dong-anh", "xuan-non"]`.
    pub area: Vec<String>,
    /// Shown in the header: `UBND xã Xuân Nộn`.
    pub name: String,
    /// Local time for schedules and the clock; default `+07:00`.
    pub timezone: FixedOffset,
    /// The time servers the install sets the clock from (the province's); empty: the
    /// system's own.
    pub ntp: Vec<String>,
}

/// `[broker]`: the MQTT broker the board listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub url: BrokerUrl,
    /// Topic prefix, default `bangtin/v1`: no wildcards, no leading or trailing `/`.
    pub prefix: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Extra CA certificate (PEM) to trust; only with `mqtts://`. Not opened here.
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; only with `mqtts://`, always with `client_key`.
    pub client_cert: Option<PathBuf>,
    /// Client private key (PEM); only with `mqtts://`, always with `client_cert`.
    pub client_key: Option<PathBuf>,
    /// MQTT keep-alive, 5..=3600 s, default 30.
    pub keep_alive_s: u16,
    /// MQTT client id, 1..=23 of `[A-Za-z0-9_-]`; default `bangtin-` + board id.
    pub client_id: String,
}

/// `[display]`: the picture and where it goes on the video output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Display {
    /// The picture ("canvas") in pixels, as content is laid out: for an LED panel its native
    /// size (192x96), for a portrait screen 1080x1920 whatever way the monitor is mounted.
    pub width: u32,
    pub height: u32,
    /// Clockwise turn from the canvas to the monitor: 0, 90, 180 or 270 degrees.
    pub rotation: u32,
    /// A fixed rectangle of the video output (what an LED sending card captures); `None`: the
    /// whole monitor.
    pub region: Option<Region>,
    /// The header (board name, clock, date, lunar date).
    pub header: bool,
    /// The scrolling footer for ticker items.
    pub ticker: bool,
    /// Ticker speed in canvas pixels per second.
    pub ticker_speed: u32,
    /// Cross-fade between items, in milliseconds (0 cuts).
    pub fade_ms: u32,
    pub scaling: Scaling,
    /// Brightness by time of day: (minute of the day it starts, percent), sorted; empty: 100%.
    pub brightness: Vec<(u32, u32)>,
}

impl Display {
    /// A plain full-screen display of `width` x `height` with every default.
    pub fn sized(width: u32, height: u32) -> Display {
        Display {
            width,
            height,
            rotation: 0,
            region: None,
            header: true,
            ticker: true,
            ticker_speed: DEFAULT_TICKER_SPEED,
            fade_ms: DEFAULT_FADE_MS,
            scaling: Scaling::Auto,
            brightness: Vec::new(),
        }
    }

    /// The brightness (percent) at `minute` of the day (0..1440).
    pub fn brightness_at(&self, minute: u32) -> u32 {
        let Some(last) = self.brightness.last() else {
            return 100;
        };
        self.brightness
            .iter()
            .rev()
            .find(|(from, _)| *from <= minute)
            .unwrap_or(last)
            .1
    }
}

/// Default ticker speed, canvas pixels per second.
pub const DEFAULT_TICKER_SPEED: u32 = 120;
/// Default cross-fade between items.
pub const DEFAULT_FADE_MS: u32 = 300;

/// `display.region`: a rectangle of the video output, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// How the canvas is scaled to the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    /// Nearest neighbour when the canvas is enlarged by a whole factor or is an LED-sized
    /// canvas (under 400 pixels a side), smooth otherwise.
    Auto,
    /// Every canvas pixel a crisp block: LED panels.
    Nearest,
    Smooth,
}

/// `[store]`: where and how much the board keeps on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

/// `[assets]`: fetching the images and videos that content refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assets {
    /// The largest single asset accepted.
    pub max_bytes: u64,
    /// Downloads at once.
    pub concurrency: usize,
    /// Time limit per download.
    pub timeout_s: u64,
}

/// `[video]`: which clips the board plays, and with which decoders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    pub decoder: Decoders,
    /// The largest clip file fetched.
    pub max_bytes: u64,
    /// The largest picture played, either way round.
    pub max_width: u32,
    pub max_height: u32,
    /// The longest clip.
    pub max_seconds: u32,
}

/// Which video decoders the board uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoders {
    /// Hardware where reliable (the Pi 4's H.264, the Pi 5's HEVC), software otherwise.
    Auto,
    Software,
    Hardware,
}

impl Config {
    /// Who this board is, for the trust checks and the topics it subscribes to.
    pub fn identity(&self) -> BoardIdentity {
        BoardIdentity {
            id: self.board.id.clone(),
            area: self.board.area.clone(),
            prefix: self.broker.prefix.clone(),
        }
    }
}

/// Every problem found in one config file, each a `FILE:LINE: KEY MESSAGE` line, in line
/// order. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ConfigErrors(pub Vec<String>);

/// Reads and validates the config file at `path`. A file that cannot be read, or is not UTF-8,
/// is one error; otherwise see [`parse`].
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let file_name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ConfigErrors(vec![format!("{file_name}: cannot read: {e}")]))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
            return Err(ConfigErrors(vec![format!(
                "{file_name}:{line}: is not UTF-8 text (byte 0x{byte:02X} at column {column}); \
                 save the file as UTF-8"
            )]));
        }
    };
    parse(text, &file_name)
}

/// Validates config `text`; `file_name` only labels the problems.
pub fn parse(text: &str, file_name: &str) -> Result<Config, ConfigErrors> {
    // Windows editors like to start UTF-8 files with a byte-order mark; it changes no line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = match text.parse::<Table>() {
        Ok(root) => root,
        Err(e) => {
            let at = match e.span() {
                Some(span) => format!(":{}", line_of(text, span.start)),
                None => String::new(),
            };
            return Err(ConfigErrors(vec![format!(
                "{file_name}{at}: is not valid TOML: {}",
                e.message().trim()
            )]));
        }
    };
    let mut checker = Checker {
        loc: Locator::new(text),
        problems: Vec::new(),
    };
    let config = checker.config(&root);
    let mut problems = checker.problems;
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        _ => {
            if problems.is_empty() {
                // Unreachable by construction (every `None` reports why), but never panic.
                problems.push((None, "the config could not be read".to_owned()));
            }
            // Stable: problems on one line keep the order they were found in.
            problems.sort_by_key(|(line, _)| line.unwrap_or(usize::MAX));
            Err(ConfigErrors(
                problems
                    .into_iter()
                    .map(|(line, what)| match line {
                        Some(line) => format!("{file_name}:{line}: {what}"),
                        None => format!("{file_name}: {what}"),
                    })
                    .collect(),
            ))
        }
    }
}

/// The 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let parse = BrokerUrl::parse;
        let u = parse("mqtt://10.0.0.2").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (false, "10.0.0.2", 1883));
        let u = parse("mqtts://broker.example.vn").unwrap();
        assert_eq!((u.tls, u.port), (true, 8883));
        let u = parse("MQTT://[::1]:1884").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("[::1]", 1884));
        assert_eq!(u.to_string(), "mqtt://[::1]:1884");
        for bad in [
            "tcp://h",
            "mqtt://",
            "mqtt://:1883",
            "mqtt://h:0",
            "mqtt://h:65536",
            "mqtt://h:+1",
            "mqtt://h:",
            "mqtt://h:1883/x",
            "mqtt://h/",
            "mqtt://u:p@h",
            "mqtt://h h",
            "mqtt://[::1",
            "mqtt://[::1]x",
            "mqtt://é",
            "mqtts:/",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(!parse("mqtt://u:secret@h").unwrap_err().contains("secret"));
    }
}

//! Board configuration: the one TOML file an installer writes for each board (PROTOCOL.md,
//! "Operator surface").
//!
//! Why this module exists: the config is written by hand, on site, often by someone who is not
//! a programmer, and a board that starts with a half-understood config fails quietly later
//! (subscribes to the wrong area, trusts nobody, crashes deep inside the MQTT client). So the
//! file is read in two stages (STYLE.md, "Two-stage config"): first TOML into a plain
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
//! Line numbers come from scanning the source text (`locate`), since `toml::Table` keeps no
//! positions; a setting that cannot be placed falls back to its table's header line, or to no
//! line at all.

mod locate;

use crate::trust::{self, BoardIdentity, Scope, TrustedKey};
use chrono::FixedOffset;
use locate::{Locator, Place};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The topic prefix when `broker.prefix` is not set.
pub const DEFAULT_PREFIX: &str = "bangtin/v1";
/// The board's time zone when `board.timezone` is not set: Vietnam, UTC+7.
pub const DEFAULT_TIMEZONE: &str = "+07:00";
/// Where the board keeps its state when `store.dir` is not set.
pub const DEFAULT_STORE_DIR: &str = "/var/lib/bangtin";

const KIB: i64 = 1024;
const MIB: i64 = 1024 * KIB;
const GIB: i64 = 1024 * MIB;

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

/// A parsed `mqtt://host[:port]` or `mqtts://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// `mqtts://`: TLS.
    pub tls: bool,
    /// The host as written; an IPv6 literal keeps its brackets (`[::1]`), so that
    /// `format!("{host}:{port}")` is a valid socket address, as rumqttc builds it.
    pub host: String,
    /// Default 1883, or 8883 with TLS.
    pub port: u16,
}

impl fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
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
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

const ROOT_KEYS: &[&str] = &[
    "board", "broker", "trust", "revoked", "display", "store", "assets",
];
const BOARD_KEYS: &[&str] = &["id", "area", "name", "timezone"];
const BROKER_KEYS: &[&str] = &[
    "url",
    "prefix",
    "username",
    "password",
    "ca_file",
    "client_cert",
    "client_key",
    "keep_alive_s",
    "client_id",
];
const TRUST_KEYS: &[&str] = &["key", "public", "scopes", "alerts"];
const DISPLAY_KEYS: &[&str] = &[
    "width",
    "height",
    "rotation",
    "region",
    "header",
    "ticker",
    "ticker_speed",
    "fade_ms",
    "scaling",
    "brightness",
];
const STORE_KEYS: &[&str] = &["dir", "max_bytes"];
const ASSETS_KEYS: &[&str] = &["max_bytes", "concurrency", "timeout_s"];
/// Keys whose values never appear in a message.
const SECRET_KEYS: &[&str] = &["password"];

/// A problem has been reported; the value is unusable.
struct Reported;

/// The strings of a list, with their indexes, and whether every element was a string.
struct StringList<'t> {
    items: Vec<(usize, &'t str)>,
    all_strings: bool,
}

/// One table being checked: where it is, what it holds and which keys it may hold.
struct Sect<'t> {
    place: Place<'t>,
    table: &'t Table,
    known: &'static [&'static str],
}

/// The second stage: checks a raw table, collecting every problem with its line.
struct Checker {
    loc: Locator,
    problems: Vec<(Option<usize>, String)>,
}

impl Checker {
    /// Reports `KEY MESSAGE` at the line of `key` in `place`.
    fn problem(&mut self, place: Place<'_>, key: &str, message: impl fmt::Display) {
        let line = self.loc.line(place, Some(key));
        self.problems
            .push((line, format!("{} {message}", place.path(key))));
    }

    fn type_problem(&mut self, place: Place<'_>, key: &str, expected: &str, got: &Value) {
        let got = if SECRET_KEYS.contains(&key) {
            kind_of(got).to_owned()
        } else {
            describe(got)
        };
        self.problem(place, key, format!("must be {expected}, got {got}"));
    }

    fn config(&mut self, root: &Table) -> Option<Config> {
        let root_sect = Sect {
            place: Place::Root,
            table: root,
            known: ROOT_KEYS,
        };
        self.unknown_keys(&root_sect);
        // The default client id needs the board id; read it without reporting (board() does).
        let board_id = root
            .get("board")
            .and_then(Value::as_table)
            .and_then(|t| t.get("id"))
            .and_then(Value::as_str)
            .filter(|id| trust::is_slug(id));
        let board = self.board(root);
        let broker = self.broker(root, board_id);
        let trust = self.trust(root);
        let revoked = self.revoked(&root_sect);
        let display = self.display(root);
        let store = self.store(root);
        let assets = self.assets(root);
        Some(Config {
            board: board?,
            broker: broker?,
            trust: trust?,
            revoked: revoked?,
            display: display?,
            store: store?,
            assets: assets?,
        })
    }

    /// A top-level table: `Ok(None)` if absent.
    fn section<'t>(&mut self, root: &'t Table, name: &str) -> Result<Option<&'t Table>, Reported> {
        match root.get(name) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => {
                self.type_problem(Place::Root, name, &format!("a table ([{name}])"), other);
                Err(Reported)
            }
        }
    }

    fn unknown_keys(&mut self, s: &Sect<'_>) {
        for key in s.table.keys() {
            if s.known.contains(&key.as_str()) {
                continue;
            }
            let shown = show_key(key);
            let mut message = "is not a known setting".to_owned();
            if let Some(best) = did_you_mean(key, s.known) {
                message.push_str(&format!("; did you mean {}?", s.place.path(best)));
            } else if !matches!(s.place, Place::Root) && ROOT_KEYS.contains(&key.as_str()) {
                message.push_str(&format!(
                    "; top-level keys such as {key} must come before the first [table] header"
                ));
            } else if matches!(s.place, Place::Root) {
                message.push_str(&format!(" (known: {})", s.known.join(", ")));
            } else {
                message.push_str(&format!(
                    " (known in {}: {})",
                    s.place.name(),
                    s.known.join(", ")
                ));
            }
            let line = self.loc.line(s.place, Some(key));
            self.problems
                .push((line, format!("{} {message}", s.place.path(&shown))));
        }
    }

    /// A string, `Ok(None)` if absent.
    fn string<'t>(&mut self, s: &Sect<'t>, key: &str) -> Result<Option<&'t str>, Reported> {
        match s.table.get(key) {
            None => Ok(None),
            Some(Value::String(v)) => Ok(Some(v.as_str())),
            Some(other) => {
                self.type_problem(s.place, key, "a string", other);
                Err(Reported)
            }
        }
    }

    fn required_string<'t>(&mut self, s: &Sect<'t>, key: &str) -> Option<&'t str> {
        match self.string(s, key) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.problem(s.place, key, "is required");
                None
            }
            Err(Reported) => None,
        }
    }

    /// An optional path: a non-empty string.
    fn path(&mut self, s: &Sect<'_>, key: &str) -> Result<Option<PathBuf>, Reported> {
        match self.string(s, key)? {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => {
                self.problem(s.place, key, "must not be empty (leave it out instead)");
                Err(Reported)
            }
            Some(v) => Ok(Some(PathBuf::from(v))),
        }
    }

    /// An integer in `min..=max`, `default` if absent; `unit` follows the bound in messages.
    fn int(
        &mut self,
        s: &Sect<'_>,
        key: &str,
        (min, max): (i64, i64),
        default: i64,
        unit: &str,
    ) -> Option<i64> {
        match s.table.get(key) {
            None => Some(default),
            Some(Value::Integer(v)) if (min..=max).contains(v) => Some(*v),
            Some(Value::Integer(v)) => {
                self.problem(
                    s.place,
                    key,
                    format!("must be {min}..={max}{unit}, got {v}"),
                );
                None
            }
            Some(other) => {
                self.type_problem(s.place, key, "an integer", other);
                None
            }
        }
    }

    fn boolean(&mut self, s: &Sect<'_>, key: &str, default: bool) -> Option<bool> {
        match s.table.get(key) {
            None => Some(default),
            Some(Value::Boolean(b)) => Some(*b),
            Some(other) => {
                self.type_problem(s.place, key, "true or false", other);
                None
            }
        }
    }

    /// A list of strings, `Ok(None)` if absent: the strings with their indexes, and whether
    /// every element was one (each one that was not is reported, so the rest can be checked).
    fn strings<'t>(&mut self, s: &Sect<'t>, key: &str) -> Result<Option<StringList<'t>>, Reported> {
        let items = match s.table.get(key) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.type_problem(s.place, key, "a list of strings", other);
                return Err(Reported);
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut all_strings = true;
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(v) => out.push((i, v.as_str())),
                other => {
                    let line = self.loc.line(s.place, Some(key));
                    let got = describe(other);
                    self.problems.push((
                        line,
                        format!("{}[{i}] must be a string, got {got}", s.place.path(key)),
                    ));
                    all_strings = false;
                }
            }
        }
        Ok(Some(StringList {
            items: out,
            all_strings,
        }))
    }

    fn board(&mut self, root: &Table) -> Option<Board> {
        let table = match self.section(root, "board") {
            Ok(Some(t)) => t,
            Ok(None) => {
                self.problems.push((
                    None,
                    "board is required: a [board] table with id, area and name".to_owned(),
                ));
                return None;
            }
            Err(Reported) => return None,
        };
        let s = Sect {
            place: Place::Table("board"),
            table,
            known: BOARD_KEYS,
        };
        self.unknown_keys(&s);
        let id = self.required_string(&s, "id").and_then(|id| {
            if trust::is_slug(id) {
                Some(id.to_owned())
            } else {
                self.problem(
                    s.place,
                    "id",
                    format!(
                        "must be a slug of 1..=64 characters a-z, 0-9 or '-', got {}",
                        quote(id)
                    ),
                );
                None
            }
        });
        let area =
            self.required_string(&s, "area")
                .and_then(|area| match trust::parse_area(area) {
                    Some(segs) => Some(segs),
                    None => {
                        self.problem(
                            s.place,
                            "area",
                            format!(
                            "must be an area path of '/'-separated slugs (a-z, 0-9, '-') such as \
                             \"vn/ha-noi/dong-anh/xuan-non\", got {}",
                            quote(area)
                        ),
                        );
                        None
                    }
                });
        let name = self.required_string(&s, "name").and_then(|name| {
            let chars = name.chars().count();
            let message = if name.trim().is_empty() {
                Some("must not be empty".to_owned())
            } else if chars > 100 {
                Some(format!("must be at most 100 characters, got {chars}"))
            } else if name.chars().any(char::is_control) {
                Some(format!(
                    "must be one line of text, without control characters, got {}",
                    quote(name)
                ))
            } else {
                None
            };
            match message {
                Some(m) => {
                    self.problem(s.place, "name", m);
                    None
                }
                None => Some(name.to_owned()),
            }
        });
        let timezone = match self.string(&s, "timezone") {
            Ok(v) => {
                let text = v.unwrap_or(DEFAULT_TIMEZONE);
                let offset = parse_offset(text);
                if offset.is_none() {
                    self.problem(
                        s.place,
                        "timezone",
                        format!(
                            "must be a UTC offset \"+HH:MM\" or \"-HH:MM\" from -12:00 to +14:00 \
                             (Vietnam: \"+07:00\"), got {}",
                            quote(text)
                        ),
                    );
                }
                offset
            }
            Err(Reported) => None,
        };
        Some(Board {
            id: id?,
            area: area?,
            name: name?,
            timezone: timezone?,
        })
    }

    fn broker(&mut self, root: &Table, board_id: Option<&str>) -> Option<Broker> {
        let table = match self.section(root, "broker") {
            Ok(Some(t)) => t,
            Ok(None) => {
                self.problems.push((
                    None,
                    "broker is required: a [broker] table with at least url = \"mqtt://HOST:1883\""
                        .to_owned(),
                ));
                return None;
            }
            Err(Reported) => return None,
        };
        let s = Sect {
            place: Place::Table("broker"),
            table,
            known: BROKER_KEYS,
        };
        self.unknown_keys(&s);

        let url = self
            .required_string(&s, "url")
            .and_then(|url| match parse_url(url) {
                Ok(u) => Some(u),
                Err(m) => {
                    self.problem(s.place, "url", m);
                    None
                }
            });

        let prefix = self.string(&s, "prefix").ok().and_then(|p| {
            let p = p.unwrap_or(DEFAULT_PREFIX);
            let message = if p.is_empty() {
                Some("must not be empty (leave it out for the default \"bangtin/v1\")".to_owned())
            } else if p.contains(['+', '#']) {
                Some(format!(
                    "must not contain the MQTT wildcards '+' or '#', got {}",
                    quote(p)
                ))
            } else if p.starts_with('/') || p.ends_with('/') {
                Some(format!("must not start or end with '/', got {}", quote(p)))
            } else if p.contains("//") {
                Some(format!(
                    "must not contain an empty level (\"//\"), got {}",
                    quote(p)
                ))
            } else if p.contains(char::is_control) {
                Some(format!(
                    "must not contain control characters, got {}",
                    quote(p)
                ))
            } else {
                None
            };
            match message {
                Some(m) => {
                    self.problem(s.place, "prefix", m);
                    None
                }
                None => Some(p.to_owned()),
            }
        });

        let username = self.string(&s, "username").ok().and_then(|u| match u {
            Some("") => {
                self.problem(
                    s.place,
                    "username",
                    "must not be empty (leave it out instead)",
                );
                None
            }
            u => Some(u.map(str::to_owned)),
        });
        let password = self
            .string(&s, "password")
            .ok()
            .map(|p| p.map(str::to_owned));
        if let (Some(None), Some(Some(_))) = (&username, &password) {
            self.problem(
                s.place,
                "password",
                "is set without broker.username; the broker needs both",
            );
        }

        let ca_file = self.path(&s, "ca_file").ok();
        let client_cert = self.path(&s, "client_cert").ok();
        let client_key = self.path(&s, "client_key").ok();
        if let Some(url) = url.as_ref().filter(|u| !u.tls) {
            for (key, value) in [
                ("ca_file", &ca_file),
                ("client_cert", &client_cert),
                ("client_key", &client_key),
            ] {
                if let Some(Some(_)) = value {
                    self.problem(
                        s.place,
                        key,
                        format!(
                            "is only for TLS (mqtts://), but broker.url is {url}; \
                             use mqtts:// or remove it"
                        ),
                    );
                }
            }
        }
        match (&client_cert, &client_key) {
            (Some(Some(_)), Some(None)) => self.problem(
                s.place,
                "client_cert",
                "needs broker.client_key too: a client certificate is used with its key",
            ),
            (Some(None), Some(Some(_))) => self.problem(
                s.place,
                "client_key",
                "needs broker.client_cert too: a client key is used with its certificate",
            ),
            _ => {}
        }

        let keep_alive_s = match s.table.get("keep_alive_s") {
            Some(Value::Integer(v)) if !(5..=3600).contains(v) => {
                self.problem(
                    s.place,
                    "keep_alive_s",
                    format!(
                        "must be 5..=3600 seconds, got {v} (the MQTT client cannot keep a \
                         connection alive with less than 5 s)"
                    ),
                );
                None
            }
            _ => self.int(&s, "keep_alive_s", (5, 3600), 30, " seconds"),
        };

        let client_id = match self.string(&s, "client_id") {
            Ok(Some(id)) => {
                if is_client_id(id) {
                    Some(id.to_owned())
                } else {
                    let n = id.chars().count();
                    self.problem(
                        s.place,
                        "client_id",
                        format!(
                            "must be 1..=23 characters A-Z, a-z, 0-9, '-' or '_' (an MQTT 3.1.1 \
                             client id every broker accepts), got {} ({n} characters)",
                            quote(id)
                        ),
                    );
                    None
                }
            }
            Ok(None) => match board_id {
                Some(board_id) => {
                    let id = format!("bangtin-{board_id}");
                    if is_client_id(&id) {
                        Some(id)
                    } else {
                        self.problem(
                            s.place,
                            "client_id",
                            format!(
                                "is not set, and its default {} is {} characters, over the 23 an \
                                 MQTT 3.1.1 broker must accept; set broker.client_id to 1..=23 \
                                 characters A-Z, a-z, 0-9, '-' or '_', unique to this board",
                                quote(&id),
                                id.len()
                            ),
                        );
                        None
                    }
                }
                // board.id is missing or bad, and reported as such.
                None => None,
            },
            Err(Reported) => None,
        };

        Some(Broker {
            url: url?,
            prefix: prefix?,
            username: username?,
            password: password?,
            ca_file: ca_file?,
            client_cert: client_cert?,
            client_key: client_key?,
            keep_alive_s: u16::try_from(keep_alive_s?).ok()?,
            client_id: client_id?,
        })
    }

    fn trust(&mut self, root: &Table) -> Option<Vec<TrustedKey>> {
        const NONE: &str = "no [[trust]] key: this board would accept nothing; add at least one \
                            [[trust]] table with key, public and scopes";
        let items = match root.get("trust") {
            None => {
                self.problems.push((None, NONE.to_owned()));
                return None;
            }
            Some(Value::Array(items)) if items.is_empty() => {
                let line = self.loc.line(Place::Root, Some("trust"));
                self.problems.push((line, NONE.to_owned()));
                return None;
            }
            Some(Value::Array(items)) => items,
            Some(Value::Table(_)) => {
                self.problem(
                    Place::Root,
                    "trust",
                    "must be written [[trust]], with double brackets (a list of keys), not [trust]",
                );
                return None;
            }
            Some(other) => {
                self.type_problem(Place::Root, "trust", "a list of [[trust]] tables", other);
                return None;
            }
        };
        let mut keys = Vec::with_capacity(items.len());
        let mut all_good = true;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let place = Place::ArrayItem("trust", i);
            let Value::Table(table) = item else {
                let line = self.loc.line(place, None);
                self.problems.push((
                    line,
                    format!("trust[{i}] must be a table, got {}", describe(item)),
                ));
                all_good = false;
                continue;
            };
            let s = Sect {
                place,
                table,
                known: TRUST_KEYS,
            };
            self.unknown_keys(&s);
            let id = self.required_string(&s, "key").and_then(|id| {
                if !is_key_id(id) {
                    self.problem(
                        place,
                        "key",
                        format!(
                            "must be a key id of 1..=64 characters A-Z, a-z, 0-9, '.', '_' or \
                             '-', not starting with '.' or '-', got {}",
                            quote(id)
                        ),
                    );
                    return None;
                }
                if let Some(first) = seen.get(id) {
                    self.problem(
                        place,
                        "key",
                        format!(
                            "{} is already the id of trust[{first}]; each key id must be unique",
                            quote(id)
                        ),
                    );
                    return None;
                }
                seen.insert(id, i);
                Some(id.to_owned())
            });
            let public =
                self.required_string(&s, "public")
                    .and_then(|p| match trust::parse_public_key(p) {
                        Ok(k) => Some(k),
                        Err(m) => {
                            self.problem(place, "public", m);
                            None
                        }
                    });
            let scopes = match self.strings(&s, "scopes") {
                Ok(None) => {
                    self.problem(
                        place,
                        "scopes",
                        "is required: the areas (\"vn/ha-noi\") or boards (\"board/ID\") this \
                         key may publish to",
                    );
                    None
                }
                Ok(Some(StringList {
                    items,
                    all_strings: true,
                })) if items.is_empty() => {
                    self.problem(
                        place,
                        "scopes",
                        "must not be empty: a key with no scope may publish nothing",
                    );
                    None
                }
                Ok(Some(StringList { items, all_strings })) => {
                    let mut scopes = Vec::with_capacity(items.len());
                    let mut good = all_strings;
                    for (j, text) in items {
                        match Scope::parse(text) {
                            Some(scope) => scopes.push(scope),
                            None => {
                                let line = self.loc.line(place, Some("scopes"));
                                self.problems.push((
                                    line,
                                    format!(
                                        "{}[{j}] must be an area path of slugs such as \
                                         \"vn/ha-noi\" or \"board/BOARD-ID\", got {}",
                                        place.path("scopes"),
                                        quote(text)
                                    ),
                                ));
                                good = false;
                            }
                        }
                    }
                    good.then_some(scopes)
                }
                Err(Reported) => None,
            };
            let alerts = self.boolean(&s, "alerts", false);
            match (id, public, scopes, alerts) {
                (Some(id), Some(public), Some(scopes), Some(alerts)) => keys.push(TrustedKey {
                    id,
                    public,
                    scopes,
                    alerts,
                }),
                _ => all_good = false,
            }
        }
        all_good.then_some(keys)
    }

    fn revoked(&mut self, root: &Sect<'_>) -> Option<Vec<String>> {
        let StringList {
            items,
            all_strings: mut good,
        } = self.strings(root, "revoked").ok()?.unwrap_or(StringList {
            items: Vec::new(),
            all_strings: true,
        });
        for &(i, id) in &items {
            if !is_key_id(id) {
                let line = self.loc.line(Place::Root, Some("revoked"));
                self.problems.push((
                    line,
                    format!(
                        "revoked[{i}] must be a key id of 1..=64 characters A-Z, a-z, 0-9, '.', \
                         '_' or '-', not starting with '.' or '-', got {}",
                        quote(id)
                    ),
                ));
                good = false;
            }
        }
        good.then(|| items.into_iter().map(|(_, id)| id.to_owned()).collect())
    }

    /// An optional top-level table, as a section (empty when absent).
    fn optional_section<'t>(
        &mut self,
        root: &'t Table,
        name: &'t str,
        known: &'static [&'static str],
        empty: &'t Table,
    ) -> Option<Sect<'t>> {
        let table = self.section(root, name).ok()?.unwrap_or(empty);
        let s = Sect {
            place: Place::Table(name),
            table,
            known,
        };
        self.unknown_keys(&s);
        Some(s)
    }

    fn display(&mut self, root: &Table) -> Option<Display> {
        let empty = Table::new();
        let s = self.optional_section(root, "display", DISPLAY_KEYS, &empty)?;
        let width = self.int(&s, "width", (16, 7680), 1920, " pixels");
        let height = self.int(&s, "height", (16, 7680), 1080, " pixels");
        let rotation = match self.int(&s, "rotation", (0, 270), 0, " degrees") {
            Some(r) if r % 90 == 0 => Some(r),
            Some(r) => {
                self.problem(
                    s.place,
                    "rotation",
                    format!("must be 0, 90, 180 or 270, got {r}"),
                );
                None
            }
            None => None,
        };
        let region = self.region(&s);
        let header = self.boolean(&s, "header", true);
        let ticker = self.boolean(&s, "ticker", true);
        let ticker_speed = self.int(
            &s,
            "ticker_speed",
            (10, 2000),
            i64::from(DEFAULT_TICKER_SPEED),
            " pixels per second",
        );
        let fade_ms = self.int(
            &s,
            "fade_ms",
            (0, 300),
            i64::from(DEFAULT_FADE_MS),
            " milliseconds",
        );
        let scaling = match self.string(&s, "scaling") {
            Ok(None) | Ok(Some("auto")) => Some(Scaling::Auto),
            Ok(Some("nearest")) => Some(Scaling::Nearest),
            Ok(Some("smooth")) => Some(Scaling::Smooth),
            Ok(Some(other)) => {
                self.problem(
                    s.place,
                    "scaling",
                    format!(
                        "must be \"auto\", \"nearest\" or \"smooth\", got {}",
                        quote(other)
                    ),
                );
                None
            }
            Err(Reported) => None,
        };
        let brightness = self.brightness(&s);
        Some(Display {
            width: u32::try_from(width?).ok()?,
            height: u32::try_from(height?).ok()?,
            rotation: u32::try_from(rotation?).ok()?,
            region: region?,
            header: header?,
            ticker: ticker?,
            ticker_speed: u32::try_from(ticker_speed?).ok()?,
            fade_ms: u32::try_from(fade_ms?).ok()?,
            scaling: scaling?,
            brightness: brightness?,
        })
    }

    /// `region = { x = 0, y = 0, width = 384, height = 192 }`; `Some(None)` when absent.
    fn region(&mut self, s: &Sect<'_>) -> Option<Option<Region>> {
        const EXPECTED: &str =
            "an inline table such as { x = 0, y = 0, width = 384, height = 192 }";
        let table = match s.table.get("region") {
            None => return Some(None),
            Some(Value::Table(t)) => t,
            Some(other) => {
                self.type_problem(s.place, "region", EXPECTED, other);
                return None;
            }
        };
        let mut values = [0i64; 4];
        let mut good = true;
        for (i, (key, min, max)) in [
            ("x", -16384, 16384),
            ("y", -16384, 16384),
            ("width", 16, 16384),
            ("height", 16, 16384),
        ]
        .into_iter()
        .enumerate()
        {
            match table.get(key) {
                Some(Value::Integer(v)) if (min..=max).contains(v) => values[i] = *v,
                Some(Value::Integer(v)) => {
                    self.problem(
                        s.place,
                        "region",
                        format!("{key} must be {min}..={max} pixels, got {v}"),
                    );
                    good = false;
                }
                Some(other) => {
                    self.problem(
                        s.place,
                        "region",
                        format!("{key} must be an integer, got {}", describe(other)),
                    );
                    good = false;
                }
                None => {
                    self.problem(s.place, "region", format!("needs {key} ({EXPECTED})"));
                    good = false;
                }
            }
        }
        for key in table.keys() {
            if !["x", "y", "width", "height"].contains(&key.as_str()) {
                self.problem(
                    s.place,
                    "region",
                    format!(
                        "has {} which is not one of x, y, width, height",
                        show_key(key)
                    ),
                );
                good = false;
            }
        }
        good.then_some(Some(Region {
            x: values[0] as i32,
            y: values[1] as i32,
            width: values[2] as u32,
            height: values[3] as u32,
        }))
    }

    /// `brightness = [{ from = "06:00", percent = 100 }, ...]`, sorted by time of day.
    fn brightness(&mut self, s: &Sect<'_>) -> Option<Vec<(u32, u32)>> {
        const EXPECTED: &str = "a list such as [{ from = \"06:00\", percent = 100 }, { from = \"22:00\", percent = 40 }]";
        let items = match s.table.get("brightness") {
            None => return Some(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.type_problem(s.place, "brightness", EXPECTED, other);
                return None;
            }
        };
        let mut out = Vec::new();
        let mut good = true;
        for (i, item) in items.iter().enumerate() {
            let entry = item.as_table().and_then(|t| {
                let from = t.get("from")?.as_str()?;
                let percent = t.get("percent")?.as_integer()?;
                (t.len() == 2).then_some((from, percent))
            });
            let parsed = entry.and_then(|(from, percent)| {
                let (h, m) = from.split_once(':')?;
                let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
                (h < 24 && m < 60 && (5..=100).contains(&percent))
                    .then(|| (h * 60 + m, percent as u32))
            });
            match parsed {
                Some(p) => out.push(p),
                None => {
                    self.problem(
                        s.place,
                        "brightness",
                        format!(
                            "[{i}] must be {{ from = \"HH:MM\", percent = 5..=100 }}, got {}",
                            describe(item)
                        ),
                    );
                    good = false;
                }
            }
        }
        out.sort_unstable();
        if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
            self.problem(
                s.place,
                "brightness",
                format!(
                    "has two entries from {:02}:{:02}; each time of day may appear once",
                    w[0].0 / 60,
                    w[0].0 % 60
                ),
            );
            good = false;
        }
        good.then_some(out)
    }

    fn store(&mut self, root: &Table) -> Option<Store> {
        let empty = Table::new();
        let s = self.optional_section(root, "store", STORE_KEYS, &empty)?;
        let dir = self.path(&s, "dir").ok();
        let max_bytes = self.int(
            &s,
            "max_bytes",
            (MIB, 64 * GIB),
            512 * MIB,
            " bytes (1 MiB..=64 GiB)",
        );
        Some(Store {
            dir: dir?.unwrap_or_else(|| PathBuf::from(DEFAULT_STORE_DIR)),
            max_bytes: u64::try_from(max_bytes?).ok()?,
        })
    }

    fn assets(&mut self, root: &Table) -> Option<Assets> {
        let empty = Table::new();
        let s = self.optional_section(root, "assets", ASSETS_KEYS, &empty)?;
        let max_bytes = self.int(
            &s,
            "max_bytes",
            (KIB, 64 * MIB),
            16 * MIB,
            " bytes (1 KiB..=64 MiB)",
        );
        let concurrency = self.int(&s, "concurrency", (1, 8), 2, " downloads at once");
        let timeout_s = self.int(&s, "timeout_s", (1, 600), 30, " seconds");
        Some(Assets {
            max_bytes: u64::try_from(max_bytes?).ok()?,
            concurrency: usize::try_from(concurrency?).ok()?,
            timeout_s: u64::try_from(timeout_s?).ok()?,
        })
    }
}

/// Parses `mqtt://host[:port]` / `mqtts://host[:port]`; the error is the message after the key.
fn parse_url(url: &str) -> Result<BrokerUrl, String> {
    let scheme = |scheme: &str| {
        url.get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .and_then(|_| url.get(scheme.len()..))
    };
    let (tls, rest) = if let Some(rest) = scheme("mqtts://") {
        (true, rest)
    } else if let Some(rest) = scheme("mqtt://") {
        (false, rest)
    } else {
        return Err(format!(
            "must start with mqtt:// or mqtts:// (TLS), such as \"mqtt://10.0.0.2:1883\", got {}",
            quote(url)
        ));
    };
    if rest.contains('@') {
        // Never echo the URL: the part before '@' may be a password.
        return Err(
            "must not hold a user name or password; set broker.username and broker.password \
             instead"
                .to_owned(),
        );
    }
    let (authority, trailing) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !trailing.is_empty() {
        return Err(format!(
            "must have nothing after the host and port, got {} after them in {}",
            quote(trailing),
            quote(url)
        ));
    }
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let after = &authority[end + 1..];
                let port = match after.strip_prefix(':') {
                    Some(p) => Some(p),
                    None if after.is_empty() => None,
                    None => {
                        return Err(format!(
                            "has {} after the IPv6 address; expected \":PORT\" or nothing",
                            quote(after)
                        ))
                    }
                };
                (&authority[..=end], port)
            }
            None => return Err(format!("has an unclosed '[' in {}", quote(url))),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            v6.contains(':')
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        }
        None => host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'),
    };
    if host.is_empty() {
        return Err(format!("has no host, got {}", quote(url)));
    }
    if !host_ok {
        return Err(format!(
            "has host {}, which is not a host name or IP address",
            quote(host)
        ));
    }
    let port = match port {
        None => {
            if tls {
                8883
            } else {
                1883
            }
        }
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port >= 1 && p.bytes().all(|b| b.is_ascii_digit()) => port,
            _ => {
                return Err(format!(
                    "has port {}; a port must be 1..=65535 (or leave it out for {})",
                    quote(p),
                    if tls { 8883 } else { 1883 }
                ))
            }
        },
    };
    Ok(BrokerUrl {
        tls,
        host: host.to_owned(),
        port,
    })
}

/// `+HH:MM` / `-HH:MM` from -12:00 to +14:00.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let b = s.as_bytes();
    if b.len() != 6 || b[3] != b':' || ![1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digit = |i: usize| i32::from(b[i] - b'0');
    let hours = digit(1) * 10 + digit(2);
    let minutes = digit(4) * 10 + digit(5);
    let total = sign * (hours * 3600 + minutes * 60);
    if minutes >= 60 || !(-12 * 3600..=14 * 3600).contains(&total) {
        return None;
    }
    FixedOffset::east_opt(total)
}

/// A trust key id: the id rule of envelopes (1..=64 of `[A-Za-z0-9._-]`, not starting with
/// '.' or '-'), so that every key a board trusts can actually sign something.
fn is_key_id(s: &str) -> bool {
    crate::content::is_valid_id(s)
}

/// An MQTT 3.1.1 client id every broker must accept (1..=23 of `[A-Za-z0-9]`; `-` and `_` are
/// accepted by every broker we know of).
fn is_client_id(s: &str) -> bool {
    (1..=23).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The closest known key within edit distance 2, if any.
fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, by character.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// A key as written in a message: bare if it could be written bare in TOML, else quoted.
fn show_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// A string value, quoted, cut short if long.
fn quote(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

/// "a string", "an integer", …
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// The kind and, for scalars, the value: `a string ("30")`.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("a string ({})", quote(s)),
        Value::Integer(i) => format!("an integer ({i})"),
        Value::Float(f) => format!("a float ({f})"),
        Value::Boolean(b) => format!("a boolean ({b})"),
        Value::Datetime(d) => format!("a date-time ({d})"),
        Value::Array(_) | Value::Table(_) => kind_of(v).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("mqtt://10.0.0.2").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (false, "10.0.0.2", 1883));
        let u = parse_url("mqtts://broker.example.vn").unwrap();
        assert_eq!((u.tls, u.port), (true, 8883));
        let u = parse_url("MQTT://[::1]:1884").unwrap();
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
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        assert!(!parse_url("mqtt://u:secret@h")
            .unwrap_err()
            .contains("secret"));
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+07:00"), FixedOffset::east_opt(7 * 3600));
        assert_eq!(
            parse_offset("-03:30"),
            FixedOffset::east_opt(-(3 * 3600 + 1800))
        );
        assert_eq!(parse_offset("+14:00"), FixedOffset::east_opt(14 * 3600));
        for bad in [
            "+7:00", "07:00", "+07:60", "+15:00", "-12:01", "+0700", "+07:00 ", "+٠٧:00", "Z",
        ] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("nmae", "name"), 2);
        assert_eq!(edit_distance("keep_alive", "keep_alive_s"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(did_you_mean("widht", DISPLAY_KEYS), Some("width"));
        assert_eq!(did_you_mean("colour", DISPLAY_KEYS), None);
    }
}

//! The validated content model of the wire protocol (docs/protocol.md), as plain data.
//!
//! Values of these types only come out of [`super::parse`], which checks every bound, so the
//! rest of the board can trust them. They serialise back to the wire form (publishers use that).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An RFC 3339 time with its offset, as it was written.
pub type Timestamp = DateTime<FixedOffset>;

/// Limits applied while parsing. Documented in docs/protocol.md; raising them is a protocol change.
pub mod limits {
    /// Longest id of an item, alert or command.
    pub const ID_CHARS: usize = crate::ids::ID_CHARS;
    /// Most items in one channel.
    pub const ITEMS_PER_CHANNEL: usize = 200;
    pub const TITLE_CHARS: usize = 200;
    pub const BODY_CHARS: usize = 4000;
    pub const CAPTION_CHARS: usize = 300;
    pub const TICKER_CHARS: usize = 500;
    pub const HEADLINE_CHARS: usize = 200;
    pub const DESCRIPTION_CHARS: usize = 4000;
    pub const INSTRUCTION_CHARS: usize = 2000;
    pub const SENDER_CHARS: usize = 200;
    pub const URL_CHARS: usize = 2000;
    /// Longest text a QR code is made from (a citizen feedback link).
    pub const QR_CHARS: usize = 512;
    /// An inline image, decoded.
    pub const INLINE_IMAGE_BYTES: usize = 256 * 1024;
    /// An image fetched by URL.
    pub const URL_IMAGE_BYTES: u64 = 16 * 1024 * 1024;
    /// The largest video file a channel may name (fetched by URL only, never inline).
    pub const VIDEO_BYTES: u64 = 512 * 1024 * 1024;
    /// A whole message (envelope) as it arrives.
    pub const MESSAGE_BYTES: usize = 1024 * 1024;
    pub const DURATION_S: std::ops::RangeInclusive<u32> = 3..=600;
    pub const DEFAULT_DURATION_S: u32 = 10;
    /// The `duration_s` of a video item that gives none: as long as its clip.
    pub const CLIP_LENGTH: u32 = 0;
    pub const HOUR_RANGES: usize = 8;
    pub const REFERENCES: usize = 32;
    /// The areas an alert concerns, as one text (CAP `areaDesc`s joined with "; ").
    pub const AREA_CHARS: usize = 500;
    /// A CAP 1.2 XML document carried in an alert's `cap` field, refused before parsing.
    pub const CAP_XML_BYTES: usize = 256 * 1024;
    /// The largest PNG a screenshot reply carries; a board halves the picture until it fits.
    pub const SCREENSHOT_PNG_BYTES: usize = 1024 * 1024;
    /// The largest command reply a board publishes: a screenshot's PNG in base64 (4 bytes for
    /// every 3) with the reply's other fields.
    pub const REPLY_BYTES: usize = SCREENSHOT_PNG_BYTES.div_ceil(3) * 4 + 4096;
    /// The largest MQTT packet a staff tool or the console reads: a reply, its topic and the
    /// packet's header. Brokers must pass packets of this size (Mosquitto's
    /// `message_size_limit`, the embedded broker's limit).
    pub const STAFF_PACKET_BYTES: usize = REPLY_BYTES + 1024;
    /// The dimmest a command may make a screen, in percent: a board at 0% looks broken.
    pub const MIN_BRIGHTNESS: u32 = 5;
    /// How long `identify` may show the board's id.
    pub const IDENTIFY_S: std::ops::RangeInclusive<u64> = 1..=600;
    /// How long `identify` shows it when the command does not say.
    pub const IDENTIFY_DEFAULT_S: u64 = 30;
    /// How long a `set_brightness` may last.
    pub const BRIGHTNESS_MINUTES: std::ops::RangeInclusive<u64> = 1..=1440;
}

/// A signed envelope as it travels: `body` is JSON text, `sig` the Ed25519 signature of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub key: String,
    pub sig: String,
    pub body: String,
}

/// The signed body of an envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub topic: String,
    pub seq: u64,
    pub issued_at: Timestamp,
    pub payload: Payload,
}

/// What a body carries; the wire form names it twice (`"kind": "channel", "channel": {..}`).
/// An alert is larger than the others, but there is one payload per message and it is moved a
/// handful of times, so boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Channel(Channel),
    Alert(Alert),
    Command(Command),
}

impl Payload {
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Channel(_) => "channel",
            Payload::Alert(_) => "alert",
            Payload::Command(_) => "command",
        }
    }
}

/// A channel: the whole programme one publisher has for one topic. Empty `items` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub items: Vec<Item>,
}

/// One entry of a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    #[serde(flatten)]
    pub kind: ItemKind,
    #[serde(default)]
    pub class: Class,
    /// For a video, [`limits::CLIP_LENGTH`] (0, never written out) when the channel gives
    /// none: the item lasts as long as its clip.
    #[serde(default = "default_duration", skip_serializing_if = "is_clip_length")]
    pub duration_s: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Timestamp>,
    /// Days of the week it may show, in the board's time zone; `None` means every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<Weekday>>,
    /// Times of day it may show, in the board's time zone; `None` means all day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<HourRange>>,
}

fn default_duration() -> u32 {
    limits::DEFAULT_DURATION_S
}

fn is_clip_length(d: &u32) -> bool {
    *d == limits::CLIP_LENGTH
}

/// The item types and the fields only they have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ItemKind {
    Announcement {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image: Option<ImageRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qr: Option<String>,
    },
    Image {
        image: ImageRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
    Ticker {
        text: String,
    },
    /// A video clip (protocol v1), fetched by URL and checked like a URL image.
    Video {
        video: VideoRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        /// Play its sound (default: silent).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        audio: bool,
    },
}

/// A video file: where to fetch it, and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoRef {
    pub url: String,
    /// Lowercase hex.
    pub sha256: String,
    pub bytes: u64,
}

impl ItemKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            ItemKind::Announcement { .. } => "announcement",
            ItemKind::Image { .. } => "image",
            ItemKind::Ticker { .. } => "ticker",
            ItemKind::Video { .. } => "video",
        }
    }

    /// The image this item shows, if any.
    pub fn image(&self) -> Option<&ImageRef> {
        match self {
            ItemKind::Announcement { image, .. } => image.as_ref(),
            ItemKind::Image { image, .. } => Some(image),
            ItemKind::Ticker { .. } | ItemKind::Video { .. } => None,
        }
    }
}

/// Message class (Circular 39/2020): thông thường = `normal`, ưu tiên = `priority`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    #[default]
    Normal,
    Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn from_name(s: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.name() == s)
    }
}

/// A time of day, minutes after midnight, 0..=1440 ("24:00" ends a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(pub u16);

impl TimeOfDay {
    /// Parses "HH:MM" (24-hour, "24:00" allowed).
    pub fn parse(s: &str) -> Option<TimeOfDay> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let h: u16 = h.parse().ok()?;
        let m: u16 = m.parse().ok()?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(TimeOfDay(h * 60 + m))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TimeOfDay::parse(&s).ok_or_else(|| serde::de::Error::custom("expected HH:MM"))
    }
}

/// A daily window; `from > to` crosses midnight ("21:00" to "06:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourRange {
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

/// Where an image comes from; either way its sha256 is known before a byte is trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImageRef {
    Url {
        url: String,
        /// Lowercase hex.
        sha256: String,
        bytes: u64,
    },
    Inline {
        /// Standard base64 with padding, as received (already checked to decode and match).
        inline: String,
        /// Lowercase hex.
        sha256: String,
    },
}

impl ImageRef {
    pub fn sha256(&self) -> &str {
        match self {
            ImageRef::Url { sha256, .. } | ImageRef::Inline { sha256, .. } => sha256,
        }
    }

    /// The bytes of an inline image (`None` for a URL image). Parsing already checked that
    /// they decode and match `sha256`.
    pub fn inline_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        match self {
            ImageRef::Inline { inline, .. } => base64::engine::general_purpose::STANDARD
                .decode(inline)
                .ok(),
            ImageRef::Url { .. } => None,
        }
    }
}

/// An emergency alert (khẩn cấp), modelled on OASIS CAP 1.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub msg_type: MsgType,
    #[serde(default)]
    pub references: Vec<String>,
    pub status: AlertStatus,
    pub severity: Severity,
    #[serde(default)]
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// The areas it concerns, in words ("Xã Xuân Nộn; Xã Nam Hồng"); a CAP alert's `areaDesc`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// A real emergency.
    Actual,
    /// A drill (diễn tập): shown with an unmistakable marking.
    Exercise,
    /// A technical test: never shown, only logged and acknowledged.
    Test,
}

/// Ordered from least to most severe, so `max()` picks the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Moderate,
    Severe,
    Extreme,
}

impl Severity {
    /// `extreme` and `severe` take the whole screen; the others are a banner.
    pub fn is_full_screen(self) -> bool {
        self >= Severity::Severe
    }
}

/// A signed command to one board, its arguments checked when it was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub id: String,
    pub action: Action,
}

/// What a command asks a board to do, with its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Reply with the frame on screen as a PNG.
    Screenshot,
    /// Read the config file again.
    Reload,
    /// Show the board's id and area on screen for `seconds` (1..=600, default 30).
    Identify { seconds: u64 },
    /// Brightness `level` in percent (at least [`limits::MIN_BRIGHTNESS`]: never black), or
    /// `None` for the configured schedule; for `minutes`, or until changed or restarted.
    SetBrightness {
        level: Option<u32>,
        minutes: Option<u64>,
    },
}

impl Command {
    /// The command's wire form: `{"id", "action", "args"}`.
    pub fn to_value(&self) -> serde_json::Value {
        let args = match self.action {
            Action::Screenshot | Action::Reload => serde_json::json!({}),
            Action::Identify { seconds } => serde_json::json!({ "seconds": seconds }),
            Action::SetBrightness { level, minutes } => {
                let mut args = serde_json::json!({ "level": level });
                if let Some(m) = minutes {
                    args["minutes"] = m.into();
                }
                args
            }
        };
        serde_json::json!({"id": self.id, "action": self.action.name(), "args": args})
    }
}

impl Action {
    /// The names of the actions on the wire.
    pub const NAMES: [&'static str; 4] = ["screenshot", "reload", "identify", "set_brightness"];

    pub fn name(self) -> &'static str {
        match self {
            Action::Screenshot => "screenshot",
            Action::Reload => "reload",
            Action::Identify { .. } => "identify",
            Action::SetBrightness { .. } => "set_brightness",
        }
    }
}

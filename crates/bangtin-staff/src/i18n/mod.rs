//! The words staff tools say to people, in Vietnamese and English.
//!
//! Commune officers (cán bộ xã) read these messages, so the Vietnamese is plain and polite, with
//! full diacritics in NFC, and never a word-for-word copy of the English. Every message is one
//! [`Msg`] variant and one arm of [`Msg::text`]: no macros, no catalogue files, and the compiler
//! points at every message a new variant leaves untranslated.
//!
//! This module only formats text; it never prints, reads the terminal or decides anything.
//! [`Lang::from_env`] is the one place that reads the process environment, and the rule it
//! applies is the pure [`Lang::detect`].

use std::fmt;
use std::str::FromStr;

/// The language of staff-facing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Vietnamese (tiếng Việt).
    Vi,
    /// English; also what anything unrecognised falls back to.
    #[default]
    En,
}

impl Lang {
    /// The language the POSIX locale asks for: the first non-empty of `LC_ALL`, `LC_MESSAGES`
    /// and `LANG`, read by [`Lang::detect`].
    pub fn from_env() -> Lang {
        let var = |name: &str| std::env::var(name).ok();
        Lang::detect(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// The locale rule, without touching the environment: the first non-empty value wins (as
    /// POSIX orders them), and its language part (`vi` in `vi`, `vi_VN`, `vi_VN.UTF-8`,
    /// `vi_VN@euro`) decides. Vietnamese for `vi`, English for anything else or nothing.
    pub fn detect(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|v| !v.is_empty());
        let Some(locale) = chosen else {
            return Lang::En;
        };
        let language = locale
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default();
        if language.eq_ignore_ascii_case("vi") {
            Lang::Vi
        } else {
            Lang::En
        }
    }

    /// Reads a `--lang` value: `vi` or `en`, in any case. Usable as a clap `value_parser`.
    pub fn parse(s: &str) -> Result<Lang, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            _ => Err(format!("language must be vi or en, got {s:?}")),
        }
    }

    /// The code [`Lang::parse`] reads back.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::parse(s)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How many board ids a message lists before it says "and K more": a district fleet has
/// hundreds of boards, and a wall of ids helps nobody.
pub const MAX_LISTED: usize = 10;

/// One staff-facing message, with the values it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    // Fleet table: column headers.
    HeaderBoard,
    HeaderName,
    HeaderArea,
    HeaderState,
    HeaderLastSeen,
    HeaderShowing,
    HeaderAlert,
    HeaderChannels,
    HeaderClock,
    HeaderLastError,
    // Fleet table: cell values.
    StateOnline,
    StateOffline,
    /// Online by its last status, but no status for longer than the board's reporting period
    /// allows.
    StateStale,
    ClockSynced,
    ClockNotSynced,
    /// A short duration, as in the "last seen" column: "12 s", "5 min", "3 h", "2 d".
    Duration {
        seconds: u64,
    },
    /// The line under the fleet table.
    FleetSummary {
        total: usize,
        online: usize,
        offline: usize,
        stale: usize,
    },
    NoBoardsKnown,
    NoBoardsInArea {
        area: String,
    },
    // Publishing and acknowledgements.
    /// `showing` of `total` boards show the item; `offline` lists the boards that could not.
    ShowingOn {
        showing: usize,
        total: usize,
        offline: Vec<String>,
    },
    /// `received` of `total` boards acknowledged receipt (a channel shows in its turn).
    ReceivedBy {
        received: usize,
        total: usize,
        offline: Vec<String>,
    },
    Waiting {
        seconds_left: u64,
    },
    AllAcknowledged {
        total: usize,
    },
    NotAcknowledged {
        boards: Vec<String>,
    },
    /// `board` holds the alert and shows it at its turn, after the alert `behind`.
    WaitingBehind {
        board: String,
        behind: String,
    },
    Sent {
        topic: String,
        seq: u64,
    },
    NothingSent,
    /// Sent, but no board of the area is online to confirm it.
    NoneOnline {
        offline: Vec<String>,
    },
    /// Sent, but not every online board confirmed it in time.
    SentNotConfirmed,
    /// After an alert: how to change or end it (not: send it again).
    AlertHint {
        id: String,
    },
    /// The prompt before a live alert goes out. `severity` is the protocol word (`extreme`,
    /// `severe`, `moderate`, `minor`), translated here.
    ConfirmLiveAlert {
        severity: String,
        area: String,
    },
    ConfirmationMismatch,
    /// A live extreme/severe alert with no terminal to confirm at and no `--confirm`.
    ConfirmationNeeded {
        severity: String,
        area: String,
    },
    /// The marking of an alert with status `exercise`.
    Drill,
    DryRun {
        path: String,
    },
    // Commands and content preparation.
    ScreenshotSaved {
        path: String,
        width: u32,
        height: u32,
    },
    NoAnswer {
        board: String,
        seconds: u64,
    },
    /// Text in a legacy encoding (TCVN3, VNI, ...) was converted to Unicode.
    EncodingConverted {
        encoding: String,
        before: String,
        after: String,
    },
    ImageRecompressed {
        before_bytes: u64,
        after_bytes: u64,
        width: u32,
        height: u32,
    },
    /// A clip was checked as a board will check it; boards fetch it from `url`.
    VideoChecked {
        what: String,
        width: u32,
        height: u32,
        millis: u64,
        url: String,
    },
    ReportWritten {
        lines: usize,
    },
    /// Report lines of plays recorded before a board's clock was set.
    UndatedPlays {
        lines: usize,
    },
}

/// A progress line: the count, then the offline boards if any.
fn progress(count: String, offline: &[String], vi: bool) -> String {
    let mut s = count;
    if !offline.is_empty() {
        s.push_str(if vi {
            "; ngoại tuyến: "
        } else {
            "; offline: "
        });
        s.push_str(&list(offline, vi));
    }
    s.push('.');
    s
}

impl Msg {
    /// The message in `lang`, as one line without a trailing newline (the alert confirmation
    /// ends in ": " so that the answer is typed after it).
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Msg::HeaderBoard => pick(vi, "bảng tin", "board"),
            Msg::HeaderName => pick(vi, "tên", "name"),
            Msg::HeaderArea => pick(vi, "khu vực", "area"),
            Msg::HeaderState => pick(vi, "trạng thái", "state"),
            Msg::HeaderLastSeen => pick(vi, "báo cáo cuối", "last seen"),
            Msg::HeaderShowing => pick(vi, "đang hiển thị", "showing"),
            Msg::HeaderAlert => pick(vi, "cảnh báo", "alert"),
            Msg::HeaderChannels => pick(vi, "kênh", "channels"),
            Msg::HeaderClock => pick(vi, "đồng hồ", "clock"),
            Msg::HeaderLastError => pick(vi, "lỗi gần nhất", "last error"),
            Msg::StateOnline => pick(vi, "trực tuyến", "online"),
            Msg::StateOffline => pick(vi, "ngoại tuyến", "offline"),
            Msg::StateStale => pick(vi, "không báo cáo", "not reporting"),
            Msg::ClockSynced => pick(vi, "đã đồng bộ", "synced"),
            Msg::ClockNotSynced => pick(vi, "chưa đồng bộ", "not synced"),
            Msg::Duration { seconds } => duration(*seconds, vi),
            Msg::FleetSummary {
                total,
                online,
                offline,
                stale,
            } => {
                if vi {
                    format!(
                        "{total} bảng tin: {online} trực tuyến, {offline} ngoại tuyến, \
                         {stale} không báo cáo"
                    )
                } else {
                    format!(
                        "{}: {online} online, {offline} offline, {stale} not reporting",
                        boards_en(*total)
                    )
                }
            }
            Msg::NoBoardsKnown => pick(
                vi,
                "Chưa có bảng tin nào gửi trạng thái.",
                "No boards have reported their status yet.",
            ),
            Msg::NoBoardsInArea { area } => {
                if vi {
                    format!("Chưa có bảng tin nào ở khu vực {area}.")
                } else {
                    format!("No boards known in area {area}.")
                }
            }
            Msg::ShowingOn {
                showing,
                total,
                offline,
            } => progress(
                if vi {
                    format!("{showing}/{total} bảng tin đang hiển thị nội dung này")
                } else {
                    format!("{showing}/{total} boards showing it")
                },
                offline,
                vi,
            ),
            Msg::ReceivedBy {
                received,
                total,
                offline,
            } => progress(
                if vi {
                    format!("{received}/{total} bảng tin đã nhận")
                } else {
                    format!("{received}/{total} boards received it")
                },
                offline,
                vi,
            ),
            Msg::Waiting { seconds_left } => {
                if vi {
                    format!("Đang chờ các bảng tin phản hồi... (còn {seconds_left} giây)")
                } else {
                    format!("Waiting for boards... ({seconds_left}s left)")
                }
            }
            Msg::AllAcknowledged { total } => {
                if vi {
                    format!("Cả {total} bảng tin đều đã xác nhận.")
                } else if *total == 1 {
                    "The 1 board acknowledged.".to_string()
                } else {
                    format!("All {total} boards acknowledged.")
                }
            }
            Msg::NotAcknowledged { boards } => {
                if vi {
                    format!(
                        "{} bảng tin chưa xác nhận: {}.",
                        boards.len(),
                        list(boards, vi)
                    )
                } else {
                    format!(
                        "{} did not acknowledge: {}.",
                        boards_en(boards.len()),
                        list(boards, vi)
                    )
                }
            }
            Msg::WaitingBehind { board, behind } => {
                if vi {
                    format!(
                        "{board}: đã nhận, đang chờ sau cảnh báo {behind} (hiển thị theo lượt, \
                         không cần gửi lại)."
                    )
                } else {
                    format!(
                        "{board}: received, waiting behind alert {behind} (shown at its turn; \
                         do not send it again)."
                    )
                }
            }
            Msg::Sent { topic, seq } => {
                if vi {
                    format!("Đã gửi tới {topic} (số thứ tự {seq}).")
                } else {
                    format!("Sent to {topic} (seq {seq}).")
                }
            }
            Msg::NothingSent => pick(vi, "Chưa có nội dung nào được gửi.", "Nothing was sent."),
            Msg::ConfirmLiveAlert { severity, area } => {
                let level = severity_word(severity, vi);
                if vi {
                    format!(
                        "Đây là cảnh báo THẬT (không phải diễn tập), mức độ {level}, cho khu vực \
                         {area}. Để xác nhận, xin gõ lại tên khu vực: "
                    )
                } else {
                    format!(
                        "This is a LIVE alert (not a drill) of severity {level} for area {area}. \
                         Type the area to confirm: "
                    )
                }
            }
            Msg::ConfirmationMismatch => pick(
                vi,
                "Nội dung xác nhận không khớp; chưa có gì được gửi.",
                "The confirmation did not match; nothing was sent.",
            ),
            Msg::ConfirmationNeeded { severity, area } => {
                let level = severity_word(severity, vi);
                let last = area.rsplit('/').next().unwrap_or(area);
                if vi {
                    format!(
                        "Cảnh báo THẬT mức độ {level} cần xác nhận: chạy lệnh tại cửa sổ dòng lệnh                          để gõ tên khu vực, hoặc thêm --confirm {last}; chưa có gì được gửi."
                    )
                } else {
                    format!(
                        "A LIVE alert of severity {level} needs confirmation: run it at a terminal                          and type the area, or add --confirm {last}; nothing was sent."
                    )
                }
            }
            Msg::NoneOnline { offline } => {
                if vi {
                    format!(
                        "Không có bảng tin nào trong khu vực đang trực tuyến để xác nhận; {} bảng \
                         ngoại tuyến sẽ nhận và hiển thị khi kết nối lại: {}.",
                        offline.len(),
                        list(offline, vi)
                    )
                } else {
                    format!(
                        "No board of the area is online to confirm it; {} offline board(s) will \
                         take it when they reconnect: {}.",
                        offline.len(),
                        list(offline, vi)
                    )
                }
            }
            Msg::SentNotConfirmed => pick(
                vi,
                "Đã gửi lên máy chủ nhưng chưa đủ bảng tin xác nhận (xem trên). Đừng gửi lại: \
                 các bảng tin sẽ nhận khi kết nối lại.",
                "It was sent to the broker, but not every online board confirmed it (see above). \
                 Do not send it again: boards take it when they reconnect.",
            ),
            Msg::AlertHint { id } => {
                if vi {
                    format!(
                        "Để sửa cảnh báo: bangtin alert --update {id} ...; để kết thúc: \
                         bangtin alert --cancel {id} (cùng --area)."
                    )
                } else {
                    format!(
                        "To change this alert: bangtin alert --update {id} ...; to end it: \
                         bangtin alert --cancel {id} (same --area)."
                    )
                }
            }
            Msg::Drill => pick(vi, "DIỄN TẬP", "drill (exercise)"),
            Msg::DryRun { path } => {
                if vi {
                    format!("Chạy thử: đã ghi bản xem trước vào {path}; chưa có gì được gửi.")
                } else {
                    format!("Dry run: preview written to {path}; nothing was sent.")
                }
            }
            Msg::ScreenshotSaved {
                path,
                width,
                height,
            } => {
                if vi {
                    format!("Đã lưu ảnh chụp màn hình vào {path} ({width}x{height}).")
                } else {
                    format!("Screenshot saved to {path} ({width}x{height}).")
                }
            }
            Msg::NoAnswer { board, seconds } => {
                if vi {
                    format!("Bảng tin {board} không trả lời trong vòng {seconds} giây.")
                } else {
                    format!("Board {board} did not answer within {seconds} s.")
                }
            }
            Msg::EncodingConverted {
                encoding,
                before,
                after,
            } => {
                if vi {
                    format!(
                        "Văn bản có vẻ dùng bảng mã {encoding} nên đã được chuyển sang Unicode: \
                         {before} -> {after}"
                    )
                } else {
                    format!(
                        "The text looked like {encoding} and was converted: {before} -> {after}"
                    )
                }
            }
            Msg::ImageRecompressed {
                before_bytes,
                after_bytes,
                width,
                height,
            } => {
                let before = bytes(*before_bytes, vi);
                let after = bytes(*after_bytes, vi);
                if vi {
                    format!("Ảnh đã được nén lại: {before} -> {after} ({width}x{height}).")
                } else {
                    format!("Image recompressed: {before} -> {after} ({width}x{height}).")
                }
            }
            Msg::VideoChecked {
                what,
                width,
                height,
                millis,
                url,
            } => {
                let secs = *millis as f64 / 1000.0;
                if vi {
                    format!(
                        "Video {what} {width}x{height}, dài {secs:.1} giây: bảng tin phát được. \
                         Bảng tin sẽ tải tệp từ {url}: hãy đặt tệp lên đó trước khi gửi."
                    )
                } else {
                    format!(
                        "Video {what} {width}x{height}, {secs:.1} s long: boards can play it. \
                         Boards fetch the file from {url}: put it there before publishing."
                    )
                }
            }
            Msg::UndatedPlays { lines } => {
                if vi {
                    format!(
                        "Lưu ý: {lines} dòng là lượt phát được ghi khi đồng hồ của bảng tin chưa \
                         được chỉnh (clock_trusted = false): giờ ghi là giờ của đồng hồ lúc đó; \
                         các dòng này nằm trong báo cáo của kỳ thu thập."
                    )
                } else {
                    format!(
                        "Note: {lines} line(s) are plays a board recorded before its clock was \
                         set (clock_trusted = false): their times are the board's clock as it \
                         was; they are in the report of the period they were collected in."
                    )
                }
            }
            Msg::ReportWritten { lines } => {
                if vi {
                    format!("Đã ghi báo cáo: {lines} dòng.")
                } else if *lines == 1 {
                    "Report written: 1 line.".to_string()
                } else {
                    format!("Report written: {lines} lines.")
                }
            }
        }
    }
}

fn pick(vi: bool, vietnamese: &str, english: &str) -> String {
    if vi { vietnamese } else { english }.to_string()
}

fn boards_en(n: usize) -> String {
    if n == 1 {
        "1 board".to_string()
    } else {
        format!("{n} boards")
    }
}

/// Board ids joined by ", ", at most [`MAX_LISTED`] of them and then how many more.
fn list(items: &[String], vi: bool) -> String {
    let shown = items.len().min(MAX_LISTED);
    let mut s = items[..shown].join(", ");
    let rest = items.len() - shown;
    if rest > 0 {
        if vi {
            s.push_str(&format!(" và {rest} bảng tin khác"));
        } else {
            s.push_str(&format!(" and {rest} more"));
        }
    }
    s
}

/// "12 s", "5 min", "3 h", "2 d" (rounded down): how long ago, at a glance.
fn duration(seconds: u64, vi: bool) -> String {
    let (n, en, vn) = match seconds {
        0..=59 => (seconds, "s", "giây"),
        60..=3_599 => (seconds / 60, "min", "phút"),
        3_600..=86_399 => (seconds / 3_600, "h", "giờ"),
        _ => (seconds / 86_400, "d", "ngày"),
    };
    format!("{n} {}", if vi { vn } else { en })
}

/// Sizes in decimal units, with the decimal comma in Vietnamese ("2,4 MB").
fn bytes(n: u64, vi: bool) -> String {
    let s = if n < 1_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{} kB", (n + 500) / 1_000)
    } else {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    };
    if vi {
        s.replace('.', ",")
    } else {
        s
    }
}

/// CAP severity words. An unknown word is shown as it came.
fn severity_word(severity: &str, vi: bool) -> String {
    let vietnamese = match severity.to_ascii_lowercase().as_str() {
        "extreme" => "CỰC KỲ NGHIÊM TRỌNG",
        "severe" => "NGHIÊM TRỌNG",
        "moderate" => "TRUNG BÌNH",
        "minor" => "NHẸ",
        _ => return severity.to_string(),
    };
    if vi {
        vietnamese.to_string()
    } else {
        severity.to_ascii_uppercase()
    }
}

#[cfg(test)]
mod tests;

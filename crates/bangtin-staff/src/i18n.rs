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
    ReportWritten {
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
mod tests {
    use super::*;

    #[test]
    fn detect_reads_the_language_part() {
        for v in [
            "vi",
            "vi_VN",
            "vi_VN.UTF-8",
            "vi_VN.utf8",
            "vi_VN@latin",
            "VI_vn",
            "vi-VN",
        ] {
            assert_eq!(Lang::detect(Some(v), None, None), Lang::Vi, "{v}");
        }
        for v in ["en_US.UTF-8", "C", "POSIX", "C.UTF-8", "fr_FR", "vie", "v"] {
            assert_eq!(Lang::detect(Some(v), None, None), Lang::En, "{v}");
        }
    }

    #[test]
    fn detect_takes_the_first_non_empty_in_posix_order() {
        assert_eq!(Lang::detect(None, None, None), Lang::En);
        assert_eq!(Lang::detect(Some(""), Some(""), Some("")), Lang::En);
        assert_eq!(Lang::detect(None, None, Some("vi_VN.UTF-8")), Lang::Vi);
        assert_eq!(Lang::detect(Some(""), Some("vi"), Some("en_US")), Lang::Vi);
        assert_eq!(Lang::detect(Some("  "), None, Some("vi")), Lang::Vi);
        // LC_ALL wins over everything, even when it says English.
        assert_eq!(Lang::detect(Some("C"), Some("vi"), Some("vi")), Lang::En);
        assert_eq!(Lang::detect(None, Some("en_GB"), Some("vi")), Lang::En);
    }

    #[test]
    fn parse_accepts_only_the_two_codes() {
        assert_eq!(Lang::parse("vi"), Ok(Lang::Vi));
        assert_eq!(Lang::parse("EN"), Ok(Lang::En));
        assert_eq!("vi".parse::<Lang>(), Ok(Lang::Vi));
        let err = Lang::parse("fr").unwrap_err();
        assert!(err.contains("vi or en") && err.contains("fr"), "{err}");
        assert_eq!(Lang::parse(Lang::Vi.code()), Ok(Lang::Vi));
    }

    /// One of every variant. The match below has no wildcard, so a new variant does not
    /// compile until it is added here too.
    fn every_msg() -> Vec<Msg> {
        let all = vec![
            Msg::HeaderBoard,
            Msg::HeaderName,
            Msg::HeaderArea,
            Msg::HeaderState,
            Msg::HeaderLastSeen,
            Msg::HeaderShowing,
            Msg::HeaderAlert,
            Msg::HeaderChannels,
            Msg::HeaderClock,
            Msg::HeaderLastError,
            Msg::StateOnline,
            Msg::StateOffline,
            Msg::StateStale,
            Msg::ClockSynced,
            Msg::ClockNotSynced,
            Msg::Duration { seconds: 12 },
            Msg::FleetSummary {
                total: 15,
                online: 12,
                offline: 2,
                stale: 1,
            },
            Msg::NoBoardsKnown,
            Msg::NoBoardsInArea {
                area: "vn/ha-noi".into(),
            },
            Msg::ShowingOn {
                showing: 3,
                total: 4,
                offline: vec!["xuan-non-02".into()],
            },
            Msg::ReceivedBy {
                received: 2,
                total: 4,
                offline: vec!["xuan-non-02".into()],
            },
            Msg::Waiting { seconds_left: 20 },
            Msg::AllAcknowledged { total: 4 },
            Msg::NotAcknowledged {
                boards: vec!["a".into(), "b".into()],
            },
            Msg::Sent {
                topic: "bangtin/v1/content/vn".into(),
                seq: 42,
            },
            Msg::NothingSent,
            Msg::NoneOnline {
                offline: vec!["xuan-non-02".into()],
            },
            Msg::SentNotConfirmed,
            Msg::AlertHint {
                id: "bao-so-3".into(),
            },
            Msg::ConfirmLiveAlert {
                severity: "extreme".into(),
                area: "vn/ha-noi/dong-anh".into(),
            },
            Msg::ConfirmationMismatch,
            Msg::ConfirmationNeeded {
                severity: "extreme".into(),
                area: "vn/ha-noi/dong-anh".into(),
            },
            Msg::Drill,
            Msg::DryRun {
                path: "preview.png".into(),
            },
            Msg::ScreenshotSaved {
                path: "shot.png".into(),
                width: 1920,
                height: 1080,
            },
            Msg::NoAnswer {
                board: "xuan-non-01".into(),
                seconds: 10,
            },
            Msg::EncodingConverted {
                encoding: "TCVN3".into(),
                before: "Th\u{00B5}nh".into(),
                after: "Thành".into(),
            },
            Msg::ImageRecompressed {
                before_bytes: 2_400_000,
                after_bytes: 180_000,
                width: 1920,
                height: 1080,
            },
            Msg::ReportWritten { lines: 7 },
        ];
        for m in &all {
            match m {
                Msg::HeaderBoard
                | Msg::HeaderName
                | Msg::HeaderArea
                | Msg::HeaderState
                | Msg::HeaderLastSeen
                | Msg::HeaderShowing
                | Msg::HeaderAlert
                | Msg::HeaderChannels
                | Msg::HeaderClock
                | Msg::HeaderLastError
                | Msg::StateOnline
                | Msg::StateOffline
                | Msg::StateStale
                | Msg::ClockSynced
                | Msg::ClockNotSynced
                | Msg::Duration { .. }
                | Msg::FleetSummary { .. }
                | Msg::NoBoardsKnown
                | Msg::NoBoardsInArea { .. }
                | Msg::ShowingOn { .. }
                | Msg::ReceivedBy { .. }
                | Msg::Waiting { .. }
                | Msg::AllAcknowledged { .. }
                | Msg::NotAcknowledged { .. }
                | Msg::Sent { .. }
                | Msg::NothingSent
                | Msg::NoneOnline { .. }
                | Msg::SentNotConfirmed
                | Msg::AlertHint { .. }
                | Msg::ConfirmLiveAlert { .. }
                | Msg::ConfirmationMismatch
                | Msg::ConfirmationNeeded { .. }
                | Msg::Drill
                | Msg::DryRun { .. }
                | Msg::ScreenshotSaved { .. }
                | Msg::NoAnswer { .. }
                | Msg::EncodingConverted { .. }
                | Msg::ImageRecompressed { .. }
                | Msg::ReportWritten { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_message_has_distinct_non_empty_vietnamese_and_english() {
        let all = every_msg();
        assert_eq!(all.len(), 39);
        for m in &all {
            let vi = m.text(Lang::Vi);
            let en = m.text(Lang::En);
            assert!(!vi.trim().is_empty(), "{m:?} has no Vietnamese");
            assert!(!en.trim().is_empty(), "{m:?} has no English");
            assert_ne!(vi, en, "{m:?} is not translated");
            assert!(
                !vi.contains('\n') && !en.contains('\n'),
                "{m:?} is not one line"
            );
        }
    }

    #[test]
    fn vietnamese_is_precomposed() {
        // NFC Vietnamese has no combining marks: every letter with its diacritics is one char.
        for m in every_msg() {
            let vi = m.text(Lang::Vi);
            let combining = vi.chars().find(|c| ('\u{0300}'..='\u{036F}').contains(c));
            assert_eq!(combining, None, "{m:?}: {vi}");
        }
        assert_eq!(Msg::StateOffline.text(Lang::Vi).chars().count(), 11);
    }

    #[test]
    fn values_appear_in_both_languages() {
        let m = Msg::Sent {
            topic: "bangtin/v1/alert/vn".into(),
            seq: 42,
        };
        for lang in [Lang::Vi, Lang::En] {
            let t = m.text(lang);
            assert!(t.contains("bangtin/v1/alert/vn") && t.contains("42"), "{t}");
        }
        assert_eq!(
            Msg::FleetSummary {
                total: 15,
                online: 12,
                offline: 2,
                stale: 1
            }
            .text(Lang::En),
            "15 boards: 12 online, 2 offline, 1 not reporting"
        );
        assert_eq!(
            Msg::FleetSummary {
                total: 1,
                online: 1,
                offline: 0,
                stale: 0
            }
            .text(Lang::En),
            "1 board: 1 online, 0 offline, 0 not reporting"
        );
        assert_eq!(
            Msg::FleetSummary {
                total: 15,
                online: 12,
                offline: 2,
                stale: 1
            }
            .text(Lang::Vi),
            "15 bảng tin: 12 trực tuyến, 2 ngoại tuyến, 1 không báo cáo"
        );
    }

    #[test]
    fn durations_round_down_to_one_unit() {
        let en = |s| Msg::Duration { seconds: s }.text(Lang::En);
        let vi = |s| Msg::Duration { seconds: s }.text(Lang::Vi);
        assert_eq!(en(0), "0 s");
        assert_eq!(en(12), "12 s");
        assert_eq!(en(59), "59 s");
        assert_eq!(en(60), "1 min");
        assert_eq!(en(5 * 60 + 59), "5 min");
        assert_eq!(en(3 * 3600 + 1), "3 h");
        assert_eq!(en(2 * 86_400 + 7), "2 d");
        assert_eq!(vi(12), "12 giây");
        assert_eq!(vi(300), "5 phút");
        assert_eq!(vi(3 * 3600), "3 giờ");
        assert_eq!(vi(2 * 86_400), "2 ngày");
    }

    #[test]
    fn long_board_lists_are_cut_with_a_count() {
        let boards: Vec<String> = (1..=13).map(|i| format!("b{i}")).collect();
        let m = Msg::NotAcknowledged { boards };
        let en = m.text(Lang::En);
        assert!(
            en.starts_with("13 boards did not acknowledge: b1, b2"),
            "{en}"
        );
        assert!(en.contains("b10 and 3 more") && !en.contains("b11"), "{en}");
        let vi = m.text(Lang::Vi);
        assert!(vi.contains("b10 và 3 bảng tin khác"), "{vi}");
        let one = Msg::NotAcknowledged {
            boards: vec!["x".into()],
        };
        assert_eq!(one.text(Lang::En), "1 board did not acknowledge: x.");
    }

    #[test]
    fn showing_on_names_offline_boards_only_when_there_are_some() {
        let all = Msg::ShowingOn {
            showing: 4,
            total: 4,
            offline: vec![],
        };
        assert_eq!(all.text(Lang::En), "4/4 boards showing it.");
        let some = Msg::ShowingOn {
            showing: 2,
            total: 4,
            offline: vec!["a".into(), "b".into()],
        };
        assert_eq!(some.text(Lang::En), "2/4 boards showing it; offline: a, b.");
        assert!(some.text(Lang::Vi).ends_with("; ngoại tuyến: a, b."));
    }

    #[test]
    fn live_alert_prompt_translates_the_severity() {
        let m = Msg::ConfirmLiveAlert {
            severity: "extreme".into(),
            area: "vn/ha-noi".into(),
        };
        let vi = m.text(Lang::Vi);
        assert!(
            vi.contains("THẬT") && vi.contains("CỰC KỲ NGHIÊM TRỌNG"),
            "{vi}"
        );
        assert!(vi.contains("vn/ha-noi"), "{vi}");
        let en = m.text(Lang::En);
        assert!(en.contains("LIVE") && en.contains("EXTREME"), "{en}");
        let odd = Msg::ConfirmLiveAlert {
            severity: "unknown".into(),
            area: "vn".into(),
        };
        assert!(odd.text(Lang::Vi).contains("unknown"));
    }

    #[test]
    fn sizes_use_the_local_decimal_mark() {
        let m = Msg::ImageRecompressed {
            before_bytes: 2_400_000,
            after_bytes: 180_400,
            width: 1920,
            height: 1080,
        };
        assert_eq!(
            m.text(Lang::En),
            "Image recompressed: 2.4 MB -> 180 kB (1920x1080)."
        );
        assert_eq!(
            m.text(Lang::Vi),
            "Ảnh đã được nén lại: 2,4 MB -> 180 kB (1920x1080)."
        );
        assert_eq!(bytes(999, false), "999 B");
    }
}

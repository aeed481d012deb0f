//! `[board]`: who the board is, where, its time zone and its time servers.

use crate::check::{quote, Checker, Reported, Sect, StringList};
use crate::locate::Place;
use crate::{Board, DEFAULT_TIMEZONE};
use bangtin_protocol::trust;
use chrono::FixedOffset;
use toml::Table;

pub(crate) const BOARD_KEYS: &[&str] = &["id", "area", "name", "timezone", "ntp"];

/// Time servers a board may name, at most.
const NTP_SERVERS: usize = 8;

impl Checker<'_> {
    pub(crate) fn board(&mut self, root: &Table) -> Option<Board> {
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
            } else if name
                .chars()
                .any(|c| c.is_control() || bangtin_protocol::content::text::is_hidden_format(c))
            {
                Some(format!(
                    "must be one line of text, without control characters or invisible \
                     formatting (right-to-left overrides, zero-width characters), got {}",
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
            Ok(None) => Some(DEFAULT_TIMEZONE),
            Ok(Some(text)) => {
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
        let ntp = self.ntp(&s);
        Some(Board {
            id: id?,
            area: area?,
            name: name?,
            timezone: timezone?,
            ntp: ntp?,
        })
    }

    /// `ntp`: the province's time servers, host names or addresses (the install hands them to
    /// systemd-timesyncd); empty when absent.
    fn ntp(&mut self, s: &Sect<'_>) -> Option<Vec<String>> {
        let StringList { items, all_strings } = match self.strings(s, "ntp") {
            Ok(None) => return Some(Vec::new()),
            Ok(Some(list)) => list,
            Err(Reported) => return None,
        };
        if items.len() > NTP_SERVERS {
            self.problem(
                s.place,
                "ntp",
                format!(
                    "may name at most {NTP_SERVERS} servers, got {}",
                    items.len()
                ),
            );
            return None;
        }
        let mut good = all_strings;
        for (i, host) in &items {
            if !is_host(host) {
                let line = self.loc.line(s.place, Some("ntp"));
                self.problems.push((
                    line,
                    format!(
                        "{}[{i}] must be a host name or address such as \"ntp.ha-noi.gov.vn\" \
                         or \"10.1.2.3\", got {}",
                        s.place.path("ntp"),
                        quote(host)
                    ),
                ));
                good = false;
            }
        }
        good.then(|| items.into_iter().map(|(_, h)| h.to_owned()).collect())
    }
}

/// A host name or an IPv4/IPv6 address: 1..=253 characters of letters, digits, `.`, `-` and
/// `:`, not starting with `-` (nothing a shell or a config file could read otherwise).
fn is_host(s: &str) -> bool {
    (1..=253).contains(&s.len())
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for good in ["ntp.ha-noi.gov.vn", "10.1.2.3", "fd00::1", "pool.ntp.org"] {
            assert!(is_host(good), "{good}");
        }
        for bad in [
            "",
            "-oProxy",
            "a b",
            "ntp;reboot",
            "máy.vn",
            &"a".repeat(254),
        ] {
            assert!(!is_host(bad), "{bad}");
        }
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
}

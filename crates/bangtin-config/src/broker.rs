//! `[broker]`: where the board's MQTT broker is and how it logs in.

use crate::check::{quote, Checker, Reported, Sect};
use crate::locate::Place;
use crate::{Broker, BrokerUrl, DEFAULT_PREFIX};
use toml::{Table, Value};

pub(crate) const BROKER_KEYS: &[&str] = &[
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

impl Checker<'_> {
    pub(crate) fn broker(&mut self, root: &Table, board_id: Option<&str>) -> Option<Broker> {
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
            .and_then(|url| match BrokerUrl::parse(url) {
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
}

/// An MQTT 3.1.1 client id every broker must accept (1..=23 of `[A-Za-z0-9]`; `-` and `_` are
/// accepted by every broker we know of).
fn is_client_id(s: &str) -> bool {
    (1..=23).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

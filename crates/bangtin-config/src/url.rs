//! The broker's URL, `mqtt://host[:port]` or `mqtts://host[:port]`: the one parser of the
//! project, with messages that say what is wrong and never echo a password.

use crate::check::quote;
use std::fmt;

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

impl BrokerUrl {
    /// Parses `mqtt://host[:port]` / `mqtts://host[:port]` (IPv6 in brackets); the error says
    /// what is wrong, in words that follow the setting's name ("broker.url must ..."). The one
    /// broker URL parser of the project: boards, staff tools and the console use it.
    pub fn parse(url: &str) -> Result<BrokerUrl, String> {
        parse_url(url)
    }
}

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

//! `console.toml`: where the console listens, its database, the broker, and the areas it
//! manages with their signing keys. Paths are relative to the file's folder.

use bangtin_staff::BrokerSpec;
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default = "default_listen")]
    listen: String,
    #[serde(default = "default_database")]
    database: PathBuf,
    /// Set when a reverse proxy in front terminates HTTPS: then the console may listen beyond
    /// loopback, and trusts the proxy's `X-Forwarded-For` for the client's address.
    #[serde(default)]
    behind_proxy: bool,
    broker: BrokerFile,
    #[serde(default)]
    security: Security,
    #[serde(rename = "area", default)]
    areas: Vec<AreaFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrokerFile {
    url: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default = "default_prefix")]
    prefix: String,
}

/// Switches an administrator may turn, each shown on every page when weakened.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// Approvers and admins log in with a one-time code too.
    #[serde(default = "yes")]
    pub require_totp: bool,
}

impl Default for Security {
    fn default() -> Self {
        Security { require_totp: true }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaFile {
    path: String,
    key: PathBuf,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default = "yes")]
    approval: bool,
    #[serde(default)]
    name: Option<String>,
    /// A live extreme or severe alert needs a second officer (a small commune with one
    /// officer sets false: then the sender types the area's name instead).
    #[serde(default = "yes")]
    alert_two_person: bool,
    /// Minutes the second officer has; after them the alert is not sent.
    #[serde(default = "default_confirm_minutes")]
    alert_confirm_minutes: u32,
    /// The longest an alert may last, in hours.
    #[serde(default = "default_alert_hours")]
    alert_max_hours: u32,
}

fn default_confirm_minutes() -> u32 {
    10
}
fn default_alert_hours() -> u32 {
    24
}

fn yes() -> bool {
    true
}
fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_database() -> PathBuf {
    "console.db".into()
}
fn default_prefix() -> String {
    "bangtin/v1".into()
}

/// An area the console publishes for, with the key that signs its channel.
#[derive(Debug, Clone)]
pub struct Area {
    pub path: String,
    pub name: String,
    pub key_id: String,
    pub key: SigningKey,
    /// The key file (commands are signed through it, with its seq file beside it).
    pub key_path: PathBuf,
    pub approval: bool,
    pub alert_two_person: bool,
    pub alert_confirm_minutes: u32,
    pub alert_max_hours: u32,
}

/// The console's configuration, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: PathBuf,
    pub behind_proxy: bool,
    pub broker: BrokerSpec,
    pub security: Security,
    pub areas: Vec<Area>,
}

impl Config {
    /// Reads and checks `console.toml`; every problem is listed.
    pub fn load(path: &Path) -> Result<Config, Vec<String>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, base).map_err(|p| {
            p.into_iter()
                .map(|e| format!("{}: {e}", path.display()))
                .collect()
        })
    }

    pub fn parse(text: &str, base: &Path) -> Result<Config, Vec<String>> {
        let file: File = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        let listen: Option<SocketAddr> = file
            .listen
            .parse()
            .map_err(|_| problems.push(format!("listen {:?} is not ADDRESS:PORT", file.listen)))
            .ok();
        if let Some(l) = listen {
            if !l.ip().is_loopback() && !file.behind_proxy {
                problems.push(format!(
                    "listen {l}: the console speaks plain HTTP, so it listens on loopback only \
                     unless behind_proxy = true (HTTPS ends at a reverse proxy in front; \
                     docs/operations.md)"
                ));
            }
        }
        let mut broker = BrokerSpec::new(&file.broker.url, &file.broker.prefix)
            .map_err(|e| problems.push(e.to_string()))
            .ok();
        if let Some(b) = &mut broker {
            b.username = file.broker.username;
            b.password = file.broker.password;
            b.ca_file = file.broker.ca_file.map(|p| base.join(p));
        }
        let mut areas = Vec::new();
        if file.areas.is_empty() {
            problems.push("no [[area]]: name at least one area with its signing key".into());
        }
        for a in file.areas {
            if bangtin_protocol::ids::parse_area(&a.path).is_none() {
                problems.push(format!(
                    "area {:?} is not an area path such as vn/ha-noi",
                    a.path
                ));
                continue;
            }
            let key_path = base.join(&a.key);
            match bangtin_staff::keys::read_key(&key_path) {
                Ok((file_id, key)) => areas.push(Area {
                    name: a.name.unwrap_or_else(|| a.path.clone()),
                    key_id: a.key_id.unwrap_or(file_id),
                    key,
                    key_path,
                    approval: a.approval,
                    alert_two_person: a.alert_two_person,
                    alert_confirm_minutes: a.alert_confirm_minutes.clamp(1, 120),
                    alert_max_hours: a.alert_max_hours.clamp(1, 24 * 30),
                    path: a.path,
                }),
                Err(e) => problems.push(format!("area {}: {e}", a.path)),
            }
        }
        match (listen, broker) {
            (Some(listen), Some(broker)) if problems.is_empty() => Ok(Config {
                listen,
                database: base.join(file.database),
                behind_proxy: file.behind_proxy,
                broker,
                security: file.security,
                areas,
            }),
            _ => Err(problems),
        }
    }

    /// The managed area that holds `area` (the closest), whose key signs for it.
    pub fn area_for(&self, area: &str) -> Option<&Area> {
        self.areas
            .iter()
            .filter(|a| bangtin_staff::fleet::area_covers(&a.path, area))
            .max_by_key(|a| a.path.len())
    }

    /// The alert topic of an area or of `board/ID`.
    pub fn alert_topic(&self, target: &str) -> String {
        let t = match target.strip_prefix("board/") {
            Some(id) => bangtin_staff::Target::Board(id.to_owned()),
            None => bangtin_staff::Target::Area(target.to_owned()),
        };
        t.alert_topic(&self.broker.prefix)
    }

    /// The content topic of an area.
    pub fn content_topic(&self, area: &str) -> String {
        bangtin_staff::Target::Area(area.to_owned()).content_topic(&self.broker.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed_and_plain_http_stays_on_loopback() {
        let dir = tempfile::tempdir().unwrap();
        bangtin_staff::keys::keygen(&dir.path().join("dong-anh")).unwrap();
        let good = "[broker]\nurl = \"mqtt://127.0.0.1:1883\"\n\
                    [[area]]\npath = \"vn/ha-noi/dong-anh\"\nkey = \"dong-anh.key\"\n";
        let c = Config::parse(good, dir.path()).unwrap();
        assert_eq!(c.areas[0].key_id, "dong-anh");
        assert!(c.areas[0].approval);
        assert!(c.security.require_totp);
        assert_eq!(
            c.area_for("vn/ha-noi/dong-anh/x").unwrap().path,
            "vn/ha-noi/dong-anh"
        );
        assert!(c.area_for("vn/ha-noi").is_none());

        let bad = "listen = \"0.0.0.0:8080\"\n[broker]\nurl = \"http://x\"\n\
                   [[area]]\npath = \"VN\"\nkey = \"k\"\n[[area]]\npath = \"vn/a\"\nkey = \"none.key\"\n";
        let problems = Config::parse(bad, dir.path()).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("loopback"));
    }
}

//! A province's brokers, generated from its board list: per-account passwords, ACLs that let a
//! stolen board credential be nothing but that board, district brokers bridged to the province,
//! and each board's `[broker]` section (`bangtin broker-config`, docs/operations.md).
//!
//! [`input`] reads and checks the province file, [`mosquitto`] writes each broker's files,
//! [`secrets`] keeps the passwords from one run to the next; [`generate`] puts them together
//! and [`write`] changes on disk only the files whose content changed.

pub mod input;
pub mod mosquitto;
pub mod secrets;

use bangtin_config::BrokerUrl;
use secrets::Secrets;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A checked province: its brokers (the province's first), boards and staff accounts.
#[derive(Debug, Clone)]
pub struct Province {
    pub prefix: String,
    pub brokers: Vec<Broker>,
    pub boards: Vec<Board>,
    pub staff: Vec<Staff>,
    pub board_ca_file: Option<String>,
    /// Where each broker's files live on its machine: `CONF_DIR/NAME/{passwd,acl}`.
    pub conf_dir: String,
    pub data_dir: String,
    pub certs_dir: String,
}

#[derive(Debug, Clone)]
pub struct Broker {
    pub name: String,
    pub area: Vec<String>,
    /// Where boards, staff and the district bridges reach it.
    pub url: Option<BrokerUrl>,
    /// The address it listens on (all addresses when absent).
    pub listen: Option<String>,
    /// The port of its second listener, for staff, the province's systems, the monitor and
    /// district bridges (boards use the URL's).
    pub staff_port: u16,
    /// The broker it is bridged to (the province's, index 0), for a district.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub id: String,
    pub area: Vec<String>,
    /// The broker it connects to (index into [`Province::brokers`]).
    pub broker: usize,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub user: String,
    pub areas: Vec<Vec<String>>,
    pub alerts: bool,
    pub broker: usize,
}

impl Broker {
    /// Where staff tools, the console and bridges reach it: the URL's host and scheme, the
    /// staff listener's port.
    pub fn staff_url(&self) -> Option<BrokerUrl> {
        self.url.clone().map(|mut u| {
            u.port = self.staff_port;
            u
        })
    }
}

/// The user name district broker `name`'s bridge logs in to the province with.
pub fn bridge_user(name: &str) -> String {
    format!("{}{name}", input::BRIDGE_PREFIX)
}

/// A file to write: its text and whether only its owner may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub text: String,
    pub secret: bool,
}

/// Everything one run writes, by path relative to the output folder.
pub type Files = BTreeMap<PathBuf, File>;

/// A board's client id: `bangtin-ID` when that fits MQTT 3.1.1's 23 characters, else a
/// digest of the id that does (boards must all differ).
fn client_id(id: &str) -> Option<String> {
    use sha2::Digest as _;
    if id.len() + "bangtin-".len() <= 23 {
        return None;
    }
    let digest = hex::encode(sha2::Sha256::digest(id.as_bytes()));
    Some(format!("bt-{}", &digest[..20]))
}

fn board_section(p: &Province, b: &Board, secrets: &Secrets) -> String {
    let broker = &p.brokers[b.broker];
    let url = broker
        .url
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let password = secrets.get(&b.id).map_or("", |s| s.password.as_str());
    let mut s = format!(
        "# The [broker] section of board {id} ({area}), connected to the broker {name}.\n\
         # Written by `bangtin broker-config`: replace the [broker] section of the board's\n\
         # board.toml with it. It holds the board's password: keep it secret.\n\
         [broker]\nurl = {url:?}\nusername = {id:?}\npassword = {password:?}\n",
        id = b.id,
        area = b.area.join("/"),
        name = broker.name,
    );
    if p.prefix != bangtin_config::DEFAULT_PREFIX {
        s.push_str(&format!("prefix = {:?}\n", p.prefix));
    }
    if let Some(id) = client_id(&b.id) {
        s.push_str(&format!("client_id = {id:?}\n"));
    }
    if let (Some(ca), true) = (&p.board_ca_file, broker.url.as_ref().is_some_and(|u| u.tls)) {
        s.push_str(&format!("ca_file = {ca:?}\n"));
    }
    s
}

/// Every account's user name.
fn users(p: &Province) -> Vec<String> {
    let mut out = vec![input::MONITOR.to_owned()];
    out.extend(p.boards.iter().map(|b| b.id.clone()));
    out.extend(p.staff.iter().map(|s| s.user.clone()));
    out.extend(
        p.brokers
            .iter()
            .filter(|b| b.parent.is_some())
            .map(|b| bridge_user(&b.name)),
    );
    out
}

/// The files of the whole province, with `old`'s passwords kept and new ones made for new
/// accounts; accounts no longer in the province are dropped.
pub fn generate(p: &Province, old: &Secrets) -> (Files, Secrets) {
    let secrets: Secrets = users(p)
        .into_iter()
        .map(|u| {
            let s = secrets::secret_for(old, &u);
            (u, s)
        })
        .collect();
    let mut files = Files::new();
    let mut put = |path: PathBuf, text: String, secret: bool| {
        files.insert(path, File { text, secret });
    };
    for (i, b) in p.brokers.iter().enumerate() {
        let dir = Path::new("brokers").join(&b.name);
        // The conf of a district holds its bridge's password.
        put(
            dir.join("mosquitto.conf"),
            mosquitto::conf(p, i, &secrets),
            b.parent.is_some(),
        );
        put(dir.join("acl-boards"), mosquitto::acl_boards(p, i), false);
        put(dir.join("acl-staff"), mosquitto::acl_staff(p, i), false);
        put(
            dir.join("passwd-boards"),
            mosquitto::passwd_boards(p, i, &secrets),
            true,
        );
        put(
            dir.join("passwd-staff"),
            mosquitto::passwd_staff(p, i, &secrets),
            true,
        );
    }
    for b in &p.boards {
        put(
            Path::new("boards").join(format!("{}.toml", b.id)),
            board_section(p, b, &secrets),
            true,
        );
    }
    put(PathBuf::from(SECRETS), secrets::to_toml(&secrets), true);
    (files, secrets)
}

/// What [`write`] did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    New,
    Changed,
    Removed,
}

/// The passwords' file, written first.
pub const SECRETS: &str = "secrets.toml";

/// The list of generated files, so that a later run removes what it no longer generates and
/// nothing else.
const MANIFEST: &str = ".generated";

/// Whether `out` may be written into: a new or empty folder, or one an earlier run wrote (its
/// manifest). Another folder (`--out .`, `--out /tmp`) is refused, not made private.
pub fn usable_out(out: &Path) -> Result<(), String> {
    let ours = out.join(MANIFEST).is_file()
        || std::fs::read_dir(out).map_or(true, |mut d| d.next().is_none());
    if ours {
        Ok(())
    } else {
        Err(format!(
            "{} already holds other files; give a new or empty folder (it will hold every \
             password, readable by you only)",
            out.display()
        ))
    }
}

/// Writes `files` under `out`, touching only files whose content changed, and removes the
/// files an earlier run generated that this one does not. Returns what changed.
///
/// `out` is made readable by its owner only (it holds every password); secret files are mode
/// 0600, the others 0644.
pub fn write(out: &Path, files: &Files) -> Result<Vec<(PathBuf, Change)>, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let io = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        format!("cannot {what} {}: {e}", path.display())
    };
    usable_out(out)?;
    std::fs::create_dir_all(out).map_err(|e| io("create", out, &e))?;
    std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io("restrict", out, &e))?;
    let mut changes = Vec::new();
    let before: Vec<PathBuf> = std::fs::read_to_string(out.join(MANIFEST))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty() && !l.contains("..") && !l.starts_with('/'))
        .map(PathBuf::from)
        .collect();
    // The passwords first: a power cut after a broker's hashes were written but before the
    // passwords were kept would otherwise leave accounts nobody can log in to.
    let secrets_first = files
        .iter()
        .filter(|(p, _)| p.as_path() == Path::new(SECRETS))
        .chain(
            files
                .iter()
                .filter(|(p, _)| p.as_path() != Path::new(SECRETS)),
        );
    for (rel, f) in secrets_first {
        let path = out.join(rel);
        let mode = if f.secret { 0o600 } else { 0o644 };
        let change = match std::fs::read_to_string(&path) {
            Ok(t) if t == f.text => None,
            Ok(_) => Some(Change::Changed),
            Err(_) => Some(Change::New),
        };
        if let Some(change) = change {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io("create", dir, &e))?;
            }
            bangtin_store::write_atomically(&path, f.text.as_bytes())
                .map_err(|e| io("write", &path, &e))?;
            changes.push((rel.clone(), change));
        }
        // Every run, changed or not: a secret file someone opened up is closed again.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io("set the mode of", &path, &e))?;
    }
    for rel in before {
        if !files.contains_key(&rel) && std::fs::remove_file(out.join(&rel)).is_ok() {
            changes.push((rel, Change::Removed));
        }
    }
    let manifest: String = files.keys().map(|p| format!("{}\n", p.display())).collect();
    let path = out.join(MANIFEST);
    bangtin_store::write_atomically(&path, manifest.as_bytes())
        .map_err(|e| io("write", &path, &e))?;
    changes.sort();
    Ok(changes)
}

#[cfg(test)]
mod tests;

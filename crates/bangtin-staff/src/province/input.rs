//! The province file an installer writes (TOML), with its board list inline or in a CSV file,
//! read into a checked [`Province`]: every problem is found and named in one pass.

use super::{Board, Broker, Province, Staff};
use bangtin_config::BrokerUrl;
use bangtin_protocol::ids::{is_slug, is_valid_id, parse_area, SLUG_RULE};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// User names the generator keeps for itself.
pub const MONITOR: &str = "monitor";
pub const BRIDGE_PREFIX: &str = "bridge-";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    province: ProvinceSection,
    #[serde(default)]
    mosquitto: MosquittoSection,
    #[serde(default)]
    district: Vec<DistrictSection>,
    #[serde(default)]
    staff: Vec<StaffSection>,
    #[serde(default)]
    board: Vec<BoardRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceSection {
    name: String,
    area: String,
    broker: String,
    listen: Option<String>,
    staff_port: Option<u16>,
    prefix: Option<String>,
    /// A CSV file of boards (`id,area,broker`), relative to the province file.
    boards: Option<PathBuf>,
    /// Where boards find the CA certificate of an `mqtts://` broker.
    board_ca_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MosquittoSection {
    conf_dir: Option<String>,
    data_dir: Option<String>,
    certs_dir: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictSection {
    name: String,
    area: String,
    broker: String,
    listen: Option<String>,
    staff_port: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffSection {
    user: String,
    areas: Vec<String>,
    #[serde(default)]
    alerts: bool,
    broker: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardRow {
    id: String,
    area: String,
    broker: Option<String>,
}

/// Reads and checks the province file at `path` (and the CSV it names).
pub fn load(path: &Path) -> Result<Province, Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
    let mut file: File =
        toml::from_str(&text).map_err(|e| vec![format!("{}: {}", path.display(), e.message())])?;
    let mut rows: Vec<(String, BoardRow)> = std::mem::take(&mut file.board)
        .into_iter()
        .enumerate()
        .map(|(i, b)| (format!("{}: board {}", path.display(), i + 1), b))
        .collect();
    let mut problems = Vec::new();
    if let Some(csv) = &file.province.boards {
        let csv = path.parent().unwrap_or(Path::new(".")).join(csv);
        let text = std::fs::read_to_string(&csv)
            .map_err(|e| vec![format!("cannot read {}: {e}", csv.display())])?;
        rows.extend(parse_csv(&csv, &text, &mut problems));
    }
    check(file, rows, problems)
}

/// `id,area,broker` rows after a header line; `#` starts a comment line; the broker column
/// may be empty (the province broker).
fn parse_csv(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<(String, BoardRow)> {
    let mut rows = Vec::new();
    let mut header = false;
    for (n, line) in text.lines().enumerate() {
        let place = format!("{}:{}", path.display(), n + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header {
            header = true;
            if cols != ["id", "area", "broker"] && cols != ["id", "area"] {
                problems.push(format!(
                    "{place}: the first line must be the header \"id,area,broker\", got {line:?}"
                ));
                return rows;
            }
            continue;
        }
        if cols.iter().any(|c| c.contains('"')) || !(2..=3).contains(&cols.len()) {
            problems.push(format!(
                "{place}: expected 2 or 3 columns (id,area,broker) without quotes, got {line:?}"
            ));
            continue;
        }
        rows.push((
            place,
            BoardRow {
                id: cols[0].to_owned(),
                area: cols[1].to_owned(),
                broker: cols
                    .get(2)
                    .filter(|b| !b.is_empty())
                    .map(|b| (*b).to_owned()),
            },
        ));
    }
    if !header {
        problems.push(format!(
            "{}: empty; the first line must be the header \"id,area,broker\"",
            path.display()
        ));
    }
    rows
}

fn under(area: &[String], top: &[String]) -> bool {
    area.len() >= top.len() && area[..top.len()] == *top
}

fn check(
    file: File,
    rows: Vec<(String, BoardRow)>,
    mut p: Vec<String>,
) -> Result<Province, Vec<String>> {
    let File {
        province,
        mosquitto,
        district: districts,
        staff,
        board: _,
    } = file;
    let area = |p: &mut Vec<String>, what: &str, s: &str| {
        // `board` is where the boards' own topics are (`content/board/ID`): no area may be
        // called that.
        if s == "board" || s.starts_with("board/") {
            p.push(format!(
                "{what}: area {s:?} may not start with \"board\" (the boards' own topics)"
            ));
            return Vec::new();
        }
        parse_area(s).unwrap_or_else(|| {
            p.push(format!(
                "{what}: area {s:?} is not an area path (segments joined by '/', each {SLUG_RULE})"
            ));
            Vec::new()
        })
    };
    let url = |p: &mut Vec<String>, what: &str, s: &str| match BrokerUrl::parse(s) {
        // Mosquitto 2.0 cannot resolve a bridge address written as an IPv6 literal.
        Ok(u) if u.host.starts_with('[') => {
            p.push(format!(
                "{what}: broker {s:?}: give a host name instead of an IPv6 address (Mosquitto's \
                 bridges cannot use one)"
            ));
            None
        }
        Ok(u) => Some(u),
        Err(e) => {
            p.push(format!("{what}: broker {e}"));
            None
        }
    };
    let prefix = province.prefix.unwrap_or_else(|| "bangtin/v1".to_owned());
    if prefix.is_empty()
        || prefix.contains(['+', '#'])
        || prefix.starts_with(['/', '$'])
        || prefix.ends_with('/')
        || prefix.contains("//")
        || prefix.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        p.push(format!(
            "province.prefix {prefix:?} must be topic levels without wildcards, spaces, '$' or \
             empty levels"
        ));
    }
    if !is_slug(&province.name) {
        p.push(format!("province.name {:?} {SLUG_RULE}", province.name));
    }
    // Paths and addresses go into Mosquitto's configuration line by line and into each
    // board's TOML: one with a line break could add a setting of its own.
    let plain = |p: &mut Vec<String>, what: &str, v: &Option<String>, path: bool| {
        if let Some(v) = v {
            if v.is_empty() || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
                p.push(format!(
                    "{what} {v:?} must not be empty or hold spaces or control characters"
                ));
            } else if path && !v.starts_with('/') {
                p.push(format!("{what} {v:?} must be an absolute path (from /)"));
            }
        }
    };
    plain(&mut p, "mosquitto.conf_dir", &mosquitto.conf_dir, true);
    plain(&mut p, "mosquitto.data_dir", &mosquitto.data_dir, true);
    plain(&mut p, "mosquitto.certs_dir", &mosquitto.certs_dir, true);
    plain(
        &mut p,
        "province.board_ca_file",
        &province.board_ca_file,
        true,
    );
    plain(&mut p, "province.listen", &province.listen, false);
    for d in &districts {
        plain(
            &mut p,
            &format!("district {:?}: listen", d.name),
            &d.listen,
            false,
        );
    }
    let top = area(&mut p, "province", &province.area);
    // The staff listener: the port given, or the one after the boards'.
    let staff_port =
        |p: &mut Vec<String>, what: &str, url: &Option<BrokerUrl>, given: Option<u16>| {
            let boards = url.as_ref().map_or(0, |u| u.port);
            let port = given.unwrap_or_else(|| boards.saturating_add(1));
            if port == 0 || port == boards {
                p.push(format!(
                    "{what}: staff_port {port} must be a port other than the boards' ({boards})"
                ));
            }
            port
        };
    let province_url = url(&mut p, "province", &province.broker);
    let mut brokers = vec![Broker {
        name: province.name.clone(),
        area: top.clone(),
        staff_port: staff_port(&mut p, "province", &province_url, province.staff_port),
        url: province_url,
        listen: province.listen,
        parent: None,
    }];
    for d in districts {
        let what = format!("district {:?}", d.name);
        if !is_slug(&d.name) {
            p.push(format!("{what}: the name {SLUG_RULE}"));
        }
        if brokers.iter().any(|b| b.name == d.name) {
            p.push(format!(
                "{what}: the name is used twice (the province's name counts)"
            ));
        }
        let a = area(&mut p, &what, &d.area);
        if !a.is_empty() && !top.is_empty() && (!under(&a, &top) || a.len() == top.len()) {
            p.push(format!(
                "{what}: area {:?} is not inside the province's area {:?}",
                d.area, province.area
            ));
        }
        let district_url = url(&mut p, &what, &d.broker);
        brokers.push(Broker {
            staff_port: staff_port(&mut p, &what, &district_url, d.staff_port),
            url: district_url,
            name: d.name,
            area: a,
            listen: d.listen,
            parent: Some(0),
        });
    }
    let broker_index = |p: &mut Vec<String>, what: &str, name: Option<&str>| match name {
        None => 0,
        Some(n) => brokers.iter().position(|b| b.name == n).unwrap_or_else(|| {
            let names: Vec<&str> = brokers.iter().map(|b| b.name.as_str()).collect();
            p.push(format!(
                "{what}: no broker {n:?}; the brokers are {}",
                names.join(", ")
            ));
            0
        }),
    };

    let mut users: BTreeSet<String> = [MONITOR.to_owned()].into();
    let mut boards = Vec::new();
    for (what, row) in rows {
        let what = format!("{what} ({:?})", row.id);
        if !is_slug(&row.id) {
            p.push(format!("{what}: the board id {SLUG_RULE}"));
        } else if row.id == MONITOR || row.id.starts_with(BRIDGE_PREFIX) {
            p.push(format!(
                "{what}: the names \"{MONITOR}\" and \"{BRIDGE_PREFIX}…\" are the brokers' own"
            ));
        } else if !users.insert(row.id.clone()) {
            p.push(format!("{what}: the board id is listed twice"));
        }
        let a = area(&mut p, &what, &row.area);
        let broker = broker_index(&mut p, &what, row.broker.as_deref());
        let home = &brokers[broker];
        if !a.is_empty() && !home.area.is_empty() && !under(&a, &home.area) {
            p.push(format!(
                "{what}: area {:?} is outside the area {:?} of its broker {:?}, whose bridge \
                 would not carry its content",
                row.area,
                home.area.join("/"),
                home.name
            ));
        }
        boards.push(Board {
            id: row.id,
            area: a,
            broker,
        });
    }
    let mut accounts = Vec::new();
    for s in staff {
        let what = format!("staff {:?}", s.user);
        if !is_valid_id(&s.user) {
            p.push(format!(
                "{what}: the user name {}",
                bangtin_protocol::ids::ID_RULE
            ));
        } else if s.user == MONITOR || s.user.starts_with(BRIDGE_PREFIX) {
            p.push(format!(
                "{what}: the names \"{MONITOR}\" and \"{BRIDGE_PREFIX}…\" are the brokers' own"
            ));
        } else if !users.insert(s.user.clone()) {
            p.push(format!(
                "{what}: the name is taken by a board or another account"
            ));
        }
        let broker = broker_index(&mut p, &what, s.broker.as_deref());
        if s.areas.is_empty() {
            p.push(format!(
                "{what}: areas is empty; give the areas this account may publish to"
            ));
        }
        let home = brokers[broker].area.clone();
        let areas: Vec<Vec<String>> = s
            .areas
            .iter()
            .map(|x| {
                let a = area(&mut p, &what, x);
                if !a.is_empty() && !home.is_empty() && !under(&a, &home) {
                    p.push(format!(
                        "{what}: area {x:?} is outside {:?}, the area of its broker",
                        home.join("/")
                    ));
                }
                a
            })
            .collect();
        accounts.push(Staff {
            user: s.user,
            areas,
            alerts: s.alerts,
            broker,
        });
    }
    if !p.is_empty() {
        return Err(p);
    }
    Ok(Province {
        prefix,
        brokers,
        boards,
        staff: accounts,
        board_ca_file: province.board_ca_file,
        conf_dir: mosquitto
            .conf_dir
            .unwrap_or_else(|| "/etc/mosquitto/bangtin".to_owned()),
        data_dir: mosquitto
            .data_dir
            .unwrap_or_else(|| "/var/lib/mosquitto".to_owned()),
        certs_dir: mosquitto
            .certs_dir
            .unwrap_or_else(|| "/etc/mosquitto/certs".to_owned()),
    })
}

#[cfg(test)]
pub(super) fn from_str(text: &str, csv: Option<&str>) -> Result<Province, Vec<String>> {
    let mut file: File = toml::from_str(text).map_err(|e| vec![e.message().to_owned()])?;
    let mut rows: Vec<(String, BoardRow)> = std::mem::take(&mut file.board)
        .into_iter()
        .enumerate()
        .map(|(i, b)| (format!("board {}", i + 1), b))
        .collect();
    let mut problems = Vec::new();
    if let Some(csv) = csv {
        rows.extend(parse_csv(Path::new("boards.csv"), csv, &mut problems));
    }
    check(file, rows, problems)
}

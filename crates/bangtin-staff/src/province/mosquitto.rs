//! What one Mosquitto 2 broker of the province is given: its configuration (listener, TLS,
//! persistence, limits and, for a district, the bridge to the province), its password file
//! and its ACL file.
//!
//! The ACL is written per account, with exact topics wherever the protocol allows, so that a
//! stolen credential can do nothing but what its owner does: a board reads its areas' content
//! and alerts and its own `cmd`, and writes only its own status, ack, played and reply; staff
//! write content, alerts (only with the alert right) and commands only in their areas and read
//! the boards' reports; a district's bridge takes down only what its boards read and carries
//! up reports; the monitor reads; nobody else writes anything. There are no anonymous clients.
//!
//! Mosquitto searches an account's ACL lines one by one for every message, so the lines
//! checked on every ack (staff reading reports, a bridge carrying them up) are patterns that
//! come first: with exact lines for 10,000 boards, the province broker spent seconds of CPU
//! on one alert's acks (bench/REPORT.md, "A province on real brokers").

use super::secrets::Secrets;
use super::{Board, Province, Staff};
use bangtin_protocol::trust::board_topic;
use std::fmt::Write as _;

/// Mosquitto's `message_size_limit`: the largest payload any client may publish. Above the
/// largest message of the protocol (a screenshot reply), well below the 8 MiB a board reads.
pub const MESSAGE_SIZE_LIMIT: usize = 2 * 1024 * 1024;
const _: () = assert!(bangtin_protocol::content::limits::STAFF_PACKET_BYTES <= MESSAGE_SIZE_LIMIT);

/// What a board writes about itself.
const BOARD_REPORTS: [&str; 4] = ["status", "ack", "played", "reply"];

pub const HEADER: &str =
    "# Written by `bangtin broker-config` from the province file. Do not edit: change the\n\
     # province file and run it again.\n";

fn area_topic(prefix: &str, kind: &str, area: &[String]) -> String {
    format!("{prefix}/{kind}/{}", area.join("/"))
}

/// Every topic prefix of `area` (the country, the province, ...) for `kind`.
fn ancestors(prefix: &str, kind: &str, area: &[String]) -> Vec<String> {
    (1..=area.len())
        .map(|n| area_topic(prefix, kind, &area[..n]))
        .collect()
}

fn covers(areas: &[Vec<String>], area: &[String]) -> bool {
    areas
        .iter()
        .any(|a| area.len() >= a.len() && area[..a.len()] == *a)
}

/// The boards of the province that any of `areas` covers.
fn boards_in<'a>(p: &'a Province, areas: &'a [Vec<String>]) -> impl Iterator<Item = &'a Board> {
    p.boards.iter().filter(move |b| covers(areas, &b.area))
}

/// The ACL file of broker `at`'s boards' listener: one block per board that connects there.
pub fn acl_boards(p: &Province, at: usize) -> String {
    let pre = &p.prefix;
    let mut s = String::from(HEADER);
    s.push_str(
        "# The boards' listener: one block per board, named by its user name (its id); what a\n\
         # block does not allow is refused.\n\n",
    );
    for b in p.boards.iter().filter(|b| b.broker == at) {
        let _ = writeln!(s, "# board {} in {}", b.id, b.area.join("/"));
        let _ = writeln!(s, "user {}", b.id);
        for kind in ["content", "alert"] {
            for t in ancestors(pre, kind, &b.area) {
                let _ = writeln!(s, "topic read {t}");
            }
            let _ = writeln!(s, "topic read {pre}/{kind}/board/{}", b.id);
        }
        let _ = writeln!(s, "topic read {}", board_topic(pre, &b.id, "cmd"));
        for leaf in BOARD_REPORTS {
            // It reads its own proof of play back (docs/protocol.md §1.3).
            let access = if leaf == "played" {
                "readwrite"
            } else {
                "write"
            };
            let _ = writeln!(s, "topic {access} {}", board_topic(pre, &b.id, leaf));
        }
        s.push('\n');
    }
    s
}

/// The ACL file of broker `at`'s listener for staff, the monitor and district bridges.
pub fn acl_staff(p: &Province, at: usize) -> String {
    let pre = &p.prefix;
    let mut s = String::from(HEADER);
    s.push_str(
        "# The listener for staff, the monitor and district bridges: one block per account;\n\
         # what a block does not allow is refused.\n\n",
    );
    let _ = writeln!(
        s,
        "# The monitor: broker state, bridge state and board statuses; it writes nothing.\n\
         user {}\ntopic read $SYS/#\ntopic read {pre}/bridge/+/state\ntopic read {}\n",
        super::input::MONITOR,
        board_topic(pre, "+", "status")
    );
    for st in p.staff.iter().filter(|st| st.broker == at) {
        staff_acl(&mut s, p, st);
    }
    for (i, d) in p.brokers.iter().enumerate() {
        if d.parent != Some(at) {
            continue;
        }
        let _ = writeln!(
            s,
            "# the bridge from district {} ({}): what its boards read comes down, what they\n\
             # write goes up\nuser {}{}",
            d.name,
            d.area.join("/"),
            super::input::BRIDGE_PREFIX,
            d.name
        );
        // Reports are checked on every message, so they come first and are patterns: a list
        // of every board's topics would be searched line by line for each of thousands of
        // acks. A district broker's own ACL already holds each board to its own reports.
        for leaf in BOARD_REPORTS {
            let _ = writeln!(s, "topic write {}", board_topic(pre, "+", leaf));
        }
        let _ = writeln!(s, "topic write {pre}/bridge/{}/state", d.name);
        for t in bridge_reads(p, i) {
            let _ = writeln!(s, "topic read {pre}/{t}");
        }
        s.push('\n');
    }
    s
}

fn staff_acl(s: &mut String, p: &Province, st: &Staff) {
    let pre = &p.prefix;
    let areas: Vec<String> = st.areas.iter().map(|a| a.join("/")).collect();
    let _ = writeln!(
        s,
        "# staff {} for {}{}\nuser {}",
        st.user,
        areas.join(", "),
        if st.alerts {
            ", with the alert right"
        } else {
            ""
        },
        st.user
    );
    // Every board's reports (what public screens show, whether a board is up): checked on
    // every ack, so first, and one pattern each.
    for leaf in BOARD_REPORTS {
        let _ = writeln!(s, "topic read {}", board_topic(pre, "+", leaf));
    }
    let kinds: &[&str] = if st.alerts {
        &["content", "alert"]
    } else {
        &["content"]
    };
    for kind in kinds {
        for a in &st.areas {
            // `A/#` matches A itself too.
            let _ = writeln!(s, "topic write {}/#", area_topic(pre, kind, a));
        }
    }
    for b in boards_in(p, &st.areas) {
        for kind in kinds {
            let _ = writeln!(s, "topic write {pre}/{kind}/board/{}", b.id);
        }
        let _ = writeln!(s, "topic write {}", board_topic(pre, &b.id, "cmd"));
    }
    s.push('\n');
}

/// What district broker `d` subscribes to at the province, below the prefix: content and
/// alerts of every area above the district and of everything inside it, and the boards' own
/// topics. The boards' topics are wildcards here, so that the bridge (which changes only with
/// a restart) stays the same when boards come and go; the province's ACL, reloaded without a
/// restart, passes only the district's own boards' messages ([`bridge_reads`]).
pub fn bridge_down(p: &Province, d: usize) -> Vec<String> {
    let area = &p.brokers[d].area;
    let mut out = Vec::new();
    for kind in ["content", "alert"] {
        for n in 1..area.len() {
            out.push(format!("{kind}/{}", area[..n].join("/")));
        }
        out.push(format!("{kind}/{}/#", area.join("/")));
    }
    out.extend(["content/board/+", "alert/board/+", "board/+/cmd"].map(String::from));
    out
}

/// What the bridge of district `d` may read at the province: [`bridge_down`] with exact
/// topics for the district's boards.
fn bridge_reads(p: &Province, d: usize) -> Vec<String> {
    let mut out: Vec<String> = bridge_down(p, d)
        .into_iter()
        .filter(|t| !t.contains('+'))
        .collect();
    for b in p.boards.iter().filter(|b| b.broker == d) {
        out.push(format!("content/board/{}", b.id));
        out.push(format!("alert/board/{}", b.id));
        out.push(format!("board/{}/cmd", b.id));
    }
    out
}

/// The password file of broker `at`'s boards' listener.
pub fn passwd_boards(p: &Province, at: usize, secrets: &Secrets) -> String {
    hashes(
        p.boards
            .iter()
            .filter(|b| b.broker == at)
            .map(|b| b.id.clone()),
        secrets,
    )
}

/// The password file of broker `at`'s listener for staff, the monitor and district bridges.
pub fn passwd_staff(p: &Province, at: usize, secrets: &Secrets) -> String {
    let staff = p
        .staff
        .iter()
        .filter(|s| s.broker == at)
        .map(|s| s.user.clone());
    let bridges = p
        .brokers
        .iter()
        .filter(|d| d.parent == Some(at))
        .map(|d| super::bridge_user(&d.name));
    hashes(
        std::iter::once(super::input::MONITOR.to_owned())
            .chain(staff)
            .chain(bridges),
        secrets,
    )
}

fn hashes(users: impl Iterator<Item = String>, secrets: &Secrets) -> String {
    let mut users: Vec<String> = users.collect();
    users.sort();
    users
        .iter()
        .filter_map(|u| secrets.get(u).map(|s| format!("{u}:{}\n", s.hash)))
        .collect()
}

/// The boards whose reports pass through broker `at`: its own, and its districts'.
fn boards_served(p: &Province, at: usize) -> Vec<&Board> {
    p.boards
        .iter()
        .filter(|b| b.broker == at || p.brokers[b.broker].parent == Some(at))
        .collect()
}

/// `max_queued_messages` for a broker that `boards` boards report through: room for four
/// messages each (status, ack on receipt, ack on screen, proof of play) when one alert reaches
/// them all, rounded up to a power of two so that adding a board seldom changes the
/// configuration (a change of configuration means a restart; a change of ACL, a reload).
pub fn queue_limit(boards: usize) -> usize {
    (boards * 4).next_power_of_two().max(1024)
}

/// `mosquitto.conf` of broker `at`.
pub fn conf(p: &Province, at: usize, secrets: &Secrets) -> String {
    let b = &p.brokers[at];
    let dir = format!("{}/{}", p.conf_dir, b.name);
    let mut s = String::from(HEADER);
    let role = match b.parent {
        None => format!("the province broker {} ({})", b.name, b.area.join("/")),
        Some(_) => format!("the district broker {} ({})", b.name, b.area.join("/")),
    };
    let _ = writeln!(s, "# {role}\n");
    let served = boards_served(p, at);
    let port = b.url.as_ref().map_or(8883, |u| u.port);
    let tls = b.url.as_ref().is_some_and(|u| u.tls);
    // Two listeners, each with its own accounts: boards cannot log in where staff and bridges
    // do, and on theirs a board's client id is its user name, so that a stolen board password
    // cannot take another client's id (Mosquitto disconnects the older of two connections with
    // the same id) and cut a bridge or another board off.
    let _ = writeln!(s, "per_listener_settings true\n");
    let listeners = [
        (
            port,
            "boards",
            "# Boards, each logged in as itself; its client id is its user name.",
        ),
        (
            b.staff_port,
            "staff",
            "# Staff, the province's systems, the monitor and district bridges.",
        ),
    ];
    for (listen_port, which, what) in listeners {
        let _ = writeln!(s, "{what}");
        match &b.listen {
            Some(addr) => {
                let _ = writeln!(s, "listener {listen_port} {addr}");
            }
            None => {
                let _ = writeln!(s, "listener {listen_port}");
            }
        }
        let _ = writeln!(
            s,
            "allow_anonymous false\npassword_file {dir}/passwd-{which}\nacl_file {dir}/acl-{which}"
        );
        if which == "boards" {
            let _ = writeln!(s, "use_username_as_clientid true");
        }
        if tls {
            let _ = writeln!(
                s,
                "cafile {certs}/province-ca.crt\ncertfile {certs}/{name}.crt\n\
                 keyfile {certs}/{name}.key\ntls_version tlsv1.2",
                certs = p.certs_dir,
                name = b.name
            );
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\n# Retained content, alerts and statuses survive a restart.\npersistence true\n\
         persistence_location {}/{}/\nautosave_interval 30\n\n\
         # Limits: the largest protocol message is a screenshot reply (docs/protocol.md §10).\n\
         # A client's queue (a bridge, a console following an alert) holds a burst of reports\n\
         # from every board that reports through here; beyond it QoS 1 messages are dropped.\n\
         message_size_limit {MESSAGE_SIZE_LIMIT}\nmax_inflight_messages 100\n\
         max_queued_messages {queued}\nmax_keepalive 300\n\n\
         # $SYS/# every 10 s for monitoring; connections and disconnections in the log (a\n\
         # refusal by the ACL is logged only with log_type debug).\n\
         sys_interval 10\nconnection_messages true\n\
         log_type error\nlog_type warning\nlog_type notice\nlog_type information",
        p.data_dir,
        b.name,
        queued = queue_limit(served.len()),
    );
    if let Some(parent) = b.parent {
        bridge_conf(&mut s, p, at, parent, secrets);
    }
    s
}

fn bridge_conf(s: &mut String, p: &Province, at: usize, parent: usize, secrets: &Secrets) {
    let b = &p.brokers[at];
    let up = &p.brokers[parent];
    let user = super::bridge_user(&b.name);
    let pre = format!("{}/", p.prefix);
    let password = secrets.get(&user).map_or("", |s| s.password.as_str());
    let _ = writeln!(
        s,
        "\n# The bridge to the province broker {up_name}: MQTT v5 (retained messages stay\n\
         # retained), in and out on separate topics (no loops). It keeps no session while it is\n\
         # down (Mosquitto 2.0's v5 bridges do not): when it is back, it subscribes again and\n\
         # gets the retained content and alert of every topic, the latest of each; a command\n\
         # sent meanwhile is lost, as it is for any board that is offline.\n\
         connection {up_name}",
        up_name = up.name
    );
    if let Some(u) = &up.url {
        let _ = writeln!(s, "address {}:{}", u.host, up.staff_port);
        if u.tls {
            let _ = writeln!(
                s,
                "bridge_cafile {}/province-ca.crt\nbridge_tls_version tlsv1.2\n\
                 bridge_insecure false",
                p.certs_dir
            );
        }
    }
    let _ = writeln!(
        s,
        "bridge_protocol_version mqttv50\ntry_private true\n\
         remote_clientid {user}\nlocal_clientid {user}-local\nremote_username {user}\n\
         remote_password {password}\nkeepalive_interval 30\nrestart_timeout 2 60\n\
         notifications true\nnotification_topic {}bridge/{}/state",
        pre, b.name
    );
    for t in bridge_down(p, at) {
        let _ = writeln!(s, "topic {t} in 1 {pre} {pre}");
    }
    for leaf in BOARD_REPORTS {
        let _ = writeln!(s, "topic board/+/{leaf} out 1 {pre} {pre}");
    }
}

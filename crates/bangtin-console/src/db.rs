//! The console's database: one SQLite file in WAL mode, its schema brought up to date at start
//! (numbered migrations, `PRAGMA user_version`), every statement with parameters, never text
//! pasted into SQL.
//!
//! One connection behind a mutex: statements take microseconds, a console has tens of users,
//! and one writer is what SQLite allows anyway. `synchronous = FULL` so that what the console
//! has acknowledged (an approval, an outbox row) survives a power cut.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The schema, one migration per entry; entry N brings `user_version` from N to N+1.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    totp TEXT,
    totp_step INTEGER,
    lang TEXT NOT NULL DEFAULT 'vi',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE grants (
    user_id INTEGER NOT NULL REFERENCES users(id),
    area TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, area)
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
CREATE TABLE login_failures (who TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX login_failures_who ON login_failures (who, at);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    area TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    draft TEXT NOT NULL,
    live TEXT,
    author INTEGER REFERENCES users(id),
    approver INTEGER REFERENCES users(id),
    reason TEXT,
    notes TEXT,
    published_seq INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (topic, item_id)
);
CREATE INDEX items_area ON items (area, updated_at);
CREATE INDEX items_recent ON items (updated_at);
CREATE INDEX items_status ON items (status, updated_at);
CREATE INDEX items_item_id ON items (item_id);
CREATE TABLE channels (
    topic TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    sha256 TEXT
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    sent_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (state, id);
CREATE INDEX outbox_topic_seq ON outbox (topic, seq);
CREATE TABLE acks (
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL,
    board TEXT NOT NULL,
    received_at TEXT,
    shown_at TEXT,
    PRIMARY KEY (topic, seq, board)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    area TEXT,
    sha256 TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
",
    // Proof of play (the boards' `played` batches), kept once each.
    r"
CREATE TABLE plays (
    board TEXT NOT NULL,
    area TEXT,
    item TEXT NOT NULL,
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL,
    from_ms INTEGER NOT NULL,
    to_ms INTEGER NOT NULL,
    from_at TEXT NOT NULL,
    to_at TEXT NOT NULL,
    clock_trusted INTEGER NOT NULL,
    collected_ms INTEGER,
    UNIQUE (board, topic, item, seq, from_ms)
);
CREATE INDEX plays_area_time ON plays (area, from_ms);
",
    // Boards going online and offline (their uptime).
    r"
CREATE TABLE board_states (
    board TEXT NOT NULL,
    area TEXT,
    online INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX board_states_board ON board_states (board, at_ms);
CREATE INDEX board_states_area ON board_states (area, at_ms);
",
    // Emergency alerts, their templates, and the tokens of source systems.
    r"
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    area TEXT NOT NULL,
    topic TEXT NOT NULL,
    state TEXT NOT NULL,
    alert TEXT NOT NULL,
    sender INTEGER REFERENCES users(id),
    sender_name TEXT NOT NULL,
    confirmer INTEGER REFERENCES users(id),
    corrects INTEGER REFERENCES alerts(id),
    seq INTEGER,
    sha256 TEXT,
    created_at INTEGER NOT NULL,
    confirm_by INTEGER,
    sent_at_ms INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX alerts_area ON alerts (area, created_at);
CREATE TABLE alert_templates (
    id INTEGER PRIMARY KEY,
    hazard TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    severity TEXT NOT NULL,
    headline TEXT NOT NULL,
    instruction TEXT NOT NULL,
    updated_by TEXT,
    updated_at INTEGER NOT NULL
);
INSERT INTO alert_templates (hazard, name, severity, headline, instruction, updated_at) VALUES
 ('lu-quet', 'Lũ quét', 'extreme', 'LŨ QUÉT: Di chuyển ngay lên chỗ cao',
  'Rời khỏi bờ suối, khe, ngầm tràn. Không lội qua dòng nước chảy xiết. Đưa người già, trẻ em lên chỗ cao.', 0),
 ('bao', 'Bão', 'extreme', 'BÃO: Sơ tán khẩn cấp khỏi nhà yếu và vùng trũng',
  'Chằng chống nhà cửa, đến nơi sơ tán theo hướng dẫn của xã. Không ra biển, không ra đồng khi bão đổ bộ.', 0),
 ('sat-lo', 'Sạt lở đất', 'severe', 'NGUY CƠ SẠT LỞ ĐẤT: Rời khỏi chân đồi, taluy',
  'Người dân ở gần sườn đồi, taluy dương di chuyển đến nơi an toàn. Báo ngay cho xã khi thấy vết nứt đất.', 0),
 ('chay', 'Cháy', 'extreme', 'CHÁY: Tránh xa khu vực đang cháy',
  'Gọi 114. Không đến gần đám cháy, nhường đường cho xe chữa cháy, làm theo hướng dẫn của lực lượng chức năng.', 0),
 ('dich-benh', 'Dịch bệnh', 'severe', 'DỊCH BỆNH: Thực hiện ngay các biện pháp phòng bệnh',
  'Rửa tay bằng xà phòng, đeo khẩu trang nơi đông người. Có triệu chứng, liên hệ ngay trạm y tế xã.', 0),
 ('mat-dien', 'Mất điện', 'moderate', 'MẤT ĐIỆN DIỆN RỘNG',
  'Ngành điện đang khắc phục. Không đến gần dây điện đứt, báo ngay cho điện lực hoặc xã.', 0),
 ('nuoc-sach', 'Nước sạch', 'moderate', 'NƯỚC SINH HOẠT KHÔNG AN TOÀN: Không dùng nước máy để ăn uống',
  'Đun sôi nước trước khi dùng, nhận nước sạch tại điểm cấp phát của xã.', 0);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    area TEXT NOT NULL,
    role TEXT NOT NULL,
    cap_send INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    used_at INTEGER
);
",
    // Proof of play summed per board, item and day (Vietnam's days): a month's report of
    // thousands of boards reads these, not every showing. Filled from what is kept already.
    r"
CREATE TABLE plays_daily (
    board TEXT NOT NULL,
    area TEXT,
    item TEXT NOT NULL,
    topic TEXT NOT NULL,
    day TEXT NOT NULL,
    trusted INTEGER NOT NULL,
    times INTEGER NOT NULL,
    ms INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    PRIMARY KEY (board, item, topic, trusted, day)
) WITHOUT ROWID;
CREATE INDEX plays_daily_area_day ON plays_daily (area, day);
CREATE INDEX plays_collected ON plays (collected_ms);
INSERT INTO plays_daily
SELECT board, max(area), item, topic,
       date((CASE WHEN clock_trusted THEN from_ms ELSE coalesce(collected_ms, from_ms) END) / 1000 + 25200, 'unixepoch') AS d,
       clock_trusted, count(*), sum(max(to_ms - from_ms, 0)), min(from_ms), max(to_ms)
FROM plays GROUP BY board, topic, item, d, clock_trusted;
",
];

/// The shared database handle.
#[derive(Clone)]
pub struct Db(Arc<Mutex<Connection>>);

/// Seconds since 1970, as rows are stamped.
pub fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Db {
    /// Opens (creating) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, String> {
        let fail = |e: rusqlite::Error| format!("database {}: {e}", path.display());
        let mut conn = Connection::open(path).map_err(fail)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(fail)?;
        migrate(&mut conn).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // Password hashes and sessions: the service's user alone reads them.
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Db(Arc::new(Mutex::new(conn))))
    }

    /// The connection, for one short piece of work.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", n + 1))?;
        tx.commit()?;
        log::info!("database schema migrated to version {}", n + 1);
    }
    Ok(())
}

/// One line of the audit log.
pub struct AuditEntry<'a> {
    pub user: &'a str,
    pub address: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub area: Option<&'a str>,
    pub sha256: Option<&'a str>,
}

/// Appends to the audit log (inside the caller's transaction when there is one).
pub fn audit(conn: &Connection, e: &AuditEntry<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit (at, user, address, action, target, area, sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now_s(),
            e.user,
            e.address,
            e.action,
            e.target,
            e.area,
            e.sha256
        ],
    )?;
    Ok(())
}

/// Writes a consistent copy of the whole database to `out` while the console runs (SQLite's
/// `VACUUM INTO`: a snapshot of one moment, compacted). `out` must not exist yet.
pub fn backup(conn: &Connection, out: &Path) -> Result<(), String> {
    if out.exists() {
        return Err(format!(
            "{} exists; a backup never overwrites a file",
            out.display()
        ));
    }
    let path = out.to_str().ok_or("the backup's path is not UTF-8")?;
    conn.execute("VACUUM INTO ?1", [path])
        .map_err(|e| format!("backup to {}: {e}", out.display()))?;
    Ok(())
}

/// The area of an alert (where its page and its steps are allowed).
pub fn alert_area(conn: &Connection, id: i64) -> Option<String> {
    conn.query_row("SELECT area FROM alerts WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
}

/// The area of an API token (what an admin may revoke).
pub fn token_area(conn: &Connection, id: i64) -> Option<String> {
    conn.query_row("SELECT area FROM api_tokens WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()
    .ok()
    .flatten()
}

/// The area of item `id`, if it exists.
pub fn item_area(conn: &Connection, id: i64) -> Option<String> {
    conn.query_row("SELECT area FROM items WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_the_audit_log_cannot_be_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let db = Db::open(&path).unwrap();
        audit(
            &db.lock(),
            &AuditEntry {
                user: "a",
                address: "127.0.0.1",
                action: "login",
                target: "",
                area: None,
                sha256: None,
            },
        )
        .unwrap();
        drop(db);
        let db = Db::open(&path).unwrap();
        let conn = db.lock();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let e = conn.execute("UPDATE audit SET user = 'x'", []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(conn.execute("DELETE FROM audit", []).is_err());
        let copy = dir.path().join("copy.db");
        backup(&conn, &copy).unwrap();
        assert!(backup(&conn, &copy).is_err(), "a backup overwrote a file");
        let n: i64 = Connection::open(&copy)
            .unwrap()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}

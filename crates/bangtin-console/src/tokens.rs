//! API tokens for provincial source systems: made by admins, scoped to one area (and what is
//! inside it) with a role (viewer: read; editor: submit into the approval queue; approver:
//! publish), shown once, kept hashed, revocable; every use is audited and rate-limited.

use crate::auth::{random_token, token_hash, User};
use crate::db::now_s;
use crate::policy::{Grant, Role};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::sync::Mutex;

/// What every token starts with (a scanner of leaked secrets can find them).
pub const PREFIX: &str = "bt_";

/// A token's holder, as the web layer sees it.
#[derive(Debug, Clone)]
pub struct Holder {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub role: Role,
    /// CAP documents it pushes are sent at once instead of waiting in the queue.
    pub cap_send: bool,
}

impl Holder {
    /// The holder as a user of the one authorization check: its one grant, no session.
    pub fn user(&self) -> User {
        User {
            id: 0,
            username: format!("api:{}", self.name),
            lang: "en".into(),
            grants: vec![Grant {
                area: self.area.clone(),
                role: self.role,
            }],
            csrf: String::new(),
        }
    }
}

/// A new token: returns its row id and the secret, which is shown once and never stored.
pub fn create(
    conn: &Connection,
    name: &str,
    area: &str,
    role: Role,
    cap_send: bool,
    by: &str,
) -> Result<(i64, String), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err("a token's name is 1 to 60 characters".into());
    }
    if area.starts_with("board/") || bangtin_protocol::ids::parse_area(area).is_none() {
        return Err(format!("{area:?} is not an area path such as vn/ha-noi"));
    }
    if role == Role::Admin {
        return Err("a token is viewer, editor or approver, never admin".into());
    }
    let secret = format!("{PREFIX}{}", random_token());
    conn.execute(
        "INSERT INTO api_tokens (name, token_hash, area, role, cap_send, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            name,
            token_hash(&secret),
            area,
            role.code(),
            cap_send,
            by,
            now_s()
        ],
    )
    .map_err(|e| e.to_string())?;
    Ok((conn.last_insert_rowid(), secret))
}

/// The holder of `secret` if it is a live token; its use is stamped.
pub fn holder(conn: &Connection, secret: &str) -> Option<Holder> {
    if !secret.starts_with(PREFIX) || secret.len() > 100 {
        return None;
    }
    let hash = token_hash(secret);
    let h = conn
        .query_row(
            "SELECT id, name, area, role, cap_send FROM api_tokens
             WHERE token_hash = ?1 AND revoked_at IS NULL",
            [&hash],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            },
        )
        .optional()
        .ok()
        .flatten()?;
    let _ = conn.execute(
        "UPDATE api_tokens SET used_at = ?1 WHERE id = ?2",
        params![now_s(), h.0],
    );
    Some(Holder {
        id: h.0,
        name: h.1,
        area: h.2,
        role: Role::parse(&h.3)?,
        cap_send: h.4,
    })
}

/// Revokes token `id`; true when it was live.
pub fn revoke(conn: &Connection, id: i64) -> bool {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        params![now_s(), id],
    )
    .is_ok_and(|n| n == 1)
}

/// A token as the admin page lists it.
pub struct Listed {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub role: String,
    pub cap_send: bool,
    pub created_by: String,
    pub created_at: i64,
    pub used_at: Option<i64>,
    pub revoked: bool,
}

pub fn list(conn: &Connection) -> Vec<Listed> {
    let Ok(mut st) = conn.prepare_cached(
        "SELECT id, name, area, role, cap_send, created_by, created_at, used_at, revoked_at
         FROM api_tokens ORDER BY id DESC",
    ) else {
        return Vec::new();
    };
    st.query_map([], |r| {
        Ok(Listed {
            id: r.get(0)?,
            name: r.get(1)?,
            area: r.get(2)?,
            role: r.get(3)?,
            cap_send: r.get(4)?,
            created_by: r.get(5)?,
            created_at: r.get(6)?,
            used_at: r.get(7)?,
            revoked: r.get::<_, Option<i64>>(8)?.is_some(),
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

/// Requests a token may make per minute.
pub const PER_MINUTE: u32 = 120;

/// A fixed-window count of each token's requests.
#[derive(Default)]
pub struct Limiter(Mutex<HashMap<i64, (i64, u32)>>);

impl Limiter {
    /// Counts a request of token `id` at `now_s`: `Err(seconds to wait)` past the limit.
    pub fn take(&self, id: i64, now_s: i64) -> Result<(), i64> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let minute = now_s / 60;
        let entry = map.entry(id).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= PER_MINUTE {
            return Err(60 - now_s % 60);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_shown_once_kept_hashed_and_ends_when_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("c.db")).unwrap();
        let conn = db.lock();
        let (id, secret) =
            create(&conn, "tinh", "vn/ha-noi", Role::Editor, false, "admin").unwrap();
        assert!(secret.starts_with(PREFIX));
        let stored: String = conn
            .query_row(
                "SELECT token_hash FROM api_tokens WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_ne!(stored, secret);
        let h = holder(&conn, &secret).unwrap();
        assert_eq!((h.area.as_str(), h.role), ("vn/ha-noi", Role::Editor));
        assert_eq!(h.user().grants[0].area, "vn/ha-noi");
        assert!(holder(&conn, "bt_wrong").is_none());
        assert!(create(&conn, "x", "vn/ha-noi", Role::Admin, false, "a").is_err());
        assert!(create(&conn, "x", "vn/+", Role::Viewer, false, "a").is_err());
        assert!(create(&conn, "x", "board/xn-01", Role::Viewer, false, "a").is_err());
        assert!(revoke(&conn, id));
        assert!(!revoke(&conn, id));
        assert!(holder(&conn, &secret).is_none());
    }

    #[test]
    fn each_token_has_its_own_budget_per_minute() {
        let l = Limiter::default();
        for _ in 0..PER_MINUTE {
            l.take(1, 120).unwrap();
        }
        assert_eq!(l.take(1, 150), Err(30));
        assert!(l.take(2, 150).is_ok());
        assert!(l.take(1, 180).is_ok());
    }
}

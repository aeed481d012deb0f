//! Accounts, logins and sessions: Argon2id password hashes, one-time codes (TOTP, RFC 6238)
//! for approvers and admins, failed logins counted per account and per address, and sessions
//! whose token the browser holds and the database keeps only hashed.

use crate::db::{self, now_s, AuditEntry};
use crate::policy::{Grant, Role};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

/// Failed logins that lock an account, and for how long they count.
pub const ACCOUNT_FAILURES: i64 = 5;
/// Failed logins from one address that lock it out (several officers may share an office's
/// address, so more than for an account).
pub const ADDRESS_FAILURES: i64 = 20;
pub const FAILURE_WINDOW_S: i64 = 15 * 60;
/// A session not used for this long is over.
pub const IDLE_S: i64 = 8 * 3600;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// A logged-in user, as every request after the session check sees them.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub lang: String,
    pub grants: Vec<Grant>,
    pub csrf: String,
}

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The hash kept for a session token: the token itself never reaches the database.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a wrong name takes as
/// long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

fn totp(secret_b32: &str, username: &str) -> Option<TOTP> {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .ok()?;
    let _ = username;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret).ok()
}

/// The current one-time code for a secret (for tests and for `user add` to show it works).
pub fn current_code(secret_b32: &str) -> Option<String> {
    totp(secret_b32, "x")?.generate_current().ok()
}

/// Why a login failed. The page says the same for a wrong name, password or code.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    Wrong,
    /// Too many failures for this account or address: wait.
    Locked,
}

/// The longest user name and password a login form may carry (longer is a wrong login,
/// refused before anything is looked up or stored).
const MAX_NAME: usize = 64;
const MAX_PASSWORD: usize = 1024;

/// The time step (30 s) whose code `code` is, among the previous, current and next ones.
fn code_step(secret_b32: &str, username: &str, code: &str, now: u64) -> Option<u64> {
    let t = totp(secret_b32, username)?;
    let step = now / 30;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| same(t.generate(s * 30).as_bytes(), code.trim().as_bytes()))
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An account as a login sees it.
struct LoginRow {
    id: i64,
    hash: String,
    secret: Option<String>,
    /// The time step of the last one-time code accepted.
    last_step: Option<i64>,
    disabled: bool,
    /// Its role needs a one-time code (and the configuration asks for them).
    needs_code: bool,
}

/// Checks a login and opens a session; returns the session token for the cookie. The
/// password hash is checked without holding the database (Argon2 takes tens of
/// milliseconds; nobody else waits for it).
pub fn login(
    db: &crate::db::Db,
    username: &str,
    password: &str,
    code: &str,
    address: &str,
    require_totp: bool,
) -> Result<String, LoginError> {
    if username.len() > MAX_NAME || password.len() > MAX_PASSWORD {
        log::warn!("login refused from {address}: a name or password over the limits");
        return Err(LoginError::Wrong);
    }
    let (acct, addr) = (format!("user:{username}"), format!("addr:{address}"));
    let row: Option<LoginRow> = {
        let conn = db.lock();
        let since = now_s() - FAILURE_WINDOW_S;
        let failures = |who: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM login_failures WHERE who = ?1 AND at > ?2",
                params![who, since],
                |r| r.get(0),
            )
            .unwrap_or(i64::MAX)
        };
        if failures(&acct) >= ACCOUNT_FAILURES || failures(&addr) >= ADDRESS_FAILURES {
            log::warn!("login refused for {username:?} from {address}: locked out");
            return Err(LoginError::Locked);
        }
        conn.query_row(
            "SELECT id, password, totp, totp_step, disabled FROM users WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .ok()
        .flatten()
        .map(|(id, hash, secret, last_step, disabled)| {
            let needs_code = require_totp && highest_role(&conn, id).is_some_and(Role::needs_totp);
            LoginRow {
                id,
                hash,
                secret,
                last_step,
                disabled,
                needs_code,
            }
        })
    };
    let now = u64::try_from(now_s()).unwrap_or(0);
    // The step of a good code, which must be later than the last one used: a code seen
    // over someone's shoulder cannot be used again.
    let mut step = None;
    let ok = match &row {
        Some(r) => {
            let password_ok = verify_password(password, &r.hash);
            let code_ok = match &r.secret {
                Some(s) => {
                    step = code_step(s, username, code, now);
                    step.is_some_and(|st| r.last_step.is_none_or(|l| st as i64 > l))
                }
                None => !r.needs_code,
            };
            password_ok && code_ok && !r.disabled
        }
        None => {
            verify_password(password, decoy_hash());
            false
        }
    };
    let conn = db.lock();
    let Some(LoginRow { id, .. }) = row.filter(|_| ok) else {
        let now = now_s();
        for who in [&acct, &addr] {
            let _ = conn.execute(
                "INSERT INTO login_failures (who, at) VALUES (?1, ?2)",
                params![who, now],
            );
        }
        let _ = conn.execute(
            "DELETE FROM login_failures WHERE at < ?1",
            [now - FAILURE_WINDOW_S],
        );
        log::warn!("failed login for {username:?} from {address}");
        return Err(LoginError::Wrong);
    };
    if let Some(st) = step {
        let fresh = conn
            .execute(
                "UPDATE users SET totp_step = ?1 WHERE id = ?2 AND (totp_step IS NULL OR totp_step < ?1)",
                params![st as i64, id],
            )
            .unwrap_or(0);
        if fresh == 0 {
            log::warn!("login of {username:?} from {address}: a one-time code used twice");
            return Err(LoginError::Wrong);
        }
    }
    let _ = conn.execute("DELETE FROM login_failures WHERE who = ?1", [&acct]);
    let token = random_token();
    let now = now_s();
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, address, created_at, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![token_hash(&token), id, random_token(), address, now],
    )
    .map_err(|_| LoginError::Wrong)?;
    let _ = db::audit(
        &conn,
        &AuditEntry {
            user: username,
            address,
            action: "login",
            target: "",
            area: None,
            sha256: None,
        },
    );
    Ok(token)
}

fn highest_role(conn: &Connection, user: i64) -> Option<Role> {
    crate::policy::highest(&grants(conn, user))
}

pub fn grants(conn: &Connection, user: i64) -> Vec<Grant> {
    let Ok(mut st) = conn.prepare_cached("SELECT area, role FROM grants WHERE user_id = ?1") else {
        return Vec::new();
    };
    st.query_map([user], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })
    .map(|rows| {
        rows.filter_map(Result::ok)
            .filter_map(|(area, role)| {
                Some(Grant {
                    area,
                    role: Role::parse(&role)?,
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The user of a session token, if the session is open and the account enabled; marks it used.
pub fn session_user(conn: &Connection, token: &str) -> Option<User> {
    let hash = token_hash(token);
    let now = now_s();
    let (id, username, lang, csrf): (i64, String, String, String) = conn
        .query_row(
            "SELECT u.id, u.username, u.lang, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.seen_at > ?2 AND u.disabled = 0",
            params![hash, now - IDLE_S],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .ok()??;
    let _ = conn.execute(
        "UPDATE sessions SET seen_at = ?1 WHERE token_hash = ?2 AND seen_at < ?1 - 60",
        params![now, hash],
    );
    Some(User {
        grants: grants(conn, id),
        id,
        username,
        lang,
        csrf,
    })
}

pub fn logout(conn: &Connection, token: &str) {
    let _ = conn.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        [token_hash(token)],
    );
}

/// What `bangtin console user add` made: the one-time-code secret when the role needs one.
pub struct Added {
    pub totp_secret: Option<String>,
    pub totp_url: Option<String>,
}

/// Adds an account with a role on an area (`console user add`).
pub fn add_user(
    conn: &Connection,
    username: &str,
    password: &str,
    area: &str,
    role: Role,
    with_totp: bool,
) -> Result<Added, String> {
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        || username.is_empty()
        || username.len() > 64
    {
        return Err("a user name is 1..=64 of a-z, A-Z, 0-9, '.', '_' or '-'".into());
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("a password has at least {MIN_PASSWORD} characters"));
    }
    if bangtin_protocol::ids::parse_area(area).is_none() {
        return Err(format!(
            "{area:?} is not an area path such as vn/ha-noi/dong-anh"
        ));
    }
    let (secret, url) = if with_totp {
        let (secret, url) = new_secret(username);
        (Some(secret), Some(url))
    } else {
        (None, None)
    };
    conn.execute(
        "INSERT INTO users (username, password, totp, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![username, hash_password(password)?, secret, now_s()],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            format!("the user {username} already exists")
        }
        e => e.to_string(),
    })?;
    let id = conn.last_insert_rowid();
    grant(conn, id, area, role)?;
    Ok(Added {
        totp_secret: secret,
        totp_url: url,
    })
}

/// Gives `username` `role` on `area` (`console user grant`): their sessions end (the next
/// login is under the new role), and a role that needs one-time codes gets a secret if the
/// account has none, returned with its URI to hand over.
pub fn grant_role(
    conn: &Connection,
    username: &str,
    area: &str,
    role: Role,
    require_totp: bool,
) -> Result<Added, String> {
    if bangtin_protocol::ids::parse_area(area).is_none() {
        return Err(format!(
            "{area:?} is not an area path such as vn/ha-noi/dong-anh"
        ));
    }
    let id = user_id(conn, username)?;
    grant(conn, id, area, role)?;
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])
        .map_err(|e| e.to_string())?;
    let has_secret: bool = conn
        .query_row(
            "SELECT totp IS NOT NULL FROM users WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if !(role.needs_totp() && require_totp) || has_secret {
        return Ok(Added {
            totp_secret: None,
            totp_url: None,
        });
    }
    let (secret, url) = new_secret(username);
    conn.execute(
        "UPDATE users SET totp = ?1, totp_step = NULL WHERE id = ?2",
        params![secret, id],
    )
    .map_err(|e| e.to_string())?;
    Ok(Added {
        totp_secret: Some(secret),
        totp_url: Some(url),
    })
}

/// A new one-time-code secret and the URI authenticator apps read.
fn new_secret(username: &str) -> (String, String) {
    let mut raw = [0u8; 20];
    OsRng.fill_bytes(&mut raw);
    let secret = totp_rs::Secret::Raw(raw.to_vec()).to_encoded().to_string();
    let url = format!("otpauth://totp/bangtin:{username}?secret={secret}&issuer=bangtin");
    (secret, url)
}

pub fn grant(conn: &Connection, user: i64, area: &str, role: Role) -> Result<(), String> {
    conn.execute(
        "INSERT INTO grants (user_id, area, role) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, area) DO UPDATE SET role = excluded.role",
        params![user, area, role.code()],
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

pub fn user_id(conn: &Connection, username: &str) -> Result<i64, String> {
    conn.query_row(
        "SELECT id FROM users WHERE username = ?1",
        [username],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| e.to_string())?
    .ok_or_else(|| format!("no user {username}"))
}

/// Sets a new password and ends the user's sessions.
pub fn set_password(conn: &Connection, username: &str, password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("a password has at least {MIN_PASSWORD} characters"));
    }
    let id = user_id(conn, username)?;
    conn.execute(
        "UPDATE users SET password = ?1 WHERE id = ?2",
        params![hash_password(password)?, id],
    )
    .map_err(|e| e.to_string())?;
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Disables an account and ends its sessions at once.
pub fn disable(conn: &Connection, username: &str) -> Result<(), String> {
    let id = user_id(conn, username)?;
    conn.execute("UPDATE users SET disabled = 1 WHERE id = ?1", [id])
        .map_err(|e| e.to_string())?;
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn passwords_codes_and_lock_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).unwrap();
        add_user(
            &db.lock(),
            "bien-tap",
            "mat khau dai",
            "vn/a",
            Role::Editor,
            false,
        )
        .unwrap();
        let added = add_user(
            &db.lock(),
            "duyet",
            "mat khau dai",
            "vn/a",
            Role::Approver,
            true,
        )
        .unwrap();
        let secret = added.totp_secret.unwrap();
        assert!(added.totp_url.unwrap().starts_with("otpauth://totp/"));
        assert!(add_user(
            &db.lock(),
            "duyet",
            "mat khau dai",
            "vn/a",
            Role::Viewer,
            false
        )
        .is_err());
        assert!(add_user(
            &db.lock(),
            "x y",
            "mat khau dai",
            "vn/a",
            Role::Viewer,
            false
        )
        .is_err());

        let token = login(&db, "bien-tap", "mat khau dai", "", "10.0.0.1", true).unwrap();
        let user = session_user(&db.lock(), &token).unwrap();
        assert_eq!(user.grants[0].role, Role::Editor);
        assert!(session_user(&db.lock(), "not a token").is_none());
        // An approver needs the code.
        assert_eq!(
            login(&db, "duyet", "mat khau dai", "000000", "10.0.0.1", true),
            Err(LoginError::Wrong)
        );
        let code = current_code(&secret).unwrap();
        let approver = login(&db, "duyet", "mat khau dai", &code, "10.0.0.1", true).unwrap();
        // The same code again (seen over a shoulder): refused.
        assert_eq!(
            login(&db, "duyet", "mat khau dai", &code, "10.0.0.9", true),
            Err(LoginError::Wrong)
        );

        for _ in 0..ACCOUNT_FAILURES {
            assert_eq!(
                login(&db, "bien-tap", "sai", "", "10.0.0.2", true),
                Err(LoginError::Wrong)
            );
        }
        // Now even the right password waits.
        assert_eq!(
            login(&db, "bien-tap", "mat khau dai", "", "10.0.0.3", true),
            Err(LoginError::Locked)
        );
        // A new role ends the sessions; a role with codes gets a secret if there is none.
        let raised = grant_role(&db.lock(), "duyet", "vn/b", Role::Admin, true).unwrap();
        assert!(raised.totp_secret.is_none(), "duyet already has a secret");
        assert!(
            session_user(&db.lock(), &approver).is_none(),
            "sessions end with a new role"
        );
        assert!(grant_role(&db.lock(), "duyet", "vn/#", Role::Viewer, true).is_err());
        disable(&db.lock(), "duyet").unwrap();
        assert!(session_user(&db.lock(), &token).is_some());
        set_password(&db.lock(), "bien-tap", "mat khau moi dai").unwrap();
        assert!(
            session_user(&db.lock(), &token).is_none(),
            "sessions end with a new password"
        );
        let raised = grant_role(&db.lock(), "bien-tap", "vn/a", Role::Approver, true).unwrap();
        assert!(
            raised.totp_secret.is_some(),
            "an editor made approver gets a secret"
        );
    }
}

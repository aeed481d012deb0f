//! The accounts' passwords: generated once, kept in the output folder's `secrets.toml`
//! (readable by its owner only), and reused on every later run, so that re-running the
//! generator changes only what the province list changed. Brokers get them hashed the way
//! Mosquitto 2 reads a `password_file`: PBKDF2-HMAC-SHA512, `$7$ITERATIONS$SALT$HASH`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Mosquitto's own count (`mosquitto_passwd`). The passwords are 24 random characters
/// (143 bits), far beyond guessing, so more rounds would only cost every broker CPU on each
/// of thousands of reconnections.
const ITERATIONS: u32 = 101;
const PASSWORD_CHARS: usize = 24;

/// One account's password and its hash as the brokers store it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub password: String,
    pub hash: String,
}

/// Every account's secret, by user name.
pub type Secrets = BTreeMap<String, Secret>;

#[derive(Serialize, Deserialize)]
struct File {
    account: Secrets,
}

/// Reads a `secrets.toml` written by [`to_toml`].
pub fn from_toml(text: &str) -> Result<Secrets, String> {
    let file: File = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    for (user, s) in &file.account {
        // A password goes raw into a bridge's configuration line: only what the generator makes.
        if s.password.len() < 16 || !s.password.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "the password of account {user:?} is not one this tool makes (16 or more letters \
                 and digits); remove the account's entry to give it a new password"
            ));
        }
        if !verify(&s.password, &s.hash) {
            return Err(format!(
                "the hash of account {user:?} does not match its password; remove the account's \
                 entry to give it a new password"
            ));
        }
    }
    Ok(file.account)
}

pub fn to_toml(secrets: &Secrets) -> String {
    let body = toml::to_string(&File {
        account: secrets.clone(),
    })
    .unwrap_or_default();
    format!(
        "# The brokers' accounts and their passwords, written by `bangtin broker-config`.\n\
         # Keep this file secret (mode 0600) and keep it: the next run reuses these passwords.\n\
         # Remove an account's entry to give it a new password on the next run.\n\n{body}"
    )
}

/// `user`'s secret from `old`, or a new one.
pub fn secret_for(old: &Secrets, user: &str) -> Secret {
    old.get(user).cloned().unwrap_or_else(|| {
        let password = new_password();
        let mut salt = [0u8; 12];
        OsRng.fill_bytes(&mut salt);
        let hash = hash(&password, &salt, ITERATIONS);
        Secret { password, hash }
    })
}

fn new_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(PASSWORD_CHARS);
    while out.len() < PASSWORD_CHARS {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(b[0]) < limit {
            out.push(char::from(ALPHABET[usize::from(b[0]) % ALPHABET.len()]));
        }
    }
    out
}

/// Mosquitto 2's password hash of `password`.
pub fn hash(password: &str, salt: &[u8], iterations: u32) -> String {
    let mut out = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), salt, iterations, &mut out);
    format!(
        "$7${iterations}${}${}",
        STANDARD.encode(salt),
        STANDARD.encode(out)
    )
}

/// Whether `hash` (Mosquitto's `$7$` form) is the hash of `password`.
pub fn verify(password: &str, hash: &str) -> bool {
    let parts: Vec<&str> = hash.split('$').collect();
    let [_, "7", iterations, salt, _] = parts.as_slice() else {
        return false;
    };
    let (Ok(iterations), Ok(salt)) = (iterations.parse::<u32>(), STANDARD.decode(salt)) else {
        return false;
    };
    (1..=1_000_000).contains(&iterations) && self::hash(password, &salt, iterations) == hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_written_by_mosquitto_passwd_verifies() {
        // `mosquitto_passwd -b passwd u pw` (Mosquitto 2.0.11).
        let theirs = "$7$101$5EF7AU+dpWKUsoi+$zsvb7GaB9tSOdE6jpp9HvxlOCFk8LN18z5yDsiTdlxmvKto/\
                      YJ3mE0MbtObon01jtaz/9QDBi6VOTjXFOE5LYQ==";
        assert!(verify("pw", theirs));
        assert!(!verify("pW", theirs));
        assert!(!verify("pw", &theirs.replace("$101$", "$102$")));
        assert!(!verify("pw", "$6$abc$def"));
    }

    #[test]
    fn secrets_are_kept_across_runs_and_new_ones_differ() {
        let mut s = Secrets::new();
        s.insert("a".into(), secret_for(&s, "a"));
        let b = secret_for(&s, "b");
        assert_ne!(b.password, s["a"].password);
        assert_eq!(b.password.len(), PASSWORD_CHARS);
        assert!(verify(&b.password, &b.hash));
        let again = from_toml(&to_toml(&s)).unwrap();
        assert_eq!(again, s);
        assert_eq!(secret_for(&again, "a"), s["a"]);
    }

    #[test]
    fn a_tampered_secrets_file_is_refused() {
        let mut s = Secrets::new();
        s.insert("a".into(), secret_for(&s, "a"));
        s.get_mut("a").unwrap().password.push('x');
        let e = from_toml(&to_toml(&s)).unwrap_err();
        assert!(e.contains("does not match"), "{e}");
    }
}

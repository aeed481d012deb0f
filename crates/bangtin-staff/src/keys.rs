//! Staff keys: key files, and signing with an always-increasing seq.
//!
//! Key files are text: `NAME.key` holds the base64 of the 32-byte Ed25519 secret seed (mode
//! 0600), `NAME.pub` the base64 of the public key, the value a board's `[[trust]] public`
//! takes. The key id is NAME unless given.

use bangtin_protocol::content::{Body, Payload, Timestamp};
use bangtin_protocol::ids::{is_valid_id, ID_RULE};
use bangtin_protocol::trust;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    KeyFile { path: String, message: String },
    #[error("{0} already exists; refusing to overwrite a key")]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Makes a new key pair: NAME.key (secret, mode 0600) and NAME.pub. Returns the public key
/// in base64.
pub fn keygen(out: &Path) -> Result<String, Error> {
    let secret = SigningKey::generate(&mut rand_core::OsRng);
    let public = b64(secret.verifying_key().as_bytes());
    let key_path = with_ext(out, "key");
    let pub_path = with_ext(out, "pub");
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return Err(Error::Exists(p.display().to_string()));
        }
    }
    write_new(
        &key_path,
        format!("{}\n", b64(secret.as_bytes())).as_bytes(),
        0o600,
    )?;
    write_new(&pub_path, format!("{public}\n").as_bytes(), 0o644)?;
    Ok(public)
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads NAME.key; the key id is NAME (the file name without `.key`).
pub fn read_key(path: &Path) -> Result<(String, SigningKey), Error> {
    let bad = |message: String| Error::KeyFile {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| bad(format!("is not a bangtin key (base64: {e})")))?;
    let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        bad(format!(
            "must hold a 32-byte key, holds {} bytes",
            bytes.len()
        ))
    })?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((id, SigningKey::from_bytes(&seed)))
}

/// The seq for the next message of a key on a topic: the time in milliseconds since 1970, or
/// one more than the last seq this key file sent on that topic if that is higher (two sends in
/// one millisecond, or a clock set back). Remembered in NAME.key.seq next to the key, replaced
/// atomically; two tools sending with one key at once take turns on a lock of that file, so
/// neither can hand out a seq the other already used.
pub fn next_seq(key_path: &Path, topic: &str, now_ms: u64) -> Result<u64, Error> {
    let state_path = with_ext(key_path, "seq");
    let err = |source| Error::Write {
        path: state_path.display().to_string(),
        source,
    };
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(with_ext(key_path, "seq.lock"))
        .map_err(err)?;
    lock.lock().map_err(err)?;
    let mut last: BTreeMap<String, u64> = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let seq = last
        .get(topic)
        .map_or(now_ms, |&prev| now_ms.max(prev.saturating_add(1)));
    last.insert(topic.to_owned(), seq);
    let json = serde_json::to_vec_pretty(&last).unwrap_or_default();
    bangtin_store::write_atomically(&state_path, &json).map_err(|e| Error::Write {
        path: state_path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(seq)
}

/// Builds and signs the envelope for `payload` on `topic`.
pub fn envelope(
    key_id: &str,
    key: &SigningKey,
    topic: &str,
    seq: u64,
    issued_at: Timestamp,
    payload: Payload,
) -> Vec<u8> {
    let body = Body {
        topic: topic.to_owned(),
        seq,
        issued_at,
        payload,
    };
    let env = trust::sign(key_id, key, &body.to_json());
    serde_json::to_vec(&env).unwrap_or_default()
}

/// An officer's signing key, loaded: its id as boards know it, and where its seq file is.
#[derive(Debug, Clone)]
pub struct Signer {
    pub id: String,
    key: SigningKey,
    path: PathBuf,
}

impl Signer {
    /// Reads NAME.key; the key id is NAME unless `key_id` says otherwise.
    pub fn load(path: &Path, key_id: Option<&str>) -> Result<Signer, crate::Error> {
        let (file_id, key) =
            read_key(path).map_err(|e| crate::Error::Input(vec![e.to_string()]))?;
        let id = key_id.map_or(file_id, str::to_owned);
        if !is_valid_id(&id) {
            return Err(crate::Error::Input(vec![format!(
                "key id {id:?} {ID_RULE}"
            )]));
        }
        Ok(Signer {
            id,
            key,
            path: path.to_owned(),
        })
    }

    /// The signed envelope of `payload` on `topic`, and its seq: `seq` if given, else the next
    /// seq of this key file for the topic (remembered, so it always increases). A dry run
    /// (`remember: false`) signs with the time in milliseconds and remembers nothing.
    pub fn sign(
        &self,
        topic: &str,
        payload: Payload,
        seq: Option<u64>,
        remember: bool,
    ) -> Result<(Vec<u8>, u64), crate::Error> {
        let now = crate::board_now();
        let now_ms = now.timestamp_millis().max(0) as u64;
        let seq = match seq {
            Some(s) => s,
            None if !remember => now_ms,
            None => next_seq(&self.path, topic, now_ms)
                .map_err(|e| crate::Error::Failed(e.to_string()))?,
        };
        Ok((envelope(&self.id, &self.key, topic, seq, now, payload), seq))
    }
}

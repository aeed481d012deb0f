//! The staff side of the protocol: key files, signing with an always-increasing seq, and
//! sending one message to the broker.
//!
//! Key files are text: `NAME.key` holds the base64 of the 32-byte Ed25519 secret seed (mode
//! 0600), `NAME.pub` the base64 of the public key, the value a board's `[[trust]] public`
//! takes. The key id is NAME unless given.

use crate::content::{Body, Payload, Timestamp};
use crate::trust;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use rumqttc::{AsyncClient, Event, MqttOptions, Outgoing, Packet, QoS};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    #[error("the broker at {url}: {message}")]
    Broker { url: String, message: String },
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
/// one millisecond, or a clock set back). Remembered in NAME.key.seq next to the key.
pub fn next_seq(key_path: &Path, topic: &str, now_ms: u64) -> Result<u64, Error> {
    let state_path = with_ext(key_path, "seq");
    let mut last: BTreeMap<String, u64> = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let seq = last
        .get(topic)
        .map_or(now_ms, |&prev| now_ms.max(prev.saturating_add(1)));
    last.insert(topic.to_owned(), seq);
    let json = serde_json::to_vec_pretty(&last).unwrap_or_default();
    let tmp = with_ext(&state_path, "tmp");
    let err = |source| Error::Write {
        path: state_path.display().to_string(),
        source,
    };
    std::fs::write(&tmp, json).map_err(err)?;
    std::fs::rename(&tmp, &state_path).map_err(err)?;
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

/// Connects, publishes one message at QoS 1, waits for the broker's acknowledgement and
/// disconnects.
pub async fn send(
    options: MqttOptions,
    topic: &str,
    payload: Vec<u8>,
    retain: bool,
    timeout: Duration,
) -> Result<(), Error> {
    let url = format!(
        "{}:{}",
        options.broker_address().0,
        options.broker_address().1
    );
    let fail = |message: String| Error::Broker {
        url: url.clone(),
        message,
    };
    let (client, mut eventloop) = AsyncClient::new(options, 8);
    client
        .publish(topic, QoS::AtLeastOnce, retain, payload)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let acked = async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::PubAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    };
    match tokio::time::timeout(timeout, acked).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(fail(e)),
        Err(_) => return Err(fail(format!("no acknowledgement within {timeout:?}"))),
    }
    let _ = client.disconnect().await;
    // Let the disconnect go out; errors here no longer matter.
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Outgoing(Outgoing::Disconnect)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    Ok(())
}

/// MQTT options for a one-shot publisher from `mqtt://host[:port]`.
pub fn options_for(
    url: &str,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<MqttOptions, String> {
    let rest = url
        .strip_prefix("mqtt://")
        .ok_or_else(|| format!("--broker must look like mqtt://host:1883, got {url:?}"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("bad port in {url:?}"))?,
        ),
        None => (rest, 1883),
    };
    if host.is_empty() || port == 0 {
        return Err(format!(
            "--broker must look like mqtt://host:1883, got {url:?}"
        ));
    }
    let id = format!("bangtin-pub-{}", std::process::id());
    let mut options = MqttOptions::new(id, host, port);
    options.set_keep_alive(Duration::from_secs(30));
    let max = crate::content::limits::MESSAGE_BYTES + 4096;
    options.set_max_packet_size(max, max);
    if let Some(user) = username {
        options.set_credentials(user, password.unwrap_or(""));
    }
    Ok(options)
}

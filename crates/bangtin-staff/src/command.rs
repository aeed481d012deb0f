//! Signed commands to one board (docs/protocol.md, commands): a screenshot of its screen, its
//! id shown on screen, its config read again, its brightness set. Each waits for the board's
//! reply on `P/board/ID/reply`.

use crate::i18n::Msg;
use crate::keys::Signer;
use crate::net::{BrokerSpec, Session};
use crate::publish::CONNECT_TIMEOUT;
use crate::Error;
use bangtin_protocol::content::{Action, Command, Payload};
use bangtin_protocol::trust::board_topic;
use base64::Engine as _;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// The wire name of an enum value ("extreme", "exercise").
pub fn wire_name(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Signs `action` for `board`, sends it and waits up to `timeout` for the board's reply.
/// A reply that says the command failed is an error with the board's reason.
pub async fn send(
    broker: &BrokerSpec,
    signer: &Signer,
    board: &str,
    action: Action,
    timeout: Duration,
) -> Result<Value, Error> {
    let id = format!("cmd-{}", chrono::Utc::now().timestamp_millis());
    let topic = board_topic(&broker.prefix, board, "cmd");
    let command = Command {
        id: id.clone(),
        action,
    };
    let (envelope, _) = signer.sign(&topic, Payload::Command(command), None, true)?;
    let options = broker.options("command", None)?;
    let reply_topic = board_topic(&broker.prefix, board, "reply");
    let mut session = Session::connect(options, CONNECT_TIMEOUT)
        .await
        .map_err(Error::Failed)?;
    session
        .subscribe(std::slice::from_ref(&reply_topic))
        .await
        .map_err(Error::Failed)?;
    session
        .publish(&topic, envelope, false)
        .await
        .map_err(Error::Failed)?;
    let end = Instant::now() + timeout;
    let reply = loop {
        let Some((t, payload)) = session.next(end).await.map_err(Error::Failed)? else {
            break None;
        };
        if t != reply_topic {
            continue;
        }
        let Ok(reply) = serde_json::from_slice::<Value>(&payload) else {
            continue;
        };
        if reply["id"] == id.as_str() {
            break Some(reply);
        }
    };
    session.close().await;
    match reply {
        Some(reply) if reply["ok"] == true => Ok(reply),
        Some(reply) => Err(Error::Failed(format!(
            "{board}: {}",
            reply["error"].as_str().unwrap_or("the command failed")
        ))),
        None => Err(Error::Failed(
            Msg::NoAnswer {
                board: board.to_owned(),
                seconds: timeout.as_secs(),
            }
            .text(crate::Lang::from_env()),
        )),
    }
}

/// A board's screen: the PNG as it sent it, and its size.
#[derive(Debug, Clone)]
pub struct Screenshot {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Asks `board` for its screen and checks that what comes back is a PNG.
pub async fn screenshot(
    broker: &BrokerSpec,
    signer: &Signer,
    board: &str,
    timeout: Duration,
) -> Result<Screenshot, Error> {
    let reply = send(broker, signer, board, Action::Screenshot, timeout).await?;
    let png = reply["png_base64"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .ok_or_else(|| Error::Failed(format!("{board}: the reply carries no picture")))?;
    let size = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .map(|i| (i.width(), i.height()))
        .map_err(|e| Error::Failed(format!("{board}: the picture is not a PNG: {e}")))?;
    Ok(Screenshot {
        png,
        width: size.0,
        height: size.1,
    })
}

/// `set_brightness` from what an officer typed: `auto` (the schedule) or a percentage, checked
/// here as the board checks it, so a typo is caught before anything is sent.
pub fn brightness(percent: &str, minutes: Option<u64>) -> Result<Action, Error> {
    use bangtin_protocol::content::limits::{BRIGHTNESS_MINUTES, MIN_BRIGHTNESS};
    let level = match percent.trim() {
        "auto" => None,
        p => match p.parse::<u32>() {
            Ok(l) if (MIN_BRIGHTNESS..=100).contains(&l) => Some(l),
            _ => {
                return Err(Error::Input(vec![format!(
                    "the brightness must be {MIN_BRIGHTNESS}..=100 percent (a board never goes \
                     black), or auto, got {p:?}"
                )]))
            }
        },
    };
    if let Some(m) = minutes.filter(|m| !BRIGHTNESS_MINUTES.contains(m)) {
        return Err(Error::Input(vec![format!(
            "the brightness may be set for 1..=1440 minutes, got {m}"
        )]));
    }
    Ok(Action::SetBrightness { level, minutes })
}

/// `identify` for `seconds` (1..=600; default 30).
pub fn identify(seconds: Option<u64>) -> Result<Action, Error> {
    use bangtin_protocol::content::limits::{IDENTIFY_DEFAULT_S, IDENTIFY_S};
    let seconds = seconds.unwrap_or(IDENTIFY_DEFAULT_S);
    if !IDENTIFY_S.contains(&seconds) {
        return Err(Error::Input(vec![format!(
            "identify shows the id for 1..=600 seconds, got {seconds}"
        )]));
    }
    Ok(Action::Identify { seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_is_checked_before_sending() {
        assert_eq!(
            brightness("50", Some(10)).unwrap(),
            Action::SetBrightness {
                level: Some(50),
                minutes: Some(10)
            }
        );
        assert_eq!(
            brightness("auto", None).unwrap(),
            Action::SetBrightness {
                level: None,
                minutes: None
            }
        );
        for bad in ["0", "4", "101", "half", ""] {
            assert!(brightness(bad, None).is_err(), "{bad}");
        }
        assert!(brightness("50", Some(0)).is_err());
        assert!(identify(Some(0)).is_err());
        assert_eq!(identify(None).unwrap(), Action::Identify { seconds: 30 });
    }
}

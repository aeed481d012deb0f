//! Signed commands on the board's thread: `identify` and `set_brightness` are carried out at
//! once; `screenshot` and `reload` wait for the output (a frame to read back, the config
//! file's path). Arguments were checked when the command was parsed. GPU-free.

use bangtin_protocol::content::{Action, Command};
use chrono::{FixedOffset, Utc};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Screenshot commands waiting for the next frame, at most; more are refused as busy.
pub const SCREENSHOTS_WAITING: usize = 16;
/// Reload commands waiting, at most (they all read the same file).
const RELOADS_WAITING: usize = 4;

/// A command's reply: `Ok(fields)` adds the fields, `Err(why)` says why not.
pub type Outcome = Result<Value, String>;

/// The commands' state.
#[derive(Debug, Default)]
pub struct Commands {
    /// The `identify` overlay is shown until then.
    identify_until: Option<Instant>,
    /// Brightness set by command (percent), until a moment or until changed.
    brightness: Option<(u32, Option<Instant>)>,
    /// Screenshot commands waiting for the next presented frame.
    screenshots: Vec<String>,
    /// Reload commands for the output to carry out.
    reloads: Vec<String>,
}

impl Commands {
    /// Takes a command in. Returns the replies to publish now (the others come later).
    pub fn take(&mut self, command: Command, now: Instant) -> Vec<(String, Outcome)> {
        log::info!("command {} ({:?})", command.id, command.action);
        match command.action {
            Action::Identify { seconds } => {
                self.identify_until = Some(now + Duration::from_secs(seconds));
                vec![(command.id, Ok(serde_json::json!({ "seconds": seconds })))]
            }
            Action::SetBrightness { level, minutes } => {
                self.brightness =
                    level.map(|p| (p, minutes.map(|m| now + Duration::from_secs(m * 60))));
                let fields = serde_json::json!({"level": level, "minutes": minutes});
                vec![(command.id, Ok(fields))]
            }
            Action::Screenshot if self.screenshots.len() >= SCREENSHOTS_WAITING => vec![(
                command.id,
                Err(format!(
                    "busy: {SCREENSHOTS_WAITING} screenshots are already waiting; try again"
                )),
            )],
            Action::Screenshot => {
                self.screenshots.push(command.id);
                Vec::new()
            }
            Action::Reload if self.reloads.len() >= RELOADS_WAITING => {
                vec![(command.id, Err("busy: reloads are already waiting".into()))]
            }
            Action::Reload => {
                self.reloads.push(command.id);
                Vec::new()
            }
        }
    }

    /// Whether the `identify` overlay is on at `now`.
    pub fn identifying(&self, now: Instant) -> bool {
        self.identify_until.is_some_and(|t| now < t)
    }

    /// The brightness in percent at `now`: the command's while it lasts, else `scheduled`.
    pub fn brightness(&mut self, now: Instant, scheduled: u32) -> u32 {
        if self
            .brightness
            .is_some_and(|(_, until)| until.is_some_and(|t| now >= t))
        {
            self.brightness = None;
        }
        self.brightness.map_or(scheduled, |(p, _)| p)
    }

    /// The next moment something here changes by itself (an overlay or a brightness ends).
    pub fn next_change(&self, now: Instant) -> Option<Instant> {
        [self.identify_until, self.brightness.and_then(|(_, t)| t)]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .min()
    }

    /// Whether a screenshot waits for the next frame.
    pub fn screenshot_due(&self) -> bool {
        !self.screenshots.is_empty()
    }

    /// The screenshot commands to answer with the frame just presented (one read-back and one
    /// encoding serve them all).
    pub fn take_screenshots(&mut self) -> Vec<String> {
        std::mem::take(&mut self.screenshots)
    }

    /// The reload commands for the output to carry out.
    pub fn take_reloads(&mut self) -> Vec<String> {
        std::mem::take(&mut self.reloads)
    }
}

/// A command reply: `{"id", "ok", "error", "board", "at", ...fields}`, stamped in the board's
/// time zone.
pub fn reply_json(board: &str, id: &str, outcome: Outcome, timezone: FixedOffset) -> Value {
    let mut reply = serde_json::json!({
        "id": id,
        "board": board,
        "at": Utc::now().with_timezone(&timezone).fixed_offset(),
    });
    match outcome {
        Ok(extra) => {
            reply["ok"] = true.into();
            reply["error"] = Value::Null;
            if let (Some(r), Value::Object(fields)) = (reply.as_object_mut(), extra) {
                for (k, v) in fields {
                    r.entry(k).or_insert(v);
                }
            }
        }
        Err(e) => {
            reply["ok"] = false.into();
            reply["error"] = e.into();
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(id: &str, action: Action) -> Command {
        Command {
            id: id.into(),
            action,
        }
    }

    #[test]
    fn brightness_lasts_its_minutes_then_the_schedule_is_back() {
        let mut c = Commands::default();
        let t0 = Instant::now();
        let replies = c.take(
            command(
                "b",
                Action::SetBrightness {
                    level: Some(40),
                    minutes: Some(2),
                },
            ),
            t0,
        );
        assert_eq!(replies[0].1.as_ref().unwrap()["level"], 40);
        assert_eq!(c.brightness(t0, 100), 40);
        assert_eq!(c.next_change(t0), Some(t0 + Duration::from_secs(120)));
        assert_eq!(c.brightness(t0 + Duration::from_secs(121), 100), 100);
    }

    #[test]
    fn screenshots_wait_for_one_frame_and_too_many_are_refused() {
        let mut c = Commands::default();
        let t0 = Instant::now();
        let mut refused = 0;
        for i in 0..1000 {
            for (_, outcome) in c.take(command(&format!("s{i}"), Action::Screenshot), t0) {
                assert!(outcome.unwrap_err().starts_with("busy"));
                refused += 1;
            }
        }
        assert_eq!(refused, 1000 - SCREENSHOTS_WAITING);
        assert!(c.screenshot_due());
        assert_eq!(c.take_screenshots().len(), SCREENSHOTS_WAITING);
        assert!(!c.screenshot_due());
    }

    #[test]
    fn identify_shows_for_its_seconds() {
        let mut c = Commands::default();
        let t0 = Instant::now();
        c.take(command("i", Action::Identify { seconds: 5 }), t0);
        assert!(c.identifying(t0 + Duration::from_secs(4)));
        assert!(!c.identifying(t0 + Duration::from_secs(5)));
    }

    #[test]
    fn replies_carry_the_fields_or_the_reason() {
        let tz = bangtin_vi::calendar::VIETNAM;
        let ok = reply_json("xn", "r1", Ok(serde_json::json!({"seconds": 5})), tz);
        assert_eq!(
            (ok["ok"].clone(), ok["seconds"].clone()),
            (true.into(), 5.into())
        );
        assert!(ok["at"].as_str().unwrap().ends_with("+07:00"));
        let no = reply_json("xn", "r2", Err("busy".into()), tz);
        assert_eq!(
            (no["ok"].clone(), no["error"].clone()),
            (false.into(), "busy".into())
        );
    }
}

//! Following one message to the boards of its area: which boards were expected to take it,
//! which acknowledged receipt, which showed it, and which could not because they are offline.
//! Pure: fed with status and ack messages, it decides nothing by itself about time.

use crate::fleet::{self, BoardStatus, State};
use crate::i18n::Msg;
use crate::net::board_of;
use crate::target::Target;
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// What counts as delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The board acknowledged receipt (a channel waits for its turn in the rotation; a test
    /// alert is never shown).
    Received,
    /// The board presented it (an alert takes the screen at once; a cancel clears it).
    Shown,
}

/// An ack as boards publish it.
#[derive(Debug, Clone, Deserialize)]
pub struct Ack {
    pub board: String,
    pub topic: String,
    pub seq: u64,
    pub received_at: Option<DateTime<FixedOffset>>,
    pub shown_at: Option<DateTime<FixedOffset>>,
    /// The board holds the alert but shows it at its turn, after the alert named here.
    #[serde(default)]
    pub waiting_behind: Option<String>,
}

/// One message on its way to the boards.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub topic: String,
    pub seq: u64,
    pub want: Want,
    /// Boards of the target that reported online: these must acknowledge.
    pub expected: BTreeSet<String>,
    /// Boards of the target that are offline or silent; they get it when they come back.
    pub offline: BTreeSet<String>,
    pub received: BTreeMap<String, DateTime<FixedOffset>>,
    pub shown: BTreeMap<String, DateTime<FixedOffset>>,
    /// Boards that hold the alert and show it at its turn: board → the alert on screen.
    pub waiting: BTreeMap<String, String>,
}

impl Delivery {
    /// Expects every board of `target` that `statuses` say is online at `now`.
    pub fn new(
        topic: &str,
        seq: u64,
        want: Want,
        target: &Target,
        statuses: &BTreeMap<String, BoardStatus>,
        now: DateTime<FixedOffset>,
    ) -> Delivery {
        let list: Vec<BoardStatus> = statuses
            .values()
            .filter(|s| target.covers(s))
            .cloned()
            .collect();
        let rows = fleet::rows(&list, now, None);
        let (online, offline): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|r| r.state == State::Online);
        Delivery {
            topic: topic.to_owned(),
            seq,
            want,
            expected: online.into_iter().map(|r| r.board).collect(),
            offline: offline.into_iter().map(|r| r.board).collect(),
            received: BTreeMap::new(),
            shown: BTreeMap::new(),
            waiting: BTreeMap::new(),
        }
    }

    /// Takes one message from the boards' topics; returns whether progress changed.
    pub fn take(&mut self, prefix: &str, topic: &str, payload: &[u8]) -> bool {
        let Some(board) = board_of(prefix, topic, "ack") else {
            return false;
        };
        let Ok(ack) = serde_json::from_slice::<Ack>(payload) else {
            return false;
        };
        if ack.board != board || ack.topic != self.topic || ack.seq != self.seq {
            return false;
        }
        let mut changed = false;
        if let Some(t) = ack.received_at {
            changed |= self.received.insert(ack.board.clone(), t).is_none();
        }
        if let Some(t) = ack.shown_at {
            changed |= self.shown.insert(ack.board.clone(), t).is_none();
            self.waiting.remove(&ack.board);
        } else if let Some(behind) = ack.waiting_behind {
            if !self.shown.contains_key(&ack.board) {
                changed |= self.waiting.insert(ack.board.clone(), behind.clone()) != Some(behind);
            }
        }
        if changed && !self.expected.contains(&ack.board) {
            // A board that came online meanwhile: it counts too.
            self.offline.remove(&ack.board);
            self.expected.insert(ack.board);
        }
        changed
    }

    /// Boards that did what is wanted.
    pub fn done_boards(&self) -> BTreeSet<&str> {
        let map = match self.want {
            Want::Received => &self.received,
            Want::Shown => &self.shown,
        };
        map.keys().map(String::as_str).collect()
    }

    /// Every expected board did what is wanted.
    pub fn complete(&self) -> bool {
        let done = self.done_boards();
        self.expected.iter().all(|b| done.contains(b.as_str()))
    }

    /// Expected boards that have not (yet) done what is wanted, and do not say they wait
    /// for their turn behind another alert.
    pub fn missing(&self) -> Vec<String> {
        let done = self.done_boards();
        self.expected
            .iter()
            .filter(|b| !done.contains(b.as_str()) && !self.waits(b))
            .cloned()
            .collect()
    }

    /// Whether `board` holds the alert and waits to show it (only while showing is wanted).
    fn waits(&self, board: &str) -> bool {
        self.want == Want::Shown
            && !self.shown.contains_key(board)
            && self.waiting.contains_key(board)
    }

    /// Expected boards waiting to show it behind another alert: (board, the alert on screen).
    pub fn waiting_behind(&self) -> Vec<(String, String)> {
        self.waiting
            .iter()
            .filter(|(b, _)| self.expected.contains(*b) && self.waits(b))
            .map(|(b, a)| (b.clone(), a.clone()))
            .collect()
    }

    /// "12/15 boards showing it; offline: ..."
    pub fn progress(&self) -> Msg {
        Msg::ShowingOn {
            showing: self.done_boards().len(),
            total: self.expected.len() + self.offline.len(),
            offline: self.offline.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str, area: &str, online: bool, at: &str) -> BoardStatus {
        fleet::parse_status(
            serde_json::json!({"board": id, "area": area, "online": online, "at": at})
                .to_string()
                .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn targets_come_from_topics() {
        let p = "bangtin/v1";
        assert_eq!(
            Target::of_topic(p, "bangtin/v1/alert/vn/ha-noi"),
            Some(Target::Area("vn/ha-noi".into()))
        );
        assert_eq!(
            Target::of_topic(p, "bangtin/v1/content/board/xn-01"),
            Some(Target::Board("xn-01".into()))
        );
        assert_eq!(Target::of_topic(p, "x/alert/vn"), None);
    }

    #[test]
    fn expected_boards_are_the_online_ones_of_the_area_and_acks_count_once() {
        let now: DateTime<FixedOffset> = "2026-11-27T08:00:00+07:00".parse().unwrap();
        let fresh = "2026-11-27T07:59:30+07:00";
        let mut statuses = BTreeMap::new();
        for s in [
            status("a", "vn/hn/da/xn", true, fresh),
            status("b", "vn/hn/da/vh", true, fresh),
            status("c", "vn/hn/da/xn", false, fresh),
            status("d", "vn/hn/ba-vi", true, fresh),
            status("e", "vn/hn/da/xn", true, "2026-11-27T07:00:00+07:00"),
        ] {
            statuses.insert(s.board.clone(), s);
        }
        let topic = "bangtin/v1/alert/vn/hn/da";
        let target = Target::of_topic("bangtin/v1", topic).unwrap();
        let mut d = Delivery::new(topic, 9, Want::Shown, &target, &statuses, now);
        assert_eq!(d.expected.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(d.offline.iter().collect::<Vec<_>>(), ["c", "e"]);
        let ack = |board: &str, seq: u64, shown: bool| {
            serde_json::json!({"board": board, "topic": topic, "seq": seq,
                "received_at": "2026-11-27T08:00:01+07:00",
                "shown_at": if shown { Some("2026-11-27T08:00:01+07:00") } else { None }})
            .to_string()
        };
        let t = |b: &str| format!("bangtin/v1/board/{b}/ack");
        assert!(d.take("bangtin/v1", &t("a"), ack("a", 9, false).as_bytes()));
        assert!(!d.complete());
        assert!(
            !d.take("bangtin/v1", &t("a"), ack("a", 8, true).as_bytes()),
            "other seq"
        );
        assert!(
            !d.take("bangtin/v1", &t("b"), ack("a", 9, true).as_bytes()),
            "wrong board"
        );
        assert!(d.take("bangtin/v1", &t("a"), ack("a", 9, true).as_bytes()));
        assert!(
            !d.take("bangtin/v1", &t("a"), ack("a", 9, true).as_bytes()),
            "repeat"
        );
        assert_eq!(d.missing(), vec!["b".to_owned()]);
        assert!(d.take("bangtin/v1", &t("b"), ack("b", 9, true).as_bytes()));
        assert!(d.complete());
        // A board thought offline that acks joins the expected ones.
        assert!(d.take("bangtin/v1", &t("c"), ack("c", 9, false).as_bytes()));
        assert!(!d.complete());
        assert_eq!(
            d.progress(),
            Msg::ShowingOn {
                showing: 2,
                total: 4,
                offline: vec!["e".into()]
            }
        );
        // c holds it behind the alert on its screen: waiting, not missing, until shown.
        let waiting = serde_json::json!({"board": "c", "topic": topic, "seq": 9,
            "received_at": "2026-11-27T08:00:01+07:00", "shown_at": null,
            "waiting_behind": "lu-1"})
        .to_string();
        assert!(d.take("bangtin/v1", &t("c"), waiting.as_bytes()));
        assert!(!d.take("bangtin/v1", &t("c"), waiting.as_bytes()), "repeat");
        assert!(d.missing().is_empty());
        assert!(!d.complete(), "not shown yet");
        assert_eq!(d.waiting_behind(), [("c".to_owned(), "lu-1".to_owned())]);
        assert!(d.take("bangtin/v1", &t("c"), ack("c", 9, true).as_bytes()));
        assert!(d.waiting_behind().is_empty());
        assert!(d.complete());
    }
}

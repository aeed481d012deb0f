//! Which boards a message is for: an area and everything in it, or one board. Officers name
//! it in their source files; topics carry it; delivery follows the boards it covers.

use crate::fleet::{self, BoardStatus};

/// An area (`vn/ha-noi/dong-anh`) or one board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every board whose area is this area or inside it.
    Area(String),
    Board(String),
}

impl Target {
    /// The target of a content or alert topic (`PREFIX/content/AREA`, `PREFIX/alert/board/ID`).
    pub fn of_topic(prefix: &str, topic: &str) -> Option<Target> {
        let rest = topic.strip_prefix(prefix)?.strip_prefix('/')?;
        let (_, path) = rest.split_once('/')?;
        match path.strip_prefix("board/") {
            Some(id) => Some(Target::Board(id.to_owned())),
            None => Some(Target::Area(path.to_owned())),
        }
    }

    /// The topic after `P/content/` or `P/alert/`: the area path, or `board/ID`.
    pub fn topic_suffix(&self) -> String {
        match self {
            Target::Area(a) => a.clone(),
            Target::Board(b) => format!("board/{b}"),
        }
    }

    /// The content topic under `prefix` (e.g. `bangtin/v1`).
    pub fn content_topic(&self, prefix: &str) -> String {
        format!(
            "{}/content/{}",
            prefix.trim_end_matches('/'),
            self.topic_suffix()
        )
    }

    /// The alert topic under `prefix`.
    pub fn alert_topic(&self, prefix: &str) -> String {
        format!(
            "{}/alert/{}",
            prefix.trim_end_matches('/'),
            self.topic_suffix()
        )
    }

    /// Whether the board of `status` is one this target reaches.
    pub fn covers(&self, status: &BoardStatus) -> bool {
        match self {
            Target::Board(id) => status.board == *id,
            Target::Area(area) => status
                .area
                .as_deref()
                .is_some_and(|a| fleet::area_covers(area, a)),
        }
    }

    /// The area path or the board id, as the officer typed it.
    pub fn describe(&self) -> &str {
        match self {
            Target::Area(a) | Target::Board(a) => a,
        }
    }
}

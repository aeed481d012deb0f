//! Topic names: which topics a board subscribes to, and what a topic addresses.
//!
//! `P/content/AREA`, `P/content/board/ID`, `P/alert/AREA`, `P/alert/board/ID`, `P/board/ID/cmd`.

use super::{is_slug, parse_area, BoardIdentity, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicKind {
    Content,
    Alert,
    Command,
}

impl TopicKind {
    pub fn name(self) -> &'static str {
        match self {
            TopicKind::Content => "content",
            TopicKind::Alert => "alert",
            TopicKind::Command => "command",
        }
    }
}

/// What a topic addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TopicTarget {
    Area(Vec<String>),
    Board(String),
}

impl TopicTarget {
    /// Whether this board listens to it: an area that is a prefix of the board's own (the
    /// board's area or one above it), or the board itself.
    pub fn concerns(&self, board: &BoardIdentity) -> bool {
        match self {
            TopicTarget::Area(segs) => board.area.starts_with(segs),
            TopicTarget::Board(id) => *id == board.id,
        }
    }

    /// Whether a key scope covers this target, segment-wise. A board topic is covered by the
    /// scope naming that board, or by any area scope covering the board's own area.
    pub fn covered_by(&self, scope: &Scope, board: &BoardIdentity) -> bool {
        match (self, scope) {
            (TopicTarget::Area(segs), Scope::Area(scope)) => segs.starts_with(scope),
            (TopicTarget::Board(id), Scope::Board(scope)) => id == scope,
            (TopicTarget::Board(id), Scope::Area(scope)) => {
                *id == board.id && board.area.starts_with(scope)
            }
            (TopicTarget::Area(_), Scope::Board(_)) => false,
        }
    }
}

/// Parses a topic under `prefix`; `None` for anything that is not a bangtin topic.
pub fn parse_topic(prefix: &str, topic: &str) -> Option<(TopicKind, TopicTarget)> {
    let rest = topic.strip_prefix(prefix)?.strip_prefix('/')?;
    if let Some(board) = rest.strip_prefix("board/") {
        let id = board.strip_suffix("/cmd")?;
        return is_slug(id).then(|| (TopicKind::Command, TopicTarget::Board(id.to_owned())));
    }
    let (kind, rest) = if let Some(r) = rest.strip_prefix("content/") {
        (TopicKind::Content, r)
    } else if let Some(r) = rest.strip_prefix("alert/") {
        (TopicKind::Alert, r)
    } else {
        return None;
    };
    let target = match rest.strip_prefix("board/") {
        Some(id) if is_slug(id) => TopicTarget::Board(id.to_owned()),
        Some(_) => return None,
        None => TopicTarget::Area(parse_area(rest)?),
    };
    Some((kind, target))
}

/// The content or alert topic of a target.
pub fn topic_for(prefix: &str, kind: TopicKind, target: &TopicTarget) -> String {
    match target {
        TopicTarget::Board(id) => format!("{prefix}/{}/board/{id}", kind.name()),
        TopicTarget::Area(segs) => format!("{prefix}/{}/{}", kind.name(), segs.join("/")),
    }
}

/// A board's own topic for `leaf` (`cmd`, `status`, `ack`, `played`, `reply`).
pub fn board_topic(prefix: &str, id: &str, leaf: &str) -> String {
    format!("{prefix}/board/{id}/{leaf}")
}

/// Every topic a board subscribes to: content and alert for each prefix of its area and for
/// its own board topic, and its command topic.
pub fn subscriptions(board: &BoardIdentity) -> Vec<String> {
    let mut out = Vec::new();
    for kind in [TopicKind::Content, TopicKind::Alert] {
        for n in 1..=board.area.len() {
            out.push(topic_for(
                &board.prefix,
                kind,
                &TopicTarget::Area(board.area[..n].to_vec()),
            ));
        }
        out.push(topic_for(
            &board.prefix,
            kind,
            &TopicTarget::Board(board.id.clone()),
        ));
    }
    out.push(board_topic(&board.prefix, &board.id, "cmd"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> BoardIdentity {
        BoardIdentity {
            id: "xuan-non-01".into(),
            area: ["vn", "ha-noi", "dong-anh", "xuan-non"]
                .map(String::from)
                .to_vec(),
            prefix: "bangtin/v1".into(),
        }
    }

    #[test]
    fn subscriptions_cover_every_prefix_the_board_topic_and_cmd() {
        let subs = subscriptions(&board());
        assert_eq!(
            subs,
            [
                "bangtin/v1/content/vn",
                "bangtin/v1/content/vn/ha-noi",
                "bangtin/v1/content/vn/ha-noi/dong-anh",
                "bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non",
                "bangtin/v1/content/board/xuan-non-01",
                "bangtin/v1/alert/vn",
                "bangtin/v1/alert/vn/ha-noi",
                "bangtin/v1/alert/vn/ha-noi/dong-anh",
                "bangtin/v1/alert/vn/ha-noi/dong-anh/xuan-non",
                "bangtin/v1/alert/board/xuan-non-01",
                "bangtin/v1/board/xuan-non-01/cmd",
            ]
        );
        for t in &subs {
            assert!(parse_topic("bangtin/v1", t).is_some(), "{t} parses back");
        }
    }

    #[test]
    fn topics_parse_and_junk_does_not() {
        assert_eq!(
            parse_topic("bangtin/v1", "bangtin/v1/alert/vn/ha-noi"),
            Some((
                TopicKind::Alert,
                TopicTarget::Area(vec!["vn".into(), "ha-noi".into()])
            ))
        );
        assert_eq!(
            parse_topic("bangtin/v1", "bangtin/v1/content/board/b-1"),
            Some((TopicKind::Content, TopicTarget::Board("b-1".into())))
        );
        for junk in [
            "bangtin/v1/content/",
            "bangtin/v1/content/VN",
            "bangtin/v1/content/vn//x",
            "bangtin/v1/content/../x",
            "bangtin/v1/board/b-1/status",
            "bangtin/v1/video/vn",
            "bangtin/v2/content/vn",
            "bangtin/v1x/content/vn",
        ] {
            assert_eq!(parse_topic("bangtin/v1", junk), None, "{junk}");
        }
    }

    #[test]
    fn scopes_cover_segment_wise_not_by_string_prefix() {
        let b = board();
        let area = |s: &str| TopicTarget::Area(s.split('/').map(String::from).collect());
        let scope = |s: &str| Scope::parse(s).unwrap();
        assert!(area("vn/ha-noi/dong-anh").covered_by(&scope("vn/ha-noi"), &b));
        assert!(!area("vn/ha-noi").covered_by(&scope("vn/ha-noi/dong-anh"), &b));
        // "vn/ha-noi-2" starts with the string "vn/ha-noi" but is another area.
        assert!(!area("vn/ha-noi-2").covered_by(&scope("vn/ha-noi"), &b));
        let own = TopicTarget::Board("xuan-non-01".into());
        assert!(own.covered_by(&scope("board/xuan-non-01"), &b));
        assert!(own.covered_by(&scope("vn/ha-noi/dong-anh"), &b));
        assert!(!own.covered_by(&scope("vn/hai-phong"), &b));
        assert!(!own.covered_by(&scope("board/other"), &b));
        assert!(!area("vn").covered_by(&scope("board/xuan-non-01"), &b));
    }
}

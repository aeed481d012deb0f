//! The naming rules of the protocol, in one place: ids (items, alerts, keys, commands) and
//! slugs (area segments, board ids). Both end up in file names and MQTT topics, so neither may
//! hold a path, a space or a wildcard.

/// The longest id or slug, in characters (ASCII only, so also in bytes).
pub const ID_CHARS: usize = 64;

/// What an id may look like: it names files and topics, so no paths, no spaces.
pub const ID_RULE: &str =
    "must be 1..=64 characters of a-z, A-Z, 0-9, '.', '_' or '-', not starting with '.' or '-'";

/// Whether `s` follows [`ID_RULE`].
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= ID_CHARS
        && !s.starts_with(['.', '-'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What a slug may look like: an area segment or a board id.
pub const SLUG_RULE: &str = "must be 1..=64 characters of a-z, 0-9 or '-'";

/// A slug: one area segment or a board id, `[a-z0-9-]{1,64}`.
pub fn is_slug(s: &str) -> bool {
    (1..=ID_CHARS).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Splits an area path into its segments if every one is a slug.
pub fn parse_area(s: &str) -> Option<Vec<String>> {
    let segs: Vec<String> = s.split('/').map(str::to_owned).collect();
    segs.iter().all(|seg| is_slug(seg)).then_some(segs)
}

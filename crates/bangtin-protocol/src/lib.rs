//! The bangtin wire protocol (docs/protocol.md): what boards and staff say to each other
//! through the broker, and how a board decides whether to believe it.
//!
//! - [`content`]: channels, items, alerts (with CAP 1.2), commands and signed envelopes,
//!   parsed from untrusted bytes with every problem collected and its JSON path;
//! - [`trust`]: Ed25519 keys, their scopes, the alert right, seq marks against replays, and
//!   the topic tree (which topics a board listens to, what each topic targets).
//!
//! Pure: this crate never does I/O, never spawns a thread and never panics on input. It must
//! never depend on tokio, wgpu, image or rumqttc: a board, a staff tool, the console and the
//! fuzzers all build on it, and it builds in seconds.

pub mod content;
pub mod ids;
pub mod trust;

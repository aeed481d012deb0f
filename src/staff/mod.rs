//! The staff side: what district and commune officers run to publish, send alerts, watch
//! their boards and report what was shown. Everything here talks to boards only through the
//! broker, as docs/protocol.md describes; nothing here runs on a board.

pub mod acks;
pub mod cmd;
pub mod fleet;
pub mod i18n;
pub mod net;
pub mod report;
pub mod source;

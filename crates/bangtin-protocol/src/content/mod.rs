//! The content model of the wire protocol: channels, items, alerts, commands, envelopes.
//!
//! Pure data and validation. This module never does I/O, never touches the GPU and never
//! panics on input: everything that arrives from outside passes through [`parse`] first.

pub mod cap;
pub mod model;
pub mod parse;
pub mod problems;
pub mod text;

pub use crate::ids::{is_valid_id, ID_RULE};
pub use cap::alert_from_cap;
pub use model::*;
pub use parse::{
    alert_from_value, channel_from_value, command_from_value, parse_alert, parse_body,
    parse_channel, parse_command, parse_document, parse_envelope, parse_json, Document, PayloadRef,
};
pub use problems::{Problem, Problems};

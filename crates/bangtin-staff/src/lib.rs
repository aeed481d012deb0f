//! The staff side of bangtin as a library: what district and commune officers do to publish,
//! send alerts, watch their boards and report what was shown.
//!
//! Every operation is a function that returns data and reports progress as [`Msg`] values
//! (structured, worded in Vietnamese or English by [`Msg::text`]): the command line prints
//! them, the web console shows them. The pieces:
//!
//! - [`keys`]: key files and signing with an always-increasing seq;
//! - [`source`], [`document`], [`repair`]: the officers' Markdown and TOML, content files and
//!   their pictures, text typed in legacy encodings repaired;
//! - [`publish`]: check a channel or alert, sign it, send it and follow it to the boards;
//! - [`alert`]: an alert from an officer's fields or a CAP file, and the live-alert rules;
//! - [`command`]: signed commands to one board (screenshot, identify, reload, brightness);
//! - [`fleet`], [`collect`], [`report`]: the boards' statuses, proof of play kept and summed;
//! - [`preview`]: the display list of a preview (the renderer draws it).
//!
//! What it must never do: print, read a terminal, exit the process, draw on a GPU, or talk to
//! a board other than through the broker (docs/protocol.md). Nothing here runs on a board.

pub mod acks;
pub mod alert;
pub mod collect;
pub mod command;
pub mod document;
pub mod fleet;
pub mod i18n;
pub mod keys;
pub mod net;
pub mod preview;
pub mod province;
pub mod publish;
pub mod repair;
pub mod report;
pub mod source;
pub mod target;

pub use i18n::{Lang, Msg};
pub use keys::Signer;
pub use net::BrokerSpec;
pub use target::Target;

/// How a staff operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: every problem found, each in words for the officer. Nothing was sent.
    #[error("{}", .0.join("\n"))]
    Input(Vec<String>),
    /// The broker, the network or a file failed; what was done so far is said in the text.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// Bad input about one file: each problem prefixed with the file's name.
    pub fn in_file(
        file: &str,
        problems: impl IntoIterator<Item = impl std::fmt::Display>,
    ) -> Error {
        Error::Input(
            problems
                .into_iter()
                .map(|p| format!("{file}: {p}"))
                .collect(),
        )
    }
}

/// The board time (Vietnam, UTC+7) now, as staff tools stamp what they sign.
pub fn board_now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now()
        .with_timezone(&bangtin_vi::calendar::VIETNAM)
        .fixed_offset()
}

/// A current-thread tokio runtime for one staff operation (a command-line tool has no other).
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("cannot start the network runtime: {e}")))
}

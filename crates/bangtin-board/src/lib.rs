//! The board process: what runs on the Raspberry Pi behind the screen.
//!
//! Data flows one way, from packet to pixel: the network task ([`sync`]) checks each message
//! (trust, seq), has the storage thread ([`storage`]) keep it durably, and sends the whole
//! content as an immutable snapshot to the board's thread ([`board`]), which ticks the
//! programme ([`schedule`], pure), lays out the slide (`bangtin-layout`) and draws it
//! (`bangtin-render`) into a window or offscreen ([`output`]). What the board has to say (status,
//! acks, proof of play, replies) goes back through the reporter (`sync::report`).
//!
//! What it must never do: take a lock of the network side or wait for the network on the
//! board's thread; write to the store anywhere but the storage thread once running; show a
//! black screen; depend on the staff crate; panic on anything from outside. The board's
//! thread reads from the disk only what it is about to show or was told to read: an image
//! when a slide first needs it (decoded once, then kept), the config at a reload, and the
//! NTP flag file at most once a second; it deletes an image whose bytes no longer match its
//! name (a damaged card). The headless output writes its frames on a thread of its own.

pub mod board;
pub mod output;
pub mod schedule;
pub mod storage;
pub mod sync;

pub use board::{Board, BoardEvent, Links, Options, Presented};

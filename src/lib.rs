//! bangtin: the runtime of Vietnam's public electronic bulletin boards.
//!
//! State flows one way: content -> layout -> render. Only `render` touches the GPU;
//! everything before it is plain data, testable without one. See docs/architecture.md.

pub mod app;
pub mod broker;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod demo;

pub mod content;
pub mod fonts;
pub mod layout;

pub mod media;
pub mod output;
pub mod publish;
pub mod render;
pub mod schedule;
pub mod staff;
pub mod store;
pub mod sync;
pub mod trust;

//! bangtin's integration tests: one binary (linking the board, the renderer and a broker once,
//! not once per topic), a module per topic, and the shared `bangtin-testkit`.

mod alerts;
mod assets;
mod board;
mod cap;
mod cli;
mod config;
mod console;
mod console_alerts;
mod console_api;
mod console_browser;
mod console_browser_alerts;
mod content;
mod fonts;
mod hardening;
mod kiosk;
mod layout;
mod legacy;
mod lunar;
mod output;
mod province;
mod render;
mod schedule;
mod staff;
mod store;
mod sync;
mod trust;
mod video;
mod window;

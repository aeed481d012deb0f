//! The staff web console (`bangtin console`): officers compose announcements, see them exactly
//! as the boards will (the board's own renderer), approve them, and the console signs and
//! publishes each area's channel through an outbox; it watches the boards and keeps an audit
//! log. Vietnamese first, usable on a phone, no JavaScript build step.
//!
//! The pieces: [`config`] (console.toml), [`db`] (SQLite, migrations), [`auth`] (accounts,
//! one-time codes, sessions), [`policy`] (roles on areas and the route table: the one
//! authorization check), [`items`] (the item state machine and the compose form), [`channel`]
//! (signing, the outbox, importing retained channels), [`mqtt`] (listener and sender),
//! [`preview`] (the renderer on a thread of its own), and `web` (the HTTP side).

pub mod alerts;
pub mod auth;
pub mod channel;
pub mod config;
pub mod db;
pub mod i18n;
pub mod items;
pub mod mqtt;
pub mod plays;
pub mod policy;
pub mod preview;
pub mod tokens;
mod web;

use bangtin_staff::fleet::BoardStatus;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, Notify};

pub use config::Config;

/// Something that happened, for the pages that update live (server-sent events).
#[derive(Debug, Clone)]
pub enum Event {
    /// A board acknowledged a message.
    Ack { topic: String, seq: u64 },
    /// A board's status changed.
    Board(String),
    /// An outbox row reached the broker.
    Sent(i64),
}

/// Password checks at once (see [`App::logins`]).
pub const LOGINS_AT_ONCE: usize = 2;

/// The console's shared state.
pub struct App {
    pub config: Config,
    pub db: db::Db,
    /// Every board's last status, by board id.
    pub boards: RwLock<BTreeMap<String, BoardStatus>>,
    pub events: broadcast::Sender<Event>,
    /// Wakes the sender when the outbox has something new.
    pub outbox: Notify,
    pub previewer: preview::Previewer,
    /// The listener is connected.
    pub broker_up: AtomicBool,
    /// Password checks running at once, at most: Argon2 takes 19 MiB each, so fifty logins at
    /// once (or an attacker's spray) must queue, not take a gigabyte.
    pub logins: tokio::sync::Semaphore,
    /// Requests of each API token this minute.
    pub api_calls: tokens::Limiter,
}

impl App {
    /// The area a board says it is in (its last status).
    pub fn board_area(&self, id: &str) -> Option<String> {
        self.boards
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .and_then(|s| s.area.clone())
    }

    pub fn new(config: Config) -> Result<Arc<App>, String> {
        let db = db::Db::open(&config.database)?;
        let posters = web::video::posters_dir(&config.database);
        Ok(Arc::new(App {
            config,
            db,
            boards: RwLock::new(BTreeMap::new()),
            events: broadcast::channel(1024).0,
            outbox: Notify::new(),
            previewer: preview::Previewer::start(posters),
            broker_up: AtomicBool::new(false),
            logins: tokio::sync::Semaphore::new(LOGINS_AT_ONCE),
            api_calls: tokens::Limiter::default(),
        }))
    }
}

/// Serves the console until the process is stopped: binds `listen`, starts the listener and
/// the sender, and says where it is (and the bound port, when asked for port 0).
pub async fn serve(app: Arc<App>, ready: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(app.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", app.config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(mqtt::listen(app.clone()));
    tokio::spawn(mqtt::send(app.clone()));
    tokio::spawn(plays::collect(app.clone()));
    ready(addr);
    let router = web::router(app);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .map_err(|e| e.to_string())
}

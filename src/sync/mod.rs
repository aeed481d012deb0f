//! The MQTT side of a board: one tokio task owns rumqttc's event loop.
//!
//! It subscribes to every topic the protocol gives the board (each prefix of its area, its
//! board topic, its command topic) at QoS 1 on every connection, hands each publish to
//! [`BoardState::ingest`], and tells the rest of the board what happened through a bounded
//! channel of [`SyncEvent`]s. rumqttc reconnects when polled again after an error; this task
//! adds the back-off it lacks (1 s doubling to 60 s, with jitter). The last will marks the
//! board offline. Nothing here blocks on the render thread or waits for the network to start.

pub mod assets;
pub mod backoff;
pub mod report;
pub mod state;

pub use assets::{AssetEvent, AssetFetcher};
pub use backoff::Backoff;
pub use report::{Live, Report, ReportSetup, Reports};
pub use state::{BoardState, Change, ContentSet, IngestError};

use crate::config::{Broker, Config};
use crate::trust::{board_topic, subscriptions};
use rumqttc::{
    AsyncClient, Event, LastWill, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// The largest MQTT packet a board reads (see [`mqtt_options`]).
pub const MAX_PACKET: usize = 8 * 1024 * 1024;

/// Where the Debian family keeps the system's CA bundle, used for mqtts:// without `ca_file`.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Why the MQTT client could not be set up. Fatal: the config is wrong or a file is missing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// What the sync task tells the rest of the board.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// Connected and subscribed; retained messages follow.
    Connected,
    /// The connection failed or dropped; the next try is in `retry_in`.
    Disconnected {
        error: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// An accepted message changed the content (or is a command).
    Changed(Change),
    /// A message was refused; nothing changed. Duplicates are not reported.
    Rejected { topic: String, reason: String },
}

/// Installs the process's one rustls crypto provider (ring). Call once at start, before any
/// TLS: with more than one provider compiled in, rustls refuses to pick one by itself.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The MQTT options for a board: identity, keep-alive, last will, credentials, TLS. The
/// config was validated first, so none of rumqttc's setter assertions can fire.
pub fn mqtt_options(config: &Config) -> Result<MqttOptions, Error> {
    let broker = &config.broker;
    let mut options = MqttOptions::new(&broker.client_id, &broker.url.host, broker.url.port);
    options.set_keep_alive(Duration::from_secs(u64::from(broker.keep_alive_s)));
    options.set_clean_session(true);
    // Take packets well above the protocol's message limit, so that an oversized message is
    // refused by the trust check with a reason instead of breaking the connection: rumqttc
    // drops the connection on a packet over its limit, and a retained one would come back at
    // every reconnect. Brokers should cap messages below this (Mosquitto message_size_limit).
    options.set_max_packet_size(MAX_PACKET, MAX_PACKET);
    // The will replaces the retained status: it keeps what staff tools sort and filter by.
    let will = serde_json::json!({
        "board": config.board.id,
        "online": false,
        "area": config.identity().area.join("/"),
        "name": config.board.name,
        "version": env!("CARGO_PKG_VERSION"),
    });
    options.set_last_will(LastWill::new(
        board_topic(&broker.prefix, &config.board.id, "status"),
        will.to_string(),
        QoS::AtLeastOnce,
        true,
    ));
    if let (Some(user), Some(pass)) = (&broker.username, &broker.password) {
        options.set_credentials(user, pass);
    } else if let Some(user) = &broker.username {
        options.set_credentials(user, "");
    }
    if broker.url.tls {
        options.set_transport(Transport::Tls(tls(broker)?));
    }
    Ok(options)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::File {
        path: path.display().to_string(),
        source,
    })
}

fn tls(broker: &Broker) -> Result<TlsConfiguration, Error> {
    let ca = match &broker.ca_file {
        Some(path) => read(path)?,
        None => read(Path::new(SYSTEM_CA_BUNDLE))?,
    };
    let client_auth = match (&broker.client_cert, &broker.client_key) {
        (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
        _ => None,
    };
    Ok(TlsConfiguration::Simple {
        ca,
        alpn: None,
        client_auth,
    })
}

/// A running sync task.
pub struct SyncHandle {
    pub client: AsyncClient,
    pub task: tokio::task::JoinHandle<()>,
    /// Where the board's thread sends its reports (with a [`ReportSetup`]).
    pub reports: Option<Reports>,
}

/// Starts the sync task on the current tokio runtime. With a fetcher, images given by URL
/// are fetched in the background: those the cache lacks at once, new ones as content arrives.
pub fn spawn(
    options: MqttOptions,
    state: Arc<Mutex<BoardState>>,
    events: mpsc::Sender<SyncEvent>,
    backoff: Backoff,
    fetcher: Option<AssetFetcher>,
) -> SyncHandle {
    spawn_reporting(options, state, events, backoff, fetcher, None)
}

/// [`spawn`], and with `report` a [`report::Reporter`] publishing status, acks, proof of play
/// and replies on the same connection.
pub fn spawn_reporting(
    options: MqttOptions,
    state: Arc<Mutex<BoardState>>,
    events: mpsc::Sender<SyncEvent>,
    backoff: Backoff,
    fetcher: Option<AssetFetcher>,
    report: Option<ReportSetup>,
) -> SyncHandle {
    let (client, eventloop) = AsyncClient::new(options, 256);
    let reports = report.map(|setup| {
        report::Reporter {
            client: client.clone(),
            identity: lock(&state).identity().clone(),
            name: setup.name,
            state: state.clone(),
            played: setup.played,
            live: setup.live,
        }
        .spawn()
    });
    let task = tokio::spawn(run(
        client.clone(),
        eventloop,
        state,
        events,
        backoff,
        fetcher,
        reports.clone(),
    ));
    SyncHandle {
        client,
        task,
        reports,
    }
}

async fn run(
    client: AsyncClient,
    mut eventloop: rumqttc::EventLoop,
    state: Arc<Mutex<BoardState>>,
    events: mpsc::Sender<SyncEvent>,
    mut backoff: Backoff,
    fetcher: Option<AssetFetcher>,
    reports: Option<Reports>,
) {
    let report = |r: Report| {
        if let Some(reports) = &reports {
            reports.send(r);
        }
    };
    let (identity, mut topics) = {
        let s = lock(&state);
        if let Some(f) = &fetcher {
            f.want(s.content().images());
        }
        (s.identity().clone(), subscriptions(s.identity()))
    };
    // The board's own proof of play comes back to it: the broker has a batch once it does.
    let played_topic = board_topic(&identity.prefix, &identity.id, "played");
    if reports.is_some() {
        topics.push(played_topic.clone());
    }
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff.reset();
                // Images that failed before (the network was down, say) get another try.
                if let Some(f) = &fetcher {
                    f.want(lock(&state).content().images());
                }
                log::info!(
                    "connected to the broker; subscribing to {} topics",
                    topics.len()
                );
                let filters = topics
                    .iter()
                    .map(|t| rumqttc::SubscribeFilter::new(t.clone(), QoS::AtLeastOnce));
                // Never wait on the request queue from the task that drains it.
                if let Err(e) = client.try_subscribe_many(filters) {
                    log::error!("could not subscribe: {e}");
                }
                if reports.is_some() {
                    report(Report::Connected);
                } else {
                    let online = serde_json::json!({"board": identity.id, "online": true});
                    let status = board_topic(&identity.prefix, &identity.id, "status");
                    if let Err(e) = client
                        .publish(status, QoS::AtLeastOnce, true, online.to_string())
                        .await
                    {
                        log::warn!("could not publish status: {e}");
                    }
                }
                let _ = events.send(SyncEvent::Connected).await;
            }
            Ok(Event::Incoming(Packet::Publish(p))) if p.topic == played_topic => {
                report(Report::Echo(p.payload.to_vec()));
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let received = std::time::Instant::now();
                let result = {
                    let mut s = lock(&state);
                    let result = s.ingest(&p.topic, &p.payload);
                    if let (Ok(Change::Channel { .. } | Change::Alert { .. }), Some(f)) =
                        (&result, &fetcher)
                    {
                        f.want(s.content().images());
                    }
                    result
                };
                let event = match result {
                    Ok(change) => {
                        // Topic and seq, not the message (an alert may carry an inline image).
                        let (kind, seq) = match &change {
                            Change::Channel { seq, .. } => ("a channel", *seq),
                            Change::Alert { seq, .. } => ("an alert", *seq),
                            Change::Command { seq, .. } => ("a command", *seq),
                        };
                        log::info!(
                            "accepted {kind} on {} (seq {seq}) in {:?}",
                            p.topic,
                            received.elapsed()
                        );
                        // Commands are answered on `reply`, not acked.
                        let alert = match &change {
                            Change::Alert { alert, .. } => Some(Some(alert.id.clone())),
                            Change::Channel { .. } => Some(None),
                            Change::Command { .. } => None,
                        };
                        if let Some(alert) = alert {
                            report(Report::Received {
                                topic: p.topic.clone(),
                                seq,
                                at: chrono::Utc::now()
                                    .with_timezone(&crate::calendar::VIETNAM)
                                    .fixed_offset(),
                                alert,
                            });
                        }
                        SyncEvent::Changed(change)
                    }
                    Err(IngestError::Rejected(r)) if r.is_silent() => continue,
                    Err(IngestError::Rejected(r)) => {
                        log::warn!("rejected a message on {}: {r}", p.topic);
                        report(Report::Rejected {
                            topic: p.topic.clone(),
                            reason: r.to_string(),
                        });
                        SyncEvent::Rejected {
                            topic: p.topic.clone(),
                            reason: r.to_string(),
                        }
                    }
                };
                if events.send(event).await.is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(e) => {
                report(Report::Disconnected);
                // What was queued for the lost connection is stale (status, acks) or kept on
                // disk (proof of play); the next connection starts clean.
                eventloop.pending.clear();
                let attempt = backoff.attempt() + 1;
                let retry_in = backoff.next_delay();
                log::warn!(
                    "broker connection: {e}; try {attempt} again in {:.1} s",
                    retry_in.as_secs_f32()
                );
                let event = SyncEvent::Disconnected {
                    error: e.to_string(),
                    attempt,
                    retry_in,
                };
                if events.send(event).await.is_err() {
                    return;
                }
                tokio::time::sleep(retry_in).await;
            }
        }
    }
}

/// The state lock; a panic while holding it (a bug) must not take the board down with it.
pub fn lock(state: &Mutex<BoardState>) -> std::sync::MutexGuard<'_, BoardState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

//! The MQTT side of a board: one tokio task owns rumqttc's event loop and the board's
//! [`Ingest`] (trust, seq marks, content), with no lock.
//!
//! It subscribes to every topic the protocol gives the board (each prefix of its area, its
//! board topic, its command topic) at QoS 1 on every connection. For each message: the trust
//! check, then the storage thread stores it durably (the task waits for that without blocking
//! a thread), then the content snapshot is updated and sent, whole and immutable, to the
//! board's thread through [`Events`]. Refused messages go to the reporter only; the board's
//! thread never hears of them. rumqttc reconnects when polled again after an error; this task
//! adds the back-off it lacks (1 s doubling to 60 s, with jitter). The last will marks the
//! board offline. Nothing here waits for the render thread or for the network to start.

pub mod assets;
pub mod backoff;
pub mod ingest;
pub mod report;

pub use assets::{AssetEvent, AssetFetcher};
pub use backoff::Backoff;
pub use ingest::{Change, ContentSet, Ingest};
pub use report::{Live, Report, Reports};

use crate::storage::{Command, Storage};
use crate::BoardEvent;
use bangtin_config::{Broker, Config};
use bangtin_protocol::trust::{board_topic, subscriptions, BoardIdentity, TrustStore};
use rumqttc::{
    AsyncClient, Event, LastWill, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};

/// The largest MQTT packet a board reads (see [`mqtt_options`]).
pub const MAX_PACKET: usize = 8 * 1024 * 1024;
/// Events waiting for the board's thread, at most (then the network task waits).
pub const EVENTS_IN_FLIGHT: usize = 256;

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

/// An event on its way to the board's thread. While it is held, it takes one of the
/// [`EVENTS_IN_FLIGHT`] places: the board's thread frees it by dropping the event.
#[derive(Debug)]
pub struct Delivery {
    pub event: BoardEvent,
    _place: Option<OwnedSemaphorePermit>,
}

impl Delivery {
    /// An event that takes no place (signals, the window closing).
    pub fn now(event: BoardEvent) -> Delivery {
        Delivery {
            event,
            _place: None,
        }
    }
}

/// How events reach the board's thread: a channel for the headless loop, winit's event-loop
/// proxy for the window.
pub type Sink = Arc<dyn Fn(Delivery) + Send + Sync>;

/// The network side's line to the board's thread, bounded: at most [`EVENTS_IN_FLIGHT`]
/// events wait there; beyond that the sender waits (real back-pressure, up to the broker).
#[derive(Clone)]
pub struct Events {
    sink: Sink,
    places: Arc<Semaphore>,
}

impl Events {
    pub fn new(sink: Sink) -> Events {
        Events {
            sink,
            places: Arc::new(Semaphore::new(EVENTS_IN_FLIGHT)),
        }
    }

    /// Sends `event`, waiting for a free place.
    pub async fn send(&self, event: BoardEvent) {
        let place = self.places.clone().acquire_owned().await.ok();
        (self.sink)(Delivery {
            event,
            _place: place,
        });
    }
}

/// What the board's thread asks of the network task.
#[derive(Debug)]
pub enum Control {
    /// A reloaded config: who the board is and whom it trusts now.
    Trust {
        identity: BoardIdentity,
        trust: TrustStore,
        timezone: chrono::FixedOffset,
    },
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

/// At most [`LOGGED_REFUSALS`] refusals are logged per [`REFUSALS_WINDOW`]; a storm of forged
/// messages gives a count, not a journal full of the same line.
const LOGGED_REFUSALS: u32 = 10;
const REFUSALS_WINDOW: Duration = Duration::from_secs(10);

/// The refusals logged and left out in the current window.
#[derive(Debug, Default)]
struct Refusals {
    since: Option<std::time::Instant>,
    logged: u32,
    quiet: u64,
}

impl Refusals {
    /// Whether to log this refusal; says how many were left out when a window closes.
    fn log(&mut self) -> bool {
        let now = std::time::Instant::now();
        if self
            .since
            .is_none_or(|t| now.duration_since(t) >= REFUSALS_WINDOW)
        {
            if self.quiet > 0 {
                log::warn!(
                    "{} more refused messages were not logged in {} s",
                    self.quiet,
                    REFUSALS_WINDOW.as_secs()
                );
            }
            *self = Refusals {
                since: Some(now),
                logged: 0,
                quiet: 0,
            };
        }
        self.logged += 1;
        if self.logged > LOGGED_REFUSALS {
            self.quiet += 1;
        }
        self.logged <= LOGGED_REFUSALS
    }
}

/// Everything the network task works with.
pub struct Network {
    pub ingest: Ingest,
    pub storage: Storage,
    pub events: Events,
    pub reports: Reports,
    pub live: Arc<report::Live>,
    pub fetcher: Option<AssetFetcher>,
    pub backoff: Backoff,
    /// The time zone the board stamps its times in.
    pub timezone: chrono::FixedOffset,
    /// The content's seqs for status, updated with every snapshot.
    pub channels: watch::Sender<serde_json::Map<String, serde_json::Value>>,
}

/// A running network task: the client to publish with, and the board's line to the task.
pub struct SyncHandle {
    pub client: AsyncClient,
    pub control: mpsc::Sender<Control>,
    pub task: tokio::task::JoinHandle<()>,
}

/// The seqs of `content`, as status shows them.
pub fn channel_seqs(content: &ContentSet) -> serde_json::Map<String, serde_json::Value> {
    content
        .seqs()
        .into_iter()
        .map(|(t, s)| (t.to_owned(), serde_json::json!(s)))
        .collect()
}

/// Starts the network task on the current tokio runtime.
pub fn spawn(options: MqttOptions, network: Network) -> (SyncHandle, AsyncClient) {
    let (client, eventloop) = AsyncClient::new(options, 256);
    let (control, control_rx) = mpsc::channel(8);
    let task = tokio::spawn(run(client.clone(), eventloop, network, control_rx));
    (
        SyncHandle {
            client: client.clone(),
            control,
            task,
        },
        client,
    )
}

/// The time stamps the network task gives: the board's clock, saying whether it is trusted.
fn stamp(network: &Network) -> (chrono::DateTime<chrono::FixedOffset>, bool) {
    (
        chrono::Utc::now()
            .with_timezone(&network.timezone)
            .fixed_offset(),
        network.live.clock_trusted.load(Ordering::Relaxed),
    )
}

async fn run(
    client: AsyncClient,
    mut eventloop: rumqttc::EventLoop,
    mut n: Network,
    mut control: mpsc::Receiver<Control>,
) {
    if let Some(f) = &n.fetcher {
        f.want(n.ingest.content().images());
        f.want_videos(n.ingest.content().videos());
    }
    let _ = n.channels.send(channel_seqs(n.ingest.content()));
    // The board's own proof of play comes back to it: the broker has a batch once it does.
    let mut topics = topics_of(n.ingest.identity());
    let played = |topics: &[String]| topics.last().cloned().unwrap_or_default();
    let mut refusals = Refusals::default();
    loop {
        // The poll is never cancelled: a reload is handled while it waits.
        let polled = {
            let poll = eventloop.poll();
            tokio::pin!(poll);
            loop {
                tokio::select! {
                    polled = &mut poll => break polled,
                    Some(c) = control.recv() => reload(&client, &mut n, &mut topics, c).await,
                }
            }
        };
        match polled {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                n.backoff.reset();
                // Images that failed before (the network was down, say) get another try.
                if let Some(f) = &n.fetcher {
                    f.want(n.ingest.content().images());
                    f.want_videos(n.ingest.content().videos());
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
                n.reports.send(Report::Connected).await;
            }
            Ok(Event::Incoming(Packet::Publish(p))) if p.topic == played(&topics) => {
                n.reports.send(Report::Echo(p.payload.to_vec())).await;
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                take(&mut n, &mut refusals, &p.topic, &p.payload).await;
            }
            Ok(_) => {}
            Err(e) => {
                // What was queued for the lost connection is stale (status, acks) or kept on
                // disk (proof of play); the next connection starts clean.
                eventloop.pending.clear();
                let attempt = n.backoff.attempt() + 1;
                let retry_in = n.backoff.next_delay();
                n.reports
                    .send(Report::Disconnected { attempt, retry_in })
                    .await;
                log::warn!(
                    "broker connection: {e}; try {attempt} again in {:.1} s",
                    retry_in.as_secs_f32()
                );
                tokio::time::sleep(retry_in).await;
            }
        }
    }
}

/// The topics a board subscribes to, its own `played` last.
fn topics_of(identity: &BoardIdentity) -> Vec<String> {
    let mut topics = subscriptions(identity);
    topics.push(board_topic(&identity.prefix, &identity.id, "played"));
    topics
}

/// One message from the broker: checked, stored, applied, passed on.
async fn take(n: &mut Network, refusals: &mut Refusals, topic: &str, payload: &[u8]) {
    let received = std::time::Instant::now();
    let accepted = match n.ingest.check(topic, payload) {
        Ok(a) => a,
        Err(r) if r.is_silent() => return,
        Err(r) => {
            if refusals.log() {
                log::warn!("rejected a message on {topic}: {r}");
            }
            n.reports
                .send(Report::Rejected {
                    topic: topic.to_owned(),
                    reason: r.to_string(),
                })
                .await;
            return;
        }
    };
    let command = matches!(
        accepted.body.payload,
        bangtin_protocol::content::Payload::Command(_)
    );
    // Stored durably before it counts (a command is not stored, its mark is).
    let change = n.ingest.accept(&accepted);
    let stored = if command {
        n.storage
            .send(Command::State {
                name: crate::storage::MARKS,
                bytes: n.ingest.marks_json(),
            })
            .await;
        Ok(())
    } else {
        n.storage
            .envelope(topic, payload, n.ingest.marks_json())
            .await
    };
    if let Err(e) = stored {
        // Showing new content beats showing none: it applies in memory all the same.
        n.reports.send(Report::Error(format!("store: {e}"))).await;
    }
    let (kind, alert) = match &change {
        Change::Channel { .. } => ("a channel", Some(None)),
        Change::Alert { alert, .. } => ("an alert", Some(Some(alert.id.clone()))),
        Change::Command { .. } | Change::Revoked { .. } => ("a command", None),
    };
    // Topic and seq, not the message (an alert may carry an inline image).
    log::info!(
        "accepted {kind} on {topic} (seq {}) in {:?}",
        accepted.seq,
        received.elapsed()
    );
    // Commands are answered on `reply`, not acked.
    if let Some(alert) = alert {
        let (at, clock_trusted) = stamp(n);
        n.reports
            .send(Report::Received {
                topic: topic.to_owned(),
                seq: accepted.seq,
                at,
                clock_trusted,
                alert,
            })
            .await;
        if let Some(f) = &n.fetcher {
            f.want(n.ingest.content().images());
            f.want_videos(n.ingest.content().videos());
        }
        let content = n.ingest.content();
        let keep = content
            .images()
            .into_iter()
            .map(|i| i.sha256().to_owned())
            .chain(content.videos().into_iter().map(|v| v.sha256.clone()))
            .collect();
        n.storage.send(Command::Evict { keep }).await;
        let _ = n.channels.send(channel_seqs(n.ingest.content()));
    }
    let content = n.ingest.content().clone();
    n.events.send(BoardEvent::Content { change, content }).await;
}

/// A reloaded config: new trust, perhaps a new identity (new subscriptions); what the new
/// trust no longer allows leaves the screen at once.
async fn reload(client: &AsyncClient, n: &mut Network, topics: &mut Vec<String>, c: Control) {
    let Control::Trust {
        identity,
        trust,
        timezone,
    } = c;
    n.timezone = timezone;
    let new_topics = topics_of(&identity);
    if new_topics != *topics {
        let gone: Vec<String> = topics
            .iter()
            .filter(|t| !new_topics.contains(t))
            .cloned()
            .collect();
        for t in gone {
            let _ = client.try_unsubscribe(t);
        }
        let filters = new_topics
            .iter()
            .filter(|t| !topics.contains(t))
            .map(|t| rumqttc::SubscribeFilter::new(t.clone(), QoS::AtLeastOnce))
            .collect::<Vec<_>>();
        if !filters.is_empty() {
            if let Err(e) = client.try_subscribe_many(filters) {
                log::error!("could not subscribe: {e}");
            }
        }
        *topics = new_topics;
    }
    let Some(change) = n.ingest.set_trust(identity, trust) else {
        return;
    };
    if let Change::Revoked { removed } = &change {
        log::warn!(
            "the reloaded trust store no longer allows {} message(s); removed: {}",
            removed.len(),
            removed
                .iter()
                .map(|(t, k)| format!("{t} (key {k})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let topics = removed.iter().map(|(t, _)| t.clone()).collect();
        n.storage.send(Command::Remove { topics }).await;
    }
    let _ = n.channels.send(channel_seqs(n.ingest.content()));
    let content = n.ingest.content().clone();
    n.events.send(BoardEvent::Content { change, content }).await;
}

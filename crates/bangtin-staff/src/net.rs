//! One staff tool's connection to the broker: where it is ([`BrokerSpec`]), then connect,
//! subscribe, publish and read what comes, each step waited for ([`Session`]).
//!
//! rumqttc's event loop runs in its own task and hands everything over a channel, so the
//! tool can wait on the broker's acknowledgements and on incoming messages with deadlines
//! without ever leaving the event loop unpolled. Staff passwords travel only inside TLS when
//! the broker is `mqtts://`; a plain `mqtt://` broker should be on loopback or a private
//! network (docs/operations.md).

use crate::fleet::{self, BoardStatus};
use crate::Error;
use bangtin_config::BrokerUrl;
use bangtin_protocol::content::limits;
use bangtin_protocol::trust::board_topic;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, TlsConfiguration, Transport};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Where the Debian family keeps the system's CA bundle, for mqtts:// without a CA file.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The boards' broker, as a staff tool or the console reaches it.
#[derive(Debug, Clone)]
pub struct BrokerSpec {
    pub url: BrokerUrl,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The CA certificate(s) of an `mqtts://` broker (PEM); the system's bundle otherwise.
    pub ca_file: Option<PathBuf>,
    /// The boards' topic prefix, `bangtin/v1` by default.
    pub prefix: String,
}

impl BrokerSpec {
    /// A broker from its URL (`mqtt://host:1883` or `mqtts://host:8883`).
    pub fn new(url: &str, prefix: &str) -> Result<BrokerSpec, Error> {
        let url =
            BrokerUrl::parse(url).map_err(|e| Error::Input(vec![format!("the broker {e}")]))?;
        Ok(BrokerSpec {
            url,
            username: None,
            password: None,
            ca_file: None,
            prefix: prefix.to_owned(),
        })
    }

    /// MQTT options for one connection; `client` names the tool in its client id. A client id
    /// of its own (`fixed`) keeps a persistent session across runs (`collect`).
    pub fn options(&self, client: &str, fixed: Option<&str>) -> Result<MqttOptions, Error> {
        let id = match fixed {
            Some(id) => id.to_owned(),
            None => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                format!("bangtin-{client}-{}-{nanos}", std::process::id())
            }
        };
        // A password goes to a broker elsewhere only encrypted.
        if self.password.is_some() && !self.url.tls && !is_loopback(&self.url.host) {
            return Err(Error::Input(vec![format!(
                "the password would travel in clear to {}: use mqtts://{}:8883 (the broker's \
                 TLS port; --ca-file if the province runs its own certificate authority)",
                self.url.host, self.url.host
            )]));
        }
        let mut options = MqttOptions::new(id, &self.url.host, self.url.port);
        options.set_keep_alive(Duration::from_secs(30));
        // A screenshot reply is the largest message a staff tool reads.
        options.set_max_packet_size(limits::STAFF_PACKET_BYTES, limits::MESSAGE_BYTES + 4096);
        if let Some(user) = &self.username {
            options.set_credentials(user, self.password.as_deref().unwrap_or(""));
        }
        if self.url.tls {
            let path = self
                .ca_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
            let ca = std::fs::read(&path).map_err(|e| {
                Error::Input(vec![format!(
                    "cannot read the CA file {}: {e}",
                    path.display()
                )])
            })?;
            options.set_transport(Transport::Tls(TlsConfiguration::Simple {
                ca,
                alpn: None,
                client_auth: None,
            }));
        }
        Ok(options)
    }
}

/// Connects, publishes one message at QoS 1, waits for the broker's acknowledgement and
/// disconnects.
pub async fn publish_once(
    options: MqttOptions,
    topic: &str,
    payload: Vec<u8>,
    retain: bool,
    timeout: Duration,
) -> Result<(), Error> {
    let mut session = Session::connect(options, timeout)
        .await
        .map_err(Error::Failed)?;
    session
        .publish(topic, payload, retain)
        .await
        .map_err(Error::Failed)?;
    session.close().await;
    Ok(())
}

/// What the event loop task reports.
#[derive(Debug)]
enum Net {
    Connected,
    SubAck,
    PubAck,
    Message(rumqttc::Publish),
    Failed(String),
}

/// Events waiting between the network task and the session, at most: when the session does
/// not read, the network task waits (the broker then holds messages back), it never queues
/// without end.
const EVENTS: usize = 1024;
/// Messages kept while the session waits for something else, at most; the oldest go first.
const QUEUED: usize = 10_000;

/// A connected staff session.
pub struct Session {
    client: AsyncClient,
    rx: mpsc::Receiver<Net>,
    /// Messages that came while waiting for something else.
    queued: VecDeque<rumqttc::Publish>,
    url: String,
}

impl Session {
    /// Connects and waits for the broker to accept the connection.
    pub async fn connect(options: MqttOptions, timeout: Duration) -> Result<Session, String> {
        let (host, port) = options.broker_address();
        let url = format!("mqtt://{host}:{port}");
        let (client, mut eventloop) = AsyncClient::new(options, 64);
        let (tx, rx) = mpsc::channel(EVENTS);
        tokio::spawn(async move {
            loop {
                let net = match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => Net::Connected,
                    Ok(Event::Incoming(Packet::SubAck(_))) => Net::SubAck,
                    Ok(Event::Incoming(Packet::PubAck(_))) => Net::PubAck,
                    Ok(Event::Incoming(Packet::Publish(p))) => Net::Message(p),
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => break,
                    Ok(_) => continue,
                    Err(e) => Net::Failed(e.to_string()),
                };
                let failed = matches!(net, Net::Failed(_));
                if tx.send(net).await.is_err() || failed {
                    break;
                }
            }
        });
        let mut session = Session {
            client,
            rx,
            queued: VecDeque::new(),
            url,
        };
        session
            .wait(timeout, |n| matches!(n, Net::Connected), "connecting")
            .await?;
        Ok(session)
    }

    fn queue(&mut self, p: rumqttc::Publish) {
        if self.queued.len() >= QUEUED {
            log::warn!(
                "{QUEUED} messages from {} not read yet; the oldest is dropped",
                self.url
            );
            self.queued.pop_front();
        }
        self.queued.push_back(p);
    }

    /// Waits for an event `want` accepts; messages in between are queued.
    async fn wait(
        &mut self,
        timeout: Duration,
        want: impl Fn(&Net) -> bool,
        doing: &str,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => {
                    return Err(format!(
                        "the broker at {} did not answer in {} s ({doing})",
                        self.url,
                        timeout.as_secs()
                    ))
                }
                Ok(None) => return Err(format!("the connection to {} ended", self.url)),
                Ok(Some(Net::Failed(e))) => {
                    return Err(format!("the broker at {}: {e} ({doing})", self.url))
                }
                Ok(Some(Net::Message(p))) => self.queue(p),
                Ok(Some(n)) if want(&n) => return Ok(()),
                Ok(Some(_)) => {}
            }
        }
    }

    /// Subscribes to `filters` at QoS 1 and waits for the broker to confirm.
    pub async fn subscribe(&mut self, filters: &[String]) -> Result<(), String> {
        let subs = filters
            .iter()
            .map(|f| rumqttc::SubscribeFilter::new(f.clone(), QoS::AtLeastOnce));
        self.client
            .subscribe_many(subs)
            .await
            .map_err(|e| e.to_string())?;
        self.wait(
            Duration::from_secs(10),
            |n| matches!(n, Net::SubAck),
            "subscribing",
        )
        .await
    }

    /// Publishes at QoS 1 and waits for the broker's acknowledgement.
    pub async fn publish(
        &mut self,
        topic: &str,
        payload: Vec<u8>,
        retain: bool,
    ) -> Result<(), String> {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload)
            .await
            .map_err(|e| e.to_string())?;
        self.wait(
            Duration::from_secs(10),
            |n| matches!(n, Net::PubAck),
            "publishing",
        )
        .await
    }

    /// The next message, or `None` at `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Result<Option<(String, Vec<u8>)>, String> {
        Ok(self
            .next_publish(deadline)
            .await?
            .map(|p| (p.topic.clone(), p.payload.to_vec())))
    }

    /// The next message as received, for a session with manual acknowledgements
    /// ([`Session::ack`] once it is safe), or `None` at `deadline`.
    pub async fn next_publish(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<rumqttc::Publish>, String> {
        if let Some(m) = self.queued.pop_front() {
            return Ok(Some(m));
        }
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return Ok(None),
                Ok(None) => return Err(format!("the connection to {} ended", self.url)),
                Ok(Some(Net::Failed(e))) => return Err(format!("the broker at {}: {e}", self.url)),
                Ok(Some(Net::Message(p))) => return Ok(Some(p)),
                Ok(Some(_)) => {}
            }
        }
    }

    /// Acknowledges a message to the broker (with `set_manual_acks(true)`): until then the
    /// broker keeps it for this session.
    pub async fn ack(&self, publish: &rumqttc::Publish) -> Result<(), String> {
        self.client.ack(publish).await.map_err(|e| e.to_string())
    }

    /// Disconnects politely.
    pub async fn close(self) {
        let _ = self.client.disconnect().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The board id in `PREFIX/board/ID/LEAF`, if `topic` is that.
pub fn board_of<'a>(prefix: &str, topic: &'a str, leaf: &str) -> Option<&'a str> {
    let rest = topic.strip_prefix(prefix)?.strip_prefix("/board/")?;
    let id = rest.strip_suffix(leaf)?.strip_suffix('/')?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// Every board's retained status, read until the broker has been quiet for `settle` (retained
/// messages come at once after subscribing), at most `max`. Keeps the session subscribed.
pub async fn statuses(
    session: &mut Session,
    prefix: &str,
    settle: Duration,
    max: Duration,
) -> Result<BTreeMap<String, BoardStatus>, String> {
    session
        .subscribe(&[board_topic(prefix, "+", "status")])
        .await?;
    let mut out = BTreeMap::new();
    let end = Instant::now() + max;
    loop {
        let deadline = (Instant::now() + settle).min(end);
        match session.next(deadline).await? {
            None => break,
            Some((topic, payload)) => {
                take_status(prefix, &topic, &payload, &mut out);
            }
        }
        if Instant::now() >= end {
            break;
        }
    }
    Ok(out)
}

/// Adds a status message to `out` (an empty retained message removes the board).
pub fn take_status(
    prefix: &str,
    topic: &str,
    payload: &[u8],
    out: &mut BTreeMap<String, BoardStatus>,
) -> bool {
    let Some(id) = board_of(prefix, topic, "status") else {
        return false;
    };
    if payload.is_empty() {
        return out.remove(id).is_some();
    }
    match fleet::parse_status(payload) {
        Ok(s) if s.board == id => {
            out.insert(id.to_owned(), s);
            true
        }
        Ok(s) => {
            log::warn!(
                "status on {topic} names another board ({:?}); ignored",
                s.board
            );
            false
        }
        Err(e) => {
            log::warn!("status on {topic} is not readable: {e}");
            false
        }
    }
}

/// This machine itself: a password to it never crosses a network.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_goes_in_clear_only_to_this_machine() {
        let with_password = |url: &str| {
            let mut spec = BrokerSpec::new(url, "bangtin/v1").unwrap();
            spec.username = Some("huyen".into());
            spec.password = Some("bí mật".into());
            spec.options("test", None).map(|_| ())
        };
        for ok in [
            "mqtt://127.0.0.1:1883",
            "mqtt://localhost",
            "mqtt://[::1]:1883",
        ] {
            assert!(with_password(ok).is_ok(), "{ok}");
        }
        let Err(Error::Input(said)) = with_password("mqtt://mqtt.dong-anh.gov.vn:1883") else {
            panic!("a password in clear to another machine was accepted");
        };
        assert!(
            said[0].contains("mqtts://mqtt.dong-anh.gov.vn:8883"),
            "{said:?}"
        );
        assert!(
            !said[0].contains("bí mật"),
            "the password itself is never said"
        );
        // Without a password, plain MQTT stays possible (a closed network, the demo).
        let spec = BrokerSpec::new("mqtt://10.0.0.5:1883", "bangtin/v1").unwrap();
        assert!(spec.options("test", None).is_ok());
    }

    #[test]
    fn board_ids_come_out_of_board_topics_only() {
        let p = "bangtin/v1";
        assert_eq!(
            board_of(p, "bangtin/v1/board/xn-01/status", "status"),
            Some("xn-01")
        );
        assert_eq!(board_of(p, "bangtin/v1/board/xn-01/ack", "status"), None);
        assert_eq!(board_of(p, "bangtin/v1/board//status", "status"), None);
        assert_eq!(board_of(p, "bangtin/v1/board/a/b/status", "status"), None);
        assert_eq!(board_of(p, "other/board/xn-01/status", "status"), None);
    }
}

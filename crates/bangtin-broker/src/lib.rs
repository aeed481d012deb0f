//! An embedded MQTT broker (rumqttd) for `bangtin demo` and the tests: zero set-up on one
//! machine. Real deployments use a broker cluster (Mosquitto, EMQX), never this.

use std::collections::HashMap;
use std::net::SocketAddr;

/// The largest message the embedded broker takes: a full envelope plus headroom, so that the
/// board (not the broker) is what refuses an oversized message, with its own reason.
pub const MAX_PAYLOAD: usize = 2 * 1024 * 1024;
// It carries everything the protocol lets anyone send: a whole message, and a board's reply
// with a screenshot (the largest packet staff tools read).
const _: () = {
    use bangtin_protocol::content::limits;
    assert!(MAX_PAYLOAD > limits::MESSAGE_BYTES && MAX_PAYLOAD >= limits::STAFF_PACKET_BYTES);
};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the embedded broker could not start on {addr}: {message}")]
    Start { addr: SocketAddr, message: String },
}

/// Starts rumqttd listening on `addr` (MQTT 3.1.1) on a thread of its own, and returns once
/// it accepts connections. It runs until the process ends.
pub fn start(addr: SocketAddr) -> Result<(), Error> {
    let connections = rumqttd::ConnectionSettings {
        connection_timeout_ms: 60_000,
        max_payload_size: MAX_PAYLOAD,
        max_inflight_count: 100,
        auth: None,
        external_auth: None,
        dynamic_filters: true,
    };
    let server = rumqttd::ServerSettings {
        name: "bangtin-embedded".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 1,
        connections,
    };
    let router = rumqttd::RouterConfig {
        max_connections: 10_010,
        max_outgoing_packet_count: 200,
        max_segment_size: 100 * 1024 * 1024,
        max_segment_count: 10,
        custom_segment: None,
        initialized_filters: None,
        shared_subscriptions_strategy: Default::default(),
    };
    let config = rumqttd::Config {
        id: 0,
        router,
        v4: Some(HashMap::from([("1".to_owned(), server)])),
        v5: None,
        ws: None,
        cluster: None,
        console: None,
        bridge: None,
        prometheus: None,
        metrics: None,
    };
    let mut broker = rumqttd::Broker::new(config);
    let running = std::thread::Builder::new()
        .name("bangtin-broker".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                log::error!("embedded broker stopped: {e}");
            }
        })
        .map_err(|e| Error::Start {
            addr,
            message: e.to_string(),
        })?;
    // Wait until it listens (it binds on its own thread). A broker that stopped did not get
    // the port: whatever answers there is another program's.
    let stopped = || Error::Start {
        addr,
        message: "it stopped at once (is the port taken?)".into(),
    };
    for _ in 0..200 {
        if running.is_finished() {
            return Err(stopped());
        }
        if std::net::TcpStream::connect(addr).is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(20));
            return if running.is_finished() {
                Err(stopped())
            } else {
                Ok(())
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(Error::Start {
        addr,
        message: "it did not accept connections within 2 s".into(),
    })
}

//! `bangtin demo`: a whole board with zero set-up, for a first look and for trying publishing.
//!
//! An embedded broker on 127.0.0.1, a district key and a board config in a fresh folder, the
//! sample channel published signed, the board in a window (or headless frames when there is
//! no display), a fire drill after a while and its cancellation, and the commands to publish
//! more from another terminal.

use super::{parse_size, Failure};
use anyhow::Context as _;
use bangtin_board::output::{self, headless::Headless};
use bangtin_board::Options;
use bangtin_protocol::content::{self, Document, Payload};
use bangtin_staff::{keys, net, Signer};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sample content, built into the binary so the demo runs from anywhere.
const CHANNEL: &[u8] = include_bytes!("../../examples/xa-xuan-non.channel.json");
const DRILL: &[u8] = include_bytes!("../../examples/dien-tap-chay-no.alert.json");

const KEY: &str = "huyen-dong-anh";
const AREA: &str = "vn/ha-noi/dong-anh";
const BOARD_AREA: &str = "vn/ha-noi/dong-anh/xuan-non";
const PREFIX: &str = bangtin_config::DEFAULT_PREFIX;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The board's picture in pixels (a 192x96 LED panel, 1080x1920 portrait, ...).
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    /// No window even when there is a display: frames go to FOLDER/frames/latest.png.
    #[arg(long)]
    pub headless: bool,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Seconds before the drill alert is sent.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub drill_after: u64,
    /// Seconds the drill lasts before it is cancelled.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub drill_for: u64,
    /// Port of the embedded broker (default 1883, or a free one if that is taken).
    #[arg(long)]
    pub port: Option<u16>,
    /// Folder for the demo's keys, config, store and frames (default: a new temporary one).
    #[arg(long, value_name = "FOLDER")]
    pub dir: Option<PathBuf>,
    /// Port of the staff console (default 8080, or a free one if that is taken).
    #[cfg(feature = "console")]
    #[arg(long)]
    pub console_port: Option<u16>,
}

/// The demo console's accounts: name, role, password (shown to whoever runs the demo).
#[cfg(feature = "console")]
const ACCOUNTS: [(&str, &str, &str); 3] = [
    ("bien-tap", "editor", "bientap-demo"),
    ("duyet", "approver", "duyet-demo-1"),
    ("quan-tri", "admin", "quantri-demo"),
];

/// Starts the staff console on a thread of its own, signing with the demo's district key;
/// returns its address. Its demo accounts log in without one-time codes (the console says so
/// on every page).
#[cfg(feature = "console")]
fn start_console(dir: &Path, broker_port: u16, wanted: Option<u16>) -> anyhow::Result<String> {
    use bangtin_console::{auth, policy::Role};
    let port = match wanted {
        Some(p) => p,
        None if TcpListener::bind(("127.0.0.1", 8080)).is_ok() => 8080,
        None => TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port(),
    };
    let path = dir.join("console.toml");
    let config = toml::toml! {
        listen = (format!("127.0.0.1:{port}"))
        database = "console.db"
        [broker]
        url = (format!("mqtt://127.0.0.1:{broker_port}"))
        [security]
        require_totp = false
        [[area]]
        path = AREA
        name = "Huyện Đông Anh"
        key = (format!("{KEY}.key"))
    };
    std::fs::write(
        &path,
        format!("# The demo console: see docs/console.md.\n{config}"),
    )?;
    let config =
        bangtin_console::Config::load(&path).map_err(|e| anyhow::anyhow!("{}", e.join("\n")))?;
    {
        let db = bangtin_console::db::Db::open(&config.database).map_err(anyhow::Error::msg)?;
        let conn = db.lock();
        for (name, role, password) in ACCOUNTS {
            let role = Role::parse(role).unwrap_or(Role::Viewer);
            if auth::user_id(&conn, name).is_err() {
                auth::add_user(&conn, name, password, AREA, role, false)
                    .map_err(anyhow::Error::msg)?;
            }
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build();
        let result = runtime.map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(async {
                let app = bangtin_console::App::new(config)?;
                bangtin_console::serve(app, |addr| {
                    let _ = tx.send(addr);
                })
                .await
            })
        });
        if let Err(e) = result {
            eprintln!("demo: the console stopped: {e}");
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(15))
        .context("the staff console did not start")?;
    Ok(format!("http://{addr}/"))
}

pub fn run(args: &DemoArgs) -> Result<(), Failure> {
    demo(args).map_err(Failure::Runtime)
}

fn free_port(wanted: Option<u16>) -> anyhow::Result<u16> {
    if let Some(p) = wanted {
        return Ok(p);
    }
    if TcpListener::bind(("127.0.0.1", 1883)).is_ok() {
        return Ok(1883);
    }
    let l = TcpListener::bind(("127.0.0.1", 0)).context("no free port for the demo broker")?;
    Ok(l.local_addr()?.port())
}

/// The demo board's config, written with the TOML serialiser (a folder name with quotes or
/// backslashes stays a valid string).
fn board_config(dir: &Path, port: u16, public: &str, (w, h): (u32, u32)) -> String {
    let config = toml::toml! {
        [board]
        id = "demo-xuan-non"
        area = BOARD_AREA
        name = "UBND xã Xuân Nộn"

        [broker]
        url = (format!("mqtt://127.0.0.1:{port}"))

        [[trust]]
        key = KEY
        public = public
        scopes = [AREA]
        alerts = true

        [display]
        width = (i64::from(w))
        height = (i64::from(h))

        [store]
        dir = (dir.join("store").display().to_string())
    };
    format!("# The demo board's config: see docs/operations.md for every setting.\n{config}")
}

/// Signs and publishes `payload` (retained, QoS 1) to the demo broker.
fn send(key_path: &Path, port: u16, topic: &str, payload: Payload) -> anyhow::Result<()> {
    let signer = Signer::load(key_path, None)?;
    let (envelope, _) = signer.sign(topic, payload, None, true)?;
    let broker = bangtin_staff::BrokerSpec::new(&format!("mqtt://127.0.0.1:{port}"), PREFIX)?;
    let options = broker.options("demo", None)?;
    bangtin_staff::runtime()?.block_on(net::publish_once(
        options,
        topic,
        envelope,
        true,
        Duration::from_secs(10),
    ))?;
    Ok(())
}

fn sample(bytes: &[u8]) -> anyhow::Result<Payload> {
    match content::parse_document(bytes) {
        Ok(Document::Channel(c)) => Ok(Payload::Channel(c)),
        Ok(Document::Alert(a)) => Ok(Payload::Alert(a)),
        Ok(Document::Envelope(..)) => anyhow::bail!("the built-in sample is an envelope"),
        Err(p) => anyhow::bail!("the built-in sample is invalid: {p:?}"),
    }
}

/// The drill alert, effective now for an hour, and the message that cancels it.
fn drill() -> anyhow::Result<(Payload, Payload)> {
    let Payload::Alert(mut alert) = sample(DRILL)? else {
        anyhow::bail!("the built-in drill is not an alert");
    };
    let now = bangtin_staff::board_now();
    alert.effective = None;
    alert.expires = Some(now + chrono::TimeDelta::hours(1));
    let mut cancel = alert.clone();
    cancel.id = format!("huy-{}", alert.id);
    cancel.msg_type = content::MsgType::Cancel;
    cancel.references = vec![alert.id.clone()];
    cancel.headline = "Kết thúc diễn tập".into();
    Ok((Payload::Alert(alert), Payload::Alert(cancel)))
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Runs the demo until the window is closed, Ctrl+C, or `duration`.
fn demo(demo: &DemoArgs) -> anyhow::Result<()> {
    let dir = match &demo.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!(
            "bangtin-demo-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp()
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let port = free_port(demo.port)?;
    bangtin_broker::start(SocketAddr::from(([127, 0, 0, 1], port)))?;
    let key_path = dir.join(KEY);
    let public = match keys::keygen(&key_path) {
        Ok(p) => p,
        Err(keys::Error::Exists(_)) => std::fs::read_to_string(dir.join(format!("{KEY}.pub")))?
            .trim()
            .to_owned(),
        Err(e) => return Err(e.into()),
    };
    let config_path = dir.join("board.toml");
    std::fs::write(&config_path, board_config(&dir, port, &public, demo.size))?;
    let config = bangtin_config::load(&config_path).map_err(|e| anyhow::anyhow!("{e}"))?;

    let content_topic = format!("{PREFIX}/content/{AREA}");
    let alert_topic = format!("{PREFIX}/alert/{AREA}");
    let key = dir.join(format!("{KEY}.key"));
    send(&key, port, &content_topic, sample(CHANNEL)?)
        .context("could not publish the sample channel")?;
    println!("bangtin demo");
    println!("  broker:  mqtt://127.0.0.1:{port} (embedded)");
    println!("  folder:  {}", dir.display());
    println!("  config:  {}", config_path.display());
    println!("  key:     {} (district of Đông Anh)", key.display());
    println!("  sent the sample channel to {content_topic}");
    #[cfg(feature = "console")]
    match start_console(&dir, port, demo.console_port) {
        Ok(url) => {
            println!();
            println!("Staff console (open it in a browser on this computer):");
            println!("  {url}");
            for (name, role, password) in ACCOUNTS {
                println!("  {name:<9} {role:<9} password: {password}");
            }
            println!(
                "  (an editor composes and submits, the approver approves: the board shows it)"
            );
            println!(
                "  (Cảnh báo: a drill, or a live alert that duyet enters and quan-tri confirms)"
            );
        }
        Err(e) => eprintln!("demo: no staff console: {e:#}"),
    }
    println!();
    let me = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "bangtin".into());
    println!("Publish more from another terminal (in the source folder), for example:");
    println!(
        "  {me} publish --key {} --topic {content_topic} --broker mqtt://127.0.0.1:{port} examples/xa-xuan-non.channel.json",
        key.display()
    );
    println!(
        "  {me} publish --key {} --topic {alert_topic} --broker mqtt://127.0.0.1:{port} examples/bao-so-3.alert.json",
        key.display()
    );
    println!();

    let (drill, cancel) = drill()?;
    let (after, lasting) = (
        Duration::from_secs(demo.drill_after),
        Duration::from_secs(demo.drill_for),
    );
    {
        let key_path = key.clone();
        let alert_topic = alert_topic.clone();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            match send(&key_path, port, &alert_topic, drill) {
                Ok(()) => println!("demo: sent a fire DRILL alert (exercise) to {alert_topic}"),
                Err(e) => eprintln!("demo: could not send the drill: {e:#}"),
            }
            std::thread::sleep(lasting);
            match send(&key_path, port, &alert_topic, cancel) {
                Ok(()) => println!("demo: cancelled the drill; the programme comes back"),
                Err(e) => eprintln!("demo: could not cancel the drill: {e:#}"),
            }
        });
    }

    let options = Options {
        fps: if demo.headless || !has_display() {
            10
        } else {
            60
        },
        stop_after: demo.duration.map(Duration::from_secs),
        ..Options::default()
    };
    if !demo.headless && has_display() {
        println!("Showing the board in a window; close it or press Ctrl+C to stop.");
        match output::window::run(config.clone(), Some(&config_path), options.clone()) {
            Ok(()) => return Ok(()),
            Err(e) => eprintln!("demo: no window ({e:#}); running headless instead"),
        }
    } else if !demo.headless {
        println!("No display found (DISPLAY and WAYLAND_DISPLAY are unset): running headless.");
    }
    let frames = dir.join("frames");
    println!(
        "Frames go to {} (updated as the board changes); Ctrl+C to stop.",
        frames.join("latest.png").display()
    );
    let board = Headless::new(config, Some(&config_path), Some(&frames), options)?;
    board.run()
}

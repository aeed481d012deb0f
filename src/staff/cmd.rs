//! The staff subcommands: `publish`, `alert`, `fleet`, `screenshot`, `command`, `collect` and
//! `report`. Each checks everything before anything is sent (bad input: exit 2, nothing
//! sent), speaks the officer's language (`--lang`, else the locale), and says plainly what
//! happened at the boards.

use crate::cli::{bad, parse_size, Failure};
use crate::content::{self, Document, Payload};
use crate::staff::acks::{Delivery, Target, Want};
use crate::staff::fleet::{self, BoardStatus};
use crate::staff::i18n::{Lang, Msg};
use crate::staff::net::{self, Session};
use crate::trust::board_topic;
use anyhow::Context as _;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, Utc};
use ed25519_dalek::SigningKey;
use rumqttc::MqttOptions;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;

/// How long retained statuses may take to arrive after subscribing: the broker sends them at
/// once, so a short quiet spell means all are in.
const SETTLE: Duration = Duration::from_millis(700);
const SETTLE_MAX: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the boards' broker is, and how to talk to the officer.
#[derive(Debug, Clone, clap::Args)]
pub struct BrokerArgs {
    /// The broker, mqtt://host:port.
    #[arg(long, env = "BANGTIN_BROKER", default_value = "mqtt://127.0.0.1:1883")]
    pub broker: String,
    #[arg(long, env = "BANGTIN_USERNAME")]
    pub username: Option<String>,
    #[arg(long, env = "BANGTIN_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The boards' topic prefix.
    #[arg(long, env = "BANGTIN_PREFIX", default_value = "bangtin/v1")]
    pub prefix: String,
    /// Language of the messages: vi or en (default: vi when the locale is Vietnamese).
    #[arg(long, value_parser = Lang::parse)]
    pub lang: Option<Lang>,
}

impl BrokerArgs {
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(Lang::from_env)
    }

    fn options(&self, client: &str) -> Result<MqttOptions, Failure> {
        let mut options = crate::publish::options_for(
            &self.broker,
            self.username.as_deref(),
            self.password.as_deref(),
        )
        .map_err(|e| Failure::BadInput(vec![e]))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        options.set_client_id(format!("bangtin-{client}-{}-{nanos}", std::process::id()));
        Ok(options)
    }
}

/// The officer's signing key.
#[derive(Debug, Clone, clap::Args)]
pub struct SignerArgs {
    /// The signing key (NAME.key from `bangtin keygen`); its id is NAME unless --key-id.
    #[arg(long, env = "BANGTIN_KEY", value_name = "NAME.key")]
    pub key: PathBuf,
    /// Key id as boards know it in their [[trust]] entry.
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
}

impl SignerArgs {
    fn load(&self) -> Result<(String, SigningKey), Failure> {
        let (file_id, key) = crate::publish::read_key(&self.key)
            .map_err(|e| Failure::BadInput(vec![e.to_string()]))?;
        let id = self.key_id.clone().unwrap_or(file_id);
        if !content::is_valid_id(&id) {
            return Err(Failure::BadInput(vec![format!(
                "key id {id:?} {}",
                content::parse::ID_RULE
            )]));
        }
        Ok((id, key))
    }

    /// The signed envelope of `payload` on `topic`, with the next seq of this key (or `seq`).
    fn sign(
        &self,
        topic: &str,
        payload: Payload,
        seq: Option<u64>,
        use_seq: bool,
    ) -> Result<(Vec<u8>, u64), Failure> {
        let (id, key) = self.load()?;
        let now = Utc::now();
        let now_ms = now.timestamp_millis().max(0) as u64;
        let seq = match seq {
            Some(s) => s,
            None if !use_seq => now_ms,
            None => {
                crate::publish::next_seq(&self.key, topic, now_ms).map_err(anyhow::Error::from)?
            }
        };
        let envelope = crate::publish::envelope(&id, &key, topic, seq, board_now(now), payload);
        Ok((envelope, seq))
    }
}

fn board_now(now: DateTime<Utc>) -> DateTime<FixedOffset> {
    now.with_timezone(&crate::calendar::VIETNAM).fixed_offset()
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?)
}

fn say(lang: Lang, msg: Msg) {
    println!("{}", msg.text(lang));
}

/// Errors of the network: runtime failures (exit 1), in words.
fn net_failure(e: String) -> Failure {
    Failure::Runtime(anyhow::anyhow!(e))
}

/// The prefix of a bangtin topic: everything before `/content/`, `/alert/` or `/board/`.
fn topic_prefix(topic: &str) -> &str {
    ["/content/", "/alert/", "/board/"]
        .iter()
        .filter_map(|m| topic.find(m))
        .min()
        .map_or(topic, |i| &topic[..i])
}

// ----- publish --------------------------------------------------------------------------

/// `bangtin publish FILE`.
pub fn publish(args: &crate::cli::PublishArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let first = &args.files[0];
    let name = first.display().to_string();
    let (mut doc, topic) = if args.files.len() > 1 || is_source(first) {
        let source = crate::staff::source::load_all(&args.files).map_err(Failure::BadInput)?;
        for w in &source.warnings {
            eprintln!("{}", warning_text(w, lang));
        }
        let topic = args
            .topic
            .clone()
            .unwrap_or_else(|| source.target.content_topic(&args.broker.prefix));
        (source.channel, topic)
    } else {
        let bytes = std::fs::read(first)
            .map_err(|e| Failure::BadInput(vec![format!("cannot read {name}: {e}")]))?;
        let doc: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Failure::BadInput(vec![format!("{name}: not JSON: {e}")]))?;
        let topic = args.topic.clone().ok_or_else(|| {
            Failure::BadInput(vec![format!(
                "{name} is JSON: give --topic (a .md or .toml file names its area itself)"
            )])
        })?;
        (doc, topic)
    };
    for fix in repair_text(&mut doc) {
        eprintln!("{}", fix.text(lang));
    }
    let bytes = serde_json::to_vec(&doc).unwrap_or_default();
    let loaded = crate::cli::load_content_bytes(name.clone(), &bytes, None)?;
    let payload = match &loaded.document {
        Document::Channel(c) => Payload::Channel(c.clone()),
        Document::Alert(a) => Payload::Alert(a.clone()),
        Document::Envelope(..) => {
            return Err(Failure::BadInput(vec![format!(
                "{name} is already a signed envelope; give the channel or alert itself"
            )]))
        }
    };
    check_topic(&topic, &payload)?;
    if args.dry_run {
        let out = args.preview.clone().unwrap_or_else(|| {
            let mut p = first.clone().into_os_string();
            p.push(".preview.png");
            PathBuf::from(p)
        });
        preview(&loaded, args.size, &out)?;
        let (envelope, seq) = args.signer.sign(&topic, payload, args.seq, false)?;
        if args.print {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(&envelope)
                .and_then(|()| stdout.write_all(b"\n"));
        }
        eprintln!("{topic} seq {seq}: {} bytes signed", envelope.len());
        eprintln!(
            "{}",
            Msg::DryRun {
                path: out.display().to_string()
            }
            .text(lang)
        );
        return Ok(());
    }
    let want = match &payload {
        Payload::Alert(a) if a.status != content::AlertStatus::Test => Want::Shown,
        _ => Want::Received,
    };
    send_and_follow(
        &args.signer,
        &args.broker,
        &topic,
        payload,
        args.seq,
        want,
        args.wait,
    )
}

/// Whether `path` is in the officers' format (Markdown or TOML) rather than protocol JSON.
pub fn is_source(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "md" | "markdown" | "toml")
}

fn check_topic(topic: &str, payload: &Payload) -> Result<(), Failure> {
    let kind_ok = matches!(
        (
            payload,
            crate::trust::parse_topic(topic_prefix(topic), topic),
        ),
        (
            Payload::Channel(_),
            Some((crate::trust::TopicKind::Content, _))
        ) | (Payload::Alert(_), Some((crate::trust::TopicKind::Alert, _)))
    );
    if kind_ok {
        Ok(())
    } else {
        Err(Failure::BadInput(vec![format!(
            "topic {topic:?} does not take a {}: use PREFIX/content/AREA (or content/board/ID) for a channel, PREFIX/alert/AREA for an alert",
            payload.kind()
        )]))
    }
}

fn warning_text(w: &crate::staff::source::Warning, lang: Lang) -> String {
    use crate::staff::source::Warning;
    match w {
        Warning::ImageRecompressed {
            path,
            from_bytes,
            to_bytes,
            width,
            height,
        } => format!(
            "{}: {}",
            path.display(),
            Msg::ImageRecompressed {
                before_bytes: *from_bytes,
                after_bytes: *to_bytes,
                width: *width,
                height: *height,
            }
            .text(lang)
        ),
        other => other.to_string(),
    }
}

/// One piece of text converted from a legacy encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub field: String,
    pub encoding: &'static str,
    pub before: String,
    pub after: String,
}

impl Repaired {
    pub fn text(&self, lang: Lang) -> String {
        let cut = |s: &str| -> String {
            let mut t: String = s.chars().take(60).collect();
            if s.chars().count() > 60 {
                t.push('…');
            }
            t
        };
        format!(
            "{}: {}",
            self.field,
            Msg::EncodingConverted {
                encoding: self.encoding.to_owned(),
                before: cut(&self.before),
                after: cut(&self.after),
            }
            .text(lang)
        )
    }
}

/// Converts the text fields of a channel or alert object that are in a legacy Vietnamese
/// encoding (TCVN3, VNI, VIQR) to Unicode, in place; returns what was converted.
pub fn repair_text(doc: &mut Value) -> Vec<Repaired> {
    const FIELDS: [&str; 8] = [
        "title",
        "body",
        "caption",
        "text",
        "headline",
        "description",
        "instruction",
        "sender_name",
    ];
    let mut out = Vec::new();
    let mut fix = |obj: &mut serde_json::Map<String, Value>, at: &str| {
        for f in FIELDS {
            let Some(Value::String(s)) = obj.get_mut(f) else {
                continue;
            };
            if let Some((encoding, fixed)) = crate::content::legacy::repair(s) {
                out.push(Repaired {
                    field: format!("{at}{f}"),
                    encoding: encoding.name(),
                    before: s.clone(),
                    after: fixed.clone(),
                });
                *s = fixed;
            }
        }
    };
    if let Some(items) = doc.get_mut("items").and_then(Value::as_array_mut) {
        for (i, item) in items.iter_mut().enumerate() {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("items[{i}]"), str::to_owned);
            if let Some(obj) = item.as_object_mut() {
                fix(obj, &format!("{id}."));
            }
        }
    } else if let Some(obj) = doc.as_object_mut() {
        fix(obj, "");
    }
    out
}

/// Renders the first item (or the alert) as a board shows it, header and tickers included.
fn preview(loaded: &crate::cli::Loaded, size: (u32, u32), out: &Path) -> Result<(), Failure> {
    use crate::layout::chrome::{self, FooterText};
    use crate::layout::{Slide, TextEngine};
    let now = Utc::now().with_timezone(&crate::calendar::VIETNAM);
    let gpu = std::thread::spawn(crate::cli::open_renderer);
    let mut engine = TextEngine::new();
    let image_size = |sha: &str| loaded.image_size(sha);
    let (slide, footer) = match loaded.document.payload() {
        content::PayloadRef::Channel(c) => {
            let tickers: Vec<String> = c
                .items
                .iter()
                .filter_map(|i| match &i.kind {
                    content::ItemKind::Ticker { text } => Some(text.clone()),
                    _ => None,
                })
                .collect();
            let first = c
                .items
                .iter()
                .find(|i| !matches!(i.kind, content::ItemKind::Ticker { .. }));
            let slide = match first {
                Some(item) => Slide::Item { item, page: 0 },
                None => Slide::Idle {
                    board_name: "Bảng tin",
                    now: now.naive_local(),
                },
            };
            (
                slide,
                (!tickers.is_empty()).then_some(FooterText::Tickers(tickers)),
            )
        }
        content::PayloadRef::Alert(alert) => (Slide::Alert { alert, page: 0 }, None),
        content::PayloadRef::Command(_) => {
            return Err(Failure::BadInput(vec![
                "a command has nothing to show".into()
            ]))
        }
    };
    let canvas = chrome::canvas(
        &mut engine,
        slide,
        size,
        true,
        "Xem trước / Preview",
        now.naive_local(),
        footer.as_ref(),
        &image_size,
    );
    let mut list = canvas.list;
    if let Some((footer, band)) = &canvas.footer {
        list.ops.extend(
            chrome::strip(footer, *band, 0.0)
                .ops
                .into_iter()
                .map(|op| chrome::translate(op, band.x, band.y)),
        );
    }
    let images = loaded.decode(list.ops.iter().filter_map(|op| match op {
        crate::layout::Op::Image { sha256, .. } => Some(sha256.as_str()),
        _ => None,
    }))?;
    crate::cli::render_png(gpu, &list, &mut engine, &images, out)?;
    Ok(())
}

/// Signs `payload`, sends it and follows it to the boards for `wait` seconds; a runtime
/// failure (exit 1) when online boards did not acknowledge.
fn send_and_follow(
    signer: &SignerArgs,
    broker: &BrokerArgs,
    topic: &str,
    payload: Payload,
    seq: Option<u64>,
    want: Want,
    wait: u64,
) -> Result<(), Failure> {
    let (envelope, seq) = signer.sign(topic, payload, seq, true)?;
    let options = broker.options("publish")?;
    let complete = runtime()?.block_on(deliver(
        options,
        &broker.prefix,
        topic,
        envelope,
        seq,
        want,
        Duration::from_secs(wait),
        broker.lang(),
    ))?;
    if complete {
        Ok(())
    } else {
        Err(Failure::Runtime(anyhow::anyhow!(
            "{}",
            Msg::SentNotConfirmed.text(broker.lang())
        )))
    }
}

/// Publishes `envelope` (retained) and follows it: which boards of its area acknowledge it
/// (`want`), with progress as acks come, until all have or `wait` is over. Returns whether
/// every board known to be online did.
#[allow(clippy::too_many_arguments)]
async fn deliver(
    options: MqttOptions,
    prefix: &str,
    topic: &str,
    envelope: Vec<u8>,
    seq: u64,
    want: Want,
    wait: Duration,
    lang: Lang,
) -> Result<bool, Failure> {
    let target = Target::of_topic(prefix, topic).ok_or_else(|| {
        Failure::BadInput(vec![format!(
            "{topic} is not a content or alert topic under the prefix {prefix:?} (--prefix)"
        )])
    })?;
    let mut session = Session::connect(options, CONNECT_TIMEOUT)
        .await
        .map_err(net_failure)?;
    let mut statuses = BTreeMap::new();
    if !wait.is_zero() {
        statuses = net::statuses(&mut session, prefix, SETTLE, SETTLE_MAX)
            .await
            .map_err(net_failure)?;
        session
            .subscribe(&[board_topic(prefix, "+", "ack")])
            .await
            .map_err(net_failure)?;
    }
    session
        .publish(topic, envelope, true)
        .await
        .map_err(net_failure)?;
    say(
        lang,
        Msg::Sent {
            topic: topic.to_owned(),
            seq,
        },
    );
    if wait.is_zero() {
        session.close().await;
        return Ok(true);
    }
    let now = board_now(Utc::now());
    let mut delivery = Delivery::new(topic, seq, want, &target, &statuses, now);
    if delivery.expected.is_empty() && !delivery.offline.is_empty() {
        // A whole area without power or network: nobody can confirm it now.
        say(
            lang,
            Msg::NoneOnline {
                offline: delivery.offline.iter().cloned().collect(),
            },
        );
        session.close().await;
        return Ok(false);
    }
    if delivery.expected.is_empty() && delivery.offline.is_empty() {
        say(
            lang,
            Msg::NoBoardsInArea {
                area: target.describe().to_owned(),
            },
        );
        session.close().await;
        return Ok(true);
    }
    let progress = |d: &Delivery| match want {
        Want::Shown => d.progress(),
        Want::Received => Msg::ReceivedBy {
            received: d.done_boards().len(),
            total: d.expected.len() + d.offline.len(),
            offline: d.offline.iter().cloned().collect(),
        },
    };
    // A line each time the count changes (receipts alone do not change "showing").
    let mut last = progress(&delivery).text(lang);
    println!("{last}");
    let end = Instant::now() + wait.min(Duration::from_secs(24 * 3600));
    let mut next_note = Instant::now() + Duration::from_secs(5);
    while !delivery.complete() && Instant::now() < end {
        match session
            .next(next_note.min(end))
            .await
            .map_err(net_failure)?
        {
            Some((t, payload)) if delivery.take(prefix, &t, &payload) => {
                let now = progress(&delivery).text(lang);
                if now != last {
                    println!("{now}");
                    last = now;
                }
            }
            Some(_) => {}
            None if Instant::now() >= next_note => {
                next_note = Instant::now() + Duration::from_secs(5);
                let left = end.saturating_duration_since(Instant::now()).as_secs();
                say(lang, Msg::Waiting { seconds_left: left });
            }
            None => {}
        }
    }
    session.close().await;
    if delivery.complete() {
        say(
            lang,
            Msg::AllAcknowledged {
                total: delivery.expected.len(),
            },
        );
        Ok(true)
    } else {
        say(
            lang,
            Msg::NotAcknowledged {
                boards: delivery.missing(),
            },
        );
        Ok(false)
    }
}

// ----- alert ----------------------------------------------------------------------------

#[derive(Debug, clap::Args)]
pub struct AlertArgs {
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// The area it is for, e.g. vn/ha-noi/dong-anh (every board there and below).
    #[arg(
        long,
        value_name = "AREA",
        required_unless_present = "board",
        conflicts_with = "board"
    )]
    pub area: Option<String>,
    /// One board instead of an area.
    #[arg(long, value_name = "ID")]
    pub board: Option<String>,
    /// A CAP 1.2 XML file instead of the fields below.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["headline", "severity"])]
    pub cap: Option<PathBuf>,
    /// The headline, as it shows in large letters.
    #[arg(long, required_unless_present_any = ["cap", "cancel"])]
    pub headline: Option<String>,
    /// extreme or severe take the whole screen; moderate and minor are a banner.
    #[arg(long, value_parser = ["extreme", "severe", "moderate", "minor"], required_unless_present_any = ["cap", "cancel"])]
    pub severity: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// What people must do.
    #[arg(long)]
    pub instruction: Option<String>,
    /// Who sends it, e.g. "UBND huyện Đông Anh".
    #[arg(long)]
    pub sender: Option<String>,
    /// When it ends: a duration (90m, 6h, 2d) or a time (RFC 3339). Default: 6 hours.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    /// A picture (a map of the evacuation route), inlined.
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// A drill (diễn tập): shown with a clear DRILL marking.
    #[arg(long, conflicts_with = "test")]
    pub drill: bool,
    /// A technical test: never shown, only acknowledged.
    #[arg(long)]
    pub test: bool,
    /// The alert's id (default: made from the time).
    #[arg(long)]
    pub id: Option<String>,
    /// Replace the alert with this id.
    #[arg(long, value_name = "ID", conflicts_with = "cancel")]
    pub update: Option<String>,
    /// End the alert with this id.
    #[arg(long, value_name = "ID")]
    pub cancel: Option<String>,
    /// For scripts: the area (or board) typed in advance, confirming a live extreme or severe
    /// alert.
    #[arg(long, value_name = "AREA")]
    pub confirm: Option<String>,
    /// Seconds to wait for the boards to show it.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub wait: u64,
    /// Check it and render a preview PNG; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where --dry-run writes the preview.
    #[arg(long, value_name = "PNG", default_value = "alert-preview.png")]
    pub preview: PathBuf,
    /// The preview's size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
}

/// A duration such as `90m`, `6h`, `2d`, or an RFC 3339 time.
pub fn parse_when(s: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (90m, 6h, 2d) or an RFC 3339 time"))?;
    let minutes = match unit {
        "m" | "min" => Some(n),
        "h" => n.checked_mul(60),
        "d" => n.checked_mul(1440),
        _ => return Err(format!("{s:?}: use m, h or d (90m, 6h, 2d)")),
    }
    .unwrap_or(i64::MAX);
    if !(1..=60 * 24 * 30).contains(&minutes) {
        return Err(format!("{s:?} must be between 1 minute and 30 days"));
    }
    Ok(now + chrono::Duration::minutes(minutes))
}

/// The alert object `args` describe.
fn alert_object(args: &AlertArgs, now: DateTime<FixedOffset>) -> Result<Value, Failure> {
    let mut alert = match &args.cap {
        Some(path) => {
            let name = path.display().to_string();
            let xml = std::fs::read_to_string(path)
                .map_err(|e| Failure::BadInput(vec![format!("cannot read {name}: {e}")]))?;
            let a = content::alert_from_cap(&xml, &name).map_err(|p| bad(&name, p))?;
            serde_json::to_value(a).map_err(anyhow::Error::from)?
        }
        None => {
            let headline = args.headline.clone().unwrap_or_else(|| match &args.cancel {
                Some(id) => format!("Hủy cảnh báo {id}"),
                None => String::new(),
            });
            json!({
                "headline": headline,
                "severity": args.severity.clone().unwrap_or_else(|| "minor".into()),
            })
        }
    };
    let obj = alert
        .as_object_mut()
        .ok_or_else(|| anyhow::anyhow!("an alert is an object"))?;
    let status = if args.drill {
        "exercise"
    } else if args.test {
        "test"
    } else {
        obj.get("status")
            .and_then(Value::as_str)
            .unwrap_or("actual")
    }
    .to_owned();
    obj.insert("status".into(), status.into());
    let (msg_type, references) = match (&args.update, &args.cancel) {
        (Some(id), _) => ("update", vec![id.clone()]),
        (_, Some(id)) => ("cancel", vec![id.clone()]),
        _ if args.cap.is_some() => (
            obj.get("msg_type")
                .and_then(Value::as_str)
                .unwrap_or("alert"),
            obj.get("references")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => ("alert", Vec::new()),
    };
    let msg_type = msg_type.to_owned();
    obj.insert("msg_type".into(), msg_type.into());
    obj.insert("references".into(), json!(references));
    let id = match (&args.id, args.cap.is_some()) {
        (Some(id), _) => id.clone(),
        (None, true) => obj
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_default(),
        (None, false) => format!("canh-bao-{}", now.format("%Y%m%d-%H%M%S")),
    };
    obj.insert("id".into(), id.into());
    for (key, value) in [
        ("description", &args.description),
        ("instruction", &args.instruction),
        ("sender_name", &args.sender),
    ] {
        if let Some(v) = value {
            obj.insert(key.into(), v.clone().into());
        }
    }
    if let Some(when) = &args.expires {
        let t = parse_when(when, now).map_err(|e| Failure::BadInput(vec![e]))?;
        obj.insert("expires".into(), json!(t));
    }
    if let Some(path) = &args.image {
        let (image, warning) = crate::staff::source::inline_image_value(path)
            .map_err(|e| Failure::BadInput(vec![e]))?;
        if let Some(w) = warning {
            eprintln!("{}", warning_text(&w, Lang::from_env()));
        }
        obj.insert("image".into(), image);
    }
    Ok(alert)
}

/// Whether `typed` confirms `target`: the whole area, its last part, or the board id.
fn confirms(typed: &str, target: &str) -> bool {
    let typed = typed.trim().trim_matches('/');
    !typed.is_empty() && (typed == target || target.rsplit('/').next() == Some(typed))
}

/// `bangtin alert`.
pub fn alert(args: &AlertArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let now = board_now(Utc::now());
    let (target, topic) = match (&args.area, &args.board) {
        (Some(area), _) => (
            area.trim_matches('/').to_owned(),
            format!("{}/alert/{}", args.broker.prefix, area.trim_matches('/')),
        ),
        (None, Some(board)) => (
            board.clone(),
            format!("{}/alert/board/{board}", args.broker.prefix),
        ),
        (None, None) => return Err(Failure::BadInput(vec!["give --area or --board".into()])),
    };
    let mut alert = alert_object(args, now)?;
    for fix in repair_text(&mut alert) {
        eprintln!("{}", fix.text(lang));
    }
    let bytes = serde_json::to_vec(&alert).unwrap_or_default();
    let loaded = crate::cli::load_content_bytes("alert".into(), &bytes, None)?;
    let Document::Alert(parsed) = &loaded.document else {
        return Err(Failure::BadInput(vec!["this is not an alert".into()]));
    };
    let payload = Payload::Alert(parsed.clone());
    check_topic(&topic, &payload)?;
    let severity = crate::cli::serde_name(&parsed.severity);
    let drill = parsed.status == content::AlertStatus::Exercise;
    println!(
        "{} [{}{}] {} -> {target}",
        parsed.id,
        severity,
        if drill {
            format!(", {}", Msg::Drill.text(lang))
        } else {
            String::new()
        },
        parsed.headline
    );
    if args.dry_run {
        preview(&loaded, args.size, &args.preview)?;
        say(
            lang,
            Msg::DryRun {
                path: args.preview.display().to_string(),
            },
        );
        return Ok(());
    }
    let live = parsed.status == content::AlertStatus::Actual
        && parsed.severity.is_full_screen()
        && parsed.msg_type != content::MsgType::Cancel;
    if live {
        let typed = match &args.confirm {
            Some(c) => c.clone(),
            None if std::io::stdin().is_terminal() => {
                print!(
                    "{}",
                    Msg::ConfirmLiveAlert {
                        severity: severity.clone(),
                        area: target.clone(),
                    }
                    .text(lang)
                );
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                line
            }
            None => {
                return Err(Failure::BadInput(vec![Msg::ConfirmationNeeded {
                    severity: severity.clone(),
                    area: target.clone(),
                }
                .text(lang)]))
            }
        };
        if !confirms(&typed, &target) {
            return Err(Failure::BadInput(
                vec![Msg::ConfirmationMismatch.text(lang)],
            ));
        }
    }
    let want = if parsed.status == content::AlertStatus::Test {
        Want::Received
    } else {
        Want::Shown
    };
    let result = send_and_follow(
        &args.signer,
        &args.broker,
        &topic,
        payload,
        None,
        want,
        args.wait,
    );
    if parsed.msg_type != content::MsgType::Cancel {
        say(
            lang,
            Msg::AlertHint {
                id: parsed.id.clone(),
            },
        );
    }
    result
}

// ----- fleet ----------------------------------------------------------------------------

#[derive(Debug, clap::Args)]
pub struct FleetArgs {
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Only the boards in this area (and below it).
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Keep watching; the table is redrawn as statuses change (Ctrl+C to stop).
    #[arg(long)]
    pub watch: bool,
}

fn print_fleet(statuses: &BTreeMap<String, BoardStatus>, args: &FleetArgs, lang: Lang) {
    let list: Vec<BoardStatus> = statuses.values().cloned().collect();
    let rows = fleet::rows(&list, board_now(Utc::now()), args.area.as_deref());
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&fleet::to_json(&rows)).unwrap_or_default()
        );
        return;
    }
    if rows.is_empty() {
        match &args.area {
            Some(area) => say(lang, Msg::NoBoardsInArea { area: area.clone() }),
            None => say(lang, Msg::NoBoardsKnown),
        }
        return;
    }
    print!("{}", fleet::table(&rows, lang));
}

/// `bangtin fleet`.
pub fn fleet(args: &FleetArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let options = args.broker.options("fleet")?;
    runtime()?.block_on(async {
        let mut session = Session::connect(options, CONNECT_TIMEOUT)
            .await
            .map_err(net_failure)?;
        let mut statuses = net::statuses(&mut session, &args.broker.prefix, SETTLE, SETTLE_MAX)
            .await
            .map_err(net_failure)?;
        print_fleet(&statuses, args, lang);
        if !args.watch {
            session.close().await;
            return Ok(());
        }
        loop {
            let mut changed = false;
            let until = Instant::now() + Duration::from_secs(2);
            while let Some((topic, payload)) = session.next(until).await.map_err(net_failure)? {
                changed |= net::take_status(&args.broker.prefix, &topic, &payload, &mut statuses);
            }
            if changed || !args.json {
                if !args.json {
                    print!("\x1b[2J\x1b[H");
                }
                println!("{}", board_now(Utc::now()).format("%H:%M:%S"));
                print_fleet(&statuses, args, lang);
            }
        }
    })
}

// ----- screenshot and commands ------------------------------------------------------------

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    /// The board's id.
    pub board: String,
    /// Where to write the PNG.
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Seconds to wait for the board.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommandAction {
    /// Show the board's id and area on its screen (30 s unless --seconds).
    Identify,
    /// Read the board's config file again.
    Reload,
    /// Set the screen's brightness (--percent 5..=100, or "auto" for the schedule).
    SetBrightness,
}

#[derive(Debug, clap::Args)]
pub struct CommandArgs {
    /// The board's id.
    pub board: String,
    pub action: CommandAction,
    /// set-brightness: 5..=100, or auto (back to the configured schedule).
    #[arg(long)]
    pub percent: Option<String>,
    /// set-brightness: for how many minutes (default: until changed or restarted).
    #[arg(long)]
    pub minutes: Option<u64>,
    /// identify: for how many seconds.
    #[arg(long)]
    pub seconds: Option<u64>,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Seconds to wait for the board.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

/// Sends a signed command to `board` and waits for its reply.
fn send_command(
    signer: &SignerArgs,
    broker: &BrokerArgs,
    board: &str,
    action: content::Action,
    args: serde_json::Map<String, Value>,
    timeout: Duration,
) -> Result<Value, Failure> {
    let lang = broker.lang();
    let id = format!("cmd-{}", Utc::now().timestamp_millis());
    let topic = board_topic(&broker.prefix, board, "cmd");
    let command = content::Command {
        id: id.clone(),
        action,
        args,
    };
    let (envelope, _) = signer.sign(&topic, Payload::Command(command), None, true)?;
    let options = broker.options("command")?;
    let reply_topic = board_topic(&broker.prefix, board, "reply");
    runtime()?.block_on(async {
        let mut session = Session::connect(options, CONNECT_TIMEOUT)
            .await
            .map_err(net_failure)?;
        session
            .subscribe(std::slice::from_ref(&reply_topic))
            .await
            .map_err(net_failure)?;
        session
            .publish(&topic, envelope, false)
            .await
            .map_err(net_failure)?;
        let end = Instant::now() + timeout;
        while let Some((t, payload)) = session.next(end).await.map_err(net_failure)? {
            if t != reply_topic {
                continue;
            }
            let Ok(reply) = serde_json::from_slice::<Value>(&payload) else {
                continue;
            };
            if reply["id"] == id.as_str() {
                session.close().await;
                if reply["ok"] == true {
                    return Ok(reply);
                }
                return Err(Failure::Runtime(anyhow::anyhow!(
                    "{board}: {}",
                    reply["error"].as_str().unwrap_or("the command failed")
                )));
            }
        }
        session.close().await;
        Err(Failure::Runtime(anyhow::anyhow!(
            "{}",
            Msg::NoAnswer {
                board: board.to_owned(),
                seconds: timeout.as_secs(),
            }
            .text(lang)
        )))
    })
}

/// `bangtin screenshot BOARD --out FILE.png`.
pub fn screenshot(args: &ScreenshotArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let reply = send_command(
        &args.signer,
        &args.broker,
        &args.board,
        content::Action::Screenshot,
        serde_json::Map::new(),
        Duration::from_secs(args.timeout),
    )?;
    let png = reply["png_base64"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .ok_or_else(|| anyhow::anyhow!("{}: the reply carries no picture", args.board))?;
    let size = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .map(|i| (i.width(), i.height()))
        .map_err(|e| anyhow::anyhow!("{}: the picture is not a PNG: {e}", args.board))?;
    let tmp = args.out.with_extension("png.tmp");
    std::fs::write(&tmp, &png)
        .and_then(|()| std::fs::rename(&tmp, &args.out))
        .with_context(|| format!("writing {}", args.out.display()))?;
    say(
        lang,
        Msg::ScreenshotSaved {
            path: args.out.display().to_string(),
            width: size.0,
            height: size.1,
        },
    );
    Ok(())
}

/// `bangtin command BOARD ACTION`.
pub fn command(args: &CommandArgs) -> Result<(), Failure> {
    let mut map = serde_json::Map::new();
    let action = match args.action {
        CommandAction::Identify => {
            if let Some(s) = args.seconds {
                map.insert("seconds".into(), s.into());
            }
            content::Action::Identify
        }
        CommandAction::Reload => content::Action::Reload,
        CommandAction::SetBrightness => {
            let percent = match args.percent.as_deref() {
                Some("auto") => Value::Null,
                Some(p) => p.parse::<u64>().map(Value::from).map_err(|_| {
                    Failure::BadInput(vec![format!(
                        "--percent must be 5..=100 or auto, got {p:?}"
                    )])
                })?,
                None => {
                    return Err(Failure::BadInput(vec![
                        "set-brightness needs --percent (5..=100, or auto)".into(),
                    ]))
                }
            };
            map.insert("level".into(), percent);
            if let Some(m) = args.minutes {
                map.insert("minutes".into(), m.into());
            }
            // Checked here as the board checks it, so a typo is caught before sending.
            crate::content::parse::brightness_args(&map).map_err(|e| Failure::BadInput(vec![e]))?;
            if map["level"]
                .as_u64()
                .is_some_and(|l| l < u64::from(crate::app::MIN_BRIGHTNESS))
            {
                return Err(Failure::BadInput(vec![format!(
                    "--percent must be at least {} (a board never goes black), or auto",
                    crate::app::MIN_BRIGHTNESS
                )]));
            }
            content::Action::SetBrightness
        }
    };
    let reply = send_command(
        &args.signer,
        &args.broker,
        &args.board,
        action,
        map,
        Duration::from_secs(args.timeout),
    )?;
    println!("{}: ok {}", args.board, reply);
    Ok(())
}

// ----- proof of play ----------------------------------------------------------------------

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// The file the boards' played batches are appended to (JSON lines).
    #[arg(long, value_name = "FILE", default_value = "played.jsonl")]
    pub out: PathBuf,
    /// A fixed client id: the broker keeps the batches for it while the collector is down
    /// (a persistent session). One collector per id.
    #[arg(long, default_value = "bangtin-collect")]
    pub client_id: String,
    /// Stop after this many seconds (default: run until stopped).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
}

/// `bangtin collect`: appends every `played` batch (with the board's area, when its status
/// said) to a file, synced, until stopped. Repeats are kept; `report` drops them.
pub fn collect(args: &CollectArgs) -> Result<(), Failure> {
    let mut options = args.broker.options("collect")?;
    options.set_client_id(args.client_id.clone());
    options.set_clean_session(false);
    // A batch is acknowledged to the broker only once it is on disk: a collector killed in
    // between gets it again (boards have already counted it as delivered).
    options.set_manual_acks(true);
    let prefix = args.broker.prefix.clone();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.out)
        .with_context(|| format!("opening {}", args.out.display()))?;
    let end = args
        .duration
        .map(|s| Instant::now() + Duration::from_secs(s));
    runtime()?.block_on(async {
        let mut areas: BTreeMap<String, BoardStatus> = BTreeMap::new();
        loop {
            let mut session = match Session::connect(options.clone(), CONNECT_TIMEOUT).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{e}; trying again in 5 s");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            let topics = [
                board_topic(&prefix, "+", "played"),
                board_topic(&prefix, "+", "status"),
            ];
            if let Err(e) = session.subscribe(&topics).await {
                eprintln!("{e}; trying again in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            eprintln!("collecting proof of play into {}", args.out.display());
            loop {
                let deadline = end.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
                match session.next_publish(deadline).await {
                    Ok(Some(p)) => {
                        let (topic, payload) = (p.topic.clone(), p.payload.to_vec());
                        if !net::take_status(&prefix, &topic, &payload, &mut areas) {
                            if let Some(line) = played_line(&prefix, &topic, &payload, &areas) {
                                file.write_all(line.as_bytes())
                                    .and_then(|()| file.sync_data())
                                    .with_context(|| format!("writing {}", args.out.display()))?;
                            }
                        }
                        if let Err(e) = session.ack(&p).await {
                            log::warn!("could not acknowledge a message: {e}");
                        }
                    }
                    Ok(None) if end.is_some_and(|e| Instant::now() >= e) => {
                        session.close().await;
                        return Ok(());
                    }
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("{e}; reconnecting in 5 s");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        break;
                    }
                }
            }
        }
    })
}

/// The line `collect` keeps for a `played` message on `topic` (with the board's area, when its
/// status said), or `None` (logged) if it is not one.
fn played_line(
    prefix: &str,
    topic: &str,
    payload: &[u8],
    areas: &BTreeMap<String, BoardStatus>,
) -> Option<String> {
    let board = net::board_of(prefix, topic, "played")?;
    let Ok(mut batch) = serde_json::from_slice::<Value>(payload) else {
        log::warn!("a played batch on {topic} is not JSON; skipped");
        return None;
    };
    if batch["board"] != board {
        log::warn!("a played batch on {topic} names another board; skipped");
        return None;
    }
    if let Some(area) = areas.get(board).and_then(|s| s.area.clone()) {
        batch["area"] = area.into();
    }
    Some(format!("{batch}\n"))
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Start of the period: a date (2026-11-01, from 00:00 Vietnam time) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub from: String,
    /// End of the period: a date (the whole day included) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub to: String,
    /// Only boards in this area (as their status said when the batches were collected).
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// Files written by `bangtin collect`.
    #[arg(long, value_name = "FILE", default_value = "played.jsonl", num_args = 1..)]
    pub played: Vec<PathBuf>,
    /// Where to write the CSV (default: standard output).
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
    /// Language of the messages: vi or en.
    #[arg(long, value_parser = Lang::parse)]
    pub lang: Option<Lang>,
}

/// A report bound: a date (its start, or with `end` the start of the next day) or a time.
pub fn parse_bound(s: &str, end: bool) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t);
    }
    let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (2026-11-01) or an RFC 3339 time"))?;
    let date = if end {
        date.succ_opt().ok_or("date out of range")?
    } else {
        date
    };
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| {
            t.and_local_timezone(crate::calendar::VIETNAM)
                .single()
                .map(|t| t.fixed_offset())
        })
        .ok_or_else(|| format!("{s:?} is out of range"))
}

/// `bangtin report`.
pub fn report(args: &ReportArgs) -> Result<(), Failure> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let from = parse_bound(&args.from, false).map_err(|e| Failure::BadInput(vec![e]))?;
    let to = parse_bound(&args.to, true).map_err(|e| Failure::BadInput(vec![e]))?;
    if to <= from {
        return Err(Failure::BadInput(vec![format!(
            "--to ({to}) must be after --from ({from})"
        )]));
    }
    let mut records = Vec::new();
    let mut in_area: HashSet<String> = HashSet::new();
    for path in &args.played {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::BadInput(vec![format!("cannot read {}: {e}", path.display())]))?;
        let (mut found, problems) = crate::staff::report::parse_batches(&text);
        for p in problems {
            eprintln!("{}: {p}", path.display());
        }
        records.append(&mut found);
        if let Some(area) = &args.area {
            for line in text.lines() {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                if let (Some(board), Some(a)) = (v["board"].as_str(), v["area"].as_str()) {
                    if fleet::area_covers(area.trim_matches('/'), a) {
                        in_area.insert(board.to_owned());
                    }
                }
            }
        }
    }
    let lines =
        crate::staff::report::aggregate(&records, from, to, args.area.as_ref().map(|_| &in_area));
    let csv = crate::staff::report::csv(&lines);
    match &args.out {
        Some(out) => {
            std::fs::write(out, &csv).with_context(|| format!("writing {}", out.display()))?
        }
        None => {
            let _ = std::io::stdout().lock().write_all(csv.as_bytes());
        }
    }
    eprintln!("{}", Msg::ReportWritten { lines: lines.len() }.text(lang));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_takes_durations_and_times() {
        let now: DateTime<FixedOffset> = "2026-11-27T02:00:00+07:00".parse().unwrap();
        assert_eq!(
            parse_when("6h", now).unwrap(),
            "2026-11-27T08:00:00+07:00"
                .parse::<DateTime<FixedOffset>>()
                .unwrap()
        );
        assert_eq!(
            parse_when("90m", now).unwrap(),
            "2026-11-27T03:30:00+07:00"
                .parse::<DateTime<FixedOffset>>()
                .unwrap()
        );
        assert!(parse_when("2026-11-28T00:00:00+07:00", now).is_ok());
        assert!(parse_when("6x", now).is_err());
        assert!(parse_when("0h", now).is_err());
        assert!(parse_when("", now).is_err());
    }

    #[test]
    fn report_bounds_take_whole_days() {
        assert_eq!(
            parse_bound("2026-11-01", false).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+07:00"
        );
        assert_eq!(
            parse_bound("2026-11-30", true).unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+07:00"
        );
        assert!(parse_bound("30/11/2026", false).is_err());
    }

    #[test]
    fn confirmation_needs_the_area_or_its_last_part() {
        assert!(confirms("vn/ha-noi/dong-anh", "vn/ha-noi/dong-anh"));
        assert!(confirms(" dong-anh\n", "vn/ha-noi/dong-anh"));
        assert!(!confirms("ha-noi", "vn/ha-noi/dong-anh"));
        assert!(!confirms("", "vn/ha-noi/dong-anh"));
        assert!(!confirms("yes", "vn/ha-noi/dong-anh"));
        assert!(confirms("xn-01", "xn-01"));
    }

    #[test]
    fn legacy_text_fields_are_repaired_and_reported() {
        let mut doc = json!({"items": [
            {"id": "a", "type": "announcement", "title": "Th«ng b¸o", "body": "Hello"},
            {"id": "b", "type": "ticker", "text": "Tin vắn: họp lúc 8 giờ"}
        ]});
        let fixes = repair_text(&mut doc);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert_eq!(fixes[0].field, "a.title");
        assert_eq!(doc["items"][0]["title"], "Thông báo");
        assert_eq!(doc["items"][1]["text"], "Tin vắn: họp lúc 8 giờ");
        assert!(fixes[0].text(Lang::En).contains("Th«ng b¸o"));
    }
}

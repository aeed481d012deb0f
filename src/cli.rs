//! The `bangtin` command line: argument parsing and the subcommands built so far.
//!
//! Exit codes (docs/protocol.md): 0 success, 1 runtime failure, 2 bad input (content, config,
//! arguments). Every problem with an input is printed, not just the first.

use crate::calendar;
use crate::content::{self, Document, ImageRef, Item, ItemKind, PayloadRef, Problems, Timestamp};
use crate::layout::{self, Slide, TextEngine};
use crate::media::{self, DecodedImage};
use crate::render::{self, Gpu, Renderer};
use anyhow::Context as _;
use chrono::Utc;
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "bangtin",
    version,
    about = "Runtime of Vietnam's public electronic bulletin boards (bảng tin điện tử công cộng)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the board: listen to the broker, show the programme in a window (or headless).
    Run(RunArgs),
    /// A whole board with zero set-up: embedded broker, demo keys, sample content, a drill.
    Demo(DemoArgs),
    /// Render one item of a channel or an alert to a PNG, exactly as a board lays it out.
    Render(RenderArgs),
    /// Validate a content file or a board config and print every problem found.
    Check(CheckArgs),
    /// Make a signing key pair for staff: NAME.key (secret) and NAME.pub (for boards' config).
    Keygen(KeygenArgs),
    /// Publish an announcement or channel (Markdown, TOML or JSON) to boards, signed, and
    /// report which boards received it.
    Publish(PublishArgs),
    /// Send an emergency alert (or a drill, an update, a cancel) and follow it to the screens.
    Alert(Box<crate::staff::cmd::AlertArgs>),
    /// The boards: online or not, what they show, their alerts, clock and errors.
    Fleet(crate::staff::cmd::FleetArgs),
    /// Fetch a board's screen as a PNG.
    Screenshot(crate::staff::cmd::ScreenshotArgs),
    /// Send a command to a board: identify, reload, set-brightness.
    Command(crate::staff::cmd::CommandArgs),
    /// Collect the boards' proof of play into a file (runs until stopped).
    Collect(crate::staff::cmd::CollectArgs),
    /// Proof of play per item and board over a period, as CSV.
    Report(crate::staff::cmd::ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The board config (TOML), e.g. /etc/bangtin/board.toml.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// No window: render offscreen (a board with no display attached, tests).
    #[arg(long, requires = "frames")]
    pub headless: bool,
    /// With --headless: write every new frame to DIR/latest.png (atomically replaced).
    #[arg(long, value_name = "DIR", requires = "headless")]
    pub frames: Option<PathBuf>,
    /// Frames per second while something moves (the ticker, a fade); default 60 in a window,
    /// 10 headless.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: Option<u32>,
}

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
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// A channel or alert object, or a signed envelope carrying one (JSON).
    #[arg(long, value_name = "FILE")]
    pub content: PathBuf,
    /// Screen size in pixels, WIDTHxHEIGHT (16..=7680 each).
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Where to write the PNG.
    #[arg(long, value_name = "PNG")]
    pub out: PathBuf,
    /// Which item of a channel to render (default: the first).
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// The moment to render for (clock and date of the idle slide; validity is reported).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<Timestamp>,
    /// Which page of a long item to render, from 1.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// Folder of fetched assets, each file named by its sha256 (for images given by URL).
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,
    /// Board name for the idle slide shown when a channel has no items.
    #[arg(long, value_name = "NAME", default_value = "Bảng tin điện tử")]
    pub board_name: String,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct CheckArgs {
    /// A channel or alert object, or a signed envelope carrying one (JSON).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// A board config (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Writes OUT.key and OUT.pub; OUT's file name becomes the key id.
    #[arg(long, value_name = "NAME")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub signer: crate::staff::cmd::SignerArgs,
    /// Topic, e.g. bangtin/v1/content/vn/ha-noi/dong-anh (a Markdown or TOML file names its
    /// area or board itself).
    #[arg(long)]
    pub topic: Option<String>,
    /// The announcement (.md with front matter; several .md files for one area make one
    /// channel), a channel (.toml), or a channel or alert (.json).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub broker: crate::staff::cmd::BrokerArgs,
    /// Use this seq instead of the automatic always-increasing one.
    #[arg(long)]
    pub seq: Option<u64>,
    /// Check everything and render a preview PNG (FILE.preview.png, or --preview), print the
    /// signed envelope's size; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where --dry-run writes the preview.
    #[arg(long, value_name = "PNG", requires = "dry_run")]
    pub preview: Option<PathBuf>,
    /// The preview's size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    /// With --dry-run, print the signed envelope (JSON) to standard output too.
    #[arg(long, requires = "dry_run")]
    pub print: bool,
    /// Seconds to wait for the boards' acknowledgements (0: do not wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub wait: u64,
}

/// How a subcommand failed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: every problem, already in words for the user. Exit 2.
    BadInput(Vec<String>),
    /// Anything else (GPU, file system). Exit 1.
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Runtime(e)
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => run_cmd(args),
        Command::Demo(args) => crate::demo::run(crate::demo::Demo {
            size: args.size,
            headless: args.headless,
            duration: args.duration.map(std::time::Duration::from_secs),
            drill_after: std::time::Duration::from_secs(args.drill_after),
            drill_for: std::time::Duration::from_secs(args.drill_for),
            port: args.port,
            dir: args.dir.clone(),
        })
        .map_err(Failure::Runtime),
        Command::Render(args) => render_cmd(args),
        Command::Check(args) => match (&args.content, &args.config) {
            (Some(content), _) => check_cmd(content),
            (None, Some(config)) => check_config_cmd(config),
            (None, None) => Err(Failure::BadInput(vec!["give --content or --config".into()])),
        },
        Command::Keygen(args) => keygen_cmd(args),
        Command::Publish(args) => crate::staff::cmd::publish(args),
        Command::Alert(args) => crate::staff::cmd::alert(args),
        Command::Fleet(args) => crate::staff::cmd::fleet(args),
        Command::Screenshot(args) => crate::staff::cmd::screenshot(args),
        Command::Command(args) => crate::staff::cmd::command(args),
        Command::Collect(args) => crate::staff::cmd::collect(args),
        Command::Report(args) => crate::staff::cmd::report(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(problems)) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!(
                "{} problem{} found; nothing was rendered or sent.",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT such as 1920x1080, got {s:?}"))?;
    let parse = |v: &str| -> Result<u32, String> {
        match v.trim().parse::<u32>() {
            Ok(n) if (16..=7680).contains(&n) => Ok(n),
            _ => Err(format!("width and height must be 16..=7680, got {s:?}")),
        }
    };
    Ok((parse(w)?, parse(h)?))
}

pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|_| format!("expected an RFC 3339 time like 2026-11-24T08:00:00+07:00, got {s:?}"))
}

/// An image's JSON path, bytes and pixel size (its header checked, its pixels not decoded).
struct ImageBytes {
    path: String,
    bytes: Vec<u8>,
    size: (u32, u32),
}

/// A content file, parsed, with the headers of its images checked.
pub struct Loaded {
    name: String,
    pub document: Document,
    /// Each available image by sha256.
    images: HashMap<String, ImageBytes>,
    /// Images that are fine but not available here (URL images without `--assets`).
    pub missing: Vec<String>,
}

impl Loaded {
    /// The pixel size of an available image.
    pub fn image_size(&self, sha256: &str) -> Option<(u32, u32)> {
        self.images.get(sha256).map(|i| i.size)
    }

    /// Every available image, by sha256.
    pub fn image_ids(&self) -> impl Iterator<Item = &str> {
        self.images.keys().map(String::as_str)
    }

    /// Decodes the images named (those a slide shows; all of them for `check`), reporting
    /// every image that fails.
    pub fn decode<'a>(
        &self,
        wanted: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashMap<String, DecodedImage>, Failure> {
        let mut problems = Problems::default();
        let mut out = HashMap::new();
        for sha in wanted {
            let Some(image) = self.images.get(sha) else {
                continue;
            };
            match media::decode(&image.bytes) {
                Ok(img) => {
                    out.insert(sha.to_owned(), img);
                }
                Err(e) => problems.push(image.path.clone(), e.to_string()),
            }
        }
        problems.into_result(out).map_err(|p| bad(&self.name, p))
    }
}

/// Reads, parses and validates a content file and reads the header of every image it
/// carries (size limits, format). All problems come back together, each prefixed with the file
/// name. Pixels are decoded later, only for the images that are drawn.
pub fn load_content(path: &Path, assets: Option<&Path>) -> Result<Loaded, Failure> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::BadInput(vec![format!("cannot read {name}: {e}")]))?;
    load_content_bytes(name, &bytes, assets)
}

/// [`load_content`] of bytes already read; `name` names them in messages.
pub fn load_content_bytes(
    name: String,
    bytes: &[u8],
    assets: Option<&Path>,
) -> Result<Loaded, Failure> {
    let document = content::parse_document(bytes).map_err(|p| bad(&name, p))?;
    let mut problems = Problems::default();
    let mut images = HashMap::new();
    let mut missing = Vec::new();
    for (path, image) in document.images() {
        let bytes = match image {
            ImageRef::Inline { .. } => image.inline_bytes(),
            ImageRef::Url { url, sha256, .. } => match assets.map(|dir| read_asset(dir, sha256)) {
                Some(Ok(bytes)) => Some(bytes),
                Some(Err(reason)) => {
                    problems.push(path.clone(), reason);
                    None
                }
                None => {
                    missing.push(format!("{path}: {url} is not fetched here (see --assets)"));
                    None
                }
            },
        };
        let Some(bytes) = bytes else { continue };
        match media::dimensions(&bytes) {
            Ok(size) => {
                images.insert(image.sha256().to_owned(), ImageBytes { path, bytes, size });
            }
            Err(e) => problems.push(path, e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(bad(&name, problems));
    }
    Ok(Loaded {
        name,
        document,
        images,
        missing,
    })
}

fn read_asset(dir: &Path, sha256: &str) -> Result<Vec<u8>, String> {
    let file = dir.join(sha256);
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != sha256 {
        return Err(format!(
            "{} has sha256 {actual}, not the {sha256} the content names",
            file.display()
        ));
    }
    Ok(bytes)
}

pub fn bad(file: &str, problems: Problems) -> Failure {
    Failure::BadInput(problems.iter().map(|p| format!("{file}: {p}")).collect())
}

fn run_cmd(args: &RunArgs) -> Result<(), Failure> {
    let config = crate::config::load(&args.config).map_err(|e| Failure::BadInput(e.0))?;
    let board = crate::app::Options {
        fps: args.fps.unwrap_or(if args.headless { 10 } else { 60 }),
        ..Default::default()
    };
    let result = match &args.frames {
        Some(dir) => crate::output::headless::run(config, Some(&args.config), dir, board),
        None => crate::output::window::run(config, Some(&args.config), board),
    };
    result.map_err(Failure::Runtime)
}

fn check_config_cmd(path: &Path) -> Result<(), Failure> {
    let config = crate::config::load(path).map_err(|e| Failure::BadInput(e.0))?;
    println!(
        "{}: OK, board {:?} ({}) in {}, broker {}:{}, {} trusted key{}",
        path.display(),
        config.board.id,
        config.board.name,
        config.board.area.join("/"),
        config.broker.url.host,
        config.broker.url.port,
        config.trust.len(),
        if config.trust.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

fn keygen_cmd(args: &KeygenArgs) -> Result<(), Failure> {
    let name = args
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !content::is_valid_id(&name) {
        return Err(Failure::BadInput(vec![format!(
            "the key name {name:?} becomes the key id boards know it by: it {}",
            content::parse::ID_RULE
        )]));
    }
    let public = crate::publish::keygen(&args.out).map_err(|e| match e {
        crate::publish::Error::Exists(_) => Failure::BadInput(vec![e.to_string()]),
        other => Failure::Runtime(other.into()),
    })?;
    println!(
        "wrote {0}.key (secret: keep it safe) and {0}.pub",
        args.out.display()
    );
    println!("for boards' config:\n\n[[trust]]\nkey = \"{name}\"\npublic = \"{public}\"\nscopes = [\"vn/...\"]\nalerts = false");
    Ok(())
}

fn check_cmd(content_path: &Path) -> Result<(), Failure> {
    let loaded = if crate::staff::cmd::is_source(content_path) {
        // The officers' Markdown or TOML: checked as `publish` would send it.
        let source = crate::staff::source::load(content_path).map_err(Failure::BadInput)?;
        for w in &source.warnings {
            eprintln!("note: {w}");
        }
        let mut channel = source.channel;
        for fix in crate::staff::cmd::repair_text(&mut channel) {
            eprintln!("note: {}", fix.text(crate::staff::i18n::Lang::En));
        }
        let bytes = serde_json::to_vec(&channel).unwrap_or_default();
        load_content_bytes(content_path.display().to_string(), &bytes, None)?
    } else {
        load_content(content_path, None)?
    };
    loaded.decode(loaded.image_ids())?;
    let summary = match loaded.document.payload() {
        PayloadRef::Channel(c) => {
            let count = |t: &str| c.items.iter().filter(|i| i.kind.type_name() == t).count();
            format!(
                "a channel of {} item{} ({} announcement, {} image, {} ticker)",
                c.items.len(),
                if c.items.len() == 1 { "" } else { "s" },
                count("announcement"),
                count("image"),
                count("ticker")
            )
        }
        PayloadRef::Alert(a) => format!(
            "an alert {:?} ({}, {}, {})",
            a.id,
            serde_name(&a.msg_type),
            serde_name(&a.status),
            serde_name(&a.severity)
        ),
        PayloadRef::Command(c) => format!("a command {:?}", c.id),
    };
    let signed = if let Document::Envelope(env, body) = &loaded.document {
        format!(
            ", signed by key {:?} for {} (seq {}; signature not verified here)",
            env.key, body.topic, body.seq
        )
    } else {
        String::new()
    };
    println!("{}: OK, {summary}{signed}", content_path.display());
    for m in &loaded.missing {
        println!("note: {m}");
    }
    Ok(())
}

/// The wire name of an enum value ("extreme", "exercise").
pub fn serde_name(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn render_cmd(args: &RenderArgs) -> Result<(), Failure> {
    let t0 = std::time::Instant::now();
    // Opening the GPU (tens of milliseconds on a software driver) overlaps reading, checking
    // and laying out the content.
    let gpu = std::thread::spawn(open_renderer);
    let loaded = load_content(&args.content, args.assets.as_deref())?;
    log::debug!("content loaded in {:?}", t0.elapsed());
    let at = args
        .at
        .unwrap_or_else(|| Utc::now().with_timezone(&calendar::VIETNAM));
    let page = args.page - 1;
    let slide = match loaded.document.payload() {
        PayloadRef::Channel(c) => match &args.item {
            Some(id) => match c.items.iter().find(|i| &i.id == id) {
                Some(item) => Slide::Item { item, page },
                None => {
                    let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
                    return Err(Failure::BadInput(vec![format!(
                        "{}: no item {id:?}; the channel has: {}",
                        args.content.display(),
                        if ids.is_empty() {
                            "no items".into()
                        } else {
                            ids.join(", ")
                        }
                    )]));
                }
            },
            None => match c.items.first() {
                Some(item) => Slide::Item { item, page },
                None => Slide::Idle {
                    board_name: &args.board_name,
                    now: at.naive_local(),
                },
            },
        },
        PayloadRef::Alert(alert) => {
            if alert.status == content::AlertStatus::Test {
                eprintln!(
                    "note: a test alert is never shown on a board; rendered for preview only"
                );
            }
            Slide::Alert { alert, page }
        }
        PayloadRef::Command(_) => {
            return Err(Failure::BadInput(vec![format!(
                "{}: a command has nothing to render",
                args.content.display()
            )]))
        }
    };
    if let Slide::Item { item, .. } = slide {
        if let Some(reason) = not_valid_at(item, &at) {
            eprintln!("note: item {:?} {reason} at {}", item.id, at.to_rfc3339());
        }
    }
    for m in &loaded.missing {
        eprintln!("note: {m}; rendered without it");
    }
    let mut engine = TextEngine::new();
    let image_size = |sha: &str| loaded.image_size(sha);
    let list = layout::layout(&mut engine, slide, args.size.0, args.size.1, &image_size);
    if args.page > list.pages {
        return Err(Failure::BadInput(vec![format!(
            "--page {} asked, but at {}x{} this slide has {} page{}",
            args.page,
            args.size.0,
            args.size.1,
            list.pages,
            if list.pages == 1 { "" } else { "s" }
        )]));
    }
    log::debug!("laid out at {:?}", t0.elapsed());
    let images = loaded.decode(list.ops.iter().filter_map(|op| match op {
        layout::Op::Image { sha256, .. } => Some(sha256.as_str()),
        _ => None,
    }))?;
    render_png(gpu, &list, &mut engine, &images, &args.out)?;
    log::debug!("written at {:?}", t0.elapsed());
    println!(
        "wrote {} ({}x{}, page {} of {})",
        args.out.display(),
        list.width,
        list.height,
        list.page + 1,
        list.pages
    );
    Ok(())
}

/// Why an item would not be shown at `at` by its validity window, if it would not.
fn not_valid_at(item: &Item, at: &Timestamp) -> Option<&'static str> {
    if item.valid_from.is_some_and(|f| *at < f) {
        return Some("is not valid yet");
    }
    if item.valid_until.is_some_and(|u| *at >= u) {
        return Some("has expired");
    }
    if let ItemKind::Ticker { .. } = item.kind {
        return Some("is a ticker (shown in the footer of a board, rendered alone here)");
    }
    None
}

/// Renders `list` offscreen with the renderer `gpu` is opening, and writes it to `out`.
pub fn render_png(
    gpu: std::thread::JoinHandle<anyhow::Result<(Gpu, Renderer)>>,
    list: &layout::DisplayList,
    engine: &mut TextEngine,
    images: &HashMap<String, DecodedImage>,
    out: &Path,
) -> Result<(), Failure> {
    let (gpu, mut renderer) = gpu
        .join()
        .map_err(|_| anyhow::anyhow!("the GPU set-up thread panicked"))??;
    renderer
        .render_offscreen_with(
            &gpu,
            list,
            engine,
            &|sha| images.get(sha).cloned(),
            |frame| write_png_atomically(&frame.tight(), frame.width, frame.height, out),
        )
        .map_err(anyhow::Error::from)??;
    Ok(())
}

/// Opens the GPU the environment gives and a renderer for offscreen frames.
pub fn open_renderer() -> anyhow::Result<(Gpu, Renderer)> {
    let gpu = Gpu::new()?;
    let renderer = Renderer::new(&gpu, render::TARGET_FORMAT);
    Ok((gpu, renderer))
}

/// Writes a PNG next to its destination, then renames it into place, so a reader never sees a
/// half-written file.
pub fn write_png_atomically(
    rgba: &[u8],
    width: u32,
    height: u32,
    out: &Path,
) -> anyhow::Result<()> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder as _;
    use std::io::Write as _;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = out
        .file_name()
        .with_context(|| format!("{} is not a file path", out.display()))?;
    let tmp = dir.join(format!(".{}.tmp", file_name.to_string_lossy()));
    let write = || -> anyhow::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        // Fast compression: a slide is flat colour and text, which compresses well anyway, and
        // the board writes frames often.
        PngEncoder::new_with_quality(&mut file, CompressionType::Fast, FilterType::Adaptive)
            .write_image(rgba, width, height, image::ExtendedColorType::Rgba8)?;
        file.flush()?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("renaming into {}", out.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_are_bounded() {
        assert_eq!(parse_size("1920x1080"), Ok((1920, 1080)));
        assert_eq!(parse_size("128X64"), Ok((128, 64)));
        assert!(parse_size("0x10").is_err());
        assert!(parse_size("1920").is_err());
        assert!(parse_size("99999x10").is_err());
    }
}

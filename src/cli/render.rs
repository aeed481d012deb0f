//! `bangtin render`: one item or alert to a PNG, exactly as a board lays it out; and the
//! offscreen drawing the dry runs of `publish` and `alert` share.

use super::{parse_size, parse_time, write_file, Failure};
use bangtin_layout::{self as layout, DisplayList, Op, Slide, TextEngine};
use bangtin_media::DecodedImage;
use bangtin_protocol::content::{AlertStatus, Item, ItemKind, PayloadRef, Timestamp};
use bangtin_render::{Gpu, Renderer};
use bangtin_staff::document;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

type Opened = Result<(Gpu, Renderer), bangtin_render::GpuError>;

/// A GPU being opened on another thread while the caller reads and lays out its content
/// (tens of milliseconds on a software driver, overlapped).
///
/// Dropped unused (bad input found meanwhile), it still waits for that thread: a process that
/// exits while the driver is being loaded can abort in the driver's own start-up code (Mesa's
/// LLVM: "Option registered more than once") instead of exiting with the code that names the
/// problem.
pub struct Opening(Option<std::thread::JoinHandle<Opened>>);

impl Opening {
    pub fn start() -> Opening {
        Opening(Some(std::thread::spawn(bangtin_render::offscreen)))
    }

    fn wait(&mut self) -> Option<std::thread::Result<Opened>> {
        self.0.take().map(|t| t.join())
    }

    /// Draws `list` and writes it to `out` as a PNG.
    pub fn draw_png(
        mut self,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &HashMap<String, DecodedImage>,
        out: &Path,
    ) -> Result<(), Failure> {
        let t0 = std::time::Instant::now();
        let (gpu, mut renderer) = self
            .wait()
            .ok_or_else(|| anyhow::anyhow!("the GPU was already used"))?
            .map_err(|_| anyhow::anyhow!("the GPU set-up thread panicked"))?
            .map_err(|e| anyhow::anyhow!("{e}. {}", bangtin_render::NO_ADAPTER_HELP))?;
        log::debug!("waited {:?} for the GPU", t0.elapsed());
        let png = renderer
            .render_offscreen_with(
                &gpu,
                list,
                engine,
                &|sha| images.get(sha).cloned(),
                |frame| {
                    let t = std::time::Instant::now();
                    let png =
                        bangtin_media::encode_png(&frame.tight(), frame.width, frame.height, false);
                    log::debug!("PNG encoded in {:?}", t.elapsed());
                    png
                },
            )
            .map_err(anyhow::Error::from)?
            .map_err(anyhow::Error::from)?;
        let t = std::time::Instant::now();
        write_file(out, &png)?;
        log::debug!("file written in {:?}", t.elapsed());
        Ok(())
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        let _ = self.wait();
    }
}

pub fn run(args: &RenderArgs) -> Result<(), Failure> {
    let t0 = std::time::Instant::now();
    let gpu = Opening::start();
    let loaded = document::load(&args.content, args.assets.as_deref())?;
    log::debug!("content loaded in {:?}", t0.elapsed());
    let at = args.at.unwrap_or_else(bangtin_staff::board_now);
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
            if alert.status == AlertStatus::Test {
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
        Op::Image { sha256, .. } => Some(sha256.as_str()),
        _ => None,
    }))?;
    gpu.draw_png(&list, &mut engine, &images, &args.out)?;
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

/// A dry run's preview: what a board of `size` shows for `loaded`, written to `out`.
pub fn preview(loaded: &document::Loaded, size: (u32, u32), out: &Path) -> Result<(), Failure> {
    let gpu = Opening::start();
    let mut engine = TextEngine::new();
    let (list, wanted) = bangtin_staff::preview::display_list(
        loaded,
        size,
        0,
        bangtin_staff::board_now(),
        &mut engine,
    )?;
    let images = loaded.decode(wanted.iter().map(String::as_str))?;
    gpu.draw_png(&list, &mut engine, &images, out)
}

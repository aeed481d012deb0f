//! The exact preview: the board's own layout and renderer, on one thread of the console that
//! keeps the GPU, the fonts and the compiled pipelines open between previews (a render is then
//! tens of milliseconds instead of a cold start). Requests queue; the thread draws one at a time.

use bangtin_layout::TextEngine;
use bangtin_render::{Gpu, Renderer};
use bangtin_staff::document;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A rendered page: its PNG, and how many pages the item has at that size.
pub struct Picture {
    pub png: Vec<u8>,
    pub pages: u32,
}

struct Job {
    /// A channel or alert object (JSON) whose first item or alert is drawn.
    document: Vec<u8>,
    size: (u32, u32),
    page: u32,
    /// Lay out only: the page count, no picture.
    draw: bool,
    reply: oneshot::Sender<Result<Picture, String>>,
}

/// The handle the web side sends previews to.
#[derive(Clone)]
pub struct Previewer(mpsc::SyncSender<Job>);

/// Where the posters of uploaded clips are kept (see `web::video`).
type Posters = std::path::PathBuf;

/// Previews waiting at most; more are refused at once (the officer tries again).
const QUEUE: usize = 8;

impl Previewer {
    /// Starts the preview thread; the GPU is opened on the first preview. `posters`: where
    /// the first frames of uploaded clips are, drawn where the clips will play.
    pub fn start(posters: Posters) -> Previewer {
        let (tx, rx) = mpsc::sync_channel::<Job>(QUEUE);
        std::thread::Builder::new()
            .name("preview".into())
            .spawn(move || worker(rx, posters))
            .expect("a thread can be started at start-up");
        Previewer(tx)
    }

    /// Draws page `page` (from 0) of `document` at `size`.
    pub async fn render(
        &self,
        document: Vec<u8>,
        size: (u32, u32),
        page: u32,
    ) -> Result<Picture, String> {
        self.ask(document, size, page, true).await
    }

    /// How many pages `document` has at `size` (layout only, no GPU).
    pub async fn pages(&self, document: Vec<u8>, size: (u32, u32)) -> Result<u32, String> {
        Ok(self.ask(document, size, 0, false).await?.pages)
    }

    async fn ask(
        &self,
        document: Vec<u8>,
        size: (u32, u32),
        page: u32,
        draw: bool,
    ) -> Result<Picture, String> {
        let (reply, rx) = oneshot::channel();
        self.0
            .try_send(Job {
                document,
                size,
                page,
                draw,
                reply,
            })
            .map_err(|e| match e {
                mpsc::TrySendError::Full(_) => "too many previews at once; try again".to_owned(),
                mpsc::TrySendError::Disconnected(_) => "the preview thread has stopped".to_owned(),
            })?;
        rx.await
            .map_err(|_| "the preview thread has stopped".to_owned())?
    }
}

/// How long the GPU stays open after the last preview: a software driver holds tens of
/// megabytes of buffers and compiled code, given back when nobody is previewing.
const KEEP_GPU: std::time::Duration = std::time::Duration::from_secs(300);

fn worker(rx: mpsc::Receiver<Job>, posters: Posters) {
    let mut gpu: Option<(Gpu, Renderer)> = None;
    let mut engine = TextEngine::new();
    loop {
        let job = match rx.recv_timeout(KEEP_GPU) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if gpu.take().is_some() {
                    log::debug!("no preview for {KEEP_GPU:?}: the GPU is closed");
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // Whoever asked has gone (a page closed): no work for nobody.
        if job.reply.is_closed() {
            continue;
        }
        let t0 = std::time::Instant::now();
        if gpu.is_none() && job.draw {
            match bangtin_render::offscreen() {
                Ok(g) => gpu = Some(g),
                Err(e) => {
                    let _ = job
                        .reply
                        .send(Err(format!("{e}. {}", bangtin_render::NO_ADAPTER_HELP)));
                    continue;
                }
            }
        }
        let result = draw(gpu.as_mut(), &mut engine, &job, &posters);
        log::debug!(
            "preview {}x{} page {} in {:?}",
            job.size.0,
            job.size.1,
            job.page,
            t0.elapsed()
        );
        let _ = job.reply.send(result);
    }
}

fn draw(
    gpu: Option<&mut (Gpu, Renderer)>,
    engine: &mut TextEngine,
    job: &Job,
    posters: &std::path::Path,
) -> Result<Picture, String> {
    let mut loaded =
        document::load_bytes("preview".into(), &job.document, None).map_err(|e| e.to_string())?;
    for sha in loaded.videos() {
        let Some(path) = crate::web::video::poster_path(posters, &sha) else {
            continue;
        };
        if let Ok(png) = std::fs::read(&path) {
            if let Err(e) = loaded.add_poster_image(&sha, &path.display().to_string(), png) {
                log::warn!("the poster {} cannot be used: {e}", path.display());
            }
        }
    }
    let (list, wanted) = bangtin_staff::preview::display_list(
        &loaded,
        job.size,
        job.page,
        bangtin_staff::board_now(),
        engine,
    )
    .map_err(|e| e.to_string())?;
    let pages = list.pages.max(1);
    let Some((gpu, renderer)) = gpu.filter(|_| job.draw) else {
        return Ok(Picture {
            png: Vec::new(),
            pages,
        });
    };
    let images = loaded
        .decode(wanted.iter().map(String::as_str))
        .map_err(|e| e.to_string())?;
    let png = renderer
        .render_offscreen_with(
            gpu,
            &list,
            engine,
            &|sha| images.get(sha).cloned(),
            |frame| bangtin_media::encode_png(&frame.tight(), frame.width, frame.height, false),
        )
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(Picture { png, pages })
}

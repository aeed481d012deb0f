//! What the canvas shows, laid out on the CPU: the slide the programme names, with the header
//! and the footer around it, as a display list for the compositor; page counts for the
//! scheduler; the footer's text. No GPU here: the façade hands the lists to the compositor.

use super::images::Images;
use crate::schedule::{HeldAlert, ItemKey, Program, Show};
use crate::sync::ContentSet;
use bangtin_layout::chrome::{self, CanvasSpec, Chrome, Footer, FooterText};
use bangtin_layout::{self as layout, DisplayList, Rect, Slide, TextEngine};
use bangtin_protocol::content::{AlertStatus, Item, ItemKind};
use bangtin_store::Store;
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// What the canvas shows; a new one means a new canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct CanvasKey {
    pub show: Show,
    pub banner: Option<String>,
    pub footer: Option<FooterText>,
    /// The minute shown by the header or the idle slide.
    pub minute: Option<i64>,
    /// Bumped on every content or config change, so an updated item is drawn again.
    pub version: u64,
    /// The `identify` overlay is on.
    pub identify: bool,
}

/// The board's picture as far as the CPU knows it.
pub struct View {
    /// Where fetched images are read from.
    pub store: Arc<Store>,
    pub engine: TextEngine,
    pub images: Images,
    pages: HashMap<ItemKey, u32>,
    alert_pages: HashMap<String, u32>,
    /// See [`CanvasKey::version`].
    pub version: u64,
    /// The canvas drawn (or being drawn) now.
    pub key: Option<CanvasKey>,
    /// The footer as laid out, its band on the canvas, and since when it scrolls.
    pub footer: Option<(Footer, Rect)>,
    pub footer_since: Instant,
    /// A laid-out canvas waiting to be drawn by the compositor.
    pub pending: Option<DisplayList>,
    /// The footer's line changed: its tiles must be made again.
    pub ticker_changed: bool,
    /// The footer's line is kept as tiles in the compositor (else drawn frame by frame).
    pub ticker_tiled: bool,
    /// A slide has been drawn into the canvas at least once.
    pub drawn_once: bool,
    /// The last slide failed to render (the one before stays on screen).
    pub render_failed: bool,
}

/// The screen's size and chrome, from the config.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub size: (u32, u32),
    pub header: bool,
    pub ticker: bool,
    pub name: &'a str,
}

impl View {
    pub fn new(store: Arc<Store>, now: Instant) -> View {
        View {
            store,
            engine: TextEngine::new(),
            images: Images::default(),
            pages: HashMap::new(),
            alert_pages: HashMap::new(),
            version: 0,
            key: None,
            footer: None,
            footer_since: now,
            pending: None,
            ticker_changed: false,
            ticker_tiled: false,
            drawn_once: false,
            render_failed: false,
        }
    }

    /// The content or the config changed: everything is laid out again.
    pub fn changed(&mut self) {
        self.version += 1;
        self.pages.clear();
        self.alert_pages.clear();
    }

    /// The page count of an item in the body of the screen, remembered until a change.
    pub fn item_pages(&mut self, frame: Frame<'_>, topic: &str, item: &Item) -> u32 {
        let key = ItemKey::new(topic, &item.id);
        if let Some(n) = self.pages.get(&key) {
            return *n;
        }
        let (w, h) = frame.size;
        let body = chrome::bands(
            w,
            h,
            Chrome {
                header: frame.header,
                footer: true,
            },
        )
        .body;
        let store = &*self.store;
        let images = std::cell::RefCell::new(&mut self.images);
        let list = layout::layout(
            &mut self.engine,
            Slide::Item { item, page: 0 },
            body.w as u32,
            body.h as u32,
            &|sha| images.borrow_mut().size(store, sha),
        );
        self.pages.insert(key, list.pages);
        list.pages
    }

    /// The page count of a full-screen alert, remembered until a change.
    pub fn alert_pages(&mut self, frame: Frame<'_>, held: &HeldAlert) -> u32 {
        let id = &held.alert.id;
        if let Some(n) = self.alert_pages.get(id) {
            return *n;
        }
        let store = &*self.store;
        let images = std::cell::RefCell::new(&mut self.images);
        let list = layout::layout(
            &mut self.engine,
            Slide::Alert {
                alert: &held.alert,
                page: 0,
            },
            frame.size.0,
            frame.size.1,
            &|sha| images.borrow_mut().size(store, sha),
        );
        self.alert_pages.insert(id.clone(), list.pages);
        list.pages
    }

    /// The footer's line for `program`: the banner of an alert, or the tickers.
    pub fn footer_text(
        program: &Program,
        content: &ContentSet,
        banner: Option<&HeldAlert>,
        frame: Frame<'_>,
    ) -> Option<FooterText> {
        if matches!(program.show, Show::Alert { .. }) {
            return None;
        }
        if let Some(held) = banner {
            return Some(FooterText::Banner {
                text: held.alert.headline.clone(),
                severity: held.alert.severity,
                drill: held.alert.status == AlertStatus::Exercise,
            });
        }
        if !frame.ticker || program.tickers.is_empty() {
            return None;
        }
        let texts: Vec<String> = program
            .tickers
            .iter()
            .filter_map(|k| match &content.item(&k.topic, &k.id)?.kind {
                ItemKind::Ticker { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        (!texts.is_empty()).then_some(FooterText::Tickers(texts))
    }

    /// Lays out the whole canvas for `key`: header, the slide in the body, the footer's
    /// background; the footer keeps scrolling from where it was unless its text changed.
    pub fn compose(
        &mut self,
        frame: Frame<'_>,
        key: &CanvasKey,
        content: &ContentSet,
        alert: Option<&HeldAlert>,
        now: NaiveDateTime,
        instant: Instant,
    ) -> DisplayList {
        let item = match &key.show {
            Show::Item { key, .. } => content.item(&key.topic, &key.id),
            _ => None,
        };
        let slide = match (&key.show, item, alert) {
            (Show::Item { page, .. }, Some(item), _) => Slide::Item { item, page: *page },
            (Show::Alert { page, .. }, _, Some(held)) => Slide::Alert {
                alert: &held.alert,
                page: *page,
            },
            _ => Slide::Idle {
                board_name: frame.name,
                now,
            },
        };
        let footer_changed = self.key.as_ref().map(|k| &k.footer) != Some(&key.footer);
        let store = &*self.store;
        let images = std::cell::RefCell::new(&mut self.images);
        let canvas = chrome::canvas(
            &mut self.engine,
            &CanvasSpec {
                slide,
                size: frame.size,
                header: frame.header,
                board_name: frame.name,
                now,
                footer: key.footer.as_ref(),
            },
            &|sha| images.borrow_mut().size(store, sha),
        );
        match canvas.footer {
            Some(laid) => {
                if footer_changed || self.footer.is_none() {
                    self.footer_since = instant;
                }
                if footer_changed || self.footer.as_ref() != Some(&laid) {
                    self.ticker_changed = true;
                }
                self.footer = Some(laid);
            }
            None => {
                if self.footer.take().is_some() {
                    self.ticker_changed = true;
                }
            }
        }
        canvas.list
    }

    /// The idle slide alone: what is drawn when the very first slide could not be.
    pub fn fallback(&mut self, frame: Frame<'_>, now: NaiveDateTime) -> DisplayList {
        self.footer = None;
        self.ticker_changed = true;
        chrome::canvas(
            &mut self.engine,
            &CanvasSpec {
                slide: Slide::Idle {
                    board_name: frame.name,
                    now,
                },
                size: frame.size,
                header: false,
                board_name: frame.name,
                now,
                footer: None,
            },
            &|_| None,
        )
        .list
    }

    /// Where the footer's text starts now, from the band's left edge.
    pub fn footer_x(&self, speed: u32, now: Instant) -> Option<f32> {
        let (footer, band) = self.footer.as_ref()?;
        Some(chrome::scroll_x(
            band.w,
            footer.text_width,
            speed as f32,
            now.saturating_duration_since(self.footer_since)
                .as_secs_f64(),
        ))
    }
}

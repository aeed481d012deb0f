//! `[store]`, `[assets]` and `[video]`: what the board keeps on disk, how it fetches images
//! and videos, and which clips it plays.

use crate::check::{quote, Checker};
use crate::{Assets, Decoders, Store, Video, DEFAULT_STORE_DIR, GIB, KIB, MIB};
use std::path::PathBuf;
use toml::Table;

pub(crate) const STORE_KEYS: &[&str] = &["dir", "max_bytes"];
pub(crate) const ASSETS_KEYS: &[&str] = &["max_bytes", "concurrency", "timeout_s"];
pub(crate) const VIDEO_KEYS: &[&str] = &[
    "decoder",
    "max_bytes",
    "max_width",
    "max_height",
    "max_seconds",
];

impl Checker<'_> {
    pub(crate) fn store(&mut self, root: &Table) -> Option<Store> {
        let empty = Table::new();
        let s = self.optional_section(root, "store", STORE_KEYS, &empty)?;
        let dir = self.path(&s, "dir").ok();
        let max_bytes = self.int(
            &s,
            "max_bytes",
            (MIB, 64 * GIB),
            512 * MIB,
            " bytes (1 MiB..=64 GiB)",
        );
        Some(Store {
            dir: dir?.unwrap_or_else(|| PathBuf::from(DEFAULT_STORE_DIR)),
            max_bytes: u64::try_from(max_bytes?).ok()?,
        })
    }

    pub(crate) fn assets(&mut self, root: &Table) -> Option<Assets> {
        let empty = Table::new();
        let s = self.optional_section(root, "assets", ASSETS_KEYS, &empty)?;
        let max_bytes = self.int(
            &s,
            "max_bytes",
            (KIB, 64 * MIB),
            16 * MIB,
            " bytes (1 KiB..=64 MiB)",
        );
        let concurrency = self.int(&s, "concurrency", (1, 8), 2, " downloads at once");
        let timeout_s = self.int(&s, "timeout_s", (1, 600), 30, " seconds");
        Some(Assets {
            max_bytes: u64::try_from(max_bytes?).ok()?,
            concurrency: usize::try_from(concurrency?).ok()?,
            timeout_s: u64::try_from(timeout_s?).ok()?,
        })
    }

    pub(crate) fn video(&mut self, root: &Table) -> Option<Video> {
        let empty = Table::new();
        let s = self.optional_section(root, "video", VIDEO_KEYS, &empty)?;
        let decoder = match self.string(&s, "decoder") {
            Ok(None) | Ok(Some("auto")) => Some(Decoders::Auto),
            Ok(Some("software")) => Some(Decoders::Software),
            Ok(Some("hardware")) => Some(Decoders::Hardware),
            Ok(Some(other)) => {
                self.problem(
                    s.place,
                    "decoder",
                    format!(
                        "must be \"auto\", \"software\" or \"hardware\", got {}",
                        quote(other)
                    ),
                );
                None
            }
            Err(_) => None,
        };
        let max_bytes = self.int(
            &s,
            "max_bytes",
            (MIB, 512 * MIB),
            256 * MIB,
            " bytes (1 MiB..=512 MiB)",
        );
        let max_width = self.int(&s, "max_width", (16, 3840), 1920, " pixels");
        let max_height = self.int(&s, "max_height", (16, 3840), 1080, " pixels");
        let max_seconds = self.int(&s, "max_seconds", (3, 600), 600, " seconds");
        Some(Video {
            decoder: decoder?,
            max_bytes: u64::try_from(max_bytes?).ok()?,
            max_width: u32::try_from(max_width?).ok()?,
            max_height: u32::try_from(max_height?).ok()?,
            max_seconds: u32::try_from(max_seconds?).ok()?,
        })
    }
}

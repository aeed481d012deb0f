//! `[store]` and `[assets]`: what the board keeps on disk and how it fetches images.

use crate::check::Checker;
use crate::{Assets, Store, DEFAULT_STORE_DIR, GIB, KIB, MIB};
use std::path::PathBuf;
use toml::Table;

pub(crate) const STORE_KEYS: &[&str] = &["dir", "max_bytes"];
pub(crate) const ASSETS_KEYS: &[&str] = &["max_bytes", "concurrency", "timeout_s"];

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
}

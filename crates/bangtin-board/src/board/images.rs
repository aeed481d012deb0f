//! The images the board draws: inline ones kept as bytes from the content, fetched ones read
//! from the store (hashed again there), sizes remembered per image, and the decoded pixels of
//! the few drawn most recently. GPU-free.

use bangtin_media::{self as media, DecodedImage};
use bangtin_protocol::content::ImageRef;
use bangtin_store::Store;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Decoded images kept, most recently used first out last (a slide shows one or two; an
/// alert and the slide under it a few more).
const DECODED_KEPT: usize = 8;

/// Sizes and pixels by sha256.
#[derive(Default)]
pub struct Images {
    inline: HashMap<String, Arc<Vec<u8>>>,
    sizes: HashMap<String, Option<(u32, u32)>>,
    decoded: HashMap<String, Option<DecodedImage>>,
    /// Least recently used first.
    order: VecDeque<String>,
    /// Fetched assets known to be in the store.
    present: HashSet<String>,
}

impl Images {
    /// Forgets what the content no longer names; learns its inline images.
    pub fn refresh<'a>(&mut self, refs: impl IntoIterator<Item = &'a ImageRef>) {
        let mut inline = HashMap::new();
        let mut named = HashSet::new();
        for r in refs {
            named.insert(r.sha256().to_owned());
            if let ImageRef::Inline { sha256, .. } = r {
                let bytes = self
                    .inline
                    .remove(sha256)
                    .or_else(|| r.inline_bytes().map(Arc::new));
                if let Some(b) = bytes {
                    inline.insert(sha256.clone(), b);
                }
            }
        }
        self.inline = inline;
        self.sizes.retain(|k, _| named.contains(k));
        self.decoded.retain(|k, _| named.contains(k));
        self.order.retain(|k| named.contains(k));
        self.present.retain(|k| named.contains(k));
    }

    /// A fetched asset arrived: what was known of it is out of date.
    pub fn arrived(&mut self, sha256: &str) {
        self.sizes.remove(sha256);
        self.decoded.remove(sha256);
        self.present.insert(sha256.to_owned());
    }

    /// Whether a fetched asset is in the store (asked of the file system until it is).
    pub fn has(&mut self, store: &Store, sha256: &str) -> bool {
        if self.present.contains(sha256) {
            return true;
        }
        let here = store.has_asset(sha256);
        if here {
            self.present.insert(sha256.to_owned());
        }
        here
    }

    fn bytes(&self, store: &Store, sha256: &str) -> Option<Arc<Vec<u8>>> {
        if let Some(b) = self.inline.get(sha256) {
            return Some(b.clone());
        }
        store.asset(sha256).map(Arc::new)
    }

    /// An image's size, from its header; `None` (logged once) if it cannot be read.
    pub fn size(&mut self, store: &Store, sha256: &str) -> Option<(u32, u32)> {
        if let Some(s) = self.sizes.get(sha256) {
            return *s;
        }
        let size = self
            .bytes(store, sha256)
            .and_then(|b| match media::dimensions(&b) {
                Ok(s) => Some(s),
                Err(e) => {
                    log::warn!("image {sha256} {e}; items showing it are left out");
                    None
                }
            });
        self.sizes.insert(sha256.to_owned(), size);
        size
    }

    /// An image's pixels; `None` (logged once) if it cannot be decoded.
    pub fn decode(&mut self, store: &Store, sha256: &str) -> Option<DecodedImage> {
        self.order.retain(|k| k != sha256);
        self.order.push_back(sha256.to_owned());
        if let Some(d) = self.decoded.get(sha256) {
            return d.clone();
        }
        let decoded = self
            .bytes(store, sha256)
            .and_then(|b| match media::decode(&b) {
                Ok(d) => Some(d),
                Err(e) => {
                    log::warn!("image {sha256} {e}; it is left out");
                    None
                }
            });
        self.decoded.insert(sha256.to_owned(), decoded.clone());
        while self.order.len() > DECODED_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.decoded.remove(&old);
            }
        }
        decoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(shade: u8) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(3, 2, image::Rgba([shade, 0, 0, 255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn the_least_recently_drawn_image_goes_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 30).unwrap();
        let mut images = Images::default();
        let shas: Vec<String> = (0..DECODED_KEPT as u8 + 2)
            .map(|i| {
                let bytes = png(i);
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                store.put_asset(&sha, &bytes).unwrap();
                sha
            })
            .collect();
        for sha in &shas {
            assert!(images.has(&store, sha));
            assert_eq!(images.size(&store, sha), Some((3, 2)));
            assert!(images.decode(&store, sha).is_some());
            // The first one is drawn again every time: it stays.
            images.decode(&store, &shas[0]);
        }
        assert_eq!(images.decoded.len(), DECODED_KEPT);
        assert!(images.decoded.contains_key(&shas[0]));
        assert!(!images.decoded.contains_key(&shas[1]));
    }
}

//! A content file and its pictures, checked the way a board will check it: the document
//! parsed and validated (every problem with its JSON path), the header of every image read
//! (size limits, format), pixels decoded only for what is drawn.

use crate::Error;
use bangtin_media::{self as media, DecodedImage};
use bangtin_protocol::content::{self, Document, ImageRef, Problems};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

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
    /// Images that are fine but not available here (URL images without an assets folder).
    pub missing: Vec<String>,
}

impl Loaded {
    /// The name the file goes by in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pixel size of an available image.
    pub fn image_size(&self, sha256: &str) -> Option<(u32, u32)> {
        self.images.get(sha256).map(|i| i.size)
    }

    /// Every available image, by sha256.
    pub fn image_ids(&self) -> impl Iterator<Item = &str> {
        self.images.keys().map(String::as_str)
    }

    /// Adds the first frame of the clip at `path` (the video `sha256`) as its poster, which
    /// previews draw where the clip will play.
    pub fn add_poster(&mut self, sha256: &str, path: &Path) -> Result<(), String> {
        let (width, height, rgba) =
            bangtin_video::poster(path, std::time::Duration::from_secs(10))?;
        let bytes = media::encode_png(&rgba, width, height, true).map_err(|e| e.to_string())?;
        self.add_poster_image(sha256, &path.display().to_string(), bytes)
    }

    /// Adds a poster kept as an image file (`bytes`, from `path`) for the video `sha256`.
    pub fn add_poster_image(
        &mut self,
        sha256: &str,
        path: &str,
        bytes: Vec<u8>,
    ) -> Result<(), String> {
        let size = media::dimensions(&bytes).map_err(|e| e.to_string())?;
        self.images.insert(
            bangtin_layout::poster_key(sha256),
            ImageBytes {
                path: path.to_owned(),
                bytes,
                size,
            },
        );
        Ok(())
    }

    /// The sha256 of every clip the document's channel names.
    pub fn videos(&self) -> Vec<String> {
        match &self.document {
            Document::Channel(c) => c
                .items
                .iter()
                .filter_map(|i| match &i.kind {
                    content::ItemKind::Video { video, .. } => Some(video.sha256.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Decodes the images named (those a slide shows; all of them for `check`), reporting
    /// every image that fails.
    pub fn decode<'a>(
        &self,
        wanted: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashMap<String, DecodedImage>, Error> {
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
        problems
            .into_result(out)
            .map_err(|p| Error::in_file(&self.name, p.iter()))
    }
}

/// Reads, parses and validates a content file and reads the header of every image it
/// carries (size limits, format); images given by URL are read from `assets` (files named by
/// their sha256) when given. All problems come back together, each prefixed with the file name.
pub fn load(path: &Path, assets: Option<&Path>) -> Result<Loaded, Error> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| Error::Input(vec![format!("cannot read {name}: {e}")]))?;
    load_bytes(name, &bytes, assets)
}

/// [`load`] of bytes already read; `name` names them in messages.
pub fn load_bytes(name: String, bytes: &[u8], assets: Option<&Path>) -> Result<Loaded, Error> {
    let document = content::parse_document(bytes).map_err(|p| Error::in_file(&name, p.iter()))?;
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
        return Err(Error::in_file(&name, problems.iter()));
    }
    let mut loaded = Loaded {
        name,
        document,
        images,
        missing,
    };
    // Clips in the assets folder give their posters.
    if let Some(dir) = assets {
        for sha in loaded.videos() {
            let path = dir.join(&sha);
            if path.is_file() {
                if let Err(e) = loaded.add_poster(&sha, &path) {
                    log::warn!("no poster for the clip {}: {e}", path.display());
                }
            }
        }
    }
    Ok(loaded)
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

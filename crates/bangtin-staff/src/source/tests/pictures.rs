//! Pictures in officers' files: inlined when they fit, re-encoded when not, refused when they
//! would be a bomb.

use super::*;

#[test]
fn small_jpeg_is_inlined_unchanged() {
    let dir = temp_dir("small");
    let jpeg = small_jpeg(64, 48);
    std::fs::write(dir.join("anh/nho.jpg"), &jpeg).expect("write");
    let src = parse(
        "+++\narea = \"vn\"\nid = \"x\"\nimage = \"anh/nho.jpg\"\n+++\n# T\n",
        "t.md",
        &dir,
        true,
    )
    .expect("valid");
    let image = &items(&src)[0]["image"];
    assert_eq!(b64_decode(&image["inline"]), jpeg);
    assert_eq!(image["sha256"], sha_hex(&jpeg));
    assert_eq!(image.as_object().map(Map::len), Some(2));
    assert_eq!(src.warnings, vec![]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn large_png_is_recompressed_to_fit_with_a_warning() {
    let dir = temp_dir("large");
    // Noise does not compress: the worst case for the size ladder.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let img = image::RgbImage::from_fn(3000, 2000, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let b = state.to_le_bytes();
        image::Rgb([b[0], b[1], b[2]])
    });
    let path = dir.join("anh/lon.png");
    img.save_with_format(&path, ImageFormat::Png)
        .expect("save png");
    let file_len = std::fs::metadata(&path).expect("meta").len();
    assert!(file_len > limits::INLINE_IMAGE_BYTES as u64);
    let src = parse(
        "board = \"b-1\"\n[[item]]\ntype = \"image\"\nid = \"anh\"\nimage = \"anh/lon.png\"\n",
        "k.toml",
        &dir,
        false,
    )
    .expect("valid");
    let image = &items(&src)[0]["image"];
    let bytes = b64_decode(&image["inline"]);
    assert!(
        bytes.len() <= limits::INLINE_IMAGE_BYTES,
        "{} bytes",
        bytes.len()
    );
    assert_eq!(image["sha256"], sha_hex(&bytes));
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::Jpeg));
    let decoded = image::load_from_memory(&bytes).expect("decodes");
    let [Warning::ImageRecompressed {
        path: wpath,
        from_bytes,
        to_bytes,
        width,
        height,
    }] = &src.warnings[..]
    else {
        panic!("warnings: {:?}", src.warnings);
    };
    assert_eq!(wpath, &path);
    assert_eq!(*from_bytes, file_len);
    assert_eq!(*to_bytes, bytes.len() as u64);
    assert_eq!((decoded.width(), decoded.height()), (*width, *height));
    assert!(
        *width <= MAX_LONG_SIDE && *width == *height * 3 / 2,
        "{width}x{height}"
    );
    let shown = src.warnings[0].to_string();
    assert!(
        shown.starts_with("picture ") && shown.contains(" MB -> ") && shown.contains(" KB, "),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn gif_and_transparent_png_are_reencoded_on_white() {
    let dir = temp_dir("gif");
    let img = image::RgbaImage::from_pixel(40, 30, image::Rgba([255, 0, 0, 0]));
    img.save_with_format(dir.join("anh/trong.gif"), ImageFormat::Gif)
        .expect("gif");
    let src = parse(
        "+++\nboard = \"b\"\nid = \"x\"\nimage = \"anh/trong.gif\"\n+++\nx",
        "t.md",
        &dir,
        true,
    )
    .expect("valid");
    let bytes = b64_decode(&items(&src)[0]["image"]["inline"]);
    let decoded = image::load_from_memory(&bytes).expect("jpeg").to_rgb8();
    assert_eq!(decoded.dimensions(), (40, 30));
    assert!(
        decoded.get_pixel(20, 15).0.iter().all(|c| *c > 240),
        "transparent became white"
    );
    assert!(matches!(
        src.warnings[..],
        [Warning::ImageRecompressed {
            width: 40,
            height: 30,
            ..
        }]
    ));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn url_reference_hashes_the_local_copy() {
    let dir = temp_dir("url");
    let png = small_png(20, 10);
    std::fs::write(dir.join("anh/ban-do.png"), &png).expect("write");
    let text = "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"x\"\n\
                image = { file = \"anh/ban-do.png\", url = \"https://cdn.example.vn/ban-do.png\" }\n";
    let src = parse(text, "k.toml", &dir, false).expect("valid");
    assert_eq!(
        items(&src)[0]["image"],
        json!({"url": "https://cdn.example.vn/ban-do.png", "sha256": sha_hex(&png), "bytes": png.len()})
    );
    let bad = "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"x\"\n\
               image = { file = \"anh/ban-do.png\", url = \"ftp://x\", sha256 = \"00\" }\n\
               [[item]]\ntype = \"image\"\nid = \"y\"\n\
               image = { url = \"https://x.vn/a.jpg\", sha256 = \"xyz\", bytes = 0 }\n";
    let errs = errors_of(parse(bad, "k.toml", &dir, false));
    assert_eq!(
        errs,
        vec![
            "k.toml: item 1, \"image.sha256\": unknown key (\"sha256\" is computed from the file; leave it out)",
            "k.toml: item 1, \"image.url\": expected a web address starting with https:// or http://, found \"ftp://x\"",
            "k.toml: item 2, \"image.sha256\": expected 64 hexadecimal digits, found \"xyz\"",
            "k.toml: item 2, \"image.bytes\": expected the size of the picture in bytes, 1 to 16777216, found 0",
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A PNG of only a header that claims 100000x100000 pixels.
fn png_bomb() -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn image_bomb_is_refused_before_decoding() {
    let dir = temp_dir("bomb");
    std::fs::write(dir.join("anh/bom.png"), png_bomb()).expect("write");
    for image in [
        "\"anh/bom.png\"",
        "{ file = \"anh/bom.png\", url = \"https://x.vn/b.png\" }",
    ] {
        let errs = errors_of(parse(
            &format!("+++\narea = \"vn\"\nid = \"x\"\nimage = {image}\n+++\nx"),
            "t.md",
            &dir,
            true,
        ));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("anh/bom.png\" is too large"), "{errs:?}");
        assert!(errs[0].contains("40 megapixels"), "{errs:?}");
    }
    // A picture within 40000 px a side but over 40 megapixels is refused by its size.
    let mut png = png_bomb();
    png[16..24].copy_from_slice(&[0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10]); // 10000x10000
    let crc = {
        let mut c = 0xffff_ffff_u32;
        for b in &png[12..29] {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xedb8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    std::fs::write(dir.join("anh/lon.png"), png).expect("write");
    let errs = errors_of(parse(
        "+++\narea = \"vn\"\nid = \"x\"\nimage = \"anh/lon.png\"\n+++\nx",
        "t.md",
        &dir,
        true,
    ));
    assert!(
        errs[0].contains("is too large: 10000x10000 pixels (100 megapixels)"),
        "{errs:?}"
    );
    // Not a picture, and a damaged one.
    std::fs::write(dir.join("anh/chu.jpg"), "không phải ảnh").expect("write");
    std::fs::write(dir.join("anh/hong.jpg"), &small_jpeg(32, 32)[..200]).expect("write");
    let errs = errors_of(parse(
        "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"a\"\nimage = \"anh/chu.jpg\"\n\
         [[item]]\ntype = \"image\"\nid = \"b\"\nimage = \"anh/hong.jpg\"\n",
        "k.toml",
        &dir,
        false,
    ));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].contains("is not a picture"), "{errs:?}");
    assert!(errs[1].contains("is damaged"), "{errs:?}");
    let _ = std::fs::remove_dir_all(dir);
}

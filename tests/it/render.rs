//! Pixel tests on the software GPU (Mesa lavapipe or llvmpipe): a few small golden frames with
//! a tolerance, plus checks of what must be on screen that hold whatever the golden says.
//!
//! Without an adapter these tests FAIL and say which packages to install; they never skip.

use bangtin_layout::{DisplayList, Op, Slide, TextEngine};
use bangtin_media::{self as media, DecodedImage};
use bangtin_render::{Gpu, Renderer, TARGET_FORMAT};
use bangtin_testkit::fixtures::*;
use bangtin_testkit::golden::*;
use std::collections::HashMap;
use std::sync::OnceLock;

fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => panic!("pixel tests need a GPU adapter: {e}"),
    })
}

fn draw(
    list: &DisplayList,
    engine: &mut TextEngine,
    images: &HashMap<String, DecodedImage>,
) -> image::RgbaImage {
    let mut renderer = Renderer::new(gpu(), TARGET_FORMAT);
    renderer
        .render_offscreen(gpu(), list, engine, &|sha| images.get(sha).cloned())
        .expect("the frame renders")
}

/// A 4:3 test picture: a sky-blue top half and a green bottom half.
fn picture() -> (String, DecodedImage) {
    let img = image::RgbaImage::from_fn(80, 60, |_, y| {
        if y < 30 {
            image::Rgba([90, 160, 230, 255])
        } else {
            image::Rgba([40, 140, 60, 255])
        }
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&png))
    };
    (sha, media::decode(&png).unwrap())
}

fn layout_with(
    engine: &mut TextEngine,
    slide: Slide<'_>,
    w: u32,
    h: u32,
    images: &HashMap<String, DecodedImage>,
) -> DisplayList {
    bangtin_layout::layout(engine, slide, w, h, &|sha| {
        images.get(sha).map(|i| (i.width, i.height))
    })
}

fn px(img: &image::RgbaImage, x: u32, y: u32) -> [u8; 4] {
    img.get_pixel(x, y).0
}

fn close(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    a.iter().zip(b.iter()).all(|(a, b)| a.abs_diff(*b) <= tol)
}

/// Pixels in `rect` that differ clearly from `background`: the ink of text drawn there.
fn ink(img: &image::RgbaImage, x0: u32, y0: u32, x1: u32, y1: u32, background: [u8; 4]) -> usize {
    let mut n = 0;
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            if !close(px(img, x, y), background, 40) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn announcement_with_image_and_qr_matches_golden() {
    let (sha, pic) = picture();
    let images = HashMap::from([(sha.clone(), pic)]);
    let it = item(&format!(
        r#"{{"id": "a", "type": "announcement", "title": "Lịch tiêm chủng tháng 12",
            "body": "Trẻ dưới 5 tuổi tiêm tại Trạm Y tế xã, sáng thứ Bảy.",
            "image": {}, "qr": "https://xuannon.example.vn/phan-anh"}}"#,
        url_image(&sha)
    ));
    let mut engine = TextEngine::new();
    let list = layout_with(
        &mut engine,
        Slide::Item { item: &it, page: 0 },
        320,
        180,
        &images,
    );
    let frame = draw(&list, &mut engine, &images);
    assert_golden("announcement_320x180", &frame, 24, 0.01);

    // Whatever the golden says: the title band is red, the paper off-white, the image drawn
    // where layout put it (sky on top, field below), and the title has ink.
    assert!(
        close(px(&frame, 1, 1), [0xB7, 0x1C, 0x1C, 255], 2),
        "title band {:?}",
        px(&frame, 1, 1)
    );
    assert!(
        close(px(&frame, 2, 178), [0xFF, 0xFD, 0xF7, 255], 2),
        "paper {:?}",
        px(&frame, 2, 178)
    );
    let rect = list.ops.iter().find_map(|op| match op {
        Op::Image { rect, .. } => Some(*rect),
        _ => None,
    });
    let r = rect.expect("the image is laid out");
    let (cx, top, bottom) = (
        (r.x + r.w / 2.0) as u32,
        (r.y + r.h * 0.2) as u32,
        (r.y + r.h * 0.8) as u32,
    );
    assert!(
        close(px(&frame, cx, top), [90, 160, 230, 255], 6),
        "sky {:?}",
        px(&frame, cx, top)
    );
    assert!(
        close(px(&frame, cx, bottom), [40, 140, 60, 255], 6),
        "field {:?}",
        px(&frame, cx, bottom)
    );
    let title = list.texts().next().unwrap();
    assert!(
        ink(
            &frame,
            title.rect.x as u32,
            title.rect.y as u32,
            320,
            title.rect.bottom() as u32,
            [0xB7, 0x1C, 0x1C, 255]
        ) > 100
    );
}

#[test]
fn extreme_alert_fills_the_screen_in_its_colour() {
    let a = alert(
        r#"{"id": "b", "status": "actual", "severity": "extreme",
        "headline": "BÃO SỐ 3: SƠ TÁN NGAY", "instruction": "Đến Trường THCS Xuân Nộn."}"#,
    );
    let mut engine = TextEngine::new();
    let images = HashMap::new();
    let list = layout_with(
        &mut engine,
        Slide::Alert { alert: &a, page: 0 },
        320,
        180,
        &images,
    );
    let frame = draw(&list, &mut engine, &images);
    assert_golden("alert_extreme_320x180", &frame, 24, 0.01);
    let red = [0xB0, 0x00, 0x20, 255];
    assert!(close(px(&frame, 0, 0), red, 2) && close(px(&frame, 319, 90), red, 2));
    let headline = list.texts().find(|t| t.text.contains("BÃO")).unwrap();
    assert!(
        ink(
            &frame,
            0,
            headline.rect.y as u32,
            320,
            headline.rect.bottom() as u32,
            red
        ) > 200,
        "the headline is drawn"
    );
}

#[test]
fn drill_on_an_led_panel_matches_golden_with_pixel_font() {
    let a = alert(
        r#"{"id": "c", "status": "exercise", "severity": "severe", "headline": "Diễn tập PCCC"}"#,
    );
    let mut engine = TextEngine::new();
    let images = HashMap::new();
    let list = layout_with(
        &mut engine,
        Slide::Alert { alert: &a, page: 0 },
        128,
        64,
        &images,
    );
    let frame = draw(&list, &mut engine, &images);
    assert_golden("alert_drill_128x64", &frame, 24, 0.02);
    // The yellow drill frame is on every edge.
    let yellow = [0xFF, 0xD6, 0x00, 255];
    for (x, y) in [(0, 0), (127, 0), (0, 63), (127, 63), (64, 63), (0, 32)] {
        assert!(
            close(px(&frame, x, y), yellow, 2),
            "drill frame at {x},{y}: {:?}",
            px(&frame, x, y)
        );
    }
}

#[test]
fn idle_slide_matches_golden() {
    let mut engine = TextEngine::new();
    let images = HashMap::new();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(7, 5, 0)
        .unwrap();
    let list = layout_with(
        &mut engine,
        Slide::Idle {
            board_name: "UBND xã Xuân Nộn",
            now,
        },
        240,
        135,
        &images,
    );
    let frame = draw(&list, &mut engine, &images);
    assert_golden("idle_240x135", &frame, 24, 0.01);
    assert!(
        !close(px(&frame, 0, 0), [0, 0, 0, 255], 8),
        "never a black screen"
    );
}

#[test]
fn stacked_capitals_are_drawn_whole_with_their_marks() {
    // The marks of Ầ Ẫ Ặ Ỡ rise ~1.2 em above the baseline, above the font's ascender and a
    // little above the line box: the padding above the first line must leave them room, so
    // they are drawn whole and never cut off at the top edge of the screen.
    let it = item(&format!(
        r#"{{"id": "caps", "type": "announcement", "title": "{}", "body": "x"}}"#,
        STACKED_CAPITALS
            .split(' ')
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let mut engine = TextEngine::new();
    let images = HashMap::new();
    let list = layout_with(
        &mut engine,
        Slide::Item { item: &it, page: 0 },
        480,
        270,
        &images,
    );
    let frame = draw(&list, &mut engine, &images);
    let band = [0xB7, 0x1C, 0x1C, 255];
    let title = list.texts().next().unwrap();
    let (top, line) = (title.rect.y as u32, title.line_height as u32);
    // The top fifth of the first line holds the stacked marks: there is ink there ...
    assert!(
        ink(&frame, 0, top, 480, top + line / 5, band) > 10,
        "stacked marks are drawn"
    );
    // ... and the topmost rows are clean band colour: the marks end inside the padding.
    let first_ink_row = (0..top)
        .find(|&y| ink(&frame, 0, y, 480, y + 1, band) > 0)
        .unwrap_or(top);
    assert!(
        first_ink_row >= 2,
        "stacked marks touch the top edge (first ink on row {first_ink_row})"
    );
}

#[test]
fn a_warmed_up_renderer_draws_exactly_what_a_fresh_one_draws() {
    // The warm-up draws a quad, an image and a glyph of its own before the first frame (its
    // glyph through an atlas of its own). Nothing of it may show in later frames, and the real
    // atlas, grown several times over by a full-HD slide's glyphs, must never meet that glyph
    // (growing re-rasterises every glyph it holds).
    let (sha, pic) = picture();
    let images = HashMap::from([(sha.clone(), pic)]);
    let it = item(&format!(
        r#"{{"id": "a", "type": "announcement", "title": "Lịch tiêm chủng mở rộng tháng 12",
            "body": "Trạm Y tế xã tổ chức tiêm chủng vào thứ Ba và thứ Tư, buổi sáng từ 7 giờ 30 đến 11 giờ. Đối tượng: trẻ dưới 1 tuổi tiêm vắc xin 5 trong 1, bại liệt và sởi; phụ nữ có thai tiêm phòng uốn ván.",
            "image": {}, "qr": "https://xuannon.example.vn/phan-anh"}}"#,
        url_image(&sha)
    ));
    let mut warmed = Renderer::new(gpu(), TARGET_FORMAT);
    warmed.warm_up(gpu());
    for (w, h) in [(1920, 1080), (320, 180)] {
        let mut engine = TextEngine::new();
        let list = layout_with(
            &mut engine,
            Slide::Item { item: &it, page: 0 },
            w,
            h,
            &images,
        );
        let fresh = draw(&list, &mut engine, &images);
        let frame = warmed
            .render_offscreen(gpu(), &list, &mut engine, &|sha| images.get(sha).cloned())
            .expect("the frame renders after a warm-up");
        let differing = fresh
            .pixels()
            .zip(frame.pixels())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            differing, 0,
            "{w}x{h}: pixels differ from a fresh renderer's"
        );
        // The frame has text and a picture in it: the comparison is of something.
        let colours: std::collections::HashSet<[u8; 4]> = frame.pixels().map(|p| p.0).collect();
        assert!(
            colours.len() > 50,
            "{w}x{h}: only {} colours",
            colours.len()
        );
    }
}

#[test]
fn shaders_compile_on_the_device() {
    // Creating the renderer builds both WGSL pipelines on the real adapter; an invalid shader
    // is a validation error that wgpu reports by panicking here.
    let _ = Renderer::new(gpu(), TARGET_FORMAT);
}

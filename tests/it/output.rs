//! The board's frame as presented: chrome around the slide, then the compositor (rotation, LED
//! scaling, brightness, cross-fade) on the software GPU. Laid out at a fixed moment, so the
//! header's clock and dates are the same on every run.

use bangtin_layout::chrome::{self, FooterText};
use bangtin_layout::{Slide, TextEngine};
use bangtin_render::compositor::{Compositor, Frame};
use bangtin_render::{Gpu, Offscreen, TARGET_FORMAT};
use bangtin_render::{OutputRegion as Region, Placement, Sampling as Scaling};
use chrono::NaiveDate;
use std::sync::OnceLock;

fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => panic!("pixel tests need a GPU adapter: {e}"),
    })
}

const NOTICE: &str = r#"{"id": "hop-dan", "type": "announcement", "title": "Họp dân",
    "body": "Họp dân thôn Đông lúc 19 giờ 30 tại nhà văn hoá thôn."}"#;

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(7, 5, 0)
        .unwrap()
}

/// Lays out the notice with header and ticker on a `size` canvas, draws it, and presents it
/// through `placement` with `frame`'s settings.
fn present(
    size: (u32, u32),
    placement: &Placement,
    brightness: f32,
    ticker_x: f32,
) -> image::RgbaImage {
    let gpu = gpu();
    let mut engine = TextEngine::new();
    let item = bangtin_testkit::item(NOTICE);
    let footer = FooterText::Tickers(vec!["Tin vắn: cắt điện thôn Đông 8 giờ".into()]);
    let canvas = chrome::canvas(
        &mut engine,
        &chrome::CanvasSpec {
            slide: Slide::Item {
                item: &item,
                page: 0,
            },
            size,
            header: true,
            board_name: "UBND xã Xuân Nộn",
            now: now(),
            footer: Some(&footer),
        },
        &|_| None,
    );
    let mut compositor = Compositor::new(gpu, size.0, size.1, TARGET_FORMAT);
    compositor
        .draw_canvas(gpu, &canvas.list, &mut engine, &|_| None)
        .unwrap();
    let (laid, band) = canvas.footer.clone().expect("a footer");
    compositor
        .draw_strip(gpu, &chrome::strip(&laid, band, ticker_x), &mut engine)
        .unwrap();
    let target = Offscreen::new(&gpu.device, placement.output.0, placement.output.1);
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
    compositor.present(
        gpu,
        &mut encoder,
        &target.texture,
        placement,
        &Frame {
            fade: None,
            strip: Some(band),
            ticker: None,
            brightness,
        },
        None,
    );
    target.read_back(gpu, encoder).unwrap()
}

#[test]
fn led_panel_192x96_is_crisp_pixel_blocks_in_its_region() {
    let region = Region {
        x: 0,
        y: 0,
        width: 384,
        height: 192,
    };
    let p = Placement::new((192, 96), 0, (384, 192), Some(region), Scaling::Auto);
    assert!(p.nearest);
    let frame = present((192, 96), &p, 1.0, 20.0);
    // Nearest-neighbour: every LED is a uniform 2x2 block of the output.
    for y in (0..192).step_by(2) {
        for x in (0..384).step_by(2) {
            let a = frame.get_pixel(x, y);
            for (dx, dy) in [(1, 0), (0, 1), (1, 1)] {
                assert_eq!(a, frame.get_pixel(x + dx, y + dy), "block at {x},{y}");
            }
        }
    }
    bangtin_testkit::assert_golden("board-led-192x96", &frame, 2, 0.002);
}

#[test]
fn portrait_canvas_turned_a_quarter_matches_the_canvas_rotated_on_the_cpu() {
    let straight = Placement::new((270, 480), 0, (270, 480), None, Scaling::Smooth);
    let turned = Placement::new((270, 480), 90, (480, 270), None, Scaling::Smooth);
    let a = present((270, 480), &straight, 1.0, 40.0);
    let b = present((270, 480), &turned, 1.0, 40.0);
    let expected = image::imageops::rotate90(&a);
    assert_eq!(expected.dimensions(), b.dimensions());
    let off = expected
        .pixels()
        .zip(b.pixels())
        .filter(|(x, y)| (0..3).any(|i| x.0[i].abs_diff(y.0[i]) > 8))
        .count();
    assert!(off < 50, "{off} pixels differ from the CPU rotation");
    bangtin_testkit::assert_golden("board-portrait-270x480-rot90", &b, 2, 0.002);
}

#[test]
fn brightness_dims_every_pixel_and_keeps_black_black() {
    let p = Placement::new((480, 270), 0, (480, 270), None, Scaling::Auto);
    let full = present((480, 270), &p, 1.0, 0.0);
    let dim = present((480, 270), &p, 0.5, 0.0);
    let sum = |img: &image::RgbaImage| -> u64 {
        img.pixels()
            .map(|p| u64::from(p.0[0]) + u64::from(p.0[1]) + u64::from(p.0[2]))
            .sum()
    };
    let (s_full, s_dim) = (sum(&full), sum(&dim));
    // Half the perceived light: sRGB values about halve.
    let ratio = s_dim as f64 / s_full as f64;
    assert!((0.4..0.6).contains(&ratio), "dimmed to {ratio:.2}");
    for (a, b) in full.pixels().zip(dim.pixels()) {
        assert!((0..3).all(|i| b.0[i] <= a.0[i]));
    }
}

#[test]
fn a_canvas_smaller_than_the_monitor_is_centred_without_stretching() {
    // 480x270 on a 1000x600 output, smooth: scaled by 2.0 (fits 960x540), centred.
    let p = Placement::new((480, 270), 0, (1000, 600), None, Scaling::Nearest);
    assert_eq!(p.rect, (20.0, 30.0, 960.0, 540.0));
    let frame = present((480, 270), &p, 1.0, 0.0);
    // Outside the picture: black bars; inside: the header's blue at the top-left.
    assert_eq!(&frame.get_pixel(5, 5).0[..3], &[0, 0, 0]);
    assert_eq!(&frame.get_pixel(30, 40).0[..3], &[0x0D, 0x3B, 0x66]);
}

#[test]
fn a_cross_fade_mixes_the_previous_slide_and_the_new_one() {
    let gpu = gpu();
    let mut engine = TextEngine::new();
    let size = (480, 270);
    let item = bangtin_testkit::item(NOTICE);
    let notice = chrome::canvas(
        &mut engine,
        &chrome::CanvasSpec {
            slide: Slide::Item {
                item: &item,
                page: 0,
            },
            size,
            header: false,
            board_name: "UBND xã Xuân Nộn",
            now: now(),
            footer: None,
        },
        &|_| None,
    );
    let idle = chrome::canvas(
        &mut engine,
        &chrome::CanvasSpec {
            slide: Slide::Idle {
                board_name: "UBND xã Xuân Nộn",
                now: now(),
            },
            size,
            header: false,
            board_name: "UBND xã Xuân Nộn",
            now: now(),
            footer: None,
        },
        &|_| None,
    );
    let mut compositor = Compositor::new(gpu, size.0, size.1, TARGET_FORMAT);
    compositor
        .draw_canvas(gpu, &notice.list, &mut engine, &|_| None)
        .unwrap();
    compositor
        .draw_canvas(gpu, &idle.list, &mut engine, &|_| None)
        .unwrap();
    let p = Placement::new(size, 0, size, None, Scaling::Auto);
    let shot = |fade: Option<f32>| {
        let target = Offscreen::new(&gpu.device, size.0, size.1);
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        compositor.present(
            gpu,
            &mut encoder,
            &target.texture,
            &p,
            &Frame {
                fade,
                strip: None,
                ticker: None,
                brightness: 1.0,
            },
            None,
        );
        target.read_back(gpu, encoder).unwrap()
    };
    // Bottom-left corner: the notice's paper, the idle slide's blue.
    let (x, y) = (4, 266);
    let start = shot(Some(0.0));
    let middle = shot(Some(0.5));
    let end = shot(None);
    assert_eq!(&start.get_pixel(x, y).0[..3], &[0xFF, 0xFD, 0xF7]);
    assert_eq!(&end.get_pixel(x, y).0[..3], &[0x0D, 0x3B, 0x66]);
    let (a, b, m) = (
        start.get_pixel(x, y).0,
        end.get_pixel(x, y).0,
        middle.get_pixel(x, y).0,
    );
    for ((a, b), m) in a.iter().zip(&b).zip(&m).take(3) {
        assert!(
            *m > a.min(b) + 10 && *m < a.max(b) - 10,
            "{m} is not between {a} and {b}"
        );
    }
}

//! Layout as data: DisplayList snapshots of every template at LED, small, full-HD and portrait
//! sizes, and the properties every layout must have whatever the content.

use bangtin_layout::text::Run;
use bangtin_layout::{DisplayList, Face, Op, Slide, TextEngine};
use bangtin_testkit::fixtures::*;
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn full_announcement() -> String {
    format!(
        r#"{{"id": "tiem-chung", "type": "announcement", "class": "priority",
            "title": "Lịch tiêm chủng mở rộng tháng 12",
            "body": "Trạm Y tế xã Xuân Nộn tổ chức tiêm chủng cho trẻ dưới 5 tuổi vào sáng thứ Bảy, ngày 5 tháng 12. Đề nghị bà con mang theo sổ tiêm chủng và thẻ bảo hiểm y tế.",
            "image": {}, "qr": "https://xuannon.example.vn/phan-anh", "duration_s": 20}}"#,
        url_image("cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")
    )
}

fn image_item() -> String {
    format!(
        r#"{{"id": "le-hoi", "type": "image", "image": {},
            "caption": "Lễ hội mừng lúa mới thôn Bắc, xã Xuân Nộn"}}"#,
        url_image(WIDE)
    )
}

const EXTREME: &str = r#"{"id": "bao-so-3", "msg_type": "alert", "status": "actual", "severity": "extreme",
    "headline": "BÃO SỐ 3: SƠ TÁN KHẨN CẤP",
    "description": "Bão số 3 đổ bộ trong 6 giờ tới, gió giật cấp 12. Các hộ ven đê sơ tán ngay.",
    "instruction": "Di chuyển đến Trường THCS Xuân Nộn. Mang theo giấy tờ, thuốc men.",
    "sender_name": "Ban Chỉ huy PCTT huyện Đông Anh"}"#;

const DRILL: &str = r#"{"id": "dien-tap", "status": "exercise", "severity": "severe",
    "headline": "Diễn tập phòng cháy tại chợ Xuân Nộn",
    "description": "Tiểu thương tập trung tại cổng chính theo hướng dẫn của lực lượng PCCC."}"#;

fn idle_slide() -> Slide<'static> {
    Slide::Idle {
        board_name: "UBND xã Xuân Nộn",
        now: chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(7, 5, 0)
            .unwrap(),
    }
}

/// Every template, by name, at page `page`.
fn with_each_template(page: u32, mut f: impl FnMut(&str, Slide<'_>)) {
    let ann = item(&full_announcement());
    let img = item(&image_item());
    let ext = alert(EXTREME);
    let drill = alert(DRILL);
    f("announcement", Slide::Item { item: &ann, page });
    f("image", Slide::Item { item: &img, page });
    f("alert_extreme", Slide::Alert { alert: &ext, page });
    f(
        "alert_drill",
        Slide::Alert {
            alert: &drill,
            page,
        },
    );
    f("idle", idle_slide());
}

#[test]
fn snapshots_of_every_template_at_every_size() {
    let mut engine = TextEngine::new();
    with_each_template(0, |name, slide| {
        for (w, h) in SIZES {
            let list = lay(&mut engine, slide, w, h);
            insta::assert_json_snapshot!(format!("{name}_{w}x{h}"), list);
        }
    });
}

fn texts(list: &DisplayList) -> Vec<&bangtin_layout::TextRun> {
    list.texts().collect()
}

fn check_invariants(name: &str, list: &DisplayList) {
    let (w, h) = (list.width as f32, list.height as f32);
    let tiny = list.width < 160 || list.height < 160;
    assert!(
        list.pages >= 1 && list.page < list.pages,
        "{name}: page {}/{}",
        list.page,
        list.pages
    );
    for op in &list.ops {
        let r = match op {
            Op::Quad { rect, .. } | Op::Image { rect, .. } | Op::Video { rect } => *rect,
            Op::Text(t) => t.rect,
        };
        assert!(
            r.x >= -0.5 && r.y >= -0.5 && r.right() <= w + 0.5 && r.bottom() <= h + 0.5,
            "{name}: {op:?} leaves the {w}x{h} screen"
        );
    }
    let runs = texts(list);
    assert!(!runs.is_empty(), "{name}: a slide without text");
    for t in &runs {
        // Blank lines are paragraph breaks; a run of nothing but blanks is a bug.
        assert!(
            t.lines.iter().any(|l| !l.is_empty()),
            "{name}: a run with no text: {t:?}"
        );
        if tiny {
            assert_eq!(
                t.face,
                Face::Pixel,
                "{name}: tiny screens use the pixel font"
            );
            assert_eq!(
                t.size % 16.0,
                0.0,
                "{name}: pixel font at a multiple of 16 px, got {}",
                t.size
            );
        } else {
            assert_eq!(t.face, Face::Sans);
            let legible = (12.0f32).max(0.02 * (w * h).sqrt()).floor();
            assert!(
                t.size >= legible,
                "{name}: text at {} px is below the legible {legible} px",
                t.size
            );
            assert!(
                t.line_height >= 1.4 * t.size - 0.5,
                "{name}: line height {} leaves no room for stacked capitals at {} px",
                t.line_height,
                t.size
            );
        }
        assert!(
            (t.rect.h - t.lines.len() as f32 * t.line_height).abs() < 0.5,
            "{name}: run height is not its lines"
        );
    }
    // No two text runs overlap: nothing is printed over other text.
    for (i, a) in runs.iter().enumerate() {
        for b in &runs[i + 1..] {
            let overlap_x = a.rect.x < b.rect.right() - 0.5 && b.rect.x < a.rect.right() - 0.5;
            let overlap_y = a.rect.y < b.rect.bottom() - 0.5 && b.rect.y < a.rect.bottom() - 0.5;
            assert!(
                !(overlap_x && overlap_y),
                "{name}: {:?} overlaps {:?}",
                a.lines,
                b.lines
            );
        }
    }
}

#[test]
fn every_template_stays_on_screen_legible_and_unclipped_at_every_size() {
    let mut engine = TextEngine::new();
    let extra_sizes = [(192, 96), (3840, 2160), (64 * 4, 32 * 4), (720, 1280)];
    with_each_template(0, |name, slide| {
        for (w, h) in SIZES.into_iter().chain(extra_sizes) {
            let list = lay(&mut engine, slide, w, h);
            check_invariants(&format!("{name} at {w}x{h}"), &list);
        }
    });
}

#[test]
fn the_drill_is_marked_dien_tap_at_every_size_and_the_real_alert_is_not() {
    let mut engine = TextEngine::new();
    let drill = alert(DRILL);
    let real = alert(EXTREME);
    for (w, h) in SIZES {
        let list = lay(
            &mut engine,
            Slide::Alert {
                alert: &drill,
                page: 0,
            },
            w,
            h,
        );
        assert!(
            list.texts().any(|t| t.text.contains("DIỄN TẬP")),
            "drill at {w}x{h} has no DIỄN TẬP marking"
        );
        let list = lay(
            &mut engine,
            Slide::Alert {
                alert: &real,
                page: 0,
            },
            w,
            h,
        );
        assert!(!list.texts().any(|t| t.text.contains("DIỄN TẬP")));
    }
}

#[test]
fn alert_colour_follows_severity() {
    let mut engine = TextEngine::new();
    let mut backgrounds = Vec::new();
    for sev in ["extreme", "severe", "moderate", "minor"] {
        let a = alert(&EXTREME.replace(
            r#""severity": "extreme""#,
            &format!(r#""severity": "{sev}""#),
        ));
        backgrounds
            .push(lay(&mut engine, Slide::Alert { alert: &a, page: 0 }, 480, 270).background);
    }
    backgrounds.dedup();
    assert_eq!(backgrounds.len(), 4, "each severity has its own colour");
}

#[test]
fn nfd_input_lays_out_exactly_like_nfc() {
    let nfc = full_announcement();
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfc, nfd, "the fixture has composed letters");
    let mut engine = TextEngine::new();
    let (a, b) = (item(&nfc), item(&nfd));
    assert_eq!(a, b, "parsing normalises to NFC");
    for (w, h) in SIZES {
        assert_eq!(
            lay(&mut engine, Slide::Item { item: &a, page: 0 }, w, h),
            lay(&mut engine, Slide::Item { item: &b, page: 0 }, w, h)
        );
    }
}

#[test]
fn stacked_capitals_get_room_above_the_first_line() {
    let mut engine = TextEngine::new();
    let it = item(&format!(
        r#"{{"id": "caps", "type": "announcement", "title": "{STACKED_CAPITALS}", "body": "{STACKED_CAPITALS}"}}"#
    ));
    for (w, h) in [(480, 270), (1920, 1080), (1080, 1920)] {
        let list = lay(&mut engine, Slide::Item { item: &it, page: 0 }, w, h);
        let all: String = list
            .texts()
            .flat_map(|t| t.lines.iter().map(|l| l.replace(' ', "")))
            .collect();
        assert_eq!(
            all.matches("ẦẤẨẪẬ").count(),
            2,
            "every capital is laid out: {all}"
        );
        let title = list.texts().next().unwrap();
        assert!(
            title.rect.y >= 4.0,
            "padding above the first line at {w}x{h}"
        );
    }
}

const LONG_BODY: &str = "Thực hiện kế hoạch phòng, chống thiên tai năm 2026, Ủy ban nhân dân xã đề nghị các hộ gia đình kiểm tra mái nhà, chằng chống nhà cửa, cắt tỉa cành cây gần đường dây điện. Các thôn ven đê chuẩn bị bao tải, cọc tre, đèn pin và lương thực dự trữ cho ba ngày. Người dân theo dõi thông tin trên loa truyền thanh và bảng tin điện tử của xã, không ra sông đánh bắt cá khi có lũ. Khi có lệnh sơ tán, di chuyển theo hướng dẫn của tổ an ninh trật tự cơ sở đến các điểm tránh trú an toàn đã được thông báo. Mọi thông tin khẩn cấp xin báo về số điện thoại trực ban của xã.";

#[test]
fn text_that_cannot_fit_is_split_into_pages_that_together_hold_every_word() {
    let mut engine = TextEngine::new();
    let body = format!("{LONG_BODY}\n\n{LONG_BODY}");
    let it = item(&format!(
        r#"{{"id": "dai", "type": "announcement", "title": "Phòng chống lụt bão", "body": "{}"}}"#,
        body.replace('\n', "\\n")
    ));
    let first = lay(&mut engine, Slide::Item { item: &it, page: 0 }, 480, 270);
    assert!(
        first.pages > 1,
        "a long body on a small screen needs pages, got {}",
        first.pages
    );
    let mut words = Vec::new();
    for page in 0..first.pages {
        let list = lay(&mut engine, Slide::Item { item: &it, page }, 480, 270);
        assert_eq!((list.page, list.pages), (page, first.pages));
        check_invariants(&format!("page {page}"), &list);
        let body = list.texts().last().unwrap();
        words.extend(
            body.lines
                .iter()
                .flat_map(|l| l.split_whitespace().map(str::to_owned)),
        );
    }
    let expected: Vec<String> = body.split_whitespace().map(str::to_owned).collect();
    assert_eq!(words, expected);
    // The same text on a big screen fits on one page.
    assert_eq!(
        lay(&mut engine, Slide::Item { item: &it, page: 0 }, 1920, 1080).pages,
        1
    );
}

#[test]
fn shorter_text_is_set_larger() {
    let mut engine = TextEngine::new();
    let short = item(r#"{"id": "a", "type": "announcement", "body": "Họp dân lúc 19 giờ."}"#);
    let long = item(&format!(
        r#"{{"id": "b", "type": "announcement", "body": "{LONG_BODY}"}}"#
    ));
    let size = |engine: &mut TextEngine, it| {
        lay(engine, Slide::Item { item: it, page: 0 }, 1920, 1080)
            .texts()
            .next()
            .unwrap()
            .size
    };
    assert!(size(&mut engine, &short) > size(&mut engine, &long));
}

#[test]
fn qr_code_is_crisp_whole_pixel_modules() {
    let mut engine = TextEngine::new();
    let it = item(&full_announcement());
    for (w, h) in [(480, 270), (1920, 1080), (1080, 1920)] {
        let list = lay(&mut engine, Slide::Item { item: &it, page: 0 }, w, h);
        let black: Vec<_> = list
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Quad { rect, color } if color.0 == [0, 0, 0, 255] => Some(*rect),
                _ => None,
            })
            .collect();
        assert!(black.len() > 20, "a QR code at {w}x{h}");
        let module = black.iter().map(|r| r.h).fold(f32::MAX, f32::min);
        for r in &black {
            assert_eq!(r.x.fract(), 0.0, "module edges on whole pixels at {w}x{h}");
            assert_eq!(r.y.fract(), 0.0);
            assert_eq!(r.h, module);
            assert_eq!((r.w / module).fract(), 0.0);
        }
    }
}

#[test]
fn images_keep_their_aspect_ratio() {
    let mut engine = TextEngine::new();
    let wide = item(&format!(
        r#"{{"id": "w", "type": "image", "image": {}}}"#,
        url_image(WIDE)
    ));
    let tall = item(&format!(
        r#"{{"id": "t", "type": "image", "image": {}}}"#,
        url_image(TALL)
    ));
    for (it, ratio) in [(&wide, 1600.0 / 900.0), (&tall, 600.0 / 900.0)] {
        for (w, h) in SIZES {
            let list = lay(&mut engine, Slide::Item { item: it, page: 0 }, w, h);
            let rect = list
                .ops
                .iter()
                .find_map(|op| match op {
                    Op::Image { rect, .. } => Some(*rect),
                    _ => None,
                })
                .expect("the image is placed");
            assert!((rect.w / rect.h - ratio).abs() < 0.05, "{w}x{h}: {rect:?}");
            assert!(
                rect.w >= w as f32 - 1.0 || rect.h >= h as f32 - 1.0,
                "fills the area at {w}x{h}"
            );
        }
    }
}

#[test]
fn missing_images_are_left_out_not_drawn_broken() {
    let mut engine = TextEngine::new();
    let it = item(&full_announcement());
    let list = bangtin_layout::layout(
        &mut engine,
        Slide::Item { item: &it, page: 0 },
        1920,
        1080,
        &|_| None,
    );
    assert!(!list.ops.iter().any(|op| matches!(op, Op::Image { .. })));
    check_invariants("without image", &list);
}

#[test]
fn idle_slide_names_the_board_and_the_date() {
    let mut engine = TextEngine::new();
    let list = lay(&mut engine, idle_slide(), 1920, 1080);
    let all: Vec<&str> = list.texts().map(|t| t.text.as_str()).collect();
    let joined = all.join(" ").replace('\n', " ");
    assert!(joined.contains("UBND xã Xuân Nộn"), "{joined}");
    assert!(
        joined.contains("Thứ Ba, ngày 24 tháng 11 năm 2026"),
        "{joined}"
    );
    assert!(joined.contains("07:05"), "{joined}");
}

/// Every word of every text of a slide, over all its pages.
fn words_over_pages(
    engine: &mut TextEngine,
    slide: impl Fn(u32) -> Slide<'static>,
    w: u32,
    h: u32,
) -> (u32, Vec<String>) {
    let pages = lay(engine, slide(0), w, h).pages;
    let mut words = Vec::new();
    for page in 0..pages {
        let list = lay(engine, slide(page), w, h);
        check_invariants(&format!("page {page} at {w}x{h}"), &list);
        for t in list.texts() {
            words.extend(
                t.lines
                    .iter()
                    .flat_map(|l| l.split_whitespace().map(str::to_owned)),
            );
        }
    }
    (pages, words)
}

#[test]
fn no_text_is_ever_dropped_however_small_the_screen() {
    let headline = "BÃO SỐ 3: SƠ TÁN KHẨN CẤP TOÀN BỘ CÁC HỘ DÂN KHU VỰC NGOÀI ĐÊ SÔNG HỒNG";
    let instruction = "Di chuyển ngay đến Trường THCS Xuân Nộn. Mang theo giấy tờ, thuốc men, nước uống. Ngắt điện và khóa van ga trước khi rời nhà. Người già và trẻ em đi trước.";
    let a: &'static bangtin_protocol::content::Alert = Box::leak(Box::new(alert(&format!(
        r#"{{"id": "x", "status": "actual", "severity": "extreme", "headline": "{headline}",
            "description": "{LONG_BODY}", "instruction": "{instruction}", "sender_name": "Ban Chỉ huy PCTT huyện Đông Anh"}}"#
    ))));
    let title = "THÔNG BÁO KHẨN: NGHIÊM CẤM ĐỐT RƠM RẠ SAU THU HOẠCH TRÊN TOÀN ĐỊA BÀN XÃ VÌ KHÓI GÂY MẤT AN TOÀN GIAO THÔNG VÀ Ô NHIỄM KHÔNG KHÍ";
    let it: &'static bangtin_protocol::content::Item = Box::leak(Box::new(item(&format!(
        r#"{{"id": "y", "type": "announcement", "title": "{title}", "body": "{LONG_BODY}"}}"#
    ))));
    let mut engine = TextEngine::new();
    for (w, h) in [(128, 64), (192, 96), (480, 270), (1920, 1080), (1080, 1920)] {
        let (pages, words) =
            words_over_pages(&mut engine, |page| Slide::Alert { alert: a, page }, w, h);
        for source in [headline, LONG_BODY, instruction] {
            for word in source.split_whitespace() {
                assert!(
                    words.iter().any(|w| w == word),
                    "alert at {w}x{h} ({pages} pages) never shows {word:?}"
                );
            }
        }
        let (pages, words) =
            words_over_pages(&mut engine, |page| Slide::Item { item: it, page }, w, h);
        for word in title.split_whitespace().chain(LONG_BODY.split_whitespace()) {
            assert!(
                words.iter().any(|w| w == word),
                "announcement at {w}x{h} ({pages} pages) never shows {word:?}"
            );
        }
    }
}

#[test]
fn an_alert_that_fits_is_one_page_with_its_whole_instruction() {
    let mut engine = TextEngine::new();
    let a = alert(EXTREME);
    let list = lay(&mut engine, Slide::Alert { alert: &a, page: 0 }, 1920, 1080);
    assert_eq!(list.pages, 1);
    let all: String = list
        .texts()
        .map(|t| t.lines.join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(all.contains("Mang theo giấy tờ, thuốc men."), "{all}");
}

#[test]
fn an_led_panel_idle_slide_shows_the_whole_board_name_and_drops_the_date_first() {
    let mut engine = TextEngine::new();
    for (w, h) in [(128, 64), (192, 96), (240, 135)] {
        let list = lay(&mut engine, idle_slide(), w, h);
        check_invariants(&format!("idle at {w}x{h}"), &list);
        let all: String = list
            .texts()
            .map(|t| t.lines.join(" "))
            .collect::<Vec<_>>()
            .join(" | ");
        assert!(all.starts_with("UBND xã Xuân Nộn"), "{w}x{h}: {all}");
        assert!(
            all.contains("07:05"),
            "{w}x{h}: the clock before the date: {all}"
        );
    }
    let roomy = lay(&mut engine, idle_slide(), 192, 96);
    assert!(
        roomy.texts().any(|t| t.text == "24/11/2026"),
        "the short date where the long one does not fit"
    );
}

/// The title laid out at 640x360, as a board shows it.
fn titled(engine: &mut TextEngine, title: &str) -> Option<DisplayList> {
    let json = format!(
        r#"{{"id": "x", "type": "announcement", "title": {}}}"#,
        serde_json::to_string(title).ok()?
    );
    let item =
        bangtin_protocol::content::parse_channel(format!(r#"{{"items": [{json}]}}"#).as_bytes())
            .ok()?
            .items
            .remove(0);
    Some(lay(
        engine,
        Slide::Item {
            item: &item,
            page: 0,
        },
        640,
        360,
    ))
}

/// Every shaped line of every text run fits inside its run's box.
fn lines_inside_their_boxes(engine: &mut TextEngine, list: &DisplayList) -> Result<(), String> {
    for run in list.texts() {
        let (_, buffer) = engine.shape(&Run::of(run));
        for line in buffer.layout_runs() {
            if line.line_w > run.rect.w + 0.5 {
                return Err(format!(
                    "a line of {} px in a box of {} px: {:?}",
                    line.line_w, run.rect.w, run.text
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn a_title_that_starts_with_a_right_to_left_override_shows_whole() {
    let mut engine = TextEngine::new();
    let list = titled(&mut engine, "\u{202e}HỌP dân thôn").unwrap();
    let texts: Vec<&str> = list.texts().map(|t| t.text.as_str()).collect();
    assert!(texts.contains(&"HỌP dân thôn"), "{texts:?}");
    lines_inside_their_boxes(&mut engine, &list).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever Unicode a title holds, if it passes validation it lays out inside its box:
    /// right-to-left scripts, combining marks, emoji, invisible characters.
    #[test]
    fn any_title_that_passes_validation_stays_inside_its_box(
        title in proptest::collection::vec(any::<char>(), 1..60)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    ) {
        let mut engine = TextEngine::new();
        if let Some(list) = titled(&mut engine, &title) {
            check_invariants("any title", &list);
            prop_assert_eq!(lines_inside_their_boxes(&mut engine, &list), Ok(()));
        }
    }
}

//! The officers' source formats, end to end: files in, the channel or every problem out.

mod pictures;
mod videos;

use super::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh folder under the system temp dir, unique to this process and call.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bangtin-source-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("anh")).expect("create temp dir");
    dir
}

fn md(text: &str) -> Result<Source, Vec<String>> {
    parse(text, "thong-bao.md", Path::new("."), true)
}

fn toml_src(text: &str) -> Result<Source, Vec<String>> {
    parse(text, "kenh.toml", Path::new("."), false)
}

fn items(s: &Source) -> &Vec<Value> {
    s.channel["items"].as_array().expect("items")
}

fn errors_of(r: Result<Source, Vec<String>>) -> Vec<String> {
    match r {
        Ok(s) => panic!("expected errors, got {}", s.channel),
        Err(e) => e,
    }
}

fn small_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    });
    encode_jpeg(&img, 90).expect("encode")
}

fn small_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 0, 200]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encode png");
    out
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn b64_decode(s: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().expect("base64 text"))
        .expect("valid base64")
}

#[test]
fn markdown_front_matter_becomes_the_channel() {
    let src = md(r#"+++
area = "vn/ha-noi/dong-anh/xuan-non"     # a comment
id = "tiem-chung-2411"
class = "priority"
duration = 15
valid_from = 2026-11-20T00:00:00+07:00
valid_until = 2026-11-25
days = ["mon","tue"]
hours = ["06:00-21:00"]
qr = "https://dichvucong.gov.vn"
ticker = "Tin vắn: tiêm chủng ngày 24/11"
+++
# Lịch tiêm chủng

Đề nghị bà con đưa trẻ **đúng giờ**.
Mang theo sổ tiêm.

- Thôn 1: 7h30
- Thôn 2: 9h00
"#)
    .expect("valid");
    assert_eq!(
        src.target,
        Target::Area("vn/ha-noi/dong-anh/xuan-non".into())
    );
    assert_eq!(src.warnings, vec![]);
    let schedule = json!({
        "valid_from": "2026-11-20T00:00:00+07:00",
        "valid_until": "2026-11-26T00:00:00+07:00",
        "days": ["mon", "tue"],
        "hours": [{"from": "06:00", "to": "21:00"}],
    });
    let mut ticker = json!({
        "id": "tiem-chung-2411-tin-van", "type": "ticker",
        "text": "Tin vắn: tiêm chủng ngày 24/11",
    });
    let mut announcement = json!({
        "id": "tiem-chung-2411", "type": "announcement", "class": "priority",
        "title": "Lịch tiêm chủng",
        "body": "Đề nghị bà con đưa trẻ đúng giờ.\nMang theo sổ tiêm.\n\n• Thôn 1: 7h30\n• Thôn 2: 9h00",
        "qr": "https://dichvucong.gov.vn", "duration_s": 15,
    });
    for (k, v) in schedule.as_object().expect("object") {
        ticker[k] = v.clone();
        announcement[k] = v.clone();
    }
    assert_eq!(src.channel, json!({"items": [announcement, ticker]}));
    assert_eq!(
        src.target.content_topic("bangtin/v1"),
        "bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non"
    );
}

#[test]
fn shortest_markdown_file_uses_defaults_and_the_file_name() {
    let src = parse(
        "+++\nboard = \"xuan-non-01\"\n+++\nChỉ có nội dung.\n",
        "thư mục/Thông báo Tiêm chủng (đợt 2).md",
        Path::new("."),
        true,
    )
    .expect("valid");
    assert_eq!(src.target, Target::Board("xuan-non-01".into()));
    assert_eq!(
        src.target.content_topic("bangtin/v1/"),
        "bangtin/v1/content/board/xuan-non-01"
    );
    assert_eq!(
        src.channel,
        json!({"items": [{"id": "thong-bao-tiem-chung-dot-2", "type": "announcement",
            "class": "normal", "body": "Chỉ có nội dung.", "duration_s": 10}]})
    );
    assert_eq!(
        src.warnings,
        vec![Warning::IdFromFileName {
            id: "thong-bao-tiem-chung-dot-2".into()
        }]
    );
}

#[test]
fn toml_channel_with_every_item_type() {
    let sha = "AB".repeat(32);
    let text = format!(
        r#"
board = "xuan-non-01"

[[item]]
type = "announcement"
id = "hop-dan"
title = "Họp dân thôn 3"
body = """
Lúc **19h30** thứ Sáu.

Địa điểm: nhà văn hoá.
"""
class = "ưu tiên"
ticker = ["Dòng một", "Dòng hai"]

[[item]]
type = "image"
id = "le-hoi"
image = {{ url = "https://cdn.example.vn/le-hoi.jpg", sha256 = "{sha}", bytes = 183211 }}
caption = "Lễ hội"
duration = 20

[[item]]
type = "ticker"
text = "Tin vắn: cắt điện"
"#
    );
    let src = toml_src(&text).expect("valid");
    assert_eq!(src.target, Target::Board("xuan-non-01".into()));
    assert_eq!(
        src.channel,
        json!({"items": [
            {"id": "hop-dan", "type": "announcement", "class": "priority",
             "title": "Họp dân thôn 3", "body": "Lúc 19h30 thứ Sáu.\n\nĐịa điểm: nhà văn hoá.",
             "duration_s": 10},
            {"id": "hop-dan-tin-van-1", "type": "ticker", "text": "Dòng một"},
            {"id": "hop-dan-tin-van-2", "type": "ticker", "text": "Dòng hai"},
            {"id": "le-hoi", "type": "image", "class": "normal",
             "image": {"url": "https://cdn.example.vn/le-hoi.jpg", "sha256": "ab".repeat(32), "bytes": 183211},
             "caption": "Lễ hội", "duration_s": 20},
            {"id": "kenh-3", "type": "ticker", "text": "Tin vắn: cắt điện"},
        ]})
    );
    assert_eq!(
        src.warnings,
        vec![Warning::IdFromFileName {
            id: "kenh-3".into()
        }]
    );
}

#[test]
fn toml_without_items_clears_the_channel_with_a_warning() {
    let src = toml_src("area = \"vn/ha-noi\"\n").expect("valid");
    assert_eq!(src.channel, json!({"items": []}));
    assert_eq!(src.warnings, vec![Warning::EmptyChannel]);
}

#[test]
fn html_and_pictures_in_the_body_are_errors_with_their_line() {
    let errs = errors_of(md(
        "+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\nChữ <b>đậm</b>\n![ảnh](anh/x.jpg)\n<!-- ghi chú -->\na < b and x <= y fine\n",
    ));
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(errs[0].starts_with("thong-bao.md: line 7: HTML is not supported (found <b>)"));
    assert!(errs[1].contains("line 7: HTML is not supported (found </b>)"));
    assert!(errs[2].contains("line 8: pictures inside the text are not shown"));
    assert!(errs[3].contains("line 9: HTML is not supported (found <!-- ghi chú -->)"));
}

#[test]
fn bare_dates_cover_whole_days_in_vietnam_time() {
    let src = md(
        "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 2026-11-20\nvalid_until = 2026-11-25\n+++\nx",
    )
    .expect("valid");
    assert_eq!(items(&src)[0]["valid_from"], "2026-11-20T00:00:00+07:00");
    assert_eq!(items(&src)[0]["valid_until"], "2026-11-26T00:00:00+07:00");
    // The end of the year and of February roll over too.
    let src =
        md("+++\narea = \"vn\"\nid = \"x\"\nvalid_until = \"31/12/2026\"\n+++\nx").expect("valid");
    assert_eq!(items(&src)[0]["valid_until"], "2027-01-01T00:00:00+07:00");
    let src =
        md("+++\narea = \"vn\"\nid = \"x\"\nvalid_until = \"2028-02-28\"\n+++\nx").expect("valid");
    assert_eq!(items(&src)[0]["valid_until"], "2028-02-29T00:00:00+07:00");
}

#[test]
fn times_in_every_accepted_form() {
    let cases = [
        ("2026-11-20T08:30:00", "2026-11-20T08:30:00+07:00"),
        ("2026-11-20T08:30:00Z", "2026-11-20T08:30:00+00:00"),
        ("2026-11-20T08:30:00+08:00", "2026-11-20T08:30:00+08:00"),
        ("\"2026-11-20 08:30\"", "2026-11-20T08:30:00+07:00"),
        ("\"2026-11-20T08:30:00+07:00\"", "2026-11-20T08:30:00+07:00"),
        ("\"20/11/2026 08:30\"", "2026-11-20T08:30:00+07:00"),
        ("\"20/11/2026\"", "2026-11-20T00:00:00+07:00"),
    ];
    for (written, wire) in cases {
        let src = md(&format!(
            "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = {written}\n+++\nx"
        ))
        .unwrap_or_else(|e| panic!("{written}: {e:?}"));
        assert_eq!(items(&src)[0]["valid_from"], wire, "{written}");
    }
    let errs = errors_of(md(
        "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 2026-11-25\nvalid_until = 2026-11-20\n+++\nx",
    ));
    assert_eq!(
        errs,
        vec![
            "thong-bao.md: \"valid_until\": must be after valid_from \
              (2026-11-25T00:00:00+07:00), found 2026-11-21T00:00:00+07:00"
        ]
    );
    let errs = errors_of(md(
        "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 08:00:00\n+++\nx",
    ));
    assert!(
        errs[0].contains("expected a date such as 2026-11-20"),
        "{errs:?}"
    );
}

#[test]
fn vietnamese_and_english_day_names() {
    let days = |v: &str| -> Result<Value, Vec<String>> {
        md(&format!(
            "+++\narea = \"vn\"\nid = \"x\"\ndays = {v}\n+++\nx"
        ))
        .map(|s| items(&s)[0]["days"].clone())
    };
    assert_eq!(
        days(r#"["T2", "thứ 4", "Chủ nhật", "t7", "thu hai"]"#).expect("valid"),
        json!(["mon", "wed", "sat", "sun"])
    );
    assert_eq!(
        days(r#"["t2-t6"]"#).expect("valid"),
        json!(["mon", "tue", "wed", "thu", "fri"])
    );
    assert_eq!(
        days(r#""t7 - t2""#).expect("valid"),
        json!(["mon", "sat", "sun"])
    );
    assert_eq!(
        days(r#"["CN", "Thứ Bảy", "friday", "T.3"]"#).expect("valid"),
        json!(["tue", "fri", "sat", "sun"])
    );
    let e = days(r#"["t2", "t8", 3]"#).expect_err("invalid");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].contains("found \"t8\""));
    assert!(e[1].contains("found 3"));
}

#[test]
fn hours_in_friendly_forms() {
    let src = md(r#"+++
area = "vn"
id = "x"
hours = ["6h30-11h", "21:00 – 06:00", {from = "13:00", to = "24:00"}]
+++
x"#)
    .expect("valid");
    assert_eq!(
        items(&src)[0]["hours"],
        json!([{"from": "06:30", "to": "11:00"}, {"from": "21:00", "to": "06:00"},
               {"from": "13:00", "to": "24:00"}])
    );
    let errs = errors_of(md(
        "+++\narea = \"vn\"\nid = \"x\"\nhours = [\"07:00-07:00\", \"25:00-26:00\", {from = \"01:00\", til = \"02:00\"}]\n+++\nx",
    ));
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(errs[0].contains("must end at another time"));
    assert!(errs[1].contains("found \"25:00-26:00\""));
    assert!(errs[2].contains("\"hours.til\": unknown key"));
}

#[test]
fn every_error_is_collected_with_the_key() {
    let errs = errors_of(md(r#"+++
area = "vn/ha-noi"
board = "xuan-non-01"
id = "có dấu"
duraton = 15
class = "urgent"
duration = 2
days = ["t9"]
valid_until = "sắp tới"
image = "khong-co.jpg"
qr = 5
+++
"#));
    let expect = [
        "thong-bao.md: \"duraton\": unknown key (did you mean \"duration\"?)",
        "thong-bao.md: \"board\": give either area",
        "thong-bao.md: \"id\": expected 1 to 64 letters a-z, digits and '-' (no spaces or accents) (did you mean \"co-dau\"?), found \"có dấu\"",
        "thong-bao.md: \"class\": expected \"normal\" (thông thường) or \"priority\" (ưu tiên)",
        "thong-bao.md: \"duration\": expected a whole number of seconds from 3 to 600, found 2",
        "thong-bao.md: \"valid_until\": expected a date such as 2026-11-20",
        "thong-bao.md: \"days\": expected days such as",
        "thong-bao.md: \"image\": \"khong-co.jpg\" cannot be read (looked for ./khong-co.jpg)",
        "thong-bao.md: \"qr\": expected text in quotes, found 5",
        "thong-bao.md: has no title and no text",
    ];
    assert_eq!(errs.len(), expect.len(), "{errs:#?}");
    for (got, want) in errs.iter().zip(expect) {
        assert!(got.starts_with(want), "{got:?} should start with {want:?}");
    }
}

#[test]
fn unknown_keys_get_hints() {
    let errs = errors_of(toml_src(
        r#"
area = "vn"
title = "lạc chỗ"

[[items]]
type = "ticker"

[[item]]
type = "announcement"
id = "a"
title = "T"
caption = "chú thích"
duration_s = 20
mau_sac = "đỏ"

[[item]]
type = "banner"
id = "b"
"#,
    ));
    assert_eq!(
        errs,
        vec![
            "kenh.toml: \"items\": unknown key (write [[item]] for each item)",
            "kenh.toml: \"title\": unknown key (\"title\" belongs to an item: put it under an [[item]] line)",
            "kenh.toml: item 1, \"caption\": unknown key (a announcement item has no \"caption\"; it belongs to type = \"image\")",
            "kenh.toml: item 1, \"duration_s\": unknown key (did you mean \"duration\"?)",
            "kenh.toml: item 1, \"mau_sac\": unknown key (known keys here: type, id, class, duration, valid_from, valid_until, days, hours, title, body, image, qr, ticker)",
            "kenh.toml: item 2, \"type\": expected \"announcement\", \"image\", \"ticker\" or \"video\", found \"banner\"",
        ]
    );
    let errs = errors_of(toml_src("area = \"vn\"\n[item]\ntype = \"ticker\"\n"));
    assert_eq!(
        errs,
        vec!["kenh.toml: \"item\": write [[item]] with two brackets on each side, one per item"]
    );
}

#[test]
fn markdown_structure_errors() {
    assert!(errors_of(md("---\narea = \"vn\"\n---\nx"))[0].contains("not --- (YAML)"));
    assert!(errors_of(md("Chỉ có chữ"))[0].contains("must start with a +++ line"));
    assert!(errors_of(md("+++\narea = \"vn\"\nx"))[0].contains("has no closing +++ line"));
    let errs = errors_of(md(
        "+++\narea = \"vn\"\nid = \"x\"\ntitle = \"A\"\n+++\n# B\n",
    ));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("the title is given twice"));
    // A TOML syntax error names the line in the whole file (front matter starts on line 2).
    let errs = errors_of(md("+++\narea = \"vn\"\nid = x-1\n+++\nx"));
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("thong-bao.md: line 3, column 6: this is not valid TOML"),
        "{errs:?}"
    );
    let errs = errors_of(md("+++\narea = \"vn\"\ntype = \"image\"\n+++\nx"));
    assert!(
        errs[0].contains("a Markdown file is always one announcement"),
        "{errs:?}"
    );
}

#[test]
fn blank_lines_before_the_front_matter_keep_line_numbers_right() {
    let src =
        md("\n\n+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\tNội\tdung\n\t- mục\n").expect("valid");
    assert_eq!(items(&src)[0]["title"], "T");
    assert_eq!(items(&src)[0]["body"], "Nội dung\n• mục");
    let errs = errors_of(md("\n+++\narea = \"vn\"\nid = x\n+++\n# T\n\n<br>\n"));
    assert!(
        errs[0].starts_with("thong-bao.md: line 4, column 6:"),
        "{errs:?}"
    );
    let errs = errors_of(md("\n+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\n<br>\n"));
    assert!(
        errs[0].starts_with("thong-bao.md: line 8: HTML"),
        "{errs:?}"
    );
    assert!(errors_of(md("\n \n"))[0].contains("is empty"));
    assert!(errors_of(md("\n+++\narea = \"vn\"\n"))[0].contains("+++ on line 2 has no closing"));
}

#[test]
fn duplicate_ids_and_long_ticker_ids() {
    let errs = errors_of(toml_src(
        "area = \"vn\"\n[[item]]\ntype = \"ticker\"\nid = \"a\"\ntext = \"x\"\n\
         [[item]]\ntype = \"ticker\"\nid = \"a\"\ntext = \"y\"\n",
    ));
    assert_eq!(
        errs,
        vec!["kenh.toml: item 2, \"id\": \"a\" is already used by item 1; every item needs its own id"]
    );
    let long = "a".repeat(64);
    let src = md(&format!(
        "+++\narea = \"vn\"\nid = \"{long}\"\nticker = \"t\"\n+++\nx"
    ))
    .expect("valid");
    let tid = items(&src)[1]["id"].as_str().expect("id").to_owned();
    assert_eq!(tid.len(), 64);
    assert!(tid.ends_with("a-tin-van"));
}

#[test]
fn nfd_text_becomes_nfc() {
    let nfd_title: String = "Thông báo lũ lụt".nfd().collect();
    let nfd_body: String = "Bà con chú ý **khẩn trương**".nfd().collect();
    let nfd_ticker: String = "Tin vắn".nfd().collect();
    assert_ne!(nfd_title, "Thông báo lũ lụt");
    let src = md(&format!(
        "+++\narea = \"vn\"\nid = \"x\"\nclass = \"{}\"\nticker = \"{nfd_ticker}\"\n+++\n# {nfd_title}\n{nfd_body}\n",
        "ưu tiên".nfd().collect::<String>()
    ))
    .expect("valid");
    assert_eq!(items(&src)[0]["title"], "Thông báo lũ lụt");
    assert_eq!(items(&src)[0]["body"], "Bà con chú ý khẩn trương");
    assert_eq!(items(&src)[0]["class"], "priority");
    assert_eq!(items(&src)[1]["text"], "Tin vắn");
}

#[test]
fn a_channel_too_big_for_a_message_is_refused() {
    let body = "ệ".repeat(limits::BODY_CHARS);
    let mut text = String::from("area = \"vn\"\n");
    for i in 0..100 {
        text.push_str(&format!(
            "[[item]]\ntype = \"announcement\"\nid = \"i{i}\"\nbody = \"{body}\"\n"
        ));
    }
    let errs = errors_of(toml_src(&text));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("more than the 1.0 MB a board accepts"),
        "{errs:?}"
    );
}

#[test]
fn load_decides_the_format_and_reads_only_utf8() {
    let dir = temp_dir("load");
    let md_text = "\u{feff}+++\r\narea = \"vn\"\r\nid = \"x\"\r\n+++\r\n# Tiêu đề\r\n\r\nDòng 1\r\nDòng 2\r\n";
    for name in ["a.markdown", "a.MD", "a.txt"] {
        std::fs::write(dir.join(name), md_text).expect("write");
        let src = load(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(items(&src)[0]["title"], "Tiêu đề");
        assert_eq!(items(&src)[0]["body"], "Dòng 1\nDòng 2");
    }
    std::fs::write(dir.join("kenh"), "area = \"vn\"\n").expect("write");
    assert_eq!(
        load(&dir.join("kenh")).expect("toml").warnings,
        vec![Warning::EmptyChannel]
    );
    std::fs::write(
        dir.join("cu.md"),
        b"+++\narea = \"vn\"\n+++\nTh\xb5nh ph\xe8\n",
    )
    .expect("write");
    let errs = load(&dir.join("cu.md")).expect_err("not UTF-8");
    assert!(
        errs[0].contains("is not UTF-8 text (byte 23 is not)"),
        "{errs:?}"
    );
    assert!(load(&dir.join("khong-co.md")).is_err());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_files_published_together() {
    let dir = temp_dir("all");
    std::fs::write(dir.join("a.md"), "+++\narea = \"vn/ha-noi\"\n+++\n# A\n").expect("write");
    std::fs::write(
        dir.join("b.md"),
        "+++\narea = \"vn/ha-noi\"\nid = \"b\"\n+++\n# B\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("c.md"),
        "+++\narea = \"vn\"\nid = \"a\"\n+++\n# C\n",
    )
    .expect("write");
    let src = load_all(&[dir.join("a.md"), dir.join("b.md")]).expect("valid");
    let ids: Vec<&str> = items(&src)
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        src.warnings,
        vec![Warning::IdFromFileName { id: "a".into() }]
    );
    let errs = load_all(&[dir.join("a.md"), dir.join("c.md")]).expect_err("conflict");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].contains("c.md: is published to vn but"), "{errs:?}");
    assert!(
        errs[1].contains("c.md: id \"a\" is already used in"),
        "{errs:?}"
    );
    assert!(load_all::<PathBuf>(&[]).is_err());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn area_and_board_must_be_slugs() {
    let errs = errors_of(md("+++\narea = \"vn/Hà Nội/\"\n+++\nx"));
    assert!(
        errs[0].contains("(did you mean \"vn/ha-noi\"?), found \"vn/Hà Nội/\""),
        "{errs:?}"
    );
    let errs = errors_of(md("+++\nboard = \"Xuân Nộn 01\"\n+++\nx"));
    assert!(
        errs[0].starts_with("thong-bao.md: \"board\": expected a board id"),
        "{errs:?}"
    );
    let errs = errors_of(md("+++\nid = \"x\"\n+++\nx"));
    assert!(
        errs[0].contains("\"area\": is missing: say where to publish"),
        "{errs:?}"
    );
    let src = md("+++\narea = \"/vn/ha-noi/\"\n+++\nx").expect("valid");
    assert_eq!(src.target, Target::Area("vn/ha-noi".into()));
}

#[test]
fn slugs_and_folding() {
    assert_eq!(
        slugify("Thông báo ĐIỆN lực -- 2026!"),
        "thong-bao-dien-luc-2026"
    );
    assert_eq!(slugify("___"), "");
    assert_eq!(slugify(&"ạ".repeat(100)).len(), 64);
    assert_eq!(fold("Thứ Hai"), "thuhai");
    assert_eq!(strsim::levenshtein("duraton", "duration"), 1);
}

/// Fenced blocks of the officers' guide: ```markdown blocks that start with +++ and ```toml
/// blocks with an area or board must be valid files; the error example must give the errors
/// shown under it.
#[test]
fn the_guide_examples_are_valid() {
    let guide = include_str!("../../../../../docs/publishing.md");
    let dir = temp_dir("guide");
    std::fs::write(dir.join("anh/tiem-chung.jpg"), small_jpeg(80, 60)).expect("write");
    std::fs::write(dir.join("anh/le-hoi.jpg"), small_jpeg(80, 60)).expect("write");
    std::fs::write(dir.join("anh/ban-do.png"), small_png(30, 20)).expect("write");
    let mut blocks: Vec<(&str, String)> = Vec::new();
    let mut current: Option<(&str, String)> = None;
    for line in guide.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info, String::new())),
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    let mut checked = 0;
    for (info, text) in &blocks {
        let whole_toml = *info == "toml" && (text.starts_with("area") || text.starts_with("board"));
        if (*info == "markdown" && text.starts_with("+++")) || whole_toml {
            parse(text, "vi-du.md", &dir, *info == "markdown")
                .unwrap_or_else(|e| panic!("guide example fails: {e:#?}\n{text}"));
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} examples found");
    let at = blocks
        .iter()
        .position(|(info, t)| *info == "text" && t.starts_with("+++"))
        .expect("error example");
    let errs = errors_of(parse(&blocks[at].1, "thong-bao.md", &dir, true));
    assert_eq!(errs.join("\n") + "\n", blocks[at + 1].1);
    let _ = std::fs::remove_dir_all(dir);
}

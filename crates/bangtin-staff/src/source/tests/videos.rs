//! Videos in officers' files: the local clip probed as a board will, its sha256 and size
//! computed; clips a board cannot play refused with the reason.

use super::*;
use bangtin_video::clip::{make, Codec, Frames, Spec};
use bangtin_video::Matrix;

fn clip(dir: &Path, name: &str, codec: Codec, (w, h): (u32, u32)) -> Vec<u8> {
    let path = dir.join(name);
    make(
        &path,
        &Spec {
            width: w,
            height: h,
            fps: 30,
            frames: Frames::Colours(vec![[200, 30, 30]; 6]),
            matrix: Matrix::Bt601,
            codec,
        },
    )
    .unwrap_or_else(|e| {
        panic!("cannot make a test clip ({e}): apt-get install gstreamer1.0-plugins-ugly")
    });
    std::fs::read(path).unwrap()
}

#[test]
fn a_video_file_is_checked_and_named_by_its_hash_and_size() {
    let dir = temp_dir("video");
    let bytes = clip(&dir, "clip.mp4", Codec::H264Mp4, (320, 180));
    let src = parse(
        "area = \"vn/ha-noi\"\n[[item]]\ntype = \"video\"\nid = \"sxh\"\ncaption = \"Phòng chống sốt xuất huyết\"\nvideo = { file = \"clip.mp4\", url = \"https://cdn.example.vn/sxh.mp4\" }\n",
        "kenh.toml",
        &dir,
        false,
    )
    .expect("valid");
    let item = &items(&src)[0];
    assert_eq!(item["type"], "video");
    assert_eq!(item["video"]["sha256"], sha_hex(&bytes));
    assert_eq!(item["video"]["bytes"], bytes.len() as u64);
    assert_eq!(item["video"]["url"], "https://cdn.example.vn/sxh.mp4");
    assert!(
        item.get("duration_s").is_none(),
        "as long as its clip: {item}"
    );
    assert!(
        matches!(
            &src.warnings[..],
            [Warning::VideoChecked { what, width: 320, height: 180, millis: 150..=250, url, .. }]
                if what == "MP4 H.264" && url == "https://cdn.example.vn/sxh.mp4"
        ),
        "says what the clip is and where boards fetch it: {:?}",
        src.warnings
    );
    // The channel it makes passes the protocol's own checks.
    let json = serde_json::to_vec(&src.channel).unwrap();
    bangtin_protocol::content::parse_channel(&json).expect("a valid channel");
}

#[test]
fn clips_a_board_cannot_play_are_refused_with_the_reason() {
    let dir = temp_dir("video-bad");
    clip(&dir, "old.mkv", Codec::Mpeg4Mkv, (160, 90));
    clip(&dir, "big.mp4", Codec::H264Mp4, (2560, 1440));
    std::fs::write(dir.join("notes.mp4"), b"not a clip").unwrap();
    for (file, says) in [
        ("old.mkv", "use H.264"),
        ("big.mp4", "2560x1440"),
        ("notes.mp4", "not a video file"),
        ("missing.mp4", "cannot be read"),
    ] {
        let errs = errors_of(parse(
            &format!("area = \"vn\"\n[[item]]\ntype = \"video\"\nid = \"v\"\nvideo = {{ file = \"{file}\", url = \"https://x.vn/v.mp4\" }}\n"),
            "kenh.toml",
            &dir,
            false,
        ));
        assert!(
            errs.iter()
                .any(|e| e.contains("video.file") && e.contains(says)),
            "{file}: {errs:?}"
        );
    }
}

#!/usr/bin/env python3
"""Writes the sample content in examples/ from the images in examples/images/.

Python 3 standard library only. Deterministic: the same images give byte-identical files.

    python3 examples/images/make_images.py   # (needs Pillow) redraws the images
    python3 examples/make_examples.py        # writes the JSON files below, then checks them

Every image is embedded inline ({"inline": standard base64 with padding, "sha256": lowercase hex
of the decoded bytes}), so each file is self-contained. The files under bad/ are broken on
purpose, one fault class each, for tests of `bangtin check` / the parser.
"""

import base64
import hashlib
import json
import os
import re
import struct
import sys
import unicodedata
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "images")
BAD = os.path.join(HERE, "bad")

# Limits of src/content/model.rs (kept here so the self-check needs no Rust).
ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
DURATION = range(3, 601)
INLINE_IMAGE_BYTES = 256 * 1024
MESSAGE_BYTES = 1024 * 1024
TEXT_LIMITS = {"title": 200, "body": 4000, "caption": 300, "text": 500, "qr": 512, "headline": 200,
               "description": 4000, "instruction": 2000, "sender_name": 200}

FEEDBACK_URL = "https://xuannon.dongan.hanoi.gov.vn/phan-anh"


# ----------------------------------------------------------------------------- helpers

def inline(data):
    return {"inline": base64.b64encode(data).decode("ascii"), "sha256": hashlib.sha256(data).hexdigest()}


def image_file(name):
    with open(os.path.join(IMAGES, name), "rb") as f:
        return f.read()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def tiny_png(width=8, height=8):
    """A small, valid RGB PNG: a red cross on white."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type None
        for x in range(width):
            red = (width // 2 - 1 <= x <= width // 2) or (height // 2 - 1 <= y <= height // 2)
            row += bytes((214, 30, 38)) if red else bytes((255, 255, 255))
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + png_chunk(b"IEND", b""))


def patch_png_size(png, width, height):
    """Rewrites the IHDR width/height of `png` and recomputes the IHDR CRC (a structurally valid header)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    ihdr = struct.pack(">II", width, height) + png[24:29]
    return png[:8] + png_chunk(b"IHDR", ihdr) + png[33:]


def garbage(n, seed):
    out = b""
    block = seed
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:n]


def write_json(path, obj):
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return path


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


# ----------------------------------------------------------------------------- the channel

def channel():
    health = image_file("tram-y-te.jpg")
    harvest = image_file("le-hoi-lua-moi.jpg")
    clean = image_file("lang-xanh-sach.jpg")
    return {"items": [
        {
            "id": "tiem-chung-t12-2026",
            "type": "announcement",
            "class": "priority",
            "title": "Lịch tiêm chủng mở rộng tháng 12",
            "body": (
                "Trạm Y tế xã Xuân Nộn tổ chức tiêm chủng mở rộng vào thứ Ba và thứ Tư, ngày 08 và 09/12/2026, "
                "buổi sáng từ 7 giờ 30 đến 11 giờ, buổi chiều từ 13 giờ 30 đến 16 giờ 30. "
                "Đối tượng: trẻ dưới 1 tuổi tiêm vắc xin 5 trong 1, bại liệt (IPV) và sởi; trẻ 18 tháng tuổi tiêm "
                "nhắc bạch hầu – ho gà – uốn ván và sởi – rubella; phụ nữ có thai tiêm phòng uốn ván. "
                "Khi đi tiêm, đề nghị cha mẹ mang theo sổ tiêm chủng hoặc giấy chứng sinh của trẻ; trẻ đang sốt, "
                "ho hoặc mới ốm dậy cần báo cho cán bộ y tế để được khám sàng lọc. "
                "Sau khi tiêm, đề nghị ở lại Trạm Y tế 30 phút để theo dõi."
            ),
            "image": inline(health),
            "qr": FEEDBACK_URL,
            "duration_s": 20,
        },
        {
            "id": "hop-dan-mo-rong-duong-lien-thon",
            "type": "announcement",
            "class": "normal",
            "title": "Thông báo họp dân lấy ý kiến về dự án mở rộng đường liên thôn",
            "body": (
                "UBND xã Xuân Nộn tổ chức hội nghị lấy ý kiến nhân dân về phương án bồi thường, hỗ trợ giải phóng "
                "mặt bằng dự án cải tạo, mở rộng tuyến đường liên thôn đoạn từ cổng làng Xuân Nộn đến Trường Tiểu "
                "học Xuân Nộn.\n"
                "Thời gian: 19 giờ 30 phút, thứ Bảy ngày 05/12/2026.\n"
                "Địa điểm: Nhà văn hóa thôn Xuân Nộn.\n"
                "Thành phần: đại diện các hộ gia đình có đất bị ảnh hưởng bởi dự án và nhân dân quan tâm. "
                "Đề nghị các hộ mang theo bản sao giấy chứng nhận quyền sử dụng đất và căn cước để đối chiếu."
            ),
            "duration_s": 15,
            "valid_from": "2026-11-27T06:00:00+07:00",
            "valid_until": "2026-12-05T19:30:00+07:00",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
            "hours": [{"from": "06:00", "to": "11:00"}, {"from": "13:30", "to": "21:00"}],
        },
        {
            "id": "le-hoi-mung-lua-moi-2026",
            "type": "image",
            "class": "normal",
            "image": inline(harvest),
            "caption": "Lễ hội mừng lúa mới xã Xuân Nộn năm 2026 — bà con nông dân phấn khởi thu hoạch vụ mùa bội thu.",
            "duration_s": 12,
        },
        {
            "id": "phan-loai-rac-tai-nguon",
            "type": "announcement",
            "class": "normal",
            "title": "Thông báo về việc phân loại chất thải rắn sinh hoạt tại nguồn",
            "body": (
                "Thực hiện Luật Bảo vệ môi trường năm 2020 và kế hoạch của UBND huyện Đông Anh về quản lý chất thải "
                "rắn sinh hoạt, UBND xã Xuân Nộn đề nghị các hộ gia đình, cá nhân, cơ quan, trường học và cơ sở kinh "
                "doanh trên địa bàn xã phân loại rác tại nguồn thành ba nhóm như sau:\n"
                "1. Chất thải thực phẩm (rau, củ, quả hỏng, thức ăn thừa, vỏ trái cây): đựng trong túi hoặc thùng "
                "màu xanh lá cây, buộc kín miệng túi.\n"
                "2. Chất thải có khả năng tái sử dụng, tái chế (giấy, bìa các-tông, chai nhựa, lon kim loại, đồ nhựa "
                "cũ): để riêng, giữ khô ráo, bán cho cơ sở thu mua phế liệu hoặc giao cho tổ thu gom.\n"
                "3. Chất thải rắn sinh hoạt khác (túi ni-lông bẩn, tã bỉm, sành sứ vỡ): đựng trong túi hoặc thùng "
                "màu xám.\n"
                "Rác được thu gom từ 16 giờ 30 đến 18 giờ 30 hằng ngày tại điểm tập kết của từng thôn; đề nghị bà con "
                "mang rác ra đúng giờ, không để rác qua đêm bên lề đường. Pin, bóng đèn huỳnh quang, vỏ chai thuốc "
                "bảo vệ thực vật là chất thải nguy hại, phải để riêng và giao cho tổ thu gom vào thứ Bảy cuối tháng.\n"
                "Nghiêm cấm đổ rác, xác động vật xuống ao, hồ, kênh mương và đốt rác ngoài trời. Trường hợp vi phạm "
                "sẽ bị xử lý theo quy định của pháp luật. Mọi phản ánh, đề nghị xin gửi về UBND xã qua mã QR "
                "trên bảng tin."
            ),
            "qr": FEEDBACK_URL,
            "duration_s": 45,
        },
        {
            "id": "cam-dot-rom-ra",
            "type": "announcement",
            "class": "priority",
            "title": (
                "THÔNG BÁO KHẨN: NGHIÊM CẤM ĐỐT RƠM RẠ — KHÓI DẪN ĐẾN TẦM NHÌN HẠN CHẾ, DỄ GÂY TAI NẠN, HỎA HOẠN; "
                "MỖI NGƯỜI GIỮ GÌN SỨC KHỎE CHUNG, CÁC THÔN PHỐI HỢP NHẮC NHỞ, XỬ LÝ NGHIÊM VI PHẠM"
            ),
            "body": (
                "Đang vào thời điểm thu hoạch lúa vụ mùa, tình trạng đốt rơm rạ trên đồng ruộng gây khói mù, ảnh "
                "hưởng đến sức khỏe nhân dân và an toàn giao thông trên các tuyến đường liên xã. UBND xã đề nghị bà "
                "con thu gom rơm rạ làm thức ăn cho gia súc, ủ phân hữu cơ hoặc trồng nấm. Các trường hợp cố tình vi "
                "phạm sẽ bị lập biên bản và xử lý theo quy định."
            ),
            "duration_s": 15,
        },
        {
            "id": "tin-van-cat-dien-10-12",
            "type": "ticker",
            "text": (
                "Tin vắn: Tạm ngừng cấp điện từ 7 giờ 30 đến 16 giờ 30 thứ Năm ngày 10/12/2026 tại khu vực trạm biến "
                "áp Xuân Nộn 3 để bảo dưỡng lưới điện; đề nghị bà con chủ động sắp xếp sinh hoạt, sản xuất."
            ),
        },
        {
            "id": "tin-van-tam-dung-cap-nuoc",
            "type": "ticker",
            "text": (
                "Tin vắn: Tạm dừng cấp nước sạch từ 22 giờ ngày 14/12 đến 5 giờ ngày 15/12/2026 để đấu nối đường "
                "ống mới trên tuyến đường liên thôn; bà con chủ động dự trữ nước."
            ),
        },
        {
            "id": "lang-xanh-sach-dep",
            "type": "image",
            "class": "normal",
            "image": inline(clean),
            "caption": "Chung tay xây dựng làng quê xanh – sạch – đẹp: phân loại rác tại nguồn, bỏ rác đúng nơi quy định.",
            "duration_s": 10,
        },
    ]}


# ----------------------------------------------------------------------------- the alerts

def storm_alert():
    return {
        "id": "bao-so-3-001",
        "msg_type": "alert",
        "references": [],
        "status": "actual",
        "severity": "extreme",
        "headline": "BÃO SỐ 3 (YAGI): SƠ TÁN KHẨN CẤP KHU VỰC VEN ĐÊ",
        "description": (
            "Hồi 16 giờ ngày 06/09/2026, tâm bão số 3 ở trên vùng biển Quảng Ninh – Hải Phòng, sức gió mạnh nhất "
            "vùng gần tâm bão cấp 14, giật trên cấp 17. Đêm nay và ngày mai, khu vực huyện Đông Anh có gió mạnh cấp "
            "7–8, giật cấp 10, mưa rất to từ 150 đến 250 mm. Mực nước sông Hồng đang lên nhanh, có khả năng vượt "
            "báo động II; khu vực ngoài đê, bãi sông có nguy cơ ngập sâu và sạt lở bờ sông."
        ),
        "instruction": (
            "Người dân khu vực ngoài đê di chuyển ngay đến điểm sơ tán theo tuyến đường chỉ dẫn trên bản đồ "
            "trước 20 giờ hôm nay.\n"
            "Mang theo giấy tờ tùy thân, thuốc men, nước uống; ngắt điện, khóa van ga trước khi rời nhà.\n"
            "Không ra sông, không đi qua ngầm, tràn; gọi 112 khi cần cứu nạn."
        ),
        "sender_name": "Ban Chỉ huy PCTT&TKCN huyện Đông Anh",
        "effective": "2026-09-06T17:00:00+07:00",
        "expires": "2026-09-08T17:00:00+07:00",
        "image": inline(image_file("ban-do-so-tan.png")),
    }


def drill_alert():
    return {
        "id": "dien-tap-pccc-cho-xuan-non-2026",
        "msg_type": "alert",
        "references": [],
        "status": "exercise",
        "severity": "severe",
        "headline": "DIỄN TẬP: CHÁY TẠI CHỢ XUÂN NỘN — SƠ TÁN NGAY KHỎI KHU VỰC CHỢ",
        "description": (
            "Công an xã Xuân Nộn phối hợp với Đội Cảnh sát PCCC và CNCH Công an huyện Đông Anh tổ chức diễn tập "
            "phương án chữa cháy, cứu nạn, cứu hộ tại chợ Xuân Nộn. Tình huống giả định: cháy lan từ dãy ki-ốt "
            "hàng khô ở khu vực phía Tây chợ, nhiều người mắc kẹt."
        ),
        "instruction": (
            "Tiểu thương ngắt cầu dao điện tại ki-ốt, di chuyển theo lối thoát nạn ra bãi đỗ xe phía Đông chợ.\n"
            "Không tụ tập theo dõi, nhường đường cho xe chữa cháy.\n"
            "Đây là diễn tập, không phải sự cố thật."
        ),
        "sender_name": "Công an xã Xuân Nộn",
        "effective": "2026-12-12T08:30:00+07:00",
        "expires": "2026-12-12T10:30:00+07:00",
    }


def test_alert():
    return {
        "id": "thu-nghiem-20261201-0900",
        "msg_type": "alert",
        "references": [],
        "status": "test",
        "severity": "minor",
        "headline": "THỬ NGHIỆM KỸ THUẬT HỆ THỐNG CẢNH BÁO",
        "description": (
            "Bản tin thử nghiệm kỹ thuật đường truyền cảnh báo từ huyện đến các bảng tin điện tử công cộng. "
            "Không có sự cố, nhân dân không cần thực hiện hành động nào."
        ),
        "sender_name": "Phòng Văn hóa và Thông tin huyện Đông Anh",
        "effective": "2026-12-01T09:00:00+07:00",
        "expires": "2026-12-01T09:30:00+07:00",
    }


# ----------------------------------------------------------------------------- broken inputs

def bad_files():
    """name -> bytes of each deliberately broken file."""
    files = {}
    dump = lambda obj: (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    tiny = tiny_png()

    # 1. a JSON syntax error: a comma missing between two members (line 6)
    files["malformed.json"] = (
        '{\n'
        '  "items": [\n'
        '    {\n'
        '      "id": "tin-van-hop-chi-bo",\n'
        '      "type": "ticker"\n'
        '      "text": "Tin vắn: Họp chi bộ thôn Xuân Nộn lúc 19 giờ 30 thứ Sáu ngày 04/12/2026."\n'
        '    }\n'
        '  ]\n'
        '}\n'
    ).encode("utf-8")

    # 2. fields of the wrong JSON type
    files["wrong-types.json"] = dump({"items": [
        {"id": "sai-kieu-tieu-de", "type": "announcement", "title": 42,
         "body": "Tiêu đề là một con số, thời lượng là chuỗi.", "duration_s": "15"},
        {"id": "sai-kieu-lich", "type": "announcement", "title": "Lịch trực Tết",
         "class": 1, "valid_from": 1795971600, "days": "mon",
         "hours": {"from": "06:00", "to": "21:00"}},
        {"id": 7, "type": "ticker", "text": ["Tin vắn: danh sách thay cho chuỗi"]},
    ]})

    # 3. required fields missing
    files["missing-fields.json"] = dump({"items": [
        {"type": "announcement", "title": "Thông báo không có mã (id)"},
        {"id": "anh-khong-co-tep", "type": "image", "caption": "Ảnh lễ hội (thiếu trường image)"},
        {"id": "thong-bao-rong", "type": "announcement", "qr": FEEDBACK_URL},
        {"id": "tin-van-hop-le", "type": "ticker", "text": "Tin vắn: mục này hợp lệ."},
    ]})

    # 4. an item type that does not exist
    files["unknown-type.json"] = dump({"items": [
        {"id": "phim-le-hoi", "type": "phim", "url": "https://xuannon.dongan.hanoi.gov.vn/media/le-hoi.mp4",
         "duration_s": 60},
        {"id": "tin-van-hop-le", "type": "ticker", "text": "Tin vắn: mục này hợp lệ."},
    ]})

    # 5. durations outside 3..=600
    files["duration-out-of-range.json"] = dump({"items": [
        {"id": "thoi-luong-0", "type": "announcement", "title": "Thời lượng bằng 0", "duration_s": 0},
        {"id": "thoi-luong-601", "type": "announcement", "title": "Thời lượng 601 giây", "duration_s": 601},
    ]})

    # 6. inline image not in standard base64: URL-safe alphabet ('-' and '_'), as some encoders write it;
    #    the sha256 is that of the real image, so only the decoding is wrong
    small = tiny_png(5, 5)  # its standard base64 has five '/', which URL-safe base64 writes as '_'
    urlsafe = base64.urlsafe_b64encode(small).decode("ascii")
    assert "-" in urlsafe or "_" in urlsafe, "the PNG must need '+' or '/' in standard base64"
    files["bad-base64.json"] = dump({"items": [
        {"id": "anh-base64-sai", "type": "image", "caption": "Ảnh mã hóa base64 sai bảng chữ",
         "image": {"inline": urlsafe, "sha256": hashlib.sha256(small).hexdigest()}},
    ]})

    # 7. decodes and matches its sha256, but is not an image: PNG signature then garbage
    corrupt = b"\x89PNG\r\n\x1a\n" + garbage(312, b"bangtin corrupt-image")
    files["corrupt-image.json"] = dump({"items": [
        {"id": "anh-hong", "type": "image", "caption": "Tệp ảnh bị hỏng", "image": inline(corrupt)},
    ]})

    # 8. a small real PNG whose IHDR (CRC fixed) claims 60000 x 60000 pixels (10.8 GB of RGB)
    bomb = patch_png_size(tiny, 60000, 60000)
    files["image-bomb.json"] = dump({"items": [
        {"id": "anh-qua-lon", "type": "image", "caption": "Ảnh khai báo 60000 × 60000 điểm ảnh",
         "image": inline(bomb)},
    ]})

    # 9. one byte of a legacy 8-bit encoding (Latin-1 'á' = 0xE1) inside an otherwise UTF-8 file
    files["not-utf8.json"] = (
        '{\n'
        '  "items": [\n'
        '    {\n'
        '      "id": "lich-thu-gom-rac",\n'
        '      "type": "announcement",\n'
        '      "title": "Lịch thu gom r'.encode("utf-8") + b"\xe1" + 'c tháng 12",\n'
        '      "body": "Rác được thu gom từ 16 giờ 30 đến 18 giờ 30 hằng ngày."\n'
        '    }\n'
        '  ]\n'
        '}\n'.encode("utf-8")
    )
    return files, {"tiny": tiny, "corrupt": corrupt, "bomb": bomb}


# ----------------------------------------------------------------------------- self-check

class Check:
    def __init__(self):
        self.errors = []

    def fail(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def text(self, where, key, value, limit):
        if not isinstance(value, str) or not value.strip():
            return self.fail(where, f"{key} must be a non-empty string")
        if not unicodedata.is_normalized("NFC", value):
            self.fail(where, f"{key} is not NFC")
        if len(value) > limit:
            self.fail(where, f"{key} has {len(value)} characters, limit {limit}")
        if any(unicodedata.category(c) == "Cc" and c != "\n" for c in value):
            self.fail(where, f"{key} has control characters")

    def image(self, where, img):
        try:
            data = base64.b64decode(img["inline"], validate=True)
        except Exception as e:  # noqa: BLE001
            return self.fail(where, f"inline image is not standard base64: {e}")
        if base64.b64encode(data).decode("ascii") != img["inline"]:
            self.fail(where, "inline image is not canonical padded base64")
        if len(data) > INLINE_IMAGE_BYTES:
            self.fail(where, f"inline image is {len(data)} bytes, limit {INLINE_IMAGE_BYTES}")
        if not re.fullmatch(r"[0-9a-f]{64}", img["sha256"]) or hashlib.sha256(data).hexdigest() != img["sha256"]:
            self.fail(where, "sha256 is not the lowercase hex digest of the decoded bytes")
        if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
            self.fail(where, "inline image is neither PNG nor JPEG")
        return data

    def time(self, where, key, value):
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", value or ""):
            self.fail(where, f"{key} is not an RFC 3339 time with +07:00")

    def channel(self, name, obj, raw):
        if len(raw) >= MESSAGE_BYTES:
            self.fail(name, f"file is {len(raw)} bytes, must stay under {MESSAGE_BYTES}")
        seen = set()
        for i, it in enumerate(obj["items"]):
            w = f"{name} items[{i}]"
            if not ID_RE.match(it.get("id", "")):
                self.fail(w, "bad id")
            if it["id"] in seen:
                self.fail(w, "duplicate id")
            seen.add(it["id"])
            t = it["type"]
            if t not in ("announcement", "image", "ticker"):
                self.fail(w, f"unknown type {t}")
            if it.get("class", "normal") not in ("normal", "priority"):
                self.fail(w, "bad class")
            if not (isinstance(it.get("duration_s", 10), int) and it.get("duration_s", 10) in DURATION):
                self.fail(w, "duration_s out of 3..=600")
            for key in ("title", "body", "caption", "text", "qr"):
                if key in it:
                    self.text(w, key, it[key], TEXT_LIMITS[key])
            if t == "announcement" and not ("title" in it or "body" in it):
                self.fail(w, "announcement without title or body")
            if t == "image" and "image" not in it:
                self.fail(w, "image item without image")
            if t == "ticker" and "text" not in it:
                self.fail(w, "ticker without text")
            if "image" in it:
                self.image(w, it["image"])
            for key in ("valid_from", "valid_until"):
                if key in it:
                    self.time(w, key, it[key])
            if "valid_from" in it and "valid_until" in it and not it["valid_from"] < it["valid_until"]:
                self.fail(w, "valid_until must be after valid_from")
            for d in it.get("days", []):
                if d not in EVERY_DAY:
                    self.fail(w, f"bad day {d}")
            for h in it.get("hours", []):
                for k in ("from", "to"):
                    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", h[k]):
                        self.fail(w, f"bad hours {h}")

    def alert(self, name, obj, raw):
        if len(raw) >= MESSAGE_BYTES:
            self.fail(name, f"file is {len(raw)} bytes, must stay under {MESSAGE_BYTES}")
        if not ID_RE.match(obj["id"]):
            self.fail(name, "bad id")
        if obj["msg_type"] not in ("alert", "update", "cancel"):
            self.fail(name, "bad msg_type")
        if obj["status"] not in ("actual", "exercise", "test"):
            self.fail(name, "bad status")
        if obj["severity"] not in ("extreme", "severe", "moderate", "minor"):
            self.fail(name, "bad severity")
        for key in ("headline", "description", "instruction", "sender_name"):
            if key in obj:
                self.text(name, key, obj[key], TEXT_LIMITS[key])
        self.time(name, "effective", obj["effective"])
        self.time(name, "expires", obj["expires"])
        if not obj["effective"] < obj["expires"]:
            self.fail(name, "expires must be after effective")
        if "image" in obj:
            self.image(name, obj["image"])


def check_all(written, parts):
    c = Check()
    for path in written:
        name = os.path.relpath(path, HERE)
        with open(path, "rb") as f:
            raw = f.read()
        if name.startswith("bad" + os.sep):
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
        except Exception as e:  # noqa: BLE001
            c.fail(name, f"not valid UTF-8 JSON: {e}")
            continue
        (c.channel if "items" in obj else c.alert)(name, obj, raw)

    # the broken files must be broken exactly as intended
    def load(n):
        with open(os.path.join(BAD, n), "rb") as f:
            return f.read()

    try:
        json.loads(load("malformed.json"))
        c.fail("bad/malformed.json", "parses, but must be a syntax error")
    except json.JSONDecodeError:
        pass
    raw = load("not-utf8.json")
    try:
        raw.decode("utf-8")
        c.fail("bad/not-utf8.json", "is valid UTF-8")
    except UnicodeDecodeError as e:
        if raw[e.start] != 0xE1:
            c.fail("bad/not-utf8.json", "unexpected invalid byte")
        json.loads(raw.decode("latin-1"))  # otherwise well-formed
    img = json.loads(load("bad-base64.json"))["items"][0]["image"]
    try:
        base64.b64decode(img["inline"], validate=True)
        c.fail("bad/bad-base64.json", "decodes as standard base64")
    except ValueError:
        pass
    for n, data in (("corrupt-image.json", parts["corrupt"]), ("image-bomb.json", parts["bomb"])):
        img = json.loads(load(n))["items"][0]["image"]
        if base64.b64decode(img["inline"], validate=True) != data or hashlib.sha256(data).hexdigest() != img["sha256"]:
            c.fail("bad/" + n, "inline data or sha256 wrong")
    bomb = parts["bomb"]
    w, h = struct.unpack(">II", bomb[16:24])
    crc = struct.unpack(">I", bomb[29:33])[0]
    if (w, h) != (60000, 60000) or crc != zlib.crc32(bomb[12:29]) & 0xFFFFFFFF:
        c.fail("bad/image-bomb.json", "IHDR not patched or CRC wrong")
    return c.errors


def main():
    os.makedirs(BAD, exist_ok=True)
    written = [
        write_json(os.path.join(HERE, "xa-xuan-non.channel.json"), channel()),
        write_json(os.path.join(HERE, "bao-so-3.alert.json"), storm_alert()),
        write_json(os.path.join(HERE, "dien-tap-chay-no.alert.json"), drill_alert()),
        write_json(os.path.join(HERE, "thu-nghiem.alert.json"), test_alert()),
    ]
    files, parts = bad_files()
    for name, data in sorted(files.items()):
        written.append(write_bytes(os.path.join(BAD, name), data))
    for path in written:
        print(f"{os.path.relpath(path, HERE)}: {os.path.getsize(path)} bytes")
    errors = check_all(written, parts)
    for e in errors:
        print("CHECK FAILED:", e, file=sys.stderr)
    if errors:
        sys.exit(1)
    print("self-check passed")


if __name__ == "__main__":
    main()

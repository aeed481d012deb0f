//! Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows, VIQR): detection and conversion.
//!
//! Every legacy string here is built by this file from the published tables, written out again
//! below in the encoding direction and independently of the module: TCVN 5712:1993 VN3 for
//! TCVN3, the VNI-Windows font table, and RFC 1456 for VIQR. The bytes are then "pasted" the two
//! ways a clipboard delivers them: as Windows-1252 characters, and as Latin-1 (C1 controls for
//! 0x80..=0x9F).

use bangtin_vi::legacy::{convert, detect, is_syllable, repair, Encoding};
use unicode_normalization::UnicodeNormalization;

// ------------------------------------------------------------------------------------------
// Tables, in the encoding direction

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT: char = '\u{323}';
const CIRCUMFLEX: char = '\u{302}';
const BREVE: char = '\u{306}';
const HORN: char = '\u{31B}';

/// Tones in the order TCVN 5712 lists them: huyền, hỏi, ngã, sắc, nặng.
const TONES: [char; 5] = [GRAVE, HOOK, TILDE, ACUTE, DOT];

/// The twelve vowels, in the order of the rows below.
const VOWELS: [&str; 12] = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];

/// TCVN 5712:1993 VN3, small vowels with tone: one row per vowel of VOWELS, columns in TONES
/// order.
const TCVN3_TONED: [[u8; 5]; 12] = [
    [0xB5, 0xB6, 0xB7, 0xB8, 0xB9], // a
    [0xBB, 0xBC, 0xBD, 0xBE, 0xC6], // ă
    [0xC7, 0xC8, 0xC9, 0xCA, 0xCB], // â
    [0xCC, 0xCE, 0xCF, 0xD0, 0xD1], // e
    [0xD2, 0xD3, 0xD4, 0xD5, 0xD6], // ê
    [0xD7, 0xD8, 0xDC, 0xDD, 0xDE], // i
    [0xDF, 0xE1, 0xE2, 0xE3, 0xE4], // o
    [0xE5, 0xE6, 0xE7, 0xE8, 0xE9], // ô
    [0xEA, 0xEB, 0xEC, 0xED, 0xEE], // ơ
    [0xEF, 0xF1, 0xF2, 0xF3, 0xF4], // u
    [0xF5, 0xF6, 0xF7, 0xF8, 0xF9], // ư
    [0xFA, 0xFB, 0xFC, 0xFD, 0xFE], // y
];

/// TCVN 5712:1993 VN3 letters without tone: small letter, its byte, capital, its byte.
const TCVN3_PLAIN: [(char, u8, char, u8); 7] = [
    ('ă', 0xA8, 'Ă', 0xA1),
    ('â', 0xA9, 'Â', 0xA2),
    ('ê', 0xAA, 'Ê', 0xA3),
    ('ô', 0xAB, 'Ô', 0xA4),
    ('ơ', 0xAC, 'Ơ', 0xA5),
    ('ư', 0xAD, 'Ư', 0xA6),
    ('đ', 0xAE, 'Đ', 0xA7),
];

/// VNI-Windows tone bytes after a plain vowel (small forms; capitals are 0x20 lower), TONES
/// order: ø grave, û hook, õ tilde, ù acute, ï dot below.
const VNI_TONE: [u8; 5] = [0xF8, 0xFB, 0xF5, 0xF9, 0xEF];
/// VNI-Windows circumflex bytes: â alone, then with tone in TONES order: à å ã á ä.
const VNI_CIRCUMFLEX: [u8; 6] = [0xE2, 0xE0, 0xE5, 0xE3, 0xE1, 0xE4];
/// VNI-Windows breve bytes: ê alone, then with tone in TONES order: è ú ü é ë.
const VNI_BREVE: [u8; 6] = [0xEA, 0xE8, 0xFA, 0xFC, 0xE9, 0xEB];
/// VNI-Windows whole-letter bytes for i with tone, TONES order: ì æ ó í ò.
const VNI_I: [u8; 5] = [0xEC, 0xE6, 0xF3, 0xED, 0xF2];
/// VNI-Windows whole letters: ơ = ô, ư = ö, đ = ñ, ỵ = î.
const VNI_O_HORN: u8 = 0xF4;
const VNI_U_HORN: u8 = 0xF6;
const VNI_D_BAR: u8 = 0xF1;
const VNI_Y_DOT: u8 = 0xEE;

/// Windows-1252 0x80..=0x9F that the sample sentences use (Microsoft's cp1252 table).
const CP1252: [(u8, char); 10] = [
    (0x80, '€'),
    (0x85, '…'),
    (0x8A, 'Š'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x96, '–'),
    (0x97, '—'),
    (0x9A, 'š'),
];

/// RFC 1456 mnemonics: shapes, then tones in TONES order.
const VIQR_TONE: [char; 5] = ['`', '?', '~', '\'', '.'];

fn toned(vowel: &str, tone: char) -> char {
    let mut composed = format!("{vowel}{tone}").nfc().collect::<Vec<char>>();
    assert_eq!(
        composed.len(),
        1,
        "{vowel} + {tone:?} has no precomposed letter"
    );
    composed.remove(0)
}

/// A Vietnamese letter taken apart: ASCII base, shape mark, index into TONES. None for any other
/// character ("Š" is S with a caron, no Vietnamese letter).
fn parts(c: char) -> Option<(char, Option<char>, Option<usize>)> {
    let mut chars = c.to_string().nfd().collect::<Vec<char>>().into_iter();
    let base = chars.next().filter(char::is_ascii_alphabetic)?;
    let (mut shape, mut tone) = (None, None);
    for mark in chars {
        match TONES.iter().position(|&t| t == mark) {
            Some(t) => tone = Some(t),
            None if [CIRCUMFLEX, BREVE, HORN].contains(&mark) => shape = Some(mark),
            None => return None,
        }
    }
    Some((base, shape, tone))
}

fn cp1252_byte(c: char) -> u8 {
    if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) {
        return c as u32 as u8;
    }
    match CP1252.iter().find(|&&(_, ch)| ch == c) {
        Some(&(byte, _)) => byte,
        None => panic!("{c:?} has no Windows-1252 byte"),
    }
}

/// Unicode text typed in a .VnTime font; a toned capital is typed in .VnTimeH, which draws the
/// small letter's code as a capital.
fn tcvn3_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if let Some(&(_, byte, _, _)) = TCVN3_PLAIN.iter().find(|row| row.0 == c) {
            out.push(byte);
        } else if let Some(&(_, _, _, byte)) = TCVN3_PLAIN.iter().find(|row| row.2 == c) {
            out.push(byte);
        } else if let Some(byte) = tcvn3_toned_byte(c.to_lowercase().next().unwrap()) {
            out.push(byte);
        } else {
            out.push(cp1252_byte(c));
        }
    }
    out
}

fn tcvn3_toned_byte(small: char) -> Option<u8> {
    for (v, vowel) in VOWELS.iter().enumerate() {
        for (t, &tone) in TONES.iter().enumerate() {
            if toned(vowel, tone) == small {
                return Some(TCVN3_TONED[v][t]);
            }
        }
    }
    None
}

/// Unicode text typed in a VNI-Windows font; capitals take the capital mark bytes.
fn vni_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        if c == 'đ' || c == 'Đ' {
            out.push(if c == 'Đ' {
                VNI_D_BAR - 0x20
            } else {
                VNI_D_BAR
            });
            continue;
        }
        let Some((base, shape, tone)) = parts(c) else {
            out.push(cp1252_byte(c));
            continue;
        };
        let capital = |byte: u8| {
            if base.is_ascii_uppercase() {
                byte - 0x20
            } else {
                byte
            }
        };
        let small = base.to_ascii_lowercase();
        match (small, shape) {
            ('i', None) => out.push(tone.map_or(base as u8, |t| capital(VNI_I[t]))),
            ('y', None) if tone == Some(4) => out.push(capital(VNI_Y_DOT)),
            (_, Some(HORN)) => {
                out.push(capital(if small == 'o' { VNI_O_HORN } else { VNI_U_HORN }));
                out.extend(tone.map(|t| capital(VNI_TONE[t])));
            }
            (_, Some(CIRCUMFLEX)) => {
                out.push(base as u8);
                out.push(capital(VNI_CIRCUMFLEX[tone.map_or(0, |t| t + 1)]));
            }
            (_, Some(BREVE)) => {
                out.push(base as u8);
                out.push(capital(VNI_BREVE[tone.map_or(0, |t| t + 1)]));
            }
            _ => {
                out.push(base as u8);
                out.extend(tone.map(|t| capital(VNI_TONE[t])));
            }
        }
    }
    out
}

/// Unicode text written in VIQR; a literal mnemonic after a letter is escaped, as RFC 1456 asks.
fn viqr(text: &str) -> String {
    let mut out = String::new();
    let mut after_letter = false;
    for c in text.nfc() {
        let escape = after_letter && "(^+'`?~.".contains(c);
        after_letter = c.is_alphabetic();
        if escape {
            out.push('\\');
        }
        if c == 'đ' {
            out.push_str("dd");
        } else if c == 'Đ' {
            out.push_str("DD");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let Some((base, shape, tone)) = parts(c) else {
                out.push(c);
                continue;
            };
            out.push(base);
            out.extend(shape.map(|s| match s {
                CIRCUMFLEX => '^',
                BREVE => '(',
                HORN => '+',
                other => panic!("no VIQR for mark {other:?}"),
            }));
            out.extend(tone.map(|t| VIQR_TONE[t]));
        }
    }
    out
}

/// What a paste gives when the clipboard reads the bytes as Windows-1252.
fn paste_cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match CP1252.iter().find(|&&(byte, _)| byte == b) {
            Some(&(_, c)) => c,
            None => {
                assert!(
                    !(0x80..=0x9F).contains(&b),
                    "byte {b:#04X} missing from CP1252"
                );
                char::from(b)
            }
        })
        .collect()
}

/// What a paste gives when the clipboard reads the bytes as Latin-1.
fn paste_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The same text in every legacy form a paste can deliver.
fn legacy_forms(text: &str) -> Vec<(Encoding, String)> {
    vec![
        (Encoding::Tcvn3, paste_cp1252(&tcvn3_bytes(text))),
        (Encoding::Tcvn3, paste_latin1(&tcvn3_bytes(text))),
        (Encoding::Vni, paste_cp1252(&vni_bytes(text))),
        (Encoding::Vni, paste_latin1(&vni_bytes(text))),
        (Encoding::Viqr, viqr(text)),
    ]
}

/// The 134 Vietnamese letters with diacritics: 12 vowels × 5 tones and ă â ê ô ơ ư đ, each in
/// small and capital form.
fn all_letters() -> Vec<char> {
    let mut letters = Vec::new();
    for vowel in VOWELS {
        for tone in TONES {
            let small = toned(vowel, tone);
            letters.push(small);
            letters.push(small.to_uppercase().next().unwrap());
        }
    }
    for (small, _, capital, _) in TCVN3_PLAIN {
        letters.push(small);
        letters.push(capital);
    }
    letters
}

/// A small deterministic generator, so the property tests need no crate and replay exactly.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

// ------------------------------------------------------------------------------------------
// Samples

/// Board announcements that every encoding can carry. TCVN3 has toned capitals only in
/// .VnTimeH, so these use them only in all-capital words.
const SENTENCES: &[&str] = &[
    "Thông báo lịch tiêm chủng cho trẻ em dưới 5 tuổi",
    "UBND xã Xuân Nộn",
    "BÃO SỐ 3: Sơ tán khẩn cấp",
    "Đề nghị bà con đến Trạm y tế xã trước 8 giờ sáng thứ Hai.",
    "Cộng hoà xã hội chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc",
    "Lịch cắt điện: từ 07:30 đến 11:00 ngày 15/6, khu vực thôn Đông và thôn Đoài.",
    "Uỷ ban nhân dân huyện thông báo về việc nghỉ lễ Quốc khánh 2/9.",
    "Phòng chống dịch sốt xuất huyết: diệt lăng quăng, bọ gậy.",
    "Trường Tiểu học Kim Đồng tuyển sinh lớp Một năm học 2026–2027",
    "Người dân cần mang theo Căn cước công dân và giấy hẹn.",
    "THÔNG BÁO KHẨN: nước lũ dâng cao, không qua ngầm tràn!",
    "Họp tổ dân phố lúc 19:30 tối nay tại nhà văn hoá thôn “Ba Hàng” … mời bà con dự.",
];

/// Lower-case Vietnamese words for generated sentences, every letter with diacritics included.
const WORDS: &[&str] = &[
    "thông",
    "báo",
    "lịch",
    "tiêm",
    "chủng",
    "cho",
    "trẻ",
    "em",
    "dưới",
    "tuổi",
    "ủy",
    "ban",
    "nhân",
    "dân",
    "xã",
    "huyện",
    "tỉnh",
    "người",
    "được",
    "những",
    "không",
    "đường",
    "nước",
    "điện",
    "mất",
    "mưa",
    "bão",
    "lũ",
    "sơ",
    "tán",
    "khẩn",
    "cấp",
    "họp",
    "tổ",
    "phố",
    "văn",
    "hoá",
    "thể",
    "thao",
    "sức",
    "khoẻ",
    "bệnh",
    "viện",
    "trạm",
    "y",
    "tế",
    "giờ",
    "sáng",
    "chiều",
    "tối",
    "ngày",
    "tháng",
    "năm",
    "thứ",
    "hai",
    "ba",
    "tư",
    "sáu",
    "bảy",
    "đề",
    "nghị",
    "bà",
    "con",
    "chấp",
    "hành",
    "nghiêm",
    "quy",
    "định",
    "phòng",
    "chống",
    "dịch",
    "cúm",
    "vắc",
    "xin",
    "miễn",
    "phí",
    "học",
    "sinh",
    "trường",
    "tuyển",
    "lớp",
    "mười",
    "kết",
    "quả",
    "công",
    "an",
    "giao",
    "hạn",
    "chế",
    "xe",
    "tải",
    "cầu",
    "đóng",
    "cửa",
    "nghỉ",
    "lễ",
    "quốc",
    "khánh",
    "tết",
    "nguyên",
    "đán",
    "hội",
    "chợ",
    "giống",
    "lúa",
    "thuế",
    "đất",
    "ở",
    "giấy",
    "quyền",
    "sử",
    "dụng",
    "khuyến",
    "khích",
    "gửi",
    "ý",
    "kiến",
    "rượu",
    "khuya",
    "ngoài",
    "hoặc",
    "luật",
    "xuân",
    "ẵm",
];

/// Words whose legacy form no other language writes, in every encoding ("ng\u{AD}êi",
/// "ngöôøi", "ngu+o+`i"). A generated sentence holds two of them: a sentence made only of words
/// with look-alike readings ("Göi cho líp": "líp" is a word in Unicode too) is left alone by
/// design.
const CLEAR_WORDS: &[&str] = &[
    "người",
    "được",
    "những",
    "đường",
    "nước",
    "khẩn",
    "cấp",
    "thông",
    "nhân",
    "dân",
    "huyện",
    "tiêm",
    "điện",
    "nghiêm",
    "trường",
    "quyền",
    "rượu",
    "giấy",
    "việc",
];

/// Real Vietnamese words written only with letters that Windows-1252 also has: the words a VNI
/// or TCVN3 reading could be tempted by.
const LATIN1_WORDS: &[&str] = &[
    "thông", "báo", "tiêm", "xuân", "hòa", "hoà", "bình", "toàn", "dân", "tân", "tâm", "cô", "bà",
    "hà", "lê", "tô", "lâm", "hôm", "nay", "là", "tôi", "chào", "cám", "cà", "phê", "ô", "bò",
    "gió", "vì", "vé", "giá", "thuê", "xe", "khoá", "khóa", "quá", "trình", "luôn", "tuân", "hoàn",
    "thành", "bàn", "giao", "phòng", "cúm", "chích", "mèo", "ý", "ký", "lý", "kèm", "lên", "xin",
    "phép", "chúc", "tên", "biên", "phiên", "tuyên", "chuyên", "yên", "yêu", "kêu", "thêm", "bên",
    "nên", "trên", "tiêu", "tìm", "mình", "tính", "kính", "nhìn", "chín", "tình", "bác", "các",
    "cách", "sách", "khách", "thì", "gì", "mì", "bí", "chí", "trí", "ví", "cái", "bài", "tài",
    "gái", "trái", "ngoài", "toà", "hoá", "xoá", "quà", "quán", "quân", "quê", "thùy", "thúy",
    "túi", "núi", "mùi", "cùng", "chúng", "mùa", "múa", "chùa", "lúa", "võ", "rõ", "ngõ", "xã",
    "mã", "hãy", "bão", "lão", "gãy", "ông",
];

/// Unicode Vietnamese that must never be touched.
const UNICODE_VIETNAMESE: &[&str] = &[
    "Thông báo",
    "Ủy ban",
    "Uỷ ban nhân dân",
    "được",
    "Thông báo lịch tiêm chủng cho trẻ em dưới 5 tuổi",
    "UBND xã Xuân Nộn",
    "BÃO SỐ 3: Sơ tán khẩn cấp",
    "Đề nghị bà con đến Trạm y tế xã trước 8 giờ sáng thứ Hai.",
    "Hoà Bình toàn dân",
    "Xuân Hòa, Bình Tân, Tân Phú",
    "Cô Tâm và chú Sáu",
    "Thông báo: Xuân Hòa, Bình Tân",
    "Tiêm phòng cúm cho bò",
    "Giá vé xe khách",
    "Thuê xe tải",
    "Khoá học hè",
    "Quá trình tuân thủ",
    "Luôn luôn yêu nhau",
    "Hôm nay là thứ Tư",
    "Tôi là Tâm",
    "Bà Hà và cô Lê",
    "Chào cô",
    "Cà phê",
    "Ô tô",
    "Gió mùa",
    "Vì sao?",
    "THÔNG BÁO",
    "THÔNG BÁO KHẨN",
    "XUÂN HÒA",
    "Chúc mừng năm mới!",
    "Cộng hoà xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Người dân cần mang theo Căn cước công dân.",
    "Nguyễn Văn Ánh, Huỳnh Thị Thuỷ, Trương Quốc Khánh",
    "Khuya rồi, hãy tắt đèn. Ngoài trời mưa to.",
    "Rượu bia không lái xe",
    "Quyết định số 135/QĐ-TTg",
    "Buôn Ma Thuột, Đắk Lắk, Pleiku, Kon Tum",
    "Người H'Mông ở Hà Giang",
    "Thứ Ba, ngày 24 tháng 11 năm 2026",
];

/// English, numbers, addresses and other languages' accents that must never be touched.
const NOT_VIETNAMESE: &[&str] = &[
    "Don't worry, it's fine.",
    "Why? Because I said so.",
    "https://x.vn/a?b=c",
    "Visit www.example.com/path?x=1&y=2 today",
    "Email me at nguyen.van.a@example.vn",
    "Meeting at 08:00, lunch at 12:30.",
    "Price: $5.99, €10 or 250.000 VND",
    "CO2 levels rose 3.5%",
    "Room A-1, floor 2",
    "I'm sure I'm right.",
    "I'm in, I'm on.",
    "Open 8 a.m. to 5 p.m., or 9 a.m. on Sundays",
    "Yes ma'am, I'm here.",
    "e.g. the U.S. and i.e. the E.U.",
    "Go. No. So. Do it.",
    "Who? Me? Why? How?",
    "What's up? He'll see. We're done. You've got mail.",
    "C++ and C# and F#",
    "x^2 + y^2 = z^2",
    "f(x) = a(b) + c",
    "Use ~/bin and `ls`",
    "Hello~ world~",
    "O'Brien and O'Neil went to Hawai'i",
    "rock'n'roll",
    "The café serves crème brûlée à la carte.",
    "Où est la gare? Dû à la grève.",
    "Grüße aus München, Straße 5",
    "Müller, Schön, Käse, Mädchen, Öl",
    "© 2024 «guillemets» et ‹ simples ›",
    "naïve résumé of Pokémon and Beyoncé",
    "¿Qué tal? Mañana en São Paulo, não.",
    "Zürich, Noël, Zoë, Chloë",
    "x·y = y·x",
    "5 µm × 3 µm",
    "10 ÷ 2 = 5",
    "A¹ B² C³ and ½ cup, ¼ tsp",
    "Français: où, là, déjà, été, côte, hôtel, tôt, plutôt, goût, août",
    "Português: você, avô, está, são",
    "Español: sí, está, más, qué, José, Perú, niño",
    "DDR4, DDoS and DVD",
    "UBND, THCS, THPT, CCCD",
    "Page 1/2 -- see section 3.4.5",
    "Tel: +84 24 3825 1234",
    "#hashtag @mention",
    "Dear Sir/Madam,\nPlease find attached.",
    "OK",
    "",
    "   ",
    "12345",
    "3.14159",
    "A",
    "a.b.c",
    "x.vn",
    "file.txt and data.csv",
    "Hello, world!",
    "Hello (world)",
    "Alpha(R) and Java(TM)",
    "O+ and A+ blood",
    "Disney+ and Apple TV+",
    "«Bonjour» dit-il, «ça va?»",
    "Señor Muñoz y la niña",
    "Ærø, Øresund, Ångström",
    "Loïc et Caïn sont thaï",
    "Più tardi a Traù, così",
    // Found by scanning the sources and documentation on a developer machine.
    "/// [`NetworkEndian`], [`BE`], and [`LE`].",
    "    //   - <L>: U+1100..115F, U+A960..A97F",
    "    //   = COEFFS[1] + COEFFS[2] * lo + COEFFS[3] * lo^2 + COEFFS[4] * lo^3",
    "        Keysym::Sinh_dda => Some(\"XK_Sinh_dda\"),",
    "  ^~hi~~~~ ^~lo~~~~~~~~~~~~~~~~~~~",
];

/// Unicode Vietnamese mixed with English, addresses and numbers.
const MIXED: &[&str] = &[
    "Thông báo: meeting lúc 08:00 tại phòng họp",
    "Họp online qua Zoom: https://zoom.us/j/123?pwd=abc",
    "Liên hệ: ubnd@xuannon.vn hoặc 0243 888 999",
    "Bản tin COVID-19: 5 ca F0 mới",
    "Cuộc thi 'Tôi yêu Việt Nam' – don't miss it!",
    "Why? Vì sao?",
    "Wi-Fi miễn phí tại UBND xã",
    "Giá: 50.000đ/kg (≈ $2)",
    "Thông báo – Notice: Xuân Hòa, Bình Tân",
    "Cô Tâm's café",
    "THÔNG BÁO / NOTICE",
    "Tiêm vaccine Pfizer, Moderna tại trạm y tế",
];

// ------------------------------------------------------------------------------------------
// Tests

#[test]
fn encodings_have_their_common_names() {
    assert_eq!(Encoding::Tcvn3.name(), "TCVN3 (ABC)");
    assert_eq!(Encoding::Vni.name(), "VNI-Windows");
    assert_eq!(Encoding::Viqr.name(), "VIQR");
    assert_eq!(Encoding::Vni.to_string(), "VNI-Windows");
}

#[test]
fn pasted_examples_are_repaired() {
    let cases = [
        ("Th«ng b¸o", Encoding::Tcvn3, "Thông báo"),
        // VN3 has no "Ủ": ABC typists wrote "Uỷ", and the repair keeps what they typed.
        ("Uû ban nh©n d©n", Encoding::Tcvn3, "Uỷ ban nhân dân"),
        ("Thoâng baùo", Encoding::Vni, "Thông báo"),
        ("Uûy ban nhaân daân", Encoding::Vni, "Ủy ban nhân dân"),
        ("Tho^ng ba'o", Encoding::Viqr, "Thông báo"),
        ("U?y ban nha^n da^n", Encoding::Viqr, "Ủy ban nhân dân"),
        ("DDa(ng ky' ta.m tru'", Encoding::Viqr, "Đăng ký tạm trú"),
        (
            "Céng hoµ x· héi chñ nghÜa ViÖt Nam",
            Encoding::Tcvn3,
            "Cộng hoà xã hội chủ nghĩa Việt Nam",
        ),
        (
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
            Encoding::Vni,
            "Cộng hòa xã hội chủ nghĩa Việt Nam",
        ),
        (
            "§éc lËp - Tù do - H¹nh phóc",
            Encoding::Tcvn3,
            "Độc lập - Tự do - Hạnh phúc",
        ),
        (
            "Ñoäc laäp - Töï do - Haïnh phuùc",
            Encoding::Vni,
            "Độc lập - Tự do - Hạnh phúc",
        ),
    ];
    for (pasted, encoding, expected) in cases {
        assert_eq!(detect(pasted), Some(encoding), "detect({pasted:?})");
        assert_eq!(
            repair(pasted),
            Some((encoding, expected.to_owned())),
            "repair({pasted:?})"
        );
    }
}

#[test]
fn sentences_built_from_the_tables_are_detected_and_converted() {
    for &sentence in SENTENCES {
        for (encoding, pasted) in legacy_forms(sentence) {
            assert_ne!(
                pasted, sentence,
                "{encoding} form of {sentence:?} is not legacy"
            );
            assert_eq!(detect(&pasted), Some(encoding), "detect({pasted:?})");
            assert_eq!(convert(&pasted, encoding), sentence, "convert({pasted:?})");
            assert_eq!(
                repair(&pasted),
                Some((encoding, sentence.to_owned())),
                "repair({pasted:?})"
            );
        }
    }
}

#[test]
fn the_expected_legacy_forms_are_what_the_tables_give() {
    // Spot checks of the test's own encoders against strings seen in real documents.
    let sentence = "Thông báo lịch tiêm chủng cho trẻ em dưới 5 tuổi";
    assert_eq!(
        paste_cp1252(&tcvn3_bytes(sentence)),
        "Th«ng b¸o lÞch tiªm chñng cho trÎ em d\u{AD}íi 5 tuæi"
    );
    assert_eq!(
        paste_cp1252(&vni_bytes(sentence)),
        "Thoâng baùo lòch tieâm chuûng cho treû em döôùi 5 tuoåi"
    );
    assert_eq!(
        viqr(sentence),
        "Tho^ng ba'o li.ch tie^m chu?ng cho tre? em du+o+'i 5 tuo^?i"
    );
    assert_eq!(paste_cp1252(&tcvn3_bytes("BÃO SỐ 3")), "B·O Sè 3");
    assert_eq!(viqr("thứ Hai."), "thu+' Hai\\.");
}

#[test]
fn all_134_letters_round_trip_through_every_encoding() {
    let letters = all_letters();
    assert_eq!(letters.len(), 134);
    let mut unique = letters.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 134, "a letter was built twice");

    for letter in letters {
        let alone = letter.to_string();
        let vni = paste_cp1252(&vni_bytes(&alone));
        assert_eq!(convert(&vni, Encoding::Vni), alone, "VNI {vni:?}");
        let vni_latin1 = paste_latin1(&vni_bytes(&alone));
        assert_eq!(
            convert(&vni_latin1, Encoding::Vni),
            alone,
            "VNI {vni_latin1:?}"
        );
        let viqr_form = viqr(&alone);
        assert_eq!(
            convert(&viqr_form, Encoding::Viqr),
            alone,
            "VIQR {viqr_form:?}"
        );

        // VN3 has small letters and seven capitals; every other capital is a .VnTimeH small
        // code, recognisable only in a word whose ASCII letters are capitals.
        let in_vn3 = letter.is_lowercase() || TCVN3_PLAIN.iter().any(|row| row.2 == letter);
        let word = if in_vn3 { alone } else { format!("B{letter}N") };
        let tcvn3 = paste_cp1252(&tcvn3_bytes(&word));
        // VN3 puts ý at 0xFD, where Latin-1 has ý too; every other letter looks different.
        if letter != 'ý' {
            assert_ne!(tcvn3, word);
        }
        assert_eq!(convert(&tcvn3, Encoding::Tcvn3), word, "TCVN3 {tcvn3:?}");
    }
}

#[test]
fn vntimeh_capitals_follow_the_words_around_them() {
    let cases = [
        ("B·O Sè 3: S¬ t¸n khÈn cÊp", "BÃO SỐ 3: Sơ tán khẩn cấp"),
        ("UBND X· XU¢N NéN", "UBND XÃ XUÂN NỘN"),
        ("TH¤NG B¸O\nThêi gian: 7 giê", "THÔNG BÁO\nThời gian: 7 giờ"),
        // A line break ends the reach of a capital word.
        ("KHÈN\nSè ®iÖn tho¹i", "KHẨN\nSố điện thoại"),
    ];
    for (pasted, expected) in cases {
        assert_eq!(convert(pasted, Encoding::Tcvn3), expected, "{pasted:?}");
        assert_eq!(detect(pasted), Some(Encoding::Tcvn3), "{pasted:?}");
    }
}

#[test]
fn cp1252_punctuation_survives_both_clipboard_readings() {
    let sentence = "Thông báo “khẩn” – phí 5 € … ‘hết’ hạn — Šá";
    let bytes = tcvn3_bytes(sentence);
    assert!(bytes.iter().any(|b| (0x80..=0x9F).contains(b)));
    let as_cp1252 = paste_cp1252(&bytes);
    let as_latin1 = paste_latin1(&bytes);
    assert!(
        as_latin1.contains('\u{93}'),
        "Latin-1 reading keeps C1 controls"
    );
    for pasted in [as_cp1252, as_latin1] {
        assert_eq!(detect(&pasted), Some(Encoding::Tcvn3), "{pasted:?}");
        assert_eq!(
            convert(&pasted, Encoding::Tcvn3),
            sentence.nfc().collect::<String>()
        );
    }
    // The same through VNI.
    let bytes = vni_bytes(sentence);
    for pasted in [paste_cp1252(&bytes), paste_latin1(&bytes)] {
        assert_eq!(detect(&pasted), Some(Encoding::Vni), "{pasted:?}");
        assert_eq!(convert(&pasted, Encoding::Vni), sentence);
    }
}

#[test]
fn unicode_vietnamese_is_left_alone() {
    for &text in UNICODE_VIETNAMESE {
        let nfd: String = text.nfd().collect();
        for form in [text.to_owned(), nfd] {
            assert_eq!(detect(&form), None, "detect({form:?})");
            assert_eq!(repair(&form), None, "repair({form:?})");
        }
        let upper = text.to_uppercase();
        assert_eq!(detect(&upper), None, "detect({upper:?})");
    }
}

#[test]
fn latin1_only_vietnamese_is_left_alone_in_every_pair_and_triple() {
    // The hard case: "â ê ô ù à á" are Unicode letters and VNI marks alike, and every letter of
    // these words is also a Windows-1252 byte.
    for &word in LATIN1_WORDS {
        assert!(
            word.chars().all(|c| (c as u32) < 0x100),
            "{word} is not Latin-1"
        );
        assert!(is_syllable(word), "{word} should be a syllable");
    }
    for &first in LATIN1_WORDS {
        for &second in LATIN1_WORDS {
            let pair = format!("{first} {second}");
            assert_eq!(detect(&pair), None, "detect({pair:?})");
        }
    }
    for window in LATIN1_WORDS.windows(3) {
        let lower = window.join(" ");
        let mut chars = lower.chars();
        let head: String = chars
            .next()
            .into_iter()
            .flat_map(char::to_uppercase)
            .collect();
        let capital = head + chars.as_str();
        for text in [lower.clone(), capital, lower.to_uppercase()] {
            assert_eq!(detect(&text), None, "detect({text:?})");
        }
    }
}

#[test]
fn generated_unicode_sentences_are_left_alone() {
    let mut rng = Lcg(7);
    for _ in 0..400 {
        let sentence = random_sentence(&mut rng, WORDS);
        assert_eq!(detect(&sentence), None, "detect({sentence:?})");
        let nfd: String = sentence.nfd().collect();
        assert_eq!(detect(&nfd), None, "detect({nfd:?})");
        let latin1 = random_sentence(&mut rng, LATIN1_WORDS);
        assert_eq!(detect(&latin1), None, "detect({latin1:?})");
    }
}

#[test]
fn english_addresses_and_other_languages_are_left_alone() {
    for &text in NOT_VIETNAMESE {
        assert_eq!(detect(text), None, "detect({text:?})");
        assert_eq!(repair(text), None, "repair({text:?})");
    }
}

#[test]
fn mixed_vietnamese_and_english_is_left_alone() {
    for &text in MIXED {
        assert_eq!(detect(text), None, "detect({text:?})");
        assert_eq!(repair(text), None, "repair({text:?})");
    }
}

#[test]
fn generated_legacy_sentences_round_trip() {
    let mut rng = Lcg(2026);
    for _ in 0..300 {
        let sentence = random_legacy_sentence(&mut rng);
        for (encoding, pasted) in legacy_forms(&sentence) {
            assert_eq!(
                detect(&pasted),
                Some(encoding),
                "detect({pasted:?}) for {sentence:?}"
            );
            assert_eq!(convert(&pasted, encoding), sentence, "convert({pasted:?})");
        }
    }
}

#[test]
fn repaired_text_is_not_repaired_again() {
    for &sentence in SENTENCES {
        for (encoding, pasted) in legacy_forms(sentence) {
            let (found, repaired) = repair(&pasted).expect("legacy sentence repaired");
            assert_eq!(found, encoding);
            assert_eq!(repair(&repaired), None, "second repair of {repaired:?}");
        }
    }
}

#[test]
fn a_single_legacy_word_is_converted_but_not_detected() {
    assert_eq!(detect("Th«ng"), None);
    assert_eq!(convert("Th«ng", Encoding::Tcvn3), "Thông");
    assert_eq!(detect("Thoâng"), None);
    assert_eq!(convert("Thoâng", Encoding::Vni), "Thông");
    assert_eq!(detect("DDa(ng"), None);
    assert_eq!(convert("DDa(ng", Encoding::Viqr), "Đăng");
}

#[test]
fn too_little_evidence_is_left_alone() {
    // One telling word: "líp" is a Unicode word as it stands, so only "Göi" speaks for TCVN3.
    assert_eq!(detect("Göi cho líp"), None);
    assert_eq!(convert("Göi cho líp", Encoding::Tcvn3), "Gửi cho lớp");
    // Two telling words drowned in English.
    let english = "Th«ng b¸o: Covid-19 vaccine Pfizer, Moderna";
    assert_eq!(detect(english), None);
    assert_eq!(
        detect("Th«ng b¸o: Covid-19 tiªm cho trÎ em"),
        Some(Encoding::Tcvn3)
    );
}

#[test]
fn arbitrary_text_never_panics() {
    const POOL: &[char] = &[
        'a', 'o', 'u', 'y', 'd', 'D', 'n', 'g', 'T', ' ', ' ', '\n', '.', '?', '\'', '`', '~', '^',
        '(', '+', '\\', '_', ':', '/', '@', '1', '«', '¸', 'µ', '×', '\u{AD}', 'â', 'ù', 'ï', 'ö',
        'Ö', 'Ê', 'ñ', 'Ñ', '\u{93}', '\u{81}', '€', 'Š', 'ư', 'ạ', 'Đ', '\u{301}', '\u{302}',
        '\u{31B}', '😀', '\u{A0}', 'ß', 'ÿ',
    ];
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let len = rng.below(24);
        let text: String = (0..len).map(|_| POOL[rng.below(POOL.len())]).collect();
        let _ = detect(&text);
        let _ = repair(&text);
        for encoding in [Encoding::Tcvn3, Encoding::Vni, Encoding::Viqr] {
            let converted = convert(&text, encoding);
            assert_eq!(
                converted,
                converted.nfc().collect::<String>(),
                "{text:?} not NFC"
            );
        }
    }
}

#[test]
fn viqr_follows_rfc_1456() {
    let cases = [
        ("dd", "đ"),
        ("DD", "Đ"),
        ("Ddi", "Đi"),
        ("Anh ddi dda^u\\?", "Anh đi đâu?"),
        ("mo+'i ra ddo+`i\\.", "mới ra đời."),
        // A mnemonic that cannot combine stays itself: no horn on "a", no tone on "n".
        ("a+b n'", "a+b n'"),
        // Unescaped, a full stop after a vowel is a dot below, as the RFC reads it.
        ("Hai.", "Haị"),
        ("Thu? DDu+'c", "Thủ Đức"),
        ("Qui Nho+n", "Qui Nhơn"),
        ("khuye^'n khi'ch", "khuyến khích"),
        ("Xem https://x.vn/a?b=c nhe'", "Xem https://x.vn/a?b=c nhé"),
    ];
    for (viqr_text, expected) in cases {
        assert_eq!(
            convert(viqr_text, Encoding::Viqr),
            expected,
            "{viqr_text:?}"
        );
    }
}

#[test]
fn vni_marks_without_a_vowel_stay_as_they_came() {
    // "á" after "b" is no VNI mark position; convert keeps it and detect never takes it.
    assert_eq!(convert("báo", Encoding::Vni), "báo");
    assert_eq!(
        convert("Thoâng baùo cuûa UBND", Encoding::Vni),
        "Thông báo của UBND"
    );
    assert_eq!(detect("báo tôi"), None);
}

#[test]
fn c1_controls_outside_words_become_cp1252_text() {
    assert_eq!(
        convert("\u{93}Th«ng b¸o\u{94} \u{96} \u{85}", Encoding::Tcvn3),
        "“Thông báo” – …"
    );
    assert_eq!(
        convert("\u{93}Thoâng baùo\u{94}", Encoding::Vni),
        "“Thông báo”"
    );
}

#[test]
fn syllable_check_accepts_real_words_and_rejects_others() {
    for word in WORDS.iter().chain(LATIN1_WORDS.iter()) {
        assert!(is_syllable(word), "{word}");
        assert!(is_syllable(&word.to_uppercase()), "{word} in capitals");
        let nfd: String = word.nfd().collect();
        assert!(is_syllable(&nfd), "{word} in NFD");
    }
    let real = [
        "nghiêng", "Nguyễn", "quyết", "khuỷu", "gìn", "giữa", "thuở", "xoong", "hoạch", "oẳn",
        "huých", "tuýp", "Ừ", "ừm", "ếch", "ỉa", "Đắc", "òa", "oà", "thủy", "thuỷ",
    ];
    for word in real {
        assert!(is_syllable(word), "{word}");
    }
    let not_words = [
        "",
        "Th«ng",
        "baùo",
        "Thoâng",
        "tôt",
        "cafe",
        "sure",
        "ThÔng",
        "ngh",
        "qa",
        "quu",
        "â",
        "ằ",
        "ăm\u{301}x",
        "hello",
        "bọng\u{301}",
        "Mỹller",
        "x y",
    ];
    for word in not_words {
        assert!(!is_syllable(word), "{word:?}");
    }
}

fn random_sentence(rng: &mut Lcg, words: &[&str]) -> String {
    let count = 4 + rng.below(6);
    let sentence: Vec<&str> = (0..count).map(|_| words[rng.below(words.len())]).collect();
    let mut text = capitalised(&sentence.join(" "));
    if rng.below(2) == 0 {
        text.push('.');
    }
    text
}

/// Two words from CLEAR_WORDS among random ones, capitalised and punctuated like
/// `random_sentence`.
fn random_legacy_sentence(rng: &mut Lcg) -> String {
    let base = random_sentence(rng, WORDS);
    let mut words: Vec<String> = base
        .trim_end_matches('.')
        .split(' ')
        .map(str::to_lowercase)
        .collect();
    for _ in 0..2 {
        let at = rng.below(words.len() + 1);
        words.insert(at, CLEAR_WORDS[rng.below(CLEAR_WORDS.len())].to_owned());
    }
    let mut text = capitalised(&words.join(" "));
    if base.ends_with('.') {
        text.push('.');
    }
    text
}

/// The first letter in capitals when every encoding has that capital (ASCII or Đ).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_ascii_alphabetic() || first == 'đ' => {
            first.to_uppercase().collect::<String>() + chars.as_str()
        }
        Some(first) => first.to_string() + chars.as_str(),
        None => String::new(),
    }
}

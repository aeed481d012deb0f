//! The bundled fonts: exactly the faces we ship, each covering every Vietnamese letter, and
//! shaping that never reaches for a system font.

use bangtin_layout::fonts;
use cosmic_text::FontSystem;
use unicode_normalization::UnicodeNormalization;

/// The 146 letters of Vietnamese: 12 vowels x 6 tones (with no tone mark as the first), in both
/// cases, plus Đ and đ. Built from base letters and combining tone marks, composed to NFC.
fn vietnamese_letters() -> Vec<char> {
    let vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];
    let tones = ["", "\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"];
    let mut out = Vec::new();
    for v in vowels {
        for t in tones {
            for s in [format!("{v}{t}"), format!("{}{t}", v.to_uppercase())] {
                let nfc: Vec<char> = s.nfc().collect();
                assert_eq!(nfc.len(), 1, "{s:?} composes to one precomposed letter");
                out.push(nfc[0]);
            }
        }
    }
    out.extend(['đ', 'Đ']);
    out
}

#[test]
fn there_are_146_letters() {
    let mut letters = vietnamese_letters();
    letters.sort_unstable();
    letters.dedup();
    assert_eq!(letters.len(), 146);
}

#[test]
fn every_bundled_face_has_every_vietnamese_letter() {
    let mut system = FontSystem::new_with_locale_and_db("vi-VN".into(), fonts::database());
    let faces: Vec<(cosmic_text::fontdb::ID, String, u16)> = system
        .db()
        .faces()
        .map(|f| (f.id, f.families[0].0.clone(), f.weight.0))
        .collect();
    assert_eq!(
        faces.len(),
        fonts::files().count(),
        "one face per bundled file"
    );
    let families: std::collections::BTreeSet<&str> =
        faces.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(
        families,
        [fonts::SANS, fonts::FALLBACK, fonts::PIXEL]
            .into_iter()
            .collect()
    );
    for (id, family, weight) in faces {
        let font = system
            .get_font(id, cosmic_text::fontdb::Weight(weight))
            .unwrap_or_else(|| panic!("{family} {weight} loads"));
        let charmap = font.as_swash().charmap();
        let missing: String = vietnamese_letters()
            .into_iter()
            .filter(|&c| charmap.map(c) == 0)
            .collect();
        assert!(missing.is_empty(), "{family} {weight} lacks {missing}");
    }
}

#[test]
fn the_default_families_are_the_bundled_ones() {
    let db = fonts::database();
    for family in [
        cosmic_text::fontdb::Family::SansSerif,
        cosmic_text::fontdb::Family::Serif,
    ] {
        let query = cosmic_text::fontdb::Query {
            families: &[family],
            ..Default::default()
        };
        let id = db.query(&query).expect("a default face");
        assert_eq!(db.face(id).unwrap().families[0].0, fonts::SANS);
    }
}

//! Legacy-encoding repair: never panics, and what it returns is NFC text.
#![no_main]

use bangtin_vi::legacy::{self, Encoding};
use libfuzzer_sys::fuzz_target;
use unicode_normalization::is_nfc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((_, fixed)) = legacy::repair(text) {
        assert!(is_nfc(&fixed), "repair returned text that is not NFC");
    }
    for e in [Encoding::Tcvn3, Encoding::Vni, Encoding::Viqr] {
        assert!(
            is_nfc(&legacy::convert(text, e)),
            "convert returned text that is not NFC"
        );
    }
});

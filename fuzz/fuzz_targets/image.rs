//! Image bytes through the board's limits: header check, then decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if bangtin_media::dimensions(data).is_ok() {
        let _ = bangtin_media::decode(data);
    }
});

//! The board config (TOML), both stages.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = bangtin_config::parse(text, "board.toml") {
            let _ = e.to_string();
        }
    }
});

//! The officers' file format (Markdown front matter and TOML), as `bangtin publish` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = std::env::temp_dir();
    let _ = bangtin_staff::source::parse(text, "fuzz.md", &dir, true);
    let _ = bangtin_staff::source::parse(text, "fuzz.toml", &dir, false);
});

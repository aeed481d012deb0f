//! Channel, alert and command validation of JSON from outside.
#![no_main]

use bangtin_protocol::content;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = content::parse_channel(data);
    let _ = content::parse_alert(data);
    let _ = content::parse_command(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = content::parse_body(text);
    }
});

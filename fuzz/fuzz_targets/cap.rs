//! CAP 1.2 XML, as an alert's `cap` field or `bangtin alert --cap` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(xml) = std::str::from_utf8(data) {
        let _ = bangtin_protocol::content::alert_from_cap(xml, "fuzz.xml");
    }
});

//! Vietnamese text and time, as a commune's board needs them and nothing else does for it:
//!
//! - [`calendar`]: Vietnam's time zone (UTC+7, defined once here), weekday names, the header's
//!   date line and the lunar (âm lịch) date, computed, not tabulated;
//! - [`legacy`]: text typed in TCVN3 (ABC), VNI-Windows or VIQR recognised and converted to
//!   Unicode, without ever touching text that is already good Unicode.
//!
//! Pure functions: no I/O, no state, no dependency but chrono and unicode-normalization, so it
//! can serve any Vietnamese application.

pub mod calendar;
pub mod legacy;

//! `[display]`: the picture, where it goes on the video output, and its brightness by hour.

use crate::check::{describe, quote, show_key, Checker, Reported, Sect};
use crate::{Display, Region, Scaling, DEFAULT_FADE_MS, DEFAULT_TICKER_SPEED};
use toml::{Table, Value};

pub(crate) const DISPLAY_KEYS: &[&str] = &[
    "width",
    "height",
    "rotation",
    "region",
    "header",
    "ticker",
    "ticker_speed",
    "fade_ms",
    "scaling",
    "brightness",
];

impl Checker<'_> {
    pub(crate) fn display(&mut self, root: &Table) -> Option<Display> {
        let empty = Table::new();
        let s = self.optional_section(root, "display", DISPLAY_KEYS, &empty)?;
        let width = self.int(&s, "width", (16, 7680), 1920, " pixels");
        let height = self.int(&s, "height", (16, 7680), 1080, " pixels");
        let rotation = match self.int(&s, "rotation", (0, 270), 0, " degrees") {
            Some(r) if r % 90 == 0 => Some(r),
            Some(r) => {
                self.problem(
                    s.place,
                    "rotation",
                    format!("must be 0, 90, 180 or 270, got {r}"),
                );
                None
            }
            None => None,
        };
        let region = self.region(&s);
        let header = self.boolean(&s, "header", true);
        let ticker = self.boolean(&s, "ticker", true);
        let ticker_speed = self.int(
            &s,
            "ticker_speed",
            (10, 2000),
            i64::from(DEFAULT_TICKER_SPEED),
            " pixels per second",
        );
        let fade_ms = self.int(
            &s,
            "fade_ms",
            (0, 300),
            i64::from(DEFAULT_FADE_MS),
            " milliseconds",
        );
        let scaling = match self.string(&s, "scaling") {
            Ok(None) | Ok(Some("auto")) => Some(Scaling::Auto),
            Ok(Some("nearest")) => Some(Scaling::Nearest),
            Ok(Some("smooth")) => Some(Scaling::Smooth),
            Ok(Some(other)) => {
                self.problem(
                    s.place,
                    "scaling",
                    format!(
                        "must be \"auto\", \"nearest\" or \"smooth\", got {}",
                        quote(other)
                    ),
                );
                None
            }
            Err(Reported) => None,
        };
        let brightness = self.brightness(&s);
        Some(Display {
            width: u32::try_from(width?).ok()?,
            height: u32::try_from(height?).ok()?,
            rotation: u32::try_from(rotation?).ok()?,
            region: region?,
            header: header?,
            ticker: ticker?,
            ticker_speed: u32::try_from(ticker_speed?).ok()?,
            fade_ms: u32::try_from(fade_ms?).ok()?,
            scaling: scaling?,
            brightness: brightness?,
        })
    }

    /// `region = { x = 0, y = 0, width = 384, height = 192 }`; `Some(None)` when absent.
    pub(crate) fn region(&mut self, s: &Sect<'_>) -> Option<Option<Region>> {
        const EXPECTED: &str =
            "an inline table such as { x = 0, y = 0, width = 384, height = 192 }";
        let table = match s.table.get("region") {
            None => return Some(None),
            Some(Value::Table(t)) => t,
            Some(other) => {
                self.type_problem(s.place, "region", EXPECTED, other);
                return None;
            }
        };
        let mut values = [0i64; 4];
        let mut good = true;
        for (i, (key, min, max)) in [
            ("x", -16384, 16384),
            ("y", -16384, 16384),
            ("width", 16, 16384),
            ("height", 16, 16384),
        ]
        .into_iter()
        .enumerate()
        {
            match table.get(key) {
                Some(Value::Integer(v)) if (min..=max).contains(v) => values[i] = *v,
                Some(Value::Integer(v)) => {
                    self.problem(
                        s.place,
                        "region",
                        format!("{key} must be {min}..={max} pixels, got {v}"),
                    );
                    good = false;
                }
                Some(other) => {
                    self.problem(
                        s.place,
                        "region",
                        format!("{key} must be an integer, got {}", describe(other)),
                    );
                    good = false;
                }
                None => {
                    self.problem(s.place, "region", format!("needs {key} ({EXPECTED})"));
                    good = false;
                }
            }
        }
        for key in table.keys() {
            if !["x", "y", "width", "height"].contains(&key.as_str()) {
                self.problem(
                    s.place,
                    "region",
                    format!(
                        "has {} which is not one of x, y, width, height",
                        show_key(key)
                    ),
                );
                good = false;
            }
        }
        good.then_some(Some(Region {
            x: values[0] as i32,
            y: values[1] as i32,
            width: values[2] as u32,
            height: values[3] as u32,
        }))
    }

    /// `brightness = [{ from = "06:00", percent = 100 }, ...]`, sorted by time of day.
    pub(crate) fn brightness(&mut self, s: &Sect<'_>) -> Option<Vec<(u32, u32)>> {
        const EXPECTED: &str = "a list such as [{ from = \"06:00\", percent = 100 }, { from = \"22:00\", percent = 40 }]";
        let items = match s.table.get("brightness") {
            None => return Some(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.type_problem(s.place, "brightness", EXPECTED, other);
                return None;
            }
        };
        let mut out = Vec::new();
        let mut good = true;
        for (i, item) in items.iter().enumerate() {
            let entry = item.as_table().and_then(|t| {
                let from = t.get("from")?.as_str()?;
                let percent = t.get("percent")?.as_integer()?;
                (t.len() == 2).then_some((from, percent))
            });
            let parsed = entry.and_then(|(from, percent)| {
                let (h, m) = from.split_once(':')?;
                let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
                (h < 24 && m < 60 && (5..=100).contains(&percent))
                    .then(|| (h * 60 + m, percent as u32))
            });
            match parsed {
                Some(p) => out.push(p),
                None => {
                    self.problem(
                        s.place,
                        "brightness",
                        format!(
                            "[{i}] must be {{ from = \"HH:MM\", percent = 5..=100 }}, got {}",
                            describe(item)
                        ),
                    );
                    good = false;
                }
            }
        }
        out.sort_unstable();
        if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
            self.problem(
                s.place,
                "brightness",
                format!(
                    "has two entries from {:02}:{:02}; each time of day may appear once",
                    w[0].0 / 60,
                    w[0].0 % 60
                ),
            );
            good = false;
        }
        good.then_some(out)
    }
}

//! When the board draws: a static slide needs no frame until something changes; a fade and a
//! scrolling footer animate at the board's frame rate, on a steady beat. GPU-free.

use std::time::{Duration, Instant};

/// How often the programme is ticked again when nothing else happens (validity windows, the
/// clock's trust).
pub const TICK_EVERY: Duration = Duration::from_secs(1);
/// The longest the board's loop sleeps (the systemd watchdog is fed from it).
pub const MAX_SLEEP: Duration = Duration::from_secs(10);

/// The frame clock and what is due.
#[derive(Debug)]
pub struct Pacing {
    fps: u32,
    fade: Duration,
    /// A frame is due even if nothing else changed (first frame, reload, asset arrived).
    pub dirty: bool,
    /// The next frame must be drawn whole (the canvas, the brightness or the placement
    /// changed).
    pub full_due: bool,
    /// The programme must be ticked again (an event came).
    pub tick_due: bool,
    last_tick: Option<Instant>,
    /// When the next frame of a scrolling footer is due.
    next_frame: Instant,
    fade_since: Option<Instant>,
    last_present: Option<Instant>,
}

impl Pacing {
    pub fn new(fps: u32, fade_ms: u32, now: Instant) -> Pacing {
        Pacing {
            fps: fps.max(1),
            fade: Duration::from_millis(u64::from(fade_ms)),
            dirty: true,
            full_due: true,
            tick_due: true,
            last_tick: None,
            next_frame: now,
            fade_since: None,
            last_present: None,
        }
    }

    pub fn set_fade(&mut self, fade_ms: u32) {
        self.fade = Duration::from_millis(u64::from(fade_ms));
    }

    /// The time between frames while something moves.
    pub fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / f64::from(self.fps))
    }

    /// Whether the programme must be ticked now: an event came, its `until` passed, an alert
    /// starts or ends, or a second went by. Notes the tick when it is.
    pub fn tick(
        &mut self,
        now: Instant,
        until: Option<Instant>,
        alert_change: Option<Instant>,
    ) -> bool {
        let due = self.tick_due
            || until.is_none_or(|u| now >= u)
            || alert_change.is_some_and(|t| now >= t)
            || self
                .last_tick
                .is_none_or(|t| now.saturating_duration_since(t) >= TICK_EVERY);
        if due {
            self.tick_due = false;
            self.last_tick = Some(now);
        }
        due
    }

    /// Whether a frame of the scrolling footer is due (always when the canvas `changed`);
    /// frames keep a steady beat from when each was due, not from when the last one ended.
    pub fn footer_frame(&mut self, now: Instant, changed: bool) -> bool {
        let due = changed || now >= self.next_frame;
        if due {
            let period = self.period();
            self.next_frame = if now > self.next_frame + period {
                now + period
            } else {
                self.next_frame + period
            };
            self.dirty = true;
        }
        due
    }

    /// A cross-fade to the new slide begins (when fades are on).
    pub fn start_fade(&mut self, now: Instant) {
        self.fade_since = (!self.fade.is_zero()).then_some(now);
    }

    /// Cuts without a fade (an alert, and the return from one).
    pub fn cut(&mut self) {
        self.fade_since = None;
    }

    /// The new slide's opacity while fading (0..1), `None` when not fading.
    pub fn fade_alpha(&self, now: Instant) -> Option<f32> {
        let since = self.fade_since?;
        let a =
            now.saturating_duration_since(since).as_secs_f32() / self.fade.as_secs_f32().max(0.001);
        (a < 1.0).then_some(a)
    }

    /// Called once per update: keeps frames coming while fading, and asks for one whole frame
    /// of the new slide alone when the fade is over.
    pub fn follow_fade(&mut self, now: Instant) {
        if self.fade_alpha(now).is_some() {
            self.dirty = true;
        } else if self.fade_since.take().is_some() {
            self.full_due = true;
            self.dirty = true;
        }
    }

    pub fn fading(&self, now: Instant) -> bool {
        self.fade_alpha(now).is_some()
    }

    /// A frame was presented.
    pub fn presented(&mut self, now: Instant) {
        self.dirty = false;
        self.last_present = Some(now);
    }

    /// When the loop should wake if no event comes: the footer's next frame, the fade's, the
    /// programme's next change, the next minute (the clock), or [`MAX_SLEEP`] at most.
    pub fn next_wake(
        &self,
        now: Instant,
        footer: bool,
        changes: &[Option<Instant>],
        second_of_minute: u32,
    ) -> Instant {
        if footer {
            return self.next_frame.max(now);
        }
        if self.fading(now) {
            return self
                .last_present
                .map_or(now, |t| (t + self.period()).max(now));
        }
        let minute = now + Duration::from_secs(u64::from(60 - second_of_minute.min(59)));
        changes
            .iter()
            .flatten()
            .copied()
            .chain([now + MAX_SLEEP, minute])
            .min()
            .unwrap_or(now)
            .max(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_slide_sleeps_until_its_next_change() {
        let t0 = Instant::now();
        let mut p = Pacing::new(60, 0, t0);
        assert!(p.tick(t0, None, None), "the first tick is due");
        let until = t0 + Duration::from_secs(4);
        assert!(!p.tick(t0 + Duration::from_millis(500), Some(until), None));
        assert!(
            p.tick(t0 + Duration::from_millis(1500), Some(until), None),
            "a second passed"
        );
        p.presented(t0);
        let wake = p.next_wake(t0, false, &[Some(until)], 30);
        assert_eq!(wake, until);
        let wake = p.next_wake(t0, false, &[None], 58);
        assert_eq!(wake, t0 + Duration::from_secs(2), "the clock's next minute");
    }

    #[test]
    fn footer_frames_keep_a_steady_beat() {
        let t0 = Instant::now();
        let mut p = Pacing::new(10, 0, t0);
        assert!(p.footer_frame(t0, false));
        assert!(!p.footer_frame(t0 + Duration::from_millis(50), false));
        // Late by 30 ms: the next is due 100 ms after the last was due, not after now.
        assert!(p.footer_frame(t0 + Duration::from_millis(130), false));
        assert_eq!(
            p.next_wake(t0 + Duration::from_millis(130), true, &[], 0),
            t0 + Duration::from_millis(200)
        );
    }

    #[test]
    fn a_fade_animates_then_asks_for_one_whole_frame() {
        let t0 = Instant::now();
        let mut p = Pacing::new(60, 300, t0);
        p.presented(t0);
        p.full_due = false;
        p.start_fade(t0);
        assert!(p
            .fade_alpha(t0 + Duration::from_millis(150))
            .is_some_and(|a| (a - 0.5).abs() < 0.01));
        p.follow_fade(t0 + Duration::from_millis(150));
        assert!(p.dirty && !p.full_due);
        p.follow_fade(t0 + Duration::from_millis(301));
        assert!(p.full_due, "one whole frame of the new slide alone");
        assert_eq!(p.fade_alpha(t0 + Duration::from_millis(301)), None);
    }
}

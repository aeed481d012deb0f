//! Reconnect back-off: exponential from 1 s, capped at 60 s, with jitter so that a thousand
//! boards losing the same broker do not all come back in the same second.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
            rng: seed | 1,
        }
    }

    /// How many failures in a row so far.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The wait before the next try: half the exponential delay plus a random share of the
    /// other half ("equal jitter"), so waits grow but never line up across boards.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(self.attempt.min(16)).unwrap_or(u32::MAX))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = exp / 2;
        half + half.mul_f64(self.random_unit())
    }

    /// After a successful connection.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn random_unit(&mut self) -> f64 {
        // xorshift64: jitter needs spread, not cryptographic strength.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_and_is_capped() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), 42);
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        for (i, d) in delays.iter().enumerate() {
            let exp = Duration::from_secs(1 << i.min(6)).min(Duration::from_secs(60));
            assert!(
                *d >= exp / 2 && *d <= exp,
                "attempt {i}: {d:?} not in [{:?}, {exp:?}]",
                exp / 2
            );
        }
        assert!(delays[9] >= Duration::from_secs(30));
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn boards_with_other_seeds_spread_out() {
        let waits: std::collections::HashSet<u128> = (1..50u64)
            .map(|seed| {
                let mut b =
                    Backoff::new(Duration::from_secs(1), Duration::from_secs(60), seed * 7919);
                (0..5).map(|_| b.next_delay()).last().unwrap().as_millis()
            })
            .collect();
        assert!(
            waits.len() > 40,
            "jitter spreads reconnects: {} distinct",
            waits.len()
        );
    }
}

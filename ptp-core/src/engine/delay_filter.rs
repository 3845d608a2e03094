//! linuxptp's path-delay filters (`delay_filter moving_median|moving_average`,
//! `delay_filter_length`): the mean path delay a port uses is the median or mean of its last N
//! measurements — or, with `tsproc_mode raw`, the latest measurement itself, as ptp4l's raw
//! time stamp processing uses it. Both buffers are allocated once, when the port is built.

use crate::time::Duration;

/// A moving median or moving average over the last `length` delays.
#[derive(Clone, Debug)]
pub(crate) struct DelayFilter {
    median: bool,
    raw: bool,
    window: Vec<Duration>,
    next: usize,
    length: usize,
    scratch: Vec<Duration>,
}

impl DelayFilter {
    /// A filter over `length` (at least 1) samples; `raw` makes [`Self::push`] return each
    /// sample as it is (`tsproc_mode raw`).
    pub(crate) fn new(median: bool, length: usize, raw: bool) -> Self {
        let length = length.max(1);
        Self {
            median,
            raw,
            window: Vec::with_capacity(length),
            next: 0,
            length,
            scratch: Vec::with_capacity(length),
        }
    }

    /// Adds a sample and returns the delay to use: the filtered delay, or the sample itself
    /// in raw mode.
    pub(crate) fn push(&mut self, d: Duration) -> Duration {
        if self.window.len() < self.length {
            self.window.push(d);
        } else if let Some(slot) = self.window.get_mut(self.next) {
            *slot = d;
        }
        self.next = (self.next + 1) % self.length;
        if self.raw {
            return d;
        }
        self.value().unwrap_or(d)
    }

    /// The filtered delay, once there is a sample.
    pub(crate) fn value(&mut self) -> Option<Duration> {
        let n = self.window.len();
        if n == 0 {
            return None;
        }
        if !self.median {
            let sum: i128 = self.window.iter().map(|d| d.scaled_nanos()).sum();
            return Some(Duration::from_scaled_nanos(sum / n as i128));
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.window);
        self.scratch.sort_unstable();
        let mid = n / 2;
        let upper = *self.scratch.get(mid)?;
        if !n.is_multiple_of(2) {
            Some(upper)
        } else {
            let lower = *self.scratch.get(mid - 1)?;
            Some((lower + upper).half())
        }
    }

    /// Forgets every sample (new master, new peer).
    pub(crate) fn clear(&mut self) {
        self.window.clear();
        self.next = 0;
    }

    /// Takes new settings (a reconfiguration), keeping the newest samples that fit the new
    /// length. The buffers grow here if the filter gets longer, never on [`Self::push`].
    pub(crate) fn reconfigure(&mut self, median: bool, length: usize, raw: bool) {
        let length = length.max(1);
        // Oldest first: a full ring starts at `next`, a filling one at 0.
        if self.window.len() == self.length {
            self.window.rotate_left(self.next);
        }
        let excess = self.window.len().saturating_sub(length);
        self.window.drain(..excess);
        self.window.reserve(length - self.window.len());
        self.scratch.clear();
        self.scratch.reserve(length);
        self.next = self.window.len() % length;
        self.length = length;
        self.median = median;
        self.raw = raw;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(v: i64) -> Duration {
        Duration::from_nanos(v)
    }

    #[test]
    fn moving_median_ignores_one_outlier_and_forgets_old_samples() {
        let mut f = DelayFilter::new(true, 3, false);
        assert_eq!(f.value(), None);
        assert_eq!(f.push(ns(100)), ns(100));
        assert_eq!(f.push(ns(110)), ns(105));
        assert_eq!(f.push(ns(10_000)), ns(110));
        assert_eq!(f.push(ns(120)), ns(120)); // window 120, 110, 10000
        assert_eq!(f.push(ns(130)), ns(130)); // window 120, 130, 10000
        f.clear();
        assert_eq!(f.value(), None);
    }

    #[test]
    fn moving_average() {
        let mut f = DelayFilter::new(false, 2, false);
        f.push(ns(100));
        assert_eq!(f.push(ns(200)), ns(150));
        assert_eq!(f.push(ns(400)), ns(300));
    }

    #[test]
    fn reconfiguring_keeps_the_newest_samples_that_fit() {
        let mut f = DelayFilter::new(true, 3, false);
        for v in [100, 110, 120, 130] {
            f.push(ns(v));
        }
        // Window 130, 110, 120 (ring): shortened to the newest two, averaged.
        f.reconfigure(false, 2, false);
        assert_eq!(f.value(), Some(ns(125)));
        assert_eq!(f.push(ns(200)), ns(165)); // 130 drops out
                                              // Longer: all kept, the ring goes on filling.
        f.reconfigure(true, 4, false);
        assert_eq!(f.value(), Some(ns(165)));
        assert_eq!(f.push(ns(140)), ns(140)); // 130 140 200
        assert_eq!(f.push(ns(150)), ns(145)); // 130 140 150 200
        assert_eq!(f.push(ns(160)), ns(155)); // 200 140 150 160
                                              // Raw: each sample as it is; the window still kept for a later change back.
        f.reconfigure(true, 4, true);
        assert_eq!(f.push(ns(10)), ns(10));
        f.reconfigure(true, 4, false);
        assert_eq!(f.value(), Some(ns(145))); // 140 150 160 10
    }

    #[test]
    fn raw_mode_uses_each_sample() {
        let mut f = DelayFilter::new(true, 3, true);
        assert_eq!(f.push(ns(100)), ns(100));
        assert_eq!(f.push(ns(10_000)), ns(10_000));
        assert_eq!(f.push(ns(120)), ns(120));
    }
}

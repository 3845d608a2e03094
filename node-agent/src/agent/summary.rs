//! ptp4l's periodic summary of servo samples: every 2^(summary_interval − logSyncInterval)
//! samples, the RMS and largest magnitude of the offsets and the mean and spread of the
//! frequency and path delay. The log prints it as `rms … max … freq … +/- … delay … +/- …`;
//! the metrics export its largest offset as `openshift_ptp_max_offset_ns`, as the OpenShift
//! daemon does from that line.

use ptp_core::time::{Duration, Ppb};

/// Collects samples until a summary is due.
#[derive(Clone, Debug)]
pub struct SummaryWindow {
    /// Samples per summary; 1 when every sample is its own summary.
    per_summary: u32,
    offsets: Stats,
    freqs: Stats,
    delays: Stats,
}

/// One finished summary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// RMS of the offsets (ns).
    pub offset_rms: f64,
    /// Largest |offset| (ns).
    pub offset_max_abs: f64,
    /// Mean frequency correction (ppb).
    pub freq_mean: f64,
    /// Its standard deviation (ppb).
    pub freq_stddev: f64,
    /// Mean path delay (ns).
    pub delay_mean: f64,
    /// Its standard deviation (ns).
    pub delay_stddev: f64,
}

impl SummaryWindow {
    /// How many samples make one summary.
    pub fn per_summary(&self) -> u32 {
        self.per_summary
    }

    /// ptp4l's rule: one summary per 2^(summary_interval − logSyncInterval) samples, one per
    /// sample when that is one or less.
    pub fn new(summary_interval: i8, log_sync_interval: i8) -> Self {
        let shift = i32::from(summary_interval) - i32::from(log_sync_interval);
        let per_summary = if shift <= 0 { 1 } else { 1u32 << shift.min(20) };
        Self {
            per_summary,
            offsets: Stats::default(),
            freqs: Stats::default(),
            delays: Stats::default(),
        }
    }

    /// Whether every sample is its own summary (ptp4l then prints the samples at info and
    /// no summary lines).
    pub fn per_sample(&self) -> bool {
        self.per_summary <= 1
    }

    /// Adds a sample; returns the summary when this sample completes one.
    pub fn push(&mut self, offset: Duration, freq: Ppb, delay: Duration) -> Option<Summary> {
        self.offsets.push(offset.nanos_f64());
        self.freqs.push(freq.get());
        self.delays.push(delay.nanos_f64());
        if self.offsets.n < self.per_summary {
            return None;
        }
        let summary = Summary {
            offset_rms: self.offsets.rms(),
            offset_max_abs: self.offsets.max_abs,
            freq_mean: self.freqs.mean(),
            freq_stddev: self.freqs.stddev(),
            delay_mean: self.delays.mean(),
            delay_stddev: self.delays.stddev(),
        };
        self.offsets = Stats::default();
        self.freqs = Stats::default();
        self.delays = Stats::default();
        Some(summary)
    }
}

/// Running sums for a summary.
#[derive(Clone, Debug, Default)]
struct Stats {
    n: u32,
    sum: f64,
    sum_sq: f64,
    max_abs: f64,
}

impl Stats {
    fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
        self.max_abs = self.max_abs.max(x.abs());
    }

    fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / f64::from(self.n)
        }
    }

    fn rms(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.sum_sq / f64::from(self.n)).sqrt()
        }
    }

    fn stddev(&self) -> f64 {
        let m = self.mean();
        (self.rms().powi(2) - m * m).max(0.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_follow_ptp4l() {
        assert_eq!(SummaryWindow::new(0, 0).per_summary, 1);
        assert_eq!(SummaryWindow::new(-3, 0).per_summary, 1);
        assert_eq!(SummaryWindow::new(2, 0).per_summary, 4);
        assert_eq!(SummaryWindow::new(1, -3).per_summary, 16);
        assert!(SummaryWindow::new(-3, 0).per_sample());
        assert!(!SummaryWindow::new(2, 0).per_sample());
    }

    #[test]
    fn stats() {
        let mut s = Stats::default();
        for x in [3.0, -3.0, 3.0, -3.0] {
            s.push(x);
        }
        assert_eq!(
            (s.mean(), s.rms(), s.stddev(), s.max_abs),
            (0.0, 3.0, 3.0, 3.0)
        );
    }

    #[test]
    fn a_summary_is_due_every_n_samples_and_starts_afresh() {
        let mut w = SummaryWindow::new(1, -1);
        let d = |ns: i64| Duration::from_nanos(ns);
        assert_eq!(w.push(d(-5), Ppb(10.0), d(100)), None);
        assert_eq!(w.push(d(3), Ppb(20.0), d(100)), None);
        assert_eq!(w.push(d(1), Ppb(10.0), d(300)), None);
        let s = w.push(d(1), Ppb(20.0), d(300)).unwrap();
        assert_eq!(s.offset_max_abs, 5.0);
        assert_eq!(s.offset_rms, 3.0);
        assert_eq!((s.freq_mean, s.freq_stddev), (15.0, 5.0));
        assert_eq!((s.delay_mean, s.delay_stddev), (200.0, 100.0));
        // The next window holds only what came after.
        for _ in 0..3 {
            assert_eq!(w.push(d(2), Ppb(0.0), d(1)), None);
        }
        assert_eq!(w.push(d(-2), Ppb(0.0), d(1)).unwrap().offset_max_abs, 2.0);
    }
}

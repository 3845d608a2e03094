//! The offset between a PHC and the system clock (what phc2sys measures): hardware cross time
//! stamps (`PTP_SYS_OFFSET_PRECISE`), driver-bracketed reads (`PTP_SYS_OFFSET_EXTENDED`), or
//! the kernel's generic sandwich of reads (`PTP_SYS_OFFSET`), in that order of preference, as
//! linuxptp's `sysoff.c` does.

use std::os::fd::AsFd;

use ptp_core::time::{Duration, Time};

use crate::abi::{
    PtpClockTime, PtpSysOffset, PtpSysOffsetExtended, PtpSysOffsetPrecise, PTP_MAX_SAMPLES,
};
use crate::adjtime::time_from_parts;
use crate::phc::is_unknown_ioctl;
use crate::{sys, ClockError, PhcClock};

/// How a [`SysOffset`] was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SysOffsetMethod {
    /// `PTP_SYS_OFFSET_PRECISE`: a hardware cross time stamp, no read window.
    Precise,
    /// `PTP_SYS_OFFSET_EXTENDED`: system reads bracketing the PHC read in the driver.
    Extended,
    /// `PTP_SYS_OFFSET`: system reads bracketing the whole PHC read call.
    Basic,
}

/// One measurement of PHC time against `CLOCK_REALTIME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysOffset {
    /// PHC time minus system time at the same instant.
    pub offset: Duration,
    /// The system time of the measurement (the middle of the read window).
    pub system_time: Time,
    /// The read window of the best sample (zero for a cross time stamp): the uncertainty of
    /// `offset`, phc2sys's "delay".
    pub delay: Duration,
    /// How it was measured.
    pub method: SysOffsetMethod,
}

impl PhcClock {
    /// Measures the PHC–system clock offset, taking the best of `samples` readings (1 to 25)
    /// by shortest read window.
    ///
    /// The first call tries the methods in order of preference (cross time stamping only
    /// when the capabilities advertise it) and remembers the first that works; later calls
    /// use that one.
    pub fn system_offset(&mut self, samples: u8) -> Result<SysOffset, ClockError> {
        let n = usize::from(samples).clamp(1, PTP_MAX_SAMPLES);
        if let Some(method) = self.offset_method {
            return self.measure(method, n);
        }
        use SysOffsetMethod::{Basic, Extended, Precise};
        let candidates: &[SysOffsetMethod] = if self.caps().cross_timestamping {
            &[Precise, Extended, Basic]
        } else {
            &[Extended, Basic]
        };
        let mut last = ClockError::Unsupported("PHC to system clock offset");
        for &method in candidates {
            match self.measure(method, n) {
                Ok(off) => {
                    tracing::debug!(path = %self.path().display(), ?method, "system offset method");
                    self.offset_method = Some(method);
                    return Ok(off);
                }
                Err(ClockError::Io { op, source }) if is_unknown_ioctl(&source) => {
                    last = ClockError::Io { op, source };
                }
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// The method [`PhcClock::system_offset`] settled on, once it has run.
    pub fn system_offset_method(&self) -> Option<SysOffsetMethod> {
        self.offset_method
    }

    fn measure(&self, method: SysOffsetMethod, n: usize) -> Result<SysOffset, ClockError> {
        let fd = self.as_fd();
        // n <= PTP_MAX_SAMPLES, so it fits.
        let n_samples = n as libc::c_uint;
        match method {
            SysOffsetMethod::Precise => {
                let mut raw = PtpSysOffsetPrecise::default();
                // SAFETY: PTP_SYS_OFFSET_PRECISE takes a struct ptp_sys_offset_precise.
                unsafe { sys::ioctl(fd, libc::PTP_SYS_OFFSET_PRECISE, &mut raw) }
                    .map_err(ClockError::io("ioctl(PTP_SYS_OFFSET_PRECISE)"))?;
                precise(&raw)
            }
            SysOffsetMethod::Extended => {
                let mut raw = PtpSysOffsetExtended::new(n_samples);
                // SAFETY: PTP_SYS_OFFSET_EXTENDED takes a struct ptp_sys_offset_extended.
                unsafe { sys::ioctl(fd, libc::PTP_SYS_OFFSET_EXTENDED, &mut raw) }
                    .map_err(ClockError::io("ioctl(PTP_SYS_OFFSET_EXTENDED)"))?;
                let triples = raw.ts.get(..n).unwrap_or(&[]);
                best_sample(
                    triples.iter().map(|[pre, phc, post]| (*pre, *phc, *post)),
                    SysOffsetMethod::Extended,
                )
            }
            SysOffsetMethod::Basic => {
                let mut raw = PtpSysOffset::new(n_samples);
                // SAFETY: PTP_SYS_OFFSET takes a struct ptp_sys_offset.
                unsafe { sys::ioctl(fd, libc::PTP_SYS_OFFSET, &mut raw) }
                    .map_err(ClockError::io("ioctl(PTP_SYS_OFFSET)"))?;
                best_sample(basic_triples(&raw.ts, n), SysOffsetMethod::Basic)
            }
        }
    }
}

fn time(t: &PtpClockTime) -> Result<Time, ClockError> {
    time_from_parts(t.sec, i64::from(t.nsec)).ok_or(ClockError::BeforeEpoch)
}

fn precise(raw: &PtpSysOffsetPrecise) -> Result<SysOffset, ClockError> {
    let system_time = time(&raw.sys_realtime)?;
    Ok(SysOffset {
        offset: time(&raw.device)? - system_time,
        system_time,
        delay: Duration::ZERO,
        method: SysOffsetMethod::Precise,
    })
}

/// `PTP_SYS_OFFSET`'s `sys, phc, sys, phc, ..., sys` as `(sys, phc, sys)` triples.
fn basic_triples(
    ts: &[PtpClockTime],
    n: usize,
) -> impl Iterator<Item = (PtpClockTime, PtpClockTime, PtpClockTime)> + '_ {
    (0..n).filter_map(move |i| Some((*ts.get(2 * i)?, *ts.get(2 * i + 1)?, *ts.get(2 * i + 2)?)))
}

/// The sample with the shortest `post - pre` window; the PHC reading is taken to be at the
/// window's middle.
fn best_sample(
    triples: impl Iterator<Item = (PtpClockTime, PtpClockTime, PtpClockTime)>,
    method: SysOffsetMethod,
) -> Result<SysOffset, ClockError> {
    let mut best: Option<SysOffset> = None;
    for (pre, phc, post) in triples {
        let (pre, phc, post) = (time(&pre)?, time(&phc)?, time(&post)?);
        let delay = post - pre;
        if delay.is_negative() {
            // The system clock was stepped during the read; this sample says nothing.
            continue;
        }
        let system_time = pre + delay.half();
        if best.is_none_or(|b| delay < b.delay) {
            best = Some(SysOffset {
                offset: phc - system_time,
                system_time,
                delay,
                method,
            });
        }
    }
    best.ok_or(ClockError::Unsupported(
        "PHC to system clock offset (no usable sample)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(sec: i64, nsec: u32) -> PtpClockTime {
        PtpClockTime {
            sec,
            nsec,
            reserved: 0,
        }
    }

    #[test]
    fn basic_picks_the_narrowest_window() {
        // sys phc sys phc sys: windows 400 ns then 100 ns.
        let ts = [t(10, 0), t(47, 250), t(10, 400), t(47, 470), t(10, 500)];
        let off = best_sample(basic_triples(&ts, 2), SysOffsetMethod::Basic).unwrap();
        assert_eq!(off.delay, Duration::from_nanos(100));
        assert_eq!(off.system_time, Time::from_secs_nanos(10, 450));
        assert_eq!(
            off.offset,
            Duration::from_secs(37) + Duration::from_nanos(20)
        );
        assert_eq!(off.method, SysOffsetMethod::Basic);
    }

    #[test]
    fn extended_skips_samples_with_a_stepped_system_clock() {
        let triples = [
            (t(5, 900), t(6, 0), t(5, 100)),
            (t(5, 1000), t(4, 1100), t(5, 1300)),
        ];
        let off = best_sample(triples.into_iter(), SysOffsetMethod::Extended).unwrap();
        assert_eq!(off.delay, Duration::from_nanos(300));
        assert_eq!(off.offset, Duration::from_nanos(-1_000_000_000 - 50));
        assert!(best_sample(triples.into_iter().take(1), SysOffsetMethod::Extended).is_err());
    }

    #[test]
    fn precise_has_no_window() {
        let raw = PtpSysOffsetPrecise {
            device: t(100, 5),
            sys_realtime: t(63, 0),
            ..Default::default()
        };
        let off = precise(&raw).unwrap();
        assert_eq!(
            off.offset,
            Duration::from_secs(37) + Duration::from_nanos(5)
        );
        assert_eq!(off.delay, Duration::ZERO);
    }

    #[test]
    fn negative_kernel_times_are_errors() {
        let ts = [t(-1, 0), t(0, 0), t(0, 0)];
        assert!(matches!(
            best_sample(basic_triples(&ts, 1), SysOffsetMethod::Basic),
            Err(ClockError::BeforeEpoch)
        ));
    }
}

//! [`PhcClock`]: a PTP hardware clock `/dev/ptpN` as a dynamic POSIX clock, with its
//! capabilities (`PTP_CLOCK_GETCAPS2`, falling back to `PTP_CLOCK_GETCAPS`).
//!
//! The time-stamping hooks that make a PHC useful (system offset, EXTTS, PEROUT, pins) are in
//! [`crate::sysoff`] and [`crate::pins`].

use std::fs::OpenOptions;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ptp_core::time::{Duration, Ppb, Time};

use crate::abi::PtpClockCaps;
use crate::adjtime::KernelClock;
use crate::sysoff::SysOffsetMethod;
use crate::{sys, Clock, ClockError, TimestampingInfo};

/// What a PHC can do (`struct ptp_clock_caps`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhcCaps {
    /// The largest frequency offset the device accepts (`max_adj`).
    pub max_frequency: Ppb,
    /// Programmable alarms.
    pub n_alarm: u32,
    /// External time-stamp channels (EXTTS).
    pub n_ext_ts: u32,
    /// Periodic output channels (PEROUT).
    pub n_per_out: u32,
    /// Whether the clock can feed the kernel PPS subsystem (`PTP_ENABLE_PPS`).
    pub pps: bool,
    /// Programmable pins.
    pub n_pins: u32,
    /// Whether `PTP_SYS_OFFSET_PRECISE` (hardware cross time stamps) works.
    pub cross_timestamping: bool,
    /// Whether the driver implements `adjphase` (`ADJ_OFFSET`).
    pub adjust_phase: bool,
    /// The largest phase offset `adjphase` accepts; zero when the kernel does not say
    /// (before Linux 6.2).
    pub max_phase_adjustment: Duration,
}

impl PhcCaps {
    fn from_raw(raw: &PtpClockCaps) -> Self {
        let count = |n: i32| u32::try_from(n).unwrap_or(0);
        Self {
            max_frequency: Ppb(f64::from(raw.max_adj)),
            n_alarm: count(raw.n_alarm),
            n_ext_ts: count(raw.n_ext_ts),
            n_per_out: count(raw.n_per_out),
            pps: raw.pps != 0,
            n_pins: count(raw.n_pins),
            cross_timestamping: raw.cross_timestamping != 0,
            adjust_phase: raw.adjust_phase != 0,
            max_phase_adjustment: Duration::from_nanos(i64::from(raw.max_phase_adj.max(0))),
        }
    }
}

/// An open PTP hardware clock.
///
/// The device stays open (read-write) for the life of the value; its file descriptor is
/// exposed through [`AsFd`] so that a runtime can poll it for external time-stamp events
/// ([`PhcClock::read_extts_events`]).
#[derive(Debug)]
pub struct PhcClock {
    fd: OwnedFd,
    path: PathBuf,
    caps: PhcCaps,
    pub(crate) offset_method: Option<SysOffsetMethod>,
}

impl PhcClock {
    /// Opens a PHC by device path (`/dev/ptp0`).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ClockError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(|source| ClockError::Open {
                path: path.clone(),
                source,
            })?;
        let fd = OwnedFd::from(file);
        let caps = read_caps(fd.as_fd())?;
        tracing::debug!(path = %path.display(), ?caps, "opened PHC");
        Ok(Self {
            fd,
            path,
            caps,
            offset_method: None,
        })
    }

    /// Opens `/dev/ptp{index}`.
    pub fn open_index(index: u32) -> Result<Self, ClockError> {
        Self::open(format!("/dev/ptp{index}"))
    }

    /// Opens the PHC of a network interface (its index from `ETHTOOL_GET_TS_INFO`).
    /// An interface without one (veth, loopback) gives [`ClockError::NoPhc`].
    pub fn open_interface(interface: &str) -> Result<Self, ClockError> {
        let index = TimestampingInfo::of(interface)?.require_phc(interface)?;
        Self::open_index(index)
    }

    /// The device path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The capabilities read when the device was opened.
    pub fn caps(&self) -> &PhcCaps {
        &self.caps
    }

    fn kernel(&self) -> KernelClock {
        KernelClock(sys::fd_to_clockid(self.fd.as_fd()))
    }
}

impl AsFd for PhcClock {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

fn read_caps(fd: BorrowedFd<'_>) -> Result<PhcCaps, ClockError> {
    let mut raw = PtpClockCaps::default();
    // SAFETY: PTP_CLOCK_GETCAPS2 takes a struct ptp_clock_caps.
    let v2 = unsafe { sys::ioctl(fd, libc::PTP_CLOCK_GETCAPS2, &mut raw) };
    match v2 {
        Ok(_) => {}
        Err(e) if is_unknown_ioctl(&e) => {
            // SAFETY: PTP_CLOCK_GETCAPS takes a struct ptp_clock_caps.
            unsafe { sys::ioctl(fd, libc::PTP_CLOCK_GETCAPS, &mut raw) }
                .map_err(ClockError::io("ioctl(PTP_CLOCK_GETCAPS)"))?;
        }
        Err(source) => {
            return Err(ClockError::Io {
                op: "ioctl(PTP_CLOCK_GETCAPS2)",
                source,
            })
        }
    }
    Ok(PhcCaps::from_raw(&raw))
}

/// True for the errors a kernel gives for an ioctl it does not know (the "2" variants are
/// missing before Linux 5.8).
pub(crate) fn is_unknown_ioctl(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOTTY | libc::EOPNOTSUPP | libc::EINVAL)
    )
}

impl Clock for PhcClock {
    fn now(&self) -> Result<Time, ClockError> {
        self.kernel().now()
    }

    fn set_time(&mut self, time: Time) -> Result<(), ClockError> {
        self.kernel().set_time(time)
    }

    fn step(&mut self, offset: Duration) -> Result<(), ClockError> {
        self.kernel().step(offset)
    }

    fn set_frequency(&mut self, frequency: Ppb) -> Result<Ppb, ClockError> {
        self.kernel()
            .set_frequency(frequency, self.caps.max_frequency)
    }

    fn frequency(&self) -> Result<Ppb, ClockError> {
        self.kernel().frequency()
    }

    fn max_frequency(&self) -> Ppb {
        self.caps.max_frequency
    }

    /// `ADJ_OFFSET` when the driver has `adjphase`; offsets beyond `max_phase_adj` (when the
    /// kernel reports it) are clamped, as the kernel would refuse them.
    fn adjust_phase(&mut self, offset: Duration) -> Result<(), ClockError> {
        if !self.caps.adjust_phase {
            return Err(ClockError::Unsupported("phase adjustment"));
        }
        let max = self.caps.max_phase_adjustment;
        let offset = if max > Duration::ZERO {
            offset.max(-max).min(max)
        } else {
            offset
        };
        self.kernel().adjust_phase(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_device_is_an_open_error() {
        let err = PhcClock::open("/dev/ptp-does-not-exist").unwrap_err();
        match err {
            ClockError::Open { path, source } => {
                assert_eq!(path, Path::new("/dev/ptp-does-not-exist"));
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_a_phc_is_refused() {
        // /dev/null opens but answers no PTP ioctl.
        let err = PhcClock::open("/dev/null").unwrap_err();
        assert!(matches!(err, ClockError::Io { .. }), "{err:?}");
    }

    #[test]
    fn interface_without_phc() {
        assert!(matches!(
            PhcClock::open_interface("lo"),
            Err(ClockError::NoPhc { .. })
        ));
        assert!(matches!(
            PhcClock::open_interface("phc-test-none0"),
            Err(ClockError::NoSuchInterface { .. })
        ));
    }

    #[test]
    fn caps_conversion() {
        let raw = PtpClockCaps {
            max_adj: 999_999,
            n_ext_ts: 2,
            n_per_out: -1,
            pps: 1,
            adjust_phase: 1,
            max_phase_adj: 32_767,
            ..PtpClockCaps::default()
        };
        let caps = PhcCaps::from_raw(&raw);
        assert_eq!(caps.max_frequency, Ppb(999_999.0));
        assert_eq!(caps.n_ext_ts, 2);
        assert_eq!(caps.n_per_out, 0);
        assert!(caps.pps && caps.adjust_phase && !caps.cross_timestamping);
        assert_eq!(caps.max_phase_adjustment, Duration::from_nanos(32_767));
    }

    /// Needs a PTP hardware clock at /dev/ptp0, which neither CI nor a development machine
    /// without a PTP NIC has; ignored, so that it is reported as not run rather than passed.
    #[test]
    #[ignore = "needs a PTP hardware clock at /dev/ptp0: cargo test -p phc -- --ignored"]
    fn real_phc_at_dev_ptp0() {
        let mut phc = PhcClock::open_index(0).unwrap();
        let a = phc.now().unwrap();
        let b = phc.now().unwrap();
        assert!(b >= a);
        let f = phc.frequency().unwrap();
        assert_eq!(
            phc.set_frequency(f).unwrap(),
            f.clamp_abs(phc.max_frequency())
        );
        let off = phc.system_offset(5).unwrap();
        assert!(off.delay >= Duration::ZERO);
    }
}

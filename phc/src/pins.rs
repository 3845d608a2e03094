//! A PHC's signal hardware: programmable pins (`PTP_PIN_GETFUNC`/`SETFUNC`), external time
//! stamps (`PTP_EXTTS_REQUEST` and the events read from the device), periodic outputs
//! (`PTP_PEROUT_REQUEST`) and the kernel PPS source (`PTP_ENABLE_PPS`).
//!
//! Each request uses the strict "2" ioctl and falls back to the original one on kernels that
//! do not know it (before 5.8), as linuxptp does.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ptp_core::time::{Duration, Time};

use crate::abi::{
    PtpClockTime, PtpExttsEvent, PtpExttsRequest, PtpPeroutRequest, PtpPinDesc, PTP_ENABLE_FEATURE,
    PTP_FALLING_EDGE, PTP_RISING_EDGE, PTP_STRICT_FLAGS,
};
use crate::adjtime::{split_nanos, time_from_parts};
use crate::phc::is_unknown_ioctl;
use crate::{sys, ClockError, PhcClock};

/// What a programmable pin does (`enum ptp_pin_function`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFunction {
    /// Unused.
    None,
    /// Input for an external time-stamp channel.
    ExternalTimestamp,
    /// Output of a periodic signal channel.
    PeriodicOutput,
    /// Physical layer synchronisation.
    PhySync,
}

impl PinFunction {
    fn raw(self) -> libc::c_uint {
        match self {
            Self::None => libc::PTP_PF_NONE,
            Self::ExternalTimestamp => libc::PTP_PF_EXTTS,
            Self::PeriodicOutput => libc::PTP_PF_PEROUT,
            Self::PhySync => libc::PTP_PF_PHYSYNC,
        }
    }

    fn from_raw(raw: libc::c_uint) -> Option<Self> {
        [
            Self::None,
            Self::ExternalTimestamp,
            Self::PeriodicOutput,
            Self::PhySync,
        ]
        .into_iter()
        .find(|f| f.raw() == raw)
    }
}

/// A pin as the driver describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The pin's index.
    pub index: u32,
    /// The driver's name for it (`SMA1`, ...).
    pub name: String,
    /// Its function; `None` for a function this crate does not know.
    pub function: Option<PinFunction>,
    /// The EXTTS or PEROUT channel it is assigned to.
    pub channel: u32,
}

/// Which edges of the input an external time-stamp channel captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edges {
    /// Rising edges.
    Rising,
    /// Falling edges.
    Falling,
    /// Both.
    Both,
}

/// One external time stamp: when the PHC saw an edge on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExttsEvent {
    /// The EXTTS channel.
    pub channel: u32,
    /// PHC time of the edge.
    pub time: Time,
}

/// A periodic output on a PEROUT channel, such as a grandmaster's 1PPS signal (period one
/// second, starting on a whole second, as ts2phc and `phc_ctl` program it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodicOutput {
    /// The PEROUT channel.
    pub channel: u32,
    /// PHC time of the first edge.
    pub start: Time,
    /// The period; one second for PPS.
    pub period: Duration,
}

fn clock_time_of(time: Time) -> PtpClockTime {
    PtpClockTime {
        sec: i64::try_from(time.secs()).unwrap_or(i64::MAX),
        nsec: time.subsec_nanos(),
        reserved: 0,
    }
}

fn clock_time_of_duration(d: Duration) -> PtpClockTime {
    let (sec, nsec) = split_nanos(d.nanos_rounded());
    PtpClockTime {
        sec,
        nsec: u32::try_from(nsec).unwrap_or(0),
        reserved: 0,
    }
}

/// Issues the "2" variant of a PTP ioctl with `v2_arg`, and the original with `v1_arg` when
/// the kernel does not know it; returns the argument as the kernel left it.
///
/// # Safety
///
/// Both requests must take a pointer to a `T`.
unsafe fn ioctl_v2<T: Copy>(
    fd: BorrowedFd<'_>,
    (v2, v1): (libc::Ioctl, libc::Ioctl),
    op: &'static str,
    v2_arg: T,
    v1_arg: T,
) -> Result<T, ClockError> {
    let mut arg = v2_arg;
    // SAFETY: the caller guarantees that `v2` takes a `T`.
    match unsafe { sys::ioctl(fd, v2, &mut arg) } {
        Ok(_) => Ok(arg),
        Err(e) if is_unknown_ioctl(&e) => {
            let mut arg = v1_arg;
            // SAFETY: the caller guarantees that `v1` takes a `T`.
            unsafe { sys::ioctl(fd, v1, &mut arg) }.map_err(ClockError::io(op))?;
            Ok(arg)
        }
        Err(source) => Err(ClockError::Io { op, source }),
    }
}

impl PhcClock {
    /// Describes pin `index`.
    pub fn pin(&self, index: u32) -> Result<Pin, ClockError> {
        let desc = PtpPinDesc::new(index);
        // SAFETY: both PIN_GETFUNC variants take a struct ptp_pin_desc.
        let desc = unsafe {
            ioctl_v2(
                self.as_fd(),
                (libc::PTP_PIN_GETFUNC2, libc::PTP_PIN_GETFUNC),
                "ioctl(PTP_PIN_GETFUNC)",
                desc,
                PtpPinDesc::new(index),
            )
        }?;
        let len = desc
            .name
            .iter()
            .position(|b| *b == 0)
            .unwrap_or(desc.name.len());
        Ok(Pin {
            index: desc.index,
            name: String::from_utf8_lossy(desc.name.get(..len).unwrap_or(&[])).into_owned(),
            function: PinFunction::from_raw(desc.func),
            channel: desc.chan,
        })
    }

    /// Assigns pin `index` to `function` on `channel` (`phc_ctl`'s and ts2phc's pin setup).
    pub fn set_pin_function(
        &self,
        index: u32,
        function: PinFunction,
        channel: u32,
    ) -> Result<(), ClockError> {
        let mut desc = PtpPinDesc::new(index);
        desc.func = function.raw();
        desc.chan = channel;
        // SAFETY: both PIN_SETFUNC variants take a struct ptp_pin_desc.
        unsafe {
            ioctl_v2(
                self.as_fd(),
                (libc::PTP_PIN_SETFUNC2, libc::PTP_PIN_SETFUNC),
                "ioctl(PTP_PIN_SETFUNC)",
                desc,
                desc,
            )
        }
        .map(drop)
    }

    /// Enables external time stamps on `channel` for the given edges. Events are then read
    /// with [`PhcClock::read_extts_events`].
    pub fn enable_extts(&self, channel: u32, edges: Edges) -> Result<(), ClockError> {
        let edge_flags = match edges {
            Edges::Rising => PTP_RISING_EDGE,
            Edges::Falling => PTP_FALLING_EDGE,
            Edges::Both => PTP_RISING_EDGE | PTP_FALLING_EDGE,
        };
        self.extts_request(channel, PTP_ENABLE_FEATURE | edge_flags)
    }

    /// Disables external time stamps on `channel`.
    pub fn disable_extts(&self, channel: u32) -> Result<(), ClockError> {
        self.extts_request(channel, 0)
    }

    fn extts_request(&self, channel: u32, flags: libc::c_uint) -> Result<(), ClockError> {
        let v1 = PtpExttsRequest {
            index: channel,
            flags,
            rsv: [0; 2],
        };
        // The strict variant honours the edge flags exactly instead of ignoring them.
        let strict = if flags == 0 { 0 } else { PTP_STRICT_FLAGS };
        let v2 = PtpExttsRequest {
            flags: flags | strict,
            ..v1
        };
        // SAFETY: both EXTTS_REQUEST variants take a struct ptp_extts_request.
        unsafe {
            ioctl_v2(
                self.as_fd(),
                (libc::PTP_EXTTS_REQUEST2, libc::PTP_EXTTS_REQUEST),
                "ioctl(PTP_EXTTS_REQUEST)",
                v2,
                v1,
            )
        }
        .map(drop)
    }

    /// Starts a periodic output. A zero period disables the channel.
    pub fn set_periodic_output(&self, output: &PeriodicOutput) -> Result<(), ClockError> {
        let req = PtpPeroutRequest {
            start: clock_time_of(output.start),
            period: clock_time_of_duration(output.period),
            index: output.channel,
            ..PtpPeroutRequest::default()
        };
        // SAFETY: both PEROUT_REQUEST variants take a struct ptp_perout_request.
        unsafe {
            ioctl_v2(
                self.as_fd(),
                (libc::PTP_PEROUT_REQUEST2, libc::PTP_PEROUT_REQUEST),
                "ioctl(PTP_PEROUT_REQUEST)",
                req,
                req,
            )
        }
        .map(drop)
    }

    /// Stops the periodic output on `channel`.
    pub fn disable_periodic_output(&self, channel: u32) -> Result<(), ClockError> {
        self.set_periodic_output(&PeriodicOutput {
            channel,
            start: Time::EPOCH,
            period: Duration::ZERO,
        })
    }

    /// Turns the clock's kernel PPS source (`/dev/ppsN`) on or off. This is not a pin output:
    /// use [`PhcClock::set_periodic_output`] for that.
    pub fn enable_pps(&self, enable: bool) -> Result<(), ClockError> {
        let on: libc::c_int = enable.into();
        // SAFETY: both ENABLE_PPS variants take an int.
        unsafe {
            ioctl_v2(
                self.as_fd(),
                (libc::PTP_ENABLE_PPS2, libc::PTP_ENABLE_PPS),
                "ioctl(PTP_ENABLE_PPS)",
                on,
                on,
            )
        }
        .map(drop)
    }

    /// Reads pending external time stamps into `events` and returns how many were written.
    ///
    /// The kernel blocks a read until an event is queued whatever the descriptor's flags, so
    /// call this only when the descriptor ([`AsFd`]) polls readable.
    pub fn read_extts_events(&self, events: &mut [ExttsEvent]) -> Result<usize, ClockError> {
        const BATCH: usize = 16;
        let mut raw = [PtpExttsEvent::default(); BATCH];
        let want = events.len().min(BATCH);
        let bytes = want * std::mem::size_of::<PtpExttsEvent>();
        // SAFETY: `raw` is a live array of at least `bytes` bytes the kernel writes into.
        let got = unsafe { libc::read(self.as_fd().as_raw_fd(), raw.as_mut_ptr().cast(), bytes) };
        let got = usize::try_from(got).map_err(|_| ClockError::Io {
            op: "read(ptp_extts_event)",
            source: std::io::Error::last_os_error(),
        })?;
        let count = got / std::mem::size_of::<PtpExttsEvent>();
        let mut written = 0;
        for (dst, src) in events.iter_mut().zip(raw.iter().take(count)) {
            *dst = ExttsEvent {
                channel: src.index,
                time: time_from_parts(src.t.sec, i64::from(src.t.nsec))
                    .ok_or(ClockError::BeforeEpoch)?,
            };
            written += 1;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_functions_round_trip() {
        for f in [
            PinFunction::None,
            PinFunction::ExternalTimestamp,
            PinFunction::PeriodicOutput,
            PinFunction::PhySync,
        ] {
            assert_eq!(PinFunction::from_raw(f.raw()), Some(f));
        }
        assert_eq!(PinFunction::from_raw(99), None);
    }

    #[test]
    fn perout_times() {
        let start = clock_time_of(Time::from_secs_nanos(1_700_000_000, 5));
        assert_eq!((start.sec, start.nsec), (1_700_000_000, 5));
        let period = clock_time_of_duration(Duration::from_secs(1));
        assert_eq!((period.sec, period.nsec), (1, 0));
        let half = clock_time_of_duration(Duration::from_millis(500));
        assert_eq!((half.sec, half.nsec), (0, 500_000_000));
    }
}

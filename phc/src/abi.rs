//! Kernel ABI: `#[repr(C)]` mirrors of the structures this crate passes to the kernel, and the
//! constants `libc` does not export.
//!
//! We define the structures ourselves (rather than use `libc`'s) so that they can be built
//! without `unsafe` zeroing (`Default`/`new`), so that the fields `libc` keeps private
//! (`ptp_extts_event`) are reachable, and for the ones `libc` lacks (`ethtool_ts_info`). The
//! `layout` test compiles a C program against the installed kernel headers and checks every
//! size, field offset and ioctl number here against it.
//!
//! Sources: `include/uapi/linux/ptp_clock.h`, `net_tstamp.h`, `ethtool.h`, `if_packet.h`,
//! `timex.h` (glibc `struct timex`).

use libc::{c_int, c_long, c_uint, c_void};

/// `ETHTOOL_GET_TS_INFO` (`linux/ethtool.h`).
pub(crate) const ETHTOOL_GET_TS_INFO: u32 = 0x41;
/// `PACKET_TX_TIMESTAMP` (`linux/if_packet.h`): cmsg type of the `sock_extended_err` that comes
/// with a transmit time stamp on an `AF_PACKET` socket.
pub(crate) const PACKET_TX_TIMESTAMP: c_int = 16;
/// `SO_EE_ORIGIN_TIMESTAMPING` (`linux/errqueue.h`).
pub(crate) const SO_EE_ORIGIN_TIMESTAMPING: u8 = 4;
/// `PTP_ENABLE_FEATURE` flag of `ptp_extts_request`/`ptp_perout_request`.
pub(crate) const PTP_ENABLE_FEATURE: c_uint = 1 << 0;
/// `PTP_RISING_EDGE`.
pub(crate) const PTP_RISING_EDGE: c_uint = 1 << 1;
/// `PTP_FALLING_EDGE`.
pub(crate) const PTP_FALLING_EDGE: c_uint = 1 << 2;
/// `PTP_STRICT_FLAGS`: the "2" ioctls reject unknown flags only when this is set.
pub(crate) const PTP_STRICT_FLAGS: c_uint = 1 << 3;

/// `struct ptp_clock_time`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PtpClockTime {
    pub(crate) sec: i64,
    pub(crate) nsec: u32,
    pub(crate) reserved: u32,
}

/// `struct ptp_clock_caps`. `max_phase_adj` was `rsv[0]` before Linux 6.2.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PtpClockCaps {
    pub(crate) max_adj: c_int,
    pub(crate) n_alarm: c_int,
    pub(crate) n_ext_ts: c_int,
    pub(crate) n_per_out: c_int,
    pub(crate) pps: c_int,
    pub(crate) n_pins: c_int,
    pub(crate) cross_timestamping: c_int,
    pub(crate) adjust_phase: c_int,
    pub(crate) max_phase_adj: c_int,
    pub(crate) rsv: [c_int; 11],
}

/// `struct ptp_extts_request`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PtpExttsRequest {
    pub(crate) index: c_uint,
    pub(crate) flags: c_uint,
    pub(crate) rsv: [c_uint; 2],
}

/// `struct ptp_perout_request` with both unions taken by their first member (`start`, `on`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PtpPeroutRequest {
    pub(crate) start: PtpClockTime,
    pub(crate) period: PtpClockTime,
    pub(crate) index: c_uint,
    pub(crate) flags: c_uint,
    pub(crate) on: PtpClockTime,
}

/// `PTP_MAX_SAMPLES`.
pub(crate) const PTP_MAX_SAMPLES: usize = 25;

/// `struct ptp_sys_offset`: `2 n + 1` interleaved system/PHC readings.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct PtpSysOffset {
    pub(crate) n_samples: c_uint,
    pub(crate) rsv: [c_uint; 3],
    pub(crate) ts: [PtpClockTime; 2 * PTP_MAX_SAMPLES + 1],
}

impl PtpSysOffset {
    pub(crate) const fn new(n_samples: c_uint) -> Self {
        Self {
            n_samples,
            rsv: [0; 3],
            ts: [PtpClockTime {
                sec: 0,
                nsec: 0,
                reserved: 0,
            }; 2 * PTP_MAX_SAMPLES + 1],
        }
    }
}

/// `struct ptp_sys_offset_extended`: `[pre-system, PHC, post-system]` triples. `clockid` was
/// `rsv[0]` before Linux 6.12; zero (CLOCK_REALTIME) means the same on every kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct PtpSysOffsetExtended {
    pub(crate) n_samples: c_uint,
    pub(crate) clockid: c_int,
    pub(crate) rsv: [c_uint; 2],
    pub(crate) ts: [[PtpClockTime; 3]; PTP_MAX_SAMPLES],
}

impl PtpSysOffsetExtended {
    pub(crate) const fn new(n_samples: c_uint) -> Self {
        const Z: PtpClockTime = PtpClockTime {
            sec: 0,
            nsec: 0,
            reserved: 0,
        };
        Self {
            n_samples,
            clockid: 0,
            rsv: [0; 2],
            ts: [[Z; 3]; PTP_MAX_SAMPLES],
        }
    }
}

/// `struct ptp_sys_offset_precise`: a hardware cross time stamp.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PtpSysOffsetPrecise {
    pub(crate) device: PtpClockTime,
    pub(crate) sys_realtime: PtpClockTime,
    pub(crate) sys_monoraw: PtpClockTime,
    pub(crate) rsv: [c_uint; 4],
}

/// `struct ptp_pin_desc`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct PtpPinDesc {
    pub(crate) name: [u8; 64],
    pub(crate) index: c_uint,
    pub(crate) func: c_uint,
    pub(crate) chan: c_uint,
    pub(crate) rsv: [c_uint; 5],
}

impl PtpPinDesc {
    pub(crate) const fn new(index: c_uint) -> Self {
        Self {
            name: [0; 64],
            index,
            func: 0,
            chan: 0,
            rsv: [0; 5],
        }
    }
}

/// `struct ptp_extts_event`, as `read(2)` from a PHC returns them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PtpExttsEvent {
    pub(crate) t: PtpClockTime,
    pub(crate) index: c_uint,
    pub(crate) flags: c_uint,
    pub(crate) rsv: [c_uint; 2],
}

/// `struct hwtstamp_config` (`linux/net_tstamp.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HwtstampConfig {
    pub(crate) flags: c_int,
    pub(crate) tx_type: c_int,
    pub(crate) rx_filter: c_int,
}

/// `struct so_timestamping` (`linux/net_tstamp.h`), the argument of `SO_TIMESTAMPING`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SoTimestamping {
    pub(crate) flags: c_int,
    pub(crate) bind_phc: c_int,
}

/// `struct ethtool_ts_info` (`linux/ethtool.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EthtoolTsInfo {
    pub(crate) cmd: u32,
    pub(crate) so_timestamping: u32,
    pub(crate) phc_index: i32,
    pub(crate) tx_types: u32,
    pub(crate) tx_reserved: [u32; 3],
    pub(crate) rx_filters: u32,
    pub(crate) rx_reserved: [u32; 3],
}

/// `struct ifreq` with its union taken as `ifr_data` (a pointer), padded to the C size.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct IfreqData {
    pub(crate) name: [u8; libc::IFNAMSIZ],
    pub(crate) data: *mut c_void,
    pub(crate) pad: [u8; 16],
}

/// glibc's `struct timex` on LP64 (`clock_adjtime(2)`), with the trailing padding as `rsv`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timex {
    pub(crate) modes: c_uint,
    pub(crate) offset: c_long,
    pub(crate) freq: c_long,
    pub(crate) maxerror: c_long,
    pub(crate) esterror: c_long,
    pub(crate) status: c_int,
    pub(crate) constant: c_long,
    pub(crate) precision: c_long,
    pub(crate) tolerance: c_long,
    pub(crate) time_sec: c_long,
    pub(crate) time_usec: c_long,
    pub(crate) tick: c_long,
    pub(crate) ppsfreq: c_long,
    pub(crate) jitter: c_long,
    pub(crate) shift: c_int,
    pub(crate) stabil: c_long,
    pub(crate) jitcnt: c_long,
    pub(crate) calcnt: c_long,
    pub(crate) errcnt: c_long,
    pub(crate) stbcnt: c_long,
    pub(crate) tai: c_int,
    pub(crate) rsv: [c_int; 11],
}

#[cfg(test)]
mod layout;

//! Time-stamping capabilities of a network interface (`SIOCETHTOOL` with
//! `ETHTOOL_GET_TS_INFO`): which `SO_TIMESTAMPING` modes it supports and which PHC it has.

use std::os::fd::AsFd;

use crate::abi::{EthtoolTsInfo, ETHTOOL_GET_TS_INFO};
use crate::sys;
use crate::ClockError;

/// What `ETHTOOL_GET_TS_INFO` reports for an interface (`ethtool -T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampingInfo {
    /// The `SOF_TIMESTAMPING_*` flags the interface supports.
    pub so_timestamping: u32,
    /// The index N of its PTP hardware clock `/dev/ptpN`, if it has one.
    pub phc_index: Option<u32>,
    /// Bit mask of the supported `HWTSTAMP_TX_*` types (`1 << type`).
    pub tx_types: u32,
    /// Bit mask of the supported `HWTSTAMP_FILTER_*` receive filters (`1 << filter`).
    pub rx_filters: u32,
}

impl TimestampingInfo {
    /// Asks the kernel about `interface`.
    pub fn of(interface: &str) -> Result<Self, ClockError> {
        let no_such = |source| ClockError::NoSuchInterface {
            interface: interface.to_owned(),
            source,
        };
        let sock =
            sys::socket(libc::AF_INET, libc::SOCK_DGRAM, 0).map_err(ClockError::io("socket"))?;
        let mut info = EthtoolTsInfo {
            cmd: ETHTOOL_GET_TS_INFO,
            ..EthtoolTsInfo::default()
        };
        // SAFETY: SIOCETHTOOL with ETHTOOL_GET_TS_INFO takes an ifreq whose data points to a
        // struct ethtool_ts_info.
        let result =
            unsafe { sys::ioctl_ifreq_data(sock.as_fd(), libc::SIOCETHTOOL, interface, &mut info) };
        match result {
            Ok(_) => Ok(Self {
                so_timestamping: info.so_timestamping,
                phc_index: u32::try_from(info.phc_index).ok(),
                tx_types: info.tx_types,
                rx_filters: info.rx_filters,
            }),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Err(no_such(e)),
            Err(e) => Err(ClockError::Io {
                op: "ioctl(SIOCETHTOOL, ETHTOOL_GET_TS_INFO)",
                source: e,
            }),
        }
    }

    /// True when the interface can time stamp in hardware (transmit and receive, raw PHC time).
    pub fn supports_hardware(&self) -> bool {
        let need = libc::SOF_TIMESTAMPING_TX_HARDWARE
            | libc::SOF_TIMESTAMPING_RX_HARDWARE
            | libc::SOF_TIMESTAMPING_RAW_HARDWARE;
        self.so_timestamping & need == need
    }

    /// The PHC index, or [`ClockError::NoPhc`].
    pub fn require_phc(&self, interface: &str) -> Result<u32, ClockError> {
        self.phc_index.ok_or_else(|| ClockError::NoPhc {
            interface: interface.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_has_no_phc() {
        let info = TimestampingInfo::of("lo").unwrap();
        assert_eq!(info.phc_index, None);
        assert!(!info.supports_hardware());
        assert!(matches!(
            info.require_phc("lo"),
            Err(ClockError::NoPhc { .. })
        ));
    }

    #[test]
    fn missing_interface_is_reported_as_such() {
        for name in ["phc-test-none0", "", "a-name-far-too-long-for-ifnamsiz"] {
            let err = TimestampingInfo::of(name).unwrap_err();
            assert!(
                matches!(err, ClockError::NoSuchInterface { .. }),
                "{name}: {err:?}"
            );
        }
    }
}

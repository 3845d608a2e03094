//! Turning on a NIC's hardware time stamping (`SIOCSHWTSTAMP`), as linuxptp's `sk.c`
//! `hwts_init` does. This is device-global: only one process should own it per interface.

use std::io;
use std::os::fd::AsFd;

use crate::abi::HwtstampConfig;
use crate::{sys, SocketError};

/// The receive filter the driver accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxFilter {
    /// `HWTSTAMP_FILTER_PTP_V2_EVENT` (or a driver's equivalent upgrade other than ALL).
    PtpV2Event,
    /// `HWTSTAMP_FILTER_ALL`: every packet is stamped.
    All,
}

/// Asks the driver of `interface` to stamp transmitted packets and received PTP event
/// messages: `HWTSTAMP_FILTER_PTP_V2_EVENT` first, `HWTSTAMP_FILTER_ALL` when the driver
/// refuses that. Drivers may widen the filter; what they report back decides the result.
///
/// Interfaces without hardware stamping (veth, loopback) refuse with
/// [`SocketError::HardwareTimestamping`]. Software time stamping never calls this.
pub fn enable_hardware_timestamping(interface: &str) -> Result<RxFilter, SocketError> {
    let sock =
        sys::socket(libc::AF_INET, libc::SOCK_DGRAM, 0).map_err(|source| SocketError::Setup {
            op: "socket",
            interface: interface.to_owned(),
            source,
        })?;
    let mut last = io::Error::from_raw_os_error(libc::EOPNOTSUPP);
    for filter in [
        libc::HWTSTAMP_FILTER_PTP_V2_EVENT,
        libc::HWTSTAMP_FILTER_ALL,
    ] {
        let mut config = HwtstampConfig {
            flags: 0,
            tx_type: libc::HWTSTAMP_TX_ON as libc::c_int,
            rx_filter: filter as libc::c_int,
        };
        // SAFETY: SIOCSHWTSTAMP takes an ifreq whose data points to a struct hwtstamp_config.
        let result = unsafe {
            sys::ioctl_ifreq_data(sock.as_fd(), libc::SIOCSHWTSTAMP, interface, &mut config)
        };
        match result {
            Ok(_) => {
                let accepted = if config.rx_filter == libc::HWTSTAMP_FILTER_ALL as libc::c_int {
                    RxFilter::All
                } else {
                    RxFilter::PtpV2Event
                };
                tracing::info!(interface, ?accepted, "hardware time stamping enabled");
                return Ok(accepted);
            }
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => {
                return Err(SocketError::NoSuchInterface {
                    interface: interface.to_owned(),
                    source: e,
                })
            }
            Err(e) => last = e,
        }
    }
    Err(SocketError::HardwareTimestamping {
        interface: interface.to_owned(),
        source: last,
    })
}

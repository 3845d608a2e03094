//! The error types of this crate: [`ClockError`] for clocks and devices, [`SocketError`] for
//! time-stamping sockets.

use std::io;
use std::path::PathBuf;

/// What went wrong with a clock or a PHC device.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// A system call on an open clock failed.
    #[error("{op} failed")]
    Io {
        /// The operation, named after the call (`"clock_adjtime(ADJ_FREQUENCY)"`).
        op: &'static str,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// The PHC device could not be opened.
    #[error("cannot open {}", path.display())]
    Open {
        /// The device path.
        path: PathBuf,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// The network interface does not exist (or its name is not a valid interface name).
    #[error("interface {interface} not found")]
    NoSuchInterface {
        /// The name asked for.
        interface: String,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// The interface exists but has no PTP hardware clock (`phc_index` is -1), as for veth.
    #[error("interface {interface} has no PHC")]
    NoPhc {
        /// The interface.
        interface: String,
    },
    /// The clock cannot do this (no `adjust_phase` capability, no cross time stamping...).
    #[error("{0} is not supported by this clock")]
    Unsupported(&'static str),
    /// The clock reads a time before its epoch (1970), which [`ptp_core::time::Time`] cannot
    /// hold.
    #[error("the clock reads a time before the epoch")]
    BeforeEpoch,
}

impl ClockError {
    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { op, source }
    }
}

/// What went wrong with a time-stamping socket.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Setting up a socket failed.
    #[error("{op} on {interface} failed")]
    Setup {
        /// The step (`"bind"`, `"setsockopt(SO_TIMESTAMPING)"`, ...).
        op: &'static str,
        /// The interface the socket is for.
        interface: String,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// The network interface does not exist.
    #[error("interface {interface} not found")]
    NoSuchInterface {
        /// The name asked for.
        interface: String,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// The driver refused to enable hardware time stamping (`SIOCSHWTSTAMP`).
    #[error("{interface}: the driver refused hardware time stamping")]
    HardwareTimestamping {
        /// The interface.
        interface: String,
        /// The kernel's error for the last filter tried.
        #[source]
        source: io::Error,
    },
    /// Sending or receiving failed (other than "would block", which is `Ok(None)`).
    #[error("{op} failed")]
    Io {
        /// `"sendto"`, `"recvmsg"` or `"recvmsg(MSG_ERRQUEUE)"`.
        op: &'static str,
        /// The kernel's error.
        #[source]
        source: io::Error,
    },
    /// A datagram did not fit the caller's buffer and was cut.
    #[error("received message truncated to {0} bytes")]
    Truncated(usize),
}

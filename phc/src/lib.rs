//! `phc`: the Linux side of time keeping for the PTP stack.
//!
//! PTP hardware clocks (`/dev/ptpN`), the system clock through `clock_adjtime`, a virtual
//! software clock for machines without a PHC, and time-stamping sockets (UDPv4, UDPv6 and L2
//! with `SO_TIMESTAMPING`).
//!
//! This is the only crate of the workspace that may use `unsafe`: each block makes one system
//! call and carries a `// SAFETY:` comment saying why it is sound. It knows nothing about the
//! protocol beyond the typed time values and the addresses of `ptp-core` (a sender or a
//! unicast destination is the engine's `PeerAddress`, a MAC address the configuration's
//! `MacAddress`). Linux only.
//!
//! # Main types, in the order you meet them
//!
//! - [`Clock`]: read, step, set, slew a clock; implemented by [`PhcClock`], [`SystemClock`]
//!   and [`VirtualClock`]. Errors are [`ClockError`].
//! - [`TimestampingInfo`]: an interface's time-stamping capabilities and PHC index.
//! - [`PhcClock`]: a PHC, opened by path, index or interface; [`PhcClock::system_offset`]
//!   measures it against the system clock; [`pins`] has EXTTS, PEROUT, pins and PPS.
//! - [`VirtualClock`] over a pure [`ClockMapping`]: the stand-in PHC.
//! - [`socket`]: [`socket::PortSockets`] (event and general sockets of one port for a
//!   [`socket::Transport`]), with receive and transmit time stamps. Errors are
//!   [`SocketError`].
#![deny(missing_docs)]

// The kernel structures mirrored in `abi` (glibc's `struct timex`, `ifreq`, control
// messages) are laid out for LP64; the layout test checks them against the installed headers.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
compile_error!("the phc crate supports 64-bit Linux only");

mod abi;
mod adjtime;
mod clock;
mod error;
mod ethtool;
mod phc;
pub mod pins;
pub mod socket;
mod sys;
mod sysclock;
pub mod sysoff;
mod vclock;

pub use clock::Clock;
pub use error::{ClockError, SocketError};
pub use ethtool::TimestampingInfo;
pub use phc::{PhcCaps, PhcClock};
pub use sysclock::SystemClock;
pub use vclock::{BaseClock, ClockMapping, VirtualClock};

//! The typed values that PTP messages and TLVs are made of (IEEE 1588-2019 clause 5.3 and
//! 7.6): identities, timestamps, clock quality and its parts, port states and text.

use core::fmt;

use super::{Reader, WireError, Writer};
use crate::time::{Time, NANOS_PER_SEC};

/// A clock's EUI-64 identity (clockIdentity, 5.3.4).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClockIdentity(pub [u8; 8]);

impl ClockIdentity {
    /// The identity every port accepts as "all clocks" in a management targetPortIdentity.
    pub const ALL: Self = Self([0xff; 8]);

    /// The identity linuxptp derives from a MAC address: OUI, `ff:fe`, NIC-specific part.
    pub fn from_mac(mac: [u8; 6]) -> Self {
        let [a, b, c, d, e, f] = mac;
        Self([a, b, c, 0xff, 0xfe, d, e, f])
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        r.array().map(Self)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.bytes(&self.0)
    }
}

/// linuxptp's spelling: `001122.fffe.334455`.
impl fmt::Display for ClockIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g, h, i] = self.0;
        write!(
            f,
            "{a:02x}{b:02x}{c:02x}.{d:02x}{e:02x}.{g:02x}{h:02x}{i:02x}"
        )
    }
}

impl fmt::Debug for ClockIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A port's identity: its clock and its 1-based number (portIdentity, 5.3.5).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PortIdentity {
    /// The clock the port belongs to.
    pub clock_identity: ClockIdentity,
    /// The port's number; 0xffff addresses all ports in management.
    pub port_number: u16,
}

impl PortIdentity {
    /// Size on the wire.
    pub const LEN: usize = 10;
    /// The wildcard target of management messages: every port of every clock.
    pub const ALL: Self = Self {
        clock_identity: ClockIdentity::ALL,
        port_number: 0xffff,
    };

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            clock_identity: ClockIdentity::read(r)?,
            port_number: r.u16()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.clock_identity.write(w)?;
        w.u16(self.port_number)
    }
}

/// linuxptp's spelling: `001122.fffe.334455-1`.
impl fmt::Display for PortIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.clock_identity, self.port_number)
    }
}

impl fmt::Debug for PortIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A wire timestamp: 48-bit seconds and nanoseconds below 10^9 (Timestamp, 5.3.3).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Timestamp {
    seconds: u64,
    nanoseconds: u32,
}

impl Timestamp {
    /// Size on the wire.
    pub const LEN: usize = 10;
    /// Largest value of the 48-bit seconds field.
    pub const MAX_SECONDS: u64 = (1 << 48) - 1;
    /// The zero timestamp, which two-step Sync messages carry.
    pub const ZERO: Self = Self {
        seconds: 0,
        nanoseconds: 0,
    };

    /// A timestamp, if `seconds` fits 48 bits and `nanoseconds` is below 10^9.
    pub fn new(seconds: u64, nanoseconds: u32) -> Result<Self, WireError> {
        if u64::from(nanoseconds) >= NANOS_PER_SEC {
            return Err(WireError::InvalidTimestamp(nanoseconds));
        }
        if seconds > Self::MAX_SECONDS {
            return Err(WireError::InvalidValue {
                field: "timestamp seconds (upper bits)",
                value: u32::try_from(seconds >> 48).unwrap_or(u32::MAX),
            });
        }
        Ok(Self {
            seconds,
            nanoseconds,
        })
    }

    /// The seconds field.
    pub const fn seconds(self) -> u64 {
        self.seconds
    }

    /// The nanoseconds field.
    pub const fn nanoseconds(self) -> u32 {
        self.nanoseconds
    }

    /// The timestamp of `time`, truncated to whole nanoseconds (the fraction travels in the
    /// correctionField). Seconds wrap modulo 2^48, as the wire field does.
    pub fn from_time(time: Time) -> Self {
        let secs = u64::try_from(time.secs() & u128::from(Self::MAX_SECONDS)).unwrap_or(0);
        Self {
            seconds: secs,
            nanoseconds: time.subsec_nanos(),
        }
    }

    /// The time this timestamp denotes.
    pub fn to_time(self) -> Time {
        Time::from_secs_nanos(self.seconds, self.nanoseconds)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let seconds = r.u48()?;
        let nanoseconds = r.u32()?;
        Self::new(seconds, nanoseconds)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u48(self.seconds)?;
        w.u32(self.nanoseconds)
    }
}

/// clockAccuracy (7.6.2.6, Table 5). Every byte value round-trips; the constants name the
/// defined ones.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ClockAccuracy(pub u8);

impl ClockAccuracy {
    /// Within 1 ps.
    pub const PS_1: Self = Self(0x17);
    /// Within 25 ns.
    pub const NS_25: Self = Self(0x20);
    /// Within 100 ns.
    pub const NS_100: Self = Self(0x21);
    /// Within 250 ns.
    pub const NS_250: Self = Self(0x22);
    /// Within 1 µs.
    pub const US_1: Self = Self(0x23);
    /// Within 2.5 µs.
    pub const US_2_5: Self = Self(0x24);
    /// Within 10 µs.
    pub const US_10: Self = Self(0x25);
    /// Within 25 µs.
    pub const US_25: Self = Self(0x26);
    /// Within 100 µs.
    pub const US_100: Self = Self(0x27);
    /// Within 1 ms.
    pub const MS_1: Self = Self(0x29);
    /// Within 1 s.
    pub const S_1: Self = Self(0x2f);
    /// Worse than 10 s.
    pub const S_10_PLUS: Self = Self(0x31);
    /// Unknown (linuxptp's default, 0xFE).
    pub const UNKNOWN: Self = Self(0xfe);
}

impl Default for ClockAccuracy {
    fn default() -> Self {
        Self::UNKNOWN
    }
}

/// timeSource (7.6.2.8, Table 6). Every byte value round-trips.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TimeSource(pub u8);

impl TimeSource {
    /// An atomic clock.
    pub const ATOMIC_CLOCK: Self = Self(0x10);
    /// A satellite navigation system (GNSS).
    pub const GNSS: Self = Self(0x20);
    /// Terrestrial radio.
    pub const TERRESTRIAL_RADIO: Self = Self(0x30);
    /// A serial time code (IRIG-B and the like).
    pub const SERIAL_TIME_CODE: Self = Self(0x39);
    /// Another PTP domain.
    pub const PTP: Self = Self(0x40);
    /// NTP.
    pub const NTP: Self = Self(0x50);
    /// Set by hand.
    pub const HAND_SET: Self = Self(0x60);
    /// Other.
    pub const OTHER: Self = Self(0x90);
    /// A free-running internal oscillator (linuxptp's default, 0xA0).
    pub const INTERNAL_OSCILLATOR: Self = Self(0xa0);
}

impl Default for TimeSource {
    fn default() -> Self {
        Self::INTERNAL_OSCILLATOR
    }
}

/// clockQuality (5.3.7): clockClass, clockAccuracy, offsetScaledLogVariance.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ClockQuality {
    /// clockClass (7.6.2.5): 6 locked to a primary reference, 248 default, 255 slave-only.
    pub clock_class: u8,
    /// clockAccuracy.
    pub clock_accuracy: ClockAccuracy,
    /// offsetScaledLogVariance (7.6.3.3).
    pub offset_scaled_log_variance: u16,
}

impl Default for ClockQuality {
    /// linuxptp's defaults: class 248, accuracy unknown, variance 0xFFFF.
    fn default() -> Self {
        Self {
            clock_class: 248,
            clock_accuracy: ClockAccuracy::UNKNOWN,
            offset_scaled_log_variance: 0xffff,
        }
    }
}

impl ClockQuality {
    /// Size on the wire.
    pub const LEN: usize = 4;

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            clock_class: r.u8()?,
            clock_accuracy: ClockAccuracy(r.u8()?),
            offset_scaled_log_variance: r.u16()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(self.clock_class)?;
        w.u8(self.clock_accuracy.0)?;
        w.u16(self.offset_scaled_log_variance)
    }
}

/// portState (8.2.15.3.1, Table 20).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum PortState {
    /// Initialising its data sets, hardware and communication.
    Initializing = 1,
    /// Faulty: no PTP messages but management.
    Faulty = 2,
    /// Disabled by management.
    Disabled = 3,
    /// Waiting for Announce messages or for its announce receipt timeout.
    Listening = 4,
    /// About to become master (qualification timeout).
    PreMaster = 5,
    /// Master: sends Announce and Sync.
    Master = 6,
    /// Passive: neither master nor slave, to break a loop.
    Passive = 7,
    /// A master is chosen but not yet synchronised to.
    Uncalibrated = 8,
    /// Synchronising to the selected master.
    Slave = 9,
}

impl PortState {
    /// The state with wire value `v`.
    pub fn from_u8(v: u8) -> Result<Self, WireError> {
        Ok(match v {
            1 => Self::Initializing,
            2 => Self::Faulty,
            3 => Self::Disabled,
            4 => Self::Listening,
            5 => Self::PreMaster,
            6 => Self::Master,
            7 => Self::Passive,
            8 => Self::Uncalibrated,
            9 => Self::Slave,
            _ => {
                return Err(WireError::InvalidValue {
                    field: "portState",
                    value: u32::from(v),
                })
            }
        })
    }

    /// linuxptp's name for the state, as pmc and ptp4l print it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Initializing => "INITIALIZING",
            Self::Faulty => "FAULTY",
            Self::Disabled => "DISABLED",
            Self::Listening => "LISTENING",
            Self::PreMaster => "PRE_MASTER",
            Self::Master => "MASTER",
            Self::Passive => "PASSIVE",
            Self::Uncalibrated => "UNCALIBRATED",
            Self::Slave => "SLAVE",
        }
    }
}

impl fmt::Display for PortState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A PTPText (5.3.9): a length byte and up to 255 bytes of UTF-8, borrowed from the message.
/// The bytes are kept as they came; [`PtpText::as_str`] checks UTF-8 when asked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PtpText<'a>(&'a [u8]);

impl<'a> PtpText<'a> {
    /// A text, if it fits the one-byte length field.
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        if bytes.len() > usize::from(u8::MAX) {
            return Err(WireError::TooLong {
                what: "PTPText",
                len: bytes.len(),
                max: usize::from(u8::MAX),
            });
        }
        Ok(Self(bytes))
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text, if it is UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.0).ok()
    }

    /// Bytes on the wire: the length byte and the text.
    pub fn wire_len(&self) -> usize {
        1 + self.0.len()
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let len = r.u8()?;
        Ok(Self(r.bytes(usize::from(len))?))
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        // `new` bounds the length; a text made otherwise cannot exist.
        let len = u8::try_from(self.0.len()).map_err(|_| WireError::TooLong {
            what: "PTPText",
            len: self.0.len(),
            max: usize::from(u8::MAX),
        })?;
        w.u8(len)?;
        w.bytes(self.0)
    }
}

impl fmt::Debug for PtpText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.0))
    }
}

impl fmt::Display for PtpText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0))
    }
}

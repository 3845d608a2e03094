//! Value types of configuration options: the syntax of each kind of value (integer, decimal,
//! enumeration, address, text), its range, and the Rust type it becomes.
//!
//! [`ValueKind`] is what the option table says about an option's value; [`OptionValue`] is
//! implemented by every Rust type an option can have and turns text into that type (and back)
//! under the rules of a [`ValueKind`]. Enumerations live in [`super::enums`].

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::number::{
    format_decimal_seconds, parse_c_double, parse_c_int, parse_decimal_seconds, NumberError,
};
use crate::time::{Duration, LogInterval, Ppb};

/// How an integer is written back by the writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    /// `128`
    Decimal,
    /// `0xFE`
    Hex,
    /// `0660` (file modes)
    Octal,
}

/// The syntax and range of an option's value, as the option table declares it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueKind {
    /// `0` or `1` (linuxptp reads these as integers limited to 0..=1).
    Flag,
    /// An integer in `min..=max`, in `strtol` syntax, written back in `radix`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
        /// How the writer renders it.
        radix: Radix,
    },
    /// A floating-point number in `min..=max`.
    Float {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// Whole nanoseconds in `min..=max`, held as a [`Duration`].
    Nanos {
        /// Smallest accepted value (ns).
        min: i64,
        /// Largest accepted value (ns).
        max: i64,
    },
    /// Whole milliseconds in `min..=max`, held as a [`Duration`].
    Millis {
        /// Smallest accepted value (ms).
        min: i64,
        /// Largest accepted value (ms).
        max: i64,
    },
    /// Whole seconds in `min..=max`, held as a [`Duration`].
    Secs {
        /// Smallest accepted value (s).
        min: i64,
        /// Largest accepted value (s).
        max: i64,
    },
    /// Non-negative decimal seconds (`0.00002`), held exactly as a [`Duration`].
    DecimalSecs,
    /// A log2 interval in seconds, in `min..=max`, held as a [`LogInterval`].
    LogSecs {
        /// Smallest accepted exponent.
        min: i8,
        /// Largest accepted exponent.
        max: i8,
    },
    /// A whole number of parts per billion in `min..=max`, held as [`Ppb`].
    PartsPerBillion {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// One of these labels, compared case-insensitively as linuxptp does.
    Enum(&'static [&'static str]),
    /// Free text: everything after the option name, inner spaces included.
    Text,
    /// Free text with no default (linuxptp's `NULL` strings, such as `leapfile`).
    OptionalText,
    /// An Ethernet address `01:1B:19:00:00:00`.
    Mac,
    /// An IPv4 address in dotted-quad form.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// An organizationally unique identifier `00:00:00` (manufacturerIdentity).
    Oui,
    /// A clock identity `001122.fffe.334455` (IEEE 1588-2019 7.5.2.2).
    ClockIdentity,
    /// `fault_reset_interval`: log2 seconds in -128..=127, or `ASAP` (= -128).
    FaultReset,
    /// `fault_badpeernet_interval`: whole seconds, or `ASAP` (= 0).
    BadPeerNet,
}

impl ValueKind {
    /// A short description of the accepted values, for errors and documentation.
    pub fn describe(&self) -> String {
        match self {
            Self::Flag => "0 or 1".into(),
            Self::Int {
                min,
                max,
                radix: Radix::Hex,
            } => format!("integer {min:#X} to {max:#X}").replace("0X", "0x"),
            Self::Int {
                min,
                max,
                radix: Radix::Octal,
            } => format!("integer 0{min:o} to 0{max:o}"),
            Self::Int { min, max, .. } => format!("integer {min} to {max}"),
            Self::Float { min, max } if *min <= -f64::MAX && *max >= f64::MAX => {
                "any number".into()
            }
            Self::Float { min, max } if *max >= f64::MAX => format!("number >= {min:?}"),
            Self::Float { min, max } if *min == f64::MIN_POSITIVE => {
                format!("number > 0 and <= {max:?}")
            }
            Self::Float { min, max } => format!("number {min:?} to {max:?}"),
            Self::Nanos { min, max } => format!("nanoseconds {min} to {max}"),
            Self::Millis { min, max } => format!("milliseconds {min} to {max}"),
            Self::Secs { min, max } => format!("seconds {min} to {max}"),
            Self::DecimalSecs => "seconds (decimal, >= 0)".into(),
            Self::LogSecs { min, max } => format!("log2 seconds {min} to {max}"),
            Self::PartsPerBillion { min, max } => format!("ppb {min} to {max}"),
            Self::Enum(labels) => labels.join("|"),
            Self::Text | Self::OptionalText => "text".into(),
            Self::Mac => "MAC address xx:xx:xx:xx:xx:xx".into(),
            Self::Ipv4 => "IPv4 address".into(),
            Self::Ipv6 => "IPv6 address".into(),
            Self::Oui => "OUI xx:xx:xx".into(),
            Self::ClockIdentity => "clock identity xxxxxx.xxxx.xxxxxx".into(),
            Self::FaultReset => "log2 seconds -128 to 127, or ASAP".into(),
            Self::BadPeerNet => "seconds, or ASAP".into(),
        }
    }
}

/// Why a value was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The text is not in the syntax the option expects.
    #[error("\"{text}\" is a malformed value (expected {expected})")]
    Malformed {
        /// The offending text.
        text: String,
        /// What the option expects.
        expected: String,
    },
    /// A well-formed number outside the option's range.
    #[error("{text} is out of range (allowed: {allowed})")]
    OutOfRange {
        /// The offending text.
        text: String,
        /// The accepted range.
        allowed: String,
    },
    /// Not one of the option's enumeration labels.
    #[error("\"{text}\" is a bad value (expected one of: {})", .allowed.join(", "))]
    NotInList {
        /// The offending text.
        text: String,
        /// The accepted labels.
        allowed: &'static [&'static str],
    },
}

fn malformed(text: &str, kind: &ValueKind) -> ValueError {
    ValueError::Malformed {
        text: text.to_owned(),
        expected: kind.describe(),
    }
}

fn out_of_range(text: &str, kind: &ValueKind) -> ValueError {
    ValueError::OutOfRange {
        text: text.to_owned(),
        allowed: kind.describe(),
    }
}

/// Reads an integer in `min..=max` with `strtol` syntax.
fn ranged(text: &str, min: i64, max: i64, kind: &ValueKind) -> Result<i64, ValueError> {
    match parse_c_int(text) {
        Ok(v) if v >= i128::from(min) && v <= i128::from(max) => {
            i64::try_from(v).map_err(|_| out_of_range(text, kind))
        }
        Ok(_) | Err(NumberError::Overflow) => Err(out_of_range(text, kind)),
        Err(NumberError::Malformed) => Err(malformed(text, kind)),
    }
}

/// The integer range of an integer-like kind.
fn int_range(kind: &ValueKind) -> Option<(i64, i64)> {
    match *kind {
        ValueKind::Flag => Some((0, 1)),
        ValueKind::Int { min, max, .. }
        | ValueKind::Nanos { min, max }
        | ValueKind::Millis { min, max }
        | ValueKind::Secs { min, max }
        | ValueKind::PartsPerBillion { min, max } => Some((min, max)),
        ValueKind::LogSecs { min, max } => Some((i64::from(min), i64::from(max))),
        ValueKind::FaultReset => Some((-128, 127)),
        ValueKind::BadPeerNet => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        _ => None,
    }
}

fn int_of(text: &str, kind: &ValueKind) -> Result<i64, ValueError> {
    let (min, max) = int_range(kind).ok_or_else(|| malformed(text, kind))?;
    ranged(text, min, max, kind)
}

/// A Rust type that an option's value can have.
///
/// `parse` reads the text under the rules of `kind` (its syntax and range); `render` writes the
/// value back so that `parse(render(v)) == v`.
pub trait OptionValue: Sized {
    /// Reads `text` (already stripped of surrounding whitespace).
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError>;
    /// Writes the value in configuration-file syntax.
    fn render(&self, kind: &ValueKind) -> String;
    /// Why this particular value is not implemented by our engine yet, if it is not.
    fn unimplemented(&self) -> Option<&'static str> {
        None
    }
}

impl OptionValue for bool {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        Ok(int_of(text, kind)? != 0)
    }
    fn render(&self, _: &ValueKind) -> String {
        if *self { "1" } else { "0" }.into()
    }
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl OptionValue for $t {
            fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
                <$t>::try_from(int_of(text, kind)?).map_err(|_| out_of_range(text, kind))
            }
            fn render(&self, kind: &ValueKind) -> String {
                match kind {
                    ValueKind::Int { radix: Radix::Hex, .. } => {
                        format!("0x{:0w$X}", self, w = 2 * core::mem::size_of::<$t>())
                    }
                    ValueKind::Int { radix: Radix::Octal, .. } => format!("0{:o}", self),
                    _ => self.to_string(),
                }
            }
        }
    )*};
}
int_value!(u8, u16, u32, i16, i32, i64);

impl OptionValue for f64 {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        let ValueKind::Float { min, max } = *kind else {
            return Err(malformed(text, kind));
        };
        match parse_c_double(text) {
            Ok(v) if v >= min && v <= max => Ok(v),
            Ok(_) | Err(NumberError::Overflow) => Err(out_of_range(text, kind)),
            Err(NumberError::Malformed) => Err(malformed(text, kind)),
        }
    }
    fn render(&self, _: &ValueKind) -> String {
        // `{:?}` is the shortest text that reads back to the same f64 and always has a point.
        format!("{self:?}")
    }
}

impl OptionValue for Duration {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        match *kind {
            ValueKind::DecimalSecs => match parse_decimal_seconds(text) {
                Ok(d) if !d.is_negative() => Ok(d),
                Ok(_) | Err(NumberError::Overflow) => Err(out_of_range(text, kind)),
                Err(NumberError::Malformed) => Err(malformed(text, kind)),
            },
            ValueKind::Nanos { .. } => Ok(Duration::from_nanos(int_of(text, kind)?)),
            ValueKind::Millis { .. } => Ok(Duration::from_millis(int_of(text, kind)?)),
            ValueKind::Secs { .. } => Ok(Duration::from_secs(int_of(text, kind)?)),
            ValueKind::BadPeerNet => {
                if text.eq_ignore_ascii_case("ASAP") {
                    Ok(Duration::ZERO)
                } else {
                    Ok(Duration::from_secs(int_of(text, kind)?))
                }
            }
            _ => Err(malformed(text, kind)),
        }
    }
    fn render(&self, kind: &ValueKind) -> String {
        match kind {
            ValueKind::DecimalSecs => format_decimal_seconds(*self),
            ValueKind::Millis { .. } => (self.nanos() / 1_000_000).to_string(),
            ValueKind::Secs { .. } | ValueKind::BadPeerNet => {
                (self.nanos() / 1_000_000_000).to_string()
            }
            _ => self.nanos().to_string(),
        }
    }
}

impl OptionValue for Option<Duration> {
    /// Used by options whose default lies outside their range and means "not set"
    /// (`ts2phc.perout_phase -1`).
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        Duration::parse(text, kind).map(Some)
    }
    fn render(&self, kind: &ValueKind) -> String {
        match self {
            Some(d) => d.render(kind),
            None => "-1".into(),
        }
    }
}

impl OptionValue for LogInterval {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        i8::try_from(int_of(text, kind)?)
            .map(LogInterval)
            .map_err(|_| out_of_range(text, kind))
    }
    fn render(&self, _: &ValueKind) -> String {
        self.0.to_string()
    }
}

impl OptionValue for Ppb {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        // Whole ppb from an i32-sized range: exact in f64.
        Ok(Ppb(int_of(text, kind)? as f64))
    }
    fn render(&self, _: &ValueKind) -> String {
        format!("{}", self.0.round() as i64)
    }
}

impl OptionValue for String {
    fn parse(text: &str, _: &ValueKind) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }
    fn render(&self, _: &ValueKind) -> String {
        self.clone()
    }
}

impl OptionValue for Option<String> {
    fn parse(text: &str, _: &ValueKind) -> Result<Self, ValueError> {
        Ok(Some(text.to_owned()))
    }
    fn render(&self, _: &ValueKind) -> String {
        self.clone().unwrap_or_default()
    }
}

impl OptionValue for Ipv4Addr {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        text.parse().map_err(|_| malformed(text, kind))
    }
    fn render(&self, _: &ValueKind) -> String {
        self.to_string()
    }
}

impl OptionValue for Ipv6Addr {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        text.parse().map_err(|_| malformed(text, kind))
    }
    fn render(&self, _: &ValueKind) -> String {
        // linuxptp's defaults are upper case (FF0E:0:0:0:0:0:0:181); either case reads back.
        self.to_string().to_uppercase()
    }
}

/// Reads `N` hexadecimal octets separated by `sep`, each one or two digits (as `%hhx` does).
fn hex_octets<const N: usize>(text: &str, sep: char) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let mut parts = text.split(sep);
    for slot in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *slot = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// An Ethernet (MAC) address, as in `ptp_dst_mac 01:1B:19:00:00:00`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddress(pub [u8; 6]);

impl MacAddress {
    /// Reads `xx:xx:xx:xx:xx:xx`.
    pub fn parse_text(text: &str) -> Option<Self> {
        hex_octets::<6>(text, ':').map(Self)
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02X}:{b:02X}:{c:02X}:{d:02X}:{e:02X}:{g:02X}")
    }
}

impl fmt::Debug for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddress({self})")
    }
}

impl OptionValue for MacAddress {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        Self::parse_text(text).ok_or_else(|| malformed(text, kind))
    }
    fn render(&self, _: &ValueKind) -> String {
        self.to_string()
    }
}

/// An organizationally unique identifier (`manufacturerIdentity 00:00:00`), IEEE 1588-2019
/// 15.5.3.1.2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Oui(pub [u8; 3]);

impl OptionValue for Oui {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        hex_octets::<3>(text, ':')
            .map(Self)
            .ok_or_else(|| malformed(text, kind))
    }
    fn render(&self, _: &ValueKind) -> String {
        let [a, b, c] = self.0;
        format!("{a:02X}:{b:02X}:{c:02X}")
    }
}

/// A configured clock identity (`clockIdentity 001122.fffe.334455`, IEEE 1588-2019 7.5.2.2).
///
/// All zeros, the default, means "derive it from the first port's MAC address", as ptp4l does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConfiguredClockIdentity(pub [u8; 8]);

impl ConfiguredClockIdentity {
    /// True for the all-zero default ("derive from the MAC address").
    pub fn is_unset(&self) -> bool {
        self.0 == [0; 8]
    }
}

impl OptionValue for ConfiguredClockIdentity {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        let mut groups = text.split('.');
        let (Some(a), Some(b), Some(c), None) =
            (groups.next(), groups.next(), groups.next(), groups.next())
        else {
            return Err(malformed(text, kind));
        };
        if a.len() != 6 || b.len() != 4 || c.len() != 6 {
            return Err(malformed(text, kind));
        }
        let hex: String = [a, b, c].concat();
        let mut out = [0u8; 8];
        for (i, slot) in out.iter_mut().enumerate() {
            let pair = hex
                .get(2 * i..2 * i + 2)
                .ok_or_else(|| malformed(text, kind))?;
            *slot = u8::from_str_radix(pair, 16).map_err(|_| malformed(text, kind))?;
        }
        Ok(Self(out))
    }
    fn render(&self, _: &ValueKind) -> String {
        let [a, b, c, d, e, f, g, h] = self.0;
        format!("{a:02x}{b:02x}{c:02x}.{d:02x}{e:02x}.{f:02x}{g:02x}{h:02x}")
    }
}

/// `fault_reset_interval`: how long a faulty port waits before it is reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultResetInterval {
    /// Reset at once (`ASAP`, or -128).
    Asap,
    /// Wait 2^n seconds.
    Log(LogInterval),
}

impl OptionValue for FaultResetInterval {
    fn parse(text: &str, kind: &ValueKind) -> Result<Self, ValueError> {
        if text.eq_ignore_ascii_case("ASAP") {
            return Ok(Self::Asap);
        }
        match i8::try_from(int_of(text, kind)?) {
            Ok(i8::MIN) => Ok(Self::Asap),
            Ok(v) => Ok(Self::Log(LogInterval(v))),
            Err(_) => Err(out_of_range(text, kind)),
        }
    }
    fn render(&self, _: &ValueKind) -> String {
        match self {
            Self::Asap => "ASAP".into(),
            Self::Log(l) => l.0.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTE: ValueKind = ValueKind::Int {
        min: 0,
        max: 255,
        radix: Radix::Hex,
    };

    #[test]
    fn integers_with_ranges() {
        assert_eq!(u8::parse("0x27", &BYTE), Ok(0x27));
        assert_eq!(u8::render(&0xFE, &BYTE), "0xFE");
        assert!(matches!(
            u8::parse("256", &BYTE),
            Err(ValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            u8::parse("five", &BYTE),
            Err(ValueError::Malformed { .. })
        ));
        let octal = ValueKind::Int {
            min: 0,
            max: 0o777,
            radix: Radix::Octal,
        };
        assert_eq!(u16::parse("0660", &octal), Ok(0o660));
        assert_eq!(u16::render(&0o660, &octal), "0660");
        assert_eq!(bool::parse("1", &ValueKind::Flag), Ok(true));
        assert!(bool::parse("2", &ValueKind::Flag).is_err());
    }

    #[test]
    fn addresses() {
        let mac = MacAddress::parse(" 01:1b:19:00:00:00".trim(), &ValueKind::Mac).unwrap();
        assert_eq!(mac.render(&ValueKind::Mac), "01:1B:19:00:00:00");
        assert!(MacAddress::parse("01:1B:19:00:00", &ValueKind::Mac).is_err());
        assert!(MacAddress::parse("01:1B:19:00:00:00:00", &ValueKind::Mac).is_err());
        assert!(MacAddress::parse("01:1B:19:00:00:0g", &ValueKind::Mac).is_err());
        let id = ConfiguredClockIdentity::parse("001122.fffe.334455", &ValueKind::ClockIdentity)
            .unwrap();
        assert_eq!(id.0, [0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55]);
        assert_eq!(id.render(&ValueKind::ClockIdentity), "001122.fffe.334455");
        assert!(
            ConfiguredClockIdentity::parse("0011.22fffe.334455", &ValueKind::ClockIdentity)
                .is_err()
        );
        let v6 = Ipv6Addr::parse("FF0E:0:0:0:0:0:0:181", &ValueKind::Ipv6).unwrap();
        assert_eq!(v6.render(&ValueKind::Ipv6), "FF0E::181");
    }

    #[test]
    fn fault_interval() {
        let k = ValueKind::FaultReset;
        assert_eq!(
            FaultResetInterval::parse("asap", &k),
            Ok(FaultResetInterval::Asap)
        );
        assert_eq!(
            FaultResetInterval::parse("-128", &k),
            Ok(FaultResetInterval::Asap)
        );
        assert_eq!(
            FaultResetInterval::parse("4", &k),
            Ok(FaultResetInterval::Log(LogInterval(4)))
        );
        assert!(FaultResetInterval::parse("200", &k).is_err());
        let b = ValueKind::BadPeerNet;
        assert_eq!(Duration::parse("ASAP", &b), Ok(Duration::ZERO));
        assert_eq!(Duration::parse("16", &b), Ok(Duration::from_secs(16)));
    }
}

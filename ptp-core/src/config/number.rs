//! Number syntax of linuxptp configuration values.
//!
//! linuxptp reads integers with `strtol(value, &end, 0)`: an optional sign, then `0x`/`0X` for
//! hexadecimal, a leading `0` for octal, otherwise decimal, and nothing may follow. So
//! `clockAccuracy 0xFE`, `transportSpecific 0x1` and `priority1 128` are all integers, and
//! `udp6_scope 010` is eight. We accept exactly that syntax.
//!
//! Floating-point values are read with `strtod`. We accept plain decimal numbers with an
//! optional exponent (`0.00002`, `2e-5`, `.5`, `5.`); we reject `inf`, `nan` and C hexadecimal
//! floats, which no sensible configuration uses (`nan` would even slip through linuxptp's range
//! checks).
//!
//! Threshold options in seconds (`step_threshold`, `first_step_threshold`) are parsed exactly
//! into [`Duration`] (resolution 2^-16 ns) without going through `f64`, and rendered back as an
//! exact decimal, so that a written configuration reads back to the same value.

use crate::time::{Duration, FRAC_BITS, NANOS_PER_SEC};

/// Why a number could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not a number in the expected syntax.
    Malformed,
    /// A number, but too large in magnitude for any representation we use.
    Overflow,
}

/// Parses an integer with C `strtol(.., 0)` syntax (sign, `0x` hex, leading-zero octal).
pub(crate) fn parse_c_int(text: &str) -> Result<i128, NumberError> {
    let t = text.trim_start();
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x").or(rest.strip_prefix("0X")) {
        (16, h)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, rest.get(1..).unwrap_or(""))
    } else {
        (10, rest)
    };
    if digits.is_empty() {
        return Err(NumberError::Malformed);
    }
    let mut value: i128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(NumberError::Malformed)?;
        value = value
            .checked_mul(i128::from(radix))
            .and_then(|v| v.checked_add(i128::from(d)))
            .ok_or(NumberError::Overflow)?;
        // Anything beyond 2^100 is out of every range we check; stop before i128 overflows.
        if value > 1 << 100 {
            return Err(NumberError::Overflow);
        }
    }
    Ok(if negative { -value } else { value })
}

/// A decimal number `digits × 10^exp10`, read exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: u128,
    exp10: i32,
}

/// Most significant digits kept; further digits are dropped (far below 2^-16 ns for any
/// realistic value).
const MAX_DIGITS: u32 = 30;

fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let t = text.trim_start();
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (
            rest.get(..i).unwrap_or(""),
            Some(rest.get(i + 1..).unwrap_or("")),
        ),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(NumberError::Malformed);
    }
    let mut digits: u128 = 0;
    let mut kept = 0u32;
    let mut exp10: i64 = 0;
    for (c, is_frac) in int_part
        .chars()
        .map(|c| (c, false))
        .chain(frac_part.chars().map(|c| (c, true)))
    {
        let d = c.to_digit(10).ok_or(NumberError::Malformed)?;
        if kept < MAX_DIGITS {
            if digits > 0 || d > 0 {
                kept += 1;
            }
            digits = digits * 10 + u128::from(d);
            if is_frac {
                exp10 -= 1;
            }
        } else if !is_frac {
            exp10 += 1;
        }
    }
    if let Some(e) = exponent {
        let e = parse_c_int_decimal_only(e)?;
        exp10 = exp10.saturating_add(e);
    }
    let exp10 = i32::try_from(exp10.clamp(-10_000, 10_000)).map_err(|_| NumberError::Overflow)?;
    Ok(Decimal {
        negative,
        digits,
        exp10,
    })
}

/// A decimal exponent: optional sign and decimal digits only.
fn parse_c_int_decimal_only(text: &str) -> Result<i64, NumberError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or("")),
        Some(b'+') => (false, text.get(1..).unwrap_or("")),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Malformed);
    }
    let v: i64 = digits.parse().unwrap_or(i64::MAX / 2);
    Ok(if negative { -v } else { v })
}

/// Parses a floating-point value (`strtod` syntax without `inf`, `nan` or hex floats).
pub(crate) fn parse_c_double(text: &str) -> Result<f64, NumberError> {
    // Validate the syntax ourselves, then let the standard library round correctly.
    parse_decimal(text)?;
    let v: f64 = text
        .trim_start()
        .parse()
        .map_err(|_| NumberError::Malformed)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(NumberError::Overflow)
    }
}

/// Parses decimal seconds (`0.00002`, `1e-3`) exactly into a [`Duration`], rounding to the
/// nearest 2^-16 ns.
pub(crate) fn parse_decimal_seconds(text: &str) -> Result<Duration, NumberError> {
    let d = parse_decimal(text)?;
    // scaled = digits × 10^(exp10 + 9) × 2^16
    let base = d
        .digits
        .checked_mul(1u128 << FRAC_BITS)
        .ok_or(NumberError::Overflow)?;
    let shift = d.exp10 + 9;
    let magnitude = if shift >= 0 {
        let mut v = base;
        for _ in 0..shift {
            v = v.checked_mul(10).ok_or(NumberError::Overflow)?;
        }
        v
    } else if shift < -38 {
        0
    } else {
        let div = 10u128.pow(shift.unsigned_abs());
        let q = base / div;
        let r = base % div;
        if r >= div - r {
            q + 1
        } else {
            q
        }
    };
    let signed = i128::try_from(magnitude).map_err(|_| NumberError::Overflow)?;
    Ok(Duration::from_scaled_nanos(if d.negative {
        -signed
    } else {
        signed
    }))
}

/// Renders a [`Duration`] as exact decimal seconds with no trailing zeros (`0.00002`, `1`).
pub(crate) fn format_decimal_seconds(d: Duration) -> String {
    let scaled = d.scaled_nanos();
    let abs = scaled.unsigned_abs();
    let nanos = abs >> FRAC_BITS;
    let frac = abs & ((1u128 << FRAC_BITS) - 1);
    let secs = nanos / u128::from(NANOS_PER_SEC);
    let rem_ns = nanos % u128::from(NANOS_PER_SEC);
    // 2^-16 = 5^16 / 10^16, so the sub-nanosecond part has at most 16 decimal digits, and the
    // fraction of a second at most 25.
    const FIVE_POW_16: u128 = 152_587_890_625;
    let fraction = rem_ns * 10u128.pow(16) + frac * FIVE_POW_16;
    let sign = if scaled < 0 { "-" } else { "" };
    if fraction == 0 {
        return format!("{sign}{secs}");
    }
    let digits = format!("{fraction:025}");
    format!("{sign}{secs}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_integers() {
        assert_eq!(parse_c_int("128"), Ok(128));
        assert_eq!(parse_c_int("-4"), Ok(-4));
        assert_eq!(parse_c_int("+5"), Ok(5));
        assert_eq!(parse_c_int("0xFE"), Ok(254));
        assert_eq!(parse_c_int("0x0E"), Ok(14));
        assert_eq!(parse_c_int("010"), Ok(8));
        assert_eq!(parse_c_int("0"), Ok(0));
        assert_eq!(parse_c_int("0x"), Err(NumberError::Malformed));
        assert_eq!(parse_c_int("08"), Err(NumberError::Malformed));
        assert_eq!(parse_c_int("5x"), Err(NumberError::Malformed));
        assert_eq!(parse_c_int("1.5"), Err(NumberError::Malformed));
        assert_eq!(parse_c_int(""), Err(NumberError::Malformed));
        assert_eq!(parse_c_int("-"), Err(NumberError::Malformed));
        assert_eq!(
            parse_c_int("99999999999999999999999999999999999999999"),
            Err(NumberError::Overflow)
        );
    }

    #[test]
    fn doubles() {
        assert_eq!(parse_c_double("0.7"), Ok(0.7));
        assert_eq!(parse_c_double("-0.3"), Ok(-0.3));
        assert_eq!(parse_c_double("2e-5"), Ok(2e-5));
        assert_eq!(parse_c_double(".5"), Ok(0.5));
        assert_eq!(parse_c_double("5."), Ok(5.0));
        assert_eq!(parse_c_double("inf"), Err(NumberError::Malformed));
        assert_eq!(parse_c_double("nan"), Err(NumberError::Malformed));
        assert_eq!(parse_c_double("1e999"), Err(NumberError::Overflow));
        assert_eq!(parse_c_double("1.2.3"), Err(NumberError::Malformed));
        assert_eq!(parse_c_double("e5"), Err(NumberError::Malformed));
    }

    #[test]
    fn seconds_are_exact() {
        assert_eq!(
            parse_decimal_seconds("0.00002"),
            Ok(Duration::from_nanos(20_000))
        );
        assert_eq!(
            parse_decimal_seconds("2e-5"),
            Ok(Duration::from_nanos(20_000))
        );
        assert_eq!(parse_decimal_seconds("1"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_decimal_seconds("0.0"), Ok(Duration::ZERO));
        assert_eq!(
            parse_decimal_seconds("-1.5"),
            Ok(Duration::from_millis(-1500))
        );
        assert_eq!(
            format_decimal_seconds(Duration::from_nanos(20_000)),
            "0.00002"
        );
        assert_eq!(format_decimal_seconds(Duration::ZERO), "0");
        assert_eq!(format_decimal_seconds(Duration::from_millis(-1500)), "-1.5");
        assert_eq!(
            format_decimal_seconds(Duration::from_scaled_nanos(1)),
            "0.0000000000000152587890625"
        );
        assert_eq!(parse_decimal_seconds("1e400"), Err(NumberError::Overflow));
    }

    #[test]
    fn seconds_round_trip() {
        for scaled in [1i128, 65_535, 65_536, 123_456_789_012_345, -7, 1 << 90] {
            let d = Duration::from_scaled_nanos(scaled);
            assert_eq!(parse_decimal_seconds(&format_decimal_seconds(d)), Ok(d));
        }
    }
}

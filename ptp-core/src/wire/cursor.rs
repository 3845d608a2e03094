//! Bounds-checked big-endian reading from a borrowed slice ([`Reader`]) and writing into a
//! caller-provided buffer ([`Writer`]). Every other part of the codec goes through these two,
//! so no decoder indexes a slice directly and no encoder allocates.

use super::WireError;
use crate::time::Duration;

/// Bounds of a signed 96-bit ScaledNs (nanoseconds × 2^16, IEEE 1588-2019 5.3.2 / 802.1AS).
const SCALED_NS_MAX: i128 = (1 << 95) - 1;

/// Reads network-order fields from a borrowed slice, failing with
/// [`WireError::Truncated`] instead of reading past its end.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Reads `bytes`; `what` names the structure in truncation errors.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { rest: bytes, what }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        match self.rest.split_at_checked(n) {
            Some((head, tail)) => {
                self.rest = tail;
                Ok(head)
            }
            None => Err(WireError::Truncated {
                what: self.what,
                needed: n,
                available: self.rest.len(),
            }),
        }
    }

    /// Takes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Takes the next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// Skips `n` reserved bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), WireError> {
        self.bytes(n).map(|_| ())
    }

    /// Reads a `u8`.
    pub fn u8(&mut self) -> Result<u8, WireError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    /// Reads an `i8`.
    pub fn i8(&mut self) -> Result<i8, WireError> {
        Ok(i8::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `i16`.
    pub fn i16(&mut self) -> Result<i16, WireError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `i32`.
    pub fn i32(&mut self) -> Result<i32, WireError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian 48-bit unsigned integer (UInteger48).
    pub fn u48(&mut self) -> Result<u64, WireError> {
        let b: [u8; 6] = self.array()?;
        let [a0, a1, a2, a3, a4, a5] = b;
        Ok(u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]))
    }

    /// Reads a big-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `i64`.
    pub fn i64(&mut self) -> Result<i64, WireError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// Reads a little-endian `u64` (linuxptp's statistics counters).
    pub fn u64_le(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads a big-endian signed 96-bit ScaledNs (nanoseconds × 2^16).
    pub fn scaled_ns(&mut self) -> Result<Duration, WireError> {
        let [a, b, c, d, e, f, g, h, i, j, k, l] = self.array()?;
        // Sign-extend the 96-bit value into an i128.
        let fill = if a & 0x80 != 0 { 0xff } else { 0 };
        let scaled =
            i128::from_be_bytes([fill, fill, fill, fill, a, b, c, d, e, f, g, h, i, j, k, l]);
        Ok(Duration::from_scaled_nanos(scaled))
    }
}

/// Writes network-order fields into a caller-provided buffer, failing with
/// [`WireError::BufferTooSmall`] instead of writing past its end.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// Writes from the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or_default()
    }

    /// The bytes written, giving up the writer.
    pub fn into_written(self) -> &'b [u8] {
        let Self { buf, pos } = self;
        let buf: &'b [u8] = buf;
        buf.get(..pos).unwrap_or_default()
    }

    /// Reserves the next `n` bytes and returns them for the caller to fill.
    fn take(&mut self, n: usize) -> Result<&mut [u8], WireError> {
        let available = self.buf.len();
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= available)
            .ok_or(WireError::BufferTooSmall {
                needed: self.pos.saturating_add(n),
                available,
            })?;
        let start = self.pos;
        self.pos = end;
        self.buf
            .get_mut(start..end)
            .ok_or(WireError::BufferTooSmall {
                needed: end,
                available,
            })
    }

    /// Writes `bytes`.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        self.take(bytes.len())?.copy_from_slice(bytes);
        Ok(())
    }

    /// Writes `n` zero bytes (reserved fields, padding).
    pub fn zeros(&mut self, n: usize) -> Result<(), WireError> {
        self.take(n)?.fill(0);
        Ok(())
    }

    /// Writes a `u8`.
    pub fn u8(&mut self, v: u8) -> Result<(), WireError> {
        self.bytes(&[v])
    }

    /// Writes an `i8`.
    pub fn i8(&mut self, v: i8) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian `u16`.
    pub fn u16(&mut self, v: u16) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian `i16`.
    pub fn i16(&mut self, v: i16) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian `u32`.
    pub fn u32(&mut self, v: u32) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian `i32`.
    pub fn i32(&mut self, v: i32) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes the low 48 bits of `v`, big-endian (UInteger48). Higher bits must be zero.
    pub fn u48(&mut self, v: u64) -> Result<(), WireError> {
        if v >> 48 != 0 {
            return Err(WireError::InvalidValue {
                field: "UInteger48",
                value: u32::try_from(v >> 48).unwrap_or(u32::MAX),
            });
        }
        let [_, _, b @ ..] = v.to_be_bytes();
        self.bytes(&b)
    }

    /// Writes a big-endian `u64`.
    pub fn u64(&mut self, v: u64) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian `i64`.
    pub fn i64(&mut self, v: i64) -> Result<(), WireError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a little-endian `u64` (linuxptp's statistics counters).
    pub fn u64_le(&mut self, v: u64) -> Result<(), WireError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Writes `d` as a big-endian signed 96-bit ScaledNs; fails if it does not fit.
    pub fn scaled_ns(&mut self, d: Duration) -> Result<(), WireError> {
        let scaled = d.scaled_nanos();
        if !(-SCALED_NS_MAX - 1..=SCALED_NS_MAX).contains(&scaled) {
            return Err(WireError::TooLong {
                what: "ScaledNs (96 bits)",
                len: 16,
                max: 12,
            });
        }
        let [_, _, _, _, rest @ ..] = scaled.to_be_bytes();
        self.bytes(&rest)
    }

    /// Overwrites a big-endian `u16` already written at `at` (a length field filled in once
    /// the length is known).
    pub fn patch_u16(&mut self, at: usize, v: u16) -> Result<(), WireError> {
        let available = self.buf.len();
        let slot = at
            .checked_add(2)
            .filter(|end| *end <= self.pos)
            .and_then(|end| self.buf.get_mut(at..end))
            .ok_or(WireError::BufferTooSmall {
                needed: at.saturating_add(2),
                available,
            })?;
        slot.copy_from_slice(&v.to_be_bytes());
        Ok(())
    }
}

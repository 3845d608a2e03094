//! The one error type of the wire codec: every way a buffer can fail to be a PTP message, and
//! every way a message can fail to fit a buffer.

use thiserror::Error;

/// Why a buffer could not be decoded, or a message could not be encoded.
///
/// Each variant names what was wrong so that a dropped packet can be counted and logged with a
/// reason (`tracing`), never with a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum WireError {
    /// The input ended inside a field or fixed-size body.
    #[error("truncated {what}: needs {needed} bytes, {available} left")]
    Truncated {
        /// The structure being read (`"header"`, `"Announce body"`, …).
        what: &'static str,
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// The header's messageLength claims more bytes than the buffer holds.
    #[error("messageLength {declared} exceeds the {available}-byte buffer")]
    LengthExceedsBuffer {
        /// messageLength from the header.
        declared: u16,
        /// Size of the buffer given to the decoder.
        available: usize,
    },
    /// The header's messageLength is smaller than the fixed part of its message type.
    #[error("messageLength {declared} is shorter than the {minimum} bytes a {message} needs")]
    LengthTooShort {
        /// messageLength from the header.
        declared: u16,
        /// Header plus fixed body of that message type.
        minimum: usize,
        /// The message type's name.
        message: &'static str,
    },
    /// versionPTP is not 2.
    #[error("unsupported versionPTP {0} (this codec speaks PTP version 2)")]
    UnsupportedVersion(u8),
    /// messageType is one of the reserved values.
    #[error("reserved messageType {0:#x}")]
    ReservedMessageType(u8),
    /// A TLV's lengthField runs past the end of the message.
    #[error("TLV of type {tlv_type:#06x} at suffix offset {offset} declares {length} bytes, {available} left")]
    TlvOverrun {
        /// The TLV's tlvType.
        tlv_type: u16,
        /// Offset of the TLV's first byte within the message suffix.
        offset: usize,
        /// The TLV's lengthField.
        length: u16,
        /// Bytes left after the TLV's 4-byte head.
        available: usize,
    },
    /// A TLV's body does not have the size its type requires.
    #[error("{tlv} TLV has a {actual}-byte body, {expected}")]
    TlvBodySize {
        /// The TLV type's name.
        tlv: &'static str,
        /// What the size should be, in words (`"expected 6"`, `"expected a multiple of 8"`).
        expected: &'static str,
        /// The body size found.
        actual: usize,
    },
    /// A management TLV's data field does not have the size its managementId requires.
    #[error("management ID {id:#06x} ({name}) carries {actual} data bytes, {expected}")]
    ManagementBodySize {
        /// The managementId.
        id: u16,
        /// Its name, or `"unknown"`.
        name: &'static str,
        /// What the size should be, in words.
        expected: &'static str,
        /// The data size found.
        actual: usize,
    },
    /// A Management message carries something other than exactly one management or
    /// management-error-status TLV.
    #[error("management message must carry exactly one MANAGEMENT or MANAGEMENT_ERROR_STATUS TLV")]
    ManagementTlvMissing,
    /// A timestamp's nanoseconds field is 10^9 or more.
    #[error("timestamp nanoseconds {0} is not below 1000000000")]
    InvalidTimestamp(u32),
    /// A field holds a value its type does not define.
    #[error("invalid {field} value {value:#x}")]
    InvalidValue {
        /// The field's name.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// A value is too large for its wire field (a text over 255 bytes, a message over 65535).
    #[error("{what} is too long for the wire: {len} bytes, at most {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The field's maximum.
        max: usize,
    },
    /// The caller's output buffer is too small for the encoded message.
    #[error("output buffer too small: needs {needed} bytes, has {available}")]
    BufferTooSmall {
        /// Bytes the encoding needs so far.
        needed: usize,
        /// Size of the caller's buffer.
        available: usize,
    },
}

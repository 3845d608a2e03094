//! The unicast negotiation TLVs carried in Signaling messages (IEEE 1588-2019 16.1.4):
//! request, grant, cancel and acknowledge-cancel of a unicast transmission contract.

use crate::time::LogInterval;
use crate::wire::{MessageType, Reader, WireError, Writer};

/// Checks a fixed-size unicast TLV body and reads its messageType nibble (the upper four bits
/// of the first byte; the lower four are reserved).
fn read_head<'a>(
    body: &'a [u8],
    tlv: &'static str,
    expected_len: usize,
    expected: &'static str,
) -> Result<(MessageType, Reader<'a>), WireError> {
    if body.len() != expected_len {
        return Err(WireError::TlvBodySize {
            tlv,
            expected,
            actual: body.len(),
        });
    }
    let mut r = Reader::new(body, tlv);
    let message_type = MessageType::from_nibble(r.u8()? >> 4)?;
    Ok((message_type, r))
}

/// REQUEST_UNICAST_TRANSMISSION: ask a master for a stream of one message type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct RequestUnicastTransmission {
    /// The message type asked for (Announce, Sync, Delay_Resp or Pdelay_Resp).
    pub message_type: MessageType,
    /// logInterMessagePeriod asked for.
    pub log_inter_message_period: LogInterval,
    /// durationField: the contract's length in seconds.
    pub duration_secs: u32,
}

impl RequestUnicastTransmission {
    pub(super) fn read(body: &[u8]) -> Result<Self, WireError> {
        let (message_type, mut r) =
            read_head(body, "REQUEST_UNICAST_TRANSMISSION", 6, "expected 6")?;
        Ok(Self {
            message_type,
            log_inter_message_period: LogInterval(r.i8()?),
            duration_secs: r.u32()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8((self.message_type as u8) << 4)?;
        w.i8(self.log_inter_message_period.0)?;
        w.u32(self.duration_secs)
    }
}

/// GRANT_UNICAST_TRANSMISSION: a master's answer; a zero duration is a refusal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct GrantUnicastTransmission {
    /// The message type granted.
    pub message_type: MessageType,
    /// logInterMessagePeriod granted.
    pub log_inter_message_period: LogInterval,
    /// durationField: the granted length in seconds (0 = denied).
    pub duration_secs: u32,
    /// The R flag: the grantor invites a renewal before the contract ends.
    pub renewal_invited: bool,
}

impl GrantUnicastTransmission {
    pub(super) fn read(body: &[u8]) -> Result<Self, WireError> {
        let (message_type, mut r) = read_head(body, "GRANT_UNICAST_TRANSMISSION", 8, "expected 8")?;
        let log_inter_message_period = LogInterval(r.i8()?);
        let duration_secs = r.u32()?;
        r.skip(1)?;
        Ok(Self {
            message_type,
            log_inter_message_period,
            duration_secs,
            renewal_invited: r.u8()? & 1 == 1,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8((self.message_type as u8) << 4)?;
        w.i8(self.log_inter_message_period.0)?;
        w.u32(self.duration_secs)?;
        w.zeros(1)?;
        w.u8(u8::from(self.renewal_invited))
    }
}

/// CANCEL_UNICAST_TRANSMISSION: end a contract for one message type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CancelUnicastTransmission {
    /// The message type whose contract ends.
    pub message_type: MessageType,
}

impl CancelUnicastTransmission {
    pub(super) fn read(body: &[u8]) -> Result<Self, WireError> {
        let (message_type, _) = read_head(body, "CANCEL_UNICAST_TRANSMISSION", 2, "expected 2")?;
        Ok(Self { message_type })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8((self.message_type as u8) << 4)?;
        w.zeros(1)
    }
}

/// ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION: confirms a cancel.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AcknowledgeCancelUnicastTransmission {
    /// The message type whose contract ended.
    pub message_type: MessageType,
}

impl AcknowledgeCancelUnicastTransmission {
    pub(super) fn read(body: &[u8]) -> Result<Self, WireError> {
        let (message_type, _) = read_head(
            body,
            "ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION",
            2,
            "expected 2",
        )?;
        Ok(Self { message_type })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8((self.message_type as u8) << 4)?;
        w.zeros(1)
    }
}

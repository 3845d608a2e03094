//! Whole PTP messages: the common header, the fixed body of each of the ten message types
//! (IEEE 1588-2019 clauses 13.5 to 13.13 and 15.4), and the TLV suffix.
//!
//! Decoding borrows the suffix from the input; encoding writes into the caller's buffer.
//! Neither allocates. Bytes after messageLength (Ethernet padding, ptp4l 3.1's two-byte
//! UDPv6 trailer) are not part of the message and are ignored.

use super::management::Action;
use super::tlv::{Tlv, Tlvs};
use super::{
    ClockIdentity, ClockQuality, Header, MessageType, PortIdentity, Reader, TimeSource, Timestamp,
    WireError, Writer,
};

/// Sync (13.6): originTimestamp, zero in two-step operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Sync {
    /// originTimestamp.
    pub origin_timestamp: Timestamp,
}

/// Delay_Req (13.6): originTimestamp.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DelayReq {
    /// originTimestamp.
    pub origin_timestamp: Timestamp,
}

/// Follow_Up (13.7): the precise transmit time of the Sync with the same sequenceId.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct FollowUp {
    /// preciseOriginTimestamp.
    pub precise_origin_timestamp: Timestamp,
}

/// Delay_Resp (13.8): when the master received the requester's Delay_Req.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DelayResp {
    /// receiveTimestamp.
    pub receive_timestamp: Timestamp,
    /// requestingPortIdentity: the Delay_Req's sourcePortIdentity.
    pub requesting_port_identity: PortIdentity,
}

/// Pdelay_Req (13.9): originTimestamp and ten reserved bytes (sent as zeros).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PdelayReq {
    /// originTimestamp.
    pub origin_timestamp: Timestamp,
}

/// Pdelay_Resp (13.10).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PdelayResp {
    /// requestReceiptTimestamp.
    pub request_receipt_timestamp: Timestamp,
    /// requestingPortIdentity.
    pub requesting_port_identity: PortIdentity,
}

/// Pdelay_Resp_Follow_Up (13.11).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PdelayRespFollowUp {
    /// responseOriginTimestamp.
    pub response_origin_timestamp: Timestamp,
    /// requestingPortIdentity.
    pub requesting_port_identity: PortIdentity,
}

/// Announce (13.5): the sender's view of its grandmaster, input to the BMCA.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Announce {
    /// originTimestamp.
    pub origin_timestamp: Timestamp,
    /// currentUtcOffset (TAI − UTC, seconds).
    pub current_utc_offset: i16,
    /// grandmasterPriority1.
    pub grandmaster_priority_1: u8,
    /// grandmasterClockQuality.
    pub grandmaster_clock_quality: ClockQuality,
    /// grandmasterPriority2.
    pub grandmaster_priority_2: u8,
    /// grandmasterIdentity.
    pub grandmaster_identity: ClockIdentity,
    /// stepsRemoved.
    pub steps_removed: u16,
    /// timeSource.
    pub time_source: TimeSource,
}

/// Signaling (13.12): a target and TLVs in the suffix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Signaling {
    /// targetPortIdentity.
    pub target_port_identity: PortIdentity,
}

/// Management (15.4): addressing and action; the management TLV is in the suffix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Management {
    /// targetPortIdentity.
    pub target_port_identity: PortIdentity,
    /// startingBoundaryHops.
    pub starting_boundary_hops: u8,
    /// boundaryHops.
    pub boundary_hops: u8,
    /// actionField.
    pub action: Action,
}

/// The fixed body of a message; its variant is the message type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Body {
    /// Sync.
    Sync(Sync),
    /// Delay_Req.
    DelayReq(DelayReq),
    /// Pdelay_Req.
    PdelayReq(PdelayReq),
    /// Pdelay_Resp.
    PdelayResp(PdelayResp),
    /// Follow_Up.
    FollowUp(FollowUp),
    /// Delay_Resp.
    DelayResp(DelayResp),
    /// Pdelay_Resp_Follow_Up.
    PdelayRespFollowUp(PdelayRespFollowUp),
    /// Announce.
    Announce(Announce),
    /// Signaling.
    Signaling(Signaling),
    /// Management.
    Management(Management),
}

impl Body {
    /// The message type this body belongs to.
    pub const fn message_type(&self) -> MessageType {
        match self {
            Self::Sync(_) => MessageType::Sync,
            Self::DelayReq(_) => MessageType::DelayReq,
            Self::PdelayReq(_) => MessageType::PdelayReq,
            Self::PdelayResp(_) => MessageType::PdelayResp,
            Self::FollowUp(_) => MessageType::FollowUp,
            Self::DelayResp(_) => MessageType::DelayResp,
            Self::PdelayRespFollowUp(_) => MessageType::PdelayRespFollowUp,
            Self::Announce(_) => MessageType::Announce,
            Self::Signaling(_) => MessageType::Signaling,
            Self::Management(_) => MessageType::Management,
        }
    }

    /// Size of the fixed body of `message_type` on the wire.
    pub const fn wire_len(message_type: MessageType) -> usize {
        match message_type {
            MessageType::Sync | MessageType::DelayReq | MessageType::FollowUp => 10,
            MessageType::Signaling => 10,
            MessageType::Management => 14,
            MessageType::Announce => 30,
            MessageType::DelayResp
            | MessageType::PdelayReq
            | MessageType::PdelayResp
            | MessageType::PdelayRespFollowUp => 20,
        }
    }

    fn read(message_type: MessageType, r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(match message_type {
            MessageType::Sync => Self::Sync(Sync {
                origin_timestamp: Timestamp::read(r)?,
            }),
            MessageType::DelayReq => Self::DelayReq(DelayReq {
                origin_timestamp: Timestamp::read(r)?,
            }),
            MessageType::FollowUp => Self::FollowUp(FollowUp {
                precise_origin_timestamp: Timestamp::read(r)?,
            }),
            MessageType::DelayResp => Self::DelayResp(DelayResp {
                receive_timestamp: Timestamp::read(r)?,
                requesting_port_identity: PortIdentity::read(r)?,
            }),
            MessageType::PdelayReq => {
                let origin_timestamp = Timestamp::read(r)?;
                r.skip(10)?;
                Self::PdelayReq(PdelayReq { origin_timestamp })
            }
            MessageType::PdelayResp => Self::PdelayResp(PdelayResp {
                request_receipt_timestamp: Timestamp::read(r)?,
                requesting_port_identity: PortIdentity::read(r)?,
            }),
            MessageType::PdelayRespFollowUp => Self::PdelayRespFollowUp(PdelayRespFollowUp {
                response_origin_timestamp: Timestamp::read(r)?,
                requesting_port_identity: PortIdentity::read(r)?,
            }),
            MessageType::Announce => {
                let origin_timestamp = Timestamp::read(r)?;
                let current_utc_offset = r.i16()?;
                r.skip(1)?;
                Self::Announce(Announce {
                    origin_timestamp,
                    current_utc_offset,
                    grandmaster_priority_1: r.u8()?,
                    grandmaster_clock_quality: ClockQuality::read(r)?,
                    grandmaster_priority_2: r.u8()?,
                    grandmaster_identity: ClockIdentity::read(r)?,
                    steps_removed: r.u16()?,
                    time_source: TimeSource(r.u8()?),
                })
            }
            MessageType::Signaling => Self::Signaling(Signaling {
                target_port_identity: PortIdentity::read(r)?,
            }),
            MessageType::Management => {
                let target_port_identity = PortIdentity::read(r)?;
                let starting_boundary_hops = r.u8()?;
                let boundary_hops = r.u8()?;
                let action = Action::from_u8(r.u8()? & 0x0f)?;
                r.skip(1)?;
                Self::Management(Management {
                    target_port_identity,
                    starting_boundary_hops,
                    boundary_hops,
                    action,
                })
            }
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        match self {
            Self::Sync(Sync { origin_timestamp })
            | Self::DelayReq(DelayReq { origin_timestamp }) => origin_timestamp.write(w),
            Self::FollowUp(m) => m.precise_origin_timestamp.write(w),
            Self::DelayResp(m) => {
                m.receive_timestamp.write(w)?;
                m.requesting_port_identity.write(w)
            }
            Self::PdelayReq(m) => {
                m.origin_timestamp.write(w)?;
                w.zeros(10)
            }
            Self::PdelayResp(m) => {
                m.request_receipt_timestamp.write(w)?;
                m.requesting_port_identity.write(w)
            }
            Self::PdelayRespFollowUp(m) => {
                m.response_origin_timestamp.write(w)?;
                m.requesting_port_identity.write(w)
            }
            Self::Announce(m) => {
                m.origin_timestamp.write(w)?;
                w.i16(m.current_utc_offset)?;
                w.zeros(1)?;
                w.u8(m.grandmaster_priority_1)?;
                m.grandmaster_clock_quality.write(w)?;
                w.u8(m.grandmaster_priority_2)?;
                m.grandmaster_identity.write(w)?;
                w.u16(m.steps_removed)?;
                w.u8(m.time_source.0)
            }
            Self::Signaling(m) => m.target_port_identity.write(w),
            Self::Management(m) => {
                m.target_port_identity.write(w)?;
                w.u8(m.starting_boundary_hops)?;
                w.u8(m.boundary_hops)?;
                w.u8(m.action as u8)?;
                w.zeros(1)
            }
        }
    }
}

/// A PTP message: header, fixed body and TLV suffix, borrowing the suffix from the buffer it
/// was decoded from (or built in).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Message<'a> {
    /// The common header.
    pub header: Header,
    /// The fixed body, which decides the message type.
    pub body: Body,
    /// The TLVs after the body, already checked to be well formed.
    pub suffix: Tlvs<'a>,
}

impl<'a> Message<'a> {
    /// The largest message an encoder will produce (messageLength is 16 bits).
    pub const MAX_LEN: usize = u16::MAX as usize;

    /// A message with no TLVs.
    pub fn new(header: Header, body: Body) -> Self {
        Self {
            header,
            body,
            suffix: Tlvs::EMPTY,
        }
    }

    /// This message's type.
    pub const fn message_type(&self) -> MessageType {
        self.body.message_type()
    }

    /// Decodes one message from the start of `buf`.
    ///
    /// Checks versionPTP, messageType, messageLength against the buffer and the body, every
    /// TLV's framing and every typed TLV body, and that a Management message starts its suffix
    /// with a management TLV whose data suits its managementId and action.
    pub fn decode(buf: &'a [u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(buf, "header");
        let (header, prefix) = Header::read(&mut r)?;
        let message_type = prefix.message_type;
        let declared = usize::from(prefix.message_length);
        if declared > buf.len() {
            return Err(WireError::LengthExceedsBuffer {
                declared: prefix.message_length,
                available: buf.len(),
            });
        }
        let minimum = Header::LEN + Body::wire_len(message_type);
        let message = buf
            .get(Header::LEN..declared)
            .filter(|_| declared >= minimum)
            .ok_or(WireError::LengthTooShort {
                declared: prefix.message_length,
                minimum,
                message: message_type.name(),
            })?;
        let mut r = Reader::new(message, message_type.name());
        let body = Body::read(message_type, &mut r)?;
        let suffix = Tlvs::new(r.rest())?;
        if let Body::Management(m) = body {
            match suffix.iter().next() {
                Some(Ok(Tlv::Management(tlv))) => {
                    tlv.data(m.action)?;
                }
                Some(Ok(Tlv::ManagementErrorStatus(_))) => {}
                Some(Err(e)) => return Err(e),
                _ => return Err(WireError::ManagementTlvMissing),
            }
        }
        Ok(Self {
            header,
            body,
            suffix,
        })
    }

    /// Bytes [`Message::encode`] writes.
    pub fn wire_len(&self) -> usize {
        Header::LEN + Body::wire_len(self.message_type()) + self.suffix.as_bytes().len()
    }

    /// Encodes into the start of `buf`, computing messageLength; returns the bytes written.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let len = self.wire_len();
        let message_length = u16::try_from(len).map_err(|_| WireError::TooLong {
            what: "message",
            len,
            max: Self::MAX_LEN,
        })?;
        let mut w = Writer::new(buf);
        self.header
            .write(&mut w, self.message_type(), message_length)?;
        self.body.write(&mut w)?;
        w.bytes(self.suffix.as_bytes())?;
        Ok(w.position())
    }
}

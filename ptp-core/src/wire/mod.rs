//! The IEEE 1588-2019 wire format: parse and serialise every PTP version 2 message.
//!
//! - [`Message`] = [`Header`] + [`Body`] (one variant per message type) + [`Tlvs`] suffix.
//!   [`Message::decode`] borrows from the input and checks everything the standard fixes;
//!   [`Message::encode`] writes into a caller-provided buffer. Neither allocates.
//! - [`tlv`]: the TLVs — management, unicast negotiation, path trace, alternate time offset,
//!   organization extensions (with 802.1AS follow-up information) — and raw ones.
//! - [`management`]: actions, managementIds and their typed data.
//! - Typed values: [`ClockIdentity`], [`PortIdentity`], [`Timestamp`], [`ClockQuality`],
//!   [`ClockAccuracy`], [`TimeSource`], [`PortState`], [`PtpText`]; the correctionField is a
//!   [`crate::time::TimeInterval`] and log intervals are [`crate::time::LogInterval`].
//!
//! Every failure is a [`WireError`] that names what was wrong. No decoder panics, reads out of
//! bounds or allocates in proportion to a length field.

mod cursor;
mod error;
mod header;
pub mod management;
mod message;
pub mod tlv;
mod types;

pub use cursor::{Reader, Writer};
pub use error::WireError;
pub use header::{Flags, Header, MessageType};
pub use message::{
    Announce, Body, DelayReq, DelayResp, FollowUp, Management, Message, PdelayReq, PdelayResp,
    PdelayRespFollowUp, Signaling, Sync,
};
pub use tlv::{Tlv, TlvType, TlvWriter, Tlvs};
pub use types::{
    ClockAccuracy, ClockIdentity, ClockQuality, PortIdentity, PortState, PtpText, TimeSource,
    Timestamp,
};

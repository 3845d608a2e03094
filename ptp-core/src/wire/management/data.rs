//! Typed data fields of management TLVs, per managementId and action.

use super::{Action, ManagementId};
use crate::wire::WireError;

/// The data field of a MANAGEMENT TLV.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ManagementData<'a> {
    /// No data: a GET sent with zero-length data, or a COMMAND without arguments.
    Empty,
    /// Data of a managementId without a typed body.
    Raw(&'a [u8]),
}

impl<'a> ManagementData<'a> {
    /// Decodes the data of managementId `id` in a message with action `action`.
    pub fn decode(_id: ManagementId, _action: Action, data: &'a [u8]) -> Result<Self, WireError> {
        Ok(if data.is_empty() {
            Self::Empty
        } else {
            Self::Raw(data)
        })
    }
}

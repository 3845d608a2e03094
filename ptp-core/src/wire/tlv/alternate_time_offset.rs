//! The ALTERNATE_TIME_OFFSET_INDICATOR TLV (IEEE 1588-2019 16.3): a local timescale's offset
//! from PTP time and its next jump, carried in Announce.

use crate::wire::{PtpText, Reader, WireError, Writer};

/// ALTERNATE_TIME_OFFSET_INDICATOR.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AlternateTimeOffsetIndicator<'a> {
    /// keyField: which alternate timescale.
    pub key_field: u8,
    /// currentOffset (seconds).
    pub current_offset: i32,
    /// jumpSeconds: the size of the next jump.
    pub jump_seconds: i32,
    /// timeOfNextJump (48-bit seconds of the PTP timescale).
    pub time_of_next_jump: u64,
    /// displayName.
    pub display_name: PtpText<'a>,
}

impl<'a> AlternateTimeOffsetIndicator<'a> {
    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        Ok(Self {
            key_field: r.u8()?,
            current_offset: r.i32()?,
            jump_seconds: r.i32()?,
            time_of_next_jump: r.u48()?,
            display_name: PtpText::read(r)?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(self.key_field)?;
        w.i32(self.current_offset)?;
        w.i32(self.jump_seconds)?;
        w.u48(self.time_of_next_jump)?;
        self.display_name.write(w)
    }
}

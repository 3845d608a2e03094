//! The PATH_TRACE TLV (IEEE 1588-2019 16.2): the clock identities an Announce has passed
//! through, for loop detection.

use crate::wire::{ClockIdentity, WireError, Writer};

/// A PATH_TRACE TLV body, borrowed: a sequence of clock identities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PathTrace<'a>(&'a [u8]);

impl<'a> PathTrace<'a> {
    /// A path trace over `body`, which must be a whole number of 8-byte identities.
    pub fn new(body: &'a [u8]) -> Result<Self, WireError> {
        if !body.len().is_multiple_of(8) {
            return Err(WireError::TlvBodySize {
                tlv: "PATH_TRACE",
                expected: "expected a multiple of 8",
                actual: body.len(),
            });
        }
        Ok(Self(body))
    }

    /// The body's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Number of identities.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }

    /// Whether the trace is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The identities, in the order the Announce passed them.
    pub fn identities(&self) -> impl Iterator<Item = ClockIdentity> + 'a {
        self.0.chunks_exact(8).filter_map(|chunk| {
            let id: [u8; 8] = chunk.try_into().ok()?;
            Some(ClockIdentity(id))
        })
    }

    /// Whether `id` is on the path (a loop, when it is our own).
    pub fn contains(&self, id: ClockIdentity) -> bool {
        self.identities().any(|x| x == id)
    }

    /// Writes a PATH_TRACE TLV listing `ids`: what a boundary clock sends is the received
    /// path followed by its own identity.
    pub fn write_tlv(
        w: &mut Writer<'_>,
        ids: impl IntoIterator<Item = ClockIdentity>,
    ) -> Result<(), WireError> {
        super::write_framed(w, super::TlvType::PATH_TRACE, false, |w| {
            ids.into_iter().try_for_each(|id| w.bytes(&id.0))
        })
    }
}

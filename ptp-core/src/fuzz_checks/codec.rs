//! The wire codec's properties: what `message_decode` and `message_roundtrip` check.
//!
//! # Why the round trip compares decoded messages, not bytes
//!
//! A decoded message re-encodes to the original's first messageLength bytes except where the
//! input had non-zero bits in fields the standard reserves: the ten reserved octets of
//! Pdelay_Req, the reserved octet of Announce, the upper nibble of the Management actionField
//! and the octet after it. The decoder ignores those (IEEE 1588-2019 13.1.2: reserved fields
//! are ignored on receipt) and the encoder writes them as zero. So [`roundtrip`] checks
//! `decode(encode(decode(x))) == decode(x)`, that the encoding is messageLength bytes long,
//! and that encoding is a fixed point: the canonical bytes decode and re-encode to themselves.
//! Every TLV is also re-encoded on its own with [`TlvWriter`] and must decode to itself, which
//! exercises the TLV encoders that a message re-encode (which copies its checked suffix) does
//! not.

use std::fmt::Write as _;

use super::{fail, Failure};
use crate::wire::{Body, Message, Tlv, TlvWriter};

/// Decodes `data`; when it is a message, walks every TLV and every management TLV's typed data
/// and checks what decoding promised: the message is messageLength bytes and its suffix holds
/// only well-formed TLVs. Errors and values are formatted, so their `Display`/`Debug` code runs
/// too.
pub fn decode(data: &[u8]) -> Result<(), Failure> {
    let mut sink = String::new();
    let message = match Message::decode(data) {
        Ok(message) => message,
        Err(e) => {
            let _ = write!(sink, "{e} {e:?}");
            return Ok(());
        }
    };
    let declared = data
        .get(2..4)
        .and_then(|b| b.try_into().ok())
        .map(|b: [u8; 2]| usize::from(u16::from_be_bytes(b)))
        .ok_or_else(|| fail("decoded a message from fewer than 4 bytes"))?;
    if message.wire_len() != declared {
        return Err(fail(format!(
            "wire_len {} differs from messageLength {declared}",
            message.wire_len()
        )));
    }
    let action = match message.body {
        Body::Management(m) => Some(m.action),
        _ => None,
    };
    let _ = write!(sink, "{message:?}");
    for (i, tlv) in message.suffix.iter().enumerate() {
        let tlv = tlv.map_err(|e| fail(format!("TLV #{i} of a decoded message: {e}")))?;
        let _ = write!(sink, "{tlv:?}");
        if let (Tlv::Management(m), Some(action)) = (tlv, action) {
            match m.data(action) {
                // Decode checked the first management TLV's data; later ones may be anything.
                Err(e) if i == 0 => {
                    return Err(fail(format!("first management TLV's data: {e}")));
                }
                result => {
                    let _ = write!(sink, "{result:?}");
                }
            }
        }
    }
    Ok(())
}

/// Decodes `data`; when it is a message, checks the round-trip properties described in the
/// module docs.
pub fn roundtrip(data: &[u8]) -> Result<(), Failure> {
    let Ok(message) = Message::decode(data) else {
        return Ok(());
    };
    let mut first = vec![0u8; message.wire_len()];
    let len = message
        .encode(&mut first)
        .map_err(|e| fail(format!("encoding {message:?}: {e}")))?;
    let first = first.get(..len).unwrap_or_default();
    if len != message.wire_len() || first.get(2..4) != data.get(2..4) {
        return Err(fail(format!(
            "encoded {len} bytes with messageLength {:02x?}, the input's is {:02x?}",
            first.get(2..4),
            data.get(2..4)
        )));
    }
    let again = Message::decode(first)
        .map_err(|e| fail(format!("re-decoding {message:?} from {first:02x?}: {e}")))?;
    if again != message {
        return Err(fail(format!("decoded {message:?}, re-decoded {again:?}")));
    }
    let mut second = vec![0u8; len];
    let len2 = again
        .encode(&mut second)
        .map_err(|e| fail(format!("re-encoding {again:?}: {e}")))?;
    if second.get(..len2) != Some(first) {
        return Err(fail(format!(
            "canonical encoding of {again:?} is not a fixed point"
        )));
    }
    for tlv in message.suffix.iter() {
        let tlv = tlv.map_err(|e| fail(format!("TLV of a decoded message: {e}")))?;
        tlv_roundtrip(&tlv, message.suffix.as_bytes().len())?;
    }
    Ok(())
}

/// Encodes `tlv`, which came from a suffix of `suffix_len` bytes, alone and checks that it
/// decodes back to itself.
fn tlv_roundtrip(tlv: &Tlv<'_>, suffix_len: usize) -> Result<(), Failure> {
    // Re-encoding can add at most a pad byte to what the TLV took in the suffix.
    let mut buf = vec![0u8; suffix_len + 1];
    let mut writer = TlvWriter::new(&mut buf);
    writer
        .push(tlv)
        .map_err(|e| fail(format!("encoding {tlv:?}: {e}")))?;
    let suffix = writer
        .finish()
        .map_err(|e| fail(format!("re-checking encoded {tlv:?}: {e}")))?;
    let mut tlvs = suffix.iter();
    match (tlvs.next(), tlvs.next()) {
        (Some(Ok(back)), None) if back == *tlv => Ok(()),
        (back, rest) => Err(fail(format!(
            "{tlv:?} re-decoded as {back:?} followed by {rest:?}"
        ))),
    }
}

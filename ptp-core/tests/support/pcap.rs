//! A small, dependency-free reader for packet capture files that returns the PTP messages in
//! them, for golden-vector tests against captures of real linuxptp traffic
//! (`ptp-core/tests/data/`, made by `scripts/capture-golden.sh`).
//!
//! # Formats
//!
//! - Classic pcap, both byte orders, microsecond and nanosecond magic.
//! - pcapng: Section Header, Interface Description, Enhanced Packet and Simple Packet blocks;
//!   other blocks are skipped. Each section may have its own byte order.
//!
//! Link types: Ethernet (1), Linux cooked capture SLL (113, what `tcpdump -i any` writes) and
//! SLL2 (276). Ethernet frames may carry any number of 802.1Q / 802.1ad VLAN tags.
//!
//! # What counts as a PTP message
//!
//! - IEEE 1588-2019 Annex E (IEEE 802.3): ethertype 0x88F7. The payload is everything after the
//!   Ethernet (and VLAN) header. [`CapturedPacket::event_port`] has no port to come from, so it
//!   is `true` for event message types (0x0–0x3), the messages that would use port 319 over UDP.
//! - Annex C (UDP/IPv4) and Annex D (UDP/IPv6): UDP with destination port 319 (event) or 320
//!   (general); if the destination is neither, the source port decides. IPv6 extension headers
//!   (hop-by-hop, routing, destination options) are skipped; IP fragments are ignored. The
//!   payload is the whole UDP payload as given by the UDP length field, including any bytes
//!   after the PTP message (ptp4l appends two octets to every UDPv6 message, Annex D's
//!   checksum-correction trailer).
//!
//! # Minimum-frame padding (the choice made here)
//!
//! An Ethernet sender pads frames shorter than 60 octets (without FCS) to 60, so a PTP message
//! carried directly over Ethernet can be followed by padding that is not part of it. An L2
//! payload is trimmed to the PTP header's `messageLength` only when the frame is exactly 60
//! octets long and `messageLength` is smaller than the payload; in every other case it is
//! returned whole, so trailing bytes a sender really put there stay visible to a round-trip
//! test. For SLL captures the frame length is taken as 14 + the payload length. Captures that
//! include the FCS are not supported. UDP payloads are never trimmed: their length comes from
//! the UDP header.
//!
//! Malformed capture files make the reader panic with the file name; this is test support.

use std::path::Path;

/// The transport a PTP message was captured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// UDP over IPv4 (IEEE 1588-2019 Annex C).
    UdpV4,
    /// UDP over IPv6 (IEEE 1588-2019 Annex D).
    UdpV6,
    /// IEEE 802.3 Ethernet, ethertype 0x88F7 (IEEE 1588-2019 Annex E).
    L2,
}

/// One PTP message found in a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPacket {
    /// Transport it was captured on.
    pub transport: Transport,
    /// UDP: sent to (or from) the event port 319. L2: the message type is an event message.
    pub event_port: bool,
    /// The PTP message bytes (see the module docs for what is and is not trimmed).
    pub payload: Vec<u8>,
    /// 0-based position of the packet among all packets of the file (tshark's frame number
    /// minus one), for error messages.
    pub index: usize,
}

impl CapturedPacket {
    /// The messageType nibble (low nibble of octet 0, IEEE 1588-2019 13.3.2.2).
    pub fn message_type(&self) -> Option<u8> {
        self.payload.first().map(|b| b & 0x0f)
    }

    /// The majorSdoId / transportSpecific nibble (high nibble of octet 0).
    pub fn major_sdo_id(&self) -> Option<u8> {
        self.payload.first().map(|b| b >> 4)
    }
}

/// UDP port of PTP event messages.
pub const PTP_EVENT_PORT: u16 = 319;
/// UDP port of PTP general messages.
pub const PTP_GENERAL_PORT: u16 = 320;
/// Ethertype of PTP over IEEE 802.3.
pub const ETHERTYPE_PTP: u16 = 0x88f7;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: [u16; 3] = [0x8100, 0x88a8, 0x9100];
const MIN_ETHERNET_FRAME: usize = 60;
const ETHERNET_HEADER: usize = 14;
const IPPROTO_UDP: u8 = 17;

const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_LINUX_SLL2: u32 = 276;

/// Reads a capture file and returns its PTP messages in capture order.
///
/// Panics if the file cannot be read or is not a well-formed pcap/pcapng file.
pub fn ptp_payloads(path: &Path) -> Vec<CapturedPacket> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ptp_payloads_from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Like [`ptp_payloads`], for a capture file already in memory.
pub fn ptp_payloads_from_bytes(bytes: &[u8]) -> Result<Vec<CapturedPacket>, String> {
    let records = match read_u32(bytes, 0, Endian::Big) {
        Some(0x0a0d_0d0a) => pcapng_records(bytes)?,
        Some(_) => pcap_records(bytes)?,
        None => return Err("file too short".into()),
    };
    let mut out = Vec::new();
    for (index, (link, frame)) in records.into_iter().enumerate() {
        if let Some((transport, event_port, payload)) = decode_frame(link, frame)? {
            out.push(CapturedPacket {
                transport,
                event_port,
                payload: payload.to_vec(),
                index,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
enum Endian {
    Big,
    Little,
}

fn read_u16(b: &[u8], at: usize, e: Endian) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(match e {
        Endian::Big => u16::from_be_bytes(s),
        Endian::Little => u16::from_le_bytes(s),
    })
}

fn read_u32(b: &[u8], at: usize, e: Endian) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(match e {
        Endian::Big => u32::from_be_bytes(s),
        Endian::Little => u32::from_le_bytes(s),
    })
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    read_u16(b, at, Endian::Big)
}

/// Classic pcap: a 24-octet global header, then 16-octet record headers each followed by the
/// captured bytes.
fn pcap_records(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    let endian = match read_u32(bytes, 0, Endian::Little) {
        Some(0xa1b2_c3d4 | 0xa1b2_3c4d) => Endian::Little,
        Some(0xd4c3_b2a1 | 0x4d3c_b2a1) => Endian::Big,
        Some(m) => return Err(format!("not a pcap or pcapng file (magic {m:#010x})")),
        None => return Err("file too short".into()),
    };
    let link = read_u32(bytes, 20, endian).ok_or("truncated pcap header")? & 0xffff;
    let mut records = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let caplen = read_u32(bytes, at + 8, endian).ok_or("truncated record header")?;
        let start = at + 16;
        let end = start
            .checked_add(caplen as usize)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| format!("record at offset {at} runs past the end"))?;
        records.push((link, &bytes[start..end]));
        at = end;
    }
    Ok(records)
}

/// pcapng: a sequence of blocks (type, total length, body, total length), grouped in sections
/// that each start with a Section Header Block giving the byte order.
fn pcapng_records(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    let mut records = Vec::new();
    let mut endian = Endian::Little;
    // (link type, snap length) per interface of the current section.
    let mut interfaces: Vec<(u32, u32)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let raw_type = read_u32(bytes, at, Endian::Big).ok_or("truncated block header")?;
        if raw_type == 0x0a0d_0d0a {
            endian = match read_u32(bytes, at + 8, Endian::Big) {
                Some(0x1a2b_3c4d) => Endian::Big,
                Some(0x4d3c_2b1a) => Endian::Little,
                _ => return Err(format!("bad byte-order magic at offset {at}")),
            };
            interfaces.clear();
        }
        let block_type = read_u32(bytes, at, endian).ok_or("truncated block header")?;
        let total = read_u32(bytes, at + 4, endian).ok_or("truncated block header")? as usize;
        let end = at
            .checked_add(total)
            .filter(|&end| total >= 12 && total.is_multiple_of(4) && end <= bytes.len())
            .ok_or_else(|| format!("block at offset {at} has bad length {total}"))?;
        let block = &bytes[at..end];
        match block_type {
            // Interface Description Block.
            1 => {
                let link = read_u16(block, 8, endian).ok_or("truncated IDB")?;
                let snap = read_u32(block, 12, endian).ok_or("truncated IDB")?;
                interfaces.push((u32::from(link), snap));
            }
            // Enhanced Packet Block.
            6 => {
                let iface = read_u32(block, 8, endian).ok_or("truncated EPB")?;
                let caplen = read_u32(block, 20, endian).ok_or("truncated EPB")? as usize;
                let (link, _) = interfaces
                    .get(iface as usize)
                    .ok_or_else(|| format!("EPB at offset {at} names unknown interface {iface}"))?;
                let data = block
                    .get(28..28 + caplen)
                    .filter(|_| 28 + caplen <= total - 4)
                    .ok_or_else(|| format!("EPB at offset {at} runs past its block"))?;
                records.push((*link, data));
            }
            // Simple Packet Block: always interface 0, captured length implied.
            3 => {
                let (link, snap) = *interfaces
                    .first()
                    .ok_or_else(|| format!("SPB at offset {at} before any interface"))?;
                let orig = read_u32(block, 8, endian).ok_or("truncated SPB")? as usize;
                let mut caplen = orig.min(total - 16);
                if snap != 0 {
                    caplen = caplen.min(snap as usize);
                }
                records.push((link, &block[12..12 + caplen]));
            }
            _ => {}
        }
        at = end;
    }
    Ok(records)
}

type Decoded<'a> = Option<(Transport, bool, &'a [u8])>;

/// Finds the PTP message in one captured frame, or `None` if it carries none.
fn decode_frame(link: u32, frame: &[u8]) -> Result<Decoded<'_>, String> {
    let (ethertype, payload, frame_len) = match link {
        LINKTYPE_ETHERNET => {
            let Some(mut ethertype) = be16(frame, 12) else {
                return Ok(None);
            };
            let mut off = ETHERNET_HEADER;
            while ETHERTYPE_VLAN.contains(&ethertype) {
                let Some(inner) = be16(frame, off + 2) else {
                    return Ok(None);
                };
                ethertype = inner;
                off += 4;
            }
            (ethertype, frame.get(off..).unwrap_or_default(), frame.len())
        }
        LINKTYPE_LINUX_SLL => {
            let Some(ethertype) = be16(frame, 14) else {
                return Ok(None);
            };
            let payload = frame.get(16..).unwrap_or_default();
            (ethertype, payload, ETHERNET_HEADER + payload.len())
        }
        LINKTYPE_LINUX_SLL2 => {
            let Some(ethertype) = be16(frame, 0) else {
                return Ok(None);
            };
            let payload = frame.get(20..).unwrap_or_default();
            (ethertype, payload, ETHERNET_HEADER + payload.len())
        }
        other => return Err(format!("unsupported link type {other}")),
    };
    Ok(match ethertype {
        ETHERTYPE_PTP => decode_l2(payload, frame_len),
        ETHERTYPE_IPV4 => decode_ipv4(payload),
        ETHERTYPE_IPV6 => decode_ipv6(payload),
        _ => None,
    })
}

fn decode_l2(payload: &[u8], frame_len: usize) -> Decoded<'_> {
    let message_type = payload.first()? & 0x0f;
    let mut payload = payload;
    if frame_len == MIN_ETHERNET_FRAME {
        if let Some(len) = be16(payload, 2).map(usize::from) {
            if len < payload.len() {
                payload = &payload[..len];
            }
        }
    }
    Some((Transport::L2, message_type < 0x8, payload))
}

fn decode_ipv4(packet: &[u8]) -> Decoded<'_> {
    let first = *packet.first()?;
    if first >> 4 != 4 || packet.get(9) != Some(&IPPROTO_UDP) {
        return None;
    }
    // Ignore fragments: more-fragments flag or a non-zero offset.
    if be16(packet, 6)? & 0x3fff != 0 {
        return None;
    }
    let header = usize::from(first & 0x0f) * 4;
    let total = usize::from(be16(packet, 2)?);
    decode_udp(Transport::UdpV4, packet.get(header..total)?)
}

fn decode_ipv6(packet: &[u8]) -> Decoded<'_> {
    if packet.first()? >> 4 != 6 {
        return None;
    }
    let end = 40 + usize::from(be16(packet, 4)?);
    let mut next = *packet.get(6)?;
    let mut off = 40;
    // Hop-by-hop options, routing, destination options.
    while matches!(next, 0 | 43 | 60) {
        let ext = packet.get(off..off + 2)?;
        next = ext[0];
        off += (usize::from(ext[1]) + 1) * 8;
    }
    if next != IPPROTO_UDP {
        return None;
    }
    decode_udp(Transport::UdpV6, packet.get(off..end)?)
}

fn decode_udp(transport: Transport, segment: &[u8]) -> Decoded<'_> {
    let src = be16(segment, 0)?;
    let dst = be16(segment, 2)?;
    let len = usize::from(be16(segment, 4)?);
    let port = [dst, src]
        .into_iter()
        .find(|p| *p == PTP_EVENT_PORT || *p == PTP_GENERAL_PORT)?;
    Some((transport, port == PTP_EVENT_PORT, segment.get(8..len)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNC_44: [u8; 44] = {
        let mut m = [0u8; 44];
        m[1] = 2;
        m[3] = 44;
        m
    };

    fn pcap_file(link: u32, frames: &[&[u8]]) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        f.extend_from_slice(&2u16.to_le_bytes());
        f.extend_from_slice(&4u16.to_le_bytes());
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&65535u32.to_le_bytes());
        f.extend_from_slice(&link.to_le_bytes());
        for frame in frames {
            f.extend_from_slice(&[0; 8]);
            f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            f.extend_from_slice(frame);
        }
        f
    }

    fn ethernet(ethertype_and_payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0x01, 0x1b, 0x19, 0, 0, 0, 2, 0, 0, 0, 0, 1];
        f.extend_from_slice(ethertype_and_payload);
        f
    }

    #[test]
    fn padded_l2_frame_is_trimmed_to_message_length() {
        let mut body = vec![0x88, 0xf7];
        body.extend_from_slice(&SYNC_44);
        body.extend_from_slice(&[0xee, 0xee]); // padding to 60
        let frame = ethernet(&body);
        assert_eq!(frame.len(), 60);
        let got = ptp_payloads_from_bytes(&pcap_file(1, &[&frame])).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].payload, SYNC_44);
        assert!(got[0].event_port);
    }

    #[test]
    fn unpadded_l2_trailing_bytes_are_kept() {
        let mut body = vec![0x81, 0x00, 0x00, 0x05, 0x88, 0xf7];
        body.extend_from_slice(&SYNC_44);
        body.extend_from_slice(&[0xaa; 4]);
        let frame = ethernet(&body);
        let got = ptp_payloads_from_bytes(&pcap_file(1, &[&frame])).unwrap();
        assert_eq!(
            got[0].payload.len(),
            48,
            "VLAN-tagged, 66-octet frame: not trimmed"
        );
        assert_eq!(got[0].transport, Transport::L2);
    }

    #[test]
    fn linux_cooked_udp_and_non_ptp_frames() {
        // SLL header (16 octets) + IPv4 + UDP 320 -> 320, then an ARP frame that is skipped.
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        let udp_len = 8 + SYNC_44.len();
        let ip_len = 20 + udp_len;
        sll.extend_from_slice(&[0x45, 0, 0, ip_len as u8, 0, 0, 0x40, 0, 1, 17, 0, 0]);
        sll.extend_from_slice(&[10, 0, 0, 1, 224, 0, 1, 129]);
        sll.extend_from_slice(&[0x01, 0x40, 0x01, 0x40, 0, udp_len as u8, 0, 0]);
        sll.extend_from_slice(&SYNC_44);
        let arp = [0u8; 16 + 28];
        let got = ptp_payloads_from_bytes(&pcap_file(113, &[&arp, &sll])).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].index, 1);
        assert_eq!(got[0].transport, Transport::UdpV4);
        assert!(!got[0].event_port);
        assert_eq!(got[0].payload, SYNC_44);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(ptp_payloads_from_bytes(b"not a capture file").is_err());
        let mut truncated = pcap_file(1, &[&ethernet(&[0x88, 0xf7, 0, 2])]);
        truncated.pop();
        assert!(ptp_payloads_from_bytes(&truncated).is_err());
    }
}

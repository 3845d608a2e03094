//! The port-level management bodies (IEEE 1588-2019 15.5.3): PORT_DATA_SET and
//! CLOCK_DESCRIPTION, with the delayMechanism value and the PortAddress they use.

use crate::time::{LogInterval, TimeInterval};
use crate::wire::{PortIdentity, PortState, PtpText, Reader, WireError, Writer};

/// delayMechanism (Table 21). Every byte value round-trips; the constants name the defined
/// ones.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DelayMechanism(pub u8);

impl DelayMechanism {
    /// End to end (Delay_Req/Delay_Resp).
    pub const E2E: Self = Self(0x01);
    /// Peer to peer (Pdelay_*).
    pub const P2P: Self = Self(0x02);
    /// Common peer to peer (802.1AS CMLDS).
    pub const COMMON_P2P: Self = Self(0x03);
    /// Special (a profile's own mechanism).
    pub const SPECIAL: Self = Self(0x04);
    /// No delay mechanism.
    pub const NO_MECHANISM: Self = Self(0xfe);
}

/// PORT_DATA_SET (Table 73).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PortDataSet {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// portState.
    pub port_state: PortState,
    /// logMinDelayReqInterval.
    pub log_min_delay_req_interval: LogInterval,
    /// peerMeanPathDelay (meanLinkDelay in 2019).
    pub peer_mean_path_delay: TimeInterval,
    /// logAnnounceInterval.
    pub log_announce_interval: LogInterval,
    /// announceReceiptTimeout.
    pub announce_receipt_timeout: u8,
    /// logSyncInterval.
    pub log_sync_interval: LogInterval,
    /// delayMechanism.
    pub delay_mechanism: DelayMechanism,
    /// logMinPdelayReqInterval.
    pub log_min_pdelay_req_interval: LogInterval,
    /// versionNumber: versionPTP in the low nibble, minorVersionPTP in the high one
    /// (linuxptp 3.1 sends 2, 4.x sends 0x12).
    pub version_number: u8,
}

impl PortDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            port_identity: PortIdentity::read(r)?,
            port_state: PortState::from_u8(r.u8()?)?,
            log_min_delay_req_interval: LogInterval(r.i8()?),
            peer_mean_path_delay: TimeInterval(r.i64()?),
            log_announce_interval: LogInterval(r.i8()?),
            announce_receipt_timeout: r.u8()?,
            log_sync_interval: LogInterval(r.i8()?),
            delay_mechanism: DelayMechanism(r.u8()?),
            log_min_pdelay_req_interval: LogInterval(r.i8()?),
            version_number: r.u8()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        w.u8(self.port_state as u8)?;
        w.i8(self.log_min_delay_req_interval.0)?;
        w.i64(self.peer_mean_path_delay.0)?;
        w.i8(self.log_announce_interval.0)?;
        w.u8(self.announce_receipt_timeout)?;
        w.i8(self.log_sync_interval.0)?;
        w.u8(self.delay_mechanism.0)?;
        w.i8(self.log_min_pdelay_req_interval.0)?;
        w.u8(self.version_number)
    }
}

/// A PortAddress (5.3.6): a networkProtocol (Table 4) and an address, borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortAddress<'a> {
    /// networkProtocol: 1 UDP/IPv4, 2 UDP/IPv6, 3 IEEE 802.3, …
    pub network_protocol: u16,
    /// addressField (4 bytes for IPv4, 16 for IPv6, 6 for 802.3).
    pub address: &'a [u8],
}

impl<'a> PortAddress<'a> {
    /// UDP over IPv4.
    pub const UDP_IPV4: u16 = 1;
    /// UDP over IPv6.
    pub const UDP_IPV6: u16 = 2;
    /// IEEE 802.3.
    pub const IEEE_802_3: u16 = 3;

    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let network_protocol = r.u16()?;
        let len = r.u16()?;
        Ok(Self {
            network_protocol,
            address: r.bytes(usize::from(len))?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.network_protocol)?;
        write_u16_len(w, "PortAddress address", self.address.len())?;
        w.bytes(self.address)
    }
}

/// Writes a 16-bit length field, failing if `len` does not fit.
pub(super) fn write_u16_len(
    w: &mut Writer<'_>,
    what: &'static str,
    len: usize,
) -> Result<(), WireError> {
    let v = u16::try_from(len).map_err(|_| WireError::TooLong {
        what,
        len,
        max: usize::from(u16::MAX),
    })?;
    w.u16(v)
}

/// CLOCK_DESCRIPTION (15.5.3.1.2): what the clock is, every variable part borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ClockDescription<'a> {
    /// clockType bits: 0x8000 ordinary, 0x4000 boundary, 0x2000 P2P transparent, 0x1000 E2E
    /// transparent, 0x0800 management node.
    pub clock_type: u16,
    /// physicalLayerProtocol (`"IEEE 802.3"`).
    pub physical_layer_protocol: PtpText<'a>,
    /// physicalAddress (the MAC address), length-prefixed by a UInteger16.
    pub physical_address: &'a [u8],
    /// protocolAddress.
    pub protocol_address: PortAddress<'a>,
    /// manufacturerIdentity (an OUI); a reserved octet follows it on the wire.
    pub manufacturer_identity: [u8; 3],
    /// productDescription (`manufacturer;model;serial`).
    pub product_description: PtpText<'a>,
    /// revisionData (`hardware;firmware;software`).
    pub revision_data: PtpText<'a>,
    /// userDescription.
    pub user_description: PtpText<'a>,
    /// profileIdentity.
    pub profile_identity: [u8; 6],
}

impl<'a> ClockDescription<'a> {
    /// Ordinary clock bit of clockType.
    pub const ORDINARY_CLOCK: u16 = 0x8000;
    /// Boundary clock bit of clockType.
    pub const BOUNDARY_CLOCK: u16 = 0x4000;
    /// Peer-to-peer transparent clock bit of clockType.
    pub const P2P_TRANSPARENT_CLOCK: u16 = 0x2000;
    /// End-to-end transparent clock bit of clockType.
    pub const E2E_TRANSPARENT_CLOCK: u16 = 0x1000;
    /// Management node bit of clockType.
    pub const MANAGEMENT_NODE: u16 = 0x0800;

    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let clock_type = r.u16()?;
        let physical_layer_protocol = PtpText::read(r)?;
        let len = r.u16()?;
        let physical_address = r.bytes(usize::from(len))?;
        let protocol_address = PortAddress::read(r)?;
        let manufacturer_identity = r.array()?;
        r.skip(1)?;
        Ok(Self {
            clock_type,
            physical_layer_protocol,
            physical_address,
            protocol_address,
            manufacturer_identity,
            product_description: PtpText::read(r)?,
            revision_data: PtpText::read(r)?,
            user_description: PtpText::read(r)?,
            profile_identity: r.array()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.clock_type)?;
        self.physical_layer_protocol.write(w)?;
        write_u16_len(w, "physicalAddress", self.physical_address.len())?;
        w.bytes(self.physical_address)?;
        self.protocol_address.write(w)?;
        w.bytes(&self.manufacturer_identity)?;
        w.zeros(1)?;
        self.product_description.write(w)?;
        self.revision_data.write(w)?;
        self.user_description.write(w)?;
        w.bytes(&self.profile_identity)
    }
}

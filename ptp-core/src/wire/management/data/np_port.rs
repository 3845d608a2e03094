//! linuxptp's per-port `*_NP` management bodies (its `tlv.h`): PORT_DATA_SET_NP,
//! PORT_PROPERTIES_NP, PORT_STATS_NP, PORT_SERVICE_STATS_NP, UNICAST_MASTER_TABLE_NP,
//! PORT_HWCLOCK_NP, CMLDS_INFO_NP and PORT_CORRECTIONS_NP.
//!
//! # Byte order
//!
//! Network order, except where linuxptp does otherwise:
//! - PORT_STATS_NP and PORT_SERVICE_STATS_NP counters are **little-endian** u64. 3.1.1
//!   copies them in host order (little-endian on every host it runs on, as the golden
//!   captures show); 4.x converts them with `__cpu_to_le64` explicitly.
//! - PORT_CORRECTIONS_NP's three TimeIntervals are **little-endian**: upstream `tlv.c` calls
//!   `host2net64()`/`net2host64()` on them but discards the result, so they travel in host
//!   order. (libptpmgmt reads them as big-endian; a ptp4l on a little-endian host does not.)

use super::port::PortAddress;
use crate::time::TimeInterval;
use crate::wire::{
    ClockQuality, MessageType, PortIdentity, PortState, PtpText, Reader, WireError, Writer,
};

/// PORT_DATA_SET_NP: the 802.1AS port properties linuxptp exposes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortDataSetNp {
    /// neighborPropDelayThresh (nanoseconds).
    pub neighbor_prop_delay_thresh_ns: u32,
    /// asCapable (an Integer32 on the wire).
    pub as_capable: bool,
}

impl PortDataSetNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            neighbor_prop_delay_thresh_ns: r.u32()?,
            as_capable: r.i32()? != 0,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u32(self.neighbor_prop_delay_thresh_ns)?;
        w.i32(i32::from(self.as_capable))
    }
}

/// The time stamping mode of a port (linuxptp's `enum timestamp_type`). Every byte value
/// round-trips.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Timestamping(pub u8);

impl Timestamping {
    /// `software`.
    pub const SOFTWARE: Self = Self(0);
    /// `hardware`.
    pub const HARDWARE: Self = Self(1);
    /// `legacy`.
    pub const LEGACY_HW: Self = Self(2);
    /// `onestep`.
    pub const ONESTEP: Self = Self(3);
    /// `p2p1step`.
    pub const P2P1STEP: Self = Self(4);
}

/// PORT_PROPERTIES_NP: a port's identity, state, time stamping and interface name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PortPropertiesNp<'a> {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// port_state.
    pub port_state: PortState,
    /// timestamping.
    pub timestamping: Timestamping,
    /// interface (the network interface name).
    pub interface: PtpText<'a>,
}

impl<'a> PortPropertiesNp<'a> {
    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        Ok(Self {
            port_identity: PortIdentity::read(r)?,
            port_state: PortState::from_u8(r.u8()?)?,
            timestamping: Timestamping(r.u8()?),
            interface: PtpText::read(r)?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        w.u8(self.port_state as u8)?;
        w.u8(self.timestamping.0)?;
        self.interface.write(w)
    }
}

/// PORT_STATS_NP: messages received and sent, per messageType (index = the type's nibble).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortStatsNp {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// rxMsgType: received messages, by messageType value.
    pub rx: [u64; 16],
    /// txMsgType: sent messages, by messageType value.
    pub tx: [u64; 16],
}

impl PortStatsNp {
    /// Messages of `t` received.
    pub fn received(&self, t: MessageType) -> u64 {
        self.rx.get(usize::from(t as u8)).copied().unwrap_or(0)
    }

    /// Messages of `t` sent.
    pub fn sent(&self, t: MessageType) -> u64 {
        self.tx.get(usize::from(t as u8)).copied().unwrap_or(0)
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let port_identity = PortIdentity::read(r)?;
        let mut rx = [0; 16];
        for v in &mut rx {
            *v = r.u64_le()?;
        }
        let mut tx = [0; 16];
        for v in &mut tx {
            *v = r.u64_le()?;
        }
        Ok(Self {
            port_identity,
            rx,
            tx,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        self.rx
            .iter()
            .chain(&self.tx)
            .try_for_each(|v| w.u64_le(*v))
    }
}

/// PORT_SERVICE_STATS_NP: how often a port's timers expired and Sync/Follow_Up mismatched.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortServiceStatsNp {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// announce_timeout.
    pub announce_timeout: u64,
    /// sync_timeout.
    pub sync_timeout: u64,
    /// delay_timeout.
    pub delay_timeout: u64,
    /// unicast_service_timeout.
    pub unicast_service_timeout: u64,
    /// unicast_request_timeout.
    pub unicast_request_timeout: u64,
    /// master_announce_timeout.
    pub master_announce_timeout: u64,
    /// master_sync_timeout.
    pub master_sync_timeout: u64,
    /// qualification_timeout.
    pub qualification_timeout: u64,
    /// sync_mismatch.
    pub sync_mismatch: u64,
    /// followup_mismatch.
    pub followup_mismatch: u64,
}

impl PortServiceStatsNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            port_identity: PortIdentity::read(r)?,
            announce_timeout: r.u64_le()?,
            sync_timeout: r.u64_le()?,
            delay_timeout: r.u64_le()?,
            unicast_service_timeout: r.u64_le()?,
            unicast_request_timeout: r.u64_le()?,
            master_announce_timeout: r.u64_le()?,
            master_sync_timeout: r.u64_le()?,
            qualification_timeout: r.u64_le()?,
            sync_mismatch: r.u64_le()?,
            followup_mismatch: r.u64_le()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        [
            self.announce_timeout,
            self.sync_timeout,
            self.delay_timeout,
            self.unicast_service_timeout,
            self.unicast_request_timeout,
            self.master_announce_timeout,
            self.master_sync_timeout,
            self.qualification_timeout,
            self.sync_mismatch,
            self.followup_mismatch,
        ]
        .into_iter()
        .try_for_each(|v| w.u64_le(v))
    }
}

/// One row of UNICAST_MASTER_TABLE_NP.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct UnicastMasterEntry<'a> {
    /// The master's port identity (zero until it has answered).
    pub port_identity: PortIdentity,
    /// Its clock quality.
    pub clock_quality: ClockQuality,
    /// Whether the BMCA selected it.
    pub selected: bool,
    /// linuxptp's unicast negotiation state: 0 WAIT, 1 HAVE_ANN, 2 NEED_SYDY, 3 HAVE_SYDY.
    pub port_state: u8,
    /// Its priority1.
    pub priority1: u8,
    /// Its priority2.
    pub priority2: u8,
    /// Its address.
    pub address: PortAddress<'a>,
}

impl<'a> UnicastMasterEntry<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        Ok(Self {
            port_identity: PortIdentity::read(r)?,
            clock_quality: ClockQuality::read(r)?,
            selected: r.u8()? != 0,
            port_state: r.u8()?,
            priority1: r.u8()?,
            priority2: r.u8()?,
            address: PortAddress::read(r)?,
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        self.clock_quality.write(w)?;
        w.u8(u8::from(self.selected))?;
        w.u8(self.port_state)?;
        w.u8(self.priority1)?;
        w.u8(self.priority2)?;
        self.address.write(w)
    }
}

/// UNICAST_MASTER_TABLE_NP: the port's unicast master table, borrowed. Iterate with
/// [`UnicastMasterTableNp::entries`]; build one with [`UnicastMasterTableNp::build`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct UnicastMasterTableNp<'a> {
    count: u16,
    /// The entries' bytes, already checked to hold `count` whole entries.
    entries: &'a [u8],
}

impl<'a> UnicastMasterTableNp<'a> {
    /// Number of entries (actual_table_size).
    pub fn len(&self) -> usize {
        usize::from(self.count)
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The entries, in table order.
    pub fn entries(&self) -> impl Iterator<Item = UnicastMasterEntry<'a>> + 'a {
        let mut r = Reader::new(self.entries, "unicast master entry");
        // `read` checked every entry, so this yields exactly `count` of them.
        (0..self.count).map_while(move |_| UnicastMasterEntry::read(&mut r).ok())
    }

    /// Writes `entries` into `buf` and returns the table over them.
    pub fn build<'b>(
        buf: &'b mut [u8],
        entries: impl IntoIterator<Item = UnicastMasterEntry<'b>>,
    ) -> Result<UnicastMasterTableNp<'b>, WireError> {
        let mut w = Writer::new(buf);
        let mut count: u16 = 0;
        for e in entries {
            e.write(&mut w)?;
            count = count.checked_add(1).ok_or(WireError::TooLong {
                what: "unicast master table",
                len: usize::from(u16::MAX) + 1,
                max: usize::from(u16::MAX),
            })?;
        }
        Ok(UnicastMasterTableNp {
            count,
            entries: w.into_written(),
        })
    }

    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let count = r.u16()?;
        let start = r.clone();
        for _ in 0..count {
            UnicastMasterEntry::read(r)?;
        }
        let len = start.remaining() - r.remaining();
        let entries = start.clone().bytes(len)?;
        Ok(Self { count, entries })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.count)?;
        w.bytes(self.entries)
    }
}

/// PORT_HWCLOCK_NP: the PTP hardware clock a port time-stamps with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortHwclockNp {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// phc_index (`/dev/ptpN`), −1 for none.
    pub phc_index: i32,
    /// flags ([`PortHwclockNp::VCLOCK`]).
    pub flags: u8,
}

impl PortHwclockNp {
    /// The PHC is a virtual clock.
    pub const VCLOCK: u8 = 1 << 0;

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let v = Self {
            port_identity: PortIdentity::read(r)?,
            phc_index: r.i32()?,
            flags: r.u8()?,
        };
        r.skip(1)?;
        Ok(v)
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        w.i32(self.phc_index)?;
        w.u8(self.flags)?;
        w.zeros(1)
    }
}

/// CMLDS_INFO_NP: what the common mean link delay service measured.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct CmldsInfoNp {
    /// meanLinkDelay.
    pub mean_link_delay: TimeInterval,
    /// scaledNeighborRateRatio: (neighborRateRatio − 1) × 2^41.
    pub scaled_neighbor_rate_ratio: i32,
    /// as_capable (a UInteger32 on the wire).
    pub as_capable: bool,
}

impl CmldsInfoNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            mean_link_delay: TimeInterval(r.i64()?),
            scaled_neighbor_rate_ratio: r.i32()?,
            as_capable: r.u32()? != 0,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.i64(self.mean_link_delay.0)?;
        w.i32(self.scaled_neighbor_rate_ratio)?;
        w.u32(u32::from(self.as_capable))
    }
}

/// PORT_CORRECTIONS_NP: a port's configured latencies and asymmetry (little-endian, see the
/// module docs).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PortCorrectionsNp {
    /// egressLatency.
    pub egress_latency: TimeInterval,
    /// ingressLatency.
    pub ingress_latency: TimeInterval,
    /// delayAsymmetry.
    pub delay_asymmetry: TimeInterval,
}

impl PortCorrectionsNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let mut next = || -> Result<TimeInterval, WireError> {
            Ok(TimeInterval(i64::from_le_bytes(r.array()?)))
        };
        Ok(Self {
            egress_latency: next()?,
            ingress_latency: next()?,
            delay_asymmetry: next()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        [
            self.egress_latency,
            self.ingress_latency,
            self.delay_asymmetry,
        ]
        .into_iter()
        .try_for_each(|t| w.bytes(&t.0.to_le_bytes()))
    }
}

//! Builders for BMCA tests: identities, grandmaster attributes, Announce messages and
//! comparison data sets.

use ptp_core::bmca::{ComparisonDataset, LocalClock};
use ptp_core::time::LogInterval;
use ptp_core::wire::{Announce, ClockAccuracy, ClockIdentity, ClockQuality, Header, PortIdentity};

/// A clock identity whose last byte is `n` (lower `n`, lower identity).
pub fn cid(n: u8) -> ClockIdentity {
    ClockIdentity([0x00, 0x11, 0x22, 0xff, 0xfe, 0x00, 0x00, n])
}

/// Port `port` of clock `cid(clock)`.
pub fn pid(clock: u8, port: u16) -> PortIdentity {
    PortIdentity {
        clock_identity: cid(clock),
        port_number: port,
    }
}

/// A grandmaster's attributes, linuxptp defaults unless changed.
#[derive(Clone, Copy, Debug)]
pub struct Gm {
    pub priority_1: u8,
    pub quality: ClockQuality,
    pub priority_2: u8,
    pub identity: ClockIdentity,
}

impl Gm {
    /// Clock `cid(n)` with priority1/2 128, class 248, accuracy unknown, variance 0xFFFF.
    pub fn new(n: u8) -> Self {
        Self {
            priority_1: 128,
            quality: ClockQuality::default(),
            priority_2: 128,
            identity: cid(n),
        }
    }
    pub fn p1(mut self, v: u8) -> Self {
        self.priority_1 = v;
        self
    }
    pub fn class(mut self, v: u8) -> Self {
        self.quality.clock_class = v;
        self
    }
    pub fn accuracy(mut self, v: u8) -> Self {
        self.quality.clock_accuracy = ClockAccuracy(v);
        self
    }
    pub fn variance(mut self, v: u16) -> Self {
        self.quality.offset_scaled_log_variance = v;
        self
    }
    pub fn p2(mut self, v: u8) -> Self {
        self.priority_2 = v;
        self
    }

    /// The Announce body this grandmaster's data would travel in, `steps` away.
    pub fn announce(&self, steps: u16) -> Announce {
        Announce {
            grandmaster_priority_1: self.priority_1,
            grandmaster_clock_quality: self.quality,
            grandmaster_priority_2: self.priority_2,
            grandmaster_identity: self.identity,
            steps_removed: steps,
            ..Announce::default()
        }
    }

    /// The comparison data set of an Announce from `sender`, `steps` away, received on
    /// `receiver` with localPriority 128.
    pub fn ds(
        &self,
        steps: u16,
        sender: PortIdentity,
        receiver: PortIdentity,
    ) -> ComparisonDataset {
        self.ds_lp(steps, sender, receiver, 128)
    }

    /// As [`Gm::ds`] with the receiving port's localPriority.
    pub fn ds_lp(
        &self,
        steps: u16,
        sender: PortIdentity,
        receiver: PortIdentity,
        local_priority: u8,
    ) -> ComparisonDataset {
        ComparisonDataset::from_announce(
            &header(sender, 1),
            &self.announce(steps),
            receiver,
            local_priority,
        )
    }

    /// This clock as the local clock (defaultDS) with defaultDS.localPriority 128.
    pub fn local(&self) -> LocalClock {
        LocalClock {
            clock_identity: self.identity,
            clock_quality: self.quality,
            priority_1: self.priority_1,
            priority_2: self.priority_2,
            local_priority: 128,
            slave_only: false,
        }
    }
}

/// An Announce header from `sender` with logMessageInterval `log_interval`.
pub fn header(sender: PortIdentity, log_interval: i8) -> Header {
    Header {
        source_port_identity: sender,
        log_message_interval: LogInterval(log_interval),
        ..Header::default()
    }
}

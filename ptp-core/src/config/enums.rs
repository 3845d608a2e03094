//! Enumerated option values (`time_stamping`, `delay_mechanism`, `clock_servo`, …), with
//! linuxptp's labels, matched case-insensitively as linuxptp's `strcasecmp` does.
//!
//! Each enumeration also says which of its values our engine does not implement yet; the
//! option table's "implemented?" flag covers the option, this covers the value.

use super::value::{OptionValue, ValueError, ValueKind};

macro_rules! config_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $(
                $(#[doc = $vdoc:literal])+
                $variant:ident = $label:literal $(, not_yet = $why:literal)?;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[doc = $vdoc])+ $variant, )+
        }

        impl $name {
            /// linuxptp's labels, in table order.
            pub const LABELS: &'static [&'static str] = &[$($label),+];

            /// The label as linuxptp writes it.
            pub const fn label(self) -> &'static str {
                match self { $( Self::$variant => $label, )+ }
            }

            /// Looks a label up, ignoring ASCII case.
            pub fn from_label(text: &str) -> Option<Self> {
                $( if text.eq_ignore_ascii_case($label) { return Some(Self::$variant); } )+
                None
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl OptionValue for $name {
            fn parse(text: &str, _: &ValueKind) -> Result<Self, ValueError> {
                Self::from_label(text).ok_or_else(|| ValueError::NotInList {
                    text: text.to_owned(),
                    allowed: Self::LABELS,
                })
            }
            fn render(&self, _: &ValueKind) -> String {
                self.label().to_owned()
            }
            #[allow(unreachable_patterns)]
            fn unimplemented(&self) -> Option<&'static str> {
                match self {
                    $( $( Self::$variant => Some($why), )? )+
                    _ => None,
                }
            }
        }
    };
}

config_enum! {
    /// `time_stamping`: where time stamps come from (ptp4l `-H`, `-S`, `-L`).
    TimeStamping {
        /// Hardware time stamps from the NIC's PHC (default).
        Hardware = "hardware";
        /// Kernel software time stamps; the servo steers CLOCK_REALTIME.
        Software = "software";
        /// Legacy hardware time stamping through the old SO_TIMESTAMPING flags.
        Legacy = "legacy", not_yet = "legacy hardware time stamping";
        /// One-step Sync: the NIC inserts the origin time stamp (IEEE 1588-2019 11.3.2).
        OneStep = "onestep", not_yet = "one-step time stamping";
        /// One-step Sync and one-step Pdelay_Resp.
        P2pOneStep = "p2p1step", not_yet = "one-step peer delay";
    }
}

config_enum! {
    /// `delay_mechanism` (IEEE 1588-2019 11.1; ptp4l `-A`, `-E`, `-P`).
    DelayMechanism {
        /// Start with E2E and switch to P2P when a Pdelay_Req arrives (linuxptp extension).
        Auto = "Auto", not_yet = "automatic delay mechanism selection";
        /// Common mean link delay service (IEEE 802.1AS-2020 CMLDS).
        CommonP2p = "COMMON_P2P", not_yet = "CMLDS";
        /// Delay request-response (IEEE 1588-2019 11.3), the default.
        E2E = "E2E";
        /// Peer delay (IEEE 1588-2019 11.4).
        P2P = "P2P";
        /// No delay measurement (IEEE 1588-2019 8.2.15.4.4 "NO_MECHANISM").
        None = "NONE", not_yet = "delay_mechanism NONE";
    }
}

config_enum! {
    /// `network_transport` (IEEE 1588-2019 Annexes C, D, E; ptp4l `-2`, `-4`, `-6`).
    NetworkTransport {
        /// IEEE 802.3 Ethernet (Annex E).
        L2 = "L2";
        /// UDP over IPv4 (Annex C), the default.
        UdpV4 = "UDPv4";
        /// UDP over IPv6 (Annex D).
        UdpV6 = "UDPv6";
    }
}

config_enum! {
    /// `clock_servo`: the algorithm that steers the clock.
    ClockServo {
        /// Proportional-integral servo (linuxptp `pi.c`), linuxptp's default.
        Pi = "pi";
        /// Linear regression over the recent samples (linuxptp `linreg.c`).
        Linreg = "linreg";
        /// Hand samples to chronyd/ntpd through the NTP SHM segment.
        Ntpshm = "ntpshm", not_yet = "the ntpshm servo";
        /// Never adjust the frequency (for SyncE-locked clocks).
        Nullf = "nullf", not_yet = "the nullf servo";
        /// Hand samples to chronyd's SOCK refclock.
        RefclockSock = "refclock_sock", not_yet = "the refclock_sock servo";
        /// Our Kalman filter of phase, frequency and path delay (`ptp_core::servo::kalman`),
        /// our default; linuxptp does not know it.
        Kalman = "kalman";
        /// statime's Kalman filter (`ptp_core::servo::statime`); linuxptp does not know it.
        Statime = "statime";
    }
}

config_enum! {
    /// `dataset_comparison`: which data set comparison the BMCA uses.
    DatasetComparison {
        /// IEEE 1588-2019 9.3.4, the default.
        Ieee1588 = "ieee1588";
        /// ITU-T G.8275.1/G.8275.2 alternate BMCA (with localPriority).
        G8275 = "G.8275.x";
    }
}

config_enum! {
    /// `clock_type` (IEEE 1588-2019 6.5).
    ClockType {
        /// Ordinary clock; with more than one port ptp4l makes it a boundary clock.
        Oc = "OC";
        /// Boundary clock.
        Bc = "BC";
        /// Peer-to-peer transparent clock (IEEE 1588-2019 10.3).
        P2pTc = "P2P_TC", not_yet = "transparent clocks";
        /// End-to-end transparent clock (IEEE 1588-2019 10.2).
        E2eTc = "E2E_TC", not_yet = "transparent clocks";
    }
}

config_enum! {
    /// `BMCA`: the best master clock algorithm of a port.
    Bmca {
        /// IEEE 1588 BMCA (9.3), the default.
        Ptp = "ptp";
        /// No BMCA: static roles from masterOnly/slaveOnly (automotive profile).
        Noop = "noop", not_yet = "BMCA noop (static port roles)";
    }
}

config_enum! {
    /// `tsproc_mode`: how offset and delay are computed from time stamps.
    TsprocMode {
        /// Filter the delay, the default.
        Filter = "filter";
        /// Use raw delay samples.
        Raw = "raw";
        /// Filter the delay and weight samples by their delay.
        FilterWeight = "filter_weight", not_yet = "weighted time stamp processing";
        /// Raw delay with weighting.
        RawWeight = "raw_weight", not_yet = "weighted time stamp processing";
    }
}

config_enum! {
    /// `delay_filter`: the filter applied to path delay samples.
    DelayFilter {
        /// Moving average.
        MovingAverage = "moving_average";
        /// Moving median, the default.
        MovingMedian = "moving_median";
    }
}

config_enum! {
    /// `hwts_filter`: how ptp4l treats an existing hardware time stamping filter on the NIC.
    HwtsFilter {
        /// Set the filter and accept whatever the driver grants, the default.
        Normal = "normal";
        /// Check that the filter is what we need.
        Check = "check", not_yet = "hwts_filter check";
        /// Ask for time stamps on all packets.
        Full = "full", not_yet = "hwts_filter full";
    }
}

config_enum! {
    /// `asCapable`: whether a port must pass the 802.1AS asCapable checks.
    AsCapable {
        /// Always capable.
        True = "true", not_yet = "asCapable true (802.1AS)";
        /// Decided by the protocol, the default.
        Auto = "auto";
    }
}

config_enum! {
    /// `ts2phc.extts_polarity`: which edges of the external time stamp input count.
    ExttsPolarity {
        /// Rising edges, the default.
        Rising = "rising";
        /// Falling edges.
        Falling = "falling";
        /// Both edges (needs `ts2phc.pulsewidth`).
        Both = "both";
    }
}

config_enum! {
    /// `power_profile.version`: IEEE C37.238 power profile.
    PowerProfileVersion {
        /// No power profile, the default.
        None = "none";
        /// IEEE C37.238-2011.
        V2011 = "2011", not_yet = "the power profile";
        /// IEEE C37.238-2017.
        V2017 = "2017", not_yet = "the power profile";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_case_insensitive() {
        assert_eq!(
            TimeStamping::from_label("HARDWARE"),
            Some(TimeStamping::Hardware)
        );
        assert_eq!(
            NetworkTransport::from_label("udpv4"),
            Some(NetworkTransport::UdpV4)
        );
        assert_eq!(
            DatasetComparison::from_label("g.8275.X"),
            Some(DatasetComparison::G8275)
        );
        assert_eq!(ClockServo::from_label("pid"), None);
        assert_eq!(ClockServo::Kalman.label(), "kalman");
    }

    #[test]
    fn value_level_support() {
        assert_eq!(ClockServo::Pi.unimplemented(), None);
        assert!(ClockServo::Ntpshm.unimplemented().is_some());
        assert!(ClockType::E2eTc.unimplemented().is_some());
        assert_eq!(DelayMechanism::P2P.unimplemented(), None);
        let err = ClockServo::parse("pid", &ValueKind::Enum(ClockServo::LABELS)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"pid\" is a bad value (expected one of: pi, linreg, ntpshm, nullf, refclock_sock, kalman, statime)"
        );
    }
}

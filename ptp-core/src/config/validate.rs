//! Checks of option combinations, beyond what each value allows on its own.
//!
//! Rule: an [`Severity::Error`] is something ptp4l itself rejects at start-up, or something
//! that cannot work; everything ptp4l tolerates is a [`Severity::Warning`]. The checks, with
//! what ptp4l 3.1.1 does:
//!
//! | check | ptp4l | here |
//! |---|---|---|
//! | no interface | "no interface specified" | error |
//! | one-step (`twoStepFlag 0`) with software/legacy time stamping | "one step is only possible with hardware time stamping" | error |
//! | `inhibit_delay_req 1` without `asCapable true` | refuses to open the port | error |
//! | `BMCA noop` on a port that is neither masterOnly nor slaveOnly | refuses to open the port | error |
//! | transparent clock with fewer than two ports | "TC needs at least two interfaces" | error |
//! | port uses a `unicast_master_table` that does not exist | "no table with id N" | error |
//! | `peer_address` not an address of the port's transport | cannot open the port | error |
//! | hardware time stamping on an interface without a PHC | cannot pick a clock | error |
//! | ports on different PHCs without `boundary_clock_jbod` | "PHC device mismatch" | error |
//! | `slaveOnly 1` with a `masterOnly 1` port | accepted | warning |
//! | `hybrid_e2e` on a P2P port | "hybrid_e2e only works with E2E" | warning |
//! | `priority1` ≠ 128 with `dataset_comparison G.8275.x` (G.8275.1/.2 fix it at 128) | accepted | warning |
//! | `clockClass` set with `slaveOnly 1` (ptp4l forces 255) | accepted | warning |
//! | unicast master entries of another transport than the port's | accepted | warning |
//!
//! The PHC of each interface is an input ([`PhcMap`]) so this stays free of I/O.

use core::fmt;
use std::collections::BTreeMap;

use super::enums::{AsCapable, Bmca, ClockType, DatasetComparison, DelayMechanism, TimeStamping};
use super::model::Ptp4lConfig;
use super::unicast::UnicastAddress;

/// What the runtime knows about an interface's PTP hardware clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phc {
    /// Not known (skip the PHC checks for it).
    Unknown,
    /// The interface has no PHC.
    Missing,
    /// `/dev/ptpN`.
    Index(u32),
}

/// The PHC of each interface, as the runtime found it (ethtool's time stamping info).
pub trait PhcMap {
    /// The PHC of `iface`.
    fn phc(&self, iface: &str) -> Phc;
}

/// No PHC information: the PHC checks are skipped.
impl PhcMap for () {
    fn phc(&self, _: &str) -> Phc {
        Phc::Unknown
    }
}

impl PhcMap for BTreeMap<String, Phc> {
    fn phc(&self, iface: &str) -> Phc {
        self.get(iface).copied().unwrap_or(Phc::Unknown)
    }
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Accepted (ptp4l accepts it too) but probably not what was meant.
    Warning,
    /// ptp4l would refuse to run, or it cannot work.
    Error,
}

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// No port at all.
    NoInterface,
    /// One-step with software or legacy time stamping.
    OneStepNeedsHardware,
    /// `inhibit_delay_req` without `asCapable true`.
    InhibitDelayReqNeedsAsCapable,
    /// `BMCA noop` without a static role.
    NoopBmcaNeedsRole,
    /// A transparent clock with fewer than two ports.
    TransparentClockNeedsTwoPorts,
    /// The port's `unicast_master_table` does not exist.
    MissingUnicastTable(u32),
    /// The table's `peer_address` is not an address of the port's transport.
    BadPeerAddress {
        /// The table.
        table_id: u32,
        /// The address.
        address: String,
    },
    /// Hardware time stamping on an interface without a PHC.
    NoPhc,
    /// A boundary clock whose ports are on different PHCs, without `boundary_clock_jbod`.
    PhcMismatch {
        /// The first port's interface.
        first_port: String,
        /// Its PHC.
        first_phc: u32,
        /// This port's PHC.
        phc: u32,
    },
    /// `slaveOnly 1` on the clock and `masterOnly 1` on this port.
    SlaveOnlyAndMasterOnly,
    /// `hybrid_e2e` on a port that does not use E2E.
    HybridE2eNeedsE2e,
    /// `priority1` other than 128 with the G.8275.x data set comparison.
    G8275Priority1(u8),
    /// `clockClass` set although `slaveOnly` makes it 255.
    ClockClassIgnored(u8),
    /// Unicast master entries of another transport than the port's.
    UnicastTransportMismatch {
        /// The table.
        table_id: u32,
        /// The entry.
        master: String,
    },
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInterface => f.write_str("no interface specified (use -i or an [interface] section)"),
            Self::OneStepNeedsHardware => f.write_str(
                "one step (twoStepFlag 0) is only possible with hardware time stamping",
            ),
            Self::InhibitDelayReqNeedsAsCapable => {
                f.write_str("inhibit_delay_req can only be set when asCapable is 'true'")
            }
            Self::NoopBmcaNeedsRole => f.write_str(
                "BMCA noop needs masterOnly 1 or slaveOnly 1 (static roles)",
            ),
            Self::TransparentClockNeedsTwoPorts => {
                f.write_str("a transparent clock needs at least two interfaces")
            }
            Self::MissingUnicastTable(id) => write!(f, "no [unicast_master_table] with table_id {id}"),
            Self::BadPeerAddress { table_id, address } => write!(
                f,
                "peer_address {address} of unicast_master_table {table_id} is not an address of this port's transport"
            ),
            Self::NoPhc => f.write_str("hardware time stamping, but the interface has no PTP hardware clock"),
            Self::PhcMismatch { first_port, first_phc, phc } => write!(
                f,
                "PHC device mismatch: this port is on /dev/ptp{phc}, {first_port} on /dev/ptp{first_phc}; set boundary_clock_jbod 1 to allow it"
            ),
            Self::SlaveOnlyAndMasterOnly => f.write_str(
                "masterOnly 1 on a port of a slaveOnly clock: the port can never synchronize the clock",
            ),
            Self::HybridE2eNeedsE2e => f.write_str("hybrid_e2e only works with delay_mechanism E2E"),
            Self::G8275Priority1(p) => write!(
                f,
                "priority1 {p} with dataset_comparison G.8275.x: G.8275.1/G.8275.2 fix priority1 at 128"
            ),
            Self::ClockClassIgnored(c) => write!(
                f,
                "clockClass {c} is ignored: with slaveOnly 1 the clock announces clockClass 255"
            ),
            Self::UnicastTransportMismatch { table_id, master } => write!(
                f,
                "unicast_master_table {table_id} lists {master}, which is not this port's transport"
            ),
        }
    }
}

/// One finding, with the port it concerns (by interface name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The interface, for per-port findings.
    pub port: Option<String>,
    /// What.
    pub kind: FindingKind,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.port {
            Some(p) => write!(f, "{sev}: port {p}: {}", self.kind),
            None => write!(f, "{sev}: {}", self.kind),
        }
    }
}

/// Checks option combinations; see the module documentation for the list.
pub fn validate(config: &Ptp4lConfig, phcs: &dyn PhcMap) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |severity, port: Option<&str>, kind| {
        out.push(Finding {
            severity,
            port: port.map(str::to_owned),
            kind,
        });
    };
    let g = &config.global;
    if config.ports.is_empty() {
        push(Severity::Error, None, FindingKind::NoInterface);
    }
    let ts = g.time_stamping;
    if !g.two_step_flag && matches!(ts, TimeStamping::Software | TimeStamping::Legacy) {
        push(Severity::Error, None, FindingKind::OneStepNeedsHardware);
    }
    if matches!(g.clock_type, ClockType::E2eTc | ClockType::P2pTc) && config.ports.len() < 2 {
        push(
            Severity::Error,
            None,
            FindingKind::TransparentClockNeedsTwoPorts,
        );
    }
    if g.dataset_comparison == DatasetComparison::G8275 && g.priority1 != 128 {
        push(
            Severity::Warning,
            None,
            FindingKind::G8275Priority1(g.priority1),
        );
    }
    if g.slave_only && g.clock_class != 248 && g.clock_class != 255 {
        push(
            Severity::Warning,
            None,
            FindingKind::ClockClassIgnored(g.clock_class),
        );
    }

    let hardware = matches!(
        ts,
        TimeStamping::Hardware | TimeStamping::OneStep | TimeStamping::P2pOneStep
    );
    let mut first_phc: Option<(&str, u32)> = None;
    for port in &config.ports {
        let p = &port.options;
        let name = Some(port.name.as_str());
        if p.inhibit_delay_req && p.as_capable != AsCapable::True {
            push(
                Severity::Error,
                name,
                FindingKind::InhibitDelayReqNeedsAsCapable,
            );
        }
        if p.bmca == Bmca::Noop && !p.master_only && !g.slave_only {
            push(Severity::Error, name, FindingKind::NoopBmcaNeedsRole);
        }
        if g.slave_only && p.master_only {
            push(Severity::Warning, name, FindingKind::SlaveOnlyAndMasterOnly);
        }
        if p.hybrid_e2e && p.delay_mechanism != DelayMechanism::E2E {
            push(Severity::Warning, name, FindingKind::HybridE2eNeedsE2e);
        }
        if p.unicast_master_table != 0 {
            match config
                .unicast_master_tables
                .iter()
                .find(|t| t.table_id == p.unicast_master_table)
            {
                None => push(
                    Severity::Error,
                    name,
                    FindingKind::MissingUnicastTable(p.unicast_master_table),
                ),
                Some(table) => {
                    if let Some(peer) = &table.peer_address {
                        if UnicastAddress::parse(p.network_transport, peer).is_none() {
                            push(
                                Severity::Error,
                                name,
                                FindingKind::BadPeerAddress {
                                    table_id: table.table_id,
                                    address: peer.clone(),
                                },
                            );
                        }
                    }
                    for m in &table.masters {
                        if m.transport() != p.network_transport {
                            push(
                                Severity::Warning,
                                name,
                                FindingKind::UnicastTransportMismatch {
                                    table_id: table.table_id,
                                    master: m.to_string(),
                                },
                            );
                        }
                    }
                }
            }
        }
        if hardware {
            match phcs.phc(&port.name) {
                Phc::Unknown => {}
                Phc::Missing => push(Severity::Error, name, FindingKind::NoPhc),
                Phc::Index(phc) => match first_phc {
                    None => first_phc = Some((&port.name, phc)),
                    Some((first, fp)) if fp != phc && !p.boundary_clock_jbod => push(
                        Severity::Error,
                        name,
                        FindingKind::PhcMismatch {
                            first_port: first.to_owned(),
                            first_phc: fp,
                            phc,
                        },
                    ),
                    Some(_) => {}
                },
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ptp4l_conf;

    fn kinds(text: &str, phcs: &dyn PhcMap) -> Vec<(Severity, Option<String>, FindingKind)> {
        let cfg = parse_ptp4l_conf(text).unwrap().config;
        validate(&cfg, phcs)
            .into_iter()
            .map(|f| (f.severity, f.port, f.kind))
            .collect()
    }

    #[test]
    fn clean_config_has_no_findings() {
        assert!(kinds("[global]\n[eth0]\n", &()).is_empty());
    }

    #[test]
    fn errors_ptp4l_rejects() {
        use FindingKind::*;
        use Severity::Error;
        let e = |p: Option<&str>, k| (Error, p.map(str::to_owned), k);
        assert_eq!(kinds("[global]\n", &()), vec![e(None, NoInterface)]);
        assert_eq!(
            kinds(
                "[global]\ntwoStepFlag 0\ntime_stamping software\n[eth0]\n",
                &()
            ),
            vec![e(None, OneStepNeedsHardware)]
        );
        assert_eq!(
            kinds("[global]\ninhibit_delay_req 1\n[eth0]\n", &()),
            vec![e(Some("eth0"), InhibitDelayReqNeedsAsCapable)]
        );
        assert_eq!(
            kinds("[global]\nBMCA noop\n[eth0]\n", &()),
            vec![e(Some("eth0"), NoopBmcaNeedsRole)]
        );
        assert_eq!(
            kinds("[global]\nclock_type E2E_TC\n[eth0]\n", &()),
            vec![e(None, TransparentClockNeedsTwoPorts)]
        );
        assert_eq!(
            kinds("[global]\nunicast_master_table 3\n[eth0]\n", &()),
            vec![e(Some("eth0"), MissingUnicastTable(3))]
        );
        assert_eq!(
            kinds(
                "[global]\n[eth0]\nunicast_master_table 1\n[unicast_master_table]\ntable_id 1\npeer_address 00:11:22:33:44:55\n",
                &()
            ),
            vec![e(
                Some("eth0"),
                BadPeerAddress {
                    table_id: 1,
                    address: "00:11:22:33:44:55".into()
                }
            )]
        );
    }

    #[test]
    fn phc_checks() {
        use FindingKind::*;
        let phcs: BTreeMap<String, Phc> = [
            ("eth0".to_owned(), Phc::Index(0)),
            ("eth1".to_owned(), Phc::Index(1)),
            ("eth2".to_owned(), Phc::Missing),
        ]
        .into();
        assert_eq!(
            kinds("[global]\n[eth0]\n[eth1]\n", &phcs),
            vec![(
                Severity::Error,
                Some("eth1".into()),
                PhcMismatch {
                    first_port: "eth0".into(),
                    first_phc: 0,
                    phc: 1
                }
            )]
        );
        assert!(kinds("[global]\nboundary_clock_jbod 1\n[eth0]\n[eth1]\n", &phcs).is_empty());
        // Software time stamping does not use the PHCs.
        assert!(kinds(
            "[global]\ntime_stamping software\n[eth0]\n[eth1]\n[eth2]\n",
            &phcs
        )
        .is_empty());
        assert_eq!(
            kinds("[global]\n[eth2]\n", &phcs),
            vec![(Severity::Error, Some("eth2".into()), NoPhc)]
        );
    }

    #[test]
    fn warnings_ptp4l_tolerates() {
        use FindingKind::*;
        use Severity::Warning;
        assert_eq!(
            kinds("[global]\nslaveOnly 1\n[eth0]\nmasterOnly 1\n", &()),
            vec![(Warning, Some("eth0".into()), SlaveOnlyAndMasterOnly)]
        );
        assert_eq!(
            kinds("[global]\nhybrid_e2e 1\ndelay_mechanism P2P\n[eth0]\n", &()),
            vec![(Warning, Some("eth0".into()), HybridE2eNeedsE2e)]
        );
        assert_eq!(
            kinds(
                "[global]\ndataset_comparison G.8275.x\npriority1 100\n[eth0]\n",
                &()
            ),
            vec![(Warning, None, G8275Priority1(100))]
        );
        assert_eq!(
            kinds("[global]\nslaveOnly 1\nclockClass 6\n[eth0]\n", &()),
            vec![(Warning, None, ClockClassIgnored(6))]
        );
        assert_eq!(
            kinds(
                "[global]\nnetwork_transport L2\nunicast_master_table 1\n[eth0]\n[unicast_master_table]\ntable_id 1\nUDPv4 10.0.0.1\n",
                &()
            ),
            vec![(
                Warning,
                Some("eth0".into()),
                UnicastTransportMismatch {
                    table_id: 1,
                    master: "UDPv4 10.0.0.1".into()
                }
            )]
        );
    }
}

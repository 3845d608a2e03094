//! Real configurations parse: every config Debian's linuxptp 3.1.1 ships, and every
//! `ptp4lConf`/`ts2phcConf` of the PTP operator's profiles. For each we assert exactly which
//! options our engine reports as not implemented yet. Data: `tests/data/config/` (README
//! there has the provenance).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use ptp_core::config::enums::{ClockType, DatasetComparison, NetworkTransport};
use ptp_core::config::phc2sys::{load_phc2sys, parse_phc2sys_args};
use ptp_core::config::ts2phc::{load_ts2phc, parse_ts2phc_args};
use ptp_core::config::unicast::UnicastAddress;
use ptp_core::config::{load, parse_ptp4l_args, parse_ptp4l_conf, Loaded, Ptp4lConfig, Source};
use ptp_core::time::{Duration, LogInterval};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/config")
        .join(rel)
}

/// Rebuilds configuration text from an option list (`section TAB option TAB value`).
fn rebuild(list: &str) -> String {
    let mut out = String::new();
    let mut current: Option<String> = None;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (section, key, value) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let new_table = section == "unicast_master_table" && key == "table_id";
        if current.as_deref() != Some(section) || new_table {
            out.push_str(&format!("[{section}]\n"));
            current = Some(section.to_owned());
        }
        out.push_str(&format!("{key} {value}\n"));
    }
    out
}

fn fixture(rel: &str) -> String {
    rebuild(&std::fs::read_to_string(data(rel)).unwrap())
}

/// `option=value` (or `port:option=value`) of everything reported as not implemented.
fn unimplemented(cfg: &Ptp4lConfig) -> Vec<String> {
    cfg.unimplemented()
        .into_iter()
        .map(|u| match u.port {
            Some(i) => format!("{}:{}={}", cfg.ports[i].name, u.option, u.value),
            None => format!("{}={}", u.option, u.value),
        })
        .collect()
}

const DEBIAN: &[(&str, &[&str])] = &[
    ("default", &[]),
    (
        "E2E-TC",
        &[
            "tc_spanning_tree=1",
            "clock_type=E2E_TC",
            "freq_est_interval=3",
        ],
    ),
    (
        "P2P-TC",
        &[
            "tc_spanning_tree=1",
            "clock_type=P2P_TC",
            "freq_est_interval=3",
        ],
    ),
    (
        "G.8265.1",
        &[
            "hybrid_e2e=1",
            "inhibit_multicast_service=1",
            "unicast_listen=1",
            "unicast_req_duration=60",
        ],
    ),
    ("G.8275.1", &[]),
    (
        "G.8275.2",
        &[
            "hybrid_e2e=1",
            "inhibit_multicast_service=1",
            "unicast_listen=1",
            "unicast_req_duration=60",
        ],
    ),
    (
        "UNICAST-MASTER",
        &[
            "hybrid_e2e=1",
            "inhibit_multicast_service=1",
            "unicast_listen=1",
        ],
    ),
    (
        "UNICAST-SLAVE",
        &[
            "eth0:unicast_master_table=1",
            "eth1:unicast_master_table=2",
            "unicast_req_duration=60",
        ],
    ),
    (
        "gPTP",
        &[
            "assume_two_step=1",
            "syncReceiptTimeout=3",
            "neighborPropDelayThresh=800",
            "follow_up_info=1",
        ],
    ),
    (
        "automotive-master",
        &[
            "assume_two_step=1",
            "syncReceiptTimeout=3",
            "neighborPropDelayThresh=800",
            "asCapable=true",
            "BMCA=noop",
            "inhibit_announce=1",
            "inhibit_delay_req=1",
            "follow_up_info=1",
        ],
    ),
    (
        "automotive-slave",
        &[
            "assume_two_step=1",
            "operLogPdelayReqInterval=2",
            "syncReceiptTimeout=3",
            "neighborPropDelayThresh=800",
            "asCapable=true",
            "BMCA=noop",
            "inhibit_announce=1",
            "ignore_source_id=1",
            "follow_up_info=1",
            "msg_interval_request=1",
        ],
    ),
    ("ts2phc-TC", &[]),
    ("ts2phc-generic", &[]),
];

#[test]
fn debian_configs_parse_with_the_exact_unimplemented_list() {
    for (name, expected) in DEBIAN {
        let text = fixture(&format!("debian-3.1.1/{name}.options"));
        let loaded = parse_ptp4l_conf(&text)
            .unwrap_or_else(|e| panic!("{name} does not parse:\n{e}\n{text}"));
        assert_eq!(unimplemented(&loaded.config), *expected, "{name}");
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
    }
}

/// The installed files give the same configuration as our option lists (`test_prereq`:
/// skipped outside CI when linuxptp is not installed, failed with CI=true).
#[test]
fn installed_debian_configs_match_the_fixtures() {
    const CONFIGS: &str = "/usr/share/doc/linuxptp/configs";
    let installed = test_prereq::Prerequisite::File {
        path: CONFIGS,
        install: "apt-get install linuxptp",
    };
    if !test_prereq::require("installed_debian_configs_match_the_fixtures", &[installed]) {
        return;
    }
    let dir = Path::new(CONFIGS);
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("cfg") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            DEBIAN.iter().any(|(n, _)| *n == stem),
            "{stem}.cfg has no fixture"
        );
        let installed = parse_ptp4l_conf(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let ours = parse_ptp4l_conf(&fixture(&format!("debian-3.1.1/{stem}.options"))).unwrap();
        assert_eq!(installed.config, ours.config, "{stem}");
        seen += 1;
    }
    assert_eq!(seen, DEBIAN.len());
}

#[test]
fn debian_config_values() {
    let g8275 = parse_ptp4l_conf(&fixture("debian-3.1.1/G.8275.1.options"))
        .unwrap()
        .config;
    assert_eq!(g8275.global.dataset_comparison, DatasetComparison::G8275);
    assert_eq!(g8275.port_defaults.log_sync_interval, LogInterval(-4));
    assert_eq!(g8275.port_defaults.network_transport, NetworkTransport::L2);
    assert_eq!(
        g8275.port_defaults.ptp_dst_mac.to_string(),
        "01:80:C2:00:00:0E"
    );

    let tc = parse_ptp4l_conf(&fixture("debian-3.1.1/E2E-TC.options"))
        .unwrap()
        .config;
    assert_eq!(tc.global.clock_type, ClockType::E2eTc);
    assert_eq!(tc.port_defaults.freq_est_interval, LogInterval(3));

    let slave = parse_ptp4l_conf(&fixture("debian-3.1.1/UNICAST-SLAVE.options"))
        .unwrap()
        .config;
    let ids: Vec<_> = slave
        .unicast_master_tables
        .iter()
        .map(|t| t.table_id)
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(slave.unicast_master_tables[0].masters.len(), 3);
    assert_eq!(
        slave.unicast_master_tables[0].log_query_interval,
        LogInterval(2)
    );
    assert!(matches!(
        slave.unicast_master_tables[1].masters[0],
        UnicastAddress::L2(_)
    ));
    assert_eq!(
        slave.unicast_master_tables[2].peer_address.as_deref(),
        Some("192.168.4.44")
    );
    let names: Vec<_> = slave.ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["eth0", "eth1"]);
    assert_eq!(
        slave.ports[1].options.network_transport,
        NetworkTransport::L2
    );
    assert_eq!(slave.ports[1].options.unicast_master_table, 2);
    assert_eq!(
        slave.ports[0].options.unicast_req_duration,
        Duration::from_secs(60)
    );
}

const OPERATOR_PTP4L_OPTS: &str = "-2 --summary_interval -4";
const OPERATOR_PHC2SYS_OPTS: &str = "-a -r -n 24 -N 8 -R 16 -u 0";

fn operator(name: &str) -> Loaded {
    let args: Vec<&str> = OPERATOR_PTP4L_OPTS.split_whitespace().collect();
    let cl = parse_ptp4l_args(&args).unwrap();
    load(
        &cl,
        Some(&fixture(&format!("operator/{name}.ptp4l.options"))),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn operator_ptp4l_confs_parse() {
    for (name, ports) in [
        ("tsc", &["ens4f0"][..]),
        ("tbc", &["ens4f1", "ens7f0", "ens7f1"][..]),
        ("tgm", &["ens7f0", "ens7f1"][..]),
    ] {
        let l = operator(name);
        let c = &l.config;
        assert_eq!(
            c.ports.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ports,
            "{name}"
        );
        // Everything the profiles set is implemented or at its default.
        assert_eq!(unimplemented(c), Vec::<String>::new(), "{name}");
        assert_eq!(c.global.domain_number, 24);
        assert_eq!(c.global.clock_class, 6);
        assert_eq!(c.global.clock_accuracy, 0x27);
        assert_eq!(c.global.time_source, 0x20);
        assert_eq!(c.global.clock_type, ClockType::Bc);
        assert_eq!(c.global.tx_timestamp_timeout, Duration::from_millis(50));
        assert_eq!(c.global.user_description, ";");
        // -2 on the command line overrides [global] network_transport (L2 there too).
        assert_eq!(c.port_defaults.network_transport, NetworkTransport::L2);
        assert_eq!(
            l.provenance.global("network_transport"),
            Source::CommandLine
        );
        // --summary_interval -4 wins over the file's summary_interval -4, with a warning.
        assert_eq!(c.global.summary_interval, LogInterval(-4));
        assert_eq!(l.provenance.global("summary_interval"), Source::CommandLine);
        assert_eq!(l.warnings.len(), 2, "{name}: {:?}", l.warnings);
        assert_eq!(c.port_defaults.log_sync_interval, LogInterval(-4));
    }
    let tbc = operator("tbc").config;
    assert!(!tbc.ports[0].options.master_only);
    assert!(tbc.ports[1].options.master_only && tbc.ports[2].options.master_only);
    // Port sections come before [global] in these files; the port keeps its own value.
    assert_eq!(tbc.ports[1].overrides, ["masterOnly"]);
}

#[test]
fn operator_phc2sys_and_ts2phc() {
    let args: Vec<&str> = OPERATOR_PHC2SYS_OPTS.split_whitespace().collect();
    let phc2sys = load_phc2sys(&parse_phc2sys_args(&args).unwrap(), None).unwrap();
    assert_eq!(phc2sys.options.domain_number, 24);
    assert_eq!(phc2sys.update_rate_hz, 16.0);

    let cl = parse_ts2phc_args(&["-s", "generic", "-a", "--ts2phc.external_pps", "1"]).unwrap();
    for (name, clocks) in [
        ("tsc", &["ens4f0"][..]),
        ("tbc", &["ens7f0", "ens4f0", "ens2f0"][..]),
    ] {
        let c = load_ts2phc(
            &cl,
            Some(&fixture(&format!("operator/{name}.ts2phc.options"))),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            c.clocks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            clocks
        );
        assert_eq!(c.global.ts2phc_pulsewidth, Duration::from_millis(100));
        assert_eq!(c.global.logging_level, 7);
    }
}

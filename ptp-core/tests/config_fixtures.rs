//! Real configurations parse: every config Debian's linuxptp 3.1.1 ships, every ptp4l config
//! upstream linuxptp v4.4 ships, and every `ptp4lConf`/`ts2phcConf` of the PTP operator's
//! profiles. For each we assert exactly which options our engine reports as not implemented
//! yet. Data: `tests/data/config/` (README there has the provenance).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::path::{Path, PathBuf};

use ptp_core::config::enums::{ClockType, DatasetComparison, NetworkTransport};
use ptp_core::config::phc2sys::{load_phc2sys, parse_phc2sys_args};
use ptp_core::config::ts2phc::{load_ts2phc, parse_ts2phc_args};
use ptp_core::config::unicast::UnicastAddress;
use ptp_core::config::{load, parse_ptp4l_args, parse_ptp4l_conf, Loaded, Ptp4lConfig, Source};
use ptp_core::time::{Duration, LogInterval};
use support::option_sets::{names, rebuild};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/config")
        .join(rel)
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

/// What the configs that linuxptp 3.1.1 and 4.4 ship alike ask for that the engine does not
/// implement yet.
const E2E_TC_NOT_YET: &[&str] = &[
    "tc_spanning_tree=1",
    "clock_type=E2E_TC",
    "freq_est_interval=3",
];
const P2P_TC_NOT_YET: &[&str] = &[
    "tc_spanning_tree=1",
    "clock_type=P2P_TC",
    "freq_est_interval=3",
];
const UNICAST_SERVICE_NOT_YET: &[&str] = &[
    "hybrid_e2e=1",
    "inhibit_multicast_service=1",
    "unicast_listen=1",
    "unicast_req_duration=60",
];
const UNICAST_MASTER_NOT_YET: &[&str] = &[
    "hybrid_e2e=1",
    "inhibit_multicast_service=1",
    "unicast_listen=1",
];
const UNICAST_SLAVE_NOT_YET: &[&str] = &[
    "eth0:unicast_master_table=1",
    "eth1:unicast_master_table=2",
    "unicast_req_duration=60",
];
const GPTP_NOT_YET: &[&str] = &[
    "assume_two_step=1",
    "syncReceiptTimeout=3",
    "neighborPropDelayThresh=800",
    "follow_up_info=1",
];
const AUTOMOTIVE_MASTER_NOT_YET: &[&str] = &[
    "assume_two_step=1",
    "syncReceiptTimeout=3",
    "neighborPropDelayThresh=800",
    "asCapable=true",
    "BMCA=noop",
    "inhibit_announce=1",
    "inhibit_delay_req=1",
    "follow_up_info=1",
];
const AUTOMOTIVE_SLAVE_NOT_YET: &[&str] = &[
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
];

const DEBIAN: &[(&str, &[&str])] = &[
    ("default", &[]),
    ("E2E-TC", E2E_TC_NOT_YET),
    ("P2P-TC", P2P_TC_NOT_YET),
    ("G.8265.1", UNICAST_SERVICE_NOT_YET),
    ("G.8275.1", &[]),
    ("G.8275.2", UNICAST_SERVICE_NOT_YET),
    ("UNICAST-MASTER", UNICAST_MASTER_NOT_YET),
    ("UNICAST-SLAVE", UNICAST_SLAVE_NOT_YET),
    ("gPTP", GPTP_NOT_YET),
    ("automotive-master", AUTOMOTIVE_MASTER_NOT_YET),
    ("automotive-slave", AUTOMOTIVE_SLAVE_NOT_YET),
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

/// Upstream linuxptp v4.4's configs. `sa.cfg` is left out: it is not a ptp4l configuration
/// but the security association file `authentication.cfg` names (`sa_file`), which ptp4l reads
/// with its own grammar.
const LINUXPTP_4_4: &[(&str, &[&str])] = &[
    ("default", &[]),
    ("gPTP", GPTP_NOT_YET),
    ("automotive-master", AUTOMOTIVE_MASTER_NOT_YET),
    ("automotive-slave", AUTOMOTIVE_SLAVE_NOT_YET),
    ("E2E-TC", E2E_TC_NOT_YET),
    ("P2P-TC", P2P_TC_NOT_YET),
    ("G.8275.1", &[]),
    ("G.8275.2", UNICAST_SERVICE_NOT_YET),
    ("G.8265.1", UNICAST_SERVICE_NOT_YET),
    ("UNICAST-MASTER", UNICAST_MASTER_NOT_YET),
    ("UNICAST-SLAVE", UNICAST_SLAVE_NOT_YET),
    ("ts2phc-TC", &[]),
    ("ts2phc-generic", &[]),
    ("CMLDS_client", &["eth1:delay_mechanism=COMMON_P2P"]),
    // The server side is a free-running P2P clock with majorSdoId 2: every option is ours.
    ("CMLDS_server", &[]),
    (
        "authentication",
        &[
            "sa_file=configs/sa.cfg",
            "active_key_id=2",
            "eth1:active_key_id=1",
            "eth0:active_key_id=3",
            "eth3:active_key_id=1",
            "spp=0",
            "eth1:spp=1",
            "eth0:spp=1",
        ],
    ),
];

#[test]
fn linuxptp_4_4_configs_parse_with_the_exact_unimplemented_list() {
    for (name, expected) in LINUXPTP_4_4 {
        let text = fixture(&format!("linuxptp-4.4/{name}.options"));
        let loaded = parse_ptp4l_conf(&text)
            .unwrap_or_else(|e| panic!("{name} does not parse:\n{e}\n{text}"));
        assert_eq!(unimplemented(&loaded.config), *expected, "{name}");
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
    }
    // Every v4.4 file has its option set here.
    let listed = names(&data("linuxptp-4.4"));
    let mut expected: Vec<_> = LINUXPTP_4_4.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

/// What v4.4 changed in the files Debian's 3.1.1 also ships: the new option names
/// (`clientOnly`, `serverOnly`) mean the old ones, the telecom profiles gained their default
/// domains, and default.cfg lists the options 4.x added, each at its default.
#[test]
fn linuxptp_4_4_configs_mean_what_3_1_1_s_meant() {
    let parse = |rel: &str| parse_ptp4l_conf(&fixture(rel)).unwrap().config;
    for (name, domain) in [("G.8275.1", 24), ("G.8275.2", 44), ("G.8265.1", 4)] {
        let mut new = parse(&format!("linuxptp-4.4/{name}.options"));
        assert_eq!(new.global.domain_number, domain, "{name}");
        new.global.domain_number = 0;
        assert_eq!(
            new,
            parse(&format!("debian-3.1.1/{name}.options")),
            "{name}"
        );
    }
    for name in [
        "gPTP",
        "automotive-master",
        "automotive-slave",
        "E2E-TC",
        "P2P-TC",
    ] {
        assert_eq!(
            parse(&format!("linuxptp-4.4/{name}.options")),
            parse(&format!("debian-3.1.1/{name}.options")),
            "{name}"
        );
    }
    let slave = parse("linuxptp-4.4/automotive-slave.options");
    assert!(slave.global.slave_only);
    assert!(
        parse("linuxptp-4.4/automotive-master.options")
            .port_defaults
            .master_only
    );
    // Our default minorVersionPTP is 0 (see the option table); default.cfg's 1 is explicit.
    let default = parse("linuxptp-4.4/default.options");
    assert_eq!(default.global.ptp_minor_version, 1);
    let mut debian = parse("debian-3.1.1/default.options");
    debian.global.ptp_minor_version = 1;
    // 3.1.1's default.cfg writes tx_timestamp_timeout 1 (its own default), v4.4's writes 10.
    debian.global.tx_timestamp_timeout = default.global.tx_timestamp_timeout;
    assert_eq!(default, debian);
}

/// Options upstream added after v4.4 (its HEAD's `config.c`), each at its upstream default
/// and at a value a config sets: known to the table, and reported only when we lack them.
#[test]
fn options_added_after_4_4_are_known() {
    // (`user` and `ts2phc.pin_name` default to empty text, which no file can write.)
    let at_defaults = "[global]\n\
        delay_request_variability 1.0\n\
        profileIdentity 00:00:00:00:00:00\n\
        ts2phc.pulserate 1\n\
        [eth0]\n";
    let loaded = parse_ptp4l_conf(at_defaults).unwrap();
    assert_eq!(unimplemented(&loaded.config), Vec::<String>::new());
    assert_eq!(
        loaded.config,
        parse_ptp4l_conf("[global]\n[eth0]\n").unwrap().config
    );
    // upstream's G.8275.1.cfg after v4.4 adds the ±30 % Delay_Req spread G.8275.1 asks for,
    // which the engine implements.
    let g8275 = parse_ptp4l_conf(&format!(
        "{}delay_request_variability 0.3\n",
        fixture("linuxptp-4.4/G.8275.1.options")
    ))
    .unwrap();
    assert_eq!(g8275.config.port_defaults.delay_request_variability, 0.3);
    assert_eq!(unimplemented(&g8275.config), Vec::<String>::new());
    let others = parse_ptp4l_conf(
        "[global]\nprofileIdentity 00:1B:19:00:01:00\nuser ptp\nts2phc.pulserate 2\n\
         [eth0]\nts2phc.pin_name SMA1\n",
    )
    .unwrap();
    assert_eq!(
        unimplemented(&others.config),
        ["user=ptp", "profileIdentity=00:1B:19:00:01:00"]
    );
    assert!(parse_ptp4l_conf("[global]\ndelay_request_variability 1.5\n").is_err());
    assert!(parse_ptp4l_conf("[global]\nts2phc.pulserate 129\n").is_err());
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

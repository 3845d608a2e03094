//! Every parser error carries its line, the option and a precise message; warnings likewise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ptp_core::config::{
    load, parse_ptp4l_args, parse_ptp4l_conf, ErrorKind, Location, WarningKind,
};

/// (file text, line of the error, full message)
const CASES: &[(&str, usize, &str)] = &[
    (
        "priority1 128\n",
        1,
        "line 1: \"priority1 128\": setting is not in a section (start the file with [global])",
    ),
    (
        "[global]\nfoo 1\n",
        2,
        "line 2 in [global] section: option foo: unknown option",
    ),
    (
        "[global]\n\n# c\npriority1 256\n",
        4,
        "line 4 in [global] section: option priority1: 256 is out of range (allowed: integer 0 to 255)",
    ),
    (
        "[global]\npriority1 5x\n",
        2,
        "line 2 in [global] section: option priority1: \"5x\" is a malformed value (expected integer 0 to 255)",
    ),
    (
        "[global]\ntime_stamping hw\n",
        2,
        "line 2 in [global] section: option time_stamping: \"hw\" is a bad value (expected one of: hardware, software, legacy, onestep, p2p1step)",
    ),
    (
        "[global]\nlogSyncInterval 128\n",
        2,
        "line 2 in [global] section: option logSyncInterval: 128 is out of range (allowed: log2 seconds -128 to 127)",
    ),
    (
        "[global]\nstep_threshold -1\n",
        2,
        "line 2 in [global] section: option step_threshold: -1 is out of range (allowed: seconds (decimal, >= 0))",
    ),
    (
        "[global]\nfirst_step_threshold 2e-5s\n",
        2,
        "line 2 in [global] section: option first_step_threshold: \"2e-5s\" is a malformed value (expected seconds (decimal, >= 0))",
    ),
    (
        "[global]\nptp_dst_mac 01:1B:19:00:00\n",
        2,
        "line 2 in [global] section: option ptp_dst_mac: \"01:1B:19:00:00\" is a malformed value (expected MAC address xx:xx:xx:xx:xx:xx)",
    ),
    (
        "[global]\npriority1\n",
        2,
        "line 2 in [global] section: option priority1: option has no value",
    ),
    (
        "[eth0]\ndomainNumber 1\n",
        2,
        "line 2 in [eth0] section: option domainNumber: this is a clock-wide option; it may only be set in [global] or on the command line",
    ),
    (
        "[eth0]\nlogSyncInterval -3\n[global]\n[eth0]\n",
        4,
        "line 4 in [eth0] section: \"[eth0]\": interface section repeated (first at line 1)",
    ),
    (
        "[global]\n[ ]\n",
        2,
        "line 2: \"[ ]\": could not parse the port name of the section header",
    ),
    (
        "[a_very_long_ifname]\n",
        1,
        "line 1 in [a_very_long_ifname] section: \"[a_very_long_ifname]\": interface name is longer than 15 characters",
    ),
    (
        "[unicast_master_table]\nUDPv4 10.0.0.1\n",
        2,
        "line 2 in [unicast_master_table] section: \"UDPv4 10.0.0.1\": missing table_id: each [unicast_master_table] must start with table_id",
    ),
    (
        "[unicast_master_table]\ntable_id 0\n",
        2,
        "line 2 in [unicast_master_table] section: \"table_id 0\": table_id 0 is out of range (allowed: 1 to 2147483647)",
    ),
    (
        "[unicast_master_table]\ntable_id 1\n[unicast_master_table]\ntable_id 1\n",
        4,
        "line 4 in [unicast_master_table] section: \"table_id 1\": table_id 1 already taken (at line 2)",
    ),
    (
        "[unicast_master_table]\ntable_id 1\nlogQueryInterval 200\n",
        3,
        "line 3 in [unicast_master_table] section: \"logQueryInterval 200\": logQueryInterval 200 is not an integer from -128 to 127",
    ),
    (
        "[unicast_master_table]\ntable_id 1\nUDPv4 10.0.0\n",
        3,
        "line 3 in [unicast_master_table] section: \"UDPv4 10.0.0\": bad UDPv4 address \"10.0.0\"",
    ),
    (
        "[unicast_master_table]\ntable_id 1\nUDS /var/run/x\n",
        3,
        "line 3 in [unicast_master_table] section: \"UDS /var/run/x\": unknown transport \"UDS\" (expected L2, UDPv4 or UDPv6)",
    ),
    (
        "[unicast_master_table]\ntable_id 1\nUDPv4\n",
        3,
        "line 3 in [unicast_master_table] section: \"UDPv4\": bad master table line (expected table_id, logQueryInterval, peer_address or \"<transport> <address>\")",
    ),
];

#[test]
fn error_table() {
    for (text, line, message) in CASES {
        let errs = parse_ptp4l_conf(text).expect_err(text).0;
        assert_eq!(errs.len(), 1, "{text:?}: {errs:?}");
        assert_eq!(errs[0].line(), Some(*line), "{text:?}");
        assert_eq!(errs[0].to_string(), *message, "{text:?}");
    }
}

#[test]
fn every_error_of_a_file_is_reported() {
    let errs = parse_ptp4l_conf("[global]\npriority1 300\nbogus 1\n[eth0]\nclockClass 6\n")
        .unwrap_err()
        .0;
    let lines: Vec<_> = errs.iter().map(|e| e.line()).collect();
    assert_eq!(lines, [Some(2), Some(3), Some(5)]);
    assert!(matches!(errs[0].kind, ErrorKind::BadValue(_)));
    assert_eq!(errs[1].kind, ErrorKind::UnknownOption);
    assert_eq!(errs[2].kind, ErrorKind::GlobalOnly);
    assert_eq!(errs[2].key.as_deref(), Some("clockClass"));
}

#[test]
fn command_line_errors() {
    let cl = parse_ptp4l_args(&["--priority1", "300", "--bogus=1", "-i", "eth0"]).unwrap();
    let errs = load(&cl, None).unwrap_err().0;
    let text: Vec<_> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "command line: option priority1: 300 is out of range (allowed: integer 0 to 255)",
            "command line: option bogus: unknown option",
        ]
    );
    assert!(errs.iter().all(|e| e.location == Location::CommandLine));
}

#[test]
fn warnings() {
    let l = parse_ptp4l_conf(
        "[global]\npi_offset_const 1.0\npriority1 1\npriority1 2\n[eth0] extra\nmasterOnly 1\nserverOnly 0\n",
    )
    .unwrap();
    let got: Vec<_> = l.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "line 2 in [global] section: option pi_offset_const: deprecated, please use step_threshold instead",
            "line 4 in [global] section: option priority1: set again (before at line 3); the last value wins",
            "line 5 in [eth0] section: text after the interface name in the section header is ignored",
            "line 7 in [eth0] section: option masterOnly: set again (before at line 6); the last value wins",
        ]
    );
    assert_eq!(l.config.global.priority1, 2);
    assert!(!l.config.ports[0].options.master_only);
    assert!(matches!(
        l.warnings[0].kind,
        WarningKind::Deprecated {
            replacement: "step_threshold"
        }
    ));
}

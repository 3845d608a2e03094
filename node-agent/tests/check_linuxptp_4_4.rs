//! `ptp-agent --check` on the configs upstream linuxptp v4.4 ships (the option sets in
//! `ptp-core/tests/data/config/linuxptp-4.4/`): none is refused as unknown or invalid (exit 1);
//! each is usable (exit 0) or lists exactly the options the engine does not implement yet
//! (exit 2). `ptp-core`'s `config_fixtures.rs` asserts which options those are.
//!
//! The check runs in-process with no PHC information (as for interfaces this host does not
//! have), so the verdict does not depend on the machine's NICs; the binary is run too, on the
//! two files a linuxptp 4.x user is most likely to try first.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../ptp-core/tests/support/option_sets.rs"]
mod option_sets;

use std::process::Command;

use node_agent::check::{run_check, CheckOutcome};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ptp-core/tests/data/config/linuxptp-4.4"
);

/// Each v4.4 config and how many options of it the check reports as not implemented yet.
const VERDICTS: &[(&str, usize)] = &[
    ("default", 0),
    ("G.8275.1", 0),
    ("ts2phc-TC", 0),
    ("ts2phc-generic", 0),
    ("CMLDS_server", 0),
    ("gPTP", 4),
    ("automotive-master", 8),
    ("automotive-slave", 10),
    ("E2E-TC", 3),
    ("P2P-TC", 3),
    ("G.8275.2", 4),
    ("G.8265.1", 4),
    ("UNICAST-MASTER", 3),
    ("UNICAST-SLAVE", 3),
    ("CMLDS_client", 1),
    ("authentication", 8),
];

fn config(name: &str) -> String {
    option_sets::rebuild(&std::fs::read_to_string(format!("{DATA}/{name}.options")).unwrap())
}

/// Runs the check as `ptp-agent --check -f <name>.cfg -i ptpx0 -i ptpx1` would, with `text` as
/// the file (two interfaces: a transparent clock needs them).
fn check(name: &str, text: String) -> (CheckOutcome, String) {
    let args: Vec<String> = ["-f", &format!("{name}.cfg"), "-i", "ptpx0", "-i", "ptpx1"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let read = move |_: &str| Ok(text.clone());
    let mut out = Vec::new();
    let outcome = run_check(&args, &read, &(), &mut out).unwrap();
    (outcome, String::from_utf8(out).unwrap())
}

#[test]
fn every_4_4_config_is_usable_or_lists_what_is_not_implemented() {
    let files = option_sets::names(std::path::Path::new(DATA));
    let mut named: Vec<String> = VERDICTS.iter().map(|(n, _)| (*n).to_owned()).collect();
    named.sort();
    assert_eq!(files, named, "every v4.4 config has a verdict here");
    for (name, not_yet) in VERDICTS {
        let (outcome, out) = check(name, config(name));
        assert!(!out.contains("unknown option"), "{name}:\n{out}");
        assert!(!out.contains("error"), "{name}:\n{out}");
        let listed = out
            .lines()
            .filter(|l| l.starts_with("not implemented: "))
            .count();
        assert_eq!(listed, *not_yet, "{name}:\n{out}");
        let expected = if *not_yet == 0 {
            CheckOutcome::Usable
        } else {
            CheckOutcome::Unimplemented
        };
        assert_eq!(outcome, expected, "{name}:\n{out}");
    }
}

#[test]
fn the_binary_accepts_default_and_g8275_1_with_the_options_added_after_4_4() {
    // Upstream's default.cfg after v4.4 lists delay_request_variability at its default; its
    // G.8275.1.cfg sets the ±30 % G.8275.1 asks for. Both are implemented.
    let dir = std::env::temp_dir().join(format!("ptp-agent-check-4x-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, value) in [("default", "1.0"), ("G.8275.1", "0.3")] {
        let path = dir.join(format!("{name}.cfg"));
        let text = format!("{}delay_request_variability {value}\n", config(name));
        std::fs::write(&path, text).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_ptp-agent"))
            .args(["--check", "-f", path.to_str().unwrap(), "-i", "ptpx0"])
            .output()
            .unwrap();
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(0), "{name}:\n{out}");
        assert!(out.contains("test is successful"), "{name}:\n{out}");
        let line = out
            .lines()
            .find(|l| l.starts_with("delay_request_variability "))
            .unwrap_or_default();
        assert_eq!(line.split_whitespace().nth(1), Some(value), "{out}");
        assert!(line.contains("# file line"), "{out}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `ptp-agent --check` as a user runs it: the real binary on real files.
//!
//! Interfaces in these files are named `ptpx0`, which no host has, so the PHC checks are skipped
//! and the outcome does not depend on the machine's NICs; `lo` (never a PHC) tests that check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ptp-agent-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn agent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ptp-agent"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn good_file_exits_0_and_prints_the_effective_configuration() {
    let conf = file(
        "good.conf",
        "[global]\n# a G.8275.1-like T-BC\ndomainNumber 24\ndataset_comparison G.8275.x\nnetwork_transport L2\n[ens1f0]\nmasterOnly 1\n[ens1f1]\n",
    );
    let o = agent(&[
        "--check",
        "-f",
        conf.to_str().unwrap(),
        "-S",
        "--logSyncInterval=-4",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("test is successful"), "{out}");
    let line = |prefix: &str| {
        out.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or("")
            .to_owned()
    };
    assert!(line("domainNumber ").contains("24"), "{out}");
    assert!(line("domainNumber ").ends_with("# file line 3"), "{out}");
    assert!(line("time_stamping ").ends_with("# command line"), "{out}");
    assert!(line("priority1 ").ends_with("# default"), "{out}");
    assert!(
        out.contains("[ens1f0]") && out.contains("[ens1f1]"),
        "{out}"
    );
}

#[test]
fn broken_file_exits_1_with_the_line_number() {
    let conf = file(
        "broken.conf",
        "[global]\npriority1 128\nclockClass 6x\nbogus_option 1\n[ptpx0]\n",
    );
    let o = agent(&["--check", "-f", conf.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "error: line 3 in [global] section: option clockClass: \"6x\" is a malformed value"
        ),
        "{out}"
    );
    assert!(
        out.contains("error: line 4 in [global] section: option bogus_option: unknown option"),
        "{out}"
    );
    assert!(out.contains("test failed"), "{out}");
}

#[test]
fn unimplemented_option_exits_2_and_is_listed() {
    let conf = file(
        "unimplemented.conf",
        "[global]\nclock_servo ntpshm\n[ptpx0]\nhybrid_e2e 1\n",
    );
    let o = agent(&["--check", "-f", conf.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("not implemented: option clock_servo ntpshm: not implemented yet (the ntpshm servo) [file line 2]"),
        "{out}"
    );
    assert!(
        out.contains("not implemented: port ptpx0: option hybrid_e2e 1: not implemented yet (hybrid E2E) [file line 4]"),
        "{out}"
    );
}

#[test]
fn validation_error_and_missing_file_exit_1() {
    let conf = file("twostep.conf", "[global]\ntwoStepFlag 0\n[ptpx0]\n");
    let o = agent(&["--check", "-f", conf.to_str().unwrap(), "-S"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("one step (twoStepFlag 0) is only possible with hardware time stamping")
    );
    let o = agent(&["--check", "-f", "/nonexistent/ptp4l.conf"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("could not read configuration file /nonexistent/ptp4l.conf"));
}

#[test]
fn without_check_the_agent_runs_or_says_why_it_cannot() {
    // Hardware time stamping (the default) on an interface without a PHC.
    let o = agent(&["-i", "lo"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("no PTP hardware clock"), "{}", text(&o));
    // An interface this host does not have: no clock identity, nothing opened.
    let o = agent(&["-i", "ptpx0", "-S"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("/sys/class/net/ptpx0/address"),
        "{}",
        text(&o)
    );
    let o = agent(&["-i", "lo", "-S", "--clock", "tai"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("bad argument \"tai\" for --clock"),
        "{}",
        text(&o)
    );
    let o = agent(&["-i", "lo", "-S", "--clock", "phc"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("--clock phc needs hardware time stamping"),
        "{}",
        text(&o)
    );
    let o = agent(&["-h"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("usage: ptp-agent [--check] [--clock"));
}

#[test]
fn hardware_time_stamping_on_an_interface_without_phc_is_an_error() {
    // `lo` exists everywhere and never has a PTP hardware clock; ptp4l refuses it too.
    let conf = file("hw-lo.conf", "[global]\ntime_stamping hardware\n");
    let o = agent(&["--check", "-f", conf.to_str().unwrap(), "-i", "lo"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "port lo: hardware time stamping, but the interface has no PTP hardware clock"
        ),
        "{out}"
    );
    let conf = file("sw-lo.conf", "[global]\ntime_stamping software\n");
    let o = agent(&["--check", "-f", conf.to_str().unwrap(), "-i", "lo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn both_programs_print_their_version_alone_as_ptp4l_and_pmc_do() {
    let version = format!("{}\n", env!("CARGO_PKG_VERSION"));
    for flag in ["-v", "--version"] {
        let o = agent(&[flag]);
        assert_eq!(o.status.code(), Some(0), "ptp-agent {flag}: {}", text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            version,
            "ptp-agent {flag}"
        );
        let o = Command::new(env!("CARGO_BIN_EXE_ptpctl"))
            .arg(flag)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "ptpctl {flag}: {}", text(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), version, "ptpctl {flag}");
    }
    // The long form is not taken for a configuration option wanting a value.
    let o = agent(&["--version", "-i", "eth0"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), version);
    let o = agent(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--version"));
}

#[test]
fn cluster_mode_says_what_it_misses_and_takes_no_ptp4l_options() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ptp-agent"));
        c.args(args).env_remove("NODE_NAME").env_remove("NAMESPACE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let o = run(&["--cluster", "--no-metrics", "-i", "eth0"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("unexpected ptp4l options: -i eth0"),
        "{}",
        text(&o)
    );
    let o = run(&["--cluster", "--no-metrics"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("NODE_NAME or --node-name"),
        "{}",
        text(&o)
    );
    let o = run(&["--cluster", "--no-metrics"], &[("NODE_NAME", "node-a")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("needs NAMESPACE"), "{}", text(&o));
}

//! SIGHUP in network namespaces: Debian's ptp4l (3.1.1) is the grandmaster on
//! `CLOCK_REALTIME`, an agent slave steers a virtual clock (UDPv4, E2E, software time
//! stamps), and its configuration file is changed under it and SIGHUP sent:
//!
//! - a runtime option (`summary_interval`) is taken in place: the slave stays locked — s2
//!   samples throughout, no port state change, a true error that stays sane — while the
//!   summary lines it now prints show the change was taken;
//! - a file with a syntax error changes nothing: the error is logged with its line, the
//!   agent goes on as it was and still takes the next good file.
//!
//! Each case is a function on a locked [`Slave`]; the cases the engine will take in place
//! (a new priority2, an added interface) are to join them as functions of their own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{prerequisites, Lab, Log, AGENT};

/// Long enough for announce timeouts, BMCA and a first lock on a loaded 2-core machine.
const LOCK: Duration = Duration::from_secs(60);

/// As in `netns_interop.rs`: quick intervals, software-stamp friendly timeouts.
const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      fault_reset_interval 0\n";

/// A software-stamped veth path: offsets and true errors are microseconds at worst.
const SANE: f64 = 100_000.0;

/// The slave's configuration with `summary_interval`: -2 prints every sample at info, 1
/// summarises eight samples in a line.
fn slave_conf(summary_interval: i8) -> String {
    format!("[global]\nslaveOnly 1\n{COMMON}summary_interval {summary_interval}\n")
}

/// An agent slave, locked to a ptp4l grandmaster, whose configuration file can be changed.
struct Slave {
    lab: Lab,
    log: Log,
    /// The agent's configuration file.
    conf: String,
    /// The agent's index among the lab's processes.
    agent: usize,
    /// When its port became SLAVE.
    locked: Duration,
}

impl Slave {
    fn start(tag: &str) -> Self {
        let mut lab = Lab::new(tag);
        let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
        let gm = lab.file(
            "gm.conf",
            &format!("[global]\npriority1 127\nfree_running 1\n{COMMON}"),
        );
        lab.spawn(
            "ptp4l-gm",
            &gm_ns,
            "ptp4l",
            &["-f", &gm, "-S", "-m", "-4", "-E", "-i", "eth-gm"],
        );
        let uds = lab.path("agent.sock");
        let conf = lab.file("slave.conf", &slave_conf(-2));
        // Debug level: the samples stay in the log when a summary replaces them at info.
        let log = lab.spawn(
            "agent-slave",
            &sl_ns,
            AGENT,
            &[
                "-f",
                &conf,
                "-S",
                "-m",
                "-l",
                "7",
                "-4",
                "-E",
                "-i",
                "eth-sl",
                "--clock",
                "virtual",
                "--no-metrics",
                "--uds_address",
                &uds,
            ],
        );
        let locked = log.wait_for("to SLAVE", LOCK);
        Self {
            lab,
            log,
            conf,
            agent: 1,
            locked,
        }
    }

    /// Writes `text` as the configuration file, sends SIGHUP and waits for the agent's line
    /// about the reload; returns it and when it was printed.
    fn reload(&mut self, text: &str) -> (Duration, String) {
        let before = self.log.lines().len();
        std::fs::write(&self.conf, text).unwrap();
        self.lab.signal(self.agent, "HUP");
        self.log
            .wait_until(LOCK, |lines| {
                lines
                    .iter()
                    .skip(before)
                    .find(|(_, l)| l.contains("reload"))
                    .cloned()
            })
            .unwrap_or_else(|| panic!("no reload line\n{}", self.log.dump()))
    }

    /// Waits for `n` samples after `from` and for `check` to hold of the lines after it.
    fn wait_after(
        &self,
        from: Duration,
        what: &str,
        check: impl Fn(&[(Duration, String)]) -> bool,
    ) {
        self.log
            .wait_until(LOCK, |lines| {
                let after: Vec<_> = lines.iter().filter(|(t, _)| *t > from).cloned().collect();
                check(&after).then_some(())
            })
            .unwrap_or_else(|| panic!("{what} after {from:?}\n{}", self.log.dump()));
    }

    /// Since the port became SLAVE: every sample in s2 with a sane offset, no port state
    /// change, a sane true error.
    fn assert_locked_throughout(&self) {
        let samples = self.log.samples(self.locked);
        assert!(
            samples
                .iter()
                .all(|s| s.state == 2 && s.offset.abs() < SANE),
            "{samples:?}\n{}",
            self.log.dump()
        );
        // The port's states: up to SLAVE, and none since.
        let changes: Vec<_> = self
            .log
            .lines()
            .into_iter()
            .filter(|(_, l)| l.contains("port 1:"))
            .collect();
        assert!(
            changes.len() == 3 && changes[2].1.contains("to SLAVE"),
            "{changes:?}\n{}",
            self.log.dump()
        );
        let errors = self.log.true_errors(self.locked);
        assert!(errors.iter().all(|e| e.abs() < SANE), "{errors:?}");
    }
}

/// Lines that are samples.
fn samples_in(lines: &[(Duration, String)]) -> usize {
    lines
        .iter()
        .filter(|(_, l)| l.contains("master offset"))
        .count()
}

/// Lines that are summaries.
fn summaries_in(lines: &[(Duration, String)]) -> usize {
    lines.iter().filter(|(_, l)| l.contains(" rms ")).count()
}

/// `summary_interval` from -2 to 1: taken in place, the slave stays locked.
fn summary_interval_in_place(slave: &mut Slave) {
    // Before: every sample is its own summary, so there are no summary lines.
    slave.wait_after(slave.locked, "8 samples", |l| samples_in(l) >= 8);
    assert_eq!(summaries_in(&slave.log.lines()), 0, "{}", slave.log.dump());
    let (at, line) = slave.reload(&slave_conf(1));
    assert!(
        line.contains("reloaded: slave.conf: summary_interval changed in place"),
        "{line}"
    );
    // After: a summary line every eight samples, and the samples go on.
    slave.wait_after(at, "2 summaries and 16 samples", |l| {
        summaries_in(l) >= 2 && samples_in(l) >= 16
    });
    slave.assert_locked_throughout();
}

/// A file that does not parse: nothing changes, the agent goes on.
fn syntax_error_changes_nothing(slave: &mut Slave) {
    // Its last line has no value.
    let broken = format!("[global]\nslaveOnly 1\n{COMMON}summary_interval\n");
    let line_no = broken
        .lines()
        .position(|l| l == "summary_interval")
        .unwrap()
        + 1;
    let (at, line) = slave.reload(&broken);
    assert!(line.contains("reload failed"), "{line}");
    assert!(line.contains(&format!("line {line_no}")), "{line}");
    assert!(slave.lab.running(slave.agent), "{}", slave.log.dump());
    // The summary interval it ran with stays: summaries and samples go on.
    slave.wait_after(at, "2 summaries and 16 samples", |l| {
        summaries_in(l) >= 2 && samples_in(l) >= 16
    });
    slave.assert_locked_throughout();
    // And the next good file is taken.
    let (_, line) = slave.reload(&slave_conf(-2));
    assert!(
        line.contains("reloaded: slave.conf: summary_interval changed in place"),
        "{line}"
    );
    assert!(slave.lab.running(slave.agent));
}

#[test]
fn sighup_takes_runtime_options_in_place_and_survives_a_broken_file() {
    if !prerequisites("sighup_takes_runtime_options_in_place_and_survives_a_broken_file") {
        return;
    }
    let mut slave = Slave::start("hup");
    summary_interval_in_place(&mut slave);
    syntax_error_changes_nothing(&mut slave);
    slave.assert_locked_throughout();
}

//! SIGHUP in network namespaces: Debian's ptp4l (3.1.1) is the grandmaster on
//! `CLOCK_REALTIME`, an agent slave steers a virtual clock (UDPv4, E2E, software time
//! stamps), and its configuration file is changed under it and SIGHUP sent. Through every
//! case the slave stays locked: s2 samples throughout, no state change of its slave port, a
//! true error that stays sane.
//!
//! - a new `priority2` and `summary_interval` are taken in place: `pmc` reads the new
//!   priority2 over the management socket, and the summary lines show the new interval;
//! - a second interface added to the file opens as port 2 beside the first, and goes again
//!   when it is taken out;
//! - a file with a syntax error changes nothing: the error is logged with its line, the
//!   agent goes on as it was and still takes the next good file;
//! - fifty reloads in a row, each applied in place: the time from the signal to the line
//!   saying it was applied, and the true error against its steady state before the
//!   reloads, are printed for the record (the assertions are on lock and sanity, not on
//!   timing).
//!
//! Each case is a function on a locked [`Slave`].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{prerequisites_and, Lab, Log, Prerequisite, AGENT};

/// Long enough for announce timeouts, BMCA and a first lock on a loaded 2-core machine.
const LOCK: Duration = Duration::from_secs(60);

/// As in `netns_interop.rs`: quick intervals, software-stamp friendly timeouts.
const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      fault_reset_interval 0\n";

/// A software-stamped veth path: offsets and true errors are microseconds at worst.
const SANE: f64 = 100_000.0;

/// The slave's configuration with `summary_interval` (-2 prints every sample at info, 1
/// summarises eight samples in a line), `more` global options and `sections` after them.
fn slave_conf(summary_interval: i8, more: &str, sections: &str) -> String {
    format!("[global]\nslaveOnly 1\n{COMMON}summary_interval {summary_interval}\n{more}{sections}")
}

/// The second interface of the slave's namespace, which no PTP program uses until a reload
/// adds it.
const SECOND: &str = "eth-sl2";

/// An agent slave, locked to a ptp4l grandmaster, whose configuration file can be changed.
struct Slave {
    lab: Lab,
    log: Log,
    /// The agent's configuration file.
    conf: String,
    /// The agent's index among the lab's processes.
    agent: usize,
    /// Its namespace and management socket.
    ns: String,
    uds: String,
    /// When its port became SLAVE.
    locked: Duration,
}

impl Slave {
    fn start(tag: &str) -> Self {
        let mut lab = Lab::new(tag);
        let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
        lab.link(&gm_ns, "eth-gm2", &sl_ns, SECOND);
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
        let conf = lab.file("slave.conf", &slave_conf(-2, "", ""));
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
            ns: sl_ns,
            uds,
            locked,
        }
    }

    /// Writes `text` as the configuration file, sends SIGHUP and waits for the agent's line
    /// about the reload; returns it and when it was printed.
    fn reload(&mut self, text: &str) -> (Duration, String) {
        self.reload_timed(text).1
    }

    /// [`Slave::reload`], also returning when the signal was sent (on the log's clock).
    fn reload_timed(&mut self, text: &str) -> (Duration, (Duration, String)) {
        let before = self.log.lines().len();
        std::fs::write(&self.conf, text).unwrap();
        let sent = self.lab.start.elapsed();
        self.lab.signal(self.agent, "HUP");
        let line = self
            .log
            .wait_until(LOCK, |lines| {
                lines
                    .iter()
                    .skip(before)
                    .find(|(_, l)| l.contains("reload"))
                    .cloned()
            })
            .unwrap_or_else(|| panic!("no reload line\n{}", self.log.dump()));
        (sent, line)
    }

    /// Asks the agent `command` with Debian's pmc over its management socket; returns
    /// pmc's lines once the answer came.
    fn pmc(&mut self, command: &str) -> Vec<String> {
        let args = ["-u", "-s", &self.uds, "-b", "0", command];
        let pmc = self.lab.spawn("pmc", &self.ns, "pmc", &args);
        pmc.wait_until(Duration::from_secs(20), |lines| {
            lines
                .iter()
                .any(|(_, l)| l.contains(" RESPONSE "))
                .then_some(())
        })
        .unwrap_or_else(|| panic!("no answer to {command}\n{}", pmc.dump()));
        // The body follows the RESPONSE line; wait for pmc to finish printing it.
        let _ = pmc.wait_until(Duration::from_secs(2), |lines| {
            (lines.len() >= 3).then_some(())
        });
        pmc.lines().into_iter().map(|(_, l)| l).collect()
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

/// `priority2` and `summary_interval` (from -2 to 1) in one reload: both taken in place,
/// the slave stays locked, pmc reads the new priority2.
fn priority2_and_summary_interval_in_place(slave: &mut Slave) {
    // Before: every sample is its own summary, so there are no summary lines.
    assert!(samples_in(&slave.log.lines()) >= 8);
    assert_eq!(summaries_in(&slave.log.lines()), 0, "{}", slave.log.dump());
    let before = slave.pmc("GET PRIORITY2");
    assert!(
        before.iter().any(|l| l.contains("priority2 128")),
        "{before:?}"
    );
    let (at, line) = slave.reload(&slave_conf(1, "priority2 99\n", ""));
    assert!(
        line.contains(
            "reloaded: slave.conf: in place: priority2; summary_interval changed in place"
        ),
        "{line}"
    );
    let after = slave.pmc("GET PRIORITY2");
    assert!(
        after.iter().any(|l| l.contains("priority2 99")),
        "{after:?}"
    );
    // After: a summary line every eight samples, and the samples go on.
    slave.wait_after(at, "2 summaries and 16 samples", |l| {
        summaries_in(l) >= 2 && samples_in(l) >= 16
    });
    slave.assert_locked_throughout();
}

/// A second interface in the file opens as port 2 (slaveOnly: it listens); the first keeps
/// its lock; taking it out of the file closes it again.
fn second_interface_comes_and_goes(slave: &mut Slave) {
    let with = slave_conf(1, "priority2 99\n", &format!("[{SECOND}]\n"));
    let (at, line) = slave.reload(&with);
    assert!(
        line.contains(&format!("reloaded: slave.conf: added port 2 ({SECOND})")),
        "{line}"
    );
    // The port's first line comes with the reload's, at the same moment.
    let listening =
        |l: &(Duration, String)| l.1.contains("port 2:") && l.1.contains("to LISTENING");
    slave.wait_after(at, "16 samples", |l| samples_in(l) >= 16);
    assert!(
        slave.log.lines().iter().any(listening),
        "{}",
        slave.log.dump()
    );
    slave.assert_locked_throughout();
    let (at, line) = slave.reload(&slave_conf(1, "priority2 99\n", ""));
    assert!(
        line.contains(&format!("reloaded: slave.conf: removed port 2 ({SECOND})")),
        "{line}"
    );
    slave.wait_after(at, "16 samples", |l| samples_in(l) >= 16);
    slave.assert_locked_throughout();
}

/// Fifty reloads, each changing priority2 in place: every one applied, the slave locked
/// throughout; the latencies and true errors are printed.
fn fifty_reloads(slave: &mut Slave, steady: &[f64], first_reload: Duration) {
    let steady_from = slave.log.lines().last().map_or(slave.locked, |(t, _)| *t);
    let mut latencies = Vec::new();
    for i in 0..50u8 {
        let priority2 = 90 + i % 2;
        let (sent, (at, line)) =
            slave.reload_timed(&slave_conf(1, &format!("priority2 {priority2}\n"), ""));
        assert!(
            line.contains("reloaded: slave.conf: in place: priority2"),
            "{line}"
        );
        latencies.push((at - sent).as_secs_f64() * 1e3);
    }
    slave.wait_after(steady_from, "16 samples after the reloads", |l| {
        samples_in(l) >= 16
    });
    slave.assert_locked_throughout();
    latencies.sort_by(f64::total_cmp);
    let during = slave.log.true_errors(first_reload);
    let worst = |e: &[f64]| e.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    eprintln!(
        "reload to applied over {} reloads: median {:.1} ms, max {:.1} ms; \
         true error |max|: steady {:.0} ns over {} samples before any reload, {:.0} ns over \
         {} samples from the first reload on",
        latencies.len(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1],
        worst(steady),
        steady.len(),
        worst(&during),
        during.len(),
    );
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
    let (_, line) = slave.reload(&slave_conf(-2, "priority2 99\n", ""));
    assert!(
        line.contains("reloaded: slave.conf: summary_interval changed in place"),
        "{line}"
    );
    assert!(slave.lab.running(slave.agent));
}

#[test]
fn sighup_applies_changes_in_place_and_survives_a_broken_file() {
    if !prerequisites_and(
        "sighup_applies_changes_in_place_and_survives_a_broken_file",
        &[Prerequisite::PMC],
    ) {
        return;
    }
    let mut slave = Slave::start("hup");
    // The steady state: 32 samples before any reload, after 16 that let the servo settle
    // from its lock.
    slave.wait_after(slave.locked, "48 samples", |l| samples_in(l) >= 48);
    let first_reload = slave.log.lines().last().map_or(slave.locked, |(t, _)| *t);
    let settled = slave.log.true_errors(slave.locked);
    let steady = settled.get(16..).unwrap_or_default().to_vec();
    priority2_and_summary_interval_in_place(&mut slave);
    second_interface_comes_and_goes(&mut slave);
    syntax_error_changes_nothing(&mut slave);
    fifty_reloads(&mut slave, &steady, first_reload);
    slave.assert_locked_throughout();
}

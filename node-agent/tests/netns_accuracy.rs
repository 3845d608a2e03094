//! Accuracy beside ptp4l, measured in one run (UDPv4, E2E, software time stamps over veth,
//! 4 Syncs per second):
//!
//! - a ptp4l grandmaster on `CLOCK_REALTIME` serves, over one veth each, an agent slave
//!   steering a virtual clock and a ptp4l slave with `free_running 1`. The agent's true error
//!   is its virtual clock minus `CLOCK_REALTIME` (the grandmaster's clock: every namespace
//!   shares it); the ptp4l slave's master offsets are the noise of the time-stamp path as
//!   ptp4l sees it. Over the last half of 60 s of lock, the standard deviation of the agent's
//!   true error must be at most half that of ptp4l's offsets (counted from `SETTLE` after its
//!   lock, as it steers nothing). The RMS is printed beside it but not held to the same
//!   bound: it also carries a constant bias (the asymmetry of software time stamps, which no
//!   filter can see, and which grows with the load of the machine), while the spread is what
//!   the servo controls.
//! - an agent grandmaster on `CLOCK_REALTIME` serves another ptp4l slave (`free_running 1`):
//!   the offsets it logs must stay within the noise of the ptp4l → ptp4l pair above (see the
//!   bounds where they are asserted).
//!
//! Only ratios of figures measured in the same run are asserted; the figures are printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{prerequisites, Lab, Log, Summary, AGENT};

const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      summary_interval -2\n";
const LOCK: Duration = Duration::from_secs(60);
const RUN: Duration = Duration::from_secs(60);
/// Time for a free-running ptp4l slave's path delay filter to fill after it locks.
const SETTLE: Duration = Duration::from_secs(8);

struct Figures {
    name: &'static str,
    /// When the slave locked (agent: SLAVE; free-running ptp4l: UNCALIBRATED, its last state).
    lock: Duration,
    offsets: Summary,
    delay: Summary,
    true_error: Option<Summary>,
}

impl Figures {
    fn of(name: &'static str, log: &Log, lock: Duration, window: (Duration, Duration)) -> Self {
        let in_window = |t: Duration| t >= window.0 && t <= window.1;
        let samples: Vec<_> = log
            .samples(window.0)
            .into_iter()
            .filter(|s| in_window(s.at))
            .collect();
        let errors: Vec<f64> = log
            .lines()
            .iter()
            .filter(|(t, _)| in_window(*t))
            .filter_map(|(_, l)| {
                l.split("virtual clock offset from CLOCK_REALTIME")
                    .nth(1)?
                    .trim()
                    .parse()
                    .ok()
            })
            .collect();
        Self {
            name,
            lock,
            offsets: Summary::of(&samples.iter().map(|s| s.offset).collect::<Vec<_>>()),
            delay: Summary::of(&samples.iter().map(|s| s.delay).collect::<Vec<_>>()),
            true_error: (!errors.is_empty()).then(|| Summary::of(&errors)),
        }
    }

    fn print(&self) {
        let o = &self.offsets;
        eprintln!(
            "| {:<34} | {:>5.1} | {:>4} | {:>7.0} | {:>7.0} | {:>7.0} | {:>7.0} | {:>6.0} ± {:>4.0} |",
            self.name,
            self.lock.as_secs_f64(),
            o.n,
            o.rms,
            o.max_abs,
            o.mean,
            o.std,
            self.delay.mean,
            self.delay.std
        );
        if let Some(e) = &self.true_error {
            eprintln!(
                "| {:<34} | {:>5} | {:>4} | {:>7.0} | {:>7.0} | {:>7.0} | {:>7.0} | {:>13} |",
                "  agent true error (vclock−REALTIME)",
                "",
                e.n,
                e.rms,
                e.max_abs,
                e.mean,
                e.std,
                ""
            );
        }
    }
}

fn spawn(
    lab: &mut Lab,
    name: &str,
    ns: &str,
    dev: &str,
    program: &str,
    conf: &str,
    extra: &[&str],
) -> Log {
    let path = lab.file(&format!("{name}.conf"), conf);
    let mut args = vec!["-f", path.as_str(), "-S", "-m", "-4", "-E", "-i", dev];
    args.extend_from_slice(extra);
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.spawn(name, ns, program, &args)
}

fn wait_line(log: &Log, text: &str) -> Duration {
    log.wait_for(text, LOCK)
}

#[test]
fn agent_beside_ptp4l_for_60_s() {
    if !prerequisites("agent_beside_ptp4l_for_60_s") {
        return;
    }
    let mut lab = Lab::new("acc");
    // The grandmaster has one veth to each slave. (A software bridge between them would
    // add microseconds of forwarding jitter, which is not what is measured here.)
    let (gm1, ag, p4) = (lab.ns("gm1"), lab.ns("ag"), lab.ns("p4"));
    lab.link(&gm1, "eth-to-ag", &ag, "eth-ag");
    lab.link(&gm1, "eth-to-p4", &p4, "eth-p4");
    let (gm2, p4b) = (lab.ns("gm2"), lab.ns("p4b"));
    lab.link(&gm2, "eth-gm2", &p4b, "eth-p4b");

    let gm_conf = format!("[global]\npriority1 127\nfree_running 1\n{COMMON}");
    let slave_conf = format!("[global]\nslaveOnly 1\n{COMMON}");
    let ptp4l_slave_conf =
        format!("[global]\nslaveOnly 1\nfree_running 1\nfreq_est_interval 0\n{COMMON}");

    let _ptp4l_gm = spawn(
        &mut lab,
        "ptp4l-gm",
        &gm1,
        "eth-to-ag",
        "ptp4l",
        &gm_conf,
        &["-i", "eth-to-p4"],
    );
    let agent = spawn(
        &mut lab,
        "agent-slave",
        &ag,
        "eth-ag",
        AGENT,
        &slave_conf,
        &["--clock", "virtual", "-l", "7"],
    );
    let reference = spawn(
        &mut lab,
        "ptp4l-slave",
        &p4,
        "eth-p4",
        "ptp4l",
        &ptp4l_slave_conf,
        &[],
    );
    let _agent_gm = spawn(
        &mut lab,
        "agent-gm",
        &gm2,
        "eth-gm2",
        AGENT,
        &gm_conf,
        &["--clock", "system"],
    );
    let under_agent = spawn(
        &mut lab,
        "ptp4l-slave-b",
        &p4b,
        "eth-p4b",
        "ptp4l",
        &ptp4l_slave_conf,
        &[],
    );

    let agent_lock = wait_line(&agent, "to SLAVE");
    let reference_lock = wait_line(&reference, "to UNCALIBRATED");
    let under_agent_lock = wait_line(&under_agent, "to UNCALIBRATED");
    // The agent: the last half of 60 s of lock. The free-running ptp4l slaves steer nothing,
    // so there is nothing to settle but their path delay filter: their offsets count from
    // SETTLE after lock, which doubles the samples (they log one per second) and with it the
    // power of the comparison of their spreads.
    let window_a = (agent_lock + RUN / 2, agent_lock + RUN);
    let free_window = |lock: Duration| (lock + SETTLE, lock + RUN);
    let window_r = free_window(reference_lock);
    let window_b = free_window(under_agent_lock);

    // The measurement runs RUN past the last lock (a duration, not a wait for a state); then
    // every log must have printed a sample after its window, so that none is cut short by a
    // process that logs late.
    let end = agent_lock.max(under_agent_lock).max(reference_lock) + RUN;
    std::thread::sleep(end.saturating_sub(lab.start.elapsed()));
    for (log, window) in [
        (&agent, window_a),
        (&reference, window_r),
        (&under_agent, window_b),
    ] {
        log.wait_until(LOCK, |_| log.samples(window.1).first().map(|_| ()))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no sample after {:?}\n{}",
                    log.name,
                    window.1,
                    log.dump()
                )
            });
    }

    let a = Figures::of("(a) agent slave, ptp4l GM", &agent, agent_lock, window_a);
    let r = Figures::of(
        "(a,b) ptp4l slave, ptp4l GM",
        &reference,
        reference_lock,
        window_r,
    );
    let b = Figures::of(
        "(b) ptp4l slave, agent GM",
        &under_agent,
        under_agent_lock,
        window_b,
    );
    // At least one sample for every two seconds of each window (each logs one a second or
    // more): a process that stalled for much of its window would make its figures luck.
    for (f, window) in [(&a, window_a), (&r, window_r), (&b, window_b)] {
        let least = (window.1 - window.0).as_secs() / 2;
        assert!(
            f.offsets.n as u64 >= least,
            "{}: {} samples in {window:?}",
            f.name,
            f.offsets.n
        );
    }
    eprintln!("\nUDPv4 E2E, software time stamps over veth, 4 Sync/s; ns; lock in s since start");
    eprintln!("| who | lock | n | offset RMS | max | mean | std | path delay |");
    for f in [&a, &r, &b] {
        f.print();
    }
    let truth = a.true_error.unwrap();
    let noise = r.offsets.std;
    eprintln!(
        "agent true-error RMS / ptp4l offset RMS = {:.3}, std / std = {:.3} (target <= 0.5); \
         ptp4l-under-agent std / ptp4l-under-ptp4l std = {:.3}",
        truth.rms / r.offsets.rms,
        truth.std / noise,
        b.offsets.std / noise
    );
    assert!(
        truth.std <= 0.5 * noise,
        "agent true error {truth:?}, ptp4l noise {noise}"
    );
    // Under the agent grandmaster the ptp4l slave's offsets stay within ptp4l's own noise: a
    // robust spread (a scheduling hiccup gives single offsets of tens of µs on either pair;
    // the maxima are printed above) of the same order, and a centre well inside it. Two
    // healthy pairs on this machine differ by up to 2.6 times in spread over 52 samples when
    // the other core is busy, as the load hits each pair's samples at other moments; a
    // grandmaster whose time stamps or corrections were wrong would give microseconds to tens
    // of microseconds. Hence the bound: three times the reference's spread, and never less
    // than 1 µs.
    let (under_agent, under_ptp4l) = (&b.offsets, &r.offsets);
    eprintln!(
        "robust spread: ptp4l under agent {:.0} ns, under ptp4l {:.0} ns",
        under_agent.robust_std, under_ptp4l.robust_std
    );
    assert!(
        under_agent.robust_std <= (3.0 * under_ptp4l.robust_std).max(1_000.0),
        "{under_agent:?} vs {under_ptp4l:?}"
    );
    // The centres carry each path's own time-stamping bias (several hundred ns either way on
    // a veth under load, for ptp4l → ptp4l too); a wrong correction or timescale would be
    // microseconds off.
    assert!(
        (under_agent.median - under_ptp4l.median).abs() <= 2_000.0,
        "{under_agent:?} vs {under_ptp4l:?}"
    );
}

//! `ptp-agent` against Debian's `ptp4l` (3.1.1) in network namespaces joined by veth, with
//! software time stamps: (a) ptp4l grandmaster → agent slave steering a virtual clock,
//! (b) agent grandmaster → ptp4l slave, (c) agent ↔ agent and a boundary clock between two
//! ptp4l, each over UDPv4, UDPv6 and L2 with E2E, and P2P over L2 and UDPv4; plus a link
//! that goes down and comes back, and SIGTERM.
//!
//! All namespaces share one `CLOCK_REALTIME`: grandmasters run on it, ptp4l slaves run with
//! `free_running 1` (they measure, never steer), agent slaves and boundary clocks steer a
//! virtual clock, whose reading minus `CLOCK_REALTIME` is their true error. No test touches
//! the host's clock.
//!
//! The accuracy comparison (one 60 s run, agent beside ptp4l on the same grandmaster) is in
//! `netns_accuracy.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{for_each_net, prerequisites, prerequisites_and, Lab, Log, Net, Prerequisite, AGENT};

/// Long enough for announce timeouts, BMCA and a first lock on a loaded 2-core machine.
const LOCK: Duration = Duration::from_secs(60);

/// ptp4l 3.1.1's `tx_timestamp_timeout` default (1 ms) is too short for software stamps on a
/// loaded machine; 10 ms as upstream. One Announce per second and four Syncs keep it quick;
/// `summary_interval -2` keeps per-sample lines (one summary per Sync interval).
const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      logMinPdelayReqInterval -1\nfault_reset_interval 0\nsummary_interval -2\n";

/// A grandmaster that wins the BMCA. On the agent, `free_running 1` only guards the host's
/// clock should a test go wrong (a grandmaster steers nothing).
fn gm_conf() -> String {
    format!("[global]\npriority1 127\nfree_running 1\n{COMMON}")
}

/// A ptp4l slave that measures and never steers, printing every sample.
fn ptp4l_slave_conf() -> String {
    format!("[global]\nslaveOnly 1\nfree_running 1\nfreq_est_interval 0\n{COMMON}")
}

/// An agent that follows (slave or boundary clock) on a virtual clock.
fn agent_follower_conf(slave_only: bool) -> String {
    let slave = if slave_only { "slaveOnly 1\n" } else { "" };
    format!("[global]\n{slave}{COMMON}")
}

fn ptp4l(lab: &mut Lab, name: &str, ns: &str, devs: &[&str], conf: &str, net: Net) -> Log {
    let path = lab.file(&format!("{name}.conf"), conf);
    let mut args = vec!["-f", path.as_str(), "-S", "-m"];
    args.extend(net.flags());
    for d in devs {
        args.extend(["-i", d]);
    }
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.spawn(name, ns, "ptp4l", &args)
}

fn agent(
    lab: &mut Lab,
    name: &str,
    ns: &str,
    devs: &[&str],
    conf: &str,
    net: Net,
    clock: &str,
) -> Log {
    let path = lab.file(&format!("{name}.conf"), conf);
    let mut args = vec![
        "-f".to_owned(),
        path,
        "-S".into(),
        "-m".into(),
        "-l".into(),
        "7".into(),
        "--clock".into(),
        clock.into(),
    ];
    args.extend(net.flags().iter().map(|s| (*s).to_owned()));
    for d in devs {
        args.extend(["-i".to_owned(), (*d).to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.spawn(name, ns, AGENT, &args)
}

/// Waits for `n` samples after `from` and returns them.
fn samples(log: &Log, from: Duration, n: usize) -> Vec<support::Sample> {
    log.wait_until(LOCK, |_| {
        let s = log.samples(from);
        (s.len() >= n).then_some(s)
    })
    .unwrap_or_else(|| panic!("{}: fewer than {n} samples\n{}", log.name, log.dump()))
}

/// A software-stamped veth path: offsets and delays are microseconds at worst. Anything
/// beyond is a wrong time stamp or timescale, not noise.
const SANE: f64 = 100_000.0;

/// The slave side locked onto the grandmaster: s2 samples with sane offsets, and a sane
/// true error of its virtual clock.
fn assert_agent_locked(slave: &Log, gm_identity: &str) {
    let locked = slave.wait_for("to SLAVE", LOCK);
    let s = samples(slave, locked, 4);
    assert!(
        s.iter()
            .all(|s| s.state >= 2 && s.offset.abs() < SANE && s.delay.abs() < SANE),
        "{s:?}\n{}",
        slave.dump()
    );
    assert_eq!(slave.selected_master().as_deref(), Some(gm_identity));
    let errors = slave.true_errors(locked);
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|e| e.abs() < SANE), "{errors:?}");
}

/// The ptp4l slave follows the grandmaster. With `free_running 1` ptp4l 3.1.1 never leaves
/// UNCALIBRATED (its free-running path always reports servo state s0), so that is the state
/// to reach; its offsets must be sane.
fn assert_ptp4l_follows(slave: &Log, gm_identity: &str) {
    let at = slave.wait_for("to UNCALIBRATED on RS_SLAVE", LOCK);
    let s = samples(slave, at, 5);
    // The first sample of a free-running ptp4l has no path delay yet.
    assert!(
        s.iter()
            .skip(1)
            .all(|s| s.offset.abs() < SANE && s.delay > 0.0 && s.delay < SANE),
        "{s:?}\n{}",
        slave.dump()
    );
    assert_eq!(slave.selected_master().as_deref(), Some(gm_identity));
}

/// Waits for port `port` to enter `state`.
fn wait_state(log: &Log, port: u16, state: &str) {
    let (prefix, suffix) = (format!("port {port}: "), format!(" to {state} on "));
    log.wait_until(LOCK, |lines| {
        lines
            .iter()
            .find(|(_, l)| l.contains(&prefix) && l.contains(&suffix))
            .map(|_| ())
    })
    .unwrap_or_else(|| panic!("{}: port {port} never {state}\n{}", log.name, log.dump()));
}

fn gm_identity(gm: &Log) -> String {
    gm.wait_until(LOCK, |_| gm.own_identity())
        .unwrap_or_else(|| panic!("{}: never grandmaster\n{}", gm.name, gm.dump()))
}

/// (a) ptp4l grandmaster → agent slave on a virtual clock.
#[test]
fn ptp4l_grandmaster_agent_slave() {
    if !prerequisites("ptp4l_grandmaster_agent_slave") {
        return;
    }
    for_each_net(|net| {
        let mut lab = Lab::new(&format!("a{}", net.name));
        let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
        let gm = ptp4l(&mut lab, "ptp4l-gm", &gm_ns, &["eth-gm"], &gm_conf(), net);
        let conf = agent_follower_conf(true);
        let sl = agent(
            &mut lab,
            "agent-slave",
            &sl_ns,
            &["eth-sl"],
            &conf,
            net,
            "virtual",
        );
        assert_agent_locked(&sl, &gm_identity(&gm));
    });
}

/// (b) agent grandmaster on CLOCK_REALTIME → ptp4l slave.
#[test]
fn agent_grandmaster_ptp4l_slave() {
    if !prerequisites("agent_grandmaster_ptp4l_slave") {
        return;
    }
    for_each_net(|net| {
        let mut lab = Lab::new(&format!("b{}", net.name));
        let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
        let gm = agent(
            &mut lab,
            "agent-gm",
            &gm_ns,
            &["eth-gm"],
            &gm_conf(),
            net,
            "system",
        );
        let sl = ptp4l(
            &mut lab,
            "ptp4l-slave",
            &sl_ns,
            &["eth-sl"],
            &ptp4l_slave_conf(),
            net,
        );
        assert_ptp4l_follows(&sl, &gm_identity(&gm));
        wait_state(&gm, 1, "MASTER");
    });
}

/// G.8275.1 sends every message to the non-forwardable 01:80:C2:00:00:0E (`ptp_dst_mac`):
/// an agent grandmaster so configured serves a ptp4l slave so configured, and what it sends
/// on the wire goes to that address, not to the default 01:1B:19:00:00:00.
#[test]
fn agent_grandmaster_uses_the_configured_l2_destination() {
    if !prerequisites_and(
        "agent_grandmaster_uses_the_configured_l2_destination",
        &[Prerequisite::TSHARK],
    ) {
        return;
    }
    const NON_FORWARDABLE: &str = "01:80:c2:00:00:0e";
    let net = Net {
        name: "l2nf",
        transport: "-2",
        mechanism: "-E",
    };
    let mut lab = Lab::new("g82751");
    let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
    lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
    let dst = format!("ptp_dst_mac {NON_FORWARDABLE}\n");
    let gm = agent(
        &mut lab,
        "agent-gm",
        &gm_ns,
        &["eth-gm"],
        &format!("{}{dst}", gm_conf()),
        net,
        "system",
    );
    let sl = ptp4l(
        &mut lab,
        "ptp4l-slave",
        &sl_ns,
        &["eth-sl"],
        &format!("{}{dst}", ptp4l_slave_conf()),
        net,
    );
    assert_ptp4l_follows(&sl, &gm_identity(&gm));
    // Three seconds of what reaches the slave's side: every PTP frame the grandmaster sends
    // goes to the configured group.
    let capture = lab.spawn(
        "tshark",
        &sl_ns,
        "tshark",
        &[
            "-i",
            "eth-sl",
            "-a",
            "duration:3",
            "-f",
            "ether proto 0x88f7 and inbound",
            "-T",
            "fields",
            "-e",
            "eth.dst",
            "-e",
            "eth.src",
        ],
    );
    // tshark reports the count on stderr and the frames on stdout: wait for both.
    let frames = capture
        .wait_until(LOCK, |lines| {
            let count: usize = lines.iter().find_map(|(_, l)| {
                match l.split_whitespace().collect::<Vec<_>>().as_slice() {
                    [n, "packets", "captured", ..] => n.parse().ok(),
                    _ => None,
                }
            })?;
            let frames: Vec<String> = lines
                .iter()
                .filter(|(_, l)| l.contains('\t'))
                .map(|(_, l)| l.clone())
                .collect();
            (frames.len() == count).then_some(frames)
        })
        .unwrap_or_else(|| panic!("tshark ended without its frames\n{}", capture.dump()));
    assert!(frames.len() >= 4, "{}", capture.dump());
    assert!(
        frames.iter().all(|l| l.starts_with(NON_FORWARDABLE)),
        "{}",
        capture.dump()
    );
}

/// (c) agent grandmaster → agent slave.
#[test]
fn agent_grandmaster_agent_slave() {
    if !prerequisites("agent_grandmaster_agent_slave") {
        return;
    }
    for_each_net(|net| {
        let mut lab = Lab::new(&format!("c{}", net.name));
        let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
        let gm = agent(
            &mut lab,
            "agent-gm",
            &gm_ns,
            &["eth-gm"],
            &gm_conf(),
            net,
            "system",
        );
        let conf = agent_follower_conf(true);
        let sl = agent(
            &mut lab,
            "agent-slave",
            &sl_ns,
            &["eth-sl"],
            &conf,
            net,
            "virtual",
        );
        assert_agent_locked(&sl, &gm_identity(&gm));
    });
}

/// (c) ptp4l grandmaster → agent boundary clock (virtual clock) → ptp4l slave: the slave
/// follows the grandmaster through the agent, whose upstream port is SLAVE and downstream
/// port MASTER.
#[test]
fn agent_boundary_clock_between_ptp4l() {
    if !prerequisites("agent_boundary_clock_between_ptp4l") {
        return;
    }
    for_each_net(|net| {
        let mut lab = Lab::new(&format!("d{}", net.name));
        let (gm_ns, bc_ns, sl_ns) = (lab.ns("gm"), lab.ns("bc"), lab.ns("sl"));
        lab.link(&gm_ns, "eth-gm", &bc_ns, "eth-up");
        lab.link(&bc_ns, "eth-down", &sl_ns, "eth-sl");
        let gm = ptp4l(&mut lab, "ptp4l-gm", &gm_ns, &["eth-gm"], &gm_conf(), net);
        let conf = agent_follower_conf(false);
        let bc = agent(
            &mut lab,
            "agent-bc",
            &bc_ns,
            &["eth-up", "eth-down"],
            &conf,
            net,
            "virtual",
        );
        let sl = ptp4l(
            &mut lab,
            "ptp4l-slave",
            &sl_ns,
            &["eth-sl"],
            &ptp4l_slave_conf(),
            net,
        );
        let gm_id = gm_identity(&gm);
        assert_agent_locked(&bc, &gm_id);
        wait_state(&bc, 2, "MASTER");
        assert_ptp4l_follows(&sl, &gm_id);
    });
}

/// A link that goes down and comes back: the agent faults the port, re-opens its sockets
/// after fault_reset_interval and locks again without a restart; SIGTERM then ends it
/// cleanly.
#[test]
fn link_down_and_up_recovers_and_sigterm_exits() {
    if !prerequisites("link_down_and_up_recovers") {
        return;
    }
    let net = support::NETS[0];
    let mut lab = Lab::new("link");
    let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
    lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
    let gm = ptp4l(&mut lab, "ptp4l-gm", &gm_ns, &["eth-gm"], &gm_conf(), net);
    let conf = agent_follower_conf(true);
    let sl = agent(
        &mut lab,
        "agent-slave",
        &sl_ns,
        &["eth-sl"],
        &conf,
        net,
        "virtual",
    );
    let gm_id = gm_identity(&gm);
    assert_agent_locked(&sl, &gm_id);

    lab.ip(&sl_ns, &["link", "set", "eth-sl", "down"]);
    let faulty = sl.wait_for("to FAULTY", LOCK);
    lab.ip(&sl_ns, &["link", "set", "eth-sl", "up"]);
    let relocked = sl
        .wait_until(LOCK, |lines| {
            lines
                .iter()
                .find(|(t, l)| *t > faulty && l.contains("to SLAVE"))
                .map(|(t, _)| *t)
        })
        .unwrap_or_else(|| panic!("no relock\n{}", sl.dump()));
    let after = samples(&sl, relocked, 3);
    assert!(after.iter().all(|s| s.offset.abs() < SANE), "{after:?}");

    let status = lab.terminate(1);
    assert!(status.success(), "{status:?}\n{}", sl.dump());
    sl.wait_for("shutting down", Duration::from_secs(5));
}

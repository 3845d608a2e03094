//! The agent's Prometheus endpoint end to end: a ptp4l grandmaster (clockClass 6) and an
//! agent slave on a virtual clock in network namespaces joined by veth (UDPv4, E2E, software
//! time stamps). `/metrics` is served on 127.0.0.1 inside the slave's namespace and fetched
//! there with `ip netns exec … curl`, since the test process is not in the namespace.
//!
//! After the lock, the series say what the slave's log says: the slave interface is LOCKED
//! and in the SLAVE role, offsets and delays are sane, and the clock class is the
//! grandmaster's. A metrics address that cannot be bound is logged and time
//! synchronisation goes on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;
use std::time::Duration;

use support::{prerequisites, prerequisites_and, Lab, Log, Prerequisite, AGENT};

/// Long enough for announce timeouts, BMCA and a first lock on a loaded 2-core machine.
const LOCK: Duration = Duration::from_secs(60);

/// As in `netns_interop.rs`: quick intervals, software-stamp friendly timeouts.
const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      fault_reset_interval 0\nsummary_interval -2\n";

/// A software-stamped veth path: offsets and delays are microseconds at worst.
const SANE: f64 = 100_000.0;

/// The grandmaster's clockClass, distinct from the defaults (248, and 255 for slave-only).
const GM_CLASS: f64 = 6.0;

/// A grandmaster pair: ptp4l on CLOCK_REALTIME in `gm`, the namespace `sl` for the agent,
/// joined by `eth-gm` — `eth-sl`.
fn grandmaster(lab: &mut Lab) -> String {
    let (gm_ns, sl_ns) = (lab.ns("gm"), lab.ns("sl"));
    lab.link(&gm_ns, "eth-gm", &sl_ns, "eth-sl");
    let conf = lab.file(
        "gm.conf",
        &format!("[global]\npriority1 127\nclockClass 6\nfree_running 1\n{COMMON}"),
    );
    lab.spawn(
        "ptp4l-gm",
        &gm_ns,
        "ptp4l",
        &["-f", &conf, "-S", "-m", "-4", "-E", "-i", "eth-gm"],
    );
    sl_ns
}

/// An agent slave in `ns` on a virtual clock, with `metrics` as its extra flags.
fn slave(lab: &mut Lab, ns: &str, metrics: &[&str]) -> Log {
    let conf = lab.file("slave.conf", &format!("[global]\nslaveOnly 1\n{COMMON}"));
    let mut args = vec![
        "-f", &conf, "-S", "-m", "-4", "-E", "-i", "eth-sl", "--clock", "virtual",
    ];
    args.extend_from_slice(metrics);
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.spawn("agent-slave", ns, AGENT, &args)
}

/// `GET http://address/metrics` from inside `ns`; `None` when nothing answers.
fn scrape(ns: &str, address: &str) -> Option<String> {
    get(ns, address, "/metrics")
}

/// `GET http://address{path}` from inside `ns`; `None` unless it answers 2xx.
fn get(ns: &str, address: &str, path: &str) -> Option<String> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "curl", "-sf", "--max-time", "5"])
        .arg(format!("http://{address}{path}"))
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The value of the series `name{labels}` (labels in the order the agent writes them).
fn value(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .map(|v| v.trim().parse().unwrap())
}

const NODE: &str = "metrics-test-node";

#[test]
fn metrics_follow_the_slave() {
    if !prerequisites_and("metrics_follow_the_slave", &[Prerequisite::CURL]) {
        return;
    }
    let mut lab = Lab::new("mx");
    let ns = grandmaster(&mut lab);
    let address = "127.0.0.1:9091";
    let sl = slave(
        &mut lab,
        &ns,
        &["--metrics-address", address, "--node-name", NODE],
    );
    sl.wait_for("to SLAVE", LOCK);
    let iface = format!(r#"process="ptp4l",node="{NODE}",iface="eth-sl""#);
    let master = format!(r#"from="master",{iface}"#);
    // Locked: the last sample came from a servo in s2 or s3.
    let text = sl
        .wait_until(LOCK, |_| {
            scrape(&ns, address).filter(|t| {
                value(t, "openshift_ptp_clock_state", &iface) == Some(1.0)
                    && value(t, "openshift_ptp_max_offset_ns", &master).is_some()
            })
        })
        .unwrap_or_else(|| {
            panic!(
                "never LOCKED in the metrics: {:?}\n{}",
                scrape(&ns, address),
                sl.dump()
            )
        });
    eprintln!("{text}");
    // The probes on the same port: alive, and ready with the configuration applied.
    assert_eq!(get(&ns, address, "/healthz").as_deref(), Some("ok\n"));
    assert_eq!(get(&ns, address, "/readyz").as_deref(), Some("ok\n"));
    assert_eq!(get(&ns, address, "/nothing-here"), None);
    assert_eq!(
        value(&text, "openshift_ptp_interface_role", &iface),
        Some(1.0),
        "{text}"
    );
    let offset = value(&text, "openshift_ptp_offset_ns", &master).unwrap();
    let max = value(&text, "openshift_ptp_max_offset_ns", &master).unwrap();
    let delay = value(&text, "openshift_ptp_delay_ns", &master).unwrap();
    assert!(offset.abs() < SANE && max.abs() < SANE, "{text}");
    assert!(max >= 0.0, "{text}");
    assert!(delay > 0.0 && delay < SANE, "{text}");
    assert!(
        value(&text, "openshift_ptp_frequency_adjustment_ns", &master).is_some(),
        "{text}"
    );
    let config = format!(r#"process="ptp4l",node="{NODE}",config="slave.conf""#);
    assert_eq!(
        value(&text, "openshift_ptp_clock_class", &config),
        Some(GM_CLASS),
        "{text}"
    );
    assert_eq!(
        value(&text, "openshift_ptp_process_status", &config),
        Some(1.0)
    );
    assert_eq!(
        value(&text, "openshift_ptp_process_restart_count", &config),
        Some(1.0)
    );
    // Only the slave port has offsets.
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("openshift_ptp_offset_ns{"))
            .count(),
        1,
        "{text}"
    );
}

#[test]
fn an_unbindable_metrics_address_does_not_stop_synchronisation() {
    let test = "an_unbindable_metrics_address_does_not_stop_synchronisation";
    if !prerequisites(test) {
        return;
    }
    let mut lab = Lab::new("mxb");
    let ns = grandmaster(&mut lab);
    // TEST-NET-1: no interface in the namespace has it.
    let sl = slave(&mut lab, &ns, &["--metrics-address", "192.0.2.1:9091"]);
    sl.wait_for("no metrics: cannot bind 192.0.2.1:9091", LOCK);
    let locked = sl.wait_for("to SLAVE", LOCK);
    let samples = sl
        .wait_until(LOCK, |_| {
            let s = sl.samples(locked);
            (s.len() >= 4).then_some(s)
        })
        .unwrap_or_else(|| panic!("fewer than 4 samples\n{}", sl.dump()));
    assert!(
        samples
            .iter()
            .all(|s| s.state >= 2 && s.offset.abs() < SANE),
        "{samples:?}\n{}",
        sl.dump()
    );
}

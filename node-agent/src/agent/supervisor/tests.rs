//! The supervisor's diff on a host of in-memory ports: what is left alone, started, stopped,
//! changed in place and restarted, seen through the instances' identities, the ports'
//! openings, the management sockets and the registry; and the reload path of SIGHUP.

use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::channel;

use super::*;
use crate::agent::metrics::testing::{text, value};
use crate::agent::setup::{load, Loaded};
use crate::agent::testing::{ask, socket_path, spec, Captured, TestHost};
use crate::agent::{reload, serve, Signal};

/// The instance `name` on `iface` with its management socket in the test's directory, its
/// configuration file `text`.
fn instance(name: &str, iface: &str, text: &str) -> InstanceSpec {
    let uds = socket_path(name);
    spec(name, &["-i", iface, "-S", "--uds_address", &uds], text)
}

fn supervisor(config_label: ConfigLabel) -> (Supervisor<TestHost>, TestHost) {
    let host = TestHost::new();
    let hub = MetricsHub::new(config_label);
    (Supervisor::new(host.clone(), hub, None), host)
}

fn role_labels(iface: &str, config: &str) -> String {
    format!(r#"process="ptp4l",node="node-a",iface="{iface}",config="{config}""#)
}

fn status_labels(config: &str) -> String {
    format!(r#"process="ptp4l",node="node-a",config="{config}""#)
}

#[tokio::test]
async fn an_unchanged_instance_is_left_alone_a_changed_one_follows_in_place_and_a_new_clock_restarts_it(
) {
    let (mut sup, host) = supervisor(ConfigLabel::PerProcess);
    let a = instance("ua", "ptpx0", "[global]\npriority2 128\n");
    let applied = sup.apply(vec![a.clone()]).await.unwrap();
    assert_eq!(applied.started, ["ua"]);
    let first = sup.instance_id("ua").unwrap();
    assert_eq!(host.ports.opened("ptpx0"), 1);
    // The same spec again: the same start of the instance, nothing reopened.
    let applied = sup.apply(vec![a.clone()]).await.unwrap();
    assert_eq!(applied.unchanged, ["ua"]);
    assert!(applied.started.is_empty() && applied.restarted.is_empty());
    assert_eq!(sup.instance_id("ua"), Some(first));
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    // It still answers.
    let uds = socket_path("ua");
    assert!(ask(&uds, "GET PRIORITY2").await.contains("priority2 128"));
    // An engine setting changes: the running instance takes it in place, nothing reopens.
    let changed = instance("ua", "ptpx0", "[global]\npriority2 99\n");
    let applied = sup.apply(vec![changed.clone()]).await.unwrap();
    assert_eq!(applied.to_string(), "ua: in place: priority2");
    assert_eq!(sup.instance_id("ua"), Some(first));
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    assert_eq!(sup.spec("ua"), Some(&changed));
    assert!(ask(&uds, "GET PRIORITY2").await.contains("priority2 99"));
    // A second interface opens beside the first, which is left alone; a transport change
    // restarts that port only.
    let args = ["-i", "ptpx0", "-i", "ptpx1", "-S", "--uds_address", &uds];
    let two = spec(
        "ua",
        &args,
        "[global]\npriority2 99\n[ptpx1]\nnetwork_transport UDPv6\n",
    );
    let applied = sup.apply(vec![two]).await.unwrap();
    assert_eq!(applied.to_string(), "ua: added port 2 (ptpx1)");
    let two_v4 = spec("ua", &args, "[global]\npriority2 99\n");
    let applied = sup.apply(vec![two_v4]).await.unwrap();
    assert_eq!(
        applied.to_string(),
        "ua: restarted port 2 (ptpx1) for network_transport"
    );
    assert_eq!(sup.instance_id("ua"), Some(first));
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    assert_eq!(
        (host.ports.opened("ptpx1"), host.ports.closed("ptpx1")),
        (2, 1)
    );
    // Another first interface is another clock: the instance restarts.
    let other = instance("ua", "ptpx2", "[global]\npriority2 99\n");
    let applied = sup.apply(vec![other.clone()]).await.unwrap();
    assert_eq!(applied.restarted, ["ua"]);
    assert_ne!(sup.instance_id("ua"), Some(first));
    assert_eq!(
        (host.ports.closed("ptpx0"), host.ports.closed("ptpx1")),
        (1, 2)
    );
    assert_eq!(host.ports.opened("ptpx2"), 1);
    assert_eq!(sup.spec("ua"), Some(&other));
    sup.shutdown().await;
    assert_eq!(host.ports.closed("ptpx2"), 1);
    assert!(!Path::new(&uds).exists());
}

#[tokio::test]
async fn added_instances_start_and_removed_ones_stop_with_their_sockets_and_series() {
    let (mut sup, host) = supervisor(ConfigLabel::EverySeries);
    let a = instance("da", "ptpx0", "");
    let b = instance("db", "ptpx1", "");
    let applied = sup.apply(vec![a.clone()]).await.unwrap();
    assert_eq!(applied.started, ["da"]);
    let a_id = sup.instance_id("da").unwrap();
    let applied = sup.apply(vec![a.clone(), b.clone()]).await.unwrap();
    assert_eq!(
        (applied.unchanged, applied.started),
        (vec!["da".into()], vec!["db".into()])
    );
    assert_eq!(sup.instance_id("da"), Some(a_id));
    assert_eq!(host.ports.opened("ptpx1"), 1);
    let t = text(sup.hub());
    for (iface, config) in [("ptpx0", "da"), ("ptpx1", "db")] {
        let role = role_labels(iface, config);
        assert!(
            value(&t, "openshift_ptp_interface_role", &role).is_some(),
            "{t}"
        );
        let status = status_labels(config);
        assert_eq!(
            value(&t, "openshift_ptp_process_status", &status),
            Some(1.0),
            "{t}"
        );
    }
    assert!(Path::new(&socket_path("db")).exists());
    assert!(ask(&socket_path("db"), "GET PRIORITY1")
        .await
        .contains("priority1"));
    // b goes: its port and socket close, its series go; a is left as it was.
    let applied = sup.apply(vec![a.clone()]).await.unwrap();
    assert_eq!(
        (applied.unchanged, applied.stopped),
        (vec!["da".into()], vec!["db".into()])
    );
    assert_eq!(host.ports.closed("ptpx1"), 1);
    assert!(!host.ports.is_open("ptpx1"));
    assert!(!Path::new(&socket_path("db")).exists());
    let t = text(sup.hub());
    assert!(!t.contains(r#"config="db""#), "{t}");
    assert!(value(
        &t,
        "openshift_ptp_interface_role",
        &role_labels("ptpx0", "da")
    )
    .is_some());
    assert_eq!(sup.instance_id("da"), Some(a_id));
    assert_eq!(host.ports.closed("ptpx0"), 0);
    assert!(ask(&socket_path("da"), "GET PRIORITY1")
        .await
        .contains("priority1"));
    sup.shutdown().await;
}

#[tokio::test]
async fn runtime_options_change_in_place() {
    let (mut sup, host) = supervisor(ConfigLabel::EverySeries);
    let a = instance("ra", "ptpx0", "[global]\nsummary_interval 0\n");
    sup.apply(vec![a]).await.unwrap();
    let id = sup.instance_id("ra").unwrap();
    // A new summary interval, management socket and config label: all the runtime's own.
    let moved = socket_path("ra-moved");
    let args = ["-i", "ptpx0", "-S", "--uds_address", moved.as_str()];
    let mut changed = spec("ra", &args, "[global]\nsummary_interval 3\n");
    let relabelled = crate::agent::metrics::SeriesLabels {
        node: "node-a".into(),
        config: "ra.v2".into(),
    };
    changed = InstanceSpec::new("ra", changed.config().clone(), None, relabelled).unwrap();
    let applied = sup.apply(vec![changed.clone()]).await.unwrap();
    let [(name, update)] = &applied.updated[..] else {
        panic!("{applied:?}");
    };
    assert_eq!(name, "ra");
    assert!(update.engine.is_empty(), "{update}");
    assert_eq!(
        update.options,
        ["summary_interval", "uds_address", "labels"]
    );
    assert_eq!(
        applied.to_string(),
        "ra: summary_interval, uds_address, labels changed in place"
    );
    assert_eq!(sup.instance_id("ra"), Some(id));
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    assert_eq!(sup.spec("ra"), Some(&changed));
    // The socket moved (the old file removed), and the series took the new label.
    assert!(ask(&moved, "GET PRIORITY1").await.contains("priority1"));
    assert!(!Path::new(&socket_path("ra")).exists());
    let t = text(sup.hub());
    assert!(!t.contains(r#"config="ra""#), "{t}");
    let role = role_labels("ptpx0", "ra.v2");
    assert!(
        value(&t, "openshift_ptp_interface_role", &role).is_some(),
        "{t}"
    );
    sup.shutdown().await;
}

#[tokio::test]
async fn a_restart_that_cannot_start_runs_the_previous_spec_again() {
    let (mut sup, host) = supervisor(ConfigLabel::PerProcess);
    let a = instance("fa", "ptpx0", "");
    sup.apply(vec![a.clone()]).await.unwrap();
    // The engine cannot run this servo: the new spec fails to start.
    let broken = instance("fa", "ptpx0", "[global]\nclock_servo ntpshm\n");
    let applied = sup.apply(vec![broken]).await.unwrap();
    let [(name, e)] = &applied.failed[..] else {
        panic!("{applied:?}");
    };
    assert_eq!(name, "fa");
    assert!(e.to_string().contains("clock_servo"), "{e}");
    assert_eq!(sup.spec("fa"), Some(&a));
    assert!(host.ports.is_open("ptpx0"));
    assert!(ask(&socket_path("fa"), "GET PRIORITY1")
        .await
        .contains("priority1"));
    sup.shutdown().await;
}

#[tokio::test]
async fn sets_that_cannot_run_side_by_side_are_refused_whole() {
    let (mut sup, host) = supervisor(ConfigLabel::PerProcess);
    let a = instance("sa", "ptpx0", "");
    sup.apply(vec![a.clone()]).await.unwrap();
    let id = sup.instance_id("sa");
    let b = instance("sb", "ptpx1", "");
    assert_eq!(
        sup.apply(vec![a.clone(), b.clone()]).await.unwrap_err(),
        ApplyError::TooMany(2)
    );
    let (mut shared, _) = supervisor(ConfigLabel::EverySeries);
    assert_eq!(
        shared.apply(vec![a.clone(), a.clone()]).await.unwrap_err(),
        ApplyError::DuplicateName("sa".into())
    );
    // Nothing changed; the one instance still runs, the other never opened.
    assert_eq!(sup.instance_id("sa"), id);
    assert_eq!(host.ports.opened("ptpx1"), 0);
    assert!(ask(&socket_path("sa"), "GET PRIORITY1")
        .await
        .contains("priority1"));
    sup.shutdown().await;
}

#[tokio::test]
async fn a_reload_of_a_broken_file_changes_nothing_and_says_where_it_is_broken() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (mut sup, host) = supervisor(ConfigLabel::PerProcess);
    let uds = socket_path("reload");
    let file = Arc::new(Mutex::new(format!(
        "[global]\nuds_address {uds}\nsummary_interval 0\n"
    )));
    let read_file = file.clone();
    let read = move |_: &str| Ok(read_file.lock().unwrap().clone());
    let args: Vec<String> = ["-f", "/etc/reload.conf", "-i", "ptpx0", "-S"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let load = || load(&args, None, "node-a", &read);
    let Loaded { spec, .. } = load().unwrap();
    sup.apply(vec![spec.clone()]).await.unwrap();
    let id = sup.instance_id("reload.conf");
    // Line 3 is not an option.
    *file.lock().unwrap() = format!("[global]\nuds_address {uds}\nsummary_interval 0 0 0\n");
    let line = reload(&mut sup, &load).await;
    assert!(line.contains("line 3"), "{line}");
    assert!(line.contains("running configuration is kept"), "{line}");
    assert!(captured.text().contains(&line), "{}", captured.text());
    assert_eq!(sup.instance_id("reload.conf"), id);
    assert_eq!(sup.spec("reload.conf"), Some(&spec));
    assert_eq!(host.ports.opened("ptpx0"), 1);
    assert!(ask(&uds, "GET PRIORITY1").await.contains("priority1"));
    // A good file, through the signal path: it is taken, in place.
    *file.lock().unwrap() = format!("[global]\nuds_address {uds}\nsummary_interval 2\n");
    let (signals, received) = channel(2);
    signals.send(Signal::Reload).await.unwrap();
    signals.send(Signal::Stop).await.unwrap();
    serve(&mut sup, received, &load).await;
    let expected = "reloaded: reload.conf: summary_interval changed in place";
    assert!(captured.text().contains(expected), "{}", captured.text());
    assert_eq!(sup.instance_id("reload.conf"), id);
    let summary = sup
        .spec("reload.conf")
        .unwrap()
        .runtime_options()
        .summary_interval;
    assert_eq!(summary, 2);
    assert_eq!(host.ports.opened("ptpx0"), 1);
    sup.shutdown().await;
}

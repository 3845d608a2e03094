//! Kube tier, measured: the `ptp-operator` binary as a process against a real apiserver.
//! 50 PtpConfig changes, each timed from the write to the moment every selected node's
//! NodePtpConfig holds it, and the process's resident memory idle and under those changes.
//!
//! Prints the figures; asserts only that every change arrives. `PTP_OPERATOR_BIN` picks the
//! binary (default: the one cargo built for this test, a debug build); for representative
//! numbers use a release build:
//! `cargo build --release -p operator --bin ptp-operator &&
//!  PTP_OPERATOR_BIN=target/release/ptp-operator cargo test -p operator --test kube_operator_measure -- --nocapture`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use operator::crd::{NodePtpConfig, PtpConfig};
use serde_json::json;
use support::{create_node, install_crds};

const NODES: usize = 10;
const CHANGES: u32 = 50;
const LONG: Duration = Duration::from_secs(60);

/// The operator process; killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `VmRSS` of `pid` once the process has settled after its start-up work: the same in five
/// readings 200 ms apart. Fails if it has not settled within a minute.
async fn settled_rss(pid: u32) -> u64 {
    let deadline = Instant::now() + LONG;
    let mut readings = vec![memory(pid).0];
    while readings.len() < 5 || readings.iter().any(|r| *r != readings[0]) {
        assert!(
            Instant::now() < deadline,
            "VmRSS did not settle in {LONG:?}: {readings:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        readings.push(memory(pid).0);
        if readings.len() > 5 {
            readings.remove(0);
        }
    }
    readings[0]
}

fn conf(domain: u32) -> String {
    format!("[global]\ndomainNumber {domain}\n")
}

#[tokio::test]
async fn reconcile_latency_and_memory_of_the_operator_process() {
    let Some(env) = kube_harness::test_env("op_measure").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = env.namespace.clone();
    let label = format!("ptp.example/{ns}");
    let nodes: Vec<String> = (0..NODES).map(|i| format!("{ns}-node-{i}")).collect();
    for node in &nodes {
        create_node(&env.client, node, &[&label]).await;
    }
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), &ns);
    let config: PtpConfig = serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig", "metadata": {"name": "m"},
        "spec": {"profile": [{"name": "p", "ptp4lOpts": "-2", "phc2sysOpts": "-a -r",
                              "ptp4lConf": conf(0)}],
                 "recommend": [{"profile": "p", "priority": 0, "match": [{"nodeLabel": label}]}]}
    }))
    .unwrap();
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let token = env.cluster.data_dir().join("token");
    std::fs::write(
        &kubeconfig,
        serde_json::to_string(&json!({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": env.cluster.url(),
                                                   "insecure-skip-tls-verify": true}}],
            "users": [{"name": "u", "user": {"tokenFile": token}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "x"
        }))
        .unwrap(),
    )
    .unwrap();
    let binary = std::env::var("PTP_OPERATOR_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_ptp-operator").to_owned());
    let metrics_port = {
        // A free port: bound, read, released for the operator.
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let process = Process(
        Command::new(&binary)
            .env("METRICS_ADDRESS", format!("127.0.0.1:{metrics_port}"))
            .env("KUBECONFIG", &kubeconfig)
            .env("OPERATOR_NAMESPACE", &ns)
            .env("AGENT_IMAGE", support::IMAGE)
            .env("POD_NAME", "measure")
            .env("RUST_LOG", "warn,kube_client::client::tls=error")
            .spawn()
            .unwrap(),
    );
    let pid = process.0.id();

    // Every version of every NodePtpConfig, as the agents would see them.
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), &ns);
    let mut stream = Box::pin(support::versions(node_configs));
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut wait_all = async |want: &str| {
        let deadline = Instant::now() + LONG;
        while !nodes
            .iter()
            .all(|n| seen.get(n).map(String::as_str) == Some(want))
        {
            let next = tokio::time::timeout_at(deadline.into(), stream.next()).await;
            let config = next.expect("nodes did not converge in time").unwrap();
            let text = config
                .spec
                .profiles
                .first()
                .and_then(|p| p.profile.ptp4l_conf.clone())
                .unwrap_or_default();
            seen.insert(config.name_any(), text);
        }
    };
    wait_all(&conf(0)).await;
    let idle_rss = settled_rss(pid).await;

    let mut latencies = Vec::new();
    let mut busy_rss = 0;
    for domain in 1..=CHANGES {
        let patch = json!({"spec": {"profile": [{"name": "p", "ptp4lOpts": "-2",
                                                 "phc2sysOpts": "-a -r", "ptp4lConf": conf(domain)}]}});
        let begin = Instant::now();
        configs
            .patch("m", &PatchParams::default(), &Patch::Merge(patch))
            .await
            .unwrap();
        wait_all(&conf(domain)).await;
        latencies.push(begin.elapsed());
        busy_rss = busy_rss.max(memory(pid).0);
    }
    let (_, peak) = memory(pid);
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    let max = latencies[latencies.len() - 1];
    // What it says of itself: every pass and write counted, leading, alive and ready.
    let metrics = get(metrics_port, "/metrics").await;
    let value = |name: &str| -> f64 {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no {name} in\n{metrics}"));
        line[name.len()..].trim().parse().unwrap()
    };
    assert!(
        value("ptp_operator_reconcile_runs_total") >= f64::from(CHANGES),
        "{metrics}"
    );
    assert!(
        value("ptp_operator_writes_total{kind=\"NodePtpConfig\"}")
            >= f64::from(CHANGES + 1) * NODES as f64,
        "{metrics}"
    );
    assert_eq!(value("ptp_operator_leader"), 1.0, "{metrics}");
    assert!(value("ptp_operator_nodes") as usize >= NODES, "{metrics}");
    for probe in ["/healthz", "/readyz"] {
        let answer = get(metrics_port, probe).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{probe}: {answer}");
    }
    eprintln!(
        "operator {binary}: {CHANGES} PtpConfig changes to {NODES} nodes: latency median {median:?}, \
         max {max:?}; VmRSS idle {idle_rss} KiB, under changes up to {busy_rss} KiB, VmHWM {peak} KiB"
    );
    drop(process);
}

/// The whole answer (status line, headers, body) to `GET path` on the local `port`.
async fn get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

//! System tier: the loop from the API server to the clocks and back. A real kube-apiserver
//! and etcd (the kube tier's) with RBAC enforced, the operator's controller, and three
//! simulated nodes: Node objects in the API, each node a network namespace on a shared
//! bridge running the real `ptp-agent --cluster --clock virtual` with the token of the
//! ServiceAccount the operator made for the agents (so the agents work within the shipped
//! Role). The agents steer virtual clocks, so the host's clock is untouched.
//!
//! A namespace cannot reach the host's loopback, where the API server listens: in each node's
//! namespace `socat` listens on 127.0.0.1 and carries each connection over a Unix socket to a
//! `socat` on the host that connects to the API server. No address outside the namespaces is
//! used.
//!
//! The operator is the `ptp-operator` binary with its ServiceAccount's token and the shipped
//! RBAC (`deploy/operator`); `PTP_OPERATOR_BIN` names the binary, by default the one cargo
//! built next to this test.
//!
//! Shown: upstream-style PtpConfigs (a grandmaster profile for one node label, a slave profile
//! for another) make every node lock, visible in the PtpConfigs' summaries and each node's
//! NodePtpConfig status; twenty edits of the grandmaster's priority2 apply in place while the
//! slaves stay LOCKED throughout; the API server stopped for 10 s leaves the slaves locked
//! (every sample s2) and their status is written again once it is back; after it, a node
//! relabelled to another profile follows it and no other node's object changes, an agent
//! killed and started again relocks, and deleting the slave PtpConfig stops that profile and
//! clears its status. The times, the slaves' largest offset during the edits and the
//! resident memory of the agents and the operator are printed for the record (not asserted:
//! they depend on the machine's load).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, ServiceAccount};
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::Api;
use kube_harness::access;
use operator::crd::{NodePtpConfig, NodePtpConfigStatus, PtpConfig};
use serde_json::json;
use support::{prerequisites_and, Lab, Prerequisite, AGENT};

/// The nodes: one grandmaster, two slaves.
const NODES: [(&str, &str); 3] = [
    ("node-gm", "gm"),
    ("node-s1", "slave"),
    ("node-s2", "slave"),
];
/// The prefix of the label whose presence picks a node's profile (`nodeLabel` matches a
/// label key, as upstream's does).
const ROLE: &str = "ptp.example";
/// Long enough for watches, announce timeouts, BMCA and a first lock on a loaded 2-core
/// machine running an API server, etcd and three agents.
const LOCK: Duration = Duration::from_secs(120);
/// The loopback port the agents reach the API server at, inside their namespaces.
const API_PORT: u16 = 6443;

/// Quick intervals and software-stamp friendly timeouts, as in the netns tier.
const TIMING: &str = "logAnnounceInterval 0\nlogSyncInterval -2\ntx_timestamp_timeout 10\n\
                      fault_reset_interval 0\n";

/// The PtpConfig `name` with one profile, also `name` (recommendations name profiles across
/// every PtpConfig, as upstream's do), for the nodes labelled `role`.
fn ptp_config(name: &str, role: &str, conf: &str) -> PtpConfig {
    serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig", "metadata": {"name": name},
        "spec": {
            "profile": [{"name": name, "interface": "ptp0", "ptp4lOpts": "-S",
                         "ptp4lConf": conf}],
            "recommend": [{"profile": name, "priority": 0,
                           "match": [{"nodeLabel": format!("{ROLE}/{role}")}]}]
        }
    }))
    .unwrap()
}

fn gm_conf(priority2: u8) -> String {
    format!("[global]\npriority1 100\npriority2 {priority2}\nfree_running 1\n{TIMING}")
}

/// Waits until `check` holds of the NodePtpConfig status of every node in `nodes`.
async fn all_status(
    api: &Api<NodePtpConfig>,
    nodes: &[&str],
    what: &str,
    check: impl Fn(&NodePtpConfig, &NodePtpConfigStatus) -> bool,
) {
    let deadline = Instant::now() + LOCK;
    loop {
        let mut done = true;
        let mut seen = Vec::new();
        for node in nodes {
            let object = api.get_opt(node).await.unwrap();
            let ok = object
                .as_ref()
                .and_then(|o| o.status.as_ref().map(|s| check(o, s)))
                .unwrap_or(false);
            done &= ok;
            seen.push(object);
        }
        if done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {LOCK:?}; last seen {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn locked(s: &NodePtpConfigStatus) -> bool {
    !s.profiles.is_empty()
        && s.profiles
            .iter()
            .all(|p| p.clock_state.as_deref() == Some("LOCKED"))
}

/// Every agent's log, for failure messages.
fn dump(logs: &[support::Log]) -> String {
    logs.iter()
        .map(support::Log::dump)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that every slave's status says LOCKED.
async fn assert_slaves_locked(
    api: &Api<NodePtpConfig>,
    slaves: &[&str],
    dump: &dyn Fn() -> String,
) {
    for slave in slaves {
        let s = api.get(slave).await.unwrap().status.unwrap();
        assert!(locked(&s), "{slave} left LOCKED: {s:?}\n{}", dump());
    }
}

/// The resident memory of process `pid`, in KiB.
fn resident_kib(pid: u32) -> u32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A process on the host, stopped when dropped.
struct HostProcess(Child);

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ptp_configs_applied_to_the_api_server_make_the_nodes_lock_and_edits_keep_them_locked() {
    if !prerequisites_and(
        "ptp_configs_applied_to_the_api_server_make_the_nodes_lock",
        &[Prerequisite::SOCAT, Prerequisite::PMC],
    ) {
        return;
    }
    let Some(mut cluster) =
        kube_harness::own_cluster_with("system", kube_harness::Authorization::Rbac).await
    else {
        return;
    };
    let admin = cluster.client().unwrap();
    let ns = cluster.namespace(&admin, "system").await.unwrap();
    kube_harness::wait::install_crds(
        &admin,
        operator::crd::definitions().into_iter().map(|(_, crd)| crd),
    )
    .await;

    // The operator's shipped RBAC, and a token of its ServiceAccount.
    access::install_operator_rbac(&admin, &ns).await;
    let operator_token = access::token(&admin, &ns, "ptp-operator").await;

    // The nodes, in the API and as namespaces on one bridge.
    let node_api: Api<Node> = Api::all(admin.clone());
    for (node, role) in NODES {
        let object = Node {
            metadata: ObjectMeta {
                name: Some(node.to_owned()),
                labels: Some([(format!("{ROLE}/{role}"), String::new())].into()),
                ..ObjectMeta::default()
            },
            ..Node::default()
        };
        node_api
            .create(&PostParams::default(), &object)
            .await
            .unwrap();
    }
    let mut lab = Lab::new("sys");
    let switch = lab.ns("sw");
    let net = lab.bridge(&switch, "br0");

    // The operator: the binary, as its Deployment runs it, on the host.
    let operator_log = lab.path("operator.log");
    let operator_kubeconfig = lab.file(
        "operator-kubeconfig",
        &access::kubeconfig(&cluster.url(), &operator_token, &ns),
    );
    let operator = HostProcess(
        Command::new(operator_binary())
            .env("KUBECONFIG", &operator_kubeconfig)
            .env("OPERATOR_NAMESPACE", &ns)
            .env("AGENT_IMAGE", "registry.invalid/ptp-agent:system")
            .env("POD_NAME", "operator-0")
            .env("METRICS_ADDRESS", "")
            .env("RUST_LOG", "info,kube_client::client::tls=error")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&operator_log).unwrap())
            .spawn()
            .unwrap(),
    );
    let operator_tail = || {
        let text = std::fs::read_to_string(&operator_log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "operator log (last 40 lines):\n{}",
            lines[lines.len().saturating_sub(40)..].join("\n")
        )
    };

    // The API server, reachable from each namespace's loopback.
    let api_socket = lab.path("api.sock");
    let port = cluster.url().rsplit(':').next().unwrap().to_owned();
    let _host_relay = HostProcess(
        Command::new("socat")
            .arg(format!("UNIX-LISTEN:{api_socket},fork"))
            .arg(format!("TCP:127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The agents' credentials: the operator's ServiceAccount for them.
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), &ns);
    let deadline = Instant::now() + LOCK;
    while accounts.get_opt("ptp-agent").await.unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the operator made no ServiceAccount"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let agent_token = access::token(&admin, &ns, "ptp-agent").await;
    let kubeconfig = lab.file(
        "kubeconfig",
        &access::kubeconfig(&format!("https://127.0.0.1:{API_PORT}"), &agent_token, &ns),
    );

    let configs: Api<PtpConfig> = Api::namespaced(admin.clone(), &ns);
    let begin = Instant::now();
    configs
        .create(
            &PostParams::default(),
            &ptp_config("gm", "gm", &gm_conf(128)),
        )
        .await
        .unwrap();
    // Every sample printed, for the offsets during the edits.
    let slave_conf = format!("[global]\nslaveOnly 1\nsummary_interval -2\n{TIMING}");
    configs
        .create(
            &PostParams::default(),
            &ptp_config("slave", "slave", &slave_conf),
        )
        .await
        .unwrap();
    let lab_dir = std::path::PathBuf::from(lab.path(""));
    for (node, _) in NODES {
        std::fs::create_dir_all(lab_dir.join(format!("run-{node}"))).unwrap();
    }
    let agent_args = |node: &str| -> Vec<String> {
        vec![
            format!("KUBECONFIG={kubeconfig}"),
            format!("NODE_NAME={node}"),
            format!("NAMESPACE={ns}"),
            AGENT.to_owned(),
            "--cluster".to_owned(),
            "--clock".to_owned(),
            "virtual".to_owned(),
            "--no-metrics".to_owned(),
            // Each node its own run directory, as each host has its /var/run.
            "--run-dir".to_owned(),
            lab_dir
                .join(format!("run-{node}"))
                .to_string_lossy()
                .into_owned(),
        ]
    };
    let mut logs = Vec::new();
    let mut node_namespaces = Vec::new();
    for (i, (node, _)) in NODES.iter().enumerate() {
        let node_ns = lab.ns(&format!("n{i}"));
        lab.attach(
            &switch,
            "br0",
            net,
            &node_ns,
            "ptp0",
            u8::try_from(i + 2).unwrap(),
        );
        lab.spawn(
            &format!("relay-{node}"),
            &node_ns,
            "socat",
            &[
                &format!("TCP-LISTEN:{API_PORT},bind=127.0.0.1,reuseaddr,fork"),
                &format!("UNIX-CONNECT:{api_socket}"),
            ],
        );
        let args = agent_args(node);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        logs.push(lab.spawn(&format!("agent-{node}"), &node_ns, "env", &args));
        node_namespaces.push(node_ns);
    }

    // Every node locks: the slaves LOCKED, the grandmaster serving; the summaries say so.
    let node_configs: Api<NodePtpConfig> = Api::namespaced(admin.clone(), &ns);
    let slaves = ["node-s1", "node-s2"];
    let summary_locked = |c: &PtpConfig| {
        c.status
            .as_ref()
            .and_then(|s| s.summary.as_ref())
            .map(|s| (s.nodes, s.locked))
    };
    let deadline = Instant::now() + LOCK;
    loop {
        let gm = configs.get("gm").await.unwrap();
        let slave = configs.get("slave").await.unwrap();
        if summary_locked(&gm) == Some((1, 1)) && summary_locked(&slave) == Some((2, 2)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not every node locked within {LOCK:?}: gm {:?}, slave {:?}\n{}\n{}",
            gm.status,
            slave.status,
            dump(&logs),
            operator_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let locked_in = begin.elapsed();
    all_status(&node_configs, &slaves, "slaves LOCKED", |_, s| locked(s)).await;
    // Debian's pmc reaches a profile through its socket, as it reached the daemon's ptp4l.
    let socket = lab_dir.join("run-node-s1/ptp4l.0.socket");
    let pmc = Command::new("pmc")
        .args(["-u", "-b", "0", "-s"])
        .arg(&socket)
        .arg("GET PORT_DATA_SET")
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&pmc.stdout);
    assert!(
        answer.contains("portState") && answer.contains("SLAVE"),
        "pmc -s {}: {answer}",
        socket.display()
    );

    // The slaves' offsets before any edit, after 10 s to settle from their lock.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let steady_from = lab.start.elapsed();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let worst = |from: Duration, to: Duration| {
        logs[1..]
            .iter()
            .flat_map(|log| log.samples(from))
            .filter(|s| s.at <= to)
            .map(|s| s.offset.abs())
            .fold(0.0f64, f64::max)
    };

    // Twenty edits of the grandmaster's priority2, each applied in place on its node; the
    // slaves stay LOCKED throughout (checked every 200 ms, and for 10 s after the last).
    let edits_from = lab.start.elapsed();
    let mut applied_in = Vec::new();
    for i in 0..20u8 {
        let priority2 = 90 + i;
        let edit = json!({"spec": {"profile": [{"name": "gm", "interface": "ptp0",
                                                "ptp4lOpts": "-S", "ptp4lConf": gm_conf(priority2)}]}});
        let edited = Instant::now();
        configs
            .patch("gm", &PatchParams::default(), &Patch::Merge(&edit))
            .await
            .unwrap();
        loop {
            assert_slaves_locked(&node_configs, &slaves, &|| {
                format!("{}\n{}", dump(&logs), operator_tail())
            })
            .await;
            let gm = node_configs.get("node-gm").await.unwrap();
            let conf = gm
                .spec
                .profiles
                .first()
                .and_then(|p| p.profile.ptp4l_conf.clone());
            let current =
                gm.status.as_ref().and_then(|s| s.applied_generation) == gm.metadata.generation;
            if current && conf.is_some_and(|c| c.contains(&format!("priority2 {priority2}\n"))) {
                applied_in.push(edited.elapsed());
                break;
            }
            assert!(
                edited.elapsed() < LOCK,
                "edit {i} not applied within {LOCK:?}\n{}\n{}",
                dump(&logs),
                operator_tail()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let after = Instant::now();
    while after.elapsed() < Duration::from_secs(10) {
        assert_slaves_locked(&node_configs, &slaves, &|| {
            format!("{}\n{}", dump(&logs), operator_tail())
        })
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let steady_offset = worst(steady_from, edits_from);
    let worst_offset = worst(edits_from, lab.start.elapsed());
    let rss: Vec<String> = (0..NODES.len())
        .map(|i| resident_kib(lab.pid(2 * i + 1)))
        .map(|kib| format!("{:.1} MiB", f64::from(kib) / 1024.0))
        .collect();
    let operator_rss = f64::from(resident_kib(operator.0.id())) / 1024.0;
    applied_in.sort();

    // The API server stopped for 10 s: the slaves stay locked (every sample s2) and their
    // status writes resume afterwards; the changes after it (relabel, restart, delete) show
    // the operator and the agents acting again.
    let offsets = |configs: Vec<NodePtpConfig>| -> Vec<Option<i64>> {
        configs
            .iter()
            .map(|c| {
                c.status
                    .as_ref()
                    .and_then(|s| s.profiles.first())
                    .and_then(|p| p.offset_ns)
            })
            .collect()
    };
    let mut before = Vec::new();
    for slave in slaves {
        before.push(node_configs.get(slave).await.unwrap());
    }
    let before = offsets(before);
    let outage_from = lab.start.elapsed();
    cluster.stop_apiserver();
    tokio::time::sleep(Duration::from_secs(10)).await;
    cluster.start_apiserver().await.unwrap();
    let outage_to = lab.start.elapsed();
    for log in &logs[1..3] {
        let during: Vec<_> = log
            .samples(outage_from)
            .into_iter()
            .filter(|s| s.at <= outage_to)
            .collect();
        assert!(
            !during.is_empty() && during.iter().all(|s| s.state == 2),
            "{during:?}\n{}",
            log.dump()
        );
    }
    let written_again = Instant::now();
    for (slave, before) in slaves.iter().zip(&before) {
        all_status(
            &node_configs,
            &[slave],
            "status written after the outage",
            |_, s| locked(s) && s.profiles.first().and_then(|p| p.offset_ns) != *before,
        )
        .await;
    }
    let caught_up_in = written_again.elapsed();

    // node-s2 relabelled to another slave profile: it follows, the other nodes' objects do not
    // change.
    configs
        .create(
            &PostParams::default(),
            &ptp_config("slave2", "slave2", &format!("{slave_conf}priority2 200\n")),
        )
        .await
        .unwrap();
    let generation = |c: NodePtpConfig| c.metadata.generation;
    let others = (
        generation(node_configs.get("node-gm").await.unwrap()),
        generation(node_configs.get("node-s1").await.unwrap()),
    );
    node_api
        .patch(
            "node-s2",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {
                format!("{ROLE}/slave"): null, format!("{ROLE}/slave2"): ""}}})),
        )
        .await
        .unwrap();
    all_status(
        &node_configs,
        &["node-s2"],
        "node-s2 on its new profile",
        |o, s| {
            s.applied_generation == o.metadata.generation
                && s.profiles.len() == 1
                && s.profiles[0].name == "slave2_slave2"
                && locked(s)
        },
    )
    .await;
    assert_eq!(
        (
            generation(node_configs.get("node-gm").await.unwrap()),
            generation(node_configs.get("node-s1").await.unwrap()),
        ),
        others
    );
    // An agent killed and started again relocks.
    let restarted = lab.start.elapsed();
    lab.terminate(3);
    let args = agent_args("node-s1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let again = lab.spawn("agent-node-s1-again", &node_namespaces[1], "env", &args);
    let relocked = again
        .wait_until(LOCK, |lines| {
            lines
                .iter()
                .filter(|(t, _)| *t > restarted)
                .find(|(_, l)| l.contains("master offset") && l.contains(" s2 "))
                .map(|(t, _)| *t)
        })
        .unwrap_or_else(|| panic!("the restarted agent did not relock\n{}", again.dump()));
    let relocked_in = relocked - restarted;
    logs.push(again);

    let slaves = ["node-s1"];

    // The slave PtpConfig deleted: the slaves' profiles stop and their status empties.
    configs
        .delete("slave", &DeleteParams::default())
        .await
        .unwrap();
    let deleted = Instant::now();
    all_status(&node_configs, &slaves, "slave profiles stopped", |o, s| {
        o.spec.profiles.is_empty()
            && s.profiles.is_empty()
            && s.applied_generation == o.metadata.generation
    })
    .await;
    let cleared_in = deleted.elapsed();

    eprintln!(
        "apply -> every node locked in {locked_in:?}; 20 grandmaster edits applied in {:?} \
         median, {:?} max, the slaves LOCKED throughout, their largest |offset| {worst_offset} \
         ns (10 s before the edits: {steady_offset} ns); API server away 10 s: samples s2 \
         throughout, status written again {caught_up_in:?} after it returned; a restarted \
         agent relocked in {relocked_in:?}; delete -> the slave's status cleared in \
         {cleared_in:?}; agents' resident memory {}; the operator's {operator_rss:.1} MiB",
        applied_in[applied_in.len() / 2],
        applied_in[applied_in.len() - 1],
        rss.join(", ")
    );
    drop(operator);
    drop(lab);
}

/// The `ptp-operator` binary: `PTP_OPERATOR_BIN`, or the one cargo built into this test's
/// target directory (`cargo test --workspace` builds it; alone:
/// `cargo build -p operator --bin ptp-operator`).
fn operator_binary() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("PTP_OPERATOR_BIN") {
        return path.into();
    }
    // This test runs from target/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("ptp-operator");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p operator --bin ptp-operator`, or set PTP_OPERATOR_BIN",
        path.display()
    );
    path
}

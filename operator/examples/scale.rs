//! The `ptp-operator` at scale: a measurement, not a test.
//!
//! Starts a private etcd + kube-apiserver (v1.20.2, through `kube-harness`), creates N Node
//! objects, runs the real `ptp-operator` binary against them as a process, and emulates N
//! agents writing their NodePtpConfig status at the agents' steady-state rate. Prints:
//! - how long creating the Nodes, the operator's start-up and one PtpConfig's first apply to
//!   every node took;
//! - per PtpConfig edit, the time from the PATCH to each node's NodePtpConfig holding it;
//! - how far the PtpConfig's `status.summary` lags behind the nodes' own status;
//! - the operator's memory and CPU, and the API writes per node per minute in steady state
//!   (the generator's and, from the API server's `/metrics`, everyone's);
//! - the API server's and etcd's CPU over the same window.
//!
//! It asserts nothing but that what it waits for arrives, and fails with an error saying what
//! did not.
//!
//! Run (the binaries of `scripts/kube/build-apiserver.sh` and a release operator):
//! ```text
//! cargo build --release -p operator --bin ptp-operator --example scale
//! PTP_KUBE_APISERVER=/var/cache/ptp-rs/kube/v1.20.2/kube-apiserver PTP_ETCD=/usr/bin/etcd \
//!   cargo run --release -p operator --example scale -- \
//!   [--nodes 5000] [--changes 5] [--status-period 10] [--steady 60]
//! ```
//! `--help` lists the other options.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, ensure, Context as _, Result};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Node;
use kube::api::{ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client, ResourceExt};
use operator::crd::{
    NodePtpConfig, NodePtpConfigStatus, NodePtpDevice, PortState, PortStatus, ProfileStatus,
    PtpConfig, ServoState, SyncSummary,
};
use serde_json::json;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The PtpConfig's name; its one profile is `p`, so nodes get `scale_p`.
const CONFIG: &str = "scale";
/// The label selecting every node.
const LABEL: &str = "ptp.example/scale";
/// Nodes created at once.
const CREATES_IN_FLIGHT: usize = 32;
/// How often waits look at what the watches recorded (the moments themselves are recorded
/// when the events arrive, so this bounds only how soon a wait ends).
const POLL: Duration = Duration::from_millis(50);
/// How long an emulated agent reports FREERUN after applying a new generation before it
/// reports LOCKED (at its next slot): a restarted ptp4l takes seconds to lock, and the
/// summary must see the nodes leave LOCKED for its catching-up to be measurable.
const LOCK_TIME: Duration = Duration::from_secs(2);
/// The agent's bound on one write (node-agent `cluster/writer.rs`).
const API_TIMEOUT: Duration = Duration::from_secs(10);
/// The agents' field manager.
const AGENT_MANAGER: &str = "ptp-agent";
/// Request verbs that write, as `apiserver_request_total` names them.
const WRITE_VERBS: [&str; 6] = [
    "POST",
    "PUT",
    "PATCH",
    "APPLY",
    "DELETE",
    "DELETECOLLECTION",
];

const USAGE: &str = "\
usage: scale [--nodes N] [--changes N] [--status-period S] [--steady S] [--writers N]
             [--timeout S] [--operator-bin PATH] [--operator-log FILTER]
  --nodes          Node objects, each selected by the one PtpConfig (default 5000)
  --changes        PtpConfig edits, one after another, each waited on (default 5)
  --status-period  seconds between two status writes of one node (default 10, the agent's
                   MEASUREMENT_PERIOD)
  --steady         seconds of steady state measured (default 60)
  --writers        status writes in flight at once (default 64)
  --timeout        longest wait for any one phase, seconds (default 900)
  --operator-bin   the ptp-operator binary (default target/release/ptp-operator; build it
                   with `cargo build --release -p operator --bin ptp-operator`)
  --operator-log   the operator's RUST_LOG (default warn); its log is summarised at the end";

#[derive(Debug)]
struct Args {
    nodes: usize,
    changes: u32,
    status_period: Duration,
    steady: Duration,
    writers: usize,
    timeout: Duration,
    operator_bin: PathBuf,
    operator_log: String,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        nodes: 5000,
        changes: 5,
        status_period: Duration::from_secs(10),
        steady: Duration::from_secs(60),
        writers: 64,
        timeout: Duration::from_secs(900),
        operator_bin: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/ptp-operator"),
        operator_log: "warn,kube_client::client::tls=error".to_owned(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        if arg == "--help" || arg == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), value.to_owned()),
            None => {
                let value = given
                    .next()
                    .with_context(|| format!("{arg} needs a value"))?;
                (arg, value)
            }
        };
        let number = || -> Result<u64> {
            value
                .parse()
                .with_context(|| format!("{flag} {value}: not a whole number"))
        };
        let seconds = || -> Result<Duration> {
            let s: f64 = value
                .parse()
                .with_context(|| format!("{flag} {value}: not a number of seconds"))?;
            ensure!(s > 0.0 && s.is_finite(), "{flag} {value}: must be positive");
            Ok(Duration::from_secs_f64(s))
        };
        match flag.as_str() {
            "--nodes" => args.nodes = usize::try_from(number()?)?,
            "--changes" => args.changes = u32::try_from(number()?)?,
            "--status-period" => args.status_period = seconds()?,
            "--steady" => args.steady = seconds()?,
            "--writers" => args.writers = usize::try_from(number()?)?,
            "--timeout" => args.timeout = seconds()?,
            "--operator-bin" => args.operator_bin = PathBuf::from(value),
            "--operator-log" => args.operator_log = value,
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    // Node names carry five digits.
    ensure!(
        (1..=99_999).contains(&args.nodes),
        "--nodes must be 1 to 99999"
    );
    ensure!(args.writers >= 1, "--writers must be at least 1");
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    ensure!(
        args.operator_bin.is_file(),
        "no operator binary at {}: build it with `cargo build --release -p operator --bin \
         ptp-operator`, or name it with --operator-bin",
        args.operator_bin.display()
    );
    let load_before = load();
    println!(
        "scale: {} nodes, {} edits, status every {}, {} s steady, {} writers; load: {load_before}",
        args.nodes,
        args.changes,
        secs(args.status_period),
        args.steady.as_secs_f64(),
        args.writers
    );
    let Some(cluster) = kube_harness::own_cluster("scale").await else {
        bail!("no etcd or kube-apiserver binary (see above): set PTP_KUBE_APISERVER and PTP_ETCD");
    };
    let mut report = Report::default();
    report.line(format!(
        "cluster: etcd + kube-apiserver ready in {}",
        secs(cluster.started_in())
    ));
    let result = run(&args, &cluster, &mut report).await;
    report.line(format!("load at start: {load_before}"));
    report.line(format!("load at end:   {}", load()));
    println!("\n==== report ====\n{}", report.text);
    drop(cluster);
    result
}

/// The report, printed at the end (also when a phase fails, with what was measured).
#[derive(Default)]
struct Report {
    text: String,
}

impl Report {
    fn line(&mut self, line: String) {
        println!("{line}");
        self.text.push_str(&line);
        self.text.push('\n');
    }
}

/// Every phase, in order.
async fn run(args: &Args, cluster: &kube_harness::Cluster, report: &mut Report) -> Result<()> {
    let client = cluster.client().context("building a client")?;
    kube_harness::wait::install_crds(
        &client,
        operator::crd::definitions().into_iter().map(|(_, crd)| crd),
    )
    .await;
    let ns = cluster
        .namespace(&client, "scale")
        .await
        .context("creating the namespace")?;
    let n = args.nodes;
    let names: Vec<String> = (0..n).map(|i| format!("scale-node-{i:05}")).collect();

    let took = create_nodes(&client, &names).await?;
    report.line(format!(
        "Nodes: {n} created in {} ({:.0}/s, {CREATES_IN_FLIGHT} in flight)",
        secs(took),
        n as f64 / took.as_secs_f64()
    ));

    // What an agent sees: every NodePtpConfig, as it changes.
    let fleet = Arc::new(Fleet::new(names));
    let watch_errors = Arc::new(AtomicU64::new(0));
    let node_watch = watch_node_configs(
        Api::namespaced(client.clone(), &ns),
        fleet.clone(),
        watch_errors.clone(),
    );
    let summaries = Arc::new(Summaries::default());
    let config_watch = watch_summary(
        Api::namespaced(client.clone(), &ns),
        summaries.clone(),
        watch_errors.clone(),
    );

    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let kubeconfig = write_kubeconfig(dir.path(), cluster)?;
    let log = dir.path().join("operator.log");
    let mut op = Operator::start(args, &kubeconfig, &ns, &log)?;
    let ticks = clock_ticks();

    // Start-up: every node gets an (empty) NodePtpConfig and a NodePtpDevice.
    let spawned = Instant::now();
    let devices: Api<NodePtpDevice> = Api::namespaced(client.clone(), &ns);
    let configs_exist = op
        .wait("NodePtpConfigs exist", args.timeout, || {
            fleet.all_exist().map(|()| Instant::now())
        })
        .await?;
    wait_count(&devices, n, args.timeout, &mut op).await?;
    let started = spawned.elapsed();
    let quiet = op.quiet(Duration::from_secs(60)).await?;
    let (rss_started, _) = memory(op.pid())?;
    report.line(format!(
        "operator start-up: {n} NodePtpConfigs exist after {}, and {n} NodePtpDevices after {} \
         (from spawn); CPU idle again after {}",
        secs(configs_exist.saturating_duration_since(spawned)),
        secs(started),
        secs(quiet)
    ));

    // a. One PtpConfig for every node.
    let configs: Api<PtpConfig> = Api::namespaced(client.clone(), &ns);
    let created = Instant::now();
    configs
        .create(&PostParams::default(), &ptp_config(0)?)
        .await
        .context("creating the PtpConfig")?;
    op.wait("all NodePtpConfigs hold the profile", args.timeout, || {
        fleet.all_hold(&conf(0))
    })
    .await?;
    let latencies = fleet.latencies(created);
    let quiet = op.quiet(Duration::from_secs(60)).await?;
    let (rss_applied, _) = memory(op.pid())?;
    report.line(format!(
        "a. PtpConfig create -> all {n} NodePtpConfigs hold its profile: {} (first node {}, \
         median {}; {:.0} NodePtpConfig writes/s); operator CPU idle {} later",
        secs(max(&latencies)),
        secs(latencies.first().copied().unwrap_or_default()),
        secs(median(&latencies)),
        n as f64 / max(&latencies).as_secs_f64(),
        secs(quiet)
    ));

    // The agents: the first write of each is in its slot, FREERUN; LOCKED a slot later.
    let generator = Generator::start(
        Api::namespaced(client.clone(), &ns),
        fleet.clone(),
        args.status_period,
        args.writers,
    );
    let lag = summary_lag(&fleet, &summaries, 0, args.timeout, &mut op).await?;
    report.line(format!(
        "generator start -> every node's LOCKED status written: {}; summary locked={n} {} after \
         the last one",
        secs(lag.last_locked.saturating_duration_since(generator.started)),
        secs(lag.delay)
    ));

    // b, c. Edits.
    let mut all_latencies = Vec::new();
    let mut edits = Vec::new();
    for domain in 1..=args.changes {
        let mark = summaries.len();
        let patched = Instant::now();
        configs
            .patch(
                CONFIG,
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"profile": [profile(domain)]}})),
            )
            .await
            .with_context(|| format!("editing the PtpConfig (domainNumber {domain})"))?;
        let want = conf(domain);
        op.wait("all NodePtpConfigs hold the edit", args.timeout, || {
            fleet.all_hold(&want)
        })
        .await?;
        let latencies = fleet.latencies(patched);
        let lag = summary_lag(&fleet, &summaries, mark, args.timeout, &mut op).await?;
        edits.push((domain, max(&latencies), median(&latencies), lag, patched));
        all_latencies.extend(latencies);
    }
    all_latencies.sort();
    if !edits.is_empty() {
        report.line(format!(
            "b. {} edits, PATCH -> each node's NodePtpConfig holds it, over {} (node, edit) pairs: \
             median {}, max {}",
            edits.len(),
            all_latencies.len(),
            secs(median(&all_latencies)),
            secs(max(&all_latencies))
        ));
        for (domain, max, median, _, _) in &edits {
            report.line(format!(
                "   edit {domain} (domainNumber {domain}): max {}, median {}",
                secs(*max),
                secs(*median)
            ));
        }
        report.line(
            "c. summary lag: last node's LOCKED status of its new generation written -> \
             PtpConfig status.summary.locked == N"
                .to_owned(),
        );
        for (domain, _, _, lag, patched) in &edits {
            report.line(format!(
                "   edit {domain}: {} (summary dropped to locked={} first; last LOCKED write {} \
                 after the PATCH)",
                secs(lag.delay),
                lag.lowest,
                secs(lag.last_locked.saturating_duration_since(*patched))
            ));
        }
    }
    let rss_after_edits = memory(op.pid())?;

    // e. Steady state: let the last edit's passes finish, then measure.
    tokio::time::sleep(args.status_period).await;
    let steady = steady_state(args, &client, cluster, &mut op, &generator, ticks).await?;
    steady.report(report, args, rss_started, rss_applied, rss_after_edits);

    let (done, failed, late) = generator.stats.totals();
    report.line(format!(
        "generator over the whole run: {done} writes done, {failed} failed, {late} late (more \
         than one period after their slot), {} written at once on a new generation",
        generator.stats.prompt.load(Ordering::Relaxed)
    ));
    for (reason, count) in generator.stats.errors.lock().unwrap().iter() {
        report.line(format!("   failed: {count} x {reason}"));
    }
    report.line(format!(
        "watch errors (this tool's watches): {}",
        watch_errors.load(Ordering::Relaxed)
    ));
    generator.stop();
    node_watch.abort();
    config_watch.abort();
    drop(op);
    report.line(operator_log_summary(&log));
    Ok(())
}

// ---- Nodes and the PtpConfig ----

async fn create_nodes(client: &Client, names: &[String]) -> Result<Duration> {
    let api: Api<Node> = Api::all(client.clone());
    let begin = Instant::now();
    futures::stream::iter(names)
        .map(|name| {
            let api = api.clone();
            async move {
                let node = Node {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        labels: Some(BTreeMap::from([(LABEL.to_owned(), String::new())])),
                        ..ObjectMeta::default()
                    },
                    ..Node::default()
                };
                api.create(&PostParams::default(), &node)
                    .await
                    .with_context(|| format!("creating Node {name}"))
                    .map(drop)
            }
        })
        .buffer_unordered(CREATES_IN_FLIGHT)
        .try_for_each(|()| futures::future::ready(Ok(())))
        .await?;
    Ok(begin.elapsed())
}

fn conf(domain: u32) -> String {
    format!("[global]\ndomainNumber {domain}\n")
}

fn profile(domain: u32) -> serde_json::Value {
    json!({"name": "p", "ptp4lOpts": "-2", "phc2sysOpts": "-a -r", "ptp4lConf": conf(domain)})
}

fn ptp_config(domain: u32) -> Result<PtpConfig> {
    serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig",
        "metadata": {"name": CONFIG},
        "spec": {"profile": [profile(domain)],
                 "recommend": [{"profile": "p", "priority": 0, "match": [{"nodeLabel": LABEL}]}]}
    }))
    .context("building the PtpConfig")
}

/// Waits until `api` holds `n` objects (a list of one item tells the count).
async fn wait_count(
    api: &Api<NodePtpDevice>,
    n: usize,
    limit: Duration,
    op: &mut Operator,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let list = api
            .list_metadata(&ListParams::default().limit(1))
            .await
            .context("counting NodePtpDevices")?;
        let remaining = list.metadata.remaining_item_count.unwrap_or(0);
        let count = list.items.len() as i64 + remaining;
        if count >= n as i64 {
            return Ok(());
        }
        op.alive()?;
        ensure!(
            Instant::now() < deadline,
            "NodePtpDevices: {count} of {n} after {}",
            secs(limit)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

// ---- What the watches see ----

/// One node's NodePtpConfig as last seen.
#[derive(Clone, Debug)]
struct View {
    generation: Option<i64>,
    /// The qualified name of its first profile.
    profile: Option<String>,
    /// The first profile's `ptp4lConf`.
    conf: Option<String>,
    /// When `conf` last changed.
    conf_since: Instant,
}

/// Every node's NodePtpConfig as seen by a watch, and what the emulated agents wrote.
struct Fleet {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// One channel per node, so that a new generation wakes only that node's agent.
    views: Vec<watch::Sender<View>>,
    /// Per node: the generation of its first LOCKED status write and when it was done.
    locked: Mutex<Vec<Option<(i64, Instant)>>>,
}

impl Fleet {
    fn new(names: Vec<String>) -> Self {
        let now = Instant::now();
        let empty = View {
            generation: None,
            profile: None,
            conf: None,
            conf_since: now,
        };
        Self {
            index: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i))
                .collect(),
            views: names
                .iter()
                .map(|_| watch::Sender::new(empty.clone()))
                .collect(),
            locked: Mutex::new(vec![None; names.len()]),
            names,
        }
    }

    /// Records a NodePtpConfig version; wakes its node's agent when its generation changed.
    fn observe(&self, config: &NodePtpConfig) {
        let Some(&i) = self.index.get(&config.name_any()) else {
            return;
        };
        let first = config.spec.profiles.first();
        let profile = first.map(|p| p.profile.name.clone());
        let conf = first.and_then(|p| p.profile.ptp4l_conf.clone());
        let generation = config.metadata.generation;
        let now = Instant::now();
        self.views[i].send_if_modified(move |view| {
            if view.conf != conf {
                view.conf = conf;
                view.conf_since = now;
            }
            view.profile = profile;
            let new = view.generation != generation;
            view.generation = generation;
            new
        });
    }

    fn all_exist(&self) -> Result<(), String> {
        let have = self
            .views
            .iter()
            .filter(|v| v.borrow().generation.is_some());
        let have = have.count();
        done_or(have, self.names.len(), "NodePtpConfigs exist")
    }

    fn all_hold(&self, conf: &str) -> Result<(), String> {
        let have = self
            .views
            .iter()
            .filter(|v| v.borrow().conf.as_deref() == Some(conf))
            .count();
        done_or(have, self.names.len(), "NodePtpConfigs hold it")
    }

    /// Each node's time from `since` to its NodePtpConfig holding what it holds, sorted.
    fn latencies(&self, since: Instant) -> Vec<Duration> {
        let mut out: Vec<Duration> = self
            .views
            .iter()
            .map(|v| v.borrow().conf_since.saturating_duration_since(since))
            .collect();
        out.sort();
        out
    }

    fn locked_written(&self, node: usize, generation: i64) {
        let mut locked = self.locked.lock().unwrap();
        if locked[node].is_none_or(|(g, _)| g != generation) {
            locked[node] = Some((generation, Instant::now()));
        }
    }

    /// When the last node's LOCKED status of its current generation was written, once every
    /// node's has been.
    fn last_locked(&self) -> Result<Instant, String> {
        let locked = self.locked.lock().unwrap();
        let mut last = None;
        let mut have = 0;
        for (view, written) in self.views.iter().zip(locked.iter()) {
            let current = view.borrow().generation;
            if let Some((generation, at)) = written {
                if Some(*generation) == current {
                    have += 1;
                    last = last.max(Some(*at));
                }
            }
        }
        done_or(
            have,
            self.names.len(),
            "nodes wrote LOCKED for their generation",
        )?;
        last.ok_or_else(|| "no node".to_owned())
    }
}

fn done_or(have: usize, want: usize, what: &str) -> Result<(), String> {
    if have == want {
        Ok(())
    } else {
        Err(format!("{have} of {want} {what}"))
    }
}

/// Feeds every NodePtpConfig version in the namespace to `fleet`.
fn watch_node_configs(
    api: Api<NodePtpConfig>,
    fleet: Arc<Fleet>,
    errors: Arc<AtomicU64>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .applied_objects()
            .boxed();
        while let Some(item) = stream.next().await {
            match item {
                Ok(config) => fleet.observe(&config),
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
}

/// Every distinct `status.summary` the PtpConfig has had, with when it was seen.
#[derive(Default)]
struct Summaries {
    log: Mutex<Vec<(Instant, SyncSummary)>>,
}

impl Summaries {
    fn len(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    fn record(&self, summary: SyncSummary) {
        let mut log = self.log.lock().unwrap();
        if log.last().is_none_or(|(_, last)| *last != summary) {
            log.push((Instant::now(), summary));
        }
    }

    /// From entry `mark` on: the lowest `locked` seen, and when `locked` first came back to
    /// `n` after having been lower.
    fn recovery(&self, mark: usize, n: i64) -> (i64, Option<Instant>) {
        let log = self.log.lock().unwrap();
        let mut lowest = i64::MAX;
        for (at, summary) in log.iter().skip(mark) {
            if summary.locked < n {
                lowest = lowest.min(summary.locked);
            } else if lowest < n && summary.nodes == n {
                return (lowest, Some(*at));
            }
        }
        (lowest, None)
    }
}

fn watch_summary(
    api: Api<PtpConfig>,
    summaries: Arc<Summaries>,
    errors: Arc<AtomicU64>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let config = watcher::Config::default().fields(&format!("metadata.name={CONFIG}"));
        let mut stream = watcher(api, config)
            .default_backoff()
            .applied_objects()
            .boxed();
        while let Some(item) = stream.next().await {
            match item {
                Ok(config) => {
                    summaries.record(config.status.and_then(|s| s.summary).unwrap_or_default())
                }
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
}

/// How the summary followed the nodes.
#[derive(Clone, Copy, Debug)]
struct Lag {
    /// When the last node's LOCKED status of its current generation was written.
    last_locked: Instant,
    /// From then to the summary saying every node is locked.
    delay: Duration,
    /// The lowest `locked` the summary showed meanwhile.
    lowest: i64,
}

/// Waits until every node has written LOCKED for its current generation, and the summary
/// (from its entry `mark` on) has dropped below N and come back to N.
async fn summary_lag(
    fleet: &Fleet,
    summaries: &Summaries,
    mark: usize,
    limit: Duration,
    op: &mut Operator,
) -> Result<Lag> {
    let last_locked = op
        .wait("every node writes LOCKED", limit, || fleet.last_locked())
        .await?;
    let n = fleet.names.len() as i64;
    let (lowest, back) = op
        .wait(
            "the summary counts every node locked",
            limit,
            || match summaries.recovery(mark, n) {
                (lowest, Some(at)) => Ok((lowest, at)),
                (lowest, None) => Err(format!(
                    "summary now {:?}, lowest locked since the change {lowest}",
                    summaries.log.lock().unwrap().last().map(|(_, s)| s.clone())
                )),
            },
        )
        .await?;
    Ok(Lag {
        last_locked,
        delay: back.saturating_duration_since(last_locked),
        lowest,
    })
}

// ---- The emulated agents ----

#[derive(Default)]
struct Stats {
    done: AtomicU64,
    failed: AtomicU64,
    /// Slot writes more than one period after their slot.
    late: AtomicU64,
    /// Writes made at once on a new generation (not in a slot).
    prompt: AtomicU64,
    /// The largest lateness of a slot write, in µs, since last taken.
    max_late_us: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    fn totals(&self) -> (u64, u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.late.load(Ordering::Relaxed),
        )
    }

    fn failure(&self, reason: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        *self.errors.lock().unwrap().entry(reason).or_default() += 1;
    }
}

/// N agents, one task each, writing their node's status: at once when their NodePtpConfig's
/// generation changes (FREERUN: just applied), and in a slot every period (LOCKED once
/// [`LOCK_TIME`] has passed since the apply). Slots are spread evenly over the period;
/// `writers` bounds the writes in flight.
struct Generator {
    started: Instant,
    stats: Arc<Stats>,
    tasks: Vec<JoinHandle<()>>,
}

struct Agent {
    node: usize,
    name: String,
    api: Api<NodePtpConfig>,
    fleet: Arc<Fleet>,
    permits: Arc<Semaphore>,
    stats: Arc<Stats>,
    period: Duration,
}

impl Generator {
    fn start(api: Api<NodePtpConfig>, fleet: Arc<Fleet>, period: Duration, writers: usize) -> Self {
        let started = Instant::now();
        let stats = Arc::new(Stats::default());
        let permits = Arc::new(Semaphore::new(writers));
        let n = fleet.names.len();
        let tasks = (0..n)
            .map(|node| {
                let agent = Agent {
                    node,
                    name: fleet.names[node].clone(),
                    api: api.clone(),
                    fleet: fleet.clone(),
                    permits: permits.clone(),
                    stats: stats.clone(),
                    period,
                };
                let first_slot = started + period.mul_f64(node as f64 / n as f64);
                tokio::spawn(agent.run(first_slot))
            })
            .collect();
        Self {
            started,
            stats,
            tasks,
        }
    }

    fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

impl Agent {
    async fn run(self, mut slot: Instant) {
        let mut view = self.fleet.views[self.node].subscribe();
        // The generation applied and when; None until the first write.
        let mut applied: Option<(i64, Instant)> = None;
        let mut writes: u64 = 0;
        loop {
            let in_slot = tokio::select! {
                changed = view.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    false
                }
                () = tokio::time::sleep_until(slot) => true,
            };
            let due = slot;
            if in_slot {
                slot += self.period;
            }
            let current = view.borrow_and_update().clone();
            let (Some(generation), Some(profile)) = (current.generation, current.profile) else {
                continue;
            };
            let new_generation = applied.is_none_or(|(g, _)| g != generation);
            if !in_slot && !new_generation {
                continue;
            }
            let Ok(_permit) = self.permits.acquire().await else {
                return;
            };
            let now = Instant::now();
            if in_slot {
                let lateness = now.saturating_duration_since(due);
                if lateness > self.period {
                    self.stats.late.fetch_add(1, Ordering::Relaxed);
                }
                let us = u64::try_from(lateness.as_micros()).unwrap_or(u64::MAX);
                self.stats.max_late_us.fetch_max(us, Ordering::Relaxed);
            }
            let previous = applied;
            let locked = match applied {
                Some((g, since)) if g == generation => {
                    now.saturating_duration_since(since) >= LOCK_TIME
                }
                _ => {
                    applied = Some((generation, now));
                    false
                }
            };
            writes += 1;
            let status = agent_status(self.node, writes, generation, profile, locked);
            match tokio::time::timeout(API_TIMEOUT, write_status(&self.api, &self.name, &status))
                .await
            {
                Ok(Ok(())) => {
                    self.stats.done.fetch_add(1, Ordering::Relaxed);
                    if !in_slot {
                        self.stats.prompt.fetch_add(1, Ordering::Relaxed);
                    }
                    if locked {
                        self.fleet.locked_written(self.node, generation);
                    }
                }
                Ok(Err(err)) => {
                    self.stats.failure(reason(&err));
                    applied = previous;
                }
                Err(_) => {
                    self.stats
                        .failure(format!("no answer within {}", secs(API_TIMEOUT)));
                    applied = previous;
                }
            }
        }
    }
}

/// What an agent running the profile writes: FREERUN just after applying, LOCKED later; the
/// offset and path delay change from write to write, as measurements do.
fn agent_status(
    node: usize,
    write: u64,
    generation: i64,
    profile: String,
    locked: bool,
) -> NodePtpConfigStatus {
    // A cheap mix of node and write number: small offsets, different each write.
    let mix = (node as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ write.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    let offset = ((mix >> 40) % 41) as i64 - 20;
    let delay = 480 + ((mix >> 20) % 40) as i64;
    NodePtpConfigStatus {
        applied_generation: Some(generation),
        profiles: vec![ProfileStatus {
            name: profile,
            state: "Running".to_owned(),
            config: Some("ptp4l.0.config".to_owned()),
            ports: vec![PortStatus {
                interface: "eth0".to_owned(),
                state: if locked {
                    PortState::Slave
                } else {
                    PortState::Uncalibrated
                },
            }],
            clock_state: Some(if locked { "LOCKED" } else { "FREERUN" }.to_owned()),
            servo_state: Some(if locked {
                ServoState::LockedStable
            } else {
                ServoState::Unlocked
            }),
            offset_ns: Some(offset),
            mean_path_delay_ns: Some(delay),
            grandmaster_identity: Some("507c6f.fffe.1fb16c".to_owned()),
            clock_class: Some(248),
            ..ProfileStatus::default()
        }],
    }
}

/// The agent's status write (node-agent `cluster/writer.rs` `status()`): a server-side apply
/// of the status subresource as `ptp-agent`.
async fn write_status(
    api: &Api<NodePtpConfig>,
    node: &str,
    status: &NodePtpConfigStatus,
) -> Result<(), kube::Error> {
    let patch = json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpConfig",
        "metadata": { "name": node },
        "status": status,
    });
    let params = PatchParams::apply(AGENT_MANAGER).force();
    api.patch_status(node, &params, &Patch::Apply(&patch))
        .await
        .map(drop)
}

fn reason(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => format!("{} {}", status.code, status.reason),
        other => {
            let mut text = other.to_string();
            text.truncate(100);
            text
        }
    }
}

// ---- The operator process ----

/// The operator process; killed when dropped.
struct Operator {
    child: Child,
    log: PathBuf,
}

impl Operator {
    fn start(args: &Args, kubeconfig: &Path, namespace: &str, log: &Path) -> Result<Self> {
        let out = File::create(log).context("creating the operator's log")?;
        let err = out.try_clone().context("opening the operator's log")?;
        let child = Command::new(&args.operator_bin)
            .env("KUBECONFIG", kubeconfig)
            .env("OPERATOR_NAMESPACE", namespace)
            .env("AGENT_IMAGE", "registry.example/ptp-agent:scale")
            .env("POD_NAME", "scale")
            .env("RUST_LOG", &args.operator_log)
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {}", args.operator_bin.display()))?;
        Ok(Self {
            child,
            log: log.to_owned(),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error (with the end of its log) if the operator has exited.
    fn alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait().context("polling the operator")? {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            bail!("the operator exited ({status}); its log ends:\n{tail}");
        }
        Ok(())
    }

    /// Polls `check` until it is `Ok`, failing after `limit` with its last answer (what is
    /// still missing) or when the operator exits. Returns `check`'s value, or the moment it
    /// held for `()`.
    async fn wait<T>(
        &mut self,
        what: &str,
        limit: Duration,
        mut check: impl FnMut() -> Result<T, String>,
    ) -> Result<T> {
        let deadline = Instant::now() + limit;
        loop {
            match check() {
                Ok(value) => return Ok(value),
                Err(progress) => {
                    self.alive()?;
                    ensure!(
                        Instant::now() < deadline,
                        "{what}: not within {}: {progress}",
                        secs(limit)
                    );
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the operator uses (almost) no CPU for a second: its passes are done.
    /// Returns how long that took.
    async fn quiet(&mut self, limit: Duration) -> Result<Duration> {
        let begin = Instant::now();
        let mut last = cpu_ticks(self.pid())?;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            self.alive()?;
            let now = cpu_ticks(self.pid())?;
            // A tick or two a second: the Lease renewal and the watches' keep-alives.
            if now.saturating_sub(last) <= 2 {
                return Ok(begin.elapsed());
            }
            ensure!(
                begin.elapsed() < limit,
                "the operator was still busy after {}",
                secs(limit)
            );
            last = now;
        }
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_kubeconfig(dir: &Path, cluster: &kube_harness::Cluster) -> Result<PathBuf> {
    let path = dir.join("kubeconfig");
    let token = cluster.data_dir().join("token");
    let config = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": cluster.url(),
                                               "insecure-skip-tls-verify": true}}],
        "users": [{"name": "u", "user": {"tokenFile": token}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x"
    });
    std::fs::write(&path, serde_json::to_string(&config)?).context("writing the kubeconfig")?;
    Ok(path)
}

/// How many lines the operator logged, how many were warnings or errors, and the first few.
fn operator_log_summary(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    let passes: Vec<u64> = text
        .lines()
        .filter(|l| l.contains("reconciled"))
        .filter_map(|l| field(l, "elapsed_ms="))
        .collect();
    let mut out = format!(
        "operator log: {} lines, {} WARN/ERROR",
        text.lines().count(),
        bad.len()
    );
    if !passes.is_empty() {
        let total: u64 = passes.iter().sum();
        let longest = passes.iter().max().copied().unwrap_or_default();
        out.push_str(&format!(
            "; {} passes logged, {:.1} s in all, longest {:.1} s",
            passes.len(),
            total as f64 / 1000.0,
            longest as f64 / 1000.0
        ));
    }
    for line in bad.iter().take(5) {
        out.push_str("\n   ");
        out.push_str(line);
    }
    out
}

/// The number after `name` in a log line (`elapsed_ms=123`).
fn field(line: &str, name: &str) -> Option<u64> {
    let rest = &line[line.find(name)? + name.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

// ---- Steady state ----

/// The steady window's figures.
struct Steady {
    window: Duration,
    nodes: usize,
    /// Generator writes done, failed, late in the window, and the largest lateness.
    done: u64,
    failed: u64,
    late: u64,
    max_late: Duration,
    /// API server write requests in the window, by (verb, resource).
    writes: BTreeMap<(String, String), f64>,
    /// CPU over the window, % of one core: operator, this tool, apiserver, etcd.
    cpu: Vec<(String, f64)>,
    /// Operator VmRSS, largest sample in the window, and VmHWM at its end (KiB).
    rss_max: u64,
    hwm: u64,
}

async fn steady_state(
    args: &Args,
    client: &Client,
    cluster: &kube_harness::Cluster,
    op: &mut Operator,
    generator: &Generator,
    ticks: f64,
) -> Result<Steady> {
    let mut processes = vec![("operator".to_owned(), op.pid())];
    processes.push(("this tool".to_owned(), std::process::id()));
    processes.extend(server_pids(cluster.data_dir()));
    let stats = &generator.stats;
    let before_counts = request_counts(client).await?;
    let (done0, failed0, late0) = stats.totals();
    stats.max_late_us.store(0, Ordering::Relaxed);
    let cpu0: Vec<u64> = processes
        .iter()
        .map(|(_, pid)| cpu_ticks(*pid).unwrap_or(0))
        .collect();
    let begin = Instant::now();
    let mut rss_max = 0;
    while begin.elapsed() < args.steady {
        let left = args.steady.saturating_sub(begin.elapsed());
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
        op.alive()?;
        rss_max = rss_max.max(memory(op.pid())?.0);
    }
    let window = begin.elapsed();
    let cpu1: Vec<u64> = processes
        .iter()
        .map(|(_, pid)| cpu_ticks(*pid).unwrap_or(0))
        .collect();
    let (done1, failed1, late1) = stats.totals();
    let after_counts = request_counts(client).await?;
    let (_, hwm) = memory(op.pid())?;
    let cpu = processes
        .iter()
        .zip(cpu0.iter().zip(cpu1.iter()))
        .map(|((name, _), (a, b))| {
            let used = b.saturating_sub(*a) as f64 / ticks;
            (name.clone(), 100.0 * used / window.as_secs_f64())
        })
        .collect();
    let writes = after_counts
        .iter()
        .map(|(key, after)| (key.clone(), after - before_counts.get(key).unwrap_or(&0.0)))
        .filter(|(_, delta)| *delta > 0.0)
        .collect();
    Ok(Steady {
        window,
        nodes: args.nodes,
        done: done1 - done0,
        failed: failed1 - failed0,
        late: late1 - late0,
        max_late: Duration::from_micros(stats.max_late_us.load(Ordering::Relaxed)),
        writes,
        cpu,
        rss_max,
        hwm,
    })
}

impl Steady {
    fn report(
        &self,
        report: &mut Report,
        args: &Args,
        rss_started: u64,
        rss_applied: u64,
        rss_after_edits: (u64, u64),
    ) {
        let minutes = self.window.as_secs_f64() / 60.0;
        let per_node_min = |count: f64| count / self.nodes as f64 / minutes;
        report.line(format!(
            "d. operator memory (VmRSS): {} after start-up (idle), {} after the first apply \
             (idle), {} after the edits, up to {} in steady state; VmHWM {} (peak of the run)",
            mib(rss_started),
            mib(rss_applied),
            mib(rss_after_edits.0),
            mib(self.rss_max),
            mib(self.hwm)
        ));
        let cpu: Vec<String> = self
            .cpu
            .iter()
            .map(|(name, pct)| format!("{name} {pct:.1}%"))
            .collect();
        report.line(format!(
            "   CPU over the {} steady window, % of one core (utime+stime): {}",
            secs(self.window),
            cpu.join(", ")
        ));
        let target = self.nodes as f64 / args.status_period.as_secs_f64();
        report.line(format!(
            "e. steady state, {}: generator {} writes ({:.1}/s, target {target:.1}/s), {} failed, \
             {} late, max lateness {} => {:.2} writes per node per minute (target {:.2})",
            secs(self.window),
            self.done,
            self.done as f64 / self.window.as_secs_f64(),
            self.failed,
            self.late,
            secs(self.max_late),
            per_node_min(self.done as f64),
            60.0 / args.status_period.as_secs_f64()
        ));
        let total: f64 = self.writes.values().sum();
        report.line(format!(
            "   API server write requests (apiserver_request_total): {total:.0} => {:.3} per node \
             per minute, by verb and resource:",
            per_node_min(total)
        ));
        for ((verb, resource), count) in &self.writes {
            report.line(format!(
                "     {verb:<6} {resource:<28} {count:>8.0}  ({:.1}/min)",
                count / minutes
            ));
        }
    }
}

/// Write requests the API server has served so far, by (verb, resource[/subresource]), from
/// its `apiserver_request_total` counter.
async fn request_counts(client: &Client) -> Result<BTreeMap<(String, String), f64>> {
    let request = kube::core::Request::new("/metrics").list(&ListParams::default())?;
    let text = client
        .request_text(request)
        .await
        .context("reading the API server's /metrics")?;
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("apiserver_request_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let Ok(value) = value.trim().parse::<f64>() else {
            continue;
        };
        let label = |name: &str| -> String {
            let prefix = format!("{name}=\"");
            labels
                .split("\",")
                .find_map(|pair| pair.strip_prefix(prefix.as_str()))
                .map(|v| v.trim_end_matches('"').to_owned())
                .unwrap_or_default()
        };
        let verb = label("verb");
        if !WRITE_VERBS.contains(&verb.as_str()) {
            continue;
        }
        let mut resource = label("resource");
        let sub = label("subresource");
        if !sub.is_empty() {
            resource = format!("{resource}/{sub}");
        }
        *counts.entry((verb, resource)).or_insert(0.0) += value;
    }
    Ok(counts)
}

// ---- Processes ----

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn memory(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; fields after it start with the state (3).
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("no ')' in stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let number = |field: usize| -> Result<u64> {
        fields
            .get(field - 3)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("field {field} of /proc/{pid}/stat"))
    };
    Ok(number(14)? + number(15)?)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// The cluster's kube-apiserver and etcd: the processes of that name whose command line
/// names the cluster's directory.
fn server_pids(data_dir: &Path) -> Vec<(String, u32)> {
    let dir = data_dir.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline);
        let mut args = cmdline.split('\0');
        let program = args.next().map(Path::new).and_then(Path::file_name);
        let program = program.and_then(|p| p.to_str()).unwrap_or_default();
        if matches!(program, "kube-apiserver" | "etcd") && args.any(|a| a.contains(&dir)) {
            found.push((program.to_owned(), pid));
        }
    }
    found.sort();
    found
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

// ---- Formatting ----

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The middle of a sorted list.
fn median(sorted: &[Duration]) -> Duration {
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn max(sorted: &[Duration]) -> Duration {
    sorted.last().copied().unwrap_or_default()
}

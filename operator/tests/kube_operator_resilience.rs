//! Kube tier: the operator through an API server outage and with several replicas (leader
//! election over a Lease, followed through every version of the Lease a watch sees).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Patch, PatchParams, PostParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client};
use operator::crd::{NodePtpConfig, PtpConfig};
use operator::leader::{Elector, LeaseSettings};
use serde_json::json;
use support::{create_node, install_crds, wait_for};
use tokio::task::JoinHandle;

const LONG: Duration = Duration::from_secs(60);
const LEASE: &str = "ptp.openshift.io";

/// Quick timing for a single replica: with no other candidate, a late renewal cannot hand
/// the Lease to anyone, and the renew deadline passes early in an outage.
fn quick_lease(ns: &str, identity: &str) -> LeaseSettings {
    let mut settings = LeaseSettings::new(LEASE, ns, identity);
    settings.lease_duration = Duration::from_secs(2);
    settings.renew_deadline = Duration::from_millis(1500);
    settings.retry_period = Duration::from_millis(250);
    settings
}

/// How long a silent leader keeps the Lease when replicas compete.
const CONTENDED_LEASE: Duration = Duration::from_secs(10);
/// How often a contending replica tries to acquire or renew.
const CONTENDED_RETRY: Duration = Duration::from_secs(1);

/// Timing for competing replicas on a loaded 2-core machine (client-go's proportions, two
/// thirds of its scale). A follower takes over only after seeing no renewal for 10 s, and the
/// leader renews every second: an apiserver or a test runtime starved for a few seconds
/// delays some renewals but hands the Lease to no one. With a 2 s lease a single stall
/// that long would, and the test would see a takeover from a live leader.
fn contended_lease(ns: &str, identity: &str) -> LeaseSettings {
    let mut settings = LeaseSettings::new(LEASE, ns, identity);
    settings.lease_duration = CONTENDED_LEASE;
    settings.renew_deadline = Duration::from_secs(8);
    settings.retry_period = CONTENDED_RETRY;
    settings
}

/// A replica: the operator under leader election, stopped by firing `stop` or by aborting
/// `task` (a crash: the Lease is not released).
struct Replica {
    stop: tokio::sync::oneshot::Sender<()>,
    task: JoinHandle<()>,
}

fn replica(client: &Client, ns: &str, settings: LeaseSettings) -> Replica {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ctx = support::context(client, ns);
    let elector = Elector::new(client.clone(), settings);
    let task = tokio::spawn(operator::controller::run_elected(
        ctx,
        elector,
        async move {
            let _ = stopped.await;
        },
    ));
    Replica { stop, task }
}

fn ptp4l_conf(domain: u32) -> String {
    format!("[global]\ndomainNumber {domain}\n")
}

async fn create_config(client: &Client, ns: &str, node: &str) {
    let config: PtpConfig = serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig", "metadata": {"name": "c"},
        "spec": {"profile": [{"name": "p", "ptp4lConf": ptp4l_conf(0)}],
                 "recommend": [{"profile": "p", "priority": 0, "match": [{"nodeName": node}]}]}
    }))
    .unwrap();
    Api::<PtpConfig>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
}

async fn set_domain(client: &Client, ns: &str, domain: u32) -> Result<PtpConfig, kube::Error> {
    let patch = json!({"spec": {"profile": [{"name": "p", "ptp4lConf": ptp4l_conf(domain)}]}});
    Api::<PtpConfig>::namespaced(client.clone(), ns)
        .patch("c", &PatchParams::default(), &Patch::Merge(patch))
        .await
}

async fn wait_domain(client: &Client, ns: &str, node: &str, domain: u32, limit: Duration) {
    let want = ptp4l_conf(domain);
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), ns);
    wait_for(&api, node, limit, |c| {
        c.spec
            .profiles
            .first()
            .and_then(|p| p.profile.ptp4l_conf.as_deref())
            == Some(&want)
    })
    .await;
}

/// The node of the outage tests.
const NODE: &str = "outage-node";

/// A private cluster for a test that stops its API server: a namespace, our CRDs, a Node and
/// the PtpConfig `c` selecting it.
async fn outage_scene(test: &str) -> Option<(kube_harness::Cluster, Client, String)> {
    let cluster = kube_harness::own_cluster(test).await?;
    let client = cluster.client().unwrap();
    let ns = cluster.namespace(&client, test).await.unwrap();
    install_crds(&client).await;
    create_node(&client, NODE, &[]).await;
    create_config(&client, &ns, NODE).await;
    Some((cluster, client, ns))
}

/// How long the apiserver is away in `operator_survives_an_apiserver_restart`.
const OUTAGE: Duration = Duration::from_secs(5);

/// The API server goes away mid-test and comes back: the operator backs off, does not
/// crash, and converges on a change made after the restart.
#[tokio::test]
async fn operator_survives_an_apiserver_restart() {
    let Some((mut cluster, client, ns)) = outage_scene("op_restart").await else {
        return;
    };
    let node = NODE;
    let replica = replica(&client, &ns, quick_lease(&ns, "only"));
    wait_domain(&client, &ns, node, 0, LONG).await;

    cluster.stop_apiserver();
    // The outage's length (what the scenario is, not a wait for a state): over three renew
    // deadlines, so watches fail, renewals fail and the replica stops leading.
    tokio::time::sleep(OUTAGE).await;
    assert!(
        !replica.task.is_finished(),
        "the operator stopped while the apiserver was away"
    );
    cluster.start_apiserver().await.unwrap();

    support::eventually(|| set_domain(&client, &ns, 7)).await;
    wait_domain(&client, &ns, node, 7, LONG).await;
    assert!(!replica.task.is_finished());
    replica.stop.send(()).unwrap();
    tokio::time::timeout(LONG, replica.task)
        .await
        .unwrap()
        .unwrap();
}

/// One version of the Lease: who held it, how often it changed hands, when the holder took
/// it and last renewed it.
#[derive(Clone, Debug, PartialEq)]
struct LeaseVersion {
    holder: Option<String>,
    transitions: Option<i32>,
    acquired: Option<jiff::Timestamp>,
    renewed: Option<jiff::Timestamp>,
}

impl LeaseVersion {
    fn of(lease: &Lease) -> Self {
        let spec = lease.spec.clone().unwrap_or_default();
        Self {
            holder: spec.holder_identity.filter(|h| !h.is_empty()),
            transitions: spec.lease_transitions,
            acquired: spec.acquire_time.map(|t| t.0),
            renewed: spec.renew_time.map(|t| t.0),
        }
    }

    fn held_by(&self, identity: &str) -> bool {
        self.holder.as_deref() == Some(identity)
    }
}

/// Every version of the Lease a watch sees, in order, from before the first replica starts
/// to the end of the test.
struct LeaseHistory {
    versions: tokio::sync::watch::Receiver<Vec<LeaseVersion>>,
    task: JoinHandle<()>,
}

impl LeaseHistory {
    fn record(client: &Client, ns: &str) -> Self {
        let api: Api<Lease> = Api::namespaced(client.clone(), ns);
        let config = watcher::Config::default().fields(&format!("metadata.name={LEASE}"));
        let (tx, versions) = tokio::sync::watch::channel(Vec::new());
        let task = tokio::spawn(async move {
            let mut stream = Box::pin(watcher(api, config).default_backoff().applied_objects());
            while let Some(event) = stream.next().await {
                if let Ok(lease) = event {
                    tx.send_modify(|v| v.push(LeaseVersion::of(&lease)));
                }
            }
        });
        Self { versions, task }
    }

    /// Waits until the versions seen so far satisfy `done`.
    async fn wait(&mut self, what: &str, done: impl Fn(&[LeaseVersion]) -> bool) {
        let waited = tokio::time::timeout(LONG, self.versions.wait_for(|v| done(v)))
            .await
            .is_ok_and(|r| r.is_ok());
        assert!(
            waited,
            "{what}: not seen within {LONG:?}; seen {:#?}",
            self.seen()
        );
    }

    /// Waits until the last version seen is held by `identity` (`None`: by no one).
    async fn wait_holder(&mut self, identity: Option<&str>) {
        let what = format!("the Lease held by {identity:?}");
        self.wait(&what, |v| {
            v.last().is_some_and(|l| l.holder.as_deref() == identity)
        })
        .await;
    }

    fn seen(&self) -> Vec<LeaseVersion> {
        self.versions.borrow().clone()
    }
}

impl Drop for LeaseHistory {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The holders in `versions`, each run of versions with the same holder and transition count
/// counted once.
fn reigns(versions: &[LeaseVersion]) -> Vec<(Option<&str>, Option<i32>)> {
    let mut out: Vec<(Option<&str>, Option<i32>)> = Vec::new();
    for v in versions {
        let reign = (v.holder.as_deref(), v.transitions);
        if out.last() != Some(&reign) {
            out.push(reign);
        }
    }
    out
}

/// Three replicas in turn, followed through every version of the Lease: `a` leads while `b`
/// contends for longer than a lease duration and never holds it; `a` stops cleanly and
/// releases, `b` takes over; `c` joins, `b` crashes (no release), and `c` takes over only once
/// the lease has run out since `b`'s last renewal; `c` releases on shutdown. The holders seen
/// are exactly a → (released) → b → c → (released), with leaseTransitions 0, 0, 1, 2, 2.
#[tokio::test]
async fn replicas_elect_one_leader_and_hand_over_in_turn() {
    let Some(env) = kube_harness::test_env("op_leader").await else {
        return;
    };
    install_crds(&env.client).await;
    let (client, ns) = (&env.client, env.namespace.as_str());
    let node = format!("{ns}-node");
    create_node(client, &node, &[]).await;
    create_config(client, ns, &node).await;
    let mut history = LeaseHistory::record(client, ns);

    let a = replica(client, ns, contended_lease(ns, "a"));
    history.wait_holder(Some("a")).await;
    let b_started = jiff::Timestamp::now();
    let b = replica(client, ns, contended_lease(ns, "b"));
    wait_domain(client, ns, &node, 0, LONG).await;
    // b has contended for a whole lease duration (and one more try) once a renews this late;
    // a stays the holder throughout (checked on the whole history below).
    let contended = b_started + CONTENDED_LEASE + CONTENDED_RETRY;
    history
        .wait("a renewing after b contended a lease duration", |v| {
            v.iter()
                .any(|l| l.held_by("a") && l.renewed.is_some_and(|t| t >= contended))
        })
        .await;

    // a stops cleanly: it releases, b takes over and reconciles.
    a.stop.send(()).unwrap();
    tokio::time::timeout(LONG, a.task).await.unwrap().unwrap();
    history.wait_holder(Some("b")).await;
    set_domain(client, ns, 1).await.unwrap();
    wait_domain(client, ns, &node, 1, LONG).await;

    // c joins; b crashes (no release): c takes over once the lease expires.
    let c = replica(client, ns, contended_lease(ns, "c"));
    b.task.abort();
    let _ = b.task.await;
    history.wait_holder(Some("c")).await;
    set_domain(client, ns, 2).await.unwrap();
    wait_domain(client, ns, &node, 2, LONG).await;
    c.stop.send(()).unwrap();
    tokio::time::timeout(LONG, c.task).await.unwrap().unwrap();
    history
        .wait("released by c on shutdown", |v| {
            v.iter().any(|l| l.held_by("c")) && v.last().is_some_and(|l| l.holder.is_none())
        })
        .await;

    let seen = history.seen();
    assert_eq!(
        reigns(&seen),
        [
            (Some("a"), Some(0)),
            (None, Some(0)),
            (Some("b"), Some(1)),
            (Some("c"), Some(2)),
            (None, Some(2)),
        ],
        "{seen:#?}"
    );
    // c waited out the lease after b's last renewal before it took over.
    let b_last = seen
        .iter()
        .filter(|l| l.held_by("b"))
        .filter_map(|l| l.renewed)
        .max()
        .unwrap();
    let c_acquired = seen
        .iter()
        .find(|l| l.held_by("c"))
        .unwrap()
        .acquired
        .unwrap();
    let waited = c_acquired.duration_since(b_last);
    assert!(
        waited >= jiff::SignedDuration::try_from(CONTENDED_LEASE).unwrap(),
        "c took over {waited:?} after b's last renewal: {seen:#?}"
    );
}

/// How soon after the API server is back a change must be acted on: twice the watches'
/// longest retry delay with its jitter (kube-runtime's default policy, which this replaced,
/// left re-lists waiting up to a minute).
const CATCH_UP: Duration = Duration::from_secs(20);

/// An operator whose watches live through an outage (no leader election here, as in a
/// replica whose Lease outlasts the outage) acts on changes made after the API server is back:
/// a spec change and a deletion, each arriving through a watch that had to list again.
#[tokio::test]
async fn watches_resume_after_an_apiserver_restart() {
    let Some((mut cluster, client, ns)) = outage_scene("op_resume").await else {
        return;
    };
    let node = NODE;
    let running = support::start_operator(&client, &ns);
    wait_domain(&client, &ns, node, 0, LONG).await;

    cluster.stop_apiserver();
    tokio::time::sleep(Duration::from_secs(10)).await;
    cluster.start_apiserver().await.unwrap();
    support::eventually(|| set_domain(&client, &ns, 7)).await;
    wait_domain(&client, &ns, node, 7, CATCH_UP).await;
    Api::<PtpConfig>::namespaced(client.clone(), &ns)
        .delete("c", &Default::default())
        .await
        .unwrap();
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), &ns);
    wait_for(&api, node, CATCH_UP, |c| c.spec.profiles.is_empty()).await;
    running.stop().await;
}

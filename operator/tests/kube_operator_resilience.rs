//! Kube tier: the operator through an API server outage and with two replicas (leader
//! election over a Lease).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client};
use operator::crd::{NodePtpConfig, PtpConfig};
use operator::leader::{Elector, LeaseSettings};
use serde_json::json;
use support::{create_node, install_crds, wait_for};
use tokio::task::JoinHandle;

const LONG: Duration = Duration::from_secs(60);
const LEASE: &str = "ptp.openshift.io";

fn quick_lease(ns: &str, identity: &str) -> LeaseSettings {
    let mut settings = LeaseSettings::new(LEASE, ns, identity);
    settings.lease_duration = Duration::from_secs(2);
    settings.renew_deadline = Duration::from_millis(1500);
    settings.retry_period = Duration::from_millis(250);
    settings
}

/// A replica: the operator under leader election, stopped by firing `stop` or by aborting
/// `task` (a crash: the Lease is not released).
struct Replica {
    stop: tokio::sync::oneshot::Sender<()>,
    task: JoinHandle<()>,
}

fn replica(client: &Client, ns: &str, identity: &str) -> Replica {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ctx = support::context(client, ns);
    let elector = Elector::new(client.clone(), quick_lease(ns, identity));
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

async fn wait_domain(client: &Client, ns: &str, node: &str, domain: u32) {
    let want = ptp4l_conf(domain);
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), ns);
    wait_for(&api, node, LONG, |c| {
        c.spec
            .profiles
            .first()
            .and_then(|p| p.profile.ptp4l_conf.as_deref())
            == Some(&want)
    })
    .await;
}

/// The API server goes away mid-test and comes back: the operator backs off, does not
/// crash, and converges on a change made after the restart.
#[tokio::test]
async fn operator_survives_an_apiserver_restart() {
    let Some(mut cluster) = kube_harness::own_cluster("op_restart").await else {
        return;
    };
    let client = cluster.client().unwrap();
    let ns = cluster.namespace(&client, "restart").await.unwrap();
    install_crds(&client).await;
    let node = "restart-node";
    create_node(&client, node, &[]).await;
    create_config(&client, &ns, node).await;
    let replica = replica(&client, &ns, "only");
    wait_domain(&client, &ns, node, 0).await;

    cluster.stop_apiserver();
    // Long enough for failed watches, failed renewals and the renew deadline to pass.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        !replica.task.is_finished(),
        "the operator stopped while the apiserver was away"
    );
    cluster.start_apiserver().await.unwrap();

    support::eventually(|| set_domain(&client, &ns, 7)).await;
    wait_domain(&client, &ns, node, 7).await;
    assert!(!replica.task.is_finished());
    replica.stop.send(()).unwrap();
    tokio::time::timeout(LONG, replica.task)
        .await
        .unwrap()
        .unwrap();
}

async fn holder(client: &Client, ns: &str) -> Option<String> {
    Api::<Lease>::namespaced(client.clone(), ns)
        .get_opt(LEASE)
        .await
        .unwrap()
        .and_then(|l| l.spec?.holder_identity)
}

async fn wait_holder(client: &Client, ns: &str, identity: &str) {
    let api: Api<Lease> = Api::namespaced(client.clone(), ns);
    wait_for(&api, LEASE, LONG, |l| {
        l.spec.as_ref().and_then(|s| s.holder_identity.as_deref()) == Some(identity)
    })
    .await;
}

/// Two replicas: one leads and reconciles; when it stops cleanly the other takes over at
/// once, and when the leader crashes the other takes over after the lease expires.
#[tokio::test]
async fn two_replicas_elect_one_leader() {
    let Some(env) = kube_harness::test_env("op_leader").await else {
        return;
    };
    install_crds(&env.client).await;
    let (client, ns) = (&env.client, env.namespace.as_str());
    let node = format!("{ns}-node");
    create_node(client, &node, &[]).await;
    create_config(client, ns, &node).await;

    let a = replica(client, ns, "a");
    wait_holder(client, ns, "a").await;
    let b = replica(client, ns, "b");
    wait_domain(client, ns, &node, 0).await;
    // b stays a follower while a renews (several lease durations).
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(holder(client, ns).await.as_deref(), Some("a"));

    // a stops cleanly: it releases, b takes over and reconciles.
    a.stop.send(()).unwrap();
    tokio::time::timeout(LONG, a.task).await.unwrap().unwrap();
    wait_holder(client, ns, "b").await;
    set_domain(client, ns, 1).await.unwrap();
    wait_domain(client, ns, &node, 1).await;

    // c joins; b crashes (no release): c takes over once the lease expires.
    let c = replica(client, ns, "c");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(holder(client, ns).await.as_deref(), Some("b"));
    b.task.abort();
    let _ = b.task.await;
    wait_holder(client, ns, "c").await;
    set_domain(client, ns, 2).await.unwrap();
    wait_domain(client, ns, &node, 2).await;
    let lease = Api::<Lease>::namespaced(client.clone(), ns)
        .get(LEASE)
        .await
        .unwrap();
    assert_eq!(
        lease.spec.unwrap().lease_transitions,
        Some(2),
        "a -> b -> c"
    );
    c.stop.send(()).unwrap();
    tokio::time::timeout(LONG, c.task).await.unwrap().unwrap();
    assert_eq!(holder(client, ns).await, None, "released on shutdown");
}

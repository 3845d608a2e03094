//! Cluster mode against a real API server (the kube tier): the loop runs on in-memory ports
//! and a test clock, the node's NodePtpConfig is written as the operator writes it, and the
//! test reads what the agent writes back to its status.

use std::time::Duration;

use k8s_openapi::api::events::v1::Event as KubeEvent;
use kube::api::{Patch, PatchParams, PostParams};
use kube::Api;
use operator::crd::{
    NodeProfile, NodePtpConfig, NodePtpConfigSpec, NodePtpConfigStatus, NodePtpDevice,
    NodePtpDeviceSpec, PortState, PtpProfile,
};
use tokio::sync::oneshot;

use super::profile::{ProfileSettings, NOT_RUN, REFUSED, RUNNING};
use super::*;
use crate::agent::metrics::{ConfigLabel, MetricsHub};
use crate::agent::testing::{ask, TestHost, IDENTITY};

const NODE: &str = "node-a";
/// Long enough for a watch event and a status write on a loaded 2-core machine.
const LIMIT: Duration = Duration::from_secs(60);

/// A profile on `ptpx0` with `priority2` whose lone port becomes MASTER within a second.
fn quick(priority2: u8) -> String {
    format!(
        "[global]\npriority2 {priority2}\nlogAnnounceInterval -3\nannounceReceiptTimeout 2\n\
         [ptpx0]\n"
    )
}

fn profile(name: &str, conf: &str) -> NodeProfile {
    NodeProfile {
        ptp_config: "cfg".into(),
        profile: PtpProfile {
            name: name.into(),
            ptp4l_conf: Some(conf.into()),
            ptp4l_opts: Some("-S".into()),
            ..PtpProfile::default()
        },
    }
}

/// Runs the cluster loop on `host` in a task of its own until the returned sender fires.
fn spawn_agent(
    client: &kube::Client,
    settings: &ClusterSettings,
    host: &TestHost,
    health: &Health,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (client, settings, host, health) = (
        client.clone(),
        settings.clone(),
        host.clone(),
        health.clone(),
    );
    let agent = tokio::spawn(async move {
        let hub = MetricsHub::new(ConfigLabel::EverySeries);
        let mut supervisor = Supervisor::new(host, hub, None);
        run(client, &settings, &mut supervisor, &health, async {
            let _ = stop_rx.await;
        })
        .await;
    });
    (stop_tx, agent)
}

/// Writes the node's spec as the operator does (server-side apply of the spec).
async fn write_spec(api: &Api<NodePtpConfig>, profiles: Vec<NodeProfile>) {
    let object = NodePtpConfig::new(NODE, NodePtpConfigSpec { profiles });
    let patch = serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpConfig",
        "metadata": { "name": NODE },
        "spec": object.spec,
    });
    api.patch(
        NODE,
        &PatchParams::apply("test-operator").force(),
        &Patch::Apply(&patch),
    )
    .await
    .unwrap();
}

/// Waits until the node's NodePtpDevice lists devices; returns their names.
async fn wait_devices(api: &Api<NodePtpDevice>) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let object = api.get(NODE).await.unwrap();
        let listed = object.status.and_then(|s| s.devices).unwrap_or_default();
        if !listed.is_empty() {
            return listed.into_iter().filter_map(|d| d.name).collect();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no devices within {LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an Event regarding the node's object with `reason` and a note containing `note`.
async fn event(api: &Api<KubeEvent>, reason: &str, note: &str) -> KubeEvent {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let list = api.list(&Default::default()).await.unwrap();
        let found = list.items.into_iter().find(|e| {
            e.reason.as_deref() == Some(reason)
                && e.note.as_deref().is_some_and(|n| n.contains(note))
                && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(NODE)
        });
        if let Some(found) = found {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {reason} event with {note:?} within {LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The local SET of the grandmaster's settings with clockClass `class`.
fn gm_settings(class: u8) -> String {
    format!(
        "SET GRANDMASTER_SETTINGS_NP clockClass {class} clockAccuracy 0x21 \
         offsetScaledLogVariance 0x4e5d currentUtcOffset 37 leap61 0 leap59 0 \
         currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 1 frequencyTraceable 1 \
         timeSource 0x20"
    )
}

/// Waits until the node's status says the current generation is applied and `check` holds.
async fn applied(
    api: &Api<NodePtpConfig>,
    what: &str,
    check: impl Fn(&NodePtpConfigStatus) -> bool,
) -> NodePtpConfigStatus {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let object = api.get(NODE).await.unwrap();
        if let Some(status) = &object.status {
            if status.applied_generation == object.metadata.generation && check(status) {
                return status.clone();
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {LIMIT:?}: {:?}",
            object.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nodes_profiles_run_follow_edits_in_place_and_report_their_status() {
    let Some(env) = kube_harness::test_env("cluster_mode").await else {
        return;
    };
    kube_harness::wait::install_crds(
        &env.client,
        operator::crd::definitions().into_iter().map(|(_, crd)| crd),
    )
    .await;
    let api: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), &env.namespace);
    // Another node's object, which this agent must not run.
    let other = NodePtpConfig::new(
        "node-b",
        NodePtpConfigSpec {
            profiles: vec![profile("cfg_other", "[ptpx9]\n")],
        },
    );
    api.create(&PostParams::default(), &other).await.unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let sysfs = tempfile::tempdir().unwrap();
    super::devices::testing::tree(sysfs.path());
    // The operator creates the node's NodePtpDevice; the agent fills its status.
    let devices: Api<NodePtpDevice> = Api::namespaced(env.client.clone(), &env.namespace);
    devices
        .create(
            &PostParams::default(),
            &NodePtpDevice::new(NODE, NodePtpDeviceSpec {}),
        )
        .await
        .unwrap();
    let host = TestHost::new();
    let settings = ClusterSettings {
        namespace: env.namespace.clone(),
        profiles: ProfileSettings {
            node: NODE.into(),
            clock: None,
            run_dir: run_dir.path().to_owned(),
        },
        sys_class_net: sysfs.path().join("class/net"),
        timestamping: |_| Some(super::devices::testing::hardware(Some(2))),
    };
    let health = Health::new(crate::agent::NOT_APPLIED);
    let (stop_tx, agent) = spawn_agent(&env.client, &settings, &host, &health);

    // A slave profile, one the agent runs only in part, and one with a bad option.
    let mut partial = profile("cfg_bc", "[global]\npriority2 50\n[ptpx1]\n");
    partial.profile.phc2sys_opts = Some("-a -r".into());
    let bad = profile("cfg_bad", "[global]\nno_such_option 1\n[ptpx2]\n");
    let mut empty = profile("cfg_empty", "[ptpx3]\n");
    empty.profile.ptp4l_opts = Some(String::new());
    let slave = profile("cfg_slave", &quick(128));
    write_spec(&api, vec![partial.clone(), bad, empty, slave.clone()]).await;
    let status = applied(&api, "four profiles", |s| s.profiles.len() == 4).await;
    // The node's PCI interfaces that stamp in hardware (here every one) are reported; a
    // virtual function and a virtual interface are not.
    let found = wait_devices(&devices).await;
    assert_eq!(found, ["eno1", "ens1f0"]);
    assert!(health.ready() && health.alive(std::time::Instant::now()));
    let state = |name: &str| {
        let p = status.profiles.iter().find(|p| p.name == name).unwrap();
        (p.state.as_str(), p.config.clone(), p.problems.clone())
    };
    assert_eq!(state("cfg_bad").0, REFUSED);
    assert!(
        state("cfg_bad").2[0].contains("no_such_option"),
        "{status:?}"
    );
    assert_eq!(state("cfg_empty").0, NOT_RUN);
    let (bc_state, _, bc_problems) = state("cfg_bc");
    assert_eq!(bc_state, RUNNING);
    assert_eq!(
        bc_problems,
        ["phc2sysOpts: the phc2sys duty is not run by this agent yet"]
    );
    let (slave_state, slave_config, _) = state("cfg_slave");
    assert_eq!(slave_state, RUNNING);
    // The instances run: their ports are open, their management sockets answer.
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.opened("ptpx1")),
        (1, 1)
    );
    assert_eq!(host.ports.opened("ptpx9"), 0, "another node's profile ran");
    let slave_socket = run_dir
        .path()
        .join(slave_config.unwrap().replace(".config", ".socket"));
    let slave_socket = slave_socket.to_string_lossy().into_owned();
    assert!(ask(&slave_socket, "GET PRIORITY2")
        .await
        .contains("priority2 128"));
    let hash = |s: &NodePtpConfigStatus, name: &str| {
        s.profiles
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.config_hash.clone())
    };
    let (slave_hash, bc_hash) = (hash(&status, "cfg_slave"), hash(&status, "cfg_bc"));
    assert!(slave_hash.is_some() && bc_hash.is_some());
    // Its sync state follows: alone on its link, the port becomes MASTER, the clock its own
    // grandmaster, free running.
    let status = applied(&api, "the port MASTER", |s| {
        s.profiles.iter().any(|p| {
            p.name == "cfg_slave"
                && p.ports
                    .first()
                    .is_some_and(|port| port.state == PortState::Master)
        })
    })
    .await;
    let p = status
        .profiles
        .iter()
        .find(|p| p.name == "cfg_slave")
        .unwrap();
    assert_eq!(p.ports[0].interface, "ptpx0");
    assert_eq!(p.clock_state.as_deref(), Some("FREERUN"));
    assert_eq!(p.grandmaster_identity, Some(IDENTITY.to_string()));
    assert_eq!(
        (p.clock_class, p.servo_state, p.offset_ns),
        (Some(248), None, None)
    );
    // Events regarding the node's object: what was applied, what was refused, and a new
    // clock class when the grandmaster's settings change.
    let events: Api<KubeEvent> = Api::namespaced(env.client.clone(), &env.namespace);
    event(&events, "PtpConfigApplied", "running: cfg_slave, cfg_bc").await;
    event(&events, "PtpConfigRefused", "cfg_bad: ptp4l:").await;
    let answer = ask(&slave_socket, &gm_settings(7)).await;
    assert!(answer.contains("clockClass"), "{answer}");
    event(
        &events,
        "PtpClockClassChange",
        "cfg_slave: clock class 248 to 7",
    )
    .await;

    // An edit of one profile's priority2: applied in place (nothing reopened), its hash
    // changes, the other profile's does not.
    let edited = profile("cfg_slave", &quick(99));
    let bad = profile("cfg_bad", "[global]\nno_such_option 1\n[ptpx2]\n");
    let mut empty = profile("cfg_empty", "[ptpx3]\n");
    empty.profile.ptp4l_opts = Some(String::new());
    write_spec(&api, vec![partial.clone(), bad, empty, edited]).await;
    let status = applied(&api, "the edit", |s| hash(s, "cfg_slave") != slave_hash).await;
    assert_eq!(hash(&status, "cfg_bc"), bc_hash);
    assert!(ask(&slave_socket, "GET PRIORITY2")
        .await
        .contains("priority2 99"));
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    assert_eq!(
        (host.ports.opened("ptpx1"), host.ports.closed("ptpx1")),
        (1, 0)
    );

    // Profiles removed: their instances stop and close their ports.
    write_spec(&api, Vec::new()).await;
    applied(&api, "no profiles", |s| s.profiles.is_empty()).await;
    assert_eq!(host.ports.closed("ptpx0"), 1);
    assert_eq!(host.ports.closed("ptpx1"), 1);
    let _ = stop_tx.send(());
    agent.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_api_server_gone_the_profiles_run_on_and_the_status_catches_up() {
    let Some(mut cluster) = kube_harness::own_cluster("cluster_mode_outage").await else {
        return;
    };
    let client = cluster.client().unwrap();
    let namespace = cluster.namespace(&client, "outage").await.unwrap();
    kube_harness::wait::install_crds(
        &client,
        operator::crd::definitions().into_iter().map(|(_, crd)| crd),
    )
    .await;
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), &namespace);
    let run_dir = tempfile::tempdir().unwrap();
    let host = TestHost::new();
    let settings = ClusterSettings {
        namespace,
        profiles: ProfileSettings {
            node: NODE.into(),
            clock: None,
            run_dir: run_dir.path().to_owned(),
        },
        sys_class_net: run_dir.path().join("no-interfaces"),
        timestamping: |_| None,
    };
    let (stop_tx, agent) = spawn_agent(
        &client,
        &settings,
        &host,
        &Health::new(crate::agent::NOT_APPLIED),
    );
    write_spec(&api, vec![profile("cfg_gm", &quick(128))]).await;
    let class = |s: &NodePtpConfigStatus| s.profiles.first().and_then(|p| p.clock_class);
    applied(&api, "the grandmaster's class", |s| class(s) == Some(248)).await;

    // The API server goes for 10 s; meanwhile the grandmaster's class changes, as a GNSS
    // receiver's state would change it.
    cluster.stop_apiserver();
    let socket = run_dir.path().join("ptp4l.0.socket");
    let socket = socket.to_string_lossy().into_owned();
    let answer = ask(&socket, &gm_settings(7)).await;
    assert!(answer.contains("clockClass"), "{answer}");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(
        !agent.is_finished(),
        "the agent ended without its API server"
    );
    cluster.start_apiserver().await.unwrap();

    // The status catches up; nothing was restarted.
    let status = applied(&api, "the class after the outage", |s| class(s) == Some(7)).await;
    assert_eq!(status.profiles[0].state, RUNNING);
    // The event of the change, kept while the API server was away, is published too.
    let events: Api<KubeEvent> = Api::namespaced(client.clone(), &settings.namespace);
    event(
        &events,
        "PtpClockClassChange",
        "cfg_gm: clock class 248 to 7",
    )
    .await;
    assert_eq!(
        (host.ports.opened("ptpx0"), host.ports.closed("ptpx0")),
        (1, 0)
    );
    let _ = stop_tx.send(());
    agent.await.unwrap();
}

//! Kube tier: the operator against a real kube-apiserver (v1.20.2). No kubelet and no
//! controller-manager: Nodes are plain objects, nothing is garbage collected, DaemonSets stay
//! at zero pods. Node names carry the test's namespace, because Nodes are cluster-wide and the
//! tests of this binary share one cluster.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, ResourceExt};
use operator::crd::{NodePtpConfig, NodePtpDevice, PtpConfig, PtpOperatorConfig};
use operator::plan::{CONDITION_REFERENCES, CONDITION_VALID};
use serde_json::{json, Value};
use support::{create_node, install_crds, start_operator, wait_for, wait_gone};

const LONG: Duration = Duration::from_secs(30);

fn condition<'a>(
    config: &'a PtpConfig,
    type_: &str,
) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
    config
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

fn condition_is(config: &PtpConfig, type_: &str, status: &str) -> bool {
    condition(config, type_)
        .is_some_and(|c| c.status == status && c.observed_generation == config.metadata.generation)
}

fn match_list(config: &PtpConfig) -> Vec<(String, String)> {
    config
        .status
        .as_ref()
        .and_then(|s| s.match_list.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.node_name, m.profile))
        .collect()
}

fn profile_names(config: &NodePtpConfig) -> Vec<String> {
    config
        .spec
        .profiles
        .iter()
        .map(|p| p.profile.name.clone())
        .collect()
}

fn ptp_config(name: &str, profiles: Value, recommend: Value) -> PtpConfig {
    serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig", "metadata": {"name": name},
        "spec": {"profile": profiles, "recommend": recommend}
    }))
    .unwrap()
}

async fn set_labels(client: &Client, node: &str, labels: Value) {
    Api::<Node>::all(client.clone())
        .patch(
            node,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": labels}})),
        )
        .await
        .unwrap();
}

/// Every upstream sample and profile fixture, applied to a cluster with the operator running:
/// each becomes a valid PtpConfig whose profiles reach the nodes it recommends them for.
#[tokio::test]
async fn upstream_samples_and_profiles_reconcile() {
    let Some(env) = kube_harness::test_env("op_samples").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), ns);

    // The samples: PtpOperatorConfig `default`, a PtpConfig for node.example.com, a
    // NodePtpDevice.
    let mut expected_selector = BTreeMap::new();
    for (name, mut sample) in common::samples() {
        sample["metadata"]["namespace"] = json!(ns);
        match sample["kind"].as_str().unwrap() {
            "PtpOperatorConfig" => {
                let object: PtpOperatorConfig = serde_json::from_value(sample).unwrap();
                expected_selector = object.spec.daemon_node_selector.clone();
                Api::<PtpOperatorConfig>::namespaced(env.client.clone(), ns)
                    .create(&PostParams::default(), &object)
                    .await
                    .unwrap();
            }
            "PtpConfig" => {
                let object: PtpConfig = serde_json::from_value(sample).unwrap();
                configs
                    .create(&PostParams::default(), &object)
                    .await
                    .unwrap();
            }
            "NodePtpDevice" => {
                let object: NodePtpDevice = serde_json::from_value(sample).unwrap();
                Api::<NodePtpDevice>::namespaced(env.client.clone(), ns)
                    .create(&PostParams::default(), &object)
                    .await
                    .unwrap();
            }
            other => panic!("{name}: unexpected kind {other}"),
        }
    }
    // Each profile fixture in a PtpConfig of its own, recommended by a label.
    let label = format!("ptp.example/{ns}");
    let mut fixture_configs = Vec::new();
    for (stem, profile) in common::profiles() {
        let profile_name = profile["name"].as_str().unwrap().to_owned();
        let config = ptp_config(
            &stem,
            json!([profile]),
            json!([{"profile": profile_name, "priority": 0, "match": [{"nodeLabel": label}]}]),
        );
        configs
            .create(&PostParams::default(), &config)
            .await
            .unwrap();
        fixture_configs.push((stem, profile_name));
    }
    // The sample's PtpConfig names node.example.com; this test owns that name.
    create_node(&env.client, "node.example.com", &[]).await;
    let labelled = format!("{ns}-labelled");
    create_node(&env.client, &labelled, &[&label]).await;

    let running = start_operator(&env.client, ns);

    let sample = wait_for(&configs, "example-ptpconfig", LONG, |c| {
        condition_is(c, CONDITION_VALID, "True") && !match_list(c).is_empty()
    })
    .await;
    assert_eq!(
        match_list(&sample),
        [(
            "node.example.com".to_owned(),
            "example-ptpconfig_profile1".to_owned()
        )]
    );
    assert!(condition_is(&sample, CONDITION_REFERENCES, "True"));

    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    let mut expected: Vec<String> = fixture_configs
        .iter()
        .map(|(stem, profile)| format!("{stem}_{profile}"))
        .collect();
    expected.sort();
    let on_node = wait_for(&node_configs, &labelled, LONG, |c| {
        profile_names(c) == expected
    })
    .await;
    // The node gets the profile content with the name qualified, and where it comes from.
    for (stem, profile_name) in &fixture_configs {
        // Status is written after the nodes' objects, in the same pass.
        let stored = wait_for(&configs, stem, LONG, |c| {
            condition_is(c, CONDITION_VALID, "True") && !match_list(c).is_empty()
        })
        .await;
        assert_eq!(
            match_list(&stored),
            [(labelled.clone(), format!("{stem}_{profile_name}"))]
        );
        let entry = on_node
            .spec
            .profiles
            .iter()
            .find(|p| p.ptp_config == *stem)
            .unwrap();
        let mut want = stored.spec.profile[0].clone();
        want.name = format!("{stem}_{profile_name}");
        assert_eq!(entry.profile, want, "{stem}");
    }

    // The workload, with the PtpOperatorConfig sample's node selector.
    let ds = wait_for(
        &Api::<DaemonSet>::namespaced(env.client.clone(), ns),
        "ptp-agent",
        LONG,
        |_| true,
    )
    .await;
    let pod = ds.spec.unwrap().template.spec.unwrap();
    assert_eq!(pod.node_selector.unwrap(), expected_selector);
    assert_eq!(pod.service_account_name.as_deref(), Some("ptp-agent"));
    assert_eq!(pod.containers[0].image.as_deref(), Some(support::IMAGE));
    Api::<ServiceAccount>::namespaced(env.client.clone(), ns)
        .get("ptp-agent")
        .await
        .unwrap();
    Api::<RoleBinding>::namespaced(env.client.clone(), ns)
        .get("ptp-agent")
        .await
        .unwrap();
    let role = Api::<Role>::namespaced(env.client.clone(), ns)
        .get("ptp-agent")
        .await
        .unwrap();
    assert_eq!(role.rules.unwrap().len(), 4);
    let service = Api::<Service>::namespaced(env.client.clone(), ns)
        .get("ptp-agent")
        .await
        .unwrap();
    assert_eq!(service.spec.unwrap().ports.unwrap()[0].port, 9091);
    // The sample NodePtpDevice is kept; the labelled node gets one.
    let devices: Api<NodePtpDevice> = Api::namespaced(env.client.clone(), ns);
    devices.get("node.example.com").await.unwrap();
    wait_for(&devices, &labelled, LONG, |_| true).await;

    running.stop().await;
}

/// The `default` PtpOperatorConfig is created when missing, and its node selector reaches
/// the DaemonSet.
#[tokio::test]
async fn default_operator_config_is_created_and_followed() {
    let Some(env) = kube_harness::test_env("op_default").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let running = start_operator(&env.client, ns);
    let operator_configs: Api<PtpOperatorConfig> = Api::namespaced(env.client.clone(), ns);
    let created = wait_for(&operator_configs, "default", LONG, |_| true).await;
    assert!(created.spec.daemon_node_selector.is_empty());
    let daemon_sets: Api<DaemonSet> = Api::namespaced(env.client.clone(), ns);
    let selector = |d: &DaemonSet| {
        d.spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|p| p.node_selector.clone())
    };
    wait_for(&daemon_sets, "ptp-agent", LONG, |d| selector(d).is_none()).await;
    operator_configs
        .patch(
            "default",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"daemonNodeSelector": {"ptp": "yes"}}})),
        )
        .await
        .unwrap();
    wait_for(&daemon_sets, "ptp-agent", LONG, |d| {
        selector(d) == Some(BTreeMap::from([("ptp".to_owned(), "yes".to_owned())]))
    })
    .await;
    // Deleted: created again.
    let uid = created.uid().unwrap();
    operator_configs
        .delete("default", &DeleteParams::default())
        .await
        .unwrap();
    wait_for(&operator_configs, "default", LONG, |c| {
        c.uid().unwrap() != uid
    })
    .await;
    running.stop().await;
}

/// A label added to a Node reaches `matchList` and the node's NodePtpConfig within 2 s, and
/// its removal takes the profile away again.
#[tokio::test]
async fn node_label_change_takes_effect_at_once() {
    let Some(env) = kube_harness::test_env("op_labels").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let node = format!("{ns}-node");
    let label = format!("ptp.example/{ns}-gm");
    create_node(&env.client, &node, &[]).await;
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), ns);
    let config = ptp_config(
        "gm",
        json!([{"name": "p", "ptp4lConf": "[global]\ndomainNumber 24\n"}]),
        json!([{"profile": "p", "priority": 0, "match": [{"nodeLabel": label}]}]),
    );
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
    let running = start_operator(&env.client, ns);
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    // Converged with the node unselected.
    wait_for(&node_configs, &node, LONG, |c| c.spec.profiles.is_empty()).await;
    wait_for(&configs, "gm", LONG, |c| {
        condition_is(c, CONDITION_VALID, "True")
    })
    .await;

    let limit = Duration::from_secs(2);
    let begin = Instant::now();
    set_labels(&env.client, &node, json!({ label.clone(): "" })).await;
    wait_for(&node_configs, &node, limit, |c| {
        profile_names(c) == ["gm_p"]
    })
    .await;
    wait_for(&configs, "gm", limit.saturating_sub(begin.elapsed()), |c| {
        match_list(c) == [(node.clone(), "gm_p".to_owned())]
    })
    .await;
    eprintln!(
        "label added -> node's profiles and matchList in {:?}",
        begin.elapsed()
    );

    let begin = Instant::now();
    set_labels(&env.client, &node, json!({ label.clone(): null })).await;
    wait_for(&node_configs, &node, limit, |c| c.spec.profiles.is_empty()).await;
    wait_for(&configs, "gm", limit.saturating_sub(begin.elapsed()), |c| {
        match_list(c).is_empty()
    })
    .await;
    eprintln!(
        "label removed -> node's profiles and matchList in {:?}",
        begin.elapsed()
    );
    running.stop().await;
}

/// An invalid `ptp4lConf` gives a False condition naming the line, and the node keeps the
/// profiles it had; fixing it lets the new profile through.
#[tokio::test]
async fn invalid_ptp4l_conf_is_reported_and_the_node_keeps_its_profiles() {
    let Some(env) = kube_harness::test_env("op_invalid").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let node = format!("{ns}-node");
    create_node(&env.client, &node, &[]).await;
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), ns);
    let good = "[global]\ndomainNumber 24\n";
    let config = ptp_config(
        "bc",
        json!([{"name": "p", "ptp4lConf": good}]),
        json!([{"profile": "p", "priority": 0, "match": [{"nodeName": node}]}]),
    );
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
    let running = start_operator(&env.client, ns);
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    let conf_of = |c: &NodePtpConfig| {
        c.spec
            .profiles
            .first()
            .and_then(|p| p.profile.ptp4l_conf.clone())
    };
    let before = wait_for(&node_configs, &node, LONG, |c| {
        conf_of(c).as_deref() == Some(good)
    })
    .await;

    let bad = "[global]\ndomainNumber 24\npriority1 high\n";
    configs
        .patch(
            "bc",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"profile": [{"name": "p", "ptp4lConf": bad}]}})),
        )
        .await
        .unwrap();
    let reported = wait_for(&configs, "bc", LONG, |c| {
        condition_is(c, CONDITION_VALID, "False")
    })
    .await;
    let valid = condition(&reported, CONDITION_VALID).unwrap();
    assert_eq!(valid.reason, "InvalidConfig");
    assert!(
        valid
            .message
            .starts_with("profile p ptp4lConf: line 3 in [global] section"),
        "{}",
        valid.message
    );
    assert!(valid.message.contains("priority1"), "{}", valid.message);
    assert!(
        valid
            .message
            .contains(&format!("nodes keeping their previous profiles: {node}")),
        "{}",
        valid.message
    );
    // The node kept its set: same object version, same content.
    let after = node_configs.get(&node).await.unwrap();
    assert_eq!(after.resource_version(), before.resource_version());
    assert_eq!(conf_of(&after).as_deref(), Some(good));
    // matchList says what the node runs.
    assert_eq!(match_list(&reported), [(node.clone(), "bc_p".to_owned())]);
    // And a Warning Event regarding the PtpConfig says it too.
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(env.client.clone(), ns);
    let warned = |list: &[k8s_openapi::api::events::v1::Event]| {
        list.iter().any(|e| {
            e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("bc")
                && e.type_.as_deref() == Some("Warning")
                && e.reason.as_deref() == Some("InvalidConfig")
                && e.note.as_deref().is_some_and(|n| n.contains("priority1"))
        })
    };
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let list = events.list(&Default::default()).await.unwrap().items;
        if warned(&list) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no Warning Event: {list:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let fixed = "[global]\ndomainNumber 25\n";
    configs
        .patch(
            "bc",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"profile": [{"name": "p", "ptp4lConf": fixed}]}})),
        )
        .await
        .unwrap();
    wait_for(&node_configs, &node, LONG, |c| {
        conf_of(c).as_deref() == Some(fixed)
    })
    .await;
    wait_for(&configs, "bc", LONG, |c| {
        condition_is(c, CONDITION_VALID, "True")
    })
    .await;
    running.stop().await;
}

/// `resourceVersion` of every object the operator writes, by kind and name.
async fn versions(client: &Client, ns: &str) -> BTreeMap<String, String> {
    async fn add<K>(out: &mut BTreeMap<String, String>, api: Api<K>, kind: &str)
    where
        K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        for o in api.list(&ListParams::default()).await.unwrap() {
            out.insert(
                format!("{kind}/{}", o.name_any()),
                o.resource_version().unwrap(),
            );
        }
    }
    let mut out = BTreeMap::new();
    add(
        &mut out,
        Api::<PtpConfig>::namespaced(client.clone(), ns),
        "PtpConfig",
    )
    .await;
    add(
        &mut out,
        Api::<PtpOperatorConfig>::namespaced(client.clone(), ns),
        "PtpOperatorConfig",
    )
    .await;
    add(
        &mut out,
        Api::<NodePtpConfig>::namespaced(client.clone(), ns),
        "NodePtpConfig",
    )
    .await;
    add(
        &mut out,
        Api::<NodePtpDevice>::namespaced(client.clone(), ns),
        "NodePtpDevice",
    )
    .await;
    add(
        &mut out,
        Api::<DaemonSet>::namespaced(client.clone(), ns),
        "DaemonSet",
    )
    .await;
    add(
        &mut out,
        Api::<ServiceAccount>::namespaced(client.clone(), ns),
        "ServiceAccount",
    )
    .await;
    add(
        &mut out,
        Api::<Role>::namespaced(client.clone(), ns),
        "Role",
    )
    .await;
    add(
        &mut out,
        Api::<RoleBinding>::namespaced(client.clone(), ns),
        "RoleBinding",
    )
    .await;
    add(
        &mut out,
        Api::<Service>::namespaced(client.clone(), ns),
        "Service",
    )
    .await;
    out
}

/// Once converged, a pass writes nothing: no request that changes a resourceVersion. On a
/// cluster of its own, so that no other test's Nodes come and go during the passes.
#[tokio::test]
async fn a_second_reconcile_changes_nothing() {
    let Some(cluster) = kube_harness::own_cluster("op_noop").await else {
        return;
    };
    let client = cluster.client().unwrap();
    let ns = &cluster.namespace(&client, "noop").await.unwrap();
    install_crds(&client).await;
    let node = format!("{ns}-node");
    create_node(&client, &node, &["a"]).await;
    let configs: Api<PtpConfig> = Api::namespaced(client.clone(), ns);
    let config = ptp_config(
        "c",
        json!([{"name": "p", "ptp4lConf": "[global]\n", "ptpSettings": {"haProfiles": "q"}},
               {"name": "q"}, {"name": "bad", "ptp4lConf": "[global]\nnope 1\n"}]),
        json!([{"profile": "p", "priority": 0, "match": [{"nodeLabel": "a"}]},
               {"profile": "q", "priority": 0, "match": [{"nodeName": node}]}]),
    );
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
    let ctx = support::context(&client, ns);
    let first = operator::reconcile::reconcile_once(&ctx).await.unwrap();
    // default PtpOperatorConfig's workload (5), NodePtpConfig, NodePtpDevice, status.
    assert!(first >= 8, "{first} writes");
    let before = versions(&client, ns).await;
    assert!(before.contains_key(&format!("NodePtpConfig/{node}")));
    assert!(before.contains_key("DaemonSet/ptp-agent"));
    let stored = configs.get("c").await.unwrap();
    assert!(
        condition_is(&stored, CONDITION_VALID, "False"),
        "the bad profile is reported"
    );
    for _ in 0..2 {
        assert_eq!(operator::reconcile::reconcile_once(&ctx).await.unwrap(), 0);
        assert_eq!(versions(&client, ns).await, before);
    }
    // The control: after a change to the profile, the same pass writes the node's
    // NodePtpConfig again, and the same listing sees its new version.
    let mut changed = config.spec.clone();
    changed.profile[0].ptp4l_conf = Some("[global]\ndomainNumber 1\n".to_owned());
    configs
        .patch(
            "c",
            &PatchParams::default(),
            &Patch::Merge(json!({ "spec": changed })),
        )
        .await
        .unwrap();
    assert!(operator::reconcile::reconcile_once(&ctx).await.unwrap() > 0);
    let key = format!("NodePtpConfig/{node}");
    assert_ne!(versions(&client, ns).await.get(&key), before.get(&key));
}

/// A Node's NodePtpDevice and NodePtpConfig go with it (no garbage collector here).
#[tokio::test]
async fn node_objects_follow_their_node() {
    let Some(env) = kube_harness::test_env("op_node_gone").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let running = start_operator(&env.client, ns);
    let node = format!("{ns}-node");
    let created = create_node(&env.client, &node, &[]).await;
    let devices: Api<NodePtpDevice> = Api::namespaced(env.client.clone(), ns);
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    let device = wait_for(&devices, &node, LONG, |_| true).await;
    let owner = &device.owner_references()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.uid.as_str()),
        ("Node", created.uid().unwrap().as_str())
    );
    wait_for(&node_configs, &node, LONG, |_| true).await;
    Api::<Node>::all(env.client.clone())
        .delete(&node, &DeleteParams::default())
        .await
        .unwrap();
    wait_gone(&devices, &node, LONG).await;
    wait_gone(&node_configs, &node, LONG).await;
    running.stop().await;
}

/// The PtpConfig's summary follows what the nodes' agents write to their NodePtpConfig
/// status: applied once the status is of the current generation, locked once LOCKED.
#[tokio::test]
async fn the_summary_follows_the_agents_status() {
    let Some(env) = kube_harness::test_env("op_summary").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let node = format!("{ns}-node");
    let label = format!("ptp.example/{ns}-slave");
    create_node(&env.client, &node, &[&label]).await;
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), ns);
    let config = ptp_config(
        "sl",
        json!([{"name": "p", "ptp4lConf": "[global]\nslaveOnly 1\n"}]),
        json!([{"profile": "p", "priority": 0, "match": [{"nodeLabel": label}]}]),
    );
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
    let running = start_operator(&env.client, ns);
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    let given = wait_for(&node_configs, &node, LONG, |c| profile_names(c) == ["sl_p"]).await;
    let summary = |c: &PtpConfig| c.status.as_ref().and_then(|s| s.summary.clone());
    let counts = |c: &PtpConfig| summary(c).map(|s| (s.nodes, s.applied, s.locked));
    // Nothing from the agent yet: selected, not applied, not locked, named.
    let c = wait_for(&configs, "sl", LONG, |c| counts(c) == Some((1, 0, 0))).await;
    assert_eq!(summary(&c).unwrap().not_locked, std::slice::from_ref(&node));

    let agent_writes = |clock_state: &str, offset: i64| {
        json!({"apiVersion": "ptp.openshift.io/v1", "kind": "NodePtpConfig",
               "metadata": {"name": node},
               "status": {"appliedGeneration": given.metadata.generation,
                          "profiles": [{"name": "sl_p", "state": "Running",
                                        "clockState": clock_state, "offsetNs": offset,
                                        "ports": [{"interface": "eth0", "state": "SLAVE"}]}]}})
    };
    let as_agent = PatchParams::apply("ptp-agent").force();
    node_configs
        .patch_status(
            &node,
            &as_agent,
            &Patch::Apply(agent_writes("FREERUN", 900)),
        )
        .await
        .unwrap();
    wait_for(&configs, "sl", LONG, |c| counts(c) == Some((1, 1, 0))).await;
    node_configs
        .patch_status(&node, &as_agent, &Patch::Apply(agent_writes("LOCKED", 12)))
        .await
        .unwrap();
    let c = wait_for(&configs, "sl", LONG, |c| counts(c) == Some((1, 1, 1))).await;
    assert!(summary(&c).unwrap().not_locked.is_empty());
    running.stop().await;
}

/// What the operator owns is put back when edited by hand: the DaemonSet's image, a
/// NodePtpConfig's profiles, a deleted Service. A field someone else added stays.
#[tokio::test]
async fn hand_edits_of_owned_objects_are_put_back() {
    let Some(env) = kube_harness::test_env("op_drift").await else {
        return;
    };
    install_crds(&env.client).await;
    let ns = &env.namespace;
    let node = format!("{ns}-node");
    create_node(&env.client, &node, &[]).await;
    let configs: Api<PtpConfig> = Api::namespaced(env.client.clone(), ns);
    let config = ptp_config(
        "c",
        json!([{"name": "p", "ptp4lConf": "[global]\n"}]),
        json!([{"profile": "p", "priority": 0, "match": [{"nodeName": node}]}]),
    );
    configs
        .create(&PostParams::default(), &config)
        .await
        .unwrap();
    let running = start_operator(&env.client, ns);
    let daemon_sets: Api<DaemonSet> = Api::namespaced(env.client.clone(), ns);
    let node_configs: Api<NodePtpConfig> = Api::namespaced(env.client.clone(), ns);
    let services: Api<Service> = Api::namespaced(env.client.clone(), ns);
    let image = |d: &DaemonSet| {
        d.spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|p| p.containers.first())
            .and_then(|c| c.image.clone())
    };
    wait_for(&daemon_sets, "ptp-agent", LONG, |d| {
        image(d).as_deref() == Some(support::IMAGE)
    })
    .await;
    wait_for(&node_configs, &node, LONG, |c| c.spec.profiles.len() == 1).await;
    wait_for(&services, "ptp-agent", LONG, |_| true).await;

    // As `kubectl edit` would: another field manager.
    let by_hand = PatchParams {
        field_manager: Some("kubectl-edit".to_owned()),
        ..PatchParams::default()
    };
    daemon_sets
        .patch(
            "ptp-agent",
            &by_hand,
            &Patch::Strategic(json!({"metadata": {"labels": {"team": "timing"}},
                "spec": {"template": {"spec": {"containers": [{"name": "ptp-agent", "image": "elsewhere/agent:1"}]}}}})),
        )
        .await
        .unwrap();
    let fixed = wait_for(&daemon_sets, "ptp-agent", LONG, |d| {
        image(d).as_deref() == Some(support::IMAGE)
    })
    .await;
    assert_eq!(
        fixed.labels().get("team").map(String::as_str),
        Some("timing")
    );

    node_configs
        .patch(
            &node,
            &by_hand,
            &Patch::Merge(json!({"spec": {"profiles": []}})),
        )
        .await
        .unwrap();
    wait_for(&node_configs, &node, LONG, |c| c.spec.profiles.len() == 1).await;

    services
        .delete("ptp-agent", &DeleteParams::default())
        .await
        .unwrap();
    wait_for(&services, "ptp-agent", LONG, |s| {
        s.metadata.deletion_timestamp.is_none()
    })
    .await;
    running.stop().await;
}

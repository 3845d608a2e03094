//! Kube tier with RBAC enforced: the operator runs with a service-account token bound to the
//! roles in `deploy/operator/`, and the agents' token to the Role the operator creates. Every
//! request either is granted by those roles or fails the test; a few requests outside them
//! must be refused (so the roles are in force, and least privilege is real).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Secret};
use k8s_openapi::api::rbac::v1::Role;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams};
use kube::{Api, Client};
use kube_harness::access;
use operator::crd::{NodePtpConfig, NodePtpDevice, PtpConfig};
use operator::leader::{Elector, LeaseSettings};
use serde_json::json;
use support::{create_node, install_crds, wait_for, wait_gone};

const LONG: Duration = Duration::from_secs(60);

fn forbidden<T: std::fmt::Debug>(result: Result<T, kube::Error>) -> bool {
    matches!(result, Err(kube::Error::Api(ref e)) if e.code == 403)
}

#[tokio::test]
async fn operator_and_agent_work_within_their_roles() {
    let Some(cluster) =
        kube_harness::own_cluster_with("op_rbac", kube_harness::Authorization::Rbac).await
    else {
        return;
    };
    let admin = cluster.client().unwrap();
    let ns = cluster.namespace(&admin, "rbac").await.unwrap();
    install_crds(&admin).await;
    let pp = PostParams::default();
    access::install_operator_rbac(&admin, &ns).await;

    let operator_token = access::token(&admin, &ns, "ptp-operator").await;
    let as_operator =
        Client::try_from(cluster.config_with_token(&operator_token).unwrap()).unwrap();
    // In force: no Secrets for the operator.
    assert!(forbidden(
        Api::<Secret>::namespaced(as_operator.clone(), &ns)
            .list(&ListParams::default())
            .await
    ));

    let node = "rbac-node";
    create_node(&admin, node, &["ptp"]).await;
    let configs: Api<PtpConfig> = Api::namespaced(admin.clone(), &ns);
    let config: PtpConfig = serde_json::from_value(json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig", "metadata": {"name": "c"},
        "spec": {"profile": [{"name": "p", "ptp4lConf": "[global]\n"}],
                 "recommend": [{"profile": "p", "priority": 0, "match": [{"nodeLabel": "ptp"}]}]}
    }))
    .unwrap();
    configs.create(&pp, &config).await.unwrap();

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ctx = support::context(&as_operator, &ns);
    let elector = Elector::new(
        as_operator.clone(),
        LeaseSettings::new("ptp.openshift.io", &ns, "rbac"),
    );
    let task = tokio::spawn(operator::controller::run_elected(
        ctx,
        elector,
        async move {
            let _ = stopped.await;
        },
    ));

    // Everything the operator does, done with its own token.
    let node_configs: Api<NodePtpConfig> = Api::namespaced(admin.clone(), &ns);
    wait_for(&node_configs, node, LONG, |c| c.spec.profiles.len() == 1).await;
    wait_for(&configs, "c", LONG, |c| {
        c.status
            .as_ref()
            .and_then(|s| s.match_list.as_ref())
            .is_some_and(|m| m.len() == 1)
    })
    .await;
    let devices: Api<NodePtpDevice> = Api::namespaced(admin.clone(), &ns);
    wait_for(&devices, node, LONG, |_| true).await;
    wait_for(
        &Api::<Role>::namespaced(admin.clone(), &ns),
        "ptp-agent",
        LONG,
        |_| true,
    )
    .await;
    wait_for(
        &Api::<Lease>::namespaced(admin.clone(), &ns),
        "ptp.openshift.io",
        LONG,
        |_| true,
    )
    .await;

    // The agent, with the token of the ServiceAccount the operator made.
    let agent_token = access::token(&admin, &ns, "ptp-agent").await;
    let as_agent = Client::try_from(cluster.config_with_token(&agent_token).unwrap()).unwrap();
    let agent_configs: Api<NodePtpConfig> = Api::namespaced(as_agent.clone(), &ns);
    agent_configs.get(node).await.unwrap();
    let by_name = WatchParams::default().fields(&format!("metadata.name={node}"));
    // The request is answered (or refused) before the stream is returned.
    let watch = agent_configs.watch(&by_name, "0").await.unwrap();
    drop(watch);
    let node_status = json!({"apiVersion": "ptp.openshift.io/v1", "kind": "NodePtpConfig",
                             "metadata": {"name": node},
                             "status": {"appliedGeneration": 1, "profiles": []}});
    agent_configs
        .patch_status(
            node,
            &PatchParams::apply("ptp-agent-rbac-node"),
            &Patch::Apply(node_status),
        )
        .await
        .unwrap();
    let devices_status = json!({"apiVersion": "ptp.openshift.io/v1", "kind": "NodePtpDevice",
                                "status": {"devices": [{"name": "ens1f0"}]}});
    Api::<NodePtpDevice>::namespaced(as_agent.clone(), &ns)
        .patch_status(
            node,
            &PatchParams::apply("ptp-agent-rbac-node"),
            &Patch::Apply(devices_status),
        )
        .await
        .unwrap();
    // ... and nothing more: no spec writes, no PtpConfig reads or status writes (a node's
    // sync state is in its own NodePtpConfig), no Nodes.
    let agent_ptp_configs = Api::<PtpConfig>::namespaced(as_agent.clone(), &ns);
    assert!(forbidden(agent_ptp_configs.get("c").await));
    let sync = json!({"apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig",
                      "metadata": {"name": "c"}, "status": {"matchList": []}});
    assert!(forbidden(
        agent_ptp_configs
            .patch_status(
                "c",
                &PatchParams::apply("ptp-agent-rbac-node"),
                &Patch::Apply(sync),
            )
            .await
    ));
    assert!(forbidden(
        agent_ptp_configs
            .patch(
                "c",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"recommend": []}}))
            )
            .await
    ));
    assert!(forbidden(
        agent_configs
            .patch(
                node,
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"profiles": []}}))
            )
            .await
    ));
    assert!(forbidden(
        Api::<Node>::all(as_agent.clone()).get(node).await
    ));

    // The node goes: the operator deletes its objects.
    Api::<Node>::all(admin.clone())
        .delete(node, &DeleteParams::default())
        .await
        .unwrap();
    wait_gone(&devices, node, LONG).await;
    wait_gone(&node_configs, node, LONG).await;

    stop.send(()).unwrap();
    tokio::time::timeout(LONG, task).await.unwrap().unwrap();
}

//! The operator's watch caches: one reflector store per kind a pass reads, filled by the same
//! watches that wake the controller ([`Watches`]), so a pass reads memory instead of listing
//! every Node and NodePtpConfig of the cluster.
//!
//! The workload objects are watched by their label ([`crate::agent::APP_LABEL`]), the rest
//! whole. A store is rebuilt from a fresh list whenever its watch had to list again, and a
//! reflector applies an event to its store before the event wakes the controller, so a pass
//! woken by a change sees it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use futures::stream::BoxStream;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tracing::warn;

use crate::agent::{AGENT_NAME, APP_LABEL};
use crate::crd::{
    NodePtpConfig, NodePtpDevice, PortState, PtpConfig, PtpOperatorConfig, SINGLETON_NAME,
};
use crate::plan::{Inputs, LiveWorkload};
use crate::triggers::changed;
use crate::watch::watch;

/// A stream of the objects of one kind worth a pass. It never yields an error (see
/// [`reflected`]).
pub type Trigger<K> = BoxStream<'static, Result<K, watcher::Error>>;

/// The stores a pass reads.
#[derive(Clone)]
pub struct Caches {
    configs: Store<PtpConfig>,
    nodes: Store<Node>,
    node_configs: Store<NodePtpConfig>,
    devices: Store<NodePtpDevice>,
    service_accounts: Store<ServiceAccount>,
    roles: Store<Role>,
    role_bindings: Store<RoleBinding>,
    services: Store<Service>,
    daemon_sets: Store<DaemonSet>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("configs", &self.configs.len())
            .field("nodes", &self.nodes.len())
            .field("node_configs", &self.node_configs.len())
            .finish_non_exhaustive()
    }
}

/// The watches filling [`Caches`], each filtered to what wakes the controller (see
/// [`crate::triggers`]): the `default` PtpOperatorConfig (its own store, the controller's
/// main stream), a PtpConfig's spec, a Node's labels, a NodePtpConfig's spec, owners and what
/// the summaries read of its status, a NodePtpDevice coming or going, any change to a
/// workload object.
pub struct Watches {
    /// The `default` PtpOperatorConfig.
    pub operator_config: (Store<PtpOperatorConfig>, Trigger<PtpOperatorConfig>),
    /// PtpConfigs.
    pub configs: Trigger<PtpConfig>,
    /// Nodes.
    pub nodes: Trigger<Node>,
    /// NodePtpConfigs.
    pub node_configs: Trigger<NodePtpConfig>,
    /// NodePtpDevices.
    pub devices: Trigger<NodePtpDevice>,
    /// The ServiceAccount.
    pub service_accounts: Trigger<ServiceAccount>,
    /// The Role.
    pub roles: Trigger<Role>,
    /// The RoleBinding.
    pub role_bindings: Trigger<RoleBinding>,
    /// The Service.
    pub services: Trigger<Service>,
    /// The DaemonSet.
    pub daemon_sets: Trigger<DaemonSet>,
}

impl std::fmt::Debug for Watches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watches").finish_non_exhaustive()
    }
}

impl Watches {
    /// Polls every watch until `caches` are filled; `false` if that takes longer than
    /// `limit`. For a pass outside the controller.
    pub async fn fill(self, caches: &Caches, limit: std::time::Duration) -> bool {
        let all = futures::stream::select_all([
            self.operator_config.1.map(drop).boxed(),
            self.configs.map(drop).boxed(),
            self.nodes.map(drop).boxed(),
            self.node_configs.map(drop).boxed(),
            self.devices.map(drop).boxed(),
            self.service_accounts.map(drop).boxed(),
            self.roles.map(drop).boxed(),
            self.role_bindings.map(drop).boxed(),
            self.services.map(drop).boxed(),
            self.daemon_sets.map(drop).boxed(),
        ]);
        let drain = all.for_each(|()| async {});
        tokio::time::timeout(limit, async {
            tokio::select! {
                () = caches.ready() => true,
                () = drain => false,
            }
        })
        .await
        .unwrap_or(false)
    }
}

/// A store of `api`'s objects under `config`, and the watch that fills it, filtered by
/// `fingerprint`.
fn reflected<K, F, T>(
    api: Api<K>,
    config: watcher::Config,
    fingerprint: F,
) -> (Store<K>, Trigger<K>)
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
    F: Fn(&K) -> T + Send + 'static,
    T: Eq + Hash + Send + 'static,
{
    let (reader, writer) = reflector::store();
    let stream = changed(watch(api, config).reflect(writer), fingerprint).filter(|item| {
        // A watch error is retried by the watch itself (see `crate::watch`); passed on, the
        // Controller would pause every trigger with its own, slower backoff.
        if let Err(err) = item {
            warn!(kind = %K::kind(&K::DynamicType::default()), error = %crate::report(err), "watch failed; retrying");
        }
        futures::future::ready(item.is_ok())
    });
    (reader, stream.boxed())
}

/// Starts nothing: returns the caches and the watches that fill them once polled (by the
/// controller, or by [`fill`]).
pub fn caches(client: &Client, namespace: &str) -> (Caches, Watches) {
    let all = watcher::Config::default;
    let workload = || all().labels(&format!("{}={}", APP_LABEL.0, APP_LABEL.1));

    let operator_config = reflected(
        Api::<PtpOperatorConfig>::namespaced(client.clone(), namespace),
        all().fields(&format!("metadata.name={SINGLETON_NAME}")),
        |c: &PtpOperatorConfig| c.metadata.generation,
    );
    let (configs, configs_w) = reflected(
        Api::<PtpConfig>::namespaced(client.clone(), namespace),
        all(),
        |c: &PtpConfig| c.metadata.generation,
    );
    let (nodes, nodes_w) = reflected(Api::<Node>::all(client.clone()), all(), |n: &Node| {
        n.labels().clone()
    });
    let (node_configs, node_configs_w) = reflected(
        Api::<NodePtpConfig>::namespaced(client.clone(), namespace),
        all(),
        |c: &NodePtpConfig| {
            let owners: Vec<String> = c.owner_references().iter().map(|o| o.uid.clone()).collect();
            (c.metadata.generation, owners, sync_fingerprint(c))
        },
    );
    let (devices, devices_w) = reflected(
        Api::<NodePtpDevice>::namespaced(client.clone(), namespace),
        all(),
        |_: &NodePtpDevice| (),
    );
    // Any change to a workload object other than the DaemonSet: they change only when
    // someone edits them.
    let (service_accounts, service_accounts_w) = reflected(
        Api::<ServiceAccount>::namespaced(client.clone(), namespace),
        workload(),
        |o: &ServiceAccount| o.resource_version(),
    );
    let (roles, roles_w) = reflected(
        Api::<Role>::namespaced(client.clone(), namespace),
        workload(),
        |o: &Role| o.resource_version(),
    );
    let (role_bindings, role_bindings_w) = reflected(
        Api::<RoleBinding>::namespaced(client.clone(), namespace),
        workload(),
        |o: &RoleBinding| o.resource_version(),
    );
    let (services, services_w) = reflected(
        Api::<Service>::namespaced(client.clone(), namespace),
        workload(),
        |o: &Service| o.resource_version(),
    );
    // Not its status, which the DaemonSet controller rewrites as pods come and go.
    let (daemon_sets, daemon_sets_w) = reflected(
        Api::<DaemonSet>::namespaced(client.clone(), namespace),
        workload(),
        |d: &DaemonSet| {
            (
                d.metadata.generation,
                d.labels().clone(),
                d.annotations().clone(),
            )
        },
    );
    (
        Caches {
            configs,
            nodes,
            node_configs,
            devices,
            service_accounts,
            roles,
            role_bindings,
            services,
            daemon_sets,
        },
        Watches {
            operator_config,
            configs: configs_w,
            nodes: nodes_w,
            node_configs: node_configs_w,
            devices: devices_w,
            service_accounts: service_accounts_w,
            roles: roles_w,
            role_bindings: role_bindings_w,
            services: services_w,
            daemon_sets: daemon_sets_w,
        },
    )
}

/// What the summaries read of a NodePtpConfig's status: not its measurements, which change
/// every few seconds.
type SyncFingerprint = Option<(
    Option<i64>,
    Vec<(String, String, Option<String>, Vec<PortState>)>,
)>;

fn sync_fingerprint(c: &NodePtpConfig) -> SyncFingerprint {
    c.status.as_ref().map(|s| {
        let profiles = s
            .profiles
            .iter()
            .map(|p| {
                let ports = p.ports.iter().map(|port| port.state).collect();
                (
                    p.name.clone(),
                    p.state.clone(),
                    p.clock_state.clone(),
                    ports,
                )
            })
            .collect();
        (s.applied_generation, profiles)
    })
}

impl Caches {
    /// Completes once every store has been filled by its first list.
    pub async fn ready(&self) {
        // A store's writer is dropped only with its watch, which lives as long as the
        // controller that polls it; then nothing waits here any more.
        let _ = futures::join!(
            self.configs.wait_until_ready(),
            self.nodes.wait_until_ready(),
            self.node_configs.wait_until_ready(),
            self.devices.wait_until_ready(),
            self.service_accounts.wait_until_ready(),
            self.roles.wait_until_ready(),
            self.role_bindings.wait_until_ready(),
            self.services.wait_until_ready(),
            self.daemon_sets.wait_until_ready(),
        );
    }

    /// What a pass for `operator_config` reads, as the stores hold it now. Objects are
    /// ordered by name, so that a pass does not depend on the stores' order.
    pub fn inputs(&self, operator_config: Arc<PtpOperatorConfig>) -> Inputs {
        Inputs {
            operator_config,
            configs: sorted(self.configs.state()),
            nodes: sorted(self.nodes.state()),
            node_configs: self
                .node_configs
                .state()
                .into_iter()
                .map(|c| (c.name_any(), c))
                .collect::<BTreeMap<_, _>>(),
            devices: self
                .devices
                .state()
                .iter()
                .map(|d| d.name_any())
                .collect::<BTreeSet<_>>(),
            workload: LiveWorkload {
                service_account: agents(self.service_accounts.state()),
                role: agents(self.roles.state()),
                role_binding: agents(self.role_bindings.state()),
                service: agents(self.services.state()),
                daemon_set: agents(self.daemon_sets.state()),
            },
        }
    }
}

fn sorted<K: Resource>(mut objects: Vec<Arc<K>>) -> Vec<Arc<K>> {
    objects.sort_by_key(|o| o.name_any());
    objects
}

/// The agents' object among `objects` (others may carry the same label).
fn agents<K: Resource>(objects: Vec<Arc<K>>) -> Option<Arc<K>> {
    objects.into_iter().find(|o| o.name_any() == AGENT_NAME)
}

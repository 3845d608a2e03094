//! The reconciler: from the `default` PtpOperatorConfig, every PtpConfig and every Node to
//! the agents' workload, one [`NodePtpConfig`] and one [`NodePtpDevice`] per node, and the
//! PtpConfigs' status.
//!
//! Like upstream's, each pass recomputes everything from what is in the cluster; unlike
//! upstream's it writes nothing that is already as wanted, so a pass over an unchanged
//! cluster changes no `resourceVersion`:
//! - objects the operator owns whole (DaemonSet, ServiceAccount, Role, RoleBinding, Service)
//!   carry a hash of what was applied ([`HASH_ANNOTATION`]); they are applied again only when
//!   that hash differs;
//! - NodePtpConfig specs and PtpConfig status are compared field by field.
//!
//! Writes are server-side applies with the field manager [`MANAGER`], so fields others own
//! (agents' NodePtpConfig status, users' labels) are left alone.
//!
//! A node whose selection includes an invalid profile (see [`crate::validate`]) or names a
//! profile that does not exist keeps its previous NodePtpConfig; the PtpConfig says why in its
//! conditions. Upstream instead fails the whole pass and updates no node.
//!
//! `status.matchList` lists what each node was given (its NodePtpConfig), so while a node
//! keeps its previous profiles the list says so, rather than what it would have been given.
//! Conditions: [`CONDITION_VALID`] and upstream's [`CONDITION_REFERENCES`], each with
//! `observedGeneration`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, OwnerReference, Time};
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::{debug, info, warn};

use crate::agent::{self, AgentSettings};
use crate::crd::{
    NodeMatchList, NodeProfile, NodePtpConfig, NodePtpConfigSpec, NodePtpDevice, NodePtpDeviceSpec,
    PortState, ProfileStatus, PtpConfig, PtpOperatorConfig, PtpOperatorConfigSpec, SyncSummary,
    NOT_LOCKED_LISTED, SINGLETON_NAME,
};
use crate::select::{self, NodeFacts};
use crate::validate::{self, Problem};

/// Field manager of every write the operator makes.
pub const MANAGER: &str = "ptp-operator";
/// Annotation holding the hash of what the operator last applied to an object it owns whole.
pub const HASH_ANNOTATION: &str = "ptp.openshift.io/applied-hash";
/// PtpConfig condition: every profile's linuxptp texts parse.
pub const CONDITION_VALID: &str = "ConfigValid";
/// PtpConfig condition: every profile reference resolves (upstream's name).
pub const CONDITION_REFERENCES: &str = "ProfileReferenceValid";
/// NodePtpConfig writes in flight at once.
const NODE_WRITES_IN_FLIGHT: usize = 8;
/// How long after a successful pass the reconciler runs again anyway.
const RESYNC: Duration = Duration::from_secs(300);
/// First and longest retry delay after a failed pass.
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What the reconciler needs.
pub struct Context {
    /// The client.
    pub client: Client,
    /// Namespace and image of the agents.
    pub settings: AgentSettings,
    /// Failed passes in a row, for the retry delay.
    failures: AtomicU32,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("settings", &self.settings)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context for the operator in `settings.namespace`.
    pub fn new(client: Client, settings: AgentSettings) -> Self {
        Self {
            client,
            settings,
            failures: AtomicU32::new(0),
        }
    }

    fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.settings.namespace)
    }
}

/// Why a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An API request failed.
    #[error("{what}")]
    Kube {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: kube::Error,
    },
    /// An object could not be serialised (for its hash).
    #[error("serialising {what}")]
    Json {
        /// Which object.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

fn kube_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> Error {
    let what = what.into();
    move |source| Error::Kube { what, source }
}

/// One pass (the Controller's reconcile function). The object is always the `default`
/// PtpOperatorConfig: every watched change maps to it.
pub async fn reconcile(
    _config: Arc<PtpOperatorConfig>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let start = std::time::Instant::now();
    let writes = reconcile_once(&ctx).await?;
    ctx.failures.store(0, Ordering::Relaxed);
    info!(
        writes,
        elapsed_ms = start.elapsed().as_millis() as u64,
        "reconciled"
    );
    Ok(Action::requeue(RESYNC))
}

/// The Controller's error policy: retry with exponential backoff (250 ms doubling to 30 s).
pub fn error_policy(_config: Arc<PtpOperatorConfig>, error: &Error, ctx: Arc<Context>) -> Action {
    let failures = ctx
        .failures
        .fetch_add(1, Ordering::Relaxed)
        .saturating_add(1);
    let delay = backoff(failures);
    warn!(error = %crate::report(error), failures, retry_in_ms = delay.as_millis() as u64, "reconcile failed");
    Action::requeue(delay)
}

/// Retry delay after `failures` failed passes in a row.
fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    BACKOFF_MIN
        .saturating_mul(1u32 << doublings)
        .min(BACKOFF_MAX)
}

/// Creates the `default` PtpOperatorConfig (every node, no events) if it is missing.
pub async fn ensure_default(ctx: &Context) -> Result<PtpOperatorConfig, Error> {
    let api: Api<PtpOperatorConfig> = ctx.api();
    if let Some(existing) = api
        .get_opt(SINGLETON_NAME)
        .await
        .map_err(kube_err("reading the default PtpOperatorConfig"))?
    {
        return Ok(existing);
    }
    let mut config = PtpOperatorConfig::new(SINGLETON_NAME, PtpOperatorConfigSpec::default());
    config.metadata.namespace = Some(ctx.settings.namespace.clone());
    match api.create(&PostParams::default(), &config).await {
        Ok(created) => {
            info!("created the default PtpOperatorConfig");
            Ok(created)
        }
        Err(kube::Error::Api(status)) if status.code == 409 => api
            .get(SINGLETON_NAME)
            .await
            .map_err(kube_err("reading the default PtpOperatorConfig")),
        Err(source) => Err(kube_err("creating the default PtpOperatorConfig")(source)),
    }
}

/// One whole pass, outside the Controller; returns how many objects it wrote (0 when the
/// cluster already matches).
pub async fn reconcile_once(ctx: &Context) -> Result<usize, Error> {
    let operator_config = ensure_default(ctx).await?;
    reconcile_with(ctx, &operator_config).await
}

/// One whole pass for the given `default` PtpOperatorConfig.
async fn reconcile_with(
    ctx: &Context,
    operator_config: &PtpOperatorConfig,
) -> Result<usize, Error> {
    let mut writes = 0;
    writes += apply_workload(ctx, operator_config).await?;

    let configs = ctx
        .api::<PtpConfig>()
        .list(&ListParams::default())
        .await
        .map_err(kube_err("listing PtpConfigs"))?
        .items;
    let nodes = Api::<Node>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await
        .map_err(kube_err("listing Nodes"))?
        .items;
    let node_configs: BTreeMap<String, NodePtpConfig> = ctx
        .api::<NodePtpConfig>()
        .list(&ListParams::default())
        .await
        .map_err(kube_err("listing NodePtpConfigs"))?
        .items
        .into_iter()
        .map(|c| (c.name_any(), c))
        .collect();

    let problems = problems_by_profile(&configs);
    let mut applied: BTreeMap<String, Vec<NodeProfile>> = BTreeMap::new();
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in &nodes {
        let name = node.name_any();
        let selection = select::select(
            &configs,
            NodeFacts {
                name: &name,
                labels: node.labels(),
            },
        );
        let blockers: Vec<&NodeProfile> = selection
            .profiles
            .iter()
            .filter(|p| problems.contains_key(&(p.ptp_config.clone(), bare_name(p))))
            .collect();
        let existing = node_configs.get(&name);
        let profiles = if blockers.is_empty() && selection.missing.is_empty() {
            selection.profiles
        } else {
            for blocker in &blockers {
                held.entry(blocker.ptp_config.clone())
                    .or_default()
                    .push(name.clone());
            }
            warn!(node = %name, "keeping the node's previous profiles: its selection is invalid");
            existing
                .map(|c| c.spec.profiles.clone())
                .unwrap_or_default()
        };
        applied.insert(name, profiles);
    }
    // The nodes' objects are independent: write them a few at a time.
    let mut pending = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let name = node.name_any();
        if let Some(profiles) = applied.get(&name) {
            pending.push(write_node_config(
                ctx,
                node,
                node_configs.get(&name),
                profiles,
            ));
        }
    }
    let node_writes: Vec<bool> = futures::stream::iter(pending)
        .buffer_unordered(NODE_WRITES_IN_FLIGHT)
        .try_collect()
        .await?;
    writes += node_writes.into_iter().filter(|wrote| *wrote).count();

    writes += sync_node_objects(ctx, &nodes, &node_configs).await?;

    for config in &configs {
        if write_config_status(
            ctx,
            config,
            &configs,
            &applied,
            &problems,
            &held,
            &node_configs,
        )
        .await?
        {
            writes += 1;
        }
    }
    Ok(writes)
}

fn bare_name(profile: &NodeProfile) -> String {
    let prefix = format!("{}_", profile.ptp_config);
    profile
        .profile
        .name
        .strip_prefix(&prefix)
        .unwrap_or(&profile.profile.name)
        .to_owned()
}

/// Problems of every profile, keyed by `(PtpConfig, bare profile name)`.
fn problems_by_profile(configs: &[PtpConfig]) -> BTreeMap<(String, String), Vec<Problem>> {
    let mut out = BTreeMap::new();
    for config in configs {
        for profile in &config.spec.profile {
            let problems = validate::check_profile(profile);
            if !problems.is_empty() {
                out.insert((config.name_any(), profile.name.clone()), problems);
            }
        }
    }
    out
}

/// An owner reference to `owner` (not a controller reference: Nodes do not control these).
fn owner_ref<K: Resource<DynamicType = ()>>(owner: &K, controller: bool) -> Option<OwnerReference> {
    Some(OwnerReference {
        api_version: K::api_version(&()).into_owned(),
        kind: K::kind(&()).into_owned(),
        name: owner.meta().name.clone()?,
        uid: owner.meta().uid.clone()?,
        controller: controller.then_some(true),
        block_owner_deletion: None,
    })
}

/// Applies the agents' workload; returns how many objects changed.
async fn apply_workload(
    ctx: &Context,
    operator_config: &PtpOperatorConfig,
) -> Result<usize, Error> {
    let s = &ctx.settings;
    let owner: Vec<OwnerReference> = owner_ref(operator_config, true).into_iter().collect();
    let own = |meta: &mut ObjectMeta| meta.owner_references = Some(owner.clone());
    let mut sa = agent::service_account(s);
    own(&mut sa.metadata);
    let mut role = agent::role(s);
    own(&mut role.metadata);
    let mut binding = agent::role_binding(s);
    own(&mut binding.metadata);
    let mut service = agent::metrics_service(s);
    own(&mut service.metadata);
    let mut daemon_set = agent::daemon_set(s, &operator_config.spec.daemon_node_selector);
    own(&mut daemon_set.metadata);

    let mut writes = 0;
    writes += usize::from(apply_hashed(&ctx.api::<ServiceAccount>(), sa).await?);
    writes += usize::from(apply_hashed(&ctx.api::<Role>(), role).await?);
    writes += usize::from(apply_hashed(&ctx.api::<RoleBinding>(), binding).await?);
    writes += usize::from(apply_hashed(&ctx.api::<Service>(), service).await?);
    writes += usize::from(apply_hashed(&ctx.api::<DaemonSet>(), daemon_set).await?);
    Ok(writes)
}

/// Applies `desired` unless the object already carries the hash of the same content.
/// Returns whether it wrote.
async fn apply_hashed<K>(api: &Api<K>, mut desired: K) -> Result<bool, Error>
where
    K: Resource + Serialize + DeserializeOwned + Clone + std::fmt::Debug,
{
    let name = desired.name_any();
    let what = format!(
        "{} {name}",
        std::any::type_name::<K>()
            .rsplit("::")
            .next()
            .unwrap_or("object")
    );
    let body = serde_json::to_vec(&desired).map_err(|source| Error::Json {
        what: what.clone(),
        source,
    })?;
    let hash = format!("{:016x}", crate::fnv1a(&body));
    let existing = api
        .get_opt(&name)
        .await
        .map_err(kube_err(format!("reading {what}")))?;
    if existing
        .as_ref()
        .and_then(|e| e.annotations().get(HASH_ANNOTATION))
        .is_some_and(|h| *h == hash)
    {
        return Ok(false);
    }
    desired
        .annotations_mut()
        .insert(HASH_ANNOTATION.to_owned(), hash);
    api.patch(
        &name,
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(&desired),
    )
    .await
    .map_err(kube_err(format!("applying {what}")))?;
    debug!(%what, "applied");
    Ok(true)
}

/// Writes `node`'s NodePtpConfig unless it already holds `profiles` and points at the node.
async fn write_node_config(
    ctx: &Context,
    node: &Node,
    existing: Option<&NodePtpConfig>,
    profiles: &[NodeProfile],
) -> Result<bool, Error> {
    let name = node.name_any();
    let owners: Vec<OwnerReference> = owner_ref(node, false).into_iter().collect();
    if let Some(existing) = existing {
        let same_owner = existing
            .metadata
            .owner_references
            .as_deref()
            .unwrap_or_default()
            == owners;
        if existing.spec.profiles == profiles && same_owner {
            return Ok(false);
        }
    }
    let mut desired = NodePtpConfig::new(
        &name,
        NodePtpConfigSpec {
            profiles: profiles.to_vec(),
        },
    );
    desired.metadata.owner_references = Some(owners);
    ctx.api::<NodePtpConfig>()
        .patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&desired),
        )
        .await
        .map_err(kube_err(format!("applying NodePtpConfig {name}")))?;
    info!(node = %name, profiles = profiles.len(), "wrote the node's profiles");
    Ok(true)
}

/// One NodePtpDevice per node; NodePtpConfigs and NodePtpDevices of vanished nodes deleted.
/// (A cluster's garbage collector would delete them through their owner references too; this
/// does not depend on it.)
async fn sync_node_objects(
    ctx: &Context,
    nodes: &[Node],
    node_configs: &BTreeMap<String, NodePtpConfig>,
) -> Result<usize, Error> {
    let mut writes = 0;
    let names: BTreeSet<String> = nodes.iter().map(ResourceExt::name_any).collect();
    let devices_api = ctx.api::<NodePtpDevice>();
    let devices: BTreeSet<String> = devices_api
        .list(&ListParams::default())
        .await
        .map_err(kube_err("listing NodePtpDevices"))?
        .items
        .iter()
        .map(ResourceExt::name_any)
        .collect();
    for node in nodes {
        let name = node.name_any();
        if devices.contains(&name) {
            continue;
        }
        let mut device = NodePtpDevice::new(&name, NodePtpDeviceSpec::default());
        device.metadata.owner_references = Some(owner_ref(node, false).into_iter().collect());
        match devices_api.create(&PostParams::default(), &device).await {
            Ok(_) => writes += 1,
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(source) => return Err(kube_err(format!("creating NodePtpDevice {name}"))(source)),
        }
    }
    let configs_api = ctx.api::<NodePtpConfig>();
    let gone_devices = devices.iter().filter(|n| !names.contains(*n));
    for name in gone_devices {
        writes += usize::from(delete(&devices_api, name).await?);
    }
    for name in node_configs.keys().filter(|n| !names.contains(*n)) {
        writes += usize::from(delete(&configs_api, name).await?);
    }
    Ok(writes)
}

async fn delete<K>(api: &Api<K>, name: &str) -> Result<bool, Error>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => {
            info!(%name, kind = %std::any::type_name::<K>(), "deleted: its node is gone");
            Ok(true)
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(source) => Err(kube_err(format!("deleting {name}"))(source)),
    }
}

/// The status the operator owns on one PtpConfig.
#[derive(Debug, PartialEq)]
struct OperatorStatus {
    match_list: Vec<NodeMatchList>,
    conditions: Vec<Condition>,
    summary: SyncSummary,
}

/// Writes `config`'s `matchList` and conditions unless they are already as computed.
async fn write_config_status(
    ctx: &Context,
    config: &PtpConfig,
    all: &[PtpConfig],
    applied: &BTreeMap<String, Vec<NodeProfile>>,
    problems: &BTreeMap<(String, String), Vec<Problem>>,
    held: &BTreeMap<String, Vec<String>>,
    node_configs: &BTreeMap<String, NodePtpConfig>,
) -> Result<bool, Error> {
    let name = config.name_any();
    let existing = config.status.clone().unwrap_or_default();
    let existing_conditions = existing.conditions.clone().unwrap_or_default();
    let mut desired = desired_status(config, all, applied, problems, held, &existing_conditions);
    desired.summary = summary(&name, applied, node_configs);
    let current = OperatorStatus {
        match_list: existing.match_list.unwrap_or_default(),
        conditions: existing_conditions,
        summary: existing.summary.unwrap_or_default(),
    };
    if current == desired {
        return Ok(false);
    }
    let body = serde_json::json!({
        "apiVersion": PtpConfig::api_version(&()),
        "kind": PtpConfig::kind(&()),
        "status": {
            "matchList": desired.match_list,
            "conditions": desired.conditions,
            "summary": desired.summary,
        },
    });
    ctx.api::<PtpConfig>()
        .patch_status(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&body),
        )
        .await
        .map_err(kube_err(format!("writing the status of PtpConfig {name}")))?;
    Ok(true)
}

fn desired_status(
    config: &PtpConfig,
    all: &[PtpConfig],
    applied: &BTreeMap<String, Vec<NodeProfile>>,
    problems: &BTreeMap<(String, String), Vec<Problem>>,
    held: &BTreeMap<String, Vec<String>>,
    existing: &[Condition],
) -> OperatorStatus {
    let name = config.name_any();
    let match_list = applied
        .iter()
        .flat_map(|(node, profiles)| {
            profiles
                .iter()
                .filter(|p| p.ptp_config == name)
                .map(|p| NodeMatchList {
                    node_name: node.clone(),
                    profile: p.profile.name.clone(),
                })
        })
        .collect();

    let generation = config.metadata.generation;
    let mine: Vec<&Problem> = config
        .spec
        .profile
        .iter()
        .filter_map(|p| problems.get(&(name.clone(), p.name.clone())))
        .flatten()
        .collect();
    let valid = if mine.is_empty() {
        condition(
            CONDITION_VALID,
            true,
            "Valid",
            "every profile parses".to_owned(),
        )
    } else {
        let mut message: Vec<String> = mine.iter().map(ToString::to_string).collect();
        if let Some(nodes) = held.get(&name) {
            let mut nodes = nodes.clone();
            nodes.sort();
            nodes.dedup();
            message.push(format!(
                "nodes keeping their previous profiles: {}",
                nodes.join(", ")
            ));
        }
        condition(CONDITION_VALID, false, "InvalidConfig", message.join("\n"))
    };
    let unresolved = select::unresolved_references(config, all);
    let references = if unresolved.is_empty() {
        condition(
            CONDITION_REFERENCES,
            true,
            "Resolved",
            "every profile reference resolves".to_owned(),
        )
    } else {
        let message = unresolved
            .iter()
            .map(|u| {
                format!(
                    "{} of {} names profile {}, which does not exist",
                    u.field, u.from, u.name
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        condition(
            CONDITION_REFERENCES,
            false,
            "UnresolvedProfileReference",
            message,
        )
    };
    let conditions = [valid, references]
        .into_iter()
        .map(|mut c| {
            c.observed_generation = generation;
            keep_transition_time(c, existing)
        })
        .collect();
    OperatorStatus {
        match_list,
        conditions,
        summary: SyncSummary::default(),
    }
}

/// How the nodes given the profiles of the PtpConfig `name` (in `applied`) are doing, from
/// their NodePtpConfig status (see [`SyncSummary`]).
fn summary(
    name: &str,
    applied: &BTreeMap<String, Vec<NodeProfile>>,
    node_configs: &BTreeMap<String, NodePtpConfig>,
) -> SyncSummary {
    let mut summary = SyncSummary::default();
    let mut not_locked = Vec::new();
    for (node, profiles) in applied {
        let mine: Vec<&str> = profiles
            .iter()
            .filter(|p| p.ptp_config == name)
            .map(|p| p.profile.name.as_str())
            .collect();
        if mine.is_empty() {
            continue;
        }
        summary.nodes += 1;
        let object = node_configs.get(node);
        let status = object.and_then(|c| c.status.as_ref());
        let current = status.is_some_and(|s| {
            s.applied_generation.is_some()
                && s.applied_generation == object.and_then(|c| c.metadata.generation)
        });
        let of = |profile: &str| status.and_then(|s| s.profiles.iter().find(|p| p.name == profile));
        let running = mine
            .iter()
            .all(|p| of(p).is_some_and(|s| s.state == "Running"));
        if current && running {
            summary.applied += 1;
        }
        if current && running && mine.iter().all(|p| of(p).is_some_and(in_sync)) {
            summary.locked += 1;
        } else {
            not_locked.push(node.clone());
        }
    }
    not_locked.truncate(NOT_LOCKED_LISTED);
    summary.not_locked = not_locked;
    summary
}

/// Whether a profile is in sync: LOCKED to a master, or a grandmaster (every port MASTER).
fn in_sync(profile: &ProfileStatus) -> bool {
    profile.clock_state.as_deref() == Some("LOCKED")
        || (!profile.ports.is_empty() && profile.ports.iter().all(|p| p.state == PortState::Master))
}

fn condition(type_: &str, status: bool, reason: &str, message: String) -> Condition {
    let now = jiff::Timestamp::now();
    Condition {
        type_: type_.to_owned(),
        status: if status { "True" } else { "False" }.to_owned(),
        reason: reason.to_owned(),
        message,
        observed_generation: None,
        // Whole seconds, as the API server stores it, so comparisons hold.
        last_transition_time: Time(jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)),
    }
}

/// `lastTransitionTime` changes only when the status does.
fn keep_transition_time(mut condition: Condition, existing: &[Condition]) -> Condition {
    if let Some(old) = existing
        .iter()
        .find(|c| c.type_ == condition.type_ && c.status == condition.status)
    {
        condition.last_transition_time = old.last_transition_time.clone();
    }
    condition
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, value: serde_json::Value) -> PtpConfig {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig",
            "metadata": {"name": name, "generation": 3}, "spec": value
        }))
        .unwrap()
    }

    fn node_profile(config: &str, name: &str) -> NodeProfile {
        NodeProfile {
            ptp_config: config.to_owned(),
            profile: crate::crd::PtpProfile {
                name: select::qualified_name(config, name),
                ..crate::crd::PtpProfile::default()
            },
        }
    }

    /// The NodePtpConfig of `node` at generation 5, its agent's status applied at
    /// `applied`, its profile `a_p` in `clock_state` with `ports`.
    fn node_config(
        node: &str,
        applied: i64,
        clock_state: &str,
        ports: &[PortState],
    ) -> NodePtpConfig {
        let mut c = NodePtpConfig::new(node, NodePtpConfigSpec::default());
        c.metadata.generation = Some(5);
        c.status = Some(crate::crd::NodePtpConfigStatus {
            applied_generation: Some(applied),
            profiles: vec![ProfileStatus {
                name: "a_p".into(),
                state: "Running".into(),
                clock_state: Some(clock_state.into()),
                ports: ports
                    .iter()
                    .map(|s| crate::crd::PortStatus {
                        interface: "eth0".into(),
                        state: *s,
                    })
                    .collect(),
                ..ProfileStatus::default()
            }],
        });
        c
    }

    #[test]
    fn the_summary_counts_nodes_applied_and_in_sync_and_names_the_others() {
        let applied: BTreeMap<String, Vec<NodeProfile>> =
            ["gm", "locked", "freerun", "stale", "unknown", "other"]
                .into_iter()
                .map(|n| {
                    let config = if n == "other" { "b" } else { "a" };
                    (n.to_owned(), vec![node_profile(config, "p")])
                })
                .collect();
        let node_configs: BTreeMap<String, NodePtpConfig> = [
            node_config("gm", 5, "FREERUN", &[PortState::Master]),
            node_config("locked", 5, "LOCKED", &[PortState::Slave]),
            node_config("freerun", 5, "FREERUN", &[PortState::Listening]),
            // Locked, but on a previous generation.
            node_config("stale", 4, "LOCKED", &[PortState::Slave]),
        ]
        .into_iter()
        .map(|c| (c.name_any(), c))
        .collect();
        let s = summary("a", &applied, &node_configs);
        assert_eq!((s.nodes, s.applied, s.locked), (5, 3, 2));
        assert_eq!(s.not_locked, ["freerun", "stale", "unknown"]);
        // The list is capped; the counts are not.
        let many: BTreeMap<String, Vec<NodeProfile>> = (0..25)
            .map(|i| (format!("n{i:02}"), vec![node_profile("a", "p")]))
            .collect();
        let s = summary("a", &many, &BTreeMap::new());
        assert_eq!((s.nodes, s.locked), (25, 0));
        assert_eq!(s.not_locked.len(), NOT_LOCKED_LISTED);
    }

    #[test]
    fn status_lists_what_each_node_got_and_why_a_node_was_held() {
        let a = config(
            "a",
            serde_json::json!({"profile": [{"name": "p", "ptp4lConf": "[global]\nbogus 1\n"},
                                           {"name": "q", "ptpSettings": {"haProfiles": "ghost"}}],
                               "recommend": []}),
        );
        let b = config(
            "b",
            serde_json::json!({"profile": [{"name": "p"}], "recommend": []}),
        );
        let all = [a.clone(), b];
        let applied = BTreeMap::from([
            (
                "n1".to_owned(),
                vec![node_profile("a", "p"), node_profile("b", "p")],
            ),
            ("n2".to_owned(), vec![node_profile("b", "p")]),
        ]);
        let problems = problems_by_profile(&all);
        assert_eq!(problems.len(), 1);
        let held = BTreeMap::from([("a".to_owned(), vec!["n2".to_owned(), "n2".to_owned()])]);
        let status = desired_status(&a, &all, &applied, &problems, &held, &[]);
        assert_eq!(
            status.match_list,
            vec![NodeMatchList {
                node_name: "n1".to_owned(),
                profile: "a_p".to_owned()
            }]
        );
        let [valid, references] = &status.conditions[..] else {
            panic!("{:?}", status.conditions)
        };
        assert_eq!(
            (valid.type_.as_str(), valid.status.as_str()),
            (CONDITION_VALID, "False")
        );
        assert_eq!(valid.observed_generation, Some(3));
        assert_eq!(
            valid.message,
            "profile p ptp4lConf: line 2 in [global] section: option bogus: unknown option\n\
             nodes keeping their previous profiles: n2"
        );
        assert_eq!(references.status, "False");
        assert_eq!(references.reason, "UnresolvedProfileReference");
        assert!(references
            .message
            .contains("haProfiles of q names profile ghost"));

        // Recomputed against what was stored: equal, so nothing would be written.
        let again = desired_status(&a, &all, &applied, &problems, &held, &status.conditions);
        assert_eq!(again, status);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(1));
        assert_eq!(backoff(100), BACKOFF_MAX);
    }

    #[test]
    fn transition_time_is_kept_while_the_status_holds() {
        let mut old = condition(CONDITION_VALID, false, "InvalidConfig", "a".to_owned());
        old.last_transition_time = Time("2026-01-01T00:00:00Z".parse().unwrap());
        let same = keep_transition_time(
            condition(CONDITION_VALID, false, "InvalidConfig", "b".to_owned()),
            std::slice::from_ref(&old),
        );
        assert_eq!(same.last_transition_time, old.last_transition_time);
        let flipped = keep_transition_time(
            condition(CONDITION_VALID, true, "Valid", "ok".to_owned()),
            std::slice::from_ref(&old),
        );
        assert_ne!(flipped.last_transition_time, old.last_transition_time);
    }
}

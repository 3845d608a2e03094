//! The pure half of a pass: from what is in the cluster ([`Inputs`], read from the watch
//! caches) to what must be written ([`Plan`]). No I/O and no clock: the time a condition
//! changed is passed in. [`crate::reconcile`] carries the plan out.
//!
//! Like upstream's, each pass recomputes everything from the cluster; unlike upstream's it
//! plans nothing that is already as wanted, so a pass over an unchanged cluster writes
//! nothing:
//! - objects the operator owns whole (the agents' DaemonSet, ServiceAccount, Role,
//!   RoleBinding, Service) carry a hash of what was applied ([`HASH_ANNOTATION`]); they are
//!   applied again when that hash differs, when one is missing, or when one no longer holds
//!   every field the operator sets ([`holds`]): an edit by hand is put back. Fields others
//!   added are left alone (server-side apply removes only what its field manager owned);
//! - NodePtpConfig specs and owners, and PtpConfig status, are compared field by field.
//!
//! A node whose selection includes an invalid profile (see [`crate::validate`]) or names a
//! profile that does not exist keeps its previous NodePtpConfig; the PtpConfig says why in its
//! conditions. Upstream instead fails the whole pass and updates no node.
//!
//! `status.matchList` lists what each node was given (its NodePtpConfig), so while a node
//! keeps its previous profiles the list says so, rather than what it would have been given.
//! Conditions: [`CONDITION_VALID`] and upstream's [`CONDITION_REFERENCES`], each with
//! `observedGeneration`. A condition that turns False, or whose message changes while
//! False, is also announced as a Warning Event regarding the PtpConfig ([`Plan::warnings`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, ObjectReference, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, OwnerReference, Time};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde_json::Value;

use crate::agent::{self, AgentSettings};
use crate::crd::{
    NodeMatchList, NodeProfile, NodePtpConfig, NodePtpConfigSpec, NodePtpDevice, NodePtpDeviceSpec,
    PortState, ProfileStatus, PtpConfig, PtpOperatorConfig, SyncSummary, NOT_LOCKED_LISTED,
};
use crate::select::{self, NodeFacts};
use crate::validate::{self, Problem};

/// Annotation holding the hash of what the operator last applied to an object it owns whole.
pub const HASH_ANNOTATION: &str = "ptp.openshift.io/applied-hash";
/// PtpConfig condition: every profile's linuxptp texts parse.
pub const CONDITION_VALID: &str = "ConfigValid";
/// PtpConfig condition: every profile reference resolves (upstream's name).
pub const CONDITION_REFERENCES: &str = "ProfileReferenceValid";

/// The agents' workload objects as they are in the cluster (absent ones are `None`).
#[derive(Clone, Debug, Default)]
pub struct LiveWorkload {
    /// The ServiceAccount.
    pub service_account: Option<Arc<ServiceAccount>>,
    /// The Role.
    pub role: Option<Arc<Role>>,
    /// The RoleBinding.
    pub role_binding: Option<Arc<RoleBinding>>,
    /// The metrics Service.
    pub service: Option<Arc<Service>>,
    /// The DaemonSet.
    pub daemon_set: Option<Arc<DaemonSet>>,
}

/// Everything a pass reads.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The `default` PtpOperatorConfig.
    pub operator_config: Arc<PtpOperatorConfig>,
    /// Every PtpConfig of the namespace.
    pub configs: Vec<Arc<PtpConfig>>,
    /// Every Node.
    pub nodes: Vec<Arc<Node>>,
    /// Every NodePtpConfig of the namespace, by name.
    pub node_configs: BTreeMap<String, Arc<NodePtpConfig>>,
    /// The names of the NodePtpDevices of the namespace.
    pub devices: BTreeSet<String>,
    /// The agents' workload.
    pub workload: LiveWorkload,
}

/// One object of the agents' workload to apply, with its hash annotation set. (A plan holds
/// at most five: their sizes do not matter.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Owned {
    /// The ServiceAccount.
    ServiceAccount(ServiceAccount),
    /// The Role.
    Role(Role),
    /// The RoleBinding.
    RoleBinding(RoleBinding),
    /// The metrics Service.
    Service(Service),
    /// The DaemonSet.
    DaemonSet(DaemonSet),
}

impl Owned {
    /// The object's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ServiceAccount(_) => "ServiceAccount",
            Self::Role(_) => "Role",
            Self::RoleBinding(_) => "RoleBinding",
            Self::Service(_) => "Service",
            Self::DaemonSet(_) => "DaemonSet",
        }
    }

    /// Kind and name, for logs and errors.
    pub fn describe(&self) -> String {
        let name = match self {
            Self::ServiceAccount(o) => o.name_any(),
            Self::Role(o) => o.name_any(),
            Self::RoleBinding(o) => o.name_any(),
            Self::Service(o) => o.name_any(),
            Self::DaemonSet(o) => o.name_any(),
        };
        format!("{} {name}", self.kind())
    }
}

/// What the operator owns of one PtpConfig's status.
#[derive(Clone, Debug, PartialEq)]
pub struct OperatorStatus {
    /// `status.matchList`.
    pub match_list: Vec<NodeMatchList>,
    /// `status.conditions`.
    pub conditions: Vec<Condition>,
    /// `status.summary`.
    pub summary: SyncSummary,
}

/// A Warning Event to publish regarding a PtpConfig.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    /// The PtpConfig's name.
    pub config: String,
    /// A reference to it.
    pub regarding: ObjectReference,
    /// The Event's reason (the condition's).
    pub reason: String,
    /// The Event's note (the condition's message).
    pub note: String,
}

/// What a pass writes; empty when the cluster is as wanted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Workload objects to apply.
    pub workload: Vec<Owned>,
    /// NodePtpConfigs to apply (spec and owner).
    pub node_configs: Vec<NodePtpConfig>,
    /// NodePtpDevices to create.
    pub devices: Vec<NodePtpDevice>,
    /// NodePtpConfigs of vanished nodes to delete.
    pub delete_node_configs: Vec<String>,
    /// NodePtpDevices of vanished nodes to delete.
    pub delete_devices: Vec<String>,
    /// PtpConfig statuses to write, by PtpConfig name.
    pub statuses: Vec<(String, OperatorStatus)>,
    /// Warning Events to publish.
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// How many objects the plan writes (Events aside).
    pub fn writes(&self) -> usize {
        self.workload.len()
            + self.node_configs.len()
            + self.devices.len()
            + self.delete_node_configs.len()
            + self.delete_devices.len()
            + self.statuses.len()
    }
}

/// Plans a pass over `inputs` for an operator with `settings`; `now` stamps conditions that
/// change.
pub fn plan(
    inputs: &Inputs,
    settings: &AgentSettings,
    now: jiff::Timestamp,
) -> Result<Plan, serde_json::Error> {
    let mut plan = Plan {
        workload: workload(inputs, settings)?,
        ..Plan::default()
    };
    let configs: Vec<PtpConfig> = inputs.configs.iter().map(|c| (**c).clone()).collect();
    let problems = problems_by_profile(&configs);
    let mut applied: BTreeMap<String, Vec<NodeProfile>> = BTreeMap::new();
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in &inputs.nodes {
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
        let existing = inputs.node_configs.get(&name);
        let profiles = if blockers.is_empty() && selection.missing.is_empty() {
            selection.profiles
        } else {
            for blocker in &blockers {
                held.entry(blocker.ptp_config.clone())
                    .or_default()
                    .push(name.clone());
            }
            existing
                .map(|c| c.spec.profiles.clone())
                .unwrap_or_default()
        };
        if let Some(desired) = node_config(node, existing.map(|c| &**c), &profiles) {
            plan.node_configs.push(desired);
        }
        if !inputs.devices.contains(&name) {
            let mut device = NodePtpDevice::new(&name, NodePtpDeviceSpec::default());
            device.metadata.owner_references =
                Some(owner_ref(&**node, false).into_iter().collect());
            plan.devices.push(device);
        }
        applied.insert(name, profiles);
    }
    // Objects of vanished nodes. (A cluster's garbage collector would delete them through
    // their owner references too; this does not depend on it.)
    plan.delete_devices = inputs
        .devices
        .iter()
        .filter(|n| !applied.contains_key(*n))
        .cloned()
        .collect();
    plan.delete_node_configs = inputs
        .node_configs
        .keys()
        .filter(|n| !applied.contains_key(*n))
        .cloned()
        .collect();

    for config in &configs {
        let name = config.name_any();
        let existing = config.status.clone().unwrap_or_default();
        let existing_conditions = existing.conditions.clone().unwrap_or_default();
        let mut desired = desired_status(
            config,
            &configs,
            &applied,
            &problems,
            &held,
            &existing_conditions,
            now,
        );
        desired.summary = summary(&name, &applied, &inputs.node_configs);
        let current = OperatorStatus {
            match_list: existing.match_list.unwrap_or_default(),
            conditions: existing_conditions.clone(),
            summary: existing.summary.unwrap_or_default(),
        };
        if current != desired {
            let regarding = config.object_ref(&());
            plan.warnings.extend(warnings(
                &name,
                &regarding,
                &existing_conditions,
                &desired.conditions,
            ));
            plan.statuses.push((name, desired));
        }
    }
    Ok(plan)
}

/// The workload objects that must be applied.
fn workload(inputs: &Inputs, settings: &AgentSettings) -> Result<Vec<Owned>, serde_json::Error> {
    let operator_config = &*inputs.operator_config;
    let owner: Vec<OwnerReference> = owner_ref(operator_config, true).into_iter().collect();
    let live = &inputs.workload;
    let node_selector = &operator_config.spec.daemon_node_selector;
    Ok([
        owned(
            agent::service_account(settings),
            &owner,
            live.service_account.as_deref(),
            Owned::ServiceAccount,
        )?,
        owned(
            agent::role(settings),
            &owner,
            live.role.as_deref(),
            Owned::Role,
        )?,
        owned(
            agent::role_binding(settings),
            &owner,
            live.role_binding.as_deref(),
            Owned::RoleBinding,
        )?,
        owned(
            agent::metrics_service(settings),
            &owner,
            live.service.as_deref(),
            Owned::Service,
        )?,
        owned(
            agent::daemon_set(settings, node_selector),
            &owner,
            live.daemon_set.as_deref(),
            Owned::DaemonSet,
        )?,
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// `object` owned by `owner`, as an [`Owned`] to apply unless `live` already holds it (see
/// [`hashed`]).
fn owned<K: Resource + Serialize>(
    mut object: K,
    owner: &[OwnerReference],
    live: Option<&K>,
    wrap: fn(K) -> Owned,
) -> Result<Option<Owned>, serde_json::Error> {
    object.meta_mut().owner_references = Some(owner.to_vec());
    Ok(hashed(object, live)?.map(wrap))
}

/// `desired` with its hash annotation, unless `live` already carries that hash and holds
/// every field of `desired`.
fn hashed<K: Resource + Serialize>(
    mut desired: K,
    live: Option<&K>,
) -> Result<Option<K>, serde_json::Error> {
    let body = serde_json::to_value(&desired)?;
    let hash = format!("{:016x}", crate::fnv1a(body.to_string().as_bytes()));
    if let Some(live) = live {
        let same_hash = live.annotations().get(HASH_ANNOTATION) == Some(&hash);
        if same_hash && holds(&serde_json::to_value(live)?, &body) {
            return Ok(None);
        }
    }
    desired
        .annotations_mut()
        .insert(HASH_ANNOTATION.to_owned(), hash);
    Ok(Some(desired))
}

/// Whether `live` holds every field of `want` with its value. Maps hold when every key of
/// `want` is held (others may add keys; the API server adds defaults); lists when they have
/// the same length and hold element by element; an empty map, an empty list or null in
/// `want` holds when the field is absent (the API server drops empty fields).
pub fn holds(live: &Value, want: &Value) -> bool {
    match (live, want) {
        (Value::Object(live), Value::Object(want)) => {
            want.iter().all(|(key, w)| match live.get(key) {
                Some(l) => holds(l, w),
                None => is_empty(w),
            })
        }
        (Value::Array(live), Value::Array(want)) => {
            live.len() == want.len() && live.iter().zip(want).all(|(l, w)| holds(l, w))
        }
        (live, want) => live == want || (live.is_null() && is_empty(want)),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        _ => false,
    }
}

/// The NodePtpConfig `node` must have, unless `existing` already holds `profiles` and
/// points at the node.
fn node_config(
    node: &Node,
    existing: Option<&NodePtpConfig>,
    profiles: &[NodeProfile],
) -> Option<NodePtpConfig> {
    let owners: Vec<OwnerReference> = owner_ref(node, false).into_iter().collect();
    if let Some(existing) = existing {
        let same_owner = existing
            .metadata
            .owner_references
            .as_deref()
            .unwrap_or_default()
            == owners;
        if existing.spec.profiles == profiles && same_owner {
            return None;
        }
    }
    let mut desired = NodePtpConfig::new(
        &node.name_any(),
        NodePtpConfigSpec {
            profiles: profiles.to_vec(),
        },
    );
    desired.metadata.owner_references = Some(owners);
    Some(desired)
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

fn desired_status(
    config: &PtpConfig,
    all: &[PtpConfig],
    applied: &BTreeMap<String, Vec<NodeProfile>>,
    problems: &BTreeMap<(String, String), Vec<Problem>>,
    held: &BTreeMap<String, Vec<String>>,
    existing: &[Condition],
    now: jiff::Timestamp,
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
            now,
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
        condition(
            CONDITION_VALID,
            false,
            "InvalidConfig",
            message.join("\n"),
            now,
        )
    };
    let unresolved = select::unresolved_references(config, all);
    let references = if unresolved.is_empty() {
        condition(
            CONDITION_REFERENCES,
            true,
            "Resolved",
            "every profile reference resolves".to_owned(),
            now,
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
            now,
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

/// The Warning Events for conditions in `desired` that are False and were not False with
/// the same message in `existing`.
fn warnings(
    config: &str,
    regarding: &ObjectReference,
    existing: &[Condition],
    desired: &[Condition],
) -> Vec<Warning> {
    desired
        .iter()
        .filter(|c| c.status == "False")
        .filter(|c| {
            !existing
                .iter()
                .any(|e| e.type_ == c.type_ && e.status == c.status && e.message == c.message)
        })
        .map(|c| Warning {
            config: config.to_owned(),
            regarding: regarding.clone(),
            reason: c.reason.clone(),
            note: c.message.clone(),
        })
        .collect()
}

/// How the nodes given the profiles of the PtpConfig `name` (in `applied`) are doing, from
/// their NodePtpConfig status (see [`SyncSummary`]).
fn summary(
    name: &str,
    applied: &BTreeMap<String, Vec<NodeProfile>>,
    node_configs: &BTreeMap<String, Arc<NodePtpConfig>>,
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

fn condition(
    type_: &str,
    status: bool,
    reason: &str,
    message: String,
    now: jiff::Timestamp,
) -> Condition {
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
        let node_configs: BTreeMap<String, Arc<NodePtpConfig>> = [
            node_config("gm", 5, "FREERUN", &[PortState::Master]),
            node_config("locked", 5, "LOCKED", &[PortState::Slave]),
            node_config("freerun", 5, "FREERUN", &[PortState::Listening]),
            // Locked, but on a previous generation.
            node_config("stale", 4, "LOCKED", &[PortState::Slave]),
        ]
        .into_iter()
        .map(|c| (c.name_any(), Arc::new(c)))
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
        let status = desired_status(
            &a,
            &all,
            &applied,
            &problems,
            &held,
            &[],
            jiff::Timestamp::now(),
        );
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
        let again = desired_status(
            &a,
            &all,
            &applied,
            &problems,
            &held,
            &status.conditions,
            jiff::Timestamp::now(),
        );
        assert_eq!(again, status);
    }

    #[test]
    fn transition_time_is_kept_while_the_status_holds() {
        let mut old = condition(
            CONDITION_VALID,
            false,
            "InvalidConfig",
            "a".to_owned(),
            jiff::Timestamp::now(),
        );
        old.last_transition_time = Time("2026-01-01T00:00:00Z".parse().unwrap());
        let same = keep_transition_time(
            condition(
                CONDITION_VALID,
                false,
                "InvalidConfig",
                "b".to_owned(),
                jiff::Timestamp::now(),
            ),
            std::slice::from_ref(&old),
        );
        assert_eq!(same.last_transition_time, old.last_transition_time);
        let flipped = keep_transition_time(
            condition(
                CONDITION_VALID,
                true,
                "Valid",
                "ok".to_owned(),
                jiff::Timestamp::now(),
            ),
            std::slice::from_ref(&old),
        );
        assert_ne!(flipped.last_transition_time, old.last_transition_time);
    }

    fn object<K: serde::de::DeserializeOwned>(value: serde_json::Value) -> K {
        serde_json::from_value(value).unwrap()
    }

    /// A cluster with the default PtpOperatorConfig, one PtpConfig and one Node it selects.
    fn cluster() -> Inputs {
        Inputs {
            operator_config: Arc::new(object(serde_json::json!({
                "apiVersion": "ptp.openshift.io/v1", "kind": "PtpOperatorConfig",
                "metadata": {"name": "default", "uid": "u-op"}, "spec": {"daemonNodeSelector": {}}}))),
            configs: vec![Arc::new(config(
                "c",
                serde_json::json!({"profile": [{"name": "p", "ptp4lConf": "[global]\n"}],
                    "recommend": [{"profile": "p", "priority": 0, "match": [{"nodeName": "n1"}]}]}),
            ))],
            nodes: vec![Arc::new(object(serde_json::json!({
                "apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "u-n1"}})))],
            node_configs: BTreeMap::new(),
            devices: BTreeSet::new(),
            workload: LiveWorkload::default(),
        }
    }

    /// `inputs` after `plan` was carried out, as the API server would store it (defaults
    /// added where it adds them).
    fn carry_out(inputs: &mut Inputs, plan: Plan) {
        for owned in plan.workload {
            let w = &mut inputs.workload;
            match owned {
                Owned::ServiceAccount(o) => w.service_account = Some(Arc::new(o)),
                Owned::Role(o) => w.role = Some(Arc::new(o)),
                Owned::RoleBinding(o) => w.role_binding = Some(Arc::new(o)),
                Owned::Service(mut o) => {
                    // Defaulted by the API server.
                    if let Some(spec) = o.spec.as_mut() {
                        spec.type_ = Some("ClusterIP".to_owned());
                    }
                    w.service = Some(Arc::new(o));
                }
                Owned::DaemonSet(o) => w.daemon_set = Some(Arc::new(o)),
            }
        }
        for mut c in plan.node_configs {
            c.metadata.generation = Some(1);
            inputs.node_configs.insert(c.name_any(), Arc::new(c));
        }
        inputs
            .devices
            .extend(plan.devices.iter().map(ResourceExt::name_any));
        for (name, status) in plan.statuses {
            let c = inputs
                .configs
                .iter_mut()
                .find(|c| c.name_any() == name)
                .unwrap();
            Arc::make_mut(c).status = Some(crate::crd::PtpConfigStatus {
                match_list: Some(status.match_list),
                conditions: Some(status.conditions),
                summary: Some(status.summary),
            });
        }
    }

    #[test]
    fn a_converged_cluster_plans_nothing_and_a_hand_edit_is_put_back() {
        let mut inputs = cluster();
        let now = jiff::Timestamp::now();
        let settings = AgentSettings {
            namespace: "ns".into(),
            image: "img".into(),
        };
        let first = plan(&inputs, &settings, now).unwrap();
        // Workload (5), the node's NodePtpConfig and NodePtpDevice, the PtpConfig's status.
        assert_eq!(first.writes(), 8, "{first:#?}");
        carry_out(&mut inputs, first);
        assert_eq!(plan(&inputs, &settings, now).unwrap(), Plan::default());

        // Someone else's label on the DaemonSet stays; a changed image is put back.
        let mut daemon_set = (**inputs.workload.daemon_set.as_ref().unwrap()).clone();
        daemon_set.labels_mut().insert("team".into(), "x".into());
        inputs.workload.daemon_set = Some(Arc::new(daemon_set.clone()));
        assert_eq!(plan(&inputs, &settings, now).unwrap(), Plan::default());
        let spec = daemon_set.spec.as_mut().unwrap();
        spec.template.spec.as_mut().unwrap().containers[0].image = Some("other".into());
        inputs.workload.daemon_set = Some(Arc::new(daemon_set));
        let again = plan(&inputs, &settings, now).unwrap();
        assert_eq!(again.writes(), 1);
        let [Owned::DaemonSet(fixed)] = &again.workload[..] else {
            panic!("{again:#?}")
        };
        let container = &fixed
            .spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0];
        assert_eq!(container.image.as_deref(), Some("img"));

        // A NodePtpConfig edited by hand is put back; a deleted Service is recreated.
        carry_out(&mut inputs, again);
        let mut node_config = (**inputs.node_configs.get("n1").unwrap()).clone();
        node_config.spec.profiles.clear();
        inputs
            .node_configs
            .insert("n1".into(), Arc::new(node_config));
        inputs.workload.service = None;
        let again = plan(&inputs, &settings, now).unwrap();
        assert_eq!(
            (
                again.node_configs.len(),
                again.workload.len(),
                again.writes()
            ),
            (1, 1, 2)
        );
        assert_eq!(again.node_configs[0].spec.profiles.len(), 1);
    }

    #[test]
    fn a_vanished_node_loses_its_objects() {
        let mut inputs = cluster();
        let settings = AgentSettings {
            namespace: "ns".into(),
            image: "img".into(),
        };
        let now = jiff::Timestamp::now();
        let first = plan(&inputs, &settings, now).unwrap();
        carry_out(&mut inputs, first);
        inputs.nodes.clear();
        let p = plan(&inputs, &settings, now).unwrap();
        assert_eq!(p.delete_node_configs, ["n1"]);
        assert_eq!(p.delete_devices, ["n1"]);
    }

    #[test]
    fn an_invalid_profile_is_announced_once() {
        let mut inputs = cluster();
        let settings = AgentSettings {
            namespace: "ns".into(),
            image: "img".into(),
        };
        let now = jiff::Timestamp::now();
        let first = plan(&inputs, &settings, now).unwrap();
        assert!(first.warnings.is_empty());
        carry_out(&mut inputs, first);
        Arc::make_mut(&mut inputs.configs[0]).spec.profile[0].ptp4l_conf =
            Some("[global]\nbogus 1\n".into());
        let p = plan(&inputs, &settings, now).unwrap();
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].reason, "InvalidConfig");
        assert!(
            p.warnings[0].note.contains("option bogus"),
            "{}",
            p.warnings[0].note
        );
        // The node keeps its profile; once stored, the same problem is not announced again.
        assert!(p.node_configs.is_empty());
        carry_out(&mut inputs, p);
        assert_eq!(plan(&inputs, &settings, now).unwrap(), Plan::default());
    }

    #[test]
    fn holds_compares_what_is_wanted_and_ignores_what_others_add() {
        use serde_json::json;
        let live = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}, "x": "y"});
        assert!(holds(&live, &json!({"a": 1, "b": {"c": [1, {"d": 2}]}})));
        assert!(holds(
            &live,
            &json!({"empty": {}, "none": null, "list": []})
        ));
        assert!(!holds(&live, &json!({"a": 2})));
        assert!(!holds(&live, &json!({"b": {"c": [1]}})));
        assert!(!holds(&live, &json!({"missing": 1})));
        assert!(!holds(&live, &json!({"b": {"c": [1, {"d": 3}]}})));
    }
}

//! The node agents' workload as the operator creates it: DaemonSet, ServiceAccount, RBAC and
//! metrics Service. Pure builders; the reconciler applies them.
//!
//! RBAC is a namespaced Role, not a ClusterRole: everything an agent touches lives in the
//! operator's namespace. It lists exactly what the agent does:
//! - `nodeptpconfigs`: `get`, `list`, `watch` (its own object, by field selector);
//! - `nodeptpconfigs/status`: `patch` (what it runs of its node's profiles);
//! - `nodeptpdevices/status`: `get`, `patch` (its node's devices);
//! - `events` of `events.k8s.io`: `create`, `patch` (Events regarding its NodePtpConfig; a
//!   repeated one is patched into a series).
//!
//! Kubernetes RBAC cannot say "only the object named after my node" for a DaemonSet's shared
//! ServiceAccount; a node authorizer would be needed for that, as for kubelets.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, RollingUpdateDaemonSet,
};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, ObjectFieldSelector, PodSpec,
    PodTemplateSpec, Probe, SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec,
    Toleration,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::crd::GROUP;

/// Name of the DaemonSet, its ServiceAccount, Role, RoleBinding and metrics Service.
pub const AGENT_NAME: &str = "ptp-agent";
/// The API group of the Events the agents publish.
pub const EVENTS_GROUP: &str = "events.k8s.io";
/// The container port the agent serves metrics on.
pub const METRICS_PORT: i32 = 9091;
/// Label on every agent object and pod.
pub const APP_LABEL: (&str, &str) = ("app.kubernetes.io/name", AGENT_NAME);

/// What the agent workload depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSettings {
    /// The operator's (and agents') namespace.
    pub namespace: String,
    /// The agent's container image.
    pub image: String,
}

fn labels() -> BTreeMap<String, String> {
    BTreeMap::from([(APP_LABEL.0.to_owned(), APP_LABEL.1.to_owned())])
}

fn meta(settings: &AgentSettings) -> ObjectMeta {
    ObjectMeta {
        name: Some(AGENT_NAME.to_owned()),
        namespace: Some(settings.namespace.clone()),
        labels: Some(labels()),
        ..ObjectMeta::default()
    }
}

/// The agent's ServiceAccount.
pub fn service_account(settings: &AgentSettings) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(settings),
        ..ServiceAccount::default()
    }
}

fn rule(resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![GROUP.to_owned()]),
        resources: Some(resources.iter().map(|r| (*r).to_owned()).collect()),
        verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
        ..PolicyRule::default()
    }
}

/// The agent's permissions (see the module documentation).
pub fn role(settings: &AgentSettings) -> Role {
    Role {
        metadata: meta(settings),
        rules: Some(vec![
            rule(&["nodeptpconfigs"], &["get", "list", "watch"]),
            rule(&["nodeptpconfigs/status"], &["patch"]),
            rule(&["nodeptpdevices/status"], &["get", "patch"]),
            PolicyRule {
                api_groups: Some(vec![EVENTS_GROUP.to_owned()]),
                resources: Some(vec!["events".to_owned()]),
                verbs: vec!["create".to_owned(), "patch".to_owned()],
                ..PolicyRule::default()
            },
        ]),
    }
}

/// Binds [`role`] to [`service_account`].
pub fn role_binding(settings: &AgentSettings) -> RoleBinding {
    RoleBinding {
        metadata: meta(settings),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_owned(),
            kind: "Role".to_owned(),
            name: AGENT_NAME.to_owned(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".to_owned(),
            name: AGENT_NAME.to_owned(),
            namespace: Some(settings.namespace.clone()),
            ..Subject::default()
        }]),
    }
}

/// A headless Service selecting every agent pod's metrics port, for scraping.
pub fn metrics_service(settings: &AgentSettings) -> Service {
    Service {
        metadata: meta(settings),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".to_owned()),
            selector: Some(labels()),
            ports: Some(vec![ServicePort {
                name: Some("metrics".to_owned()),
                port: METRICS_PORT,
                target_port: Some(IntOrString::String("metrics".to_owned())),
                // Server-side apply keys ports by (port, protocol); the default does not count.
                protocol: Some("TCP".to_owned()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// An HTTP probe of `path` on the metrics port every `period` seconds.
fn probe(path: &str, period: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::String("metrics".to_owned()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        failure_threshold: Some(3),
        ..Probe::default()
    }
}

fn env_from_field(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: path.to_owned(),
                ..ObjectFieldSelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// The agents' DaemonSet, on the nodes `node_selector` selects (`PtpOperatorConfig`'s
/// `daemonNodeSelector`; empty selects every node).
///
/// Host network (PTP runs on the node's interfaces) and privileged (PHC character devices,
/// `clock_adjtime`, time stamping configuration), as upstream's daemon; every taint tolerated.
pub fn daemon_set(settings: &AgentSettings, node_selector: &BTreeMap<String, String>) -> DaemonSet {
    let container = Container {
        name: AGENT_NAME.to_owned(),
        image: Some(settings.image.clone()),
        // Cluster mode: the agent runs the profiles of its node's NodePtpConfig.
        args: Some(vec!["--cluster".to_owned()]),
        env: Some(vec![
            env_from_field("NODE_NAME", "spec.nodeName"),
            env_from_field("NAMESPACE", "metadata.namespace"),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("metrics".to_owned()),
            container_port: METRICS_PORT,
            protocol: Some("TCP".to_owned()),
            ..ContainerPort::default()
        }]),
        security_context: Some(SecurityContext {
            privileged: Some(true),
            ..SecurityContext::default()
        }),
        // Alive while its main loop beats; ready once its node's configuration is applied.
        liveness_probe: Some(probe("/healthz", 10)),
        readiness_probe: Some(probe("/readyz", 5)),
        ..Container::default()
    };
    DaemonSet {
        metadata: meta(settings),
        spec: Some(DaemonSetSpec {
            selector: LabelSelector {
                match_labels: Some(labels()),
                ..LabelSelector::default()
            },
            update_strategy: Some(DaemonSetUpdateStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDaemonSet {
                    max_unavailable: Some(IntOrString::String("33%".to_owned())),
                    ..RollingUpdateDaemonSet::default()
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels()),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(AGENT_NAME.to_owned()),
                    host_network: Some(true),
                    dns_policy: Some("ClusterFirstWithHostNet".to_owned()),
                    node_selector: (!node_selector.is_empty()).then(|| node_selector.clone()),
                    tolerations: Some(vec![Toleration {
                        operator: Some("Exists".to_owned()),
                        ..Toleration::default()
                    }]),
                    containers: vec![container],
                    ..PodSpec::default()
                }),
            },
            ..DaemonSetSpec::default()
        }),
        ..DaemonSet::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AgentSettings {
        AgentSettings {
            namespace: "ptp".to_owned(),
            image: "agent:1".to_owned(),
        }
    }

    #[test]
    fn the_daemon_set_follows_the_node_selector() {
        let selector = BTreeMap::from([("ptp".to_owned(), "yes".to_owned())]);
        let ds = daemon_set(&settings(), &selector);
        let pod = ds.spec.unwrap().template.spec.unwrap();
        assert_eq!(pod.node_selector, Some(selector));
        let all = daemon_set(&settings(), &BTreeMap::new());
        assert_eq!(all.spec.unwrap().template.spec.unwrap().node_selector, None);
    }

    #[test]
    fn the_agent_runs_in_cluster_mode_with_its_probes_on_the_metrics_port() {
        let ds = daemon_set(&settings(), &BTreeMap::new());
        let container = &ds.spec.unwrap().template.spec.unwrap().containers[0];
        assert_eq!(
            container.args.as_deref(),
            Some(&["--cluster".to_owned()][..])
        );
        let path = |p: &Option<Probe>| {
            let get = p.as_ref().unwrap().http_get.as_ref().unwrap();
            assert_eq!(get.port, IntOrString::String("metrics".to_owned()));
            get.path.clone().unwrap()
        };
        assert_eq!(path(&container.liveness_probe), "/healthz");
        assert_eq!(path(&container.readiness_probe), "/readyz");
    }

    #[test]
    fn the_role_grants_no_write_to_specs_and_nothing_cluster_wide() {
        let rules = role(&settings()).rules.unwrap();
        for rule in &rules {
            let groups = rule.api_groups.as_deref().unwrap();
            if groups == [EVENTS_GROUP.to_owned()] {
                assert_eq!(rule.resources.as_deref(), Some(&["events".to_owned()][..]));
                assert_eq!(rule.verbs, ["create", "patch"]);
                continue;
            }
            assert_eq!(groups, [GROUP.to_owned()]);
            for resource in rule.resources.iter().flatten() {
                let writes = rule
                    .verbs
                    .iter()
                    .any(|v| ["create", "update", "patch", "delete", "*"].contains(&v.as_str()));
                assert!(
                    !writes || resource.ends_with("/status"),
                    "{resource} {:?}",
                    rule.verbs
                );
            }
        }
    }
}

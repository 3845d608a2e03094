//! [`PtpOperatorConfig`]: the operator's own settings, a singleton named `default`.
//!
//! Upstream: `api/v1/ptpoperatorconfig_types.go`.

use std::collections::BTreeMap;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, ValidationRule,
};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::optional_spec::optional_spec;
use super::schema;

/// The only name a PtpOperatorConfig may have.
pub const SINGLETON_NAME: &str = "default";

/// Settings of the PTP operator. A singleton: its name must be `default`.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(remote = "Self")]
#[kube(
    group = "ptp.openshift.io",
    version = "v1",
    kind = "PtpOperatorConfig",
    namespaced,
    status = "PtpOperatorConfigStatus",
    derive = "PartialEq",
    doc = "PtpOperatorConfig holds the settings of the PTP operator; its name must be 'default'.",
    printcolumn(
        name = "Event Enabled",
        type_ = "boolean",
        description = "Event Enabled",
        json_path = ".spec.ptpEventConfig.enableEventPublisher"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct PtpOperatorConfigSpec {
    /// Node selector of the node agents' DaemonSet. `{}` selects every node.
    pub daemon_node_selector: BTreeMap<String, String>,
    /// Settings of the PTP event publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp_event_config: Option<PtpEventConfig>,
    /// Plugins to enable, by name, with free-form settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::plugin_map")]
    pub plugins: Option<BTreeMap<String, serde_json::Value>>,
}

optional_spec!(PtpOperatorConfigSpec);

/// Settings of the PTP event publisher.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpEventConfig {
    /// Whether to publish PTP events.
    #[serde(default)]
    pub enable_event_publisher: bool,
    /// Address of the event transport, for example
    /// `http://ptp-event-publisher-service-NODE_NAME.openshift-ptp.svc.cluster.local:9043`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_host: Option<String>,
    /// Where subscriptions are stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_type: Option<String>,
    /// Version of the event REST API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// Observed state of the PtpOperatorConfig (none yet).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct PtpOperatorConfigStatus {}

/// The CRD, with upstream's CEL rule that makes the object a singleton. Servers older than
/// Kubernetes 1.25 ignore the rule; the operator enforces the name as well.
pub(crate) fn crd() -> CustomResourceDefinition {
    let mut crd = PtpOperatorConfig::crd();
    let root = crd
        .spec
        .versions
        .iter_mut()
        .filter_map(|version| version.schema.as_mut())
        .filter_map(|validation| validation.open_api_v3_schema.as_mut());
    for schema in root {
        schema.x_kubernetes_validations = Some(vec![ValidationRule {
            message: Some(format!(
                "PtpOperatorConfig is a singleton, metadata.name must be '{SINGLETON_NAME}'"
            )),
            rule: format!("self.metadata.name == '{SINGLETON_NAME}'"),
            ..ValidationRule::default()
        }]);
    }
    crd
}

//! The `ptp.openshift.io/v1` custom resources: [`PtpConfig`], [`PtpOperatorConfig`] and
//! [`NodePtpDevice`], plus our [`NodePtpConfig`].
//!
//! The types are schema-compatible with the upstream ptp-operator's CRDs
//! (k8snetworkplumbingwg/ptp-operator `config/crd/bases/`): every object the upstream schemas
//! accept, ours accept with the same meaning, field for field (names, types, optionality,
//! defaults, enums and ranges). Objects users have today keep working unchanged. What we add is
//! documented where it is added: the per-node sync status in [`PtpConfigStatus::nodes`], and
//! [`NodePtpConfig`], the per-node object holding a node's resolved profiles.
//!
//! `deploy/crds/*.yaml` are generated from these types by `cargo run -p operator --bin crdgen`
//! (see [`definitions`]); a unit test fails when they drift.

mod node_ptp_config;
mod node_ptp_device;
mod optional_spec;
mod ptp_config;
mod ptp_config_status;
mod ptp_operator_config;
mod schema;
mod string_map;

pub use node_ptp_config::{
    NodeProfile, NodePtpConfig, NodePtpConfigSpec, NodePtpConfigStatus, ProfileStatus,
};
pub use node_ptp_device::{
    BaseBoardInfo, HardwareInfo, HwConfig, NodePtpDevice, NodePtpDeviceSpec, NodePtpDeviceStatus,
    PtpDevice, SystemInfo,
};
pub use ptp_config::{
    MatchRule, ProcessDowntimeThresholds, PtpClockThreshold, PtpConfig, PtpConfigSpec, PtpProfile,
    PtpRecommend, SchedulingPolicy,
};
pub use ptp_config_status::{
    NodeMatchList, PortState, PortStatus, PtpConfigStatus, ServoState, SyncSummary,
    NOT_LOCKED_LISTED,
};
pub use ptp_operator_config::{
    PtpEventConfig, PtpOperatorConfig, PtpOperatorConfigSpec, PtpOperatorConfigStatus,
    SINGLETON_NAME,
};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The API group of every resource here.
pub const GROUP: &str = "ptp.openshift.io";
/// The API version of every resource here.
pub const VERSION: &str = "v1";

/// The CRDs as installed in a cluster, in the order of `deploy/crds/` file names:
/// `(file stem, definition)`.
pub fn definitions() -> Vec<(&'static str, CustomResourceDefinition)> {
    let mut crds = vec![
        ("nodeptpconfigs", NodePtpConfig::crd()),
        ("nodeptpdevices", NodePtpDevice::crd()),
        ("ptpconfigs", PtpConfig::crd()),
        ("ptpoperatorconfigs", ptp_operator_config::crd()),
    ];
    for (_, crd) in &mut crds {
        spec_not_required(crd);
    }
    crds
}

/// Removes `spec` from the root schema's `required` list (see `optional_spec.rs`).
fn spec_not_required(crd: &mut CustomResourceDefinition) {
    let roots = crd
        .spec
        .versions
        .iter_mut()
        .filter_map(|version| version.schema.as_mut())
        .filter_map(|validation| validation.open_api_v3_schema.as_mut());
    for root in roots {
        if let Some(required) = &mut root.required {
            required.retain(|field| field != "spec");
            if required.is_empty() {
                root.required = None;
            }
        }
    }
}

/// The command that regenerates `deploy/crds/`.
pub const REGENERATE: &str = "cargo run -p operator --bin crdgen -- --write deploy/crds";

/// The CRDs could not be rendered as YAML.
#[derive(Debug, thiserror::Error)]
#[error("rendering the {file} CRD as YAML")]
pub struct RenderError {
    file: &'static str,
    #[source]
    source: serde_saphyr::ser_error::Error,
}

/// The contents of `deploy/crds/`: `(file name, YAML text)` for each CRD.
pub fn yaml_files() -> Result<Vec<(String, String)>, RenderError> {
    definitions()
        .into_iter()
        .map(|(stem, crd)| {
            let yaml = serde_saphyr::to_string(&crd)
                .map_err(|source| RenderError { file: stem, source })?;
            let text = format!(
                "# Generated from operator/src/crd by `{REGENERATE}`. Do not edit.\n{yaml}"
            );
            Ok((format!("{stem}.yaml"), text))
        })
        .collect()
}

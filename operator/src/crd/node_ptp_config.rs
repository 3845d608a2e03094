//! [`NodePtpConfig`]: the profiles one node runs, resolved by the operator. Our addition; the
//! upstream operator has no equivalent.
//!
//! Upstream hands each node its profiles as a key of one shared ConfigMap (`ptp-configmap`),
//! mounted into every agent pod and polled every 30 s. Here each node has its own object,
//! named after the node, in the operator's namespace; the node's agent watches that one
//! object (a field selector on `metadata.name`) and sees a change as soon as the operator
//! writes it. Only the operator writes it.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::optional_spec::optional_spec;
use super::PtpProfile;

/// The profiles a node runs. Named after the node; written by the operator only.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(remote = "Self")]
#[kube(
    group = "ptp.openshift.io",
    version = "v1",
    kind = "NodePtpConfig",
    namespaced,
    derive = "PartialEq",
    doc = "NodePtpConfig holds the PTP profiles resolved for the node it is named after.",
    printcolumn(
        name = "Profiles",
        type_ = "string",
        json_path = ".spec.profiles[*].profile.name"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
pub struct NodePtpConfigSpec {
    /// The node's profiles, sorted by qualified name. Empty when no PtpConfig selects the
    /// node.
    #[serde(default)]
    pub profiles: Vec<NodeProfile>,
}

optional_spec!(NodePtpConfigSpec);

/// One profile a node runs, and where it comes from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeProfile {
    /// The PtpConfig holding the profile, in the same namespace. The agent writes the
    /// profile's sync status there (`status.nodes`).
    pub ptp_config: String,
    /// The profile, its name qualified as `<ptpConfig>_<name>`.
    pub profile: PtpProfile,
}

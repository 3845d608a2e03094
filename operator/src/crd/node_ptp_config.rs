//! [`NodePtpConfig`]: the profiles one node runs, resolved by the operator. Our addition; the
//! upstream operator has no equivalent.
//!
//! Upstream hands each node its profiles as a key of one shared ConfigMap (`ptp-configmap`),
//! mounted into every agent pod and polled every 30 s. Here each node has its own object,
//! named after the node, in the operator's namespace; the node's agent watches that one
//! object (a field selector on `metadata.name`) and sees a change as soon as the operator
//! writes it. Only the operator writes its spec; only the node's agent writes its status:
//! what it runs of each profile ([`NodePtpConfigStatus`]).

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::optional_spec::optional_spec;
use super::{PortStatus, PtpProfile, ServoState};

/// The profiles a node runs. Named after the node; its spec written by the operator only,
/// its status by the node's agent only.
// Each printcolumn is a column of its own; clippy takes their equal `type_`s for duplicates.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(remote = "Self")]
#[kube(
    group = "ptp.openshift.io",
    version = "v1",
    kind = "NodePtpConfig",
    namespaced,
    status = "NodePtpConfigStatus",
    derive = "PartialEq",
    doc = "NodePtpConfig holds the PTP profiles resolved for the node it is named after.",
    printcolumn(
        name = "Profiles",
        type_ = "string",
        json_path = ".spec.profiles[*].profile.name"
    ),
    printcolumn(
        name = "Applied",
        type_ = "integer",
        json_path = ".status.appliedGeneration"
    ),
    printcolumn(
        name = "State",
        type_ = "string",
        json_path = ".status.profiles[*].clockState"
    ),
    printcolumn(
        name = "Offset",
        type_ = "string",
        json_path = ".status.profiles[*].offsetNs"
    ),
    printcolumn(
        name = "Grandmaster",
        type_ = "string",
        json_path = ".status.profiles[*].grandmasterIdentity"
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
    /// The PtpConfig holding the profile, in the same namespace.
    pub ptp_config: String,
    /// The profile, its name qualified as `<ptpConfig>_<name>`.
    pub profile: PtpProfile,
}

/// What the node's agent runs of the spec. Written by the agent only.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodePtpConfigStatus {
    /// The `metadata.generation` of the spec the agent last applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_generation: Option<i64>,
    /// One entry per profile of the applied spec, in its order.
    #[serde(default)]
    pub profiles: Vec<ProfileStatus>,
}

/// What the agent does with one profile.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileStatus {
    /// The profile's qualified name (`<ptpConfig>_<name>`).
    pub name: String,
    /// `Running`: its ptp4l instance runs; `Refused`: it does not, `problems` say why;
    /// `NotRun`: the profile asks for no ptp4l (an empty `ptp4lOpts`).
    pub state: String,
    /// The name the daemon gives the profile's ptp4l (`ptp4l.N.config`): the `config` label of
    /// its series; its management socket is `/var/run/ptp4l.N.socket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// A hash of the effective configuration the instance runs (hexadecimal): it changes
    /// exactly when what runs changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_hash: Option<String>,
    /// What of the profile does not run, and why (parts the agent cannot run yet, such as
    /// `phc2sysOpts`, are listed here rather than dropped silently).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Its instance's ports, in port order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortStatus>,
    /// `LOCKED` when a port follows a master and the servo is locked (s2, s3), else
    /// `FREERUN`: the daemon's `openshift_ptp_clock_state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_state: Option<String>,
    /// The servo's state after its last sample, while a port follows a master.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servo_state: Option<ServoState>,
    /// The last offset from the master, in nanoseconds (written at most every 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ns: Option<i64>,
    /// The last mean path delay, in nanoseconds (written at most every 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_path_delay_ns: Option<i64>,
    /// The grandmaster's clock identity, written as linuxptp does (`507c6f.fffe.1fb16c`; the
    /// clock's own when it is the grandmaster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grandmaster_identity: Option<String>,
    /// The grandmaster's clockClass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_class: Option<u8>,
}

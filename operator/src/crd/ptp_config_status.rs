//! [`PtpConfigStatus`]: which nodes run which profile, and how well each node is in sync.
//!
//! `matchList` and `conditions` are upstream's (written by the operator). `nodes` is ours: the
//! per-node sync state users otherwise only get from metrics.
//!
//! # The `nodes` list
//!
//! ```yaml
//! status:
//!   nodes:
//!   - nodeName: worker-0
//!     observedGeneration: 3            # the spec generation this node has applied
//!     profiles:
//!     - name: example-ptpconfig_profile1   # qualified, as the node runs it
//!       ports:
//!       - interface: ens1f0
//!         state: SLAVE                 # linuxptp's port state names
//!       offsetNs: -3                   # last offset from the time transmitter
//!       meanPathDelayNs: 512
//!       grandmasterIdentity: 507c6f.fffe.1fb16c
//!       clockClass: 6
//!       servoState: LOCKED
//!       updated: "2026-11-24T05:00:00Z"
//! ```
//!
//! Each node's agent writes only its own entry, by server-side apply with a field manager of
//! its own: the lists are `x-kubernetes-list-type: map` keyed by `nodeName` (nodes), `name`
//! (profiles) and `interface` (ports), so the API server merges the entries of different
//! nodes instead of letting the last writer replace the list. An agent removes its entry by
//! applying without it. Measurements are optional: a profile that has not measured anything
//! yet reports only its ports.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use ptp_core::time::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Observed state of a PtpConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpConfigStatus {
    /// Which node got which (qualified) profile from this object, written by the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_list: Option<Vec<NodeMatchList>>,
    /// Conditions of this object (for example `ProfileReferenceValid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Sync state per node and profile, each entry written by that node's agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["nodeName"]))]
    pub nodes: Option<Vec<NodeSyncStatus>>,
}

/// A node and the profile it got.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeMatchList {
    /// Node name.
    pub node_name: String,
    /// Qualified profile name.
    pub profile: String,
}

/// One node's sync state for the profiles of this PtpConfig it runs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSyncStatus {
    /// Node name.
    pub node_name: String,
    /// The `metadata.generation` of this PtpConfig the node has applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// One entry per profile the node runs from this PtpConfig.
    #[serde(default)]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub profiles: Vec<ProfileSyncStatus>,
}

/// Sync state of one profile on one node.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSyncStatus {
    /// Qualified profile name (`<PtpConfig name>_<profile name>`).
    pub name: String,
    /// State of each PTP port of the profile.
    #[serde(default)]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["interface"]))]
    pub ports: Vec<PortStatus>,
    /// Last measured offset from the time transmitter, in nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ns: Option<i64>,
    /// Last mean path delay, in nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_path_delay_ns: Option<i64>,
    /// Grandmaster clock identity, written as linuxptp does (`507c6f.fffe.1fb16c`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grandmaster_identity: Option<String>,
    /// Clock class the local clock advertises (IEEE 1588-2019 7.6.2.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_class: Option<u8>,
    /// State of the clock servo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servo_state: Option<ServoState>,
    /// When this entry was last written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Time>,
}

impl ProfileSyncStatus {
    /// `offsetNs` as a duration.
    pub fn offset(&self) -> Option<Duration> {
        self.offset_ns.map(Duration::from_nanos)
    }

    /// `meanPathDelayNs` as a duration.
    pub fn mean_path_delay(&self) -> Option<Duration> {
        self.mean_path_delay_ns.map(Duration::from_nanos)
    }

    /// Sets `offsetNs` (rounded to whole nanoseconds).
    pub fn set_offset(&mut self, offset: Duration) {
        self.offset_ns = Some(offset.nanos_rounded());
    }

    /// Sets `meanPathDelayNs` (rounded to whole nanoseconds).
    pub fn set_mean_path_delay(&mut self, delay: Duration) {
        self.mean_path_delay_ns = Some(delay.nanos_rounded());
    }
}

/// One PTP port of a profile.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortStatus {
    /// Network interface.
    pub interface: String,
    /// Port state.
    pub state: PortState,
}

/// Port state (IEEE 1588-2019 9.2.5), named as linuxptp names them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PortState {
    /// INITIALIZING.
    Initializing,
    /// FAULTY.
    Faulty,
    /// DISABLED.
    Disabled,
    /// LISTENING.
    Listening,
    /// PRE_MASTER (PRE_TIME_TRANSMITTER in IEEE 1588-2019).
    PreMaster,
    /// MASTER (TIME_TRANSMITTER in IEEE 1588-2019).
    Master,
    /// PASSIVE.
    Passive,
    /// UNCALIBRATED.
    Uncalibrated,
    /// SLAVE (TIME_RECEIVER in IEEE 1588-2019).
    Slave,
    /// GRAND_MASTER (linuxptp's state of a port of a clock that is its own grandmaster).
    GrandMaster,
}

/// State of the clock servo, as linuxptp's servo states (`s0` to `s3` in ptp4l's log).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServoState {
    /// `s0`: not yet locked.
    Unlocked,
    /// `s1`: the clock was stepped.
    Jump,
    /// `s2`: locked.
    Locked,
    /// `s3`: locked and stable.
    LockedStable,
}

//! [`PtpConfigStatus`]: which nodes run which profile, and how they are doing.
//!
//! `matchList` and `conditions` are upstream's; `summary` is ours: counts of the nodes given the
//! object's profiles, of those that run them and of those in sync, and the names of a few that
//! are not. The operator writes all three. Each node's own sync state is in its NodePtpConfig's
//! status, written by its agent, so this object stays the same size however many nodes there
//! are and no two agents write to the same object. [`PortStatus`], [`PortState`] and
//! [`ServoState`] are the vocabulary of that per-node status.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
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
    /// How the nodes running this object's profiles are doing, written by the operator from
    /// the nodes' NodePtpConfig status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SyncSummary>,
}

/// The nodes running a PtpConfig's profiles, counted: the object stays the same size however
/// many nodes there are (each node's details are in its own NodePtpConfig status).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// Nodes given at least one of its profiles.
    pub nodes: i64,
    /// Of them, those whose agent runs what it was given: the node's NodePtpConfig status is
    /// of its current generation and each of these profiles is Running.
    pub applied: i64,
    /// Of them, those in sync: each of these profiles is LOCKED to a master, or is a
    /// grandmaster (every port MASTER).
    pub locked: i64,
    /// The nodes not locked, by name, at most [`NOT_LOCKED_LISTED`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_locked: Vec<String>,
}

/// How many nodes [`SyncSummary::not_locked`] names at most.
pub const NOT_LOCKED_LISTED: usize = 10;

/// A node and the profile it got.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeMatchList {
    /// Node name.
    pub node_name: String,
    /// Qualified profile name.
    pub profile: String,
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
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
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

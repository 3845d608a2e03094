//! [`PtpConfig`]: PTP profiles and the rules that recommend them to nodes.
//!
//! Upstream: `api/v1/ptpconfig_types.go`. Every profile field is optional except `name`, as
//! upstream (where they are all pointers).

use std::collections::BTreeMap;

use kube::CustomResource;
use ptp_core::time::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::optional_spec::optional_spec;
use super::schema;
use super::string_map;
use super::PtpConfigStatus;

/// PtpConfig holds PTP profiles and recommends them to nodes. A node runs every profile
/// recommended to it at the best (lowest) matching priority.
// Each printcolumn is a column of its own; clippy takes their equal `type_`s for duplicates.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(remote = "Self")]
#[kube(
    group = "ptp.openshift.io",
    version = "v1",
    kind = "PtpConfig",
    namespaced,
    status = "PtpConfigStatus",
    derive = "PartialEq",
    doc = "PtpConfig holds PTP profiles and the rules that recommend them to nodes.",
    printcolumn(name = "Nodes", type_ = "integer", json_path = ".status.summary.nodes"),
    printcolumn(
        name = "Applied",
        type_ = "integer",
        json_path = ".status.summary.applied"
    ),
    printcolumn(
        name = "Locked",
        type_ = "integer",
        json_path = ".status.summary.locked"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
pub struct PtpConfigSpec {
    /// The profiles this object defines.
    pub profile: Vec<PtpProfile>,
    /// Which nodes get which profile, by priority.
    pub recommend: Vec<PtpRecommend>,
}

optional_spec!(PtpConfigSpec);

/// One PTP profile: the configuration of ptp4l, phc2sys, ts2phc, synce4l and chronyd for a
/// node.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpProfile {
    /// Profile name. The operator hands it to nodes qualified as `<PtpConfig name>_<name>`.
    pub name: String,
    /// A single interface; the profile's ptp4l configuration gets a section for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Extra ptp4l command-line options. Missing means ptp4l still runs with none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp4l_opts: Option<String>,
    /// ptp4l configuration file (linuxptp INI syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp4l_conf: Option<String>,
    /// phc2sys command-line options. Missing or empty means phc2sys does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phc2sys_opts: Option<String>,
    /// phc2sys configuration file (linuxptp INI syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phc2sys_conf: Option<String>,
    /// ts2phc command-line options. Missing or empty means ts2phc does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts2phc_opts: Option<String>,
    /// ts2phc configuration file (linuxptp INI syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts2phc_conf: Option<String>,
    /// synce4l command-line options. Missing or empty means synce4l does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synce4l_opts: Option<String>,
    /// synce4l configuration file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synce4l_conf: Option<String>,
    /// chronyd command-line options. Missing or empty means chronyd does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chronyd_opts: Option<String>,
    /// chronyd configuration file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chronyd_conf: Option<String>,
    /// Scheduling policy of the PTP processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp_scheduling_policy: Option<SchedulingPolicy>,
    /// Real-time priority (1 to 65) under `SCHED_FIFO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65))]
    pub ptp_scheduling_priority: Option<i64>,
    /// Thresholds of the clock state (locked, holdover, free-running) reported for events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp_clock_threshold: Option<PtpClockThreshold>,
    /// Free-form settings (`clockType`, `haProfiles`, `logReduce`, `clockId[<iface>]`, ...).
    /// When read from a file, unquoted numbers and booleans are accepted and kept as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_map::lenient"
    )]
    pub ptp_settings: Option<BTreeMap<String, String>>,
    /// Per-plugin configuration (for example `e810`), free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::plugin_map")]
    pub plugins: Option<BTreeMap<String, serde_json::Value>>,
}

/// Linux scheduling policy of the PTP processes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum SchedulingPolicy {
    /// The default time-sharing policy.
    #[serde(rename = "SCHED_OTHER")]
    Other,
    /// First-in first-out real-time policy (needs `ptpSchedulingPriority`).
    #[serde(rename = "SCHED_FIFO")]
    Fifo,
}

/// Thresholds of the clock state machine (locked / holdover / free-running).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpClockThreshold {
    /// Seconds to stay in holdover before declaring free-run.
    #[serde(default = "default_hold_over_timeout")]
    pub hold_over_timeout: i64,
    /// Largest offset, in nanoseconds, still counted as locked.
    #[serde(default = "default_max_offset_threshold")]
    pub max_offset_threshold: i64,
    /// Smallest offset, in nanoseconds, still counted as locked.
    #[serde(default = "default_min_offset_threshold")]
    pub min_offset_threshold: i64,
    /// Acceptable downtime of each process, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_downtime_thresholds: Option<ProcessDowntimeThresholds>,
}

fn default_hold_over_timeout() -> i64 {
    5
}
fn default_max_offset_threshold() -> i64 {
    100
}
fn default_min_offset_threshold() -> i64 {
    -100
}

impl Default for PtpClockThreshold {
    fn default() -> Self {
        Self {
            hold_over_timeout: default_hold_over_timeout(),
            max_offset_threshold: default_max_offset_threshold(),
            min_offset_threshold: default_min_offset_threshold(),
            process_downtime_thresholds: None,
        }
    }
}

impl PtpClockThreshold {
    /// `holdOverTimeout` as a duration.
    pub fn hold_over_timeout(&self) -> Duration {
        Duration::from_secs(self.hold_over_timeout)
    }

    /// `maxOffsetThreshold` as a duration.
    pub fn max_offset(&self) -> Duration {
        Duration::from_nanos(self.max_offset_threshold)
    }

    /// `minOffsetThreshold` as a duration.
    pub fn min_offset(&self) -> Duration {
        Duration::from_nanos(self.min_offset_threshold)
    }
}

/// Acceptable downtime of each process, in seconds (0 to 86400).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProcessDowntimeThresholds {
    /// ptp4l.
    #[serde(default = "five")]
    #[schemars(range(max = 86400))]
    pub ptp4l: u32,
    /// phc2sys.
    #[serde(default = "five")]
    #[schemars(range(max = 86400))]
    pub phc2sys: u32,
    /// ts2phc.
    #[serde(default = "five")]
    #[schemars(range(max = 86400))]
    pub ts2phc: u32,
    /// synce4l.
    #[serde(default = "five")]
    #[schemars(range(max = 86400))]
    pub synce4l: u32,
    /// chronyd.
    #[serde(default = "five")]
    #[schemars(range(max = 86400))]
    pub chronyd: u32,
    /// gpsd.
    #[serde(default = "one")]
    #[schemars(range(max = 86400))]
    pub gpsd: u32,
    /// gpspipe.
    #[serde(default = "one")]
    #[schemars(range(max = 86400))]
    pub gpspipe: u32,
}

fn five() -> u32 {
    5
}
fn one() -> u32 {
    1
}

impl Default for ProcessDowntimeThresholds {
    fn default() -> Self {
        Self {
            ptp4l: five(),
            phc2sys: five(),
            ts2phc: five(),
            synce4l: five(),
            chronyd: five(),
            gpsd: one(),
            gpspipe: one(),
        }
    }
}

/// Recommends a profile to the nodes that match, at a priority.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpRecommend {
    /// Name of the recommended profile (unqualified; looked up in every PtpConfig).
    pub profile: String,
    /// Priority; 0 is the highest. A node gets every profile matched at its best priority.
    pub priority: i64,
    /// Rules, any of which selects a node. An entry without rules matches no node.
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub match_rules: Option<Vec<MatchRule>>,
}

/// Selects nodes by name or by label key.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchRule {
    /// Matches nodes that carry a label with this key (the value is not compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_label: Option<String>,
    /// Matches the node with exactly this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
}

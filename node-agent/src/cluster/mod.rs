//! Cluster mode (`ptp-agent --cluster`, what the operator's DaemonSet starts): the agent
//! watches its node's `NodePtpConfig` (named after the node, in the agent's namespace: a
//! field selector on `metadata.name`, so it sees no other node's) and runs every profile in
//! it inside this one process, through the same supervisor as a configuration file on bare
//! metal: profiles whose effective configuration did not change keep running untouched, a
//! changed one is applied in place where the engine can, and only what changed restarts.
//!
//! It writes to the object's status, its own part of it
//! ([`operator::crd::NodePtpConfigStatus`]), the generation applied and, per profile, its
//! state, the daemon's name for it, a hash of the configuration that runs, its problems (what
//! is refused, what this agent does not run yet) and its instance's sync state (ports' states,
//! clock state, servo state, offset, mean path delay, grandmaster, clock class), paced as
//! [`status`] says. A status write that fails (the API server unreachable) is tried again,
//! with backoff; the instances run on meanwhile, and the watch resumes by itself.
//!
//! It also publishes Kubernetes Events regarding that object for transitions whoever runs the
//! cluster wants to be told of ([`events`]), and reports the node's PTP-capable interfaces in
//! its `NodePtpDevice` status ([`devices`]).
//!
//! [`profile`] turns the profiles into instance specs, [`status`] makes and paces the status,
//! [`events`] finds and paces the events, [`devices`] finds the interfaces; `node` holds what
//! the loop keeps between wake-ups and `writer` the API writes, each bounded in time so that
//! an API server that does not answer cannot stall the loop (and its `/healthz` beat); [`run`]
//! is the loop.

pub mod devices;
pub mod events;
mod node;
pub mod profile;
pub mod status;
#[cfg(test)]
mod tests;
mod writer;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt as _;
use kube::runtime::watcher;
use kube::{Api, Client};
use operator::crd::NodePtpConfig;

use self::node::NodeLoop;
use self::profile::ProfileSettings;
use crate::agent::supervisor::{Host, Supervisor};
use telemetry::Health;

/// The field manager of the agent's status writes.
pub const FIELD_MANAGER: &str = "ptp-agent";

/// How often the instances' snapshots are looked at for a status write.
const LOOK: Duration = Duration::from_secs(1);

/// Where the agent's configuration comes from, and where it finds the node's interfaces.
#[derive(Clone, Debug)]
pub struct ClusterSettings {
    /// The namespace of the node's `NodePtpConfig` (the agent's own: `NAMESPACE`).
    pub namespace: String,
    /// What the instances are made with; its `node` names the object (`NODE_NAME`).
    pub profiles: ProfileSettings,
    /// Where the network interfaces are listed ([`devices::SYS_CLASS_NET`]).
    pub sys_class_net: PathBuf,
    /// What an interface can time stamp ([`phc::TimestampingInfo::of`]).
    pub timestamping: fn(&str) -> Option<phc::TimestampingInfo>,
}

/// Runs the node's profiles on `supervisor` until `stop` completes; then stops them.
/// `health` beats with the loop (at least every second) and is ready once the node's
/// configuration (or its absence) is applied.
pub async fn run<H: Host>(
    client: Client,
    settings: &ClusterSettings,
    supervisor: &mut Supervisor<H>,
    health: &Health,
    stop: impl Future<Output = ()>,
) {
    let node = &settings.profiles.node;
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), &settings.namespace);
    let config = watcher::Config::default().fields(&format!("metadata.name={node}"));
    let mut watch = operator::watch::watch(api, config).boxed();
    let mut look = tokio::time::interval(LOOK);
    look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut devices_tick = tokio::time::interval(devices::DEVICES_PERIOD);
    devices_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut node_loop = NodeLoop::new(client, settings, supervisor, health);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = look.tick() => {}
            _ = devices_tick.tick() => node_loop.on_devices().await,
            event = watch.next() => match event {
                Some(event) => node_loop.on_watch(event).await,
                None => break,
            },
        }
        node_loop.after_wake().await;
    }
    node_loop.shutdown().await;
}

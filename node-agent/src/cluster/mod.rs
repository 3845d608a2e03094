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
//! [`events`] finds and paces the events; [`run`] is the loop.

pub mod devices;
pub mod events;
pub mod profile;
pub mod status;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Patch, PatchParams};
use kube::runtime::events::{Event as KubeEvent, EventType, Recorder, Reporter};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt as _;
use kube::{Api, Client, Resource as _};
use operator::crd::{NodePtpConfig, NodePtpConfigStatus, NodePtpDevice, ProfileStatus, PtpDevice};

use self::events::Outbox;
use self::profile::{plan, ProfileSettings};
use self::status::{with_sync, Pace};
use crate::agent::error_chain;
use crate::agent::health::Health;
use crate::agent::supervisor::{Host, Supervisor};

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
    pub sys_class_net: std::path::PathBuf,
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
    let node = settings.profiles.node.clone();
    let api: Api<NodePtpConfig> = Api::namespaced(client.clone(), &settings.namespace);
    let recorder = Recorder::new(
        client,
        Reporter {
            controller: FIELD_MANAGER.to_owned(),
            instance: Some(node.clone()),
        },
    );
    // The object the events regard, as last seen.
    let mut regarding: Option<ObjectReference> = None;
    let mut outbox = Outbox::new(std::time::Instant::now());
    // The status as last made, for its transitions.
    let mut last: Option<NodePtpConfigStatus> = None;
    let config = watcher::Config::default().fields(&format!("metadata.name={node}"));
    let mut events = watcher::watcher(api.clone(), config)
        .default_backoff()
        .boxed();
    // What runs (from the last apply), and when the status is written.
    let mut applied: Option<NodePtpConfigStatus> = None;
    let mut pace = Pace::default();
    let mut look = tokio::time::interval(LOOK);
    look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let devices_api: Api<NodePtpDevice> =
        Api::namespaced(api.clone().into_client(), &settings.namespace);
    let mut devices_tick = tokio::time::interval(devices::DEVICES_PERIOD);
    devices_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The devices as last written.
    let mut devices_written: Option<Vec<PtpDevice>> = None;
    // Whether the object was seen since the watch (re)started its initial list.
    let mut seen_in_init = false;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = look.tick() => {}
            _ = devices_tick.tick() => {
                let found = devices::discover(&settings.sys_class_net, settings.timestamping);
                if devices_written.as_ref() != Some(&found) {
                    match write_devices(&devices_api, &node, &found).await {
                        Ok(()) => devices_written = Some(found),
                        Err(e) => tracing::warn!(
                            "writing the status of NodePtpDevice {node} (again in {:?}): {}",
                            devices::DEVICES_PERIOD,
                            error_chain(&e)
                        ),
                    }
                }
            }
            event = events.next() => match event {
                Some(Ok(Event::Init)) => seen_in_init = false,
                Some(Ok(Event::InitApply(object) | Event::Apply(object))) => {
                    seen_in_init = true;
                    let status = apply(&object, settings, supervisor).await;
                    outbox.push(events::applied(&status), std::time::Instant::now());
                    regarding = Some(object.object_ref(&()));
                    applied = Some(status);
                    health.set_ready(true);
                }
                // No object (yet, or any more): nothing runs.
                Some(Ok(Event::Delete(_))) => {
                    let _ = supervisor.apply(Vec::new()).await;
                    applied = None;
                    tracing::info!("{node}: NodePtpConfig deleted, no profile runs");
                }
                Some(Ok(Event::InitDone)) => {
                    if !seen_in_init {
                        let _ = supervisor.apply(Vec::new()).await;
                        applied = None;
                        health.set_ready(true);
                        tracing::info!("{node}: no NodePtpConfig yet, no profile runs");
                    }
                }
                Some(Err(e)) => tracing::warn!("watching NodePtpConfig {node}: {}", error_chain(&e)),
                None => break,
            }
        }
        health.beat(std::time::Instant::now());
        if let Some(base) = &applied {
            let current = with_sync(base, |name| supervisor.snapshot(name));
            let now = std::time::Instant::now();
            if let Some(before) = &last {
                outbox.push(events::transitions(before, &current), now);
            }
            last = Some(current.clone());
            if pace.due(&current, now) {
                match write_status(&api, &node, &current).await {
                    Ok(()) => pace.written(current, now),
                    Err(e) => {
                        let again = pace.failed(now);
                        tracing::warn!(
                            "writing the status of NodePtpConfig {node} (again in {again:?}): {}",
                            error_chain(&e)
                        );
                    }
                }
            }
        }
        if let Some(reference) = &regarding {
            publish(&recorder, reference, &mut outbox, &node).await;
        }
    }
    supervisor.shutdown().await;
}

/// Publishes the waiting events in order, until one cannot be (it is tried again later).
async fn publish(
    recorder: &Recorder,
    regarding: &ObjectReference,
    outbox: &mut Outbox,
    node: &str,
) {
    let dropped = outbox.take_dropped();
    if dropped > 0 {
        tracing::warn!("{node}: {dropped} event(s) dropped by the rate limit");
    }
    while let Some(notice) = outbox.next() {
        let event = KubeEvent {
            type_: if notice.warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: notice.reason.to_owned(),
            note: Some(notice.note.clone()),
            action: "Synchronize".to_owned(),
            secondary: None,
        };
        match recorder.publish(&event, regarding).await {
            Ok(()) => outbox.sent(),
            Err(e) => {
                tracing::debug!("{node}: event not published yet: {}", error_chain(&e));
                return;
            }
        }
    }
}

/// Applies the profiles of `object` and returns the status saying what runs.
async fn apply<H: Host>(
    object: &NodePtpConfig,
    settings: &ClusterSettings,
    supervisor: &mut Supervisor<H>,
) -> NodePtpConfigStatus {
    let plans = plan(&object.spec.profiles, &settings.profiles);
    let mut specs = Vec::new();
    let mut profiles: Vec<ProfileStatus> = Vec::new();
    for p in plans {
        for warning in &p.warnings {
            tracing::warn!("{}: {warning}", p.status.name);
        }
        if let Some(spec) = p.spec {
            specs.push(spec);
        }
        profiles.push(p.status);
    }
    match supervisor.apply(specs).await {
        Ok(applied) => {
            tracing::info!("applied: {applied}");
            let failed = applied
                .failed
                .iter()
                .map(|(name, e)| (name, error_chain(e)))
                .chain(
                    applied
                        .refused
                        .iter()
                        .map(|(name, e)| (name, error_chain(e))),
                );
            for (name, reason) in failed {
                let Some(status) = profiles
                    .iter_mut()
                    .find(|s| s.config.as_deref() == Some(name.as_str()))
                else {
                    continue;
                };
                status.state = profile::REFUSED.to_owned();
                status.problems.insert(0, format!("ptp4l: {reason}"));
            }
        }
        Err(e) => {
            tracing::error!("not applied: {e}");
            for status in profiles.iter_mut().filter(|s| s.state == profile::RUNNING) {
                status.state = profile::REFUSED.to_owned();
                status.problems.insert(0, e.to_string());
            }
        }
    }
    NodePtpConfigStatus {
        applied_generation: object.metadata.generation,
        profiles,
    }
}

/// Writes `devices` as the node's NodePtpDevice status (server-side apply of the agent's
/// fields; the operator creates the object).
async fn write_devices(
    api: &Api<NodePtpDevice>,
    node: &str,
    devices: &[PtpDevice],
) -> Result<(), kube::Error> {
    let patch = serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpDevice",
        "metadata": { "name": node },
        "status": { "devices": devices },
    });
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch_status(node, &params, &Patch::Apply(&patch))
        .await
        .map(drop)
}

/// Writes `status` (server-side apply of the agent's fields).
async fn write_status(
    api: &Api<NodePtpConfig>,
    node: &str,
    status: &NodePtpConfigStatus,
) -> Result<(), kube::Error> {
    let patch = serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpConfig",
        "metadata": { "name": node },
        "status": status,
    });
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch_status(node, &params, &Patch::Apply(&patch))
        .await
        .map(drop)
}

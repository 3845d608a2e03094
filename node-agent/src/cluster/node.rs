//! What the cluster loop keeps between wake-ups ([`NodeLoop`]): the status of what runs and
//! its pace, the events waiting, the devices written; and what it does on each input — a
//! watch event (apply the node's profiles), a devices tick, and after every wake-up (beat,
//! write the status when due, publish the events).

use std::time::Instant;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client, Resource as _};
use operator::crd::{NodePtpConfig, NodePtpConfigStatus, NodePtpDevice, ProfileStatus, PtpDevice};

use super::events::{self, Outbox};
use super::profile::{self, plan};
use super::status::{with_sync, Pace};
use super::{devices, writer, ClusterSettings, FIELD_MANAGER};
use crate::agent::error_chain;
use crate::agent::supervisor::{Host, Supervisor};
use telemetry::Health;

/// The cluster loop's state.
pub(super) struct NodeLoop<'a, H: Host> {
    settings: &'a ClusterSettings,
    supervisor: &'a mut Supervisor<H>,
    health: &'a Health,
    node: String,
    api: Api<NodePtpConfig>,
    devices_api: Api<NodePtpDevice>,
    recorder: Recorder,
    /// What runs (from the last apply), without its sync state.
    applied: Option<NodePtpConfigStatus>,
    /// When the status is written.
    pace: Pace,
    /// The status as last made, for its transitions.
    last: Option<NodePtpConfigStatus>,
    /// The object the events regard, as last seen.
    regarding: Option<ObjectReference>,
    outbox: Outbox,
    /// The devices as last written.
    devices_written: Option<Vec<PtpDevice>>,
    /// Whether the object was seen since the watch (re)started its initial list.
    seen_in_init: bool,
}

impl<'a, H: Host> NodeLoop<'a, H> {
    pub(super) fn new(
        client: Client,
        settings: &'a ClusterSettings,
        supervisor: &'a mut Supervisor<H>,
        health: &'a Health,
    ) -> Self {
        let node = settings.profiles.node.clone();
        let reporter = Reporter {
            controller: FIELD_MANAGER.to_owned(),
            instance: Some(node.clone()),
        };
        Self {
            settings,
            supervisor,
            health,
            api: Api::namespaced(client.clone(), &settings.namespace),
            devices_api: Api::namespaced(client.clone(), &settings.namespace),
            recorder: Recorder::new(client, reporter),
            node,
            applied: None,
            pace: Pace::default(),
            last: None,
            regarding: None,
            outbox: Outbox::new(Instant::now()),
            devices_written: None,
            seen_in_init: false,
        }
    }

    /// Follows the node's object: its profiles applied when it appears or changes, none when
    /// it goes (or is not there at start).
    pub(super) async fn on_watch(&mut self, event: Result<Event<NodePtpConfig>, watcher::Error>) {
        let node = self.node.clone();
        match event {
            Ok(Event::Init) => self.seen_in_init = false,
            Ok(Event::InitApply(object) | Event::Apply(object)) => {
                self.seen_in_init = true;
                let status = self.apply(&object).await;
                self.outbox.push(events::applied(&status), Instant::now());
                self.regarding = Some(object.object_ref(&()));
                self.applied = Some(status);
                self.health.set_ready(true);
            }
            Ok(Event::Delete(_)) => {
                self.run_nothing().await;
                tracing::info!("{node}: NodePtpConfig deleted, no profile runs");
            }
            Ok(Event::InitDone) => {
                if !self.seen_in_init {
                    self.run_nothing().await;
                    self.health.set_ready(true);
                    tracing::info!("{node}: no NodePtpConfig yet, no profile runs");
                }
            }
            Err(e) => tracing::warn!("watching NodePtpConfig {node}: {}", error_chain(&e)),
        }
    }

    /// Stops every profile.
    async fn run_nothing(&mut self) {
        // An empty set is never refused.
        let _ = self.supervisor.apply(Vec::new()).await;
        self.applied = None;
        self.last = None;
    }

    /// Applies the profiles of `object` and returns the status saying what runs.
    async fn apply(&mut self, object: &NodePtpConfig) -> NodePtpConfigStatus {
        let plans = plan(&object.spec.profiles, &self.settings.profiles);
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
        match self.supervisor.apply(specs).await {
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

    /// Looks at the node's interfaces and writes them when they changed.
    pub(super) async fn on_devices(&mut self) {
        let found = devices::discover(&self.settings.sys_class_net, self.settings.timestamping);
        if self.devices_written.as_ref() == Some(&found) {
            return;
        }
        match writer::devices(&self.devices_api, &self.node, &found).await {
            Ok(()) => self.devices_written = Some(found),
            Err(e) => tracing::warn!(
                "writing the status of NodePtpDevice {} (again in {:?}): {}",
                self.node,
                devices::DEVICES_PERIOD,
                error_chain(&e)
            ),
        }
    }

    /// After every wake-up: beats, makes the status from the instances' snapshots, writes it
    /// when due, queues the events of its transitions and publishes what waits.
    pub(super) async fn after_wake(&mut self) {
        let now = Instant::now();
        self.health.beat(now);
        if let Some(base) = &self.applied {
            let supervisor = &*self.supervisor;
            let current = with_sync(base, |name| supervisor.snapshot(name));
            if let Some(before) = &self.last {
                self.outbox.push(events::transitions(before, &current), now);
            }
            self.last = Some(current.clone());
            if self.pace.due(&current, now) {
                match writer::status(&self.api, &self.node, &current).await {
                    Ok(()) => self.pace.written(current, now),
                    Err(e) => {
                        let again = self.pace.failed(now);
                        tracing::warn!(
                            "writing the status of NodePtpConfig {} (again in {again:?}): {}",
                            self.node,
                            error_chain(&e)
                        );
                    }
                }
            }
        }
        if let Some(regarding) = &self.regarding {
            writer::publish(&self.recorder, regarding, &mut self.outbox, &self.node).await;
        }
    }

    /// Stops every profile.
    pub(super) async fn shutdown(self) {
        self.supervisor.shutdown().await;
    }
}

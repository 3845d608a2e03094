//! The instances of the process: a [`Supervisor`] owns N named instances (one per
//! configuration: the standalone agent's one ptp4l configuration, or in a cluster one per
//! profile), each its own runtime task with its own ports, management socket and series, and
//! takes a new set of [`InstanceSpec`]s as a diff ([`Supervisor::apply`]):
//!
//! - an instance whose spec is unchanged is left alone (the same task, nothing reopened);
//! - one no longer desired is stopped: its ports and management socket closed (the socket's
//!   file removed) and its series removed;
//! - a new one is started;
//! - a changed one is handed its new spec (`Supervisor::hand_over`). While it steers the
//!   same clock (the same clock choice, time stamping mode and first interface: see
//!   [`crate::agent::spec::ClockSource`]), its running task takes the new engine settings
//!   and the options the agent applies itself ([`crate::agent::runtime::RuntimeOptions`])
//!   through a channel: the engine changes in place what it can and restarts only the ports,
//!   or itself, where a setting calls for it; the ports that did not change keep their
//!   sockets, states and servo. Settings the engine refuses leave the instance running as
//!   it was. Only a change of clock stops the task and starts a new one; a start that
//!   fails starts the previous spec again.
//!
//! The log's level and destination are the process's: after each change they follow the
//! instances (the most verbose `logging_level`, stdout if any says `verbose`).

mod launch;
#[cfg(test)]
mod tests;

pub use self::launch::{engine_settings, launch, Host, HostError, LaunchError};

use std::collections::BTreeMap;
use std::fmt;

use ptp_core::engine::Reconfiguration;
use thiserror::Error;
use tokio::sync::mpsc::{channel, Sender};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::error_chain;
use super::log::output::LogControl;
use super::metrics::{ConfigLabel, MetricsHub};
use super::runtime::{Control, ReconfigureError};
use super::snapshot::Snapshot;
use super::spec::InstanceSpec;

/// Room for control messages to one instance; the supervisor sends one at a time and the
/// instance takes each at once.
const CONTROL_QUEUE: usize = 4;

/// One start of an instance: each start gets a new one, so a restart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(u64);

/// A running instance.
#[derive(Debug)]
struct Running {
    id: InstanceId,
    spec: InstanceSpec,
    control: Sender<Control>,
    task: JoinHandle<()>,
    snapshot: watch::Receiver<Snapshot>,
}

/// Why a running instance kept its spec.
#[derive(Debug)]
enum Refusal {
    /// No engine settings could be made from the new spec.
    Settings(LaunchError),
    /// The running instance refused them.
    Running(ReconfigureError),
}

/// Why a set of specs was refused (nothing was changed).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ApplyError {
    /// Two specs have the same name.
    #[error("two instances are named {0}")]
    DuplicateName(String),
    /// More than one instance where the series' labels cannot tell them apart.
    #[error("{0} instances, but the series of one process carry no instance label")]
    TooMany(usize),
}

/// What [`Supervisor::apply`] did, by instance name.
#[derive(Debug, Default)]
pub struct Applied {
    /// Left alone.
    pub unchanged: Vec<String>,
    /// Changed while running: what the engine did and the names of the agent's own
    /// options that changed.
    pub updated: Vec<(String, Update)>,
    /// Not changed: the running instance refused its new spec and runs on as it was.
    pub refused: Vec<(String, ReconfigureError)>,
    /// Stopped and started again.
    pub restarted: Vec<String>,
    /// Started.
    pub started: Vec<String>,
    /// Stopped and removed.
    pub stopped: Vec<String>,
    /// Could not be started (a changed one runs its previous spec again, if it can).
    pub failed: Vec<(String, LaunchError)>,
}

impl fmt::Display for Applied {
    /// One line: each instance and what was done with it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (name, update) in &self.updated {
            parts.push(format!("{name}: {update}"));
        }
        for (name, e) in &self.refused {
            parts.push(format!("{name}: kept as it was: {}", error_chain(e)));
        }
        for name in &self.restarted {
            parts.push(format!("{name}: restarted"));
        }
        for name in &self.started {
            parts.push(format!("{name}: started"));
        }
        for name in &self.stopped {
            parts.push(format!("{name}: stopped"));
        }
        for (name, e) in &self.failed {
            parts.push(format!("{name}: cannot start: {}", error_chain(e)));
        }
        for name in &self.unchanged {
            parts.push(format!("{name}: unchanged"));
        }
        if parts.is_empty() {
            parts.push("no instances".to_owned());
        }
        f.write_str(&parts.join("; "))
    }
}

/// What a running instance did with a new spec.
#[derive(Debug, Default)]
pub struct Update {
    /// What the engine did.
    pub engine: Reconfiguration,
    /// The agent's own options that changed (taken in place).
    pub options: Vec<&'static str>,
}

impl fmt::Display for Update {
    /// The engine's line, then the options: `in place: priority2; summary_interval changed
    /// in place`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.engine.is_empty(), self.options.is_empty()) {
            (true, true) => f.write_str("no change"),
            (false, true) => write!(f, "{}", self.engine),
            (true, false) => write!(f, "{} changed in place", self.options.join(", ")),
            (false, false) => write!(
                f,
                "{}; {} changed in place",
                self.engine,
                self.options.join(", ")
            ),
        }
    }
}

/// The instances of the process, running on `H`.
#[derive(Debug)]
pub struct Supervisor<H: Host> {
    host: H,
    hub: MetricsHub,
    log: Option<LogControl>,
    running: BTreeMap<String, Running>,
    next_id: u64,
}

impl<H: Host> Supervisor<H> {
    /// No instances yet; they will run on `host`, their series in `hub`. `log`, when given,
    /// is set to follow the instances' log options.
    pub fn new(host: H, hub: MetricsHub, log: Option<LogControl>) -> Self {
        Self {
            host,
            hub,
            log,
            running: BTreeMap::new(),
            next_id: 0,
        }
    }

    /// The registry every instance's series are in.
    pub fn hub(&self) -> &MetricsHub {
        &self.hub
    }

    /// The identity of the running instance `name`'s current start.
    pub fn instance_id(&self, name: &str) -> Option<InstanceId> {
        self.running.get(name).map(|r| r.id)
    }

    /// What the running instance `name` is doing now.
    pub fn snapshot(&self, name: &str) -> Option<Snapshot> {
        self.running.get(name).map(|r| r.snapshot.borrow().clone())
    }

    /// The spec the running instance `name` runs.
    pub fn spec(&self, name: &str) -> Option<&InstanceSpec> {
        self.running.get(name).map(|r| &r.spec)
    }

    /// Makes the running instances those of `desired` (see the module's documentation).
    /// A set that cannot run side by side is refused whole, and nothing changes.
    pub async fn apply(&mut self, desired: Vec<InstanceSpec>) -> Result<Applied, ApplyError> {
        let mut names = std::collections::BTreeSet::new();
        for spec in &desired {
            if !names.insert(spec.name()) {
                return Err(ApplyError::DuplicateName(spec.name().to_owned()));
            }
        }
        if self.hub.config_label() == ConfigLabel::PerProcess && desired.len() > 1 {
            return Err(ApplyError::TooMany(desired.len()));
        }
        let mut applied = Applied::default();
        let gone: Vec<String> = self
            .running
            .keys()
            .filter(|name| !names.contains(name.as_str()))
            .cloned()
            .collect();
        for name in gone {
            self.stop(&name).await;
            applied.stopped.push(name);
        }
        for spec in desired {
            let name = spec.name().to_owned();
            match self.running.get(&name) {
                Some(running) if running.spec == spec => applied.unchanged.push(name),
                Some(_) => self.hand_over(spec, &mut applied).await,
                None => match self.start(spec) {
                    Ok(()) => applied.started.push(name),
                    Err(e) => applied.failed.push((name, e)),
                },
            }
        }
        self.follow_log_options();
        Ok(applied)
    }

    /// Stops every instance.
    pub async fn shutdown(&mut self) {
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            self.stop(&name).await;
        }
    }

    /// Hands the running instance of `new`'s name its new spec: this is the one place where
    /// a changed configuration meets a running instance. While the clock stays the same the
    /// running task takes it (see the module's documentation); otherwise the instance
    /// restarts (stop, then start from `new`), and runs its previous spec again if `new`
    /// cannot start.
    async fn hand_over(&mut self, new: InstanceSpec, applied: &mut Applied) {
        let name = new.name().to_owned();
        let Some(running) = self.running.get(&name) else {
            return;
        };
        if running.spec.clock_source() == new.clock_source() {
            match self.reconfigure(&new).await {
                Some(Ok(update)) => {
                    if let Some(running) = self.running.get_mut(&name) {
                        running.spec = new;
                    }
                    applied.updated.push((name, update));
                    return;
                }
                Some(Err(Refusal::Settings(e))) => {
                    applied.failed.push((name, e));
                    return;
                }
                Some(Err(Refusal::Running(e))) => {
                    applied.refused.push((name, e));
                    return;
                }
                // The task has ended: start it afresh below.
                None => {}
            }
        }
        let old = running.spec.clone();
        self.stop(&name).await;
        match self.start(new) {
            Ok(()) => applied.restarted.push(name),
            Err(e) => {
                // The running configuration is kept where it can be.
                if let Err(again) = self.start(old) {
                    tracing::error!("{name}: cannot start again: {}", error_chain(&again));
                }
                applied.failed.push((name, e));
            }
        }
    }

    /// Has the running instance of `new`'s name take `new`'s settings and options, and
    /// waits for what it did; `None` when its task has ended.
    async fn reconfigure(&self, new: &InstanceSpec) -> Option<Result<Update, Refusal>> {
        let running = self.running.get(new.name())?;
        let settings = match engine_settings(&self.host, new) {
            Ok(settings) => settings,
            Err(e) => return Some(Err(Refusal::Settings(e))),
        };
        let options = new.runtime_options();
        let changed = running.spec.runtime_options().changes(&options);
        let (done, outcome) = oneshot::channel();
        let control = Control::Reconfigure {
            settings: Box::new(settings),
            options: Box::new(options),
            done,
        };
        running.control.send(control).await.ok()?;
        let engine = outcome.await.ok()?;
        Some(
            engine
                .map(|engine| Update {
                    engine,
                    options: changed,
                })
                .map_err(Refusal::Running),
        )
    }

    /// Starts an instance of `spec` in a task of its own.
    fn start(&mut self, spec: InstanceSpec) -> Result<(), LaunchError> {
        let runtime = launch(&mut self.host, &spec, &self.hub)?;
        let snapshot = runtime.snapshot();
        let (control, commands) = channel(CONTROL_QUEUE);
        let task = tokio::spawn(runtime.run(commands));
        self.next_id += 1;
        let id = InstanceId(self.next_id);
        let name = spec.name().to_owned();
        self.running.insert(
            name,
            Running {
                id,
                spec,
                control,
                task,
                snapshot,
            },
        );
        Ok(())
    }

    /// Stops the instance `name` and waits until its task has ended (its ports and socket
    /// closed, its series removed), so that a successor can take its sockets and series.
    async fn stop(&mut self, name: &str) {
        let Some(running) = self.running.remove(name) else {
            return;
        };
        let _ = running.control.send(Control::Stop).await;
        if let Err(e) = running.task.await {
            tracing::error!("instance {name} ended badly: {e}");
        }
    }

    /// Sets the process's log as the running instances ask.
    fn follow_log_options(&self) {
        let Some(log) = &self.log else {
            return;
        };
        let logs: Vec<_> = self
            .running
            .values()
            .map(|r| r.spec.runtime_options().log)
            .collect();
        if let Some(level) = logs.iter().map(|l| l.level).max() {
            log.apply(level, logs.iter().any(|l| l.verbose));
        }
    }
}

//! The standalone agent: `ptp-agent -f ptp4l.conf -i eth0 -m -S` runs one PTP instance as
//! ptp4l would, on the engine of `ptp-core`, and takes a changed configuration file on
//! SIGHUP, which ptp4l cannot.
//!
//! Modules, in the order they are used: [`cli`] (the agent's own flags), [`setup`] (from the
//! ptp4l-style arguments to an instance's [`spec`], and the host it runs on), [`supervisor`]
//! (the instances of the process, started, stopped and changed by diff), [`runtime`] (one
//! instance's event loop) with [`clock`] (the disciplined clock), [`port_io`] (the ports'
//! I/O), [`management`] (the local management socket `pmc -u` asks) and [`timers`], and
//! what it feeds: [`log`] (ptp4l-like lines) and [`metrics`] (Prometheus series, the
//! OpenShift daemon's and our own, and the HTTP server that serves them), both summarising
//! samples with [`summary`].
//!
//! The process runs through the [`supervisor::Supervisor`] with one instance. SIGHUP
//! re-reads the configuration file and the command line the agent was started with and hands
//! the result to the supervisor, as any change would be: what did not change is left alone.
//! A file that cannot be read or parsed changes nothing: the error (with its line) is
//! logged and the agent goes on. SIGINT and SIGTERM stop it.

pub mod cli;
pub mod clock;
pub mod log;
pub mod management;
pub mod metrics;
pub mod port_io;
pub mod runtime;
pub mod setup;
pub mod snapshot;
pub mod spec;
pub mod summary;
pub mod supervisor;
#[cfg(test)]
pub(crate) mod testing;
pub mod timers;

use std::process::ExitCode;

use anyhow::Context as _;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{channel, Receiver};

use self::cli::AgentArgs;
use self::metrics::{ConfigLabel, MetricsHub};
use self::setup::{Loaded, SystemHost};
use self::supervisor::{Host, Supervisor};

/// What the agent's `/readyz` says until its configuration is applied.
pub const NOT_APPLIED: &str = "the configuration is not applied";

/// What the agent is told from outside while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP: read the configuration again.
    Reload,
    /// SIGINT or SIGTERM: stop.
    Stop,
}

/// Runs the agent with its flags and ptp4l-style arguments until SIGINT or SIGTERM.
pub fn run(args: &AgentArgs) -> anyhow::Result<ExitCode> {
    if args.cluster {
        return run_cluster(args);
    }
    let node = args
        .node_name
        .clone()
        .unwrap_or_else(metrics::default_node_name);
    let load = || {
        setup::load(&args.ptp4l, args.clock, &node, &|path| {
            std::fs::read_to_string(path)
        })
    };
    let Loaded { spec, warnings } = load()?;
    let log = log::output::init(&spec.runtime_options().log);
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the tokio runtime")?;
    runtime.block_on(async move {
        let hub = MetricsHub::new(ConfigLabel::PerProcess);
        let health = telemetry::Health::new(NOT_APPLIED);
        if let Some(address) = args.metrics_address {
            telemetry::http::spawn_server(address, hub.registry(), health.clone()).await;
        }
        spawn_heartbeat(health.clone());
        let signals = forward_signals().context("install the signal handlers")?;
        let mut supervisor = Supervisor::new(SystemHost, hub, Some(log));
        let applied = supervisor.apply(vec![spec]).await?;
        if let Some((_, e)) = applied.failed.into_iter().next() {
            return Err(anyhow::Error::new(e));
        }
        // A reload that fails keeps the running configuration: still ready.
        health.set_ready(true);
        serve(&mut supervisor, signals, &load).await;
        tracing::info!("caught a signal, shutting down");
        supervisor.shutdown().await;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Cluster mode: runs the profiles of the node's `NodePtpConfig` (see [`crate::cluster`])
/// until SIGINT or SIGTERM. The node is `--node-name` or `NODE_NAME`, the namespace
/// `NAMESPACE` (the DaemonSet sets both from the downward API); the API server's address and
/// credentials are the pod's (or `KUBECONFIG`'s).
fn run_cluster(args: &AgentArgs) -> anyhow::Result<ExitCode> {
    if !args.ptp4l.is_empty() {
        anyhow::bail!(
            "--cluster takes the configuration from the node's NodePtpConfig; \
             unexpected ptp4l options: {}",
            args.ptp4l.join(" ")
        );
    }
    let node = args
        .node_name
        .clone()
        .or_else(|| std::env::var("NODE_NAME").ok().filter(|n| !n.is_empty()))
        .context("--cluster needs the node's name: NODE_NAME or --node-name")?;
    let namespace = std::env::var("NAMESPACE")
        .ok()
        .filter(|n| !n.is_empty())
        .context("--cluster needs NAMESPACE, the namespace of the node's NodePtpConfig")?;
    let log = log::output::init(&log::LogSettings {
        verbose: true,
        level: 6,
        tag: None,
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the tokio runtime")?;
    runtime.block_on(async move {
        let hub = MetricsHub::new(ConfigLabel::EverySeries);
        let health = telemetry::Health::new(NOT_APPLIED);
        if let Some(address) = args.metrics_address {
            telemetry::http::spawn_server(address, hub.registry(), health.clone()).await;
        }
        let mut signals = forward_signals().context("install the signal handlers")?;
        let client = kube::Client::try_default()
            .await
            .context("connect to the API server")?;
        let settings = crate::cluster::ClusterSettings {
            namespace,
            profiles: crate::cluster::profile::ProfileSettings {
                node,
                clock: args.clock,
                run_dir: args
                    .run_dir
                    .clone()
                    .unwrap_or_else(|| crate::cluster::profile::RUN_DIR.into()),
            },
            sys_class_net: crate::cluster::devices::SYS_CLASS_NET.into(),
            timestamping: |name| phc::TimestampingInfo::of(name).ok(),
        };
        tracing::info!(
            "cluster mode: node {}, namespace {}",
            settings.profiles.node,
            settings.namespace
        );
        let mut supervisor = Supervisor::new(SystemHost, hub, Some(log));
        // SIGHUP has nothing to re-read: the configuration comes from the watch.
        let stop = async move {
            while let Some(signal) = signals.recv().await {
                if signal == Signal::Stop {
                    break;
                }
            }
        };
        crate::cluster::run(client, &settings, &mut supervisor, &health, stop).await;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Beats `health` every second from a task of the process's (single-threaded) runtime: a
/// runtime that stops running its tasks stops the beat.
fn spawn_heartbeat(health: telemetry::Health) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            health.beat(std::time::Instant::now());
        }
    });
}

/// Forwards SIGHUP, SIGINT and SIGTERM as [`Signal`]s.
fn forward_signals() -> std::io::Result<Receiver<Signal>> {
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let (tx, rx) = channel(1);
    tokio::spawn(async move {
        loop {
            let signal = tokio::select! {
                _ = hangup.recv() => Signal::Reload,
                _ = interrupt.recv() => Signal::Stop,
                _ = terminate.recv() => Signal::Stop,
            };
            if tx.send(signal).await.is_err() {
                return;
            }
        }
    });
    Ok(rx)
}

/// Serves `signals` until one says stop (or none can come any more): each reload reads the
/// configuration with `load` and hands it to `supervisor`.
pub async fn serve<H: Host>(
    supervisor: &mut Supervisor<H>,
    mut signals: Receiver<Signal>,
    load: &dyn Fn() -> anyhow::Result<Loaded>,
) {
    while let Some(Signal::Reload) = signals.recv().await {
        reload(supervisor, load).await;
    }
}

/// Reads the configuration with `load` and hands it to `supervisor`; logs one line with
/// what was done, or why nothing was (an unreadable or broken file keeps the running
/// configuration), and returns it.
pub async fn reload<H: Host>(
    supervisor: &mut Supervisor<H>,
    load: &dyn Fn() -> anyhow::Result<Loaded>,
) -> String {
    let loaded = match load() {
        Ok(loaded) => loaded,
        Err(e) => {
            let line = format!("reload failed, the running configuration is kept: {e:#}");
            tracing::error!("{line}");
            return line;
        }
    };
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    match supervisor.apply(vec![loaded.spec]).await {
        Ok(applied) if applied.failed.is_empty() && applied.refused.is_empty() => {
            let line = format!("reloaded: {applied}");
            tracing::info!("{line}");
            line
        }
        Ok(applied) => {
            let line = format!("reload failed in part: {applied}");
            tracing::error!("{line}");
            line
        }
        Err(e) => {
            let line = format!("reload refused, the running configuration is kept: {e}");
            tracing::error!("{line}");
            line
        }
    }
}

/// An error and its sources on one line (the operator's rendering, shared).
pub(crate) use operator::report as error_chain;

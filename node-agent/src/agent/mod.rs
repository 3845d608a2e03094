//! The standalone agent: `ptp-agent -f ptp4l.conf -i eth0 -m -S` runs one PTP instance as
//! ptp4l would, on the engine of `ptp-core`.
//!
//! Modules, in the order they are used: [`cli`] (the agent's own flags), [`setup`] (from the
//! configuration to the engine, the clock and the port sockets), [`log`] (ptp4l-like lines)
//! and [`metrics`] (Prometheus series, the OpenShift daemon's and our own, and the HTTP
//! server that serves them), both summarising samples with [`summary`], [`clock`] (the
//! disciplined clock), [`runtime`] (the event loop), [`port_io`] (one task per port's
//! sockets), [`management`] (the local management socket `pmc -u` asks) and [`timers`].

pub mod cli;
pub mod clock;
pub mod log;
pub mod management;
pub mod metrics;
pub mod port_io;
pub mod runtime;
pub mod setup;
pub mod summary;
pub mod timers;

use std::process::ExitCode;

use anyhow::Context as _;

use self::cli::AgentArgs;

/// Runs the agent with its flags and ptp4l-style arguments until SIGINT or SIGTERM.
pub fn run(args: &AgentArgs) -> anyhow::Result<ExitCode> {
    let plan = setup::plan(&args.ptp4l, args.clock, &|path| {
        std::fs::read_to_string(path)
    })?;
    log::init(&plan.log);
    for warning in &plan.warnings {
        tracing::warn!("{warning}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the tokio runtime")?;
    let node = args
        .node_name
        .clone()
        .unwrap_or_else(metrics::default_node_name);
    let metrics = plan.metrics(&node);
    runtime.block_on(async move {
        if let Some(address) = args.metrics_address {
            metrics::http::spawn_server(address, metrics.registry()).await;
        }
        let rt = plan.into_runtime(metrics)?;
        rt.run().await.context("event loop")
    })?;
    Ok(ExitCode::SUCCESS)
}

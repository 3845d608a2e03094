//! `ptp-operator`: reconciles `ptp.openshift.io/v1` objects into node agents.
//!
//! Settings come from the environment (as the Deployment in `deploy/operator/` sets them):
//! - `OPERATOR_NAMESPACE`: namespace of the PtpConfigs, agents and per-node objects
//!   (default `openshift-ptp`, upstream's);
//! - `AGENT_IMAGE`: the agents' container image (required);
//! - `POD_NAME`: identity for leader election (default `<hostname>-<pid>`);
//! - `LEASE_DURATION_SECONDS`: leader-election timing (default 15; renew deadline 2/3 of it,
//!   retry period 2/15 of it, client-go's proportions);
//! - `METRICS_ADDRESS`: where `/metrics`, `/healthz` and `/readyz` are served (default
//!   `0.0.0.0:8080`; empty: not served). `/healthz` fails when the leader-election loop has
//!   not run for 30 s; `/readyz` while the last request to the API server (a pass, or a
//!   Lease read while following) failed;
//! - `RUST_LOG`: log filter (default `info`).
//!
//! The cluster connection is kube's usual inference: in-cluster service account, or
//! `KUBECONFIG`. SIGTERM and SIGINT stop it cleanly, releasing the leader Lease.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use operator::agent::AgentSettings;
use operator::leader::{Elector, LeaseSettings};
use operator::reconcile::Context;
use prometheus_client::registry::Registry;

/// The metrics and probes port unless `METRICS_ADDRESS` says otherwise.
const DEFAULT_METRICS_PORT: u16 = 8080;

/// Name of the leader-election Lease (upstream's leader-election ID).
const LEASE_NAME: &str = "ptp.openshift.io";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let namespace = std::env::var("OPERATOR_NAMESPACE").unwrap_or_else(|_| "openshift-ptp".into());
    let image = std::env::var("AGENT_IMAGE").context("AGENT_IMAGE is not set")?;
    let identity = match std::env::var("POD_NAME") {
        Ok(name) => name,
        Err(_) => format!("{}-{}", hostname(), std::process::id()),
    };
    let mut lease = LeaseSettings::new(LEASE_NAME, &namespace, &identity);
    if let Ok(text) = std::env::var("LEASE_DURATION_SECONDS") {
        let secs: u64 = text
            .parse()
            .with_context(|| format!("LEASE_DURATION_SECONDS={text}"))?;
        let duration = Duration::from_secs(secs.max(1));
        lease.lease_duration = duration;
        lease.renew_deadline = duration.mul_f64(2.0 / 3.0);
        lease.retry_period = duration.mul_f64(2.0 / 15.0);
    }

    let metrics_address = match std::env::var("METRICS_ADDRESS") {
        Ok(text) if text.is_empty() => None,
        Ok(text) => Some(
            text.parse::<SocketAddr>()
                .with_context(|| format!("METRICS_ADDRESS={text}"))?,
        ),
        Err(_) => Some(SocketAddr::from(([0, 0, 0, 0], DEFAULT_METRICS_PORT))),
    };

    let client = kube::Client::try_default()
        .await
        .context("connecting to the cluster")?;
    let mut registry = Registry::default();
    let ctx = Arc::new(Context::new(
        client.clone(),
        AgentSettings { namespace, image },
        &mut registry,
        &identity,
    ));
    if let Some(address) = metrics_address {
        telemetry::http::spawn_server(address, Arc::new(registry), ctx.health.clone()).await;
    }
    let elector = Elector::new(client, lease);
    operator::controller::run_elected(ctx, elector, terminated()).await;
    Ok(())
}

/// Completes on SIGTERM or SIGINT.
async fn terminated() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "ptp-operator".to_owned())
}

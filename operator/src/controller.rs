//! Wiring: the kube-runtime Controller that drives [`reconcile`], what wakes it, and the
//! leader-election loop around it.
//!
//! Every trigger maps to the one `default` PtpOperatorConfig, because every pass recomputes
//! the whole namespace: a PtpConfig spec change, a Node added, removed or relabelled (the
//! upstream operator does not watch Nodes), a NodePtpConfig or NodePtpDevice changed or
//! deleted by someone else, the DaemonSet changed, and what the PtpConfigs' summaries read of
//! an agent's NodePtpConfig status (the generation applied, each profile's state, lock state
//! and ports' states). Other status updates (agents' measurements, kubelets writing Node
//! status) do not wake it (see [`crate::triggers`]).

use std::future::Future;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Node;
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use tracing::{info, warn};

use crate::agent::APP_LABEL;
use crate::crd::{
    NodePtpConfig, NodePtpDevice, PortState, PtpConfig, PtpOperatorConfig, SINGLETON_NAME,
};
use crate::leader::Elector;
use crate::reconcile::{self, error_policy, Context};
use crate::triggers::changed;
use crate::watch::watch;

/// Runs the controller until `shutdown` completes.
pub async fn run(ctx: Arc<Context>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let client = ctx.client.clone();
    let ns = ctx.settings.namespace.clone();
    if let Err(err) = reconcile::ensure_default(&ctx).await {
        // The controller retries; the default is created by the first pass that gets through.
        warn!(error = %crate::report(&err), "could not ensure the default PtpOperatorConfig yet");
    }
    let target = ObjectRef::<PtpOperatorConfig>::new(SINGLETON_NAME).within(&ns);
    let cfg = watcher::Config::default;

    let configs = changed(
        watch(Api::<PtpConfig>::namespaced(client.clone(), &ns), cfg()),
        |c: &PtpConfig| c.metadata.generation,
    );
    let nodes = changed(
        watch(Api::<Node>::all(client.clone()), cfg()),
        |n: &Node| n.labels().clone(),
    );
    let node_configs = changed(
        watch(Api::<NodePtpConfig>::namespaced(client.clone(), &ns), cfg()),
        |c: &NodePtpConfig| {
            let owners: Vec<String> = c.owner_references().iter().map(|o| o.uid.clone()).collect();
            (c.metadata.generation, owners, sync_fingerprint(c))
        },
    );
    let devices = changed(
        watch(Api::<NodePtpDevice>::namespaced(client.clone(), &ns), cfg()),
        |_: &NodePtpDevice| (),
    );
    let agent_selector = format!("{}={}", APP_LABEL.0, APP_LABEL.1);
    let daemon_sets = changed(
        watch(
            Api::<DaemonSet>::namespaced(client.clone(), &ns),
            cfg().labels(&agent_selector),
        ),
        |d: &DaemonSet| (d.metadata.generation, d.annotations().clone()),
    );

    let main = Api::<PtpOperatorConfig>::namespaced(client.clone(), &ns);
    let ctx_for_errors = ctx.clone();
    Controller::new(main, cfg().fields(&format!("metadata.name={SINGLETON_NAME}")))
        .trigger_backoff(crate::watch::RetryDelay::default())
        .watches_stream(configs, to(target.clone()))
        .watches_stream(nodes, to(target.clone()))
        .watches_stream(node_configs, to(target.clone()))
        .watches_stream(devices, to(target.clone()))
        .watches_stream(daemon_sets, to(target.clone()))
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, error_policy, ctx)
        .for_each(|result| {
            let ctx = ctx_for_errors.clone();
            async move {
                match result {
                    Ok(_) => {}
                    // The default PtpOperatorConfig was deleted: recreate it, which wakes the
                    // controller again.
                    Err(controller::Error::ObjectNotFound(_)) => {
                        if let Err(err) = reconcile::ensure_default(&ctx).await {
                            warn!(error = %crate::report(&err), "could not recreate the default PtpOperatorConfig");
                        }
                    }
                    Err(controller::Error::ReconcilerFailed(..)) => {} // logged by error_policy
                    Err(err) => warn!(error = %crate::report(&err), "controller"),
                }
            }
        })
        .await;
    info!("controller stopped");
}

/// What the summaries read of a NodePtpConfig's status: not its measurements, which change
/// every few seconds.
type SyncFingerprint = Option<(
    Option<i64>,
    Vec<(String, String, Option<String>, Vec<PortState>)>,
)>;

fn sync_fingerprint(c: &NodePtpConfig) -> SyncFingerprint {
    c.status.as_ref().map(|s| {
        let profiles = s
            .profiles
            .iter()
            .map(|p| {
                let ports = p.ports.iter().map(|port| port.state).collect();
                (
                    p.name.clone(),
                    p.state.clone(),
                    p.clock_state.clone(),
                    ports,
                )
            })
            .collect();
        (s.applied_generation, profiles)
    })
}

/// A mapper sending every object to `target`.
fn to<T>(
    target: ObjectRef<PtpOperatorConfig>,
) -> impl Fn(T) -> std::iter::Once<ObjectRef<PtpOperatorConfig>> {
    move |_| std::iter::once(target.clone())
}

/// Runs the controller while `elector` holds its Lease, until `shutdown` completes; contends
/// again whenever leadership is lost. Releases the Lease on shutdown. Nothing is spawned:
/// dropping the returned future stops everything (as a crash would, without releasing).
pub async fn run_elected(
    ctx: Arc<Context>,
    mut elector: Elector,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let shutdown = shutdown.boxed().shared();
    loop {
        tokio::select! {
            () = elector.acquire() => {}
            () = shutdown.clone() => return,
        }
        let (lost_tx, lost_rx) = tokio::sync::oneshot::channel::<()>();
        let stop = shutdown.clone();
        let controller = run(ctx.clone(), async move {
            tokio::select! {
                _ = lost_rx => {}
                () = stop => {}
            }
        });
        tokio::pin!(controller);
        tokio::select! {
            () = elector.hold() => {
                let _ = lost_tx.send(());
                controller.await;
                info!(identity = %elector.identity(), "stopped leading; contending again");
            }
            () = &mut controller => {
                elector.release().await;
                return;
            }
        }
    }
}

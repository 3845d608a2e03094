//! Wiring: the kube-runtime Controller that drives [`reconcile`], what wakes it, and the
//! leader-election loop around it.
//!
//! Every trigger maps to the one `default` PtpOperatorConfig, because every pass recomputes
//! the whole namespace: a PtpConfig spec change, a Node added, removed or relabelled (the
//! upstream operator does not watch Nodes), a NodePtpConfig or NodePtpDevice changed or
//! deleted by someone else, a workload object edited or deleted, and what the PtpConfigs'
//! summaries read of an agent's NodePtpConfig status (the generation applied, each profile's
//! state, lock state and ports' states). Other status updates (agents' measurements,
//! kubelets writing Node status) do not wake it (see [`crate::cache`] and
//! [`crate::triggers`]).

use std::future::Future;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::ObjectRef;
use tracing::{info, warn};

use crate::cache;
use crate::crd::{PtpOperatorConfig, SINGLETON_NAME};
use crate::leader::Elector;
use crate::reconcile::{self, error_policy, Context, Running};

/// Runs the controller until `shutdown` completes: fresh watch caches for this run, every
/// watch a trigger of the one pass.
pub async fn run(ctx: Arc<Context>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let ns = ctx.settings.namespace.clone();
    if let Err(err) = reconcile::ensure_default(&ctx).await {
        // The controller retries; the default is created by the first pass that gets through.
        warn!(error = %crate::report(&err), "could not ensure the default PtpOperatorConfig yet");
    }
    let target = ObjectRef::<PtpOperatorConfig>::new(SINGLETON_NAME).within(&ns);
    let (caches, watches) = cache::caches(&ctx.client, &ns);
    let (main_store, main) = watches.operator_config;
    let running = Arc::new(Running {
        ctx: ctx.clone(),
        caches,
    });
    Controller::for_stream(main, main_store)
        .watches_stream(watches.configs, to(target.clone()))
        .watches_stream(watches.nodes, to(target.clone()))
        .watches_stream(watches.node_configs, to(target.clone()))
        .watches_stream(watches.devices, to(target.clone()))
        .watches_stream(watches.service_accounts, to(target.clone()))
        .watches_stream(watches.roles, to(target.clone()))
        .watches_stream(watches.role_bindings, to(target.clone()))
        .watches_stream(watches.services, to(target.clone()))
        .watches_stream(watches.daemon_sets, to(target.clone()))
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, error_policy, running)
        .for_each(|result| {
            let ctx = ctx.clone();
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
            () = elector.acquire(&ctx.health) => {}
            () = shutdown.clone() => return,
        }
        ctx.metrics.leader.set(1);
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
            () = elector.hold(&ctx.health) => {
                let _ = lost_tx.send(());
                controller.await;
                ctx.metrics.leader.set(0);
                info!(identity = %elector.identity(), "stopped leading; contending again");
            }
            () = &mut controller => {
                elector.release().await;
                return;
            }
        }
    }
}

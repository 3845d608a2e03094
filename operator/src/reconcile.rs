//! The effectful half of a pass: reads the watch caches ([`crate::cache`]), asks
//! [`crate::plan`] what must change, and writes exactly that, counting what it does in
//! [`crate::metrics`]. Also the Controller's error policy and the `default`
//! PtpOperatorConfig, created when missing.
//!
//! Writes are server-side applies with the field manager [`MANAGER`], so fields others own
//! (agents' NodePtpConfig status, users' labels) are left alone. NodePtpConfigs are written
//! a few at a time ([`NODE_WRITES_IN_FLIGHT`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use telemetry::Health;
use tracing::{debug, info, warn};

use crate::agent::AgentSettings;
use crate::cache::{self, Caches};
use crate::crd::{
    NodePtpConfig, NodePtpDevice, PtpConfig, PtpOperatorConfig, PtpOperatorConfigSpec,
    SINGLETON_NAME,
};
use crate::metrics::Metrics;
use crate::plan::{self, Owned, Plan};

/// Field manager of every write the operator makes.
pub const MANAGER: &str = "ptp-operator";
/// NodePtpConfig writes in flight at once.
const NODE_WRITES_IN_FLIGHT: usize = 8;
/// How long after a successful pass the reconciler runs again anyway.
const RESYNC: Duration = Duration::from_secs(300);
/// First and longest retry delay after a failed pass.
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How long a pass waits for the watch caches' first lists.
const CACHE_WAIT: Duration = Duration::from_secs(60);

/// What the operator's passes share.
pub struct Context {
    /// The client.
    pub client: Client,
    /// Namespace and image of the agents.
    pub settings: AgentSettings,
    /// The operator's metrics.
    pub metrics: Metrics,
    /// What its probes answer: ready while its last request to the API server (a pass, or
    /// a Lease read while following) succeeded.
    pub health: Health,
    recorder: Recorder,
    /// Failed passes in a row, for the retry delay.
    failures: AtomicU32,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("settings", &self.settings)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// What `/readyz` says while the operator is not ready.
pub const NOT_READY: &str = "the last request to the API server failed";

impl Context {
    /// A context for the operator in `settings.namespace`, its metrics registered in
    /// `registry`; `identity` names it in the Events it publishes.
    pub fn new(
        client: Client,
        settings: AgentSettings,
        registry: &mut prometheus_client::registry::Registry,
        identity: &str,
    ) -> Self {
        let reporter = Reporter {
            controller: MANAGER.to_owned(),
            instance: Some(identity.to_owned()),
        };
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            settings,
            metrics: Metrics::new(registry),
            health: Health::new(NOT_READY),
            failures: AtomicU32::new(0),
        }
    }

    fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.settings.namespace)
    }
}

/// The Controller's context: the operator's and the caches of one run of the controller.
#[derive(Debug)]
pub struct Running {
    /// The operator's context.
    pub ctx: Arc<Context>,
    /// The watch caches the run's watches fill.
    pub caches: Caches,
}

/// Why a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An API request failed.
    #[error("{what}")]
    Kube {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: kube::Error,
    },
    /// An object could not be serialised (for its hash).
    #[error("serialising the agents' workload")]
    Json(#[source] serde_json::Error),
    /// The watch caches did not fill.
    #[error("the watch caches were not filled within {0:?}")]
    CachesNotReady(Duration),
}

fn kube_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> Error {
    let what = what.into();
    move |source| Error::Kube { what, source }
}

/// One pass (the Controller's reconcile function). The object is always the `default`
/// PtpOperatorConfig: every watched change maps to it.
pub async fn reconcile(
    config: Arc<PtpOperatorConfig>,
    running: Arc<Running>,
) -> Result<Action, Error> {
    let ctx = &running.ctx;
    if tokio::time::timeout(CACHE_WAIT, running.caches.ready())
        .await
        .is_err()
    {
        return Err(Error::CachesNotReady(CACHE_WAIT));
    }
    pass(ctx, &running.caches, config).await?;
    Ok(Action::requeue(RESYNC))
}

/// Plans and carries out one pass over what `caches` hold; returns how many objects it
/// wrote (0 when the cluster already matches).
async fn pass(
    ctx: &Context,
    caches: &Caches,
    config: Arc<PtpOperatorConfig>,
) -> Result<usize, Error> {
    let start = Instant::now();
    ctx.metrics.runs.inc();
    let inputs = caches.inputs(config);
    ctx.metrics
        .nodes
        .set(i64::try_from(inputs.nodes.len()).unwrap_or(i64::MAX));
    let result = match plan::plan(&inputs, &ctx.settings, jiff::Timestamp::now()) {
        Ok(plan) => execute(ctx, plan).await,
        Err(err) => Err(Error::Json(err)),
    };
    ctx.metrics.duration.observe(start.elapsed().as_secs_f64());
    let writes = result?;
    ctx.failures.store(0, Ordering::Relaxed);
    ctx.health.set_ready(true);
    info!(
        writes,
        elapsed_ms = start.elapsed().as_millis() as u64,
        "reconciled"
    );
    Ok(writes)
}

/// The Controller's error policy: retry with exponential backoff (250 ms doubling to 30 s).
pub fn error_policy(
    _config: Arc<PtpOperatorConfig>,
    error: &Error,
    running: Arc<Running>,
) -> Action {
    let ctx = &running.ctx;
    ctx.metrics.failures.inc();
    ctx.health.set_ready(false);
    let failures = ctx
        .failures
        .fetch_add(1, Ordering::Relaxed)
        .saturating_add(1);
    let delay = backoff(failures);
    warn!(error = %crate::report(error), failures, retry_in_ms = delay.as_millis() as u64, "reconcile failed");
    Action::requeue(delay)
}

/// Retry delay after `failures` failed passes in a row.
fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    BACKOFF_MIN
        .saturating_mul(1u32 << doublings)
        .min(BACKOFF_MAX)
}

/// Creates the `default` PtpOperatorConfig (every node, no events) if it is missing.
pub async fn ensure_default(ctx: &Context) -> Result<PtpOperatorConfig, Error> {
    let api: Api<PtpOperatorConfig> = ctx.api();
    if let Some(existing) = api
        .get_opt(SINGLETON_NAME)
        .await
        .map_err(kube_err("reading the default PtpOperatorConfig"))?
    {
        return Ok(existing);
    }
    let mut config = PtpOperatorConfig::new(SINGLETON_NAME, PtpOperatorConfigSpec::default());
    config.metadata.namespace = Some(ctx.settings.namespace.clone());
    match api.create(&PostParams::default(), &config).await {
        Ok(created) => {
            info!("created the default PtpOperatorConfig");
            ctx.metrics.wrote("PtpOperatorConfig");
            Ok(created)
        }
        Err(kube::Error::Api(status)) if status.code == 409 => api
            .get(SINGLETON_NAME)
            .await
            .map_err(kube_err("reading the default PtpOperatorConfig")),
        Err(source) => Err(kube_err("creating the default PtpOperatorConfig")(source)),
    }
}

/// One whole pass outside the Controller (its own watches fill its caches first); returns
/// how many objects it wrote.
pub async fn reconcile_once(ctx: &Context) -> Result<usize, Error> {
    let config = ensure_default(ctx).await?;
    let (caches, watches) = cache::caches(&ctx.client, &ctx.settings.namespace);
    if !watches.fill(&caches, CACHE_WAIT).await {
        return Err(Error::CachesNotReady(CACHE_WAIT));
    }
    pass(ctx, &caches, Arc::new(config)).await
}

/// Carries out `plan`; returns how many objects it wrote.
async fn execute(ctx: &Context, plan: Plan) -> Result<usize, Error> {
    let writes = plan.writes();
    for owned in plan.workload {
        apply_owned(ctx, owned).await?;
    }
    let node_writes = plan.node_configs.into_iter().map(|config| async move {
        let name = config.name_any();
        apply(&ctx.api::<NodePtpConfig>(), &name, &config)
            .await
            .map_err(kube_err(format!("applying NodePtpConfig {name}")))?;
        ctx.metrics.wrote("NodePtpConfig");
        info!(node = %name, profiles = config.spec.profiles.len(), "wrote the node's profiles");
        Ok::<_, Error>(())
    });
    futures::stream::iter(node_writes)
        .buffer_unordered(NODE_WRITES_IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await?;
    let devices = ctx.api::<NodePtpDevice>();
    for device in plan.devices {
        let name = device.name_any();
        match devices.create(&PostParams::default(), &device).await {
            Ok(_) => ctx.metrics.wrote("NodePtpDevice"),
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(source) => return Err(kube_err(format!("creating NodePtpDevice {name}"))(source)),
        }
    }
    for name in &plan.delete_devices {
        delete(ctx, &devices, "NodePtpDevice", name).await?;
    }
    for name in &plan.delete_node_configs {
        delete(ctx, &ctx.api::<NodePtpConfig>(), "NodePtpConfig", name).await?;
    }
    for (name, status) in plan.statuses {
        let body = serde_json::json!({
            "apiVersion": PtpConfig::api_version(&()),
            "kind": PtpConfig::kind(&()),
            "status": {
                "matchList": status.match_list,
                "conditions": status.conditions,
                "summary": status.summary,
            },
        });
        ctx.api::<PtpConfig>()
            .patch_status(
                &name,
                &PatchParams::apply(MANAGER).force(),
                &Patch::Apply(&body),
            )
            .await
            .map_err(kube_err(format!("writing the status of PtpConfig {name}")))?;
        ctx.metrics.wrote("PtpConfig");
    }
    // Events last, and their failure fails nothing: they are notices, the conditions hold
    // the state.
    for warning in plan.warnings {
        let event = Event {
            type_: EventType::Warning,
            reason: warning.reason,
            note: Some(warning.note),
            action: "Validate".to_owned(),
            secondary: None,
        };
        match ctx.recorder.publish(&event, &warning.regarding).await {
            Ok(()) => ctx.metrics.wrote("Event"),
            Err(err) => {
                warn!(config = %warning.config, error = %crate::report(&err), "could not publish an Event")
            }
        }
    }
    Ok(writes)
}

/// Server-side apply of `object` as [`MANAGER`], taking over conflicting fields.
async fn apply<K>(api: &Api<K>, name: &str, object: &K) -> Result<K, kube::Error>
where
    K: Resource + Serialize + DeserializeOwned + Clone + std::fmt::Debug,
{
    api.patch(
        name,
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(object),
    )
    .await
}

async fn apply_owned(ctx: &Context, owned: Owned) -> Result<(), Error> {
    let what = owned.describe();
    let result = match &owned {
        Owned::ServiceAccount(o) => apply(&ctx.api::<ServiceAccount>(), &o.name_any(), o)
            .await
            .map(drop),
        Owned::Role(o) => apply(&ctx.api::<Role>(), &o.name_any(), o).await.map(drop),
        Owned::RoleBinding(o) => apply(&ctx.api::<RoleBinding>(), &o.name_any(), o)
            .await
            .map(drop),
        Owned::Service(o) => apply(&ctx.api::<Service>(), &o.name_any(), o)
            .await
            .map(drop),
        Owned::DaemonSet(o) => apply(&ctx.api::<DaemonSet>(), &o.name_any(), o)
            .await
            .map(drop),
    };
    result.map_err(kube_err(format!("applying {what}")))?;
    ctx.metrics.wrote(owned.kind());
    debug!(%what, "applied");
    Ok(())
}

async fn delete<K>(ctx: &Context, api: &Api<K>, kind: &str, name: &str) -> Result<(), Error>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => {
            ctx.metrics.wrote(kind);
            info!(%name, %kind, "deleted: its node is gone");
            Ok(())
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(source) => Err(kube_err(format!("deleting {kind} {name}"))(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(1));
        assert_eq!(backoff(100), BACKOFF_MAX);
    }
}

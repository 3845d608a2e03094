//! Leader election over a `coordination.k8s.io/v1` Lease, so several replicas can run and only
//! one reconciles.
//!
//! The rules are client-go's (`tools/leaderelection`), written for this crate:
//! - a candidate takes the Lease when it has no holder, or when its record (holder, renew
//!   time, transitions) has not changed for `lease_duration` as timed by the candidate's own
//!   clock (so clock skew between machines does not matter);
//! - the holder renews every `retry_period`; if it cannot renew for `renew_deadline`, or
//!   finds another holder, it stops leading;
//! - every write carries the `resourceVersion` it read, so two candidates cannot both win;
//! - a leader that shuts down clears the holder, so the next one need not wait.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};
use telemetry::Health;
use tracing::{debug, info, warn};

/// Timing and identity of one candidate.
#[derive(Clone, Debug)]
pub struct LeaseSettings {
    /// Lease name.
    pub name: String,
    /// Lease namespace.
    pub namespace: String,
    /// This candidate's identity (pod name).
    pub identity: String,
    /// How long a silent leader keeps the Lease (client-go default 15 s).
    pub lease_duration: Duration,
    /// How long the leader may fail to renew before it stops leading (default 10 s).
    pub renew_deadline: Duration,
    /// How often to try to acquire or renew (default 2 s).
    pub retry_period: Duration,
}

impl LeaseSettings {
    /// client-go's default timing.
    pub fn new(name: &str, namespace: &str, identity: &str) -> Self {
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            identity: identity.to_owned(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }
}

/// The Lease record a candidate last saw, and when it first saw it.
#[derive(Debug)]
struct Observed {
    record: (Option<String>, Option<MicroTime>, Option<i32>),
    since: Instant,
}

/// One candidate for leadership.
#[derive(Debug)]
pub struct Elector {
    api: Api<Lease>,
    settings: LeaseSettings,
    observed: Option<Observed>,
}

fn now() -> MicroTime {
    MicroTime(jiff::Timestamp::now())
}

fn seconds(duration: Duration) -> i32 {
    i32::try_from(duration.as_secs().max(1)).unwrap_or(i32::MAX)
}

impl Elector {
    /// A candidate using `client`.
    pub fn new(client: Client, settings: LeaseSettings) -> Self {
        Self {
            api: Api::namespaced(client, &settings.namespace),
            settings,
            observed: None,
        }
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.settings.identity
    }

    /// Waits until this candidate holds the Lease. API errors are logged and retried. Each
    /// attempt beats `health` and sets its readiness (whether the Lease could be read).
    pub async fn acquire(&mut self, health: &Health) {
        loop {
            let attempt = self.try_acquire_or_renew().await;
            health.beat(Instant::now());
            health.set_ready(attempt.is_ok());
            match attempt {
                Ok(true) => {
                    info!(identity = %self.settings.identity, lease = %self.settings.name, "became leader");
                    return;
                }
                Ok(false) => {}
                Err(err) => debug!(error = %err, "could not acquire the lease"),
            }
            tokio::time::sleep(self.settings.retry_period).await;
        }
    }

    /// Renews the Lease until leadership is lost (another holder, or no successful renewal
    /// for `renew_deadline`); then returns. Each attempt beats `health` (readiness is the
    /// passes' while leading).
    pub async fn hold(&mut self, health: &Health) {
        let mut last_renewal = Instant::now();
        loop {
            tokio::time::sleep(self.settings.retry_period).await;
            let attempt = self.try_acquire_or_renew().await;
            health.beat(Instant::now());
            match attempt {
                Ok(true) => last_renewal = Instant::now(),
                Ok(false) => {
                    warn!(identity = %self.settings.identity, "lost the lease to another holder");
                    return;
                }
                Err(err) => {
                    warn!(error = %err, "could not renew the lease");
                    if last_renewal.elapsed() >= self.settings.renew_deadline {
                        warn!(identity = %self.settings.identity, "renew deadline passed: no longer leader");
                        return;
                    }
                }
            }
        }
    }

    /// Gives the Lease up if this candidate holds it, so another takes over at once.
    pub async fn release(&mut self) {
        let Ok(Some(mut lease)) = self.api.get_opt(&self.settings.name).await else {
            return;
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.as_deref() != Some(self.settings.identity.as_str()) {
            return;
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(now());
        match self
            .api
            .replace(&self.settings.name, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => info!(identity = %self.settings.identity, "released the lease"),
            Err(err) => warn!(error = %err, "could not release the lease"),
        }
    }

    /// One attempt: `Ok(true)` when this candidate holds the Lease afterwards.
    async fn try_acquire_or_renew(&mut self) -> Result<bool, kube::Error> {
        let s = &self.settings;
        let Some(mut lease) = self.api.get_opt(&s.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(s.name.clone()),
                    namespace: Some(s.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(s.identity.clone()),
                    lease_duration_seconds: Some(seconds(s.lease_duration)),
                    acquire_time: Some(now()),
                    renew_time: Some(now()),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(err) => Err(err),
            };
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
        let mine = holder.as_deref() == Some(s.identity.as_str());
        let record = (
            spec.holder_identity.clone(),
            spec.renew_time.clone(),
            spec.lease_transitions,
        );
        if self.observed.as_ref().is_none_or(|o| o.record != record) {
            self.observed = Some(Observed {
                record,
                since: Instant::now(),
            });
        }
        if !mine {
            // The holder's own duration counts, as it promised to renew within it.
            let duration = spec
                .lease_duration_seconds
                .and_then(|d| u64::try_from(d).ok())
                .map_or(s.lease_duration, Duration::from_secs);
            let expired = self
                .observed
                .as_ref()
                .is_some_and(|o| o.since.elapsed() >= duration);
            if holder.is_some() && !expired {
                return Ok(false);
            }
            spec.acquire_time = Some(now());
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0).saturating_add(1));
            spec.holder_identity = Some(s.identity.clone());
        }
        spec.lease_duration_seconds = Some(seconds(s.lease_duration));
        spec.renew_time = Some(now());
        match self
            .api
            .replace(&s.name, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(err) => Err(err),
        }
    }
}

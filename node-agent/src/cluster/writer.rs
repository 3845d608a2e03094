//! The agent's writes to the API server: its node's NodePtpConfig and NodePtpDevice status
//! (server-side apply of the agent's fields) and its Events. Each request is bounded by
//! [`API_TIMEOUT`]: an API server that does not answer must not stall the loop that runs
//! them.

use std::time::Duration;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Patch, PatchParams};
use kube::runtime::events::{Event as KubeEvent, EventType, Recorder};
use kube::Api;
use operator::crd::{NodePtpConfig, NodePtpConfigStatus, NodePtpDevice, PtpDevice};

use super::events::Outbox;
use super::FIELD_MANAGER;
use crate::agent::error_chain;

/// The longest a write may take: far beyond a healthy API server's answer, and well within
/// the `/healthz` staleness bound ([`telemetry::health::STALE`]).
pub(super) const API_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub(super) enum WriteError {
    /// The API server refused it or could not be reached.
    #[error(transparent)]
    Api(#[from] kube::Error),
    /// No answer within [`API_TIMEOUT`].
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// `request`, bounded by [`API_TIMEOUT`].
async fn bounded<T>(
    request: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<T, WriteError> {
    match tokio::time::timeout(API_TIMEOUT, request).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(WriteError::Timeout(API_TIMEOUT)),
    }
}

/// Writes `status` as the node's NodePtpConfig status.
pub(super) async fn status(
    api: &Api<NodePtpConfig>,
    node: &str,
    status: &NodePtpConfigStatus,
) -> Result<(), WriteError> {
    let patch = serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpConfig",
        "metadata": { "name": node },
        "status": status,
    });
    let params = PatchParams::apply(FIELD_MANAGER).force();
    bounded(api.patch_status(node, &params, &Patch::Apply(&patch)))
        .await
        .map(drop)
}

/// Writes `devices` as the node's NodePtpDevice status (the operator creates the object).
pub(super) async fn devices(
    api: &Api<NodePtpDevice>,
    node: &str,
    devices: &[PtpDevice],
) -> Result<(), WriteError> {
    let patch = serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1",
        "kind": "NodePtpDevice",
        "metadata": { "name": node },
        "status": { "devices": devices },
    });
    let params = PatchParams::apply(FIELD_MANAGER).force();
    bounded(api.patch_status(node, &params, &Patch::Apply(&patch)))
        .await
        .map(drop)
}

/// Publishes the waiting events in order, until one cannot be (it is tried again later).
pub(super) async fn publish(
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
        match bounded(recorder.publish(&event, regarding)).await {
            Ok(()) => outbox.sent(),
            Err(e) => {
                tracing::debug!("{node}: event not published yet: {}", error_chain(&e));
                return;
            }
        }
    }
}

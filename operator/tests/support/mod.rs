//! Shared by the operator's kube-tier tests: CRD installation, Nodes, an in-process operator,
//! and waiting on watches.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Node;
use kube::api::{ObjectMeta, PostParams};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client, Resource};
use kube_harness::wait;
use operator::agent::AgentSettings;
use operator::reconcile::Context;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

pub const IMAGE: &str = "registry.example/ptp-agent:test";

/// Installs our CRDs (idempotent) and waits until they are Established.
pub async fn install_crds(client: &Client) {
    wait::install_crds(
        client,
        operator::crd::definitions().into_iter().map(|(_, crd)| crd),
    )
    .await;
}

/// Creates a Node (no kubelet: just the object).
pub async fn create_node(client: &Client, name: &str, labels: &[&str]) -> Node {
    let node = Node {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(
                labels
                    .iter()
                    .map(|l| ((*l).to_owned(), String::new()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..ObjectMeta::default()
        },
        ..Node::default()
    };
    Api::<Node>::all(client.clone())
        .create(&PostParams::default(), &node)
        .await
        .unwrap()
}

pub fn context(client: &Client, namespace: &str) -> Arc<Context> {
    Arc::new(Context::new(
        client.clone(),
        AgentSettings {
            namespace: namespace.to_owned(),
            image: IMAGE.to_owned(),
        },
        &mut prometheus_client::registry::Registry::default(),
        "test",
    ))
}

/// An operator running in this process (no leader election) until the returned sender is
/// dropped or fired.
pub struct Running {
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: JoinHandle<()>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("the operator did not stop in 30 s")
            .expect("the operator task failed");
    }
}

pub fn start_operator(client: &Client, namespace: &str) -> Running {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ctx = context(client, namespace);
    let task = tokio::spawn(operator::controller::run(ctx, async move {
        let _ = stopped.await;
    }));
    Running {
        stop: Some(stop),
        task,
    }
}

/// Waits (watching, not polling) until `check` holds for the object `name`, or `limit`
/// passes; returns the object.
pub async fn wait_for<K, F>(api: &Api<K>, name: &str, limit: Duration, check: F) -> K
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
    F: Fn(&K) -> bool,
{
    let check = &check;
    let cond = move |obj: Option<&K>| obj.is_some_and(check);
    match tokio::time::timeout(limit, wait::until(api, name, cond)).await {
        Ok(Some(obj)) => obj,
        Ok(None) => panic!("waiting for {name}: the condition held for no object"),
        Err(_) => {
            let last = api.get_opt(name).await;
            panic!("{name} not as expected within {limit:?}; last seen: {last:#?}")
        }
    }
}

/// Waits until `name` does not exist.
pub async fn wait_gone<K>(api: &Api<K>, name: &str, limit: Duration)
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let gone = |o: Option<&K>| o.is_none();
    if tokio::time::timeout(limit, wait::until(api, name, gone))
        .await
        .is_err()
    {
        panic!("{name} still exists after {limit:?}")
    }
}

/// A stream of every version of the objects of `api`, for measuring.
pub fn versions<K>(api: Api<K>) -> impl futures::Stream<Item = K>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    use futures::StreamExt;
    watcher(api, watcher::Config::default())
        .default_backoff()
        .applied_objects()
        .filter_map(|r| async move { r.ok() })
}

/// Retries `f` every 200 ms until it succeeds, for up to 60 s (for the moments the apiserver
/// is coming back).
pub async fn eventually<T, E: std::fmt::Display, Fut: Future<Output = Result<T, E>>>(
    mut f: impl FnMut() -> Fut,
) -> T {
    const LIMIT: Duration = Duration::from_secs(60);
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let last = match f().await {
            Ok(v) => return v,
            Err(e) => e.to_string(),
        };
        assert!(
            tokio::time::Instant::now() < deadline,
            "still failing after {LIMIT:?}: {last}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

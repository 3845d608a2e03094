//! Dev-only test harness: a real Kubernetes API server for integration tests.
//!
//! Each test binary that asks for it gets one etcd and one kube-apiserver (v1.20.2, built by
//! `scripts/kube/build-apiserver.sh`) on free loopback ports, and every test gets its own
//! [`kube::Client`] and a fresh namespace:
//!
//! ```no_run
//! # async fn demo() {
//! let Some(env) = kube_harness::test_env("my_test").await else { return };
//! // env.client, env.namespace
//! # }
//! ```
//!
//! Tests that must stop and restart the apiserver take a private [`Cluster`] from
//! [`own_cluster`] instead of the shared one, so they do not disturb concurrent tests.
//!
//! Missing binaries: [`test_prereq::skip_or_fail`] (outside CI the test prints what is missing
//! and how to build it, and returns early; with `CI=true` it fails). Binaries are found
//! through `PTP_KUBE_APISERVER` / `PTP_ETCD` or the build script's cache (see
//! [`Binaries::locate`]).
//!
//! Waiting on watches: [`wait::until`] (restarts a watch the apiserver ends). Identities for
//! processes run against the cluster (the operator's shipped RBAC, tokens, kubeconfigs):
//! [`access`].
//!
//! Processes never outlive the test binary, even when it panics or is killed: see
//! `supervised.rs`.

pub mod access;
mod binaries;
mod cluster;
mod supervised;
pub mod wait;

pub use binaries::{Binaries, KUBE_VERSION};
pub use cluster::{Authorization, Cluster, HarnessError};

use kube::Client;
use tokio::sync::OnceCell;

/// What a test gets: a client and a namespace of its own.
#[derive(Clone)]
pub struct TestEnv {
    /// A client for the shared cluster, made for this test's runtime.
    pub client: Client,
    /// A namespace created for this test.
    pub namespace: String,
    /// The shared cluster.
    pub cluster: &'static Cluster,
}

impl std::fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestEnv")
            .field("namespace", &self.namespace)
            .field("cluster", &self.cluster.url())
            .finish_non_exhaustive()
    }
}

static SHARED: OnceCell<Result<Cluster, String>> = OnceCell::const_new();

/// The test binary's shared cluster, a fresh client and a fresh namespace, or `None` when the
/// binaries are missing outside CI (after printing why).
///
/// # Panics
///
/// When the binaries are missing and `CI=true`, or when the cluster fails to start: either is
/// a test failure.
pub async fn test_env(test: &str) -> Option<TestEnv> {
    let binaries = binaries_or_skip(test)?;
    let shared = SHARED
        .get_or_init(|| async {
            let cluster = Cluster::start(binaries).await.map_err(|err| report(&err))?;
            eprintln!(
                "kube-harness: etcd + kube-apiserver ready at {} in {:.1?}",
                cluster.url(),
                cluster.started_in()
            );
            Ok(cluster)
        })
        .await;
    let cluster = match shared {
        Ok(cluster) => cluster,
        Err(err) => fail(&format!("the shared test cluster did not start: {err}")),
    };
    let client = cluster.client().unwrap_or_else(|err| fail(&report(&err)));
    let namespace = cluster
        .namespace(&client, test)
        .await
        .unwrap_or_else(|err| fail(&report(&err)));
    Some(TestEnv {
        client,
        namespace,
        cluster,
    })
}

/// A private cluster for a test that stops or restarts the apiserver, or `None` when the
/// binaries are missing outside CI (after printing why).
///
/// # Panics
///
/// As [`test_env`].
pub async fn own_cluster(test: &str) -> Option<Cluster> {
    own_cluster_with(test, Authorization::AlwaysAllow).await
}

/// As [`own_cluster`], with the given authorization mode (for RBAC tests).
///
/// # Panics
///
/// As [`test_env`].
pub async fn own_cluster_with(test: &str, authorization: Authorization) -> Option<Cluster> {
    let binaries = binaries_or_skip(test)?;
    match Cluster::start_with(binaries, authorization).await {
        Ok(cluster) => Some(cluster),
        Err(err) => fail(&report(&err)),
    }
}

fn binaries_or_skip(test: &str) -> Option<Binaries> {
    match Binaries::locate() {
        Ok(binaries) => Some(binaries),
        Err(missing) => {
            test_prereq::skip_or_fail(test, &missing);
            None
        }
    }
}

/// The error and its chain of causes, one per line.
fn report(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

/// Fails the calling test. This crate exists to run tests; a harness failure is a test
/// failure.
#[allow(clippy::panic)]
pub(crate) fn fail(message: &str) -> ! {
    panic!("kube-harness: {message}")
}

//! The harness against the real servers: a namespace per test, the apiserver restart keeps
//! data and port, and the servers die with their cluster.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{ObjectMeta, PostParams};
use kube::Api;

/// How long the servers may take to go once their cluster is dropped: the watchdog sends
/// SIGTERM, SIGKILL five seconds later, then removes the directory; generous for a loaded
/// machine.
const GONE: std::time::Duration = std::time::Duration::from_secs(30);

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        data: Some([("k".to_owned(), "v".to_owned())].into()),
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn each_test_gets_its_own_namespace() {
    let Some(a) = kube_harness::test_env("ns_a").await else {
        return;
    };
    let Some(b) = kube_harness::test_env("ns_b").await else {
        return;
    };
    assert_ne!(a.namespace, b.namespace);
    let version = a.client.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, kube_harness::KUBE_VERSION);
    for env in [&a, &b] {
        Api::<Namespace>::all(env.client.clone())
            .get(&env.namespace)
            .await
            .unwrap();
    }
    // Same object name in both namespaces: isolated.
    for env in [&a, &b] {
        Api::<ConfigMap>::namespaced(env.client.clone(), &env.namespace)
            .create(&PostParams::default(), &config_map("same"))
            .await
            .unwrap();
    }
}

/// The server processes still alive among `pids`.
fn alive(pids: &[u32]) -> Vec<u32> {
    pids.iter()
        .copied()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    stat.rsplit(')')
                        .next()
                        .map(|rest| !rest.trim_start().starts_with('Z'))
                })
                .unwrap_or(false)
        })
        .collect()
}

/// Pids of processes whose command line mentions `needle`.
fn pids_mentioning(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|cmdline| String::from_utf8_lossy(&cmdline).contains(needle))
                .unwrap_or(false)
        })
        .collect()
}

#[tokio::test]
async fn apiserver_restart_keeps_port_and_data_and_drop_stops_everything() {
    let Some(mut cluster) = kube_harness::own_cluster("restart").await else {
        return;
    };
    eprintln!("private cluster started in {:.1?}", cluster.started_in());
    let url = cluster.url();
    let client = cluster.client().unwrap();
    let ns = cluster.namespace(&client, "restart").await.unwrap();
    Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &config_map("survives"))
        .await
        .unwrap();

    // The same client is answered just before the stop and not after it.
    client.apiserver_version().await.unwrap();
    cluster.stop_apiserver();
    assert!(
        client.apiserver_version().await.is_err(),
        "the apiserver still answers after stop"
    );
    let begin = std::time::Instant::now();
    cluster.start_apiserver().await.unwrap();
    eprintln!("apiserver restarted in {:.1?}", begin.elapsed());
    assert_eq!(cluster.url(), url);

    // A fresh client (the old one's pooled connection is dead) reads the data back from etcd.
    let client = cluster.client().unwrap();
    let cm = Api::<ConfigMap>::namespaced(client, &ns)
        .get("survives")
        .await
        .unwrap();
    assert_eq!(cm.data.unwrap()["k"], "v");

    // Every server process of this cluster is found by its unique port / data dir, and gone
    // after drop.
    let port = url.rsplit(':').next().unwrap().to_owned();
    let pids = pids_mentioning(&format!("--secure-port={port}"));
    let etcd_pids = pids_mentioning(&cluster_dir_marker(&cluster));
    assert!(!pids.is_empty() && !etcd_pids.is_empty());
    let dir = cluster.data_dir().to_owned();
    drop(cluster);
    let deadline = std::time::Instant::now() + GONE;
    loop {
        let left = alive(&[pids.clone(), etcd_pids.clone()].concat());
        if left.is_empty() && !dir.exists() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after drop: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn cluster_dir_marker(cluster: &kube_harness::Cluster) -> String {
    format!("--data-dir={}", cluster.data_dir().join("etcd").display())
}

#[test]
fn servers_die_with_an_aborted_test_process() {
    if let Err(missing) = kube_harness::Binaries::locate() {
        test_prereq::skip_or_fail("servers_die_with_an_aborted_test_process", &missing);
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_harness-abort"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    let (url, dir) = (lines.next().unwrap(), lines.next().unwrap());
    let port = url.rsplit(':').next().unwrap();
    let deadline = std::time::Instant::now() + GONE;
    loop {
        let left = alive(
            &[
                pids_mentioning(&format!("--secure-port={port}")),
                pids_mentioning(&format!("--data-dir={dir}/etcd")),
            ]
            .concat(),
        );
        if left.is_empty() && !std::path::Path::new(dir).exists() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left behind by an aborted process: pids {left:?}, dir {dir} exists: {}",
            std::path::Path::new(dir).exists()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The build script patches the v1.20 OpenAPI validator, which under Go >= 1.19 took `""` for
/// null; without the patch this create fails with `must be of type string: "null"`.
#[tokio::test]
async fn empty_strings_in_custom_resources_are_valid() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::api::{ApiResource, DynamicObject};
    use kube::runtime::wait::conditions;

    let Some(env) = kube_harness::test_env("empty_strings").await else {
        return;
    };
    let crd: CustomResourceDefinition = serde_json::from_value(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.harness.test"},
        "spec": {"group": "harness.test", "scope": "Namespaced",
                 "names": {"kind": "Thing", "plural": "things"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {
                                       "s": {"type": "string"},
                                       "m": {"type": "object", "additionalProperties": {"type": "string"}},
                                       "b": {"type": "boolean"}, "i": {"type": "integer"}}}}}}}]}
    }))
    .unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(env.client.clone());
    crds.create(&PostParams::default(), &crd).await.unwrap();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        kube_harness::wait::until(
            &crds,
            "things.harness.test",
            conditions::is_crd_established(),
        ),
    )
    .await
    .expect("the CRD is Established within 30 s");
    let ar = ApiResource {
        group: "harness.test".into(),
        version: "v1".into(),
        api_version: "harness.test/v1".into(),
        kind: "Thing".into(),
        plural: "things".into(),
    };
    let api: Api<DynamicObject> = Api::namespaced_with(env.client.clone(), &env.namespace, &ar);
    let spec = serde_json::json!({"s": "", "m": {"k": ""}, "b": false, "i": 0});
    let thing: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "harness.test/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": spec
    }))
    .unwrap();
    api.create(&PostParams::default(), &thing).await.unwrap();
    assert_eq!(api.get("t").await.unwrap().data["spec"], spec);
}

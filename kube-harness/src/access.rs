//! Identities for the processes a test runs against its cluster: the operator's shipped RBAC
//! (`deploy/operator`) installed for a test namespace, a ServiceAccount's token, and a
//! kubeconfig carrying it. A failure here is a test failure: these panic, saying what failed.

use std::path::Path;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::PostParams;
use kube::{Api, Client};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The manifest `file` of `deploy/operator`, placed in `ns`: namespaced objects and the
/// subjects of bindings.
pub fn operator_manifest<K: DeserializeOwned>(file: &str, ns: &str) -> K {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/operator")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| crate::fail(&format!("reading {}: {e}", path.display())));
    let mut value: Value = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| crate::fail(&format!("{}: {e}", path.display())));
    let cluster_wide = matches!(
        value.get("kind").and_then(Value::as_str),
        Some("ClusterRole" | "ClusterRoleBinding")
    );
    if !cluster_wide {
        if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.insert("namespace".to_owned(), json!(ns));
        }
    }
    if let Some(subjects) = value.get_mut("subjects").and_then(Value::as_array_mut) {
        for subject in subjects.iter_mut().filter_map(Value::as_object_mut) {
            subject.insert("namespace".to_owned(), json!(ns));
        }
    }
    serde_json::from_value(value)
        .unwrap_or_else(|e| crate::fail(&format!("{}: {e}", path.display())))
}

/// Installs the operator's ServiceAccount, ClusterRole, ClusterRoleBinding, Role and
/// RoleBinding as shipped, for `ns`. Once per cluster: the cluster-wide objects have fixed
/// names.
pub async fn install_operator_rbac(admin: &Client, ns: &str) {
    let pp = PostParams::default();
    Api::<ServiceAccount>::namespaced(admin.clone(), ns)
        .create(&pp, &operator_manifest("service_account.yaml", ns))
        .await
        .map(drop)
        .unwrap_or_else(|e| crate::fail(&format!("creating the operator\'s ServiceAccount: {e}")));
    Api::<ClusterRole>::all(admin.clone())
        .create(&pp, &operator_manifest("cluster_role.yaml", ns))
        .await
        .map(drop)
        .unwrap_or_else(|e| crate::fail(&format!("creating the operator\'s ClusterRole: {e}")));
    Api::<ClusterRoleBinding>::all(admin.clone())
        .create(&pp, &operator_manifest("cluster_role_binding.yaml", ns))
        .await
        .map(drop)
        .unwrap_or_else(|e| {
            crate::fail(&format!("creating the operator\'s ClusterRoleBinding: {e}"))
        });
    Api::<Role>::namespaced(admin.clone(), ns)
        .create(&pp, &operator_manifest("role.yaml", ns))
        .await
        .map(drop)
        .unwrap_or_else(|e| crate::fail(&format!("creating the operator\'s Role: {e}")));
    Api::<RoleBinding>::namespaced(admin.clone(), ns)
        .create(&pp, &operator_manifest("role_binding.yaml", ns))
        .await
        .map(drop)
        .unwrap_or_else(|e| crate::fail(&format!("creating the operator\'s RoleBinding: {e}")));
}

/// A token of the ServiceAccount `account` in `ns` (TokenRequest API).
pub async fn token(admin: &Client, ns: &str, account: &str) -> String {
    let request = TokenRequest {
        spec: TokenRequestSpec::default(),
        ..TokenRequest::default()
    };
    let answer: TokenRequest = Api::<ServiceAccount>::namespaced(admin.clone(), ns)
        .create_subresource("token", account, &PostParams::default(), &request)
        .await
        .unwrap_or_else(|e| crate::fail(&format!("a token for {ns}/{account}: {e}")));
    answer.status.map(|s| s.token).unwrap_or_else(|| {
        crate::fail(&format!(
            "a token for {ns}/{account}: no status in the answer"
        ))
    })
}

/// A kubeconfig for `server` (TLS not verified: loopback test servers) authenticating with
/// `token`, in `namespace`.
pub fn kubeconfig(server: &str, token: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    \
         server: {server}\n    insecure-skip-tls-verify: true\n\
         users:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: c\n  \
         context:\n    cluster: c\n    user: u\n    namespace: {namespace}\n\
         current-context: c\n"
    )
}

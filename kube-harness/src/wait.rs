//! Waiting on a watch until an object meets a condition, surviving the watch errors a test
//! must not fail on.
//!
//! `kube::runtime::wait::await_condition` ends at the first watch error. The v1.20 apiserver
//! answers a watch whose start version was compacted away between list and watch with
//! `410 Gone` ("too old resource version"); the right response is to list again, which is
//! what [`until`] does, until its caller's time limit.

use std::time::Duration;

use kube::runtime::wait::{await_condition, Condition};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

/// Watches `name` until `cond` holds, restarting the watch (a fresh list, then watch) after
/// any watch error. Returns the object as last seen (`None` when the condition held for an
/// absent object). Never returns on its own otherwise: wrap it in `tokio::time::timeout`.
pub async fn until<K>(api: &Api<K>, name: &str, cond: impl Condition<K>) -> Option<K>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let cond = &cond;
    loop {
        let once = move |obj: Option<&K>| cond.matches_object(obj);
        match await_condition(api.clone(), name, once).await {
            Ok(obj) => return obj,
            Err(err) => {
                eprintln!("kube-harness: watch on {name} ended ({err}); watching again");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Creates the custom resource definitions `crds` (one that exists already is left as it is)
/// and waits until each is Established.
///
/// # Panics
///
/// When one cannot be created or is not Established within 30 s: a test failure.
pub async fn install_crds(
    client: &kube::Client,
    crds: impl IntoIterator<
        Item = k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    >,
) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        match api.create(&kube::api::PostParams::default(), &crd).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => super::fail(&format!("creating CRD {name}: {e}")),
        }
        let established = kube::runtime::wait::conditions::is_crd_established();
        if tokio::time::timeout(Duration::from_secs(30), until(&api, &name, established))
            .await
            .is_err()
        {
            super::fail(&format!("CRD {name} not Established in 30 s"));
        }
    }
}

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

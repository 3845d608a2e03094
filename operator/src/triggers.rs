//! Watch streams that wake the reconciler only when something it reads changed.
//!
//! The reconciler reads PtpConfig specs and Node labels. Agents write PtpConfig status often
//! and kubelets write Node status; neither may cost a reconcile. kube-runtime's predicates
//! drop deletions (a deleted object's generation and labels are unchanged), so this filter
//! keeps its own cache: an object passes when it is new, when its fingerprint changed, or
//! when it is deleted.

use std::collections::HashMap;
use std::hash::Hash;

use futures::{Stream, StreamExt};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};

/// The objects of `events` worth a reconcile: added, changed in `fingerprint`, or deleted.
pub fn changed<K, F, T>(
    events: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>>,
    fingerprint: F,
) -> impl Stream<Item = Result<K, watcher::Error>>
where
    K: Resource,
    F: Fn(&K) -> T,
    T: Eq + Hash,
{
    let mut seen: HashMap<String, T> = HashMap::new();
    events
        .map(move |event| {
            let objects = match event {
                Ok(watcher::Event::Apply(object) | watcher::Event::InitApply(object)) => {
                    let print = fingerprint(&object);
                    let key = key(&object);
                    if seen.get(&key) == Some(&print) {
                        Vec::new()
                    } else {
                        seen.insert(key, print);
                        vec![Ok(object)]
                    }
                }
                Ok(watcher::Event::Delete(object)) => {
                    seen.remove(&key(&object));
                    vec![Ok(object)]
                }
                Ok(watcher::Event::Init | watcher::Event::InitDone) => Vec::new(),
                Err(err) => vec![Err(err)],
            };
            futures::stream::iter(objects)
        })
        .flatten()
}

fn key<K: Resource>(object: &K) -> String {
    format!(
        "{}/{}/{}",
        object.namespace().unwrap_or_default(),
        object.name_any(),
        object.uid().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Node;
    use kube::api::ObjectMeta;

    fn node(labels: &[&str], version: &str) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n".to_owned()),
                uid: Some("u".to_owned()),
                resource_version: Some(version.to_owned()),
                labels: Some(
                    labels
                        .iter()
                        .map(|l| ((*l).to_owned(), String::new()))
                        .collect(),
                ),
                ..ObjectMeta::default()
            },
            ..Node::default()
        }
    }

    #[tokio::test]
    async fn only_new_changed_and_deleted_objects_pass() {
        let events = vec![
            Ok(watcher::Event::Init),
            Ok(watcher::Event::InitApply(node(&["a"], "1"))),
            Ok(watcher::Event::InitDone),
            // A status update: same labels.
            Ok(watcher::Event::Apply(node(&["a"], "2"))),
            Ok(watcher::Event::Apply(node(&["a", "b"], "3"))),
            Ok(watcher::Event::Delete(node(&["a", "b"], "4"))),
            // Recreated with the same labels: new again.
            Ok(watcher::Event::Apply(node(&["a", "b"], "5"))),
        ];
        let passed: Vec<String> =
            changed(futures::stream::iter(events), |n: &Node| n.labels().clone())
                .map(|n| n.unwrap().resource_version().unwrap())
                .collect()
                .await;
        assert_eq!(passed, ["1", "3", "4", "5"]);
    }
}

//! Watch streams as the operator and the agents build them: kube-runtime's watcher with a
//! retry policy that catches up quickly after an API server restart.
//!
//! kube-runtime's default policy (client-go's) waits 0.8 s doubling to 30 s, plus up to as
//! much again of jitter, and only a good event resets it. After an API server restart two
//! things add up: every failed attempt during the outage doubled the delay, and the
//! restarted server's watch cache begins at the current revision, so every watch resumed
//! from an older resource version ends with 410 Gone. Backed off like a failure, that 410
//! kept re-lists waiting 18 and 42 s after a 10 s outage, and nothing changed in the
//! cluster reached the controller meanwhile.
//!
//! Here a 410 is what the API server says it is, the instruction to list again: the watcher
//! has already reset itself to list, so the error is dropped and the list starts at once.
//! Other errors wait [`FIRST_RETRY`] doubling to [`LAST_RETRY`] plus up to a quarter more of
//! jitter (so a fleet of agents does not retry in step), and any event resets the delay: the
//! catch-up after an outage of any length is at most about [`LAST_RETRY`] late.

use std::fmt::Debug;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use futures::{Stream, StreamExt};
use kube::runtime::utils::Backoff;
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use tracing::debug;

/// The delay after the first failure in a row.
pub const FIRST_RETRY: Duration = Duration::from_millis(500);
/// The longest delay (before jitter).
pub const LAST_RETRY: Duration = Duration::from_secs(8);

/// The watch events of `api` under `config`, retried as described in the module docs.
pub fn watch<K>(
    api: Api<K>,
    config: watcher::Config,
) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    resilient(watcher(api, config))
}

/// `events` with 410 Gone dropped and other errors followed by a [`RetryDelay`].
fn resilient<K, S>(
    events: S,
) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send
where
    S: Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send,
    K: Send,
{
    events
        .filter(|event| {
            let expired =
                matches!(event, Err(watcher::Error::WatchError(status)) if status.code == 410);
            if expired {
                debug!("watch expired (410 Gone): listing again");
            }
            futures::future::ready(!expired)
        })
        .backoff(RetryDelay::default())
}

/// Exponential retry delay with jitter; see the module docs.
#[derive(Debug, Default)]
pub struct RetryDelay {
    failures: u32,
}

impl Iterator for RetryDelay {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let doublings = self.failures.min(16);
        self.failures = self.failures.saturating_add(1);
        let base = FIRST_RETRY
            .saturating_mul(1u32 << doublings)
            .min(LAST_RETRY);
        // Up to a quarter more, from the process's random hasher keys (no generator needed
        // for spreading retries).
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let fraction = (random % 1024) as f64 / 1024.0;
        Some(base.mul_f64(1.0 + fraction / 4.0))
    }
}

impl Backoff for RetryDelay {
    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Node;
    use kube::core::Status;

    #[test]
    fn the_delay_doubles_to_its_cap_with_bounded_jitter_and_resets() {
        let mut delay = RetryDelay::default();
        let seen: Vec<Duration> = delay.by_ref().take(8).collect();
        let bases = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0];
        for (got, base) in seen.iter().zip(bases) {
            let got = got.as_secs_f64();
            assert!(got >= base && got <= base * 1.25, "{got} for {base}");
        }
        delay.reset();
        assert!(delay.next().unwrap() <= FIRST_RETRY.mul_f64(1.25));
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_watch_lists_again_at_once_and_other_errors_wait() {
        let gone = Status {
            code: 410,
            ..Status::default()
        };
        let start = tokio::time::Instant::now();
        let expired: Vec<Result<watcher::Event<Node>, watcher::Error>> = vec![
            Err(watcher::Error::WatchError(Box::new(gone))),
            Ok(watcher::Event::Init),
        ];
        let passed: Vec<_> = resilient(futures::stream::iter(expired)).collect().await;
        assert!(
            matches!(passed[..], [Ok(watcher::Event::Init)]),
            "{passed:?}"
        );
        assert_eq!(start.elapsed(), Duration::ZERO);

        let failing: Vec<Result<watcher::Event<Node>, watcher::Error>> = vec![
            Err(watcher::Error::NoResourceVersion),
            Err(watcher::Error::NoResourceVersion),
            Ok(watcher::Event::Init),
        ];
        let passed: Vec<_> = resilient(futures::stream::iter(failing)).collect().await;
        assert_eq!(passed.len(), 3);
        // 0.5 s then 1 s, each with at most a quarter more.
        let waited = start.elapsed().as_secs_f64();
        let expected = 1.5..=1.5 * 1.25;
        assert!(expected.contains(&waited), "{waited}");
    }
}

//! The operator's own metrics, served with its probes on the metrics port (see
//! `telemetry`): how its passes go (runs, failures, duration), what it writes, and whether
//! this replica leads. Prefix `ptp_operator_`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of [`Metrics::writes`].
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WriteLabels {
    /// The object's kind (`NodePtpConfig`, `DaemonSet`, `PtpConfig` for its status, `Event`, …).
    pub kind: String,
}

/// The operator's metrics.
#[derive(Debug)]
pub struct Metrics {
    /// Passes run (`ptp_operator_reconcile_runs_total`).
    pub runs: Counter,
    /// Passes that failed (`ptp_operator_reconcile_failures_total`).
    pub failures: Counter,
    /// How long a pass took, in seconds (`ptp_operator_reconcile_duration_seconds`).
    pub duration: Histogram,
    /// Objects written, by kind (`ptp_operator_writes_total`).
    pub writes: Family<WriteLabels, Counter>,
    /// 1 while this replica leads (`ptp_operator_leader`).
    pub leader: Gauge,
    /// Nodes the last pass saw (`ptp_operator_nodes`).
    pub nodes: Gauge,
}

impl Metrics {
    /// The metrics, registered in `registry`.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self {
            runs: Counter::default(),
            failures: Counter::default(),
            // 1 ms to about 16 s: a pass over a few nodes takes milliseconds, one over
            // thousands writing every node's object seconds.
            duration: Histogram::new([0.001, 0.004, 0.016, 0.064, 0.256, 1.0, 4.0, 16.0]),
            writes: Family::default(),
            leader: Gauge::default(),
            nodes: Gauge::default(),
        };
        let r = registry.sub_registry_with_prefix("ptp_operator");
        r.register(
            "reconcile_runs",
            "Reconcile passes run",
            metrics.runs.clone(),
        );
        r.register(
            "reconcile_failures",
            "Reconcile passes that failed",
            metrics.failures.clone(),
        );
        r.register(
            "reconcile_duration_seconds",
            "Duration of a reconcile pass",
            metrics.duration.clone(),
        );
        r.register("writes", "Objects written, by kind", metrics.writes.clone());
        r.register(
            "leader",
            "1 while this replica leads",
            metrics.leader.clone(),
        );
        r.register(
            "nodes",
            "Nodes seen by the last pass",
            metrics.nodes.clone(),
        );
        metrics
    }

    /// Counts one write of `kind`.
    pub fn wrote(&self, kind: &str) {
        self.writes
            .get_or_create(&WriteLabels {
                kind: kind.to_owned(),
            })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_families_are_exposed_under_their_names() {
        let mut registry = Registry::default();
        let m = Metrics::new(&mut registry);
        m.runs.inc();
        m.wrote("NodePtpConfig");
        m.duration.observe(0.002);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        for line in [
            "ptp_operator_reconcile_runs_total 1",
            "ptp_operator_writes_total{kind=\"NodePtpConfig\"} 1",
            "ptp_operator_reconcile_duration_seconds_count 1",
            "ptp_operator_leader 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }
}

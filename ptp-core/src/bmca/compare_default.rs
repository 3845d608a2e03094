//! The default data set comparison of IEEE 1588-2019 9.3.4: part 1 (Figure 34) ranks two
//! different grandmasters, part 2 (Figure 35) ranks two paths to the same grandmaster.

use core::cmp::Ordering;

use super::{ComparisonDataset, DatasetOrdering};

/// Figure 34: how `a` ranks against `b` under the default comparison.
///
/// Different grandmasters are ranked by grandmasterPriority1, clockClass, clockAccuracy,
/// offsetScaledLogVariance, grandmasterPriority2 and finally grandmasterIdentity (lower is
/// better for each). The same grandmaster goes to [`compare_topology`].
pub(crate) fn compare_default(a: &ComparisonDataset, b: &ComparisonDataset) -> DatasetOrdering {
    if a.grandmaster_identity == b.grandmaster_identity {
        return compare_topology(a, b);
    }
    let (qa, qb) = (&a.grandmaster_clock_quality, &b.grandmaster_clock_quality);
    let by_attributes = a
        .grandmaster_priority_1
        .cmp(&b.grandmaster_priority_1)
        .then(qa.clock_class.cmp(&qb.clock_class))
        .then(qa.clock_accuracy.cmp(&qb.clock_accuracy))
        .then(
            qa.offset_scaled_log_variance
                .cmp(&qb.offset_scaled_log_variance),
        )
        .then(a.grandmaster_priority_2.cmp(&b.grandmaster_priority_2))
        .then(a.grandmaster_identity.cmp(&b.grandmaster_identity));
    DatasetOrdering::from_lower_is_better(by_attributes)
}

/// Figure 35: how `a` ranks against `b` when both describe the same grandmaster (or when the
/// G.8275 comparison skips the grandmaster identity).
///
/// - stepsRemoved differing by more than one: the shorter path is [`DatasetOrdering::Better`].
/// - differing by exactly one: the shorter path wins, by topology only if the longer one's
///   receiver has a higher identity than its sender (the longer path then runs through the
///   receiving clock itself); receiver = sender is error-1.
/// - equal: the lower sender identity, then the lower receiver port number, wins by topology;
///   both equal is error-2 (the same Announce message twice).
///
/// Errors 1 and 2 give [`DatasetOrdering::Same`], as in linuxptp.
pub(crate) fn compare_topology(a: &ComparisonDataset, b: &ComparisonDataset) -> DatasetOrdering {
    let (sa, sb) = (u32::from(a.steps_removed), u32::from(b.steps_removed));
    if sa + 1 < sb {
        return DatasetOrdering::Better;
    }
    if sb + 1 < sa {
        return DatasetOrdering::Worse;
    }
    match sa.cmp(&sb) {
        // B is one step longer: look at B's receiver against B's sender.
        Ordering::Less => match b.receiver.cmp(&b.sender) {
            Ordering::Less => DatasetOrdering::Better,
            Ordering::Greater => DatasetOrdering::BetterByTopology,
            Ordering::Equal => DatasetOrdering::Same,
        },
        // A is one step longer: look at A's receiver against A's sender.
        Ordering::Greater => match a.receiver.cmp(&a.sender) {
            Ordering::Less => DatasetOrdering::Worse,
            Ordering::Greater => DatasetOrdering::WorseByTopology,
            Ordering::Equal => DatasetOrdering::Same,
        },
        Ordering::Equal => {
            let by_path = a
                .sender
                .cmp(&b.sender)
                .then(a.receiver.port_number.cmp(&b.receiver.port_number));
            match by_path {
                Ordering::Less => DatasetOrdering::BetterByTopology,
                Ordering::Greater => DatasetOrdering::WorseByTopology,
                Ordering::Equal => DatasetOrdering::Same,
            }
        }
    }
}

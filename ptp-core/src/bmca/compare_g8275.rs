//! The alternate data set comparison of ITU-T G.8275.1 / G.8275.2 (G.8275.1 6.3, G.8275.2 6.7;
//! linuxptp `dataset_comparison G.8275.x`).
//!
//! It differs from IEEE 1588-2019 9.3.4 in three ways:
//! - grandmasterPriority1 is not compared (the profiles fix it at 128);
//! - localPriority (the receiving port's, or defaultDS.localPriority for `D0`) breaks ties
//!   after grandmasterPriority2;
//! - when the grandmasters are of class 127 or better (PRTC-traceable T-GMs), several of
//!   them may be active at once: the grandmaster identity is skipped and the nearest one
//!   (fewest steps, then topology) wins.

use super::compare_default::compare_topology;
use super::{ComparisonDataset, DatasetOrdering};

/// How `a` ranks against `b` under the G.8275 comparison.
pub(crate) fn compare_g8275(a: &ComparisonDataset, b: &ComparisonDataset) -> DatasetOrdering {
    let (qa, qb) = (&a.grandmaster_clock_quality, &b.grandmaster_clock_quality);
    let by_attributes = qa
        .clock_class
        .cmp(&qb.clock_class)
        .then(qa.clock_accuracy.cmp(&qb.clock_accuracy))
        .then(
            qa.offset_scaled_log_variance
                .cmp(&qb.offset_scaled_log_variance),
        )
        .then(a.grandmaster_priority_2.cmp(&b.grandmaster_priority_2))
        .then(a.local_priority.cmp(&b.local_priority));
    if by_attributes.is_ne() {
        return DatasetOrdering::from_lower_is_better(by_attributes);
    }
    // Equal so far, so both clock classes are the same.
    if qa.clock_class <= 127 {
        return compare_topology(a, b);
    }
    match a.grandmaster_identity.cmp(&b.grandmaster_identity) {
        core::cmp::Ordering::Equal => compare_topology(a, b),
        other => DatasetOrdering::from_lower_is_better(other),
    }
}

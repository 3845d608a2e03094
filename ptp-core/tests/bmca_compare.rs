//! Data set comparison tables: every branch of IEEE 1588-2019 9.3.4 (Figures 34 and 35) and of
//! the ITU-T G.8275.x alternate comparison, each row naming the clause it checks. Every row is
//! also checked the other way round (B against A must give the reverse answer).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use proptest::prelude::*;
use ptp_core::bmca::{compare, ComparisonDataset, DatasetOrdering};
use ptp_core::config::enums::DatasetComparison;
use support::bmca::{pid, Gm};

use DatasetOrdering::{Better, BetterByTopology, Same, Worse, WorseByTopology};

struct Row {
    clause: &'static str,
    a: ComparisonDataset,
    b: ComparisonDataset,
    ieee1588: DatasetOrdering,
    g8275: DatasetOrdering,
}

fn row(
    clause: &'static str,
    a: ComparisonDataset,
    b: ComparisonDataset,
    ieee1588: DatasetOrdering,
    g8275: DatasetOrdering,
) -> Row {
    Row {
        clause,
        a,
        b,
        ieee1588,
        g8275,
    }
}

/// Our port 1 (clock 1) receives everything unless a row says otherwise.
fn rx() -> ptp_core::wire::PortIdentity {
    pid(1, 1)
}

fn rows() -> Vec<Row> {
    let s_a = pid(20, 1);
    let s_b = pid(30, 1);
    let gm = Gm::new(50);
    vec![
        // ---- Figure 34: different grandmasters ----
        row(
            "9.3.4 Fig. 34: lower grandmasterPriority1 wins before clockClass",
            Gm::new(60).p1(127).class(248).ds(1, s_a, rx()),
            Gm::new(61).p1(128).class(6).ds(1, s_b, rx()),
            Better,
            // G.8275: priority1 is not compared, so clockClass decides.
            Worse,
        ),
        row(
            "9.3.4 Fig. 34: lower clockClass wins before clockAccuracy",
            Gm::new(60).class(6).accuracy(0x31).ds(1, s_a, rx()),
            Gm::new(61).class(7).accuracy(0x20).ds(1, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 34: lower clockAccuracy wins before offsetScaledLogVariance",
            Gm::new(60).accuracy(0x21).variance(0xffff).ds(1, s_a, rx()),
            Gm::new(61).accuracy(0x22).variance(0x4000).ds(1, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 34: lower offsetScaledLogVariance wins before priority2",
            Gm::new(60).variance(0x4100).p2(0).ds(1, s_a, rx()),
            Gm::new(61).variance(0x4000).p2(255).ds(1, s_b, rx()),
            Worse,
            Worse,
        ),
        row(
            "9.3.4 Fig. 34: lower priority2 wins before grandmasterIdentity",
            Gm::new(69).p2(127).ds(1, s_a, rx()),
            Gm::new(60).p2(128).ds(1, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 34: lower grandmasterIdentity breaks the last tie",
            Gm::new(60).ds(1, s_a, rx()),
            Gm::new(61).ds(1, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 34: grandmasterIdentity wins over stepsRemoved for different GMs",
            Gm::new(60).ds(7, s_a, rx()),
            Gm::new(61).ds(0, s_b, rx()),
            Better,
            Better,
        ),
        // ---- Figure 35: the same grandmaster ----
        row(
            "9.3.4 Fig. 35: stepsRemoved shorter by 2 or more is better",
            gm.ds(0, s_a, rx()),
            gm.ds(2, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 35: stepsRemoved longer by 2 or more is worse",
            gm.ds(5, s_a, rx()),
            gm.ds(3, s_b, rx()),
            Worse,
            Worse,
        ),
        row(
            "9.3.4 Fig. 35: B one step longer, B's receiver < B's sender: A better",
            gm.ds(1, s_a, rx()),
            gm.ds(2, pid(30, 1), pid(1, 2)),
            Better,
            Better,
        ),
        row(
            "9.3.4 Fig. 35: B one step longer, B's receiver > B's sender: A better by topology",
            gm.ds(1, s_a, rx()),
            gm.ds(2, pid(1, 1), pid(30, 2)),
            BetterByTopology,
            BetterByTopology,
        ),
        row(
            "9.3.4 Fig. 35: A one step longer, A's receiver < A's sender: A worse",
            gm.ds(2, pid(30, 1), pid(1, 2)),
            gm.ds(1, s_b, rx()),
            Worse,
            Worse,
        ),
        row(
            "9.3.4 Fig. 35: A one step longer, A's receiver > A's sender: A worse by topology",
            gm.ds(2, pid(1, 1), pid(30, 2)),
            gm.ds(1, s_b, rx()),
            WorseByTopology,
            WorseByTopology,
        ),
        row(
            "9.3.4 Fig. 35: one step apart, receiver = sender: error-1",
            gm.ds(1, s_a, rx()),
            gm.ds(2, pid(30, 2), pid(30, 2)),
            Same,
            Same,
        ),
        row(
            "9.3.4 Fig. 35: equal steps, lower sender clock identity: better by topology",
            gm.ds(3, pid(20, 9), rx()),
            gm.ds(3, pid(30, 1), rx()),
            BetterByTopology,
            BetterByTopology,
        ),
        row(
            "9.3.4 Fig. 35: equal steps, same sender clock, lower sender port: better by topology",
            gm.ds(3, pid(20, 1), rx()),
            gm.ds(3, pid(20, 2), rx()),
            BetterByTopology,
            BetterByTopology,
        ),
        row(
            "9.3.4 Fig. 35: equal steps and sender, higher receiver port number: worse by topology",
            gm.ds(3, s_a, pid(1, 2)),
            gm.ds(3, s_a, pid(1, 1)),
            WorseByTopology,
            WorseByTopology,
        ),
        row(
            "9.3.4 Fig. 35: equal steps, sender and receiver port number: error-2",
            gm.ds(3, s_a, pid(1, 4)),
            gm.ds(3, s_a, pid(2, 4)),
            Same,
            Same,
        ),
        // ---- G.8275.x alternate comparison (G.8275.1 6.3) ----
        row(
            "G.8275.1 6.3: priority1 is not compared (default: it decides)",
            Gm::new(60).p1(255).ds(1, s_a, rx()),
            Gm::new(61).p1(0).ds(1, s_b, rx()),
            Worse,
            Better,
        ),
        row(
            "G.8275.1 6.3: lower localPriority wins before grandmasterIdentity",
            Gm::new(69).ds_lp(1, s_a, rx(), 10),
            Gm::new(60).ds_lp(1, s_b, pid(1, 2), 20),
            Worse,
            Better,
        ),
        row(
            "G.8275.1 6.3: priority2 is compared before localPriority",
            Gm::new(60).p2(129).ds_lp(1, s_a, rx(), 1),
            Gm::new(61).p2(128).ds_lp(1, s_b, pid(1, 2), 255),
            Worse,
            Worse,
        ),
        row(
            "G.8275.1 6.3: clockClass is compared before localPriority",
            Gm::new(60).class(7).ds_lp(1, s_a, rx(), 1),
            Gm::new(61).class(6).ds_lp(1, s_b, pid(1, 2), 255),
            Worse,
            Worse,
        ),
        row(
            "G.8275.1 6.3: class <= 127, equal quality: nearest GM wins, identity skipped",
            Gm::new(69).class(6).ds(0, s_a, rx()),
            Gm::new(60).class(6).ds(2, s_b, rx()),
            Worse,
            Better,
        ),
        row(
            "G.8275.1 6.3: class <= 127, equal steps: topology (sender identity) decides",
            Gm::new(69).class(6).ds(1, pid(20, 1), rx()),
            Gm::new(60).class(6).ds(1, pid(30, 1), rx()),
            Worse,
            BetterByTopology,
        ),
        row(
            "G.8275.1 6.3: class > 127: grandmasterIdentity before stepsRemoved",
            Gm::new(60).class(165).ds(5, s_a, rx()),
            Gm::new(61).class(165).ds(0, s_b, rx()),
            Better,
            Better,
        ),
        row(
            "G.8275.1 6.3: class > 127, same GM: stepsRemoved (Fig. 35)",
            gm.class(165).ds(4, s_a, rx()),
            gm.class(165).ds(1, s_b, rx()),
            Worse,
            Worse,
        ),
        row(
            "G.8275.1 6.3 / 9.3.4: the default comparison ignores localPriority",
            Gm::new(60).ds_lp(1, s_a, rx(), 255),
            Gm::new(61).ds_lp(1, s_b, pid(1, 2), 1),
            Better,
            Worse,
        ),
    ]
}

#[test]
fn comparison_tables() {
    for r in rows() {
        for (algorithm, expected) in [
            (DatasetComparison::Ieee1588, r.ieee1588),
            (DatasetComparison::G8275, r.g8275),
        ] {
            assert_eq!(
                compare(algorithm, &r.a, &r.b),
                expected,
                "{} ({algorithm:?}, A vs B)",
                r.clause
            );
            assert_eq!(
                compare(algorithm, &r.b, &r.a),
                expected.reverse(),
                "{} ({algorithm:?}, B vs A)",
                r.clause
            );
        }
    }
}

#[test]
fn d0_against_own_announce_path() {
    // 9.3.4: D0 has stepsRemoved 0 and sender = receiver = (clockIdentity, 0). Against an
    // Announce that carries our own grandmaster data one step away, D0 wins on topology
    // or outright depending on how the receiver and sender identities compare.
    let me = Gm::new(5);
    let d0 = ComparisonDataset::of_local_clock(&me.local());
    assert_eq!(d0.steps_removed, 0);
    assert_eq!(d0.sender, pid(5, 0));
    assert_eq!(d0.receiver, pid(5, 0));
    let looped_lower_sender = me.ds(1, pid(3, 1), pid(5, 1));
    let looped_higher_sender = me.ds(1, pid(9, 1), pid(5, 1));
    for algorithm in [DatasetComparison::Ieee1588, DatasetComparison::G8275] {
        assert_eq!(
            compare(algorithm, &d0, &looped_higher_sender),
            Better,
            "{algorithm:?}"
        );
        assert_eq!(
            compare(algorithm, &d0, &looped_lower_sender),
            BetterByTopology,
            "{algorithm:?}"
        );
    }
}

fn arb_dataset() -> impl Strategy<Value = ComparisonDataset> {
    // Small ranges so that ties, equal grandmasters and adjacent stepsRemoved are common.
    (
        (0u8..3, 5u8..8, 0x20u8..0x22, 0u16..2, 0u8..2, 0u8..3),
        (0u16..4, 0u8..3, 1u16..3, 0u8..3, 1u16..3, 0u8..2),
    )
        .prop_map(
            |((p1, class, acc, var, p2, gm), (steps, sc, sp, rc, rp, lp))| {
                Gm::new(gm)
                    .p1(p1)
                    .class(class + if gm == 2 { 160 } else { 0 })
                    .accuracy(acc)
                    .variance(var)
                    .p2(p2)
                    .ds_lp(steps, pid(sc, sp), pid(rc, rp), lp)
            },
        )
}

proptest! {
    /// Comparing B with A gives the reverse of comparing A with B, for both algorithms.
    #[test]
    fn comparison_is_antisymmetric(a in arb_dataset(), b in arb_dataset()) {
        for algorithm in [DatasetComparison::Ieee1588, DatasetComparison::G8275] {
            prop_assert_eq!(compare(algorithm, &b, &a), compare(algorithm, &a, &b).reverse());
        }
    }

    /// A data set never ranks better or worse than itself.
    #[test]
    fn comparison_with_itself_is_same(a in arb_dataset()) {
        for algorithm in [DatasetComparison::Ieee1588, DatasetComparison::G8275] {
            prop_assert_eq!(compare(algorithm, &a, &a), Same);
        }
    }
}

//! The state decision algorithm (IEEE 1588-2019 9.3.3, Figure 33) on ordinary, boundary and
//! grandmaster clocks, slaveOnly, masterOnly and the G.8275.x comparison. Each test names the
//! branch it checks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use ptp_core::bmca::{ComparisonDataset, LocalClock, PortInput, Recommendation, StateDecision};
use ptp_core::config::enums::DatasetComparison;
use ptp_core::wire::PortState;
use support::bmca::{pid, Gm};

use DatasetComparison::{Ieee1588, G8275};
use Recommendation::{Listening, M1, M2, M3, P1, P2, S1};

/// Our clock is clock 5; its port `n` is `pid(5, n)`.
const ME: u8 = 5;

fn port(state: PortState, erbest: Option<ComparisonDataset>) -> PortInput {
    PortInput {
        state,
        erbest,
        master_only: false,
    }
}

fn running(erbest: Option<ComparisonDataset>) -> PortInput {
    port(PortState::Master, erbest)
}

fn decide(
    algorithm: DatasetComparison,
    local: &LocalClock,
    ports: &[PortInput],
) -> (Vec<Option<Recommendation>>, Option<usize>) {
    let d = StateDecision::new(algorithm, local, ports);
    (d.recommendations().collect(), d.ebest().map(|(i, _)| i))
}

#[test]
fn ordinary_clock_follows_a_better_foreign_master() {
    // Fig. 33: D0 not better than Ebest, Ebest received on this port -> S1.
    let me = Gm::new(ME).local();
    let gm = Gm::new(9).class(6);
    let ports = [port(
        PortState::Listening,
        Some(gm.ds(0, pid(9, 1), pid(ME, 1))),
    )];
    for alg in [Ieee1588, G8275] {
        assert_eq!(
            decide(alg, &me, &ports),
            (vec![Some(S1)], Some(0)),
            "{alg:?}"
        );
    }
}

#[test]
fn grandmaster_alone() {
    // Fig. 33: class <= 127 and D0 better than (absent) Erbest -> M1; otherwise D0 better than
    // (absent) Ebest -> M2. A LISTENING port without Erbest stays LISTENING (9.3.3).
    let primary = Gm::new(ME).class(6).local();
    let free_running = Gm::new(ME).local();
    for alg in [Ieee1588, G8275] {
        assert_eq!(decide(alg, &primary, &[running(None)]).0, vec![Some(M1)]);
        assert_eq!(
            decide(alg, &free_running, &[running(None)]).0,
            vec![Some(M2)]
        );
        let listening = [port(PortState::Listening, None)];
        assert_eq!(decide(alg, &primary, &listening).0, vec![Some(Listening)]);
        assert_eq!(
            decide(alg, &free_running, &listening).0,
            vec![Some(Listening)]
        );
    }
}

#[test]
fn primary_clock_is_passive_towards_a_better_one() {
    // Fig. 33: class <= 127: D0 better than Erbest -> M1, else P1 (never S1).
    let me = Gm::new(ME).class(6).local();
    let better = Gm::new(9).class(6).p1(10).ds(0, pid(9, 1), pid(ME, 1));
    let worse = Gm::new(3).class(7).ds(0, pid(3, 1), pid(ME, 2));
    let (recs, ebest) = decide(
        Ieee1588,
        &me,
        &[running(Some(better)), running(Some(worse))],
    );
    assert_eq!(recs, vec![Some(P1), Some(M1)]);
    assert_eq!(ebest, Some(0));
}

#[test]
fn local_clock_better_than_every_foreign_master_is_grandmaster() {
    // Fig. 33: class > 127, D0 better than Ebest -> M2 on every port, Erbest or not.
    let me = Gm::new(ME).p1(100).local();
    let a = Gm::new(9).ds(0, pid(9, 1), pid(ME, 1));
    let b = Gm::new(2).ds(3, pid(8, 1), pid(ME, 2));
    let (recs, ebest) = decide(
        Ieee1588,
        &me,
        &[running(Some(a)), running(Some(b)), running(None)],
    );
    assert_eq!(recs, vec![Some(M2), Some(M2), Some(M2)]);
    assert_eq!(ebest, Some(1), "Ebest still reported: lower GM identity");
    assert!(M2.local_clock_is_grandmaster());
}

#[test]
fn boundary_clock_one_step_longer_path_is_master_or_passive_by_topology() {
    // Port 1 hears the GM directly (stepsRemoved 0); port 2 hears it through another BC
    // (stepsRemoved 1). Port 1 is S1. Port 2: Ebest vs Erbest is one step apart, so 9.3.4
    // Fig. 35 looks at port 2's receiver against the other BC's sender identity:
    // receiver < sender -> Ebest simply better -> M3 (we serve that link);
    // receiver > sender -> Ebest better by topology -> P2 (the other BC serves it).
    let me = Gm::new(ME).local();
    let gm = Gm::new(9).class(6);
    let direct = gm.ds(0, pid(9, 1), pid(ME, 1));
    for (other_bc, expected) in [(7u8, M3), (3u8, P2)] {
        let via_bc = gm.ds(1, pid(other_bc, 1), pid(ME, 2));
        for alg in [Ieee1588, G8275] {
            let (recs, ebest) = decide(alg, &me, &[running(Some(direct)), running(Some(via_bc))]);
            assert_eq!(
                recs,
                vec![Some(S1), Some(expected)],
                "BC {other_bc}, {alg:?}"
            );
            assert_eq!(ebest, Some(0));
        }
    }
}

#[test]
fn boundary_clock_much_longer_path_is_master() {
    // stepsRemoved 0 vs 2: Ebest is plainly better (Fig. 35) -> M3 whatever the identities.
    let me = Gm::new(ME).local();
    let gm = Gm::new(9).class(6);
    let direct = gm.ds(0, pid(9, 1), pid(ME, 1));
    let far = gm.ds(2, pid(1, 1), pid(ME, 2));
    let (recs, _) = decide(Ieee1588, &me, &[running(Some(direct)), running(Some(far))]);
    assert_eq!(recs, vec![Some(S1), Some(M3)]);
}

#[test]
fn boundary_clock_two_equal_paths_one_slave_one_passive() {
    // Both ports wired to the GM (stepsRemoved 0 on both): Fig. 35 ranks by sender identity,
    // the lower sender port wins -> S1; the other is better-by-topology -> P2 (no loop).
    let me = Gm::new(ME).local();
    let gm = Gm::new(9).class(6);
    let via_gm_port_2 = gm.ds(0, pid(9, 2), pid(ME, 1));
    let via_gm_port_1 = gm.ds(0, pid(9, 1), pid(ME, 2));
    let (recs, ebest) = decide(
        Ieee1588,
        &me,
        &[
            running(Some(via_gm_port_2)),
            running(Some(via_gm_port_1)),
            running(None),
        ],
    );
    assert_eq!(recs, vec![Some(P2), Some(S1), Some(M3)]);
    assert_eq!(ebest, Some(1));
}

#[test]
fn slave_only_clock_is_never_master_or_passive() {
    // slaveOnly (8.2.1.5.4; linuxptp's slave-only state machine): anything but S1 becomes
    // LISTENING.
    let mut me = Gm::new(ME).class(255).local();
    me.slave_only = true;
    let gm = Gm::new(9).class(6);
    let direct = gm.ds(0, pid(9, 2), pid(ME, 1));
    let equal_path = gm.ds(0, pid(9, 1), pid(ME, 2));
    let ports = [
        running(Some(equal_path)),
        running(Some(direct)),
        running(None),
    ];
    let (recs, _) = decide(Ieee1588, &me, &ports);
    assert_eq!(recs, vec![Some(S1), Some(Listening), Some(Listening)]);
    // With nobody to follow it would be M2: it is LISTENING instead.
    assert_eq!(
        decide(Ieee1588, &me, &[running(None)]).0,
        vec![Some(Listening)]
    );
    // Even a slave-only clock better than the foreign master does not become master.
    let mut strong = Gm::new(ME).class(6).local();
    strong.slave_only = true;
    let weak = Gm::new(9).ds(0, pid(9, 1), pid(ME, 1));
    assert_eq!(
        decide(Ieee1588, &strong, &[running(Some(weak))]).0,
        vec![Some(Listening)]
    );
}

#[test]
fn master_only_port_ignores_its_erbest() {
    // masterOnly (G.8275.1/.2, linuxptp): the port's Erbest is not considered for Ebest and
    // the port itself is decided as if it had none, so it is always a master.
    let me = Gm::new(ME).local();
    let best = Gm::new(2).class(6).ds(0, pid(2, 1), pid(ME, 1));
    let good = Gm::new(3).class(7).ds(0, pid(3, 1), pid(ME, 2));
    let mut ports = [running(Some(best)), running(Some(good))];
    ports[0].master_only = true;
    for alg in [Ieee1588, G8275] {
        let (recs, ebest) = decide(alg, &me, &ports);
        assert_eq!(recs, vec![Some(M3), Some(S1)], "{alg:?}");
        assert_eq!(ebest, Some(1));
    }
    // Alone, a masterOnly port hearing a better master makes its clock grandmaster (M2).
    let mut alone = [running(Some(best))];
    alone[0].master_only = true;
    assert_eq!(decide(Ieee1588, &me, &alone), (vec![Some(M2)], None));
}

#[test]
fn g8275_selects_by_port_local_priority() {
    // G.8275.1 6.3: two GMs of equal quality on two ports; localPriority (lower wins)
    // decides before grandmasterIdentity. The default comparison picks the lower identity.
    let me = Gm::new(ME).class(248).local();
    let gm_low_id = Gm::new(2).class(6).p2(128);
    let gm_high_id = Gm::new(8).class(6).p2(128);
    let ports = [
        running(Some(gm_low_id.ds_lp(0, pid(2, 1), pid(ME, 1), 20))),
        running(Some(gm_high_id.ds_lp(0, pid(8, 1), pid(ME, 2), 10))),
    ];
    assert_eq!(
        decide(G8275, &me, &ports),
        (vec![Some(M3), Some(S1)], Some(1))
    );
    assert_eq!(
        decide(Ieee1588, &me, &ports),
        (vec![Some(S1), Some(M3)], Some(0))
    );
}

#[test]
fn g8275_clock_local_priority_and_priority1() {
    // A class-6 T-GM hearing another class-6 T-GM with a lower identity:
    // - default: D0 loses on identity -> P1;
    // - G.8275 with equal localPriority: equal steps (0), the other's sender identity is lower
    //   -> D0 worse by topology -> P1;
    // - G.8275 with defaultDS.localPriority 10 < the port's 128: D0 wins -> M1.
    // priority1 (fixed at 128 by the profile) is ignored: a foreign priority1 of 0 changes
    // nothing under G.8275.
    let mut me = Gm::new(ME).class(6).local();
    let other = Gm::new(2).class(6).p1(0).ds(0, pid(2, 1), pid(ME, 1));
    assert_eq!(
        decide(Ieee1588, &me, &[running(Some(other))]).0,
        vec![Some(P1)]
    );
    assert_eq!(
        decide(G8275, &me, &[running(Some(other))]).0,
        vec![Some(P1)]
    );
    me.local_priority = 10;
    assert_eq!(
        decide(G8275, &me, &[running(Some(other))]).0,
        vec![Some(M1)]
    );
    assert_eq!(
        decide(Ieee1588, &me, &[running(Some(other))]).0,
        vec![Some(P1)]
    );
}

#[test]
fn ports_out_of_service_take_no_part() {
    // 9.3.3: INITIALIZING, FAULTY and DISABLED ports get no recommendation and their Erbest
    // does not count for Ebest.
    let me = Gm::new(ME).local();
    let best = Gm::new(2).class(6).ds(0, pid(2, 1), pid(ME, 1));
    let good = Gm::new(3).class(7).ds(0, pid(3, 1), pid(ME, 2));
    for state in [
        PortState::Initializing,
        PortState::Faulty,
        PortState::Disabled,
    ] {
        let ports = [port(state, Some(best)), running(Some(good))];
        let d = StateDecision::new(Ieee1588, &me, &ports);
        assert_eq!(d.recommendation(0), None, "{state:?}");
        assert_eq!(d.recommendation(1), Some(S1), "{state:?}");
        assert_eq!(d.recommendation(2), None, "out of range");
        assert_eq!(d.ebest().map(|(i, ds)| (i, *ds)), Some((1, good)));
    }
}

#[test]
fn recommendations_name_their_target_states() {
    assert_eq!(M1.target_state(), PortState::Master);
    assert_eq!(M3.target_state(), PortState::Master);
    assert_eq!(P2.target_state(), PortState::Passive);
    assert_eq!(S1.target_state(), PortState::Slave);
    assert_eq!(Listening.target_state(), PortState::Listening);
    assert!(M1.local_clock_is_grandmaster());
    assert!(!M3.local_clock_is_grandmaster());
    assert!(!S1.local_clock_is_grandmaster());
}

#[test]
fn d0_is_the_local_clock() {
    let me = Gm::new(ME).p1(7).local();
    let ports = [running(None)];
    let d = StateDecision::new(Ieee1588, &me, &ports);
    assert_eq!(*d.d0(), ComparisonDataset::of_local_clock(&me));
    assert_eq!(d.d0().grandmaster_priority_1, 7);
}

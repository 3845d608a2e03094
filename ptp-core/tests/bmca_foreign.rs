//! Foreign master qualification and expiry (IEEE 1588-2019 9.3.2.4.4, 9.3.2.5, 9.5.3), with
//! linuxptp's counting: the first Announce of a new sender is not counted, two counted Announce
//! messages within four of their announce intervals qualify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use ptp_core::bmca::{ForeignMasterList, IgnoredAnnounce, RecordOutcome, FOREIGN_MASTER_THRESHOLD};
use ptp_core::config::enums::DatasetComparison;
use ptp_core::time::Time;
use ptp_core::wire::{Flags, Header, PortIdentity};
use support::bmca::{cid, header, pid, Gm};

const ALG: DatasetComparison = DatasetComparison::Ieee1588;

fn ms(millis: u128) -> Time {
    Time::from_nanos(millis * 1_000_000)
}

/// Our clock is clock 1; the list belongs to its port 1.
fn list<const N: usize>() -> ForeignMasterList<N> {
    ForeignMasterList::new(cid(1), 255)
}

fn rx() -> PortIdentity {
    pid(1, 1)
}

/// Records an Announce of `gm` from `sender` at `at` with logMessageInterval `log`.
fn feed<const N: usize>(
    l: &mut ForeignMasterList<N>,
    gm: &Gm,
    sender: PortIdentity,
    log: i8,
    at: Time,
) -> RecordOutcome {
    l.record(&header(sender, log), &gm.announce(0), at)
}

#[test]
fn third_announce_qualifies_a_new_master() {
    // 9.5.3: the first Announce creates the record uncounted; 9.3.2.5: FOREIGN_MASTER_THRESHOLD
    // (2) counted ones within the window qualify.
    assert_eq!(FOREIGN_MASTER_THRESHOLD, 2);
    let gm = Gm::new(9);
    let s = pid(9, 1);
    let mut l = list::<4>();
    assert_eq!(
        feed(&mut l, &gm, s, 0, ms(0)),
        RecordOutcome::New { evicted: None }
    );
    assert!(l.best(ALG, rx(), 128, ms(0)).is_none());
    let second = feed(&mut l, &gm, s, 0, ms(1000));
    assert_eq!(
        second,
        RecordOutcome::Counted {
            newly_qualified: false,
            changed: false
        }
    );
    assert!(!second.needs_state_decision());
    assert_eq!(l.get(s).unwrap().current_announces(ms(1000)), 1);
    assert!(l.best(ALG, rx(), 128, ms(1000)).is_none());
    let third = feed(&mut l, &gm, s, 0, ms(2000));
    assert_eq!(
        third,
        RecordOutcome::Counted {
            newly_qualified: true,
            changed: false
        }
    );
    assert!(third.needs_state_decision());
    let (record, erbest) = l.best(ALG, rx(), 128, ms(2000)).unwrap();
    assert_eq!(record.sender(), s);
    assert_eq!(erbest.grandmaster_identity, cid(9));
    assert_eq!(erbest.sender, s);
    assert_eq!(erbest.receiver, rx());
    // A fourth Announce keeps it qualified without a new decision being due.
    assert!(!feed(&mut l, &gm, s, 0, ms(3000)).needs_state_decision());
}

#[test]
fn counted_announces_expire_after_four_intervals() {
    // 9.3.2.4.4: FOREIGN_MASTER_TIME_WINDOW is 4 announce intervals (1 s here).
    let gm = Gm::new(9);
    let s = pid(9, 1);
    let mut l = list::<4>();
    for at in [0, 1000, 2000] {
        feed(&mut l, &gm, s, 0, ms(at));
    }
    let r = *l.get(s).unwrap();
    assert!(r.is_qualified(ms(4999)), "both counted still within 4 s");
    assert!(
        !r.is_qualified(ms(5000)),
        "the t=1 s Announce expires at 5 s"
    );
    assert_eq!(r.current_announces(ms(5000)), 1);
    assert_eq!(r.current_announces(ms(6000)), 0);
    assert!(l.best(ALG, rx(), 128, ms(5000)).is_none());
    // Heard again after a gap: one more qualifies again (the record is still there).
    let again = feed(&mut l, &gm, s, 0, ms(5500));
    assert_eq!(
        again,
        RecordOutcome::Counted {
            newly_qualified: true,
            changed: false
        }
    );
}

#[test]
fn sparse_announces_never_qualify() {
    // One Announce every 5 s with a 1 s interval: never two within 4 s.
    let gm = Gm::new(9);
    let s = pid(9, 1);
    let mut l = list::<4>();
    for at in (0..10).map(|i| i * 5000) {
        feed(&mut l, &gm, s, 0, ms(at));
        assert!(l.best(ALG, rx(), 128, ms(at)).is_none(), "at {at} ms");
    }
    // The control: the same sender, heard at its interval from then on, qualifies.
    for at in [46_000, 47_000] {
        feed(&mut l, &gm, s, 0, ms(at));
    }
    assert!(l.best(ALG, rx(), 128, ms(47_000)).is_some());
}

#[test]
fn window_follows_the_announce_interval_of_the_message() {
    // logMessageInterval -2: 250 ms interval, 1 s window (linuxptp msg_current).
    let gm = Gm::new(9);
    let s = pid(9, 1);
    let mut l = list::<4>();
    for at in [0, 250, 500] {
        feed(&mut l, &gm, s, -2, ms(at));
    }
    let r = *l.get(s).unwrap();
    assert!(r.is_qualified(ms(1249)));
    assert!(!r.is_qualified(ms(1250)));
    // logMessageInterval 2: 4 s interval, 16 s window.
    let mut slow = list::<4>();
    for at in [0, 4000, 8000] {
        feed(&mut slow, &gm, s, 2, ms(at));
    }
    assert!(slow.get(s).unwrap().is_qualified(ms(19_999)));
    assert!(!slow.get(s).unwrap().is_qualified(ms(20_000)));
}

#[test]
fn unqualifiable_announces_are_not_recorded() {
    let gm = Gm::new(9);
    let mut l = list::<4>();
    // 9.3.2.5: from our own clock (any port).
    assert_eq!(
        feed(&mut l, &gm, pid(1, 2), 0, ms(0)),
        RecordOutcome::Ignored(IgnoredAnnounce::OwnClock)
    );
    // 9.3.2.5: alternateMasterFlag set.
    let alt = Header {
        flags: Flags(Flags::ALTERNATE_MASTER),
        ..header(pid(9, 1), 0)
    };
    assert_eq!(
        l.record(&alt, &gm.announce(0), ms(0)),
        RecordOutcome::Ignored(IgnoredAnnounce::AlternateMaster)
    );
    // 9.3.2.5: stepsRemoved >= maxStepsRemoved (255 by default).
    assert_eq!(
        l.record(&header(pid(9, 1), 0), &gm.announce(255), ms(0)),
        RecordOutcome::Ignored(IgnoredAnnounce::TooManySteps)
    );
    assert!(l.is_empty());
    assert_eq!(
        l.record(&header(pid(9, 1), 0), &gm.announce(254), ms(0)),
        RecordOutcome::New { evicted: None }
    );
    // maxStepsRemoved 3: stepsRemoved 3 is ignored, 2 is recorded.
    let mut short = ForeignMasterList::<4>::new(cid(1), 3);
    assert_eq!(
        short.record(&header(pid(9, 1), 0), &gm.announce(3), ms(0)),
        RecordOutcome::Ignored(IgnoredAnnounce::TooManySteps)
    );
    assert_eq!(
        short.record(&header(pid(9, 1), 0), &gm.announce(2), ms(0)),
        RecordOutcome::New { evicted: None }
    );
    short.set_max_steps_removed(2);
    assert_eq!(
        short.record(&header(pid(9, 1), 0), &gm.announce(2), ms(1)),
        RecordOutcome::Ignored(IgnoredAnnounce::TooManySteps)
    );
}

#[test]
fn changed_attributes_ask_for_a_state_decision() {
    let s = pid(9, 1);
    let mut l = list::<4>();
    for at in [0, 1000, 2000] {
        feed(&mut l, &Gm::new(9), s, 0, ms(at));
    }
    let changed = feed(&mut l, &Gm::new(9).class(7), s, 0, ms(3000));
    assert_eq!(
        changed,
        RecordOutcome::Counted {
            newly_qualified: false,
            changed: true
        }
    );
    assert!(changed.needs_state_decision());
    let stored = l.get(s).unwrap();
    assert_eq!(stored.announce().grandmaster_clock_quality.clock_class, 7);
    assert_eq!(stored.last_received(), ms(3000));
}

#[test]
fn best_is_the_best_qualified_record() {
    // 9.3.2: Erbest is the best of the qualified foreign masters of the port.
    let mut l = list::<4>();
    let good = Gm::new(30).class(6);
    let better_but_unqualified = Gm::new(20).class(6).p1(1);
    let plain = Gm::new(10);
    for at in [0, 1000, 2000] {
        feed(&mut l, &plain, pid(10, 1), 0, ms(at));
        feed(&mut l, &good, pid(30, 1), 0, ms(at));
    }
    feed(&mut l, &better_but_unqualified, pid(20, 1), 0, ms(2000));
    let (record, erbest) = l.best(ALG, pid(1, 3), 77, ms(2000)).unwrap();
    assert_eq!(record.sender(), pid(30, 1));
    assert_eq!(erbest.receiver, pid(1, 3));
    assert_eq!(erbest.local_priority, 77);
    assert_eq!(l.len(), 3);
    assert_eq!(l.iter().count(), 3);
}

#[test]
fn a_full_list_evicts_unqualified_records_first_then_the_oldest() {
    let gm = Gm::new(9);
    let mut l = list::<2>();
    // A is qualified and heard from longest ago; B is new.
    for at in [0, 1000, 2000] {
        feed(&mut l, &gm, pid(10, 1), 0, ms(at));
    }
    feed(&mut l, &gm, pid(11, 1), 0, ms(2500));
    assert_eq!(
        feed(&mut l, &gm, pid(12, 1), 0, ms(2600)),
        RecordOutcome::New {
            evicted: Some(pid(11, 1))
        }
    );
    assert!(l.get(pid(10, 1)).is_some());
    // Qualify C too; now both are qualified and A was heard from longer ago than C.
    feed(&mut l, &gm, pid(12, 1), 0, ms(2700));
    feed(&mut l, &gm, pid(12, 1), 0, ms(2800));
    assert!(l.get(pid(12, 1)).unwrap().is_qualified(ms(2900)));
    assert_eq!(
        feed(&mut l, &gm, pid(13, 1), 0, ms(2900)),
        RecordOutcome::New {
            evicted: Some(pid(10, 1))
        }
    );
    assert_eq!(l.len(), 2);
}

#[test]
fn expire_drops_stale_records_and_clear_drops_all() {
    let gm = Gm::new(9);
    let mut l = list::<4>();
    for at in [0, 1000, 2000] {
        feed(&mut l, &gm, pid(10, 1), 0, ms(at));
    }
    feed(&mut l, &gm, pid(11, 1), 0, ms(3000));
    // At 6 s: pid(10) has its t=2 s Announce current (until 6 s exclusive) -> gone at 6 s;
    // pid(11)'s uncounted first Announce is current until 7 s.
    l.expire(ms(5999));
    assert_eq!(l.len(), 2);
    l.expire(ms(6000));
    assert!(l.get(pid(10, 1)).is_none());
    assert!(l.get(pid(11, 1)).is_some());
    l.expire(ms(7000));
    assert!(l.is_empty());
    // Heard again after expiry: starts over uncounted.
    assert_eq!(
        feed(&mut l, &gm, pid(10, 1), 0, ms(8000)),
        RecordOutcome::New { evicted: None }
    );
    l.clear();
    assert!(l.is_empty());
}

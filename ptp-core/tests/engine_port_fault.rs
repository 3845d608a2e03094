//! A runtime's I/O failure on a port (`Instance::handle_port_fault`): the port goes FAULTY,
//! arms its fault_reset_interval timer, ignores further faults while FAULTY, and is back to
//! LISTENING when the timer expires (where the runtime re-opens its sockets). A port that
//! goes FAULTY or DISABLED forgets what it had in flight: a transmit time stamp that arrives
//! (or is lost) afterwards sends no follow-up and faults nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{
    ActionLog, Event, Fault, Instance, InstanceSettings, OwnedAction, PortIndex, RxMeta, Timer,
    TimerKind, TxTag,
};
use ptp_core::time::{Duration, Time};
use ptp_core::wire::{
    Body, ClockIdentity, Header, Message, MessageType, PdelayReq, PortIdentity, PortState,
    Timestamp,
};

const NOW: Time = Time::from_secs_nanos(1_700_000_000, 0);
const PORT: PortIndex = PortIndex(0);

fn states(actions: &[OwnedAction]) -> Vec<(PortState, PortState)> {
    actions
        .iter()
        .filter_map(|a| match a {
            OwnedAction::Event(Event::PortState { from, to, .. }) => Some((*from, *to)),
            _ => None,
        })
        .collect()
}

#[test]
fn io_fault_makes_the_port_faulty_until_the_reset_interval() {
    let loaded = parse_ptp4l_conf("[global]\nfault_reset_interval 2\n[eth0]\n").unwrap();
    let settings = InstanceSettings::from_config(
        &loaded.config,
        ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, 1]),
    )
    .unwrap();
    let mut instance = Instance::new(settings).unwrap();
    let mut log = ActionLog::default();
    instance.start(NOW, &mut log);
    log.take();

    instance.handle_port_fault(PORT, Fault::SendFailed, NOW, &mut log);
    let actions = log.take();
    assert!(actions.contains(&OwnedAction::Event(Event::Fault {
        port: PORT,
        fault: Fault::SendFailed
    })));
    assert_eq!(
        states(&actions),
        [(PortState::Listening, PortState::Faulty)]
    );
    let reset = Timer {
        port: PORT,
        kind: TimerKind::FaultReset,
    };
    assert!(actions.contains(&OwnedAction::ArmTimer {
        timer: reset,
        after: Duration::from_secs(4)
    }));
    assert_eq!(
        instance.port_ds(PORT).unwrap().port_state,
        PortState::Faulty
    );

    // Another failure while FAULTY changes nothing.
    instance.handle_port_fault(PORT, Fault::ReceiveFailed, NOW, &mut log);
    assert!(log.take().is_empty());

    instance.handle_timer(reset, NOW + Duration::from_secs(4), &mut log);
    assert_eq!(
        states(&log.take()),
        [(PortState::Faulty, PortState::Listening)]
    );
}

fn instance(text: &str) -> Instance {
    let loaded = parse_ptp4l_conf(text).unwrap();
    let settings = InstanceSettings::from_config(
        &loaded.config,
        ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, 1]),
    )
    .unwrap();
    let mut instance = Instance::new(settings).unwrap();
    instance.start(NOW, &mut ActionLog::default());
    instance
}

fn timer(kind: TimerKind) -> Timer {
    Timer { port: PORT, kind }
}

/// The types and tags of the messages among `actions`.
fn sent(actions: &[OwnedAction]) -> Vec<(MessageType, Option<TxTag>)> {
    actions
        .iter()
        .filter_map(|a| match a {
            OwnedAction::Send { bytes, tag, .. } => {
                Some((Message::decode(bytes).unwrap().message_type(), *tag))
            }
            _ => None,
        })
        .collect()
}

/// A MASTER (no foreign master: its announce receipt timeout made it one).
fn master() -> Instance {
    let mut instance = instance("[global]\n[eth0]\n");
    instance.handle_timer(
        timer(TimerKind::AnnounceReceipt),
        NOW,
        &mut ActionLog::default(),
    );
    assert_eq!(
        instance.port_ds(PORT).unwrap().port_state,
        PortState::Master
    );
    instance
}

/// Lets the Sync timer expire and returns the Sync's tag.
fn sync(instance: &mut Instance) -> TxTag {
    let mut log = ActionLog::default();
    instance.handle_timer(timer(TimerKind::Sync), NOW, &mut log);
    match sent(&log.take())[..] {
        [(MessageType::Sync, Some(tag))] => tag,
        ref other => panic!("sent {other:?}"),
    }
}

#[test]
fn a_disabled_port_sends_no_follow_up_and_a_lost_time_stamp_leaves_it_disabled() {
    let mut instance = master();
    let mut log = ActionLog::default();
    // Enabled, a Sync's time stamp brings its Follow_Up.
    let tag = sync(&mut instance);
    instance.handle_tx_timestamp(PORT, tag, NOW, &mut log);
    assert_eq!(sent(&log.take()), [(MessageType::FollowUp, None)]);

    let tag = sync(&mut instance);
    instance.set_port_enabled(PORT, false, NOW, &mut log);
    log.take();
    instance.handle_tx_timestamp(PORT, tag, NOW, &mut log);
    instance.handle_tx_timestamp_lost(PORT, tag, NOW, &mut log);
    assert_eq!(log.take(), []);
    assert_eq!(
        instance.port_ds(PORT).unwrap().port_state,
        PortState::Disabled
    );
}

#[test]
fn a_faulty_port_answers_no_time_stamp_of_before_the_fault() {
    let mut instance = instance("[global]\n[eth0]\ndelay_mechanism P2P\n");
    let mut log = ActionLog::default();
    let request = |seq| {
        let header = Header {
            source_port_identity: PortIdentity {
                clock_identity: ClockIdentity([0x0a, 0, 0, 0xff, 0xfe, 0, 0, 2]),
                port_number: 1,
            },
            sequence_id: seq,
            ..Header::default()
        };
        let body = Body::PdelayReq(PdelayReq {
            origin_timestamp: Timestamp::ZERO,
        });
        let mut buf = [0u8; 64];
        let n = Message::new(header, body).encode(&mut buf).unwrap();
        buf[..n].to_vec()
    };
    let rx = RxMeta {
        timestamp: Some(NOW),
        source: None,
    };
    let answer = |instance: &mut Instance, seq, log: &mut ActionLog| {
        instance.handle_message(PORT, &request(seq), rx, NOW, log);
        match sent(&log.take())[..] {
            [(MessageType::PdelayResp, Some(tag))] => tag,
            ref other => panic!("sent {other:?}"),
        }
    };
    // Operational, the Pdelay_Resp's time stamp brings its follow-up.
    let tag = answer(&mut instance, 1, &mut log);
    instance.handle_tx_timestamp(PORT, tag, NOW, &mut log);
    assert_eq!(sent(&log.take()), [(MessageType::PdelayRespFollowUp, None)]);

    let tag = answer(&mut instance, 2, &mut log);
    instance.handle_port_fault(PORT, Fault::ReceiveFailed, NOW, &mut log);
    log.take();
    instance.handle_tx_timestamp(PORT, tag, NOW, &mut log);
    assert_eq!(log.take(), []);
}

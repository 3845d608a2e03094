//! A runtime's I/O failure on a port (`Instance::handle_port_fault`): the port goes FAULTY,
//! arms its fault_reset_interval timer, ignores further faults while FAULTY, and is back to
//! LISTENING when the timer expires (where the runtime re-opens its sockets).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{
    ActionLog, Event, Fault, Instance, InstanceSettings, OwnedAction, PortIndex, Timer, TimerKind,
};
use ptp_core::time::{Duration, Time};
use ptp_core::wire::{ClockIdentity, PortState};

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

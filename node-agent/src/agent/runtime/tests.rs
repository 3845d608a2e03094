//! The event loop on in-memory ports and a test clock, under tokio's paused time where
//! timing matters: the test plays the network and reads the engine's state from the
//! instance's series.

use std::sync::atomic::Ordering;

use ptp_core::engine::{ClockAction, Destination, InstanceSettings, MessageClass};
use ptp_core::time::Duration as PtpDuration;
use ptp_core::wire::PortState;
use ptp_core::wire::{
    Announce, Body, ClockIdentity, ClockQuality, DelayResp, Flags, FollowUp, Header, Message,
    PortIdentity, Sync, Timestamp,
};
use tokio::task::JoinHandle;

use super::*;
use crate::agent::metrics::testing::text;
use crate::agent::metrics::{ConfigLabel, MetricsHub};
use crate::agent::port_io::memory::{MemoryPorts, Sent, Stamps};
use crate::agent::port_io::SEND_QUEUE;
use crate::agent::spec::InstanceSpec;
use crate::agent::supervisor::{engine_settings, launch};
use crate::agent::testing::{ask, socket_path, spec, TestClock, TestHost};

const IFACE: &str = "ptpx0";
const DROPPED: &str = "ptp_agent_messages_dropped_total";
const FAILURES: &str = "ptp_agent_clock_read_failures_total";
const FAULTS: &str = "ptp_agent_port_faults_total";
const ROLE: &str = "openshift_ptp_interface_role";
const PORT: &str = r#"process="ptp4l",node="node-a",iface="ptpx0""#;

/// Roles of `openshift_ptp_interface_role`.
const MASTER: f64 = 2.0;
const FAULTY: f64 = 3.0;
const LISTENING: f64 = 5.0;

/// A started instance on one in-memory port, `ptpx0`.
struct Started {
    rt: Runtime<TestClock, MemoryPorts>,
    host: TestHost,
    hub: MetricsHub,
}

/// Starts an instance of `-i ptpx0 -S` with `extra` flags and the configuration `text`
/// (the management socket in the test's directory).
fn start(name: &str, extra: &[&str], text: &str) -> Started {
    start_on(TestHost::new(), name, extra, text)
}

/// [`start`] on `host`.
fn start_on(mut host: TestHost, name: &str, extra: &[&str], text: &str) -> Started {
    let uds = socket_path(name);
    let mut args = vec!["-i", IFACE, "-S", "--uds_address", &uds];
    args.extend_from_slice(extra);
    let hub = MetricsHub::new(ConfigLabel::PerProcess);
    let rt = launch(&mut host, &spec(name, &args, text), &hub).unwrap();
    Started { rt, host, hub }
}

/// The value of `name{labels}` in `hub` (0 when the series does not exist).
fn value(hub: &MetricsHub, name: &str, labels: &str) -> f64 {
    crate::agent::metrics::testing::value(&text(hub), name, labels).unwrap_or(0.0)
}

fn role(hub: &MetricsHub) -> f64 {
    value(hub, ROLE, PORT)
}

fn state<P: PortIo>(rt: &Runtime<TestClock, P>) -> PortState {
    rt.instance.port_ds(PortIndex(0)).unwrap().port_state
}

#[tokio::test]
async fn a_message_is_dropped_while_the_clock_cannot_be_read() {
    let Started { mut rt, host, hub } = start("rt-msg", &[], "");
    assert_eq!(state(&rt), PortState::Listening);
    // Three bytes: the engine, when it sees them, drops them as malformed.
    let garbage = [0u8; 3];
    host.clock.readable.store(false, Ordering::Relaxed);
    rt.on_message(PortIndex(0), &garbage, None, None);
    rt.carry_out();
    let unreadable = r#"iface="ptpx0",reason="clock_unreadable""#;
    let malformed = r#"iface="ptpx0",reason="malformed""#;
    assert_eq!(value(&hub, DROPPED, unreadable), 1.0);
    assert_eq!(value(&hub, DROPPED, malformed), 0.0, "the engine saw it");
    assert_eq!(value(&hub, FAILURES, r#"input="message""#), 1.0);
    // The same message with a clock that reads reaches the engine.
    host.clock.readable.store(true, Ordering::Relaxed);
    rt.on_message(PortIndex(0), &garbage, None, None);
    rt.carry_out();
    assert_eq!(value(&hub, DROPPED, malformed), 1.0);
    assert_eq!(value(&hub, DROPPED, unreadable), 1.0);
    assert_eq!(value(&hub, FAILURES, r#"input="message""#), 1.0);
}

#[tokio::test]
async fn a_timer_waits_for_the_clock_and_is_not_lost() {
    let Started { mut rt, host, hub } = start("rt-timer", &[], "");
    let due = rt.timers.next_deadline().unwrap();
    host.clock.readable.store(false, Ordering::Relaxed);
    rt.on_wake(due);
    rt.carry_out();
    // Still listening: the engine has not seen the expiry, which is armed again.
    assert_eq!(state(&rt), PortState::Listening);
    assert_eq!(rt.timers.next_deadline(), Some(due + CLOCK_RETRY));
    assert!(value(&hub, FAILURES, r#"input="timer""#) >= 1.0);
    host.clock.readable.store(true, Ordering::Relaxed);
    rt.on_wake(due + CLOCK_RETRY);
    rt.carry_out();
    // The announce receipt timeout of a lone port makes it the master.
    assert_eq!(state(&rt), PortState::Master);
    assert_eq!(role(&hub), MASTER);
}

#[tokio::test]
async fn a_port_fault_is_held_until_the_clock_can_be_read() {
    let Started { mut rt, host, hub } = start("rt-held", &[], "");
    host.clock.readable.store(false, Ordering::Relaxed);
    rt.port_trouble(PortIndex(0), PortTrouble::Fault(Fault::ReceiveFailed));
    rt.carry_out();
    assert_eq!(state(&rt), PortState::Listening);
    assert_eq!(value(&hub, FAILURES, r#"input="port_fault""#), 1.0);
    let retry = rt.retry_at.unwrap();
    // Still unreadable at the retry: held again.
    rt.on_wake(retry);
    assert_eq!(state(&rt), PortState::Listening);
    assert_eq!(value(&hub, FAILURES, r#"input="port_fault""#), 2.0);
    let retry = rt.retry_at.unwrap();
    host.clock.readable.store(true, Ordering::Relaxed);
    rt.on_wake(retry);
    rt.carry_out();
    assert_eq!(state(&rt), PortState::Faulty);
    assert_eq!(rt.retry_at, None);
    let labels = r#"iface="ptpx0",reason="receive_failed""#;
    assert_eq!(value(&hub, FAULTS, labels), 1.0);
}

#[tokio::test]
async fn messages_a_port_has_no_room_for_are_dropped_and_counted() {
    let Started { mut rt, host, hub } = start("rt-full", &[], "");
    // Nothing takes what is sent: the port's queue fills.
    for _ in 0..SEND_QUEUE + 3 {
        rt.carry_out_one(OwnedAction::Send {
            port: PortIndex(0),
            class: MessageClass::General,
            destination: Destination::Multicast,
            tag: None,
            bytes: vec![0; 64],
        });
    }
    assert_eq!(host.ports.take_sent(IFACE).len(), SEND_QUEUE);
    let labels = r#"iface="ptpx0",reason="send_queue_full""#;
    assert_eq!(value(&hub, DROPPED, labels), 3.0);
}

/// A started instance running in its own task.
struct Spawned {
    host: TestHost,
    hub: MetricsHub,
    control: Sender<Control>,
    task: JoinHandle<()>,
}

fn spawn(name: &str, extra: &[&str], text: &str) -> Spawned {
    spawn_on(TestHost::new(), name, extra, text)
}

/// [`spawn`] on `host`.
fn spawn_on(host: TestHost, name: &str, extra: &[&str], text: &str) -> Spawned {
    let Started { rt, host, hub } = start_on(host, name, extra, text);
    let (control, commands) = channel(1);
    let task = tokio::spawn(rt.run(commands));
    Spawned {
        host,
        hub,
        control,
        task,
    }
}

impl Spawned {
    /// Has the running instance take `spec`, and waits for what it did.
    async fn reconfigure(&self, spec: &InstanceSpec) -> Result<Reconfiguration, ReconfigureError> {
        let settings = engine_settings(&self.host, spec).unwrap();
        let (done, outcome) = tokio::sync::oneshot::channel();
        let control = Control::Reconfigure {
            settings: Box::new(settings),
            options: Box::new(spec.runtime_options()),
            done,
        };
        self.control.send(control).await.unwrap();
        outcome.await.unwrap()
    }

    async fn stop(self) {
        self.control.send(Control::Stop).await.unwrap();
        self.task.await.unwrap();
    }
}

/// Waits, a millisecond of (paused) time at a time, until `done`; returns when. Fails after
/// `limit`.
async fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Instant {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Instant::now()
}

/// Quick intervals: an Announce and a Sync a second; faults cleared after 4 s.
const QUICK: &str = "[global]\nlogAnnounceInterval 0\nlogSyncInterval 0\n\
                     tx_timestamp_timeout 10\nfault_reset_interval 2\n";

/// Whether `sent` holds a Sync (an event message whose stamp is asked for).
fn has_sync(sent: &[Sent]) -> bool {
    sent.iter()
        .any(|s| s.request.class == MessageClass::Event && s.request.tag.is_some())
}

#[tokio::test(start_paused = true)]
async fn a_transmit_time_stamp_that_does_not_come_faults_the_port_after_the_timeout() {
    let run = spawn("rt-txlost", &[], QUICK);
    let (ports, hub) = (&run.host.ports, &run.hub);
    // The lone port becomes master; its Syncs are stamped and it stays master.
    let mut syncs = 0;
    until("two stamped Syncs", Duration::from_secs(60), || {
        syncs += usize::from(has_sync(&ports.take_sent(IFACE)));
        syncs >= 2
    })
    .await;
    assert_eq!(role(hub), MASTER);
    assert_eq!(
        value(hub, FAULTS, r#"iface="ptpx0",reason="tx_timestamp_lost""#),
        0.0
    );
    // From now on no stamp comes: the next Sync's is lost after tx_timestamp_timeout.
    ports.stamps(IFACE, Stamps::Never);
    let sent = until("a Sync without its stamp", Duration::from_secs(5), || {
        has_sync(&ports.take_sent(IFACE))
    })
    .await;
    let faulty = until("FAULTY", Duration::from_secs(1), || role(hub) == FAULTY).await;
    let waited = faulty - sent;
    assert!(
        waited >= Duration::from_millis(9) && waited <= Duration::from_millis(11),
        "faulted {waited:?} after the send; tx_timestamp_timeout is 10 ms"
    );
    assert_eq!(
        value(hub, FAULTS, r#"iface="ptpx0",reason="tx_timestamp_lost""#),
        1.0
    );
    // tx_timestamp_timeout is the runtime's own: taken in place, it holds for the port
    // opened after the fault.
    let uds = socket_path("rt-txlost");
    let longer = spec(
        "rt-txlost",
        &["-i", IFACE, "-S", "--uds_address", &uds],
        &QUICK.replace("tx_timestamp_timeout 10", "tx_timestamp_timeout 50"),
    );
    let done = run.reconfigure(&longer).await.unwrap();
    assert!(done.is_empty(), "{done}");
    until("opened again", Duration::from_secs(10), || {
        ports.opened(IFACE) == 2
    })
    .await;
    let sent = until("a Sync on the new port", Duration::from_secs(10), || {
        has_sync(&ports.take_sent(IFACE))
    })
    .await;
    let faulty = until("FAULTY again", Duration::from_secs(1), || {
        value(hub, FAULTS, r#"iface="ptpx0",reason="tx_timestamp_lost""#) == 2.0
    })
    .await;
    let waited = faulty - sent;
    assert!(
        waited >= Duration::from_millis(49) && waited <= Duration::from_millis(51),
        "faulted {waited:?} after the send; tx_timestamp_timeout is now 50 ms"
    );
    run.stop().await;
}

#[tokio::test]
async fn management_requests_are_answered_and_sets_carried_out() {
    let run = spawn("rt-mgmt", &[], "");
    let uds = socket_path("rt-mgmt");
    assert!(ask(&uds, "GET PRIORITY2").await.contains("priority2 128"));
    assert!(ask(&uds, "SET PRIORITY2 77").await.contains("priority2 77"));
    assert!(ask(&uds, "GET PRIORITY2").await.contains("priority2 77"));
    run.stop().await;
    assert!(!std::path::Path::new(&uds).exists());
}

#[tokio::test(start_paused = true)]
async fn a_failed_port_is_closed_and_opened_again_after_fault_reset_interval() {
    let run = spawn("rt-reopen", &["-s"], QUICK);
    let (ports, hub) = (&run.host.ports.clone(), &run.hub.clone());
    assert_eq!((ports.opened(IFACE), ports.closed(IFACE)), (1, 0));
    until("LISTENING", Duration::from_secs(1), || {
        role(hub) == LISTENING
    })
    .await;
    assert!(ports.fault(IFACE, Fault::ReceiveFailed).await);
    let faulted = until("FAULTY", Duration::from_secs(1), || role(hub) == FAULTY).await;
    assert_eq!((ports.opened(IFACE), ports.closed(IFACE)), (1, 1));
    assert!(!ports.is_open(IFACE));
    let reopened = until("opened again", Duration::from_secs(10), || {
        ports.opened(IFACE) == 2
    })
    .await;
    // fault_reset_interval 2: 2^2 s.
    let waited = reopened - faulted;
    assert!(
        waited >= Duration::from_millis(3_999) && waited <= Duration::from_millis(4_001),
        "opened {waited:?} after the fault"
    );
    assert!(ports.is_open(IFACE));
    until("LISTENING again", Duration::from_secs(1), || {
        role(hub) == LISTENING
    })
    .await;
    let labels = r#"iface="ptpx0",reason="receive_failed""#;
    assert_eq!(value(hub, FAULTS, labels), 1.0);
    run.stop().await;
    assert_eq!((ports.opened(IFACE), ports.closed(IFACE)), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn a_port_that_cannot_open_is_faulted_and_tried_again() {
    let host = TestHost::new();
    host.ports.refuse(IFACE, true);
    let run = spawn_on(host, "rt-refused", &["-s"], QUICK);
    let (ports, hub) = (&run.host.ports.clone(), &run.hub.clone());
    let refused = until("FAULTY", Duration::from_secs(1), || role(hub) == FAULTY).await;
    let labels = r#"iface="ptpx0",reason="open_failed""#;
    assert_eq!(value(hub, FAULTS, labels), 1.0);
    assert_eq!(ports.opened(IFACE), 0);
    // Still refused at the next try, 4 s later: faulted again.
    until("a second try", Duration::from_secs(5), || {
        value(hub, FAULTS, labels) == 2.0
    })
    .await;
    assert_eq!(ports.opened(IFACE), 0);
    ports.refuse(IFACE, false);
    let opened = until("opened", Duration::from_secs(5), || {
        ports.opened(IFACE) == 1
    })
    .await;
    let waited = opened - refused;
    assert!(
        waited >= Duration::from_millis(7_999) && waited <= Duration::from_millis(8_001),
        "opened {waited:?} after the first try"
    );
    until("LISTENING", Duration::from_secs(1), || {
        role(hub) == LISTENING
    })
    .await;
    run.stop().await;
}

/// The grandmaster the tests play: its identity and how far its clock is ahead of ours.
const GM: ClockIdentity = ClockIdentity([1; 8]);
const GM_AHEAD: PtpDuration = PtpDuration::from_millis(1);
const PATH_DELAY: PtpDuration = PtpDuration::from_micros(10);

fn gm_header(sequence_id: u16, flags: u16) -> Header {
    Header {
        source_port_identity: PortIdentity {
            clock_identity: GM,
            port_number: 1,
        },
        sequence_id,
        flags: Flags(flags),
        ..Header::default()
    }
}

fn encode(header: Header, body: Body) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let n = Message::new(header, body).encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// The grandmaster's clock when ours reads `ours`.
fn gm_time(ours: Time) -> Timestamp {
    Timestamp::from_time(ours + GM_AHEAD)
}

#[tokio::test(start_paused = true)]
async fn a_sync_follow_up_and_delay_resp_reach_the_engine_and_steer_the_clock() {
    let run = spawn("rt-sync", &["-s"], &format!("{QUICK}clock_servo pi\n"));
    let (ports, hub, clock) = (&run.host.ports, &run.hub, &run.host.clock);
    let master = format!(r#"from="master",{PORT}"#);
    let steps = |applied: Vec<ClockAction>| -> Vec<PtpDuration> {
        applied
            .into_iter()
            .filter_map(|a| match a {
                ClockAction::Step(by) => Some(by),
                ClockAction::SetFrequency(_) => None,
            })
            .collect()
    };
    until("LISTENING", Duration::from_secs(1), || {
        role(hub) == LISTENING
    })
    .await;
    assert!(steps(clock.applied()).is_empty());
    let mut seq = 0u16;
    // Each second: an Announce, a Sync and its Follow_Up, and a Delay_Resp for every
    // Delay_Req the slave sent, until the engine has a sample and acts on the clock.
    for _ in 0..30 {
        let announce = Body::Announce(Announce {
            grandmaster_identity: GM,
            grandmaster_priority_1: 1,
            grandmaster_priority_2: 1,
            grandmaster_clock_quality: ClockQuality {
                clock_class: 6,
                ..ClockQuality::default()
            },
            ..Announce::default()
        });
        assert!(ports.deliver(IFACE, encode(gm_header(seq, 0), announce), clock.time.now()));
        let rx = clock.time.now();
        let t1 = gm_time(rx - PATH_DELAY);
        let sync = Body::Sync(Sync {
            origin_timestamp: Timestamp::ZERO,
        });
        ports.deliver(IFACE, encode(gm_header(seq, Flags::TWO_STEP), sync), rx);
        let follow_up = Body::FollowUp(FollowUp {
            precise_origin_timestamp: t1,
        });
        ports.deliver(IFACE, encode(gm_header(seq, 0), follow_up), rx);
        tokio::time::sleep(Duration::from_millis(100)).await;
        for sent in ports.take_sent(IFACE) {
            let Ok(message) = Message::decode(&sent.request.bytes) else {
                continue;
            };
            if !matches!(message.body, Body::DelayReq(_)) {
                continue;
            }
            // Stamped when sent; it reached the grandmaster a path delay later.
            let t4 = gm_time(sent.at + PATH_DELAY);
            let response = Body::DelayResp(DelayResp {
                receive_timestamp: t4,
                requesting_port_identity: message.header.source_port_identity,
            });
            let header = gm_header(message.header.sequence_id, 0);
            ports.deliver(IFACE, encode(header, response), clock.time.now());
        }
        if !steps(clock.applied()).is_empty() {
            break;
        }
        seq = seq.wrapping_add(1);
        tokio::time::sleep(Duration::from_millis(900)).await;
    }
    // We are a millisecond behind: the clock is stepped forward by it.
    let steps = steps(clock.applied());
    let [by] = steps[..] else {
        panic!("{:?}", clock.applied());
    };
    assert!(
        (by - GM_AHEAD).abs() < PtpDuration::from_micros(1),
        "{by:?}"
    );
    let offset = value(hub, "openshift_ptp_offset_ns", &master);
    assert!((offset + 1e6).abs() < 1e3, "offset {offset}");
    run.stop().await;
}

/// The settings and options of `-i ptpx0 [-i more…] -S` with the configuration `text` and
/// the management socket of `name`.
fn settings_of(
    host: &TestHost,
    name: &str,
    more: &[&str],
    text: &str,
) -> (InstanceSettings, RuntimeOptions) {
    let uds = socket_path(name);
    let mut args = vec!["-i", IFACE, "-S", "--uds_address", &uds];
    for iface in more {
        args.extend_from_slice(&["-i", iface]);
    }
    let spec = spec(name, &args, text);
    (
        engine_settings(host, &spec).unwrap(),
        spec.runtime_options(),
    )
}

#[tokio::test]
async fn an_added_port_opens_and_a_removed_one_closes_with_its_series_leaving_the_other_alone() {
    let Started { mut rt, host, hub } = start("rt-ports", &[], "");
    let ports = &host.ports;
    assert_eq!((ports.opened(IFACE), ports.closed(IFACE)), (1, 0));
    let (two, options) = settings_of(&host, "rt-ports", &["ptpx1"], "");
    let done = rt.reconfigure(two, options).unwrap();
    rt.carry_out();
    assert_eq!(done.to_string(), "added port 2 (ptpx1)");
    assert_eq!(ports.opened("ptpx1"), 1);
    let second = r#"process="ptp4l",node="node-a",iface="ptpx1""#;
    assert_eq!(value(&hub, ROLE, second), LISTENING);
    assert_eq!(
        rt.instance.port_ds(PortIndex(1)).unwrap().port_state,
        PortState::Listening
    );
    // A message the second port drops is counted under its name.
    rt.on_message(PortIndex(1), &[0u8; 3], None, None);
    rt.carry_out();
    let malformed = r#"iface="ptpx1",reason="malformed""#;
    assert_eq!(value(&hub, DROPPED, malformed), 1.0);
    // Taken out again: closed, its series gone; the first port was never touched.
    let (one, options) = settings_of(&host, "rt-ports", &[], "");
    let done = rt.reconfigure(one, options).unwrap();
    rt.carry_out();
    assert_eq!(done.to_string(), "removed port 2 (ptpx1)");
    assert_eq!(ports.closed("ptpx1"), 1);
    let t = text(&hub);
    assert!(!t.contains(r#"iface="ptpx1""#), "{t}");
    assert_eq!(role(&hub), LISTENING);
    assert_eq!((ports.opened(IFACE), ports.closed(IFACE)), (1, 0));
    assert_eq!(state(&rt), PortState::Listening);
}

#[tokio::test]
async fn new_settings_are_refused_while_the_clock_cannot_be_read_and_change_nothing() {
    let Started {
        mut rt,
        host,
        hub: _,
    } = start("rt-reconf-clock", &[], "");
    let (changed, options) = settings_of(&host, "rt-reconf-clock", &[], "[global]\npriority2 7\n");
    host.clock.readable.store(false, Ordering::Relaxed);
    let refused = rt.reconfigure(changed.clone(), options.clone());
    assert!(
        matches!(refused, Err(ReconfigureError::Clock { .. })),
        "{refused:?}"
    );
    assert_eq!(rt.instance.default_ds().priority_2, 128);
    host.clock.readable.store(true, Ordering::Relaxed);
    let done = rt.reconfigure(changed, options).unwrap();
    assert_eq!(done.to_string(), "in place: priority2");
    assert_eq!(rt.instance.default_ds().priority_2, 7);
}

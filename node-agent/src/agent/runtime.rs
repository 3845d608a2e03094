//! The event loop: feeds the engine with what the ports report, timer expiries and the time
//! of the disciplined clock, and carries out the engine's actions (send through the port
//! tasks, arm and cancel timers, step and slew the clock, log events and update the metrics
//! from them).
//!
//! One task runs the engine; each port's sockets live in their own task
//! ([`super::port_io`]). A port whose sockets fail is faulted in the engine; when the engine
//! takes it out of FAULTY (after fault_reset_interval) the loop opens new sockets, so a link
//! that went down and came back recovers without a restart.
//!
//! Every input is handed to the engine with the steered clock's time. When the clock cannot
//! be read, its time is not made up from another clock: a received message or a management
//! request is dropped (the protocol copes with a lost message), a timer's expiry is tried
//! again [`CLOCK_RETRY`] later, and a port fault is held until the clock can be read (only
//! the engine can take the port to FAULTY and back). Each failed read is counted
//! (`ptp_agent_clock_read_failures_total`) and logged at a bounded rate.

use phc::socket::PortConfig;
use phc::ClockError;
use ptp_core::engine::{
    ActionLog, Event, Fault, Instance, OwnedAction, PeerAddress, PortIndex, RxMeta, TimerKind,
    TxTag,
};
use ptp_core::time::Time;
use ptp_core::wire::PortState;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{channel, Receiver, Sender};
use tokio::time::{Duration, Instant};

use super::clock::{ReadFailureLog, SteeredClock};
use super::log::EventLog;
use super::management::{self, ManagementSocket};
use super::metrics::native::{AgentDrop, ClockInput};
use super::metrics::AgentMetrics;
use super::port_io::{PortInput, PortReport, PortTask, SendRequest, Unsent, REPORT_QUEUE};
use super::timers::{sleep_until, Timers};

/// The shortest wait before a faulted port opens its sockets again, whatever
/// fault_reset_interval says: with `ASAP` and a link that stays down, the port would
/// otherwise fault and re-open in a tight loop.
const MIN_FAULT_RESET: Duration = Duration::from_secs(1);

/// How soon a timer's expiry or a held port fault is tried again when the clock could not be
/// read: short against the protocol's timeouts (an announce receipt timeout is at least two
/// Announce intervals, seconds by default), long enough not to spin on a clock that stays
/// unreadable.
pub const CLOCK_RETRY: Duration = Duration::from_millis(100);

/// Why the event loop could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The signal handlers could not be installed.
    #[error("install the signal handlers")]
    Signals(#[source] std::io::Error),
    /// The engine cannot start without the clock's time.
    #[error("cannot read the {clock} to start")]
    Clock {
        /// The clock's name.
        clock: &'static str,
        /// Why.
        #[source]
        source: ClockError,
    },
}

/// A port input the engine must get even while the clock cannot be read: only the engine
/// takes the port to FAULTY and, after fault_reset_interval, back.
#[derive(Debug, Clone, Copy)]
enum PortTrouble {
    /// The port's sockets failed or could not be opened.
    Fault(Fault),
    /// The transmit time stamp of `tag` did not come.
    TxLost(TxTag),
}

/// One port: how to open its sockets and the task that owns them while open.
#[derive(Debug)]
struct PortSlot {
    config: PortConfig,
    generation: u64,
    task: Option<PortTask>,
}

/// Everything the event loop owns.
#[derive(Debug)]
pub struct Runtime {
    instance: Instance,
    clock: Box<dyn SteeredClock>,
    clock_log: ReadFailureLog,
    /// Port troubles waiting for the clock's time, in arrival order.
    held: Vec<(PortIndex, PortTrouble)>,
    /// When to try the held troubles again.
    retry_at: Option<Instant>,
    ports: Vec<PortSlot>,
    timers: Timers,
    tx_timeout: Duration,
    reports_tx: Sender<PortReport>,
    reports: Receiver<PortReport>,
    actions: ActionLog,
    log: EventLog,
    metrics: AgentMetrics,
    management: Option<ManagementSocket>,
}

impl Runtime {
    /// A runtime for `instance`, whose ports are opened with `ports` (in port order).
    pub fn new(
        instance: Instance,
        clock: impl SteeredClock + 'static,
        ports: Vec<PortConfig>,
        tx_timeout: Duration,
        log: EventLog,
        metrics: AgentMetrics,
    ) -> Self {
        let (reports_tx, reports) = channel(REPORT_QUEUE);
        Self {
            instance,
            clock: Box::new(clock),
            clock_log: ReadFailureLog::default(),
            held: Vec::new(),
            retry_at: None,
            ports: ports
                .into_iter()
                .map(|config| PortSlot {
                    config,
                    generation: 0,
                    task: None,
                })
                .collect(),
            timers: Timers::default(),
            tx_timeout,
            reports_tx,
            reports,
            actions: ActionLog::default(),
            log,
            metrics,
            management: None,
        }
    }

    /// Answers management requests on `socket` (ptp4l's `uds_address`).
    #[must_use]
    pub fn with_management(mut self, socket: ManagementSocket) -> Self {
        self.management = Some(socket);
        self
    }

    /// The steered clock's time, or `None` when it cannot be read (counted for `input` and
    /// logged). Never another clock's time: a PHC counting TAI is 37 s from
    /// `CLOCK_REALTIME`, which the engine would take for an offset to correct.
    fn now(&mut self, input: ClockInput) -> Option<Time> {
        match self.clock.now() {
            Ok(now) => {
                self.clock_log.succeeded(self.clock.name());
                Some(now)
            }
            Err(e) => {
                self.metrics.clock_read_failed(input);
                self.clock_log
                    .failed(self.clock.name(), &error_chain(&e), Instant::now());
                None
            }
        }
    }

    /// Opens every port, starts the engine and runs until SIGINT or SIGTERM.
    pub async fn run(mut self) -> Result<(), RunError> {
        let mut interrupt = signal(SignalKind::interrupt()).map_err(RunError::Signals)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(RunError::Signals)?;
        for i in 0..self.ports.len() {
            self.open_port(PortIndex::from_usize(i));
        }
        let now = self.clock.now().map_err(|source| RunError::Clock {
            clock: self.clock.name(),
            source,
        })?;
        self.instance.start(now, &mut self.actions);
        self.carry_out();
        for i in 0..self.ports.len() {
            if self.ports.get(i).is_some_and(|p| p.task.is_none()) {
                self.port_trouble(
                    PortIndex::from_usize(i),
                    PortTrouble::Fault(Fault::OpenFailed),
                );
            }
        }
        self.carry_out();
        let mut request = [0u8; management::REQUEST_MAX];
        loop {
            let deadline = match (self.timers.next_deadline(), self.retry_at) {
                (Some(t), Some(r)) => Some(t.min(r)),
                (t, r) => t.or(r),
            };
            tokio::select! {
                _ = interrupt.recv() => break,
                _ = terminate.recv() => break,
                report = self.reports.recv() => {
                    // The loop holds a sender itself, so the channel never closes.
                    if let Some(report) = report {
                        self.on_report(report);
                    }
                }
                () = sleep_until(deadline) => self.on_wake(Instant::now()),
                received = management::recv_from(self.management.as_ref(), &mut request) => {
                    match received {
                        Ok((len, from)) => {
                            self.on_management(request.get(..len).unwrap_or_default(), &from);
                        }
                        Err(e) => tracing::warn!("management socket: {e}"),
                    }
                }
            }
            self.carry_out();
        }
        tracing::info!("caught a signal, shutting down");
        Ok(())
    }

    /// Handles the timers due at `at` and, when their time has come, the held port troubles.
    fn on_wake(&mut self, at: Instant) {
        self.on_timers(at);
        if self.retry_at.is_some_and(|r| r <= at) {
            self.deliver_held(at);
        }
    }

    /// Hands the timers due at `at` to the engine; without the clock's time, each is armed
    /// again for [`CLOCK_RETRY`] later (the engine re-arms its periodic timers only when they
    /// expire, so a dropped expiry would stop them).
    fn on_timers(&mut self, at: Instant) {
        for timer in self.timers.take_expired(at) {
            match self.now(ClockInput::Timer) {
                Some(now) => self.instance.handle_timer(timer, now, &mut self.actions),
                None => self.timers.arm(timer, at + CLOCK_RETRY),
            }
        }
    }

    /// Hands a port trouble to the engine, after any held ones; holds it while the clock
    /// cannot be read.
    fn port_trouble(&mut self, port: PortIndex, trouble: PortTrouble) {
        self.held.push((port, trouble));
        self.deliver_held(Instant::now());
    }

    /// Hands the held port troubles to the engine, in order, or tries again
    /// [`CLOCK_RETRY`] after `at`.
    fn deliver_held(&mut self, at: Instant) {
        if self.held.is_empty() {
            self.retry_at = None;
            return;
        }
        let Some(now) = self.now(ClockInput::PortFault) else {
            self.retry_at = Some(at + CLOCK_RETRY);
            return;
        };
        self.retry_at = None;
        for (port, trouble) in std::mem::take(&mut self.held) {
            match trouble {
                PortTrouble::Fault(fault) => {
                    self.instance
                        .handle_port_fault(port, fault, now, &mut self.actions);
                }
                PortTrouble::TxLost(tag) => {
                    self.instance
                        .handle_tx_timestamp_lost(port, tag, now, &mut self.actions);
                }
            }
        }
    }

    /// Answers a request from the local management socket; a SET's effects are carried out
    /// with the other actions.
    fn on_management(&mut self, request: &[u8], from: &tokio::net::unix::SocketAddr) {
        let Some(now) = self.now(ClockInput::Management) else {
            return;
        };
        let Some(socket) = &self.management else {
            return;
        };
        let metrics = &self.metrics;
        let answered = self.instance.handle_local_management(
            request,
            now,
            &mut self.actions,
            &mut |response| {
                if let Err(e) = socket.reply(response, from) {
                    tracing::debug!("{e}");
                    let path = socket.path().to_string_lossy();
                    metrics.agent_drop_named(&path, AgentDrop::AnswerQueueFull);
                }
            },
        );
        if let Err(reason) = answered {
            tracing::debug!("management request dropped: {reason:?}");
        }
    }

    fn on_report(&mut self, report: PortReport) {
        let port = report.port;
        let current = self
            .ports
            .get(port.get())
            .is_some_and(|p| p.generation == report.generation && p.task.is_some());
        if !current {
            return;
        }
        match report.input {
            PortInput::Message {
                bytes,
                timestamp,
                source,
            } => self.on_message(port, &bytes, timestamp, source),
            PortInput::TxTimestamp { tag, time } => {
                let time = self.clock.kernel_stamp(time);
                self.instance
                    .handle_tx_timestamp(port, tag, time, &mut self.actions);
            }
            PortInput::TxLost { tag } => self.port_trouble(port, PortTrouble::TxLost(tag)),
            PortInput::Fault { fault, error } => {
                tracing::error!("port {}: {}", port.number(), error_chain(&error));
                self.close_port(port);
                self.port_trouble(port, PortTrouble::Fault(fault));
            }
        }
    }

    /// Hands a received message to the engine; without the clock's time it is dropped.
    fn on_message(
        &mut self,
        port: PortIndex,
        bytes: &[u8],
        timestamp: Option<Time>,
        source: Option<PeerAddress>,
    ) {
        let Some(now) = self.now(ClockInput::Message) else {
            self.metrics.agent_drop(port, AgentDrop::ClockUnreadable);
            return;
        };
        let rx = RxMeta {
            timestamp: timestamp.map(|t| self.clock.kernel_stamp(t)),
            source,
        };
        self.instance
            .handle_message(port, bytes, rx, now, &mut self.actions);
    }

    /// Carries out the engine's actions until it has no more (reopening a port can fault it,
    /// which makes more).
    fn carry_out(&mut self) {
        loop {
            let actions = self.actions.take();
            if actions.is_empty() {
                return;
            }
            for action in actions {
                self.carry_out_one(action);
            }
        }
    }

    fn carry_out_one(&mut self, action: OwnedAction) {
        match action {
            OwnedAction::Send {
                port,
                class,
                destination,
                tag,
                bytes,
            } => {
                let request = SendRequest {
                    class,
                    destination,
                    tag,
                    bytes,
                };
                let task = self.ports.get(port.get()).and_then(|p| p.task.as_ref());
                match task.map_or(Err(Unsent::Ended), |task| task.send(request)) {
                    Ok(()) => {}
                    Err(Unsent::Full) => {
                        tracing::debug!(port = port.number(), "send queue full: message dropped");
                        self.metrics.agent_drop(port, AgentDrop::SendQueueFull);
                    }
                    Err(Unsent::Ended) => {
                        tracing::debug!(port = port.number(), "no sockets to send on");
                    }
                }
            }
            OwnedAction::ArmTimer { timer, after } => {
                let mut after = after.to_core();
                if timer.kind == TimerKind::FaultReset {
                    after = after.max(MIN_FAULT_RESET);
                }
                self.timers.arm(timer, Instant::now() + after);
            }
            OwnedAction::CancelTimer(timer) => self.timers.cancel(timer),
            OwnedAction::Clock(action) => {
                if let Err(e) = self.clock.apply(action) {
                    tracing::error!(
                        "{action:?} on the {}: {}",
                        self.clock.name(),
                        error_chain(&e)
                    );
                }
            }
            OwnedAction::Event(event) => self.on_event(&event),
            // Sockets still open and close on the port-state events (`on_event`).
            OwnedAction::OpenPort { .. } | OwnedAction::ClosePort { .. } => {}
        }
    }

    fn on_event(&mut self, event: &Event) {
        let own = self.instance.default_ds().clock_identity;
        let parent = self.instance.parent_ds();
        self.log.event(event, own, parent.grandmaster_identity);
        self.metrics
            .event(event, parent.grandmaster_clock_quality.clock_class);
        match *event {
            Event::Sample { .. } => {
                if let Some(error) = self.clock.offset_from_realtime() {
                    tracing::debug!(
                        "virtual clock offset from CLOCK_REALTIME {:>10}",
                        error.nanos_rounded()
                    );
                }
            }
            Event::PortState {
                port,
                from: PortState::Faulty,
                to,
            } if to != PortState::Disabled => {
                self.open_port(port);
                if self.ports.get(port.get()).is_some_and(|p| p.task.is_none()) {
                    self.port_trouble(port, PortTrouble::Fault(Fault::OpenFailed));
                }
            }
            _ => {}
        }
    }

    /// Opens the sockets of `port` (closing any it had). Failure leaves it without sockets.
    fn open_port(&mut self, port: PortIndex) {
        let tx_timeout = self.tx_timeout;
        let reports = self.reports_tx.clone();
        let drops = self.metrics.port_drops(port);
        let Some(slot) = self.ports.get_mut(port.get()) else {
            return;
        };
        slot.task = None;
        slot.generation += 1;
        match PortTask::open(
            port,
            slot.generation,
            &slot.config,
            tx_timeout,
            reports,
            drops,
        ) {
            Ok(task) => {
                tracing::debug!(port = port.number(), interface = %slot.config.interface, "opened sockets");
                slot.task = Some(task);
            }
            Err(e) => tracing::error!(
                "port {}: cannot open {}: {}",
                port.number(),
                slot.config.interface,
                error_chain(&e)
            ),
        }
    }

    fn close_port(&mut self, port: PortIndex) {
        if let Some(slot) = self.ports.get_mut(port.get()) {
            slot.task = None;
            slot.generation += 1;
        }
    }
}

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use phc::socket::Transport;
    use ptp_core::config::{load, parse_ptp4l_args};
    use ptp_core::engine::{ClockAction, Destination, InstanceSettings, MessageClass};
    use ptp_core::time::Duration as PtpDuration;
    use ptp_core::wire::ClockIdentity;

    use super::*;
    use crate::agent::metrics::testing;
    use crate::agent::port_io::{stalled_task, SEND_QUEUE};
    use crate::agent::summary::SummaryWindow;

    /// A clock whose reads fail while `readable` is false.
    #[derive(Debug)]
    struct TestClock {
        readable: Rc<Cell<bool>>,
    }

    impl SteeredClock for TestClock {
        fn name(&self) -> &'static str {
            "test clock"
        }
        fn now(&self) -> Result<Time, ClockError> {
            if self.readable.get() {
                Ok(Time::from_secs_nanos(1_700_000_000, 0))
            } else {
                Err(ClockError::Io {
                    op: "clock_gettime",
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                })
            }
        }
        fn kernel_stamp(&self, stamp: Time) -> Time {
            stamp
        }
        fn apply(&mut self, _: ClockAction) -> Result<(), ClockError> {
            Ok(())
        }
        fn offset_from_realtime(&self) -> Option<PtpDuration> {
            None
        }
    }

    /// A started runtime with one port on `ptpx0` (never opened: nothing here needs sockets)
    /// and the switch of its clock, readable at first.
    fn started() -> (Runtime, Rc<Cell<bool>>) {
        let cl = parse_ptp4l_args(&["-i", "ptpx0", "-S"]).unwrap();
        let config = load(&cl, None).unwrap().config;
        let settings = InstanceSettings::from_config(&config, ClockIdentity([2; 8])).unwrap();
        let summary = SummaryWindow::new(0, 0);
        let metrics = AgentMetrics::new("node-a", "", vec!["ptpx0".into()], summary.clone());
        let readable = Rc::new(Cell::new(true));
        let clock = TestClock {
            readable: readable.clone(),
        };
        let mut rt = Runtime::new(
            Instance::new(settings).unwrap(),
            clock,
            vec![PortConfig::new("ptpx0", Transport::UdpIpv4)],
            Duration::from_millis(10),
            EventLog::new(summary),
            metrics,
        );
        let now = rt.clock.now().unwrap();
        rt.instance.start(now, &mut rt.actions);
        rt.carry_out();
        (rt, readable)
    }

    /// The value of `name{labels}` (0 when the series does not exist yet).
    fn value(rt: &Runtime, name: &str, labels: &str) -> f64 {
        testing::value(&testing::text(&rt.metrics), name, labels).unwrap_or(0.0)
    }

    const DROPPED: &str = "ptp_agent_messages_dropped_total";
    const FAILURES: &str = "ptp_agent_clock_read_failures_total";
    const ROLE: &str = "openshift_ptp_interface_role";
    const PORT: &str = r#"process="ptp4l",node="node-a",iface="ptpx0""#;

    fn state(rt: &Runtime) -> PortState {
        rt.instance.port_ds(PortIndex(0)).unwrap().port_state
    }

    #[test]
    fn a_message_is_dropped_while_the_clock_cannot_be_read() {
        let (mut rt, readable) = started();
        assert_eq!(state(&rt), PortState::Listening);
        // Three bytes: the engine, when it sees them, drops them as malformed.
        let garbage = [0u8; 3];
        readable.set(false);
        rt.on_message(PortIndex(0), &garbage, None, None);
        rt.carry_out();
        let unreadable = r#"iface="ptpx0",reason="clock_unreadable""#;
        let malformed = r#"iface="ptpx0",reason="malformed""#;
        assert_eq!(value(&rt, DROPPED, unreadable), 1.0);
        assert_eq!(value(&rt, DROPPED, malformed), 0.0, "the engine saw it");
        assert_eq!(value(&rt, FAILURES, r#"input="message""#), 1.0);
        // The same message with a clock that reads reaches the engine.
        readable.set(true);
        rt.on_message(PortIndex(0), &garbage, None, None);
        rt.carry_out();
        assert_eq!(value(&rt, DROPPED, malformed), 1.0);
        assert_eq!(value(&rt, DROPPED, unreadable), 1.0);
        assert_eq!(value(&rt, FAILURES, r#"input="message""#), 1.0);
    }

    #[test]
    fn a_timer_waits_for_the_clock_and_is_not_lost() {
        let (mut rt, readable) = started();
        let due = rt.timers.next_deadline().unwrap();
        readable.set(false);
        rt.on_wake(due);
        rt.carry_out();
        // Still listening: the engine has not seen the expiry, which is armed again.
        assert_eq!(state(&rt), PortState::Listening);
        assert_eq!(rt.timers.next_deadline(), Some(due + CLOCK_RETRY));
        assert!(value(&rt, FAILURES, r#"input="timer""#) >= 1.0);
        readable.set(true);
        rt.on_wake(due + CLOCK_RETRY);
        rt.carry_out();
        // The announce receipt timeout of a lone port makes it the master.
        assert_eq!(state(&rt), PortState::Master);
        assert_eq!(value(&rt, ROLE, PORT), 2.0);
    }

    #[test]
    fn a_port_fault_is_held_until_the_clock_can_be_read() {
        let (mut rt, readable) = started();
        readable.set(false);
        rt.port_trouble(PortIndex(0), PortTrouble::Fault(Fault::ReceiveFailed));
        rt.carry_out();
        assert_eq!(state(&rt), PortState::Listening);
        assert_eq!(value(&rt, FAILURES, r#"input="port_fault""#), 1.0);
        let retry = rt.retry_at.unwrap();
        // Still unreadable at the retry: held again.
        rt.on_wake(retry);
        assert_eq!(state(&rt), PortState::Listening);
        assert_eq!(value(&rt, FAILURES, r#"input="port_fault""#), 2.0);
        let retry = rt.retry_at.unwrap();
        readable.set(true);
        rt.on_wake(retry);
        rt.carry_out();
        assert_eq!(state(&rt), PortState::Faulty);
        assert_eq!(rt.retry_at, None);
        assert_eq!(
            value(
                &rt,
                "ptp_agent_port_faults_total",
                r#"iface="ptpx0",reason="receive_failed""#
            ),
            1.0
        );
    }

    #[tokio::test]
    async fn messages_a_port_task_has_no_room_for_are_dropped_and_counted() {
        let (mut rt, _) = started();
        let (task, queue) = stalled_task();
        rt.ports[0].task = Some(task);
        for _ in 0..SEND_QUEUE + 3 {
            rt.carry_out_one(OwnedAction::Send {
                port: PortIndex(0),
                class: MessageClass::General,
                destination: Destination::Multicast,
                tag: None,
                bytes: vec![0; 64],
            });
        }
        assert_eq!(queue.len(), SEND_QUEUE);
        let labels = r#"iface="ptpx0",reason="send_queue_full""#;
        assert_eq!(value(&rt, DROPPED, labels), 3.0);
    }
}

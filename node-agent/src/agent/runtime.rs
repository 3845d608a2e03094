//! The event loop: feeds the engine with what the ports report, timer expiries and the time
//! of the disciplined clock, and carries out the engine's actions (send through the port
//! tasks, arm and cancel timers, step and slew the clock, log events and update the metrics
//! from them).
//!
//! One task runs the engine; each port's sockets live in their own task
//! ([`super::port_io`]). A port whose sockets fail is faulted in the engine; when the engine
//! takes it out of FAULTY (after fault_reset_interval) the loop opens new sockets, so a link
//! that went down and came back recovers without a restart.

use phc::socket::PortConfig;
use ptp_core::engine::{
    ActionLog, Event, Fault, Instance, OwnedAction, PortIndex, RxMeta, TimerKind,
};
use ptp_core::time::Time;
use ptp_core::wire::PortState;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::time::{Duration, Instant};

use super::clock::AgentClock;
use super::log::EventLog;
use super::management::{self, ManagementSocket};
use super::metrics::AgentMetrics;
use super::port_io::{PortInput, PortReport, PortTask, SendRequest};
use super::timers::{sleep_until, Timers};

/// The shortest wait before a faulted port opens its sockets again, whatever
/// fault_reset_interval says: with `ASAP` and a link that stays down, the port would
/// otherwise fault and re-open in a tight loop.
const MIN_FAULT_RESET: Duration = Duration::from_secs(1);

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
    clock: AgentClock,
    ports: Vec<PortSlot>,
    timers: Timers,
    tx_timeout: Duration,
    reports_tx: UnboundedSender<PortReport>,
    reports: UnboundedReceiver<PortReport>,
    actions: ActionLog,
    log: EventLog,
    metrics: AgentMetrics,
    management: Option<ManagementSocket>,
}

impl Runtime {
    /// A runtime for `instance`, whose ports are opened with `ports` (in port order).
    pub fn new(
        instance: Instance,
        clock: AgentClock,
        ports: Vec<PortConfig>,
        tx_timeout: Duration,
        log: EventLog,
        metrics: AgentMetrics,
    ) -> Self {
        let (reports_tx, reports) = unbounded_channel();
        Self {
            instance,
            clock,
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

    /// The disciplined clock's time. A clock that cannot be read is a broken system; the
    /// last resort is the system clock, which can always be read.
    fn now(&self) -> Time {
        self.clock.now().unwrap_or_else(|e| {
            tracing::error!("cannot read the {}: {e}", self.clock.name());
            let since_epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            Time::from_nanos(since_epoch.as_nanos())
        })
    }

    /// Opens every port, starts the engine and runs until SIGINT or SIGTERM.
    pub async fn run(mut self) -> std::io::Result<()> {
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        for i in 0..self.ports.len() {
            self.open_port(PortIndex::from_usize(i));
        }
        let now = self.now();
        self.instance.start(now, &mut self.actions);
        self.carry_out();
        for i in 0..self.ports.len() {
            if self.ports.get(i).is_some_and(|p| p.task.is_none()) {
                let now = self.now();
                self.instance.handle_port_fault(
                    PortIndex::from_usize(i),
                    Fault::OpenFailed,
                    now,
                    &mut self.actions,
                );
            }
        }
        self.carry_out();
        let mut request = [0u8; management::REQUEST_MAX];
        loop {
            let deadline = self.timers.next_deadline();
            tokio::select! {
                _ = interrupt.recv() => break,
                _ = terminate.recv() => break,
                report = self.reports.recv() => {
                    // The loop holds a sender itself, so the channel never closes.
                    if let Some(report) = report {
                        self.on_report(report);
                    }
                }
                () = sleep_until(deadline) => self.on_timers(),
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

    fn on_timers(&mut self) {
        for timer in self.timers.take_expired(Instant::now()) {
            let now = self.now();
            self.instance.handle_timer(timer, now, &mut self.actions);
        }
    }

    /// Answers a request from the local management socket; a SET's effects are carried out
    /// with the other actions.
    fn on_management(&mut self, request: &[u8], from: &tokio::net::unix::SocketAddr) {
        let now = self.now();
        let Some(socket) = &self.management else {
            return;
        };
        let answered = self.instance.handle_local_management(
            request,
            now,
            &mut self.actions,
            &mut |response| socket.reply(response, from),
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
            } => {
                let rx = RxMeta {
                    timestamp: timestamp.map(|t| self.clock.from_kernel(t)),
                    source,
                };
                let now = self.now();
                self.instance
                    .handle_message(port, &bytes, rx, now, &mut self.actions);
            }
            PortInput::TxTimestamp { tag, time } => {
                let time = self.clock.from_kernel(time);
                self.instance
                    .handle_tx_timestamp(port, tag, time, &mut self.actions);
            }
            PortInput::TxLost { tag } => {
                let now = self.now();
                self.instance
                    .handle_tx_timestamp_lost(port, tag, now, &mut self.actions);
            }
            PortInput::Fault { fault, error } => {
                tracing::error!("port {}: {}", port.number(), error_chain(&error));
                self.close_port(port);
                let now = self.now();
                self.instance
                    .handle_port_fault(port, fault, now, &mut self.actions);
            }
        }
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
                let sent = self
                    .ports
                    .get(port.get())
                    .and_then(|p| p.task.as_ref())
                    .is_some_and(|task| {
                        task.send(SendRequest {
                            class,
                            destination,
                            tag,
                            bytes,
                        })
                    });
                if !sent {
                    tracing::debug!(port = port.number(), "no sockets to send on");
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
                    let now = self.now();
                    self.instance.handle_port_fault(
                        port,
                        Fault::OpenFailed,
                        now,
                        &mut self.actions,
                    );
                }
            }
            _ => {}
        }
    }

    /// Opens the sockets of `port` (closing any it had). Failure leaves it without sockets.
    fn open_port(&mut self, port: PortIndex) {
        let tx_timeout = self.tx_timeout;
        let reports = self.reports_tx.clone();
        let Some(slot) = self.ports.get_mut(port.get()) else {
            return;
        };
        slot.task = None;
        slot.generation += 1;
        match PortTask::open(port, slot.generation, &slot.config, tx_timeout, reports) {
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

//! The event loop of one instance: feeds the engine with what the ports report, timer
//! expiries and the time of the disciplined clock, and carries out the engine's actions (send
//! through the ports, arm and cancel timers, step and slew the clock, log events and update
//! the metrics from them).
//!
//! One task runs the engine; the ports' I/O is behind [`PortIo`] (sockets, one task per
//! port, in the agent: [`super::port_io::socket`]). The loop opens and closes a port's I/O
//! when the engine says so (OpenPort, ClosePort), never on its own: a port whose I/O fails
//! is faulted in the engine, which closes it and, after fault_reset_interval, opens it again,
//! so a link that went down and came back recovers without a restart.
//!
//! A running instance takes new settings ([`Control::Reconfigure`]): the engine applies the
//! difference ([`Instance::reconfigure`]) and the loop follows its word — ports added,
//! removed or restarted open and close through the same actions, each port's sockets are
//! configured from the engine's settings of it ([`socket_config`]), and the series of ports
//! that are gone are removed.
//!
//! Every input is handed to the engine with the steered clock's time. When the clock cannot
//! be read, its time is not made up from another clock: a received message or a management
//! request is dropped (the protocol copes with a lost message), a timer's expiry is tried
//! again [`CLOCK_RETRY`] later, and a port fault is held until the clock can be read (only
//! the engine can take the port to FAULTY and back). Each failed read is counted
//! (`ptp_agent_clock_read_failures_total`) and logged at a bounded rate.
//!
//! The loop runs until it is told to stop ([`Control::Stop`]); the options that are the
//! agent's own ([`RuntimeOptions`]) it takes in place, with new engine settings
//! ([`Control::Reconfigure`]).

mod options;

pub use self::options::RuntimeOptions;

use phc::socket::PortConfig;
use phc::ClockError;
use ptp_core::engine::{
    ActionLog, Event, Fault, Instance, InstanceSettings, OwnedAction, PeerAddress, PortIndex,
    Reconfiguration, RxMeta, SettingsError, TimerKind, TxTag,
};
use ptp_core::time::Time;
use tokio::sync::mpsc::{channel, Receiver, Sender};
use tokio::sync::{oneshot, watch};
use tokio::time::{Duration, Instant};
use tracing::Instrument as _;

use super::clock::{ReadFailureLog, SteeredClock};
use super::error_chain;
use super::log::EventLog;
use super::management::{self, ManagementSocket};
use super::metrics::native::{AgentDrop, ClockInput};
use super::metrics::{AgentMetrics, MetricsHub};
use super::port_io::{
    socket_config, PortHandle, PortInput, PortIo, PortLink, PortReport, Reporter, SendRequest,
    Unsent, REPORT_QUEUE,
};
use super::snapshot::Snapshot;
use super::timers::{sleep_until, Timers};

/// The shortest wait before a faulted port opens again, whatever fault_reset_interval
/// says: with `ASAP` and a link that stays down, the port would otherwise fault and re-open
/// in a tight loop.
const MIN_FAULT_RESET: Duration = Duration::from_secs(1);

/// How soon a timer's expiry or a held port fault is tried again when the clock could not be
/// read: short against the protocol's timeouts (an announce receipt timeout is at least two
/// Announce intervals, seconds by default), long enough not to spin on a clock that stays
/// unreadable.
pub const CLOCK_RETRY: Duration = Duration::from_millis(100);

/// Why an instance could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
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

/// Why a running instance did not take new settings (it runs on as it was).
#[derive(Debug, thiserror::Error)]
pub enum ReconfigureError {
    /// The engine compares and applies settings at the clock's time.
    #[error("cannot read the {clock}")]
    Clock {
        /// The clock's name.
        clock: &'static str,
        /// Why.
        #[source]
        source: ClockError,
    },
    /// The engine refused the settings.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// What a running instance is told.
#[derive(Debug)]
pub enum Control {
    /// Take new engine settings (what the engine could not take in place it restarts: a
    /// port, or the whole engine) and these options; say what was done on `done`.
    Reconfigure {
        /// The engine's new settings.
        settings: Box<InstanceSettings>,
        /// The agent's own options.
        options: Box<RuntimeOptions>,
        /// Where the outcome goes.
        done: oneshot::Sender<Result<Reconfiguration, ReconfigureError>>,
    },
    /// Close the ports and the management socket (removing its file) and return.
    Stop,
}

/// A port input the engine must get even while the clock cannot be read: only the engine
/// takes the port to FAULTY and, after fault_reset_interval, back.
#[derive(Debug, Clone, Copy)]
enum PortTrouble {
    /// The port's I/O failed or could not be opened.
    Fault(Fault),
    /// The transmit time stamp of `tag` did not come.
    TxLost(TxTag),
}

/// One port: how to open it and its handle while open. `generation` tells the reports of
/// this opening from those of an earlier one.
#[derive(Debug)]
struct PortSlot<H> {
    config: PortConfig,
    generation: u64,
    handle: Option<H>,
}

/// Everything the event loop of one instance owns: the engine, the clock `C` it steers and
/// the ports it opens through `P`.
#[derive(Debug)]
pub struct Runtime<C: SteeredClock, P: PortIo> {
    instance: Instance,
    clock: C,
    clock_log: ReadFailureLog,
    /// Port troubles waiting for the clock's time, in arrival order.
    held: Vec<(PortIndex, PortTrouble)>,
    /// When to try the held troubles again.
    retry_at: Option<Instant>,
    io: P,
    /// The ports, by port index (`None`: an empty slot).
    ports: Vec<Option<PortSlot<P::Handle>>>,
    /// The generation of the latest opening of any port.
    generation: u64,
    timers: Timers,
    tx_timeout: watch::Sender<Duration>,
    reports_tx: Sender<PortReport>,
    reports: Receiver<PortReport>,
    actions: ActionLog,
    log: EventLog,
    hub: MetricsHub,
    metrics: AgentMetrics,
    management: Option<ManagementSocket>,
    /// What observers see of the instance.
    snapshot: watch::Sender<Snapshot>,
    options: RuntimeOptions,
    /// The span every line of this instance is logged in; it carries `message_tag`.
    span: tracing::Span,
}

impl<C: SteeredClock, P: PortIo> Runtime<C, P> {
    /// A runtime for `instance`, steering `clock`, whose ports are opened through `io` as the
    /// engine's settings say, with the agent's own `options`; its series are in `hub`.
    pub fn new(
        instance: Instance,
        clock: C,
        io: P,
        options: RuntimeOptions,
        hub: &MetricsHub,
    ) -> Self {
        let (reports_tx, reports) = channel(REPORT_QUEUE);
        let summary = options.summary(&instance);
        let metrics = hub.instance(&options.labels, interfaces(&instance), summary.clone());
        let span = tracing::error_span!("instance", tag = tracing::field::Empty);
        options::record_tag(&span, &options.log);
        let mut runtime = Self {
            instance,
            clock,
            clock_log: ReadFailureLog::default(),
            held: Vec::new(),
            retry_at: None,
            io,
            ports: Vec::new(),
            generation: 0,
            timers: Timers::default(),
            tx_timeout: watch::Sender::new(options.tx_timeout),
            reports_tx,
            reports,
            actions: ActionLog::default(),
            log: EventLog::new(summary),
            hub: hub.clone(),
            metrics,
            management: None,
            snapshot: watch::Sender::new(Snapshot::default()),
            options,
            span,
        };
        runtime.follow_port_settings();
        runtime
    }

    /// The span the instance logs in.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// The instance's snapshot, kept up to date while it runs.
    pub fn snapshot(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }

    /// Brings the snapshot up to date after `event` (or after a change without one): a
    /// sample updates its values in place, a dropped message changes nothing, anything else
    /// rebuilds it from the data sets.
    fn refresh_snapshot(&self, event: Option<&Event>) {
        if let Some(event) = event {
            // A dropped message changes nothing observers see.
            if matches!(event, Event::Dropped { .. })
                || self.snapshot.send_if_modified(|s| s.take_sample(event))
            {
                return;
            }
        }
        let instance = &self.instance;
        self.snapshot.send_if_modified(|snapshot| {
            let next = snapshot.follow(instance);
            let changed = next != *snapshot;
            *snapshot = next;
            changed
        });
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

    /// Binds the management socket, opens every port and starts the engine. Must run inside
    /// the tokio runtime.
    pub fn start(&mut self) -> Result<(), StartError> {
        let _entered = self.span.clone().entered();
        let now = self.clock.now().map_err(|source| StartError::Clock {
            clock: self.clock.name(),
            source,
        })?;
        self.bind_management();
        self.instance.start(now, &mut self.actions);
        self.carry_out();
        self.refresh_snapshot(None);
        Ok(())
    }

    /// Runs the started instance until `control` says stop (or is dropped).
    pub async fn run(mut self, control: Receiver<Control>) {
        let span = self.span.clone();
        self.run_loop(control).instrument(span).await;
    }

    async fn run_loop(&mut self, mut control: Receiver<Control>) {
        let mut request = [0u8; management::REQUEST_MAX];
        loop {
            let deadline = match (self.timers.next_deadline(), self.retry_at) {
                (Some(t), Some(r)) => Some(t.min(r)),
                (t, r) => t.or(r),
            };
            tokio::select! {
                command = control.recv() => match command {
                    Some(Control::Reconfigure { settings, options, done }) => {
                        // The supervisor may have stopped waiting; the instance runs on.
                        let _ = done.send(self.reconfigure(*settings, *options));
                    }
                    Some(Control::Stop) | None => break,
                },
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
        self.ports.clear();
        if let Some(socket) = self.management.take() {
            socket.close();
        }
        self.metrics.retire();
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
        // A SET (GRANDMASTER_SETTINGS_NP) may have changed what observers see.
        self.refresh_snapshot(None);
    }

    /// Takes `settings` and `options`: the engine applies the difference at the clock's
    /// time, the ports follow its settings, the series and the summary follow the ports.
    /// Without the clock's time nothing changes.
    fn reconfigure(
        &mut self,
        settings: InstanceSettings,
        options: RuntimeOptions,
    ) -> Result<Reconfiguration, ReconfigureError> {
        let now = self.clock.now().map_err(|source| ReconfigureError::Clock {
            clock: self.clock.name(),
            source,
        })?;
        let summary = self.options.summary(&self.instance);
        let done = self
            .instance
            .reconfigure(settings, now, &mut self.actions)?;
        // Before the actions are carried out: a restarted or added port opens with its new
        // settings.
        self.follow_port_settings();
        if !done.added.is_empty() || !done.removed.is_empty() {
            self.metrics.set_interfaces(interfaces(&self.instance));
        }
        self.apply_options(options);
        let now_summary = self.options.summary(&self.instance);
        if now_summary.per_summary() != summary.per_summary() {
            self.log.set_summary(now_summary.clone());
            self.metrics.set_summary(now_summary);
        }
        self.refresh_snapshot(None);
        Ok(done)
    }

    /// Makes the port slots the engine's: a port keeps its slot (and its I/O, until the
    /// engine closes it) and takes the socket configuration of its settings; a port the
    /// engine no longer has is closed.
    fn follow_port_settings(&mut self) {
        let mode = self.instance.settings().time_stamping;
        let mut ports: Vec<Option<PortSlot<P::Handle>>> = Vec::new();
        for port in self.instance.ports() {
            let Some(settings) = self.instance.port_settings(port) else {
                continue;
            };
            let config = socket_config(mode, settings);
            let slot = match self.ports.get_mut(port.get()).and_then(Option::take) {
                Some(slot) => PortSlot { config, ..slot },
                None => PortSlot {
                    config,
                    generation: 0,
                    handle: None,
                },
            };
            if ports.len() <= port.get() {
                ports.resize_with(port.get() + 1, || None);
            }
            if let Some(place) = ports.get_mut(port.get()) {
                *place = Some(slot);
            }
        }
        self.ports = ports;
    }

    /// The open slot of `port`.
    fn slot(&self, port: PortIndex) -> Option<&PortSlot<P::Handle>> {
        self.ports.get(port.get()).and_then(Option::as_ref)
    }

    fn on_report(&mut self, report: PortReport) {
        let port = report.port;
        let current = self
            .slot(port)
            .is_some_and(|p| p.generation == report.generation && p.handle.is_some());
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
                let handle = self.slot(port).and_then(|p| p.handle.as_ref());
                match handle.map_or(Err(Unsent::Ended), |h| h.send(request)) {
                    Ok(()) => {}
                    Err(Unsent::Full) => {
                        tracing::debug!(port = port.number(), "send queue full: message dropped");
                        self.metrics.agent_drop(port, AgentDrop::SendQueueFull);
                    }
                    Err(Unsent::Ended) => {
                        tracing::debug!(port = port.number(), "port closed: message not sent");
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
            OwnedAction::OpenPort { port } => {
                if !self.open_port(port) {
                    self.port_trouble(port, PortTrouble::Fault(Fault::OpenFailed));
                }
            }
            OwnedAction::ClosePort { port } => self.close_port(port),
        }
    }

    fn on_event(&mut self, event: &Event) {
        let own = self.instance.default_ds().clock_identity;
        let parent = self.instance.parent_ds();
        self.log.event(event, own, parent.grandmaster_identity);
        self.metrics
            .event(event, parent.grandmaster_clock_quality.clock_class);
        self.refresh_snapshot(Some(event));
        if let Event::Sample { .. } = event {
            if let Some(error) = self.clock.offset_from_realtime() {
                tracing::debug!(
                    "virtual clock offset from CLOCK_REALTIME {:>10}",
                    error.nanos_rounded()
                );
            }
        }
    }

    /// Opens `port` (closing it first if open); whether it opened. Failure leaves it closed.
    fn open_port(&mut self, port: PortIndex) -> bool {
        let reports = self.reports_tx.clone();
        let drops = self.metrics.port_drops(port);
        let tx_timeout = self.tx_timeout.subscribe();
        self.generation += 1;
        let generation = self.generation;
        let Some(slot) = self.ports.get_mut(port.get()).and_then(Option::as_mut) else {
            return false;
        };
        slot.handle = None;
        slot.generation = generation;
        let link = PortLink {
            reporter: Reporter::new(port, slot.generation, reports, drops),
            tx_timeout,
        };
        match self.io.open(&slot.config, link) {
            Ok(handle) => {
                tracing::debug!(port = port.number(), interface = %slot.config.interface, "opened");
                slot.handle = Some(handle);
                true
            }
            Err(e) => {
                tracing::error!(
                    "port {}: cannot open {}: {}",
                    port.number(),
                    slot.config.interface,
                    error_chain(&e)
                );
                false
            }
        }
    }

    fn close_port(&mut self, port: PortIndex) {
        if let Some(slot) = self.ports.get_mut(port.get()).and_then(Option::as_mut) {
            slot.handle = None;
        }
    }
}

/// The interfaces of `instance`'s ports, by port index (`None`: an empty slot).
fn interfaces(instance: &Instance) -> Vec<Option<String>> {
    let mut names = Vec::new();
    for port in instance.ports() {
        if names.len() <= port.get() {
            names.resize(port.get() + 1, None);
        }
        if let Some(name) = names.get_mut(port.get()) {
            *name = instance.port_settings(port).map(|p| p.name.clone());
        }
    }
    names
}

#[cfg(test)]
mod tests;

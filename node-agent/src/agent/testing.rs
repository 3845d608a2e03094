//! What the tests of the runtime and the supervisor share: a clock that follows the tokio
//! clock and can be made unreadable, a host of such clocks and in-memory ports, and specs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use phc::ClockError;
use ptp_core::config::{load, parse_ptp4l_args};
use ptp_core::engine::{ClockAction, PortSettings};
use ptp_core::time::{Duration, Time};
use ptp_core::wire::ClockIdentity;

use super::clock::{ClockSetupError, SteeredClock};
use super::metrics::SeriesLabels;
use super::port_io::memory::{MemoryPorts, TestTime};
use super::spec::InstanceSpec;
use super::supervisor::{Host, HostError};

/// The time every test starts at.
pub(crate) const START: Time = Time::from_secs_nanos(1_700_000_000, 0);

/// The clock identity every test instance has.
pub(crate) const IDENTITY: ClockIdentity = ClockIdentity([2; 8]);

/// A clock at [`TestTime`], whose reads fail while `readable` is false; what it is told to
/// do is recorded.
#[derive(Clone, Debug)]
pub(crate) struct TestClock {
    pub(crate) time: TestTime,
    pub(crate) readable: Arc<AtomicBool>,
    pub(crate) applied: Arc<Mutex<Vec<ClockAction>>>,
}

impl TestClock {
    pub(crate) fn new(time: TestTime) -> Self {
        Self {
            time,
            readable: Arc::new(AtomicBool::new(true)),
            applied: Arc::default(),
        }
    }

    /// The actions applied so far.
    pub(crate) fn applied(&self) -> Vec<ClockAction> {
        self.applied.lock().unwrap().clone()
    }
}

impl SteeredClock for TestClock {
    fn name(&self) -> &'static str {
        "test clock"
    }
    fn now(&self) -> Result<Time, ClockError> {
        if self.readable.load(Ordering::Relaxed) {
            Ok(self.time.now())
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
    fn apply(&mut self, action: ClockAction) -> Result<(), ClockError> {
        self.applied.lock().unwrap().push(action);
        Ok(())
    }
    fn offset_from_realtime(&self) -> Option<Duration> {
        None
    }
}

/// A host of test clocks (one shared by every instance) and in-memory ports.
#[derive(Clone, Debug)]
pub(crate) struct TestHost {
    pub(crate) clock: TestClock,
    pub(crate) ports: MemoryPorts,
}

impl TestHost {
    /// A host whose time starts at [`START`] now.
    pub(crate) fn new() -> Self {
        let time = TestTime::start(START);
        Self {
            clock: TestClock::new(time),
            ports: MemoryPorts::new(time),
        }
    }
}

impl Host for TestHost {
    type Clock = TestClock;
    type Io = MemoryPorts;

    fn clock(&mut self, _: &InstanceSpec) -> Result<TestClock, ClockSetupError> {
        Ok(self.clock.clone())
    }
    fn clock_identity(&self, _: &str) -> Result<ClockIdentity, HostError> {
        Ok(IDENTITY)
    }
    fn describe_port(&self, _: &mut PortSettings) {}
    fn port_io(&mut self) -> MemoryPorts {
        self.ports.clone()
    }
}

/// The instance `name` of ptp4l's `args` and configuration file `text`, on node `node-a`,
/// its series labelled with its name.
pub(crate) fn spec(name: &str, args: &[&str], text: &str) -> InstanceSpec {
    let cl = parse_ptp4l_args(args).unwrap();
    let config = load(&cl, Some(text)).unwrap().config;
    let labels = SeriesLabels {
        node: "node-a".into(),
        config: name.into(),
    };
    InstanceSpec::new(name, config, None, labels).unwrap()
}

/// A writer of log lines into memory, for the tests that read what was logged; clones
/// share the lines.
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was written.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A path for a socket of this test process.
pub(crate) fn socket_path(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("ptp-agent-test-{}-{name}", std::process::id()))
        .to_string_lossy()
        .into_owned()
}

/// Asks the management socket at `server` `command` as ptpctl does, until an answer comes
/// (for up to 10 s); returns what ptpctl printed, empty when nothing answered.
pub(crate) async fn ask(server: &str, command: &str) -> String {
    use std::sync::atomic::AtomicUsize;
    static CLIENTS: AtomicUsize = AtomicUsize::new(0);
    let client = socket_path(&format!(
        "client-{}",
        CLIENTS.fetch_add(1, Ordering::Relaxed)
    ));
    let args: Vec<String> = ["-u", "-s", server, "-i", &client, command]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let args = args.clone();
        let out = tokio::task::spawn_blocking(move || {
            let Ok(crate::ctl::cli::Invocation::Run(options)) = crate::ctl::cli::parse(&args)
            else {
                panic!("ptpctl arguments {args:?}");
            };
            let mut client = crate::ctl::client::Client::open(options).unwrap();
            let mut out = Vec::new();
            client
                .run(&mut &b""[..], &mut out, &mut std::io::sink())
                .unwrap();
            String::from_utf8(out).unwrap()
        })
        .await
        .unwrap();
        if out.contains("RESPONSE") || std::time::Instant::now() >= deadline {
            return out;
        }
    }
}

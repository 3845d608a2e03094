//! Test support for the namespace tier: network namespaces joined by veth pairs (and bridges),
//! `ptp4l` and `ptp-agent` processes inside them with their output collected, and the parsing
//! of ptp4l-style log lines.
//!
//! Every [`Lab`] creates its own namespaces, named after the process and a tag, and removes
//! them (after killing its processes) when dropped, also when a test fails. Addresses exist
//! only inside the namespaces.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use test_prereq::Prerequisite;

/// The agent binary under test.
pub const AGENT: &str = env!("CARGO_BIN_EXE_ptp-agent");

/// Whether the namespace tests can run here: root, `ip`, `ptp4l`, and `more` (`test_prereq`:
/// skipped outside CI without them, failed with CI=true).
pub fn prerequisites_and(test: &str, more: &[Prerequisite<'_>]) -> bool {
    let tier = [Prerequisite::ROOT, Prerequisite::IP, Prerequisite::PTP4L];
    let all: Vec<Prerequisite<'_>> = tier.iter().chain(more).copied().collect();
    test_prereq::require(test, &all)
}

/// [`prerequisites_and`] with nothing more than the tier's own.
pub fn prerequisites(test: &str) -> bool {
    prerequisites_and(test, &[])
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn output(args: &[&str]) -> String {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A set of namespaces, links and processes that a test owns.
pub struct Lab {
    tag: String,
    namespaces: Vec<String>,
    procs: Vec<Proc>,
    dir: PathBuf,
    next_net: u8,
    /// When the lab was created; log lines are timed from here.
    pub start: Instant,
}

impl Lab {
    /// A lab whose names carry `tag` (unique among concurrently running tests).
    pub fn new(tag: &str) -> Self {
        let tag = format!("pa{}-{tag}", std::process::id());
        let dir = std::env::temp_dir().join(&tag);
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            tag,
            namespaces: Vec::new(),
            procs: Vec::new(),
            dir,
            next_net: 1,
            start: Instant::now(),
        }
    }

    /// Creates namespace `name` (returns its full name).
    pub fn ns(&mut self, name: &str) -> String {
        let full = format!("{}-{name}", self.tag);
        run(&["ip", "netns", "add", &full]);
        self.namespaces.push(full.clone());
        for conf in ["all", "default"] {
            run(&[
                "ip",
                "netns",
                "exec",
                &full,
                "sysctl",
                "-qw",
                &format!("net.ipv6.conf.{conf}.accept_dad=0"),
            ]);
        }
        run(&["ip", "-n", &full, "link", "set", "lo", "up"]);
        full
    }

    /// Joins `dev_a` in `a` and `dev_b` in `b` with a veth pair, addressed 10.211.N.1/2 and
    /// fd00:211:N::1/2 on a fresh subnet N.
    pub fn link(&mut self, a: &str, dev_a: &str, b: &str, dev_b: &str) {
        run(&[
            "ip", "-n", a, "link", "add", dev_a, "type", "veth", "peer", "name", dev_b, "netns", b,
        ]);
        let n = self.next_net;
        self.next_net += 1;
        for (ns, dev, host) in [(a, dev_a, 1), (b, dev_b, 2)] {
            self.address(ns, dev, n, host);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        wait_ready(a, dev_a);
        wait_ready(b, dev_b);
    }

    /// A bridge `br` in `ns`, addressed on a fresh subnet as host 1; returns the subnet
    /// number for [`Lab::attach`]. (A bridge has no software transmit time stamps: PTP
    /// programs go on the namespaces attached to it, not on the bridge.)
    pub fn bridge(&mut self, ns: &str, br: &str) -> u8 {
        run(&[
            "ip",
            "-n",
            ns,
            "link",
            "add",
            br,
            "type",
            "bridge",
            "mcast_snooping",
            "0",
            "forward_delay",
            "0",
        ]);
        let n = self.next_net;
        self.next_net += 1;
        self.address(ns, br, n, 1);
        run(&["ip", "-n", ns, "link", "set", br, "up"]);
        n
    }

    /// Joins namespace `other` (device `dev`, host `host` on subnet `net`) to bridge `br` in
    /// `ns`.
    pub fn attach(&mut self, ns: &str, br: &str, net: u8, other: &str, dev: &str, host: u8) {
        let port = format!("{br}p{host}");
        run(&[
            "ip", "-n", ns, "link", "add", &port, "type", "veth", "peer", "name", dev, "netns",
            other,
        ]);
        run(&["ip", "-n", ns, "link", "set", &port, "master", br]);
        run(&["ip", "-n", ns, "link", "set", &port, "up"]);
        self.address(other, dev, net, host);
        run(&["ip", "-n", other, "link", "set", dev, "up"]);
        wait_ready(other, dev);
        wait_ready(ns, br);
    }

    fn address(&self, ns: &str, dev: &str, net: u8, host: u8) {
        let v4 = format!("10.211.{net}.{host}/24");
        let v6 = format!("fd00:211:{net}::{host}/64");
        run(&["ip", "-n", ns, "addr", "add", &v4, "dev", dev]);
        run(&["ip", "-n", ns, "addr", "add", &v6, "dev", dev, "nodad"]);
    }

    /// The path of `name` in the lab's directory (removed with the lab).
    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// Writes a configuration file and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// Starts `program args…` in namespace `ns`; `name` labels its lines in failure reports.
    pub fn spawn(&mut self, name: &str, ns: &str, program: &str, args: &[&str]) -> Log {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Log {
            name: name.to_owned(),
            start: self.start,
            lines: Arc::new(Mutex::new(Vec::new())),
        };
        for reader in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(reader).lines() {
                    let Ok(line) = line else { break };
                    let t = log.start.elapsed();
                    log.lines.lock().unwrap().push((t, line));
                }
            });
        }
        self.procs.push(Proc { child });
        log
    }

    /// Sends SIGTERM to the process whose log is `log` was the `index`-th spawned, and waits
    /// for its exit status.
    pub fn terminate(&mut self, index: usize) -> std::process::ExitStatus {
        let p = &mut self.procs[index];
        run(&["kill", "-TERM", &p.child.id().to_string()]);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = p.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`HUP`, …) to the `index`-th process spawned.
    pub fn signal(&self, index: usize, signal: &str) {
        run(&[
            "kill",
            &format!("-{signal}"),
            &self.procs[index].child.id().to_string(),
        ]);
    }

    /// The process id of the `index`-th process spawned (`ip netns exec` execs the program,
    /// so it is the program's).
    pub fn pid(&self, index: usize) -> u32 {
        self.procs[index].child.id()
    }

    /// Whether the `index`-th process spawned still runs.
    pub fn running(&mut self, index: usize) -> bool {
        self.procs[index].child.try_wait().unwrap().is_none()
    }

    /// Runs `ip -n ns args…`.
    pub fn ip(&self, ns: &str, args: &[&str]) {
        let mut all = vec!["ip", "-n", ns];
        all.extend_from_slice(args);
        run(&all);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for p in &mut self.procs {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        for ns in &self.namespaces {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits until `dev` is operationally up and IPv6 has configured it (its multicast route
/// exists); packets sent before then are dropped.
fn wait_ready(ns: &str, dev: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let up = output(&["ip", "-n", ns, "link", "show", "dev", dev]).contains("state UP");
        let mroute = output(&[
            "ip", "-n", ns, "-6", "route", "show", "table", "local", "dev", dev,
        ])
        .contains("ff00::/8");
        if up && mroute {
            return;
        }
        assert!(Instant::now() < deadline, "{ns}/{dev} did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Proc {
    child: Child,
}

/// The output lines of one process, timed from the lab's start.
#[derive(Clone)]
pub struct Log {
    pub name: String,
    start: Instant,
    lines: Arc<Mutex<Vec<(Duration, String)>>>,
}

impl Log {
    /// A copy of the lines so far.
    pub fn lines(&self) -> Vec<(Duration, String)> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits up to `timeout` for a line containing `text`; returns when it was printed.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Duration {
        self.wait_until(timeout, |lines| {
            lines
                .iter()
                .find(|(_, l)| l.contains(text))
                .map(|(t, _)| *t)
        })
        .unwrap_or_else(|| panic!("{}: no line with {text:?}\n{}", self.name, self.dump()))
    }

    /// Waits up to `timeout` for `check` to return something.
    pub fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl Fn(&[(Duration, String)]) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        loop {
            // A snapshot, so that `check` may read the log itself.
            if let Some(v) = check(&self.lines()) {
                return Some(v);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The whole log, for failure messages.
    pub fn dump(&self) -> String {
        self.lines()
            .iter()
            .map(|(t, l)| format!("  {:7.3} {l}\n", t.as_secs_f64()))
            .collect()
    }

    /// The samples (`master offset … path delay …` lines) printed after `from`.
    pub fn samples(&self, from: Duration) -> Vec<Sample> {
        self.lines()
            .iter()
            .filter(|(t, _)| *t >= from)
            .filter_map(|(t, l)| Sample::parse(*t, l))
            .collect()
    }

    /// The agent's `virtual clock offset from CLOCK_REALTIME` values (ns) after `from`.
    pub fn true_errors(&self, from: Duration) -> Vec<f64> {
        const KEY: &str = "virtual clock offset from CLOCK_REALTIME";
        self.lines()
            .iter()
            .filter(|(t, _)| *t >= from)
            .filter_map(|(_, l)| l.split(KEY).nth(1)?.trim().parse().ok())
            .collect()
    }

    /// The clock identity this process announced as its own (`selected local clock X`).
    pub fn own_identity(&self) -> Option<String> {
        self.lines().iter().find_map(|(_, l)| {
            let rest = l.split("selected local clock ").nth(1)?;
            rest.split_whitespace().next().map(str::to_owned)
        })
    }

    /// The last grandmaster this process selected (`selected best master clock X`).
    pub fn selected_master(&self) -> Option<String> {
        self.lines().iter().rev().find_map(|(_, l)| {
            let rest = l.split("selected best master clock ").nth(1)?;
            rest.split_whitespace().next().map(str::to_owned)
        })
    }
}

/// One `master offset X sN freq F path delay D` line.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub at: Duration,
    pub offset: f64,
    pub state: u8,
    pub delay: f64,
}

impl Sample {
    fn parse(at: Duration, line: &str) -> Option<Self> {
        let rest = line.split("master offset").nth(1)?;
        let words: Vec<&str> = rest.split_whitespace().collect();
        // [offset, sN, "freq", F, "path", "delay", D]
        Some(Self {
            at,
            offset: words.first()?.parse().ok()?,
            state: words.get(1)?.strip_prefix('s')?.parse().ok()?,
            delay: words.get(6)?.parse().ok()?,
        })
    }
}

/// Mean, standard deviation, RMS and largest magnitude of a series.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub rms: f64,
    pub max_abs: f64,
    /// The median.
    pub median: f64,
    /// A spread that one wild sample cannot move: 1.4826 × the median absolute deviation
    /// (the standard deviation, for normal noise).
    pub robust_std: f64,
}

impl Summary {
    pub fn of(xs: &[f64]) -> Self {
        let n = xs.len();
        assert!(n > 0, "no values");
        let mean = xs.iter().sum::<f64>() / n as f64;
        let ms = xs.iter().map(|x| x * x).sum::<f64>() / n as f64;
        let centre = median(xs.to_vec());
        let deviations = xs.iter().map(|x| (x - centre).abs()).collect();
        Self {
            n,
            mean,
            std: (ms - mean * mean).max(0.0).sqrt(),
            rms: ms.sqrt(),
            max_abs: xs.iter().fold(0.0f64, |m, x| m.max(x.abs())),
            median: centre,
            robust_std: 1.4826 * median(deviations),
        }
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if !n.is_multiple_of(2) {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// ptp4l's options for one transport and delay mechanism, as command-line flags.
#[derive(Clone, Copy, Debug)]
pub struct Net {
    pub name: &'static str,
    pub transport: &'static str,
    pub mechanism: &'static str,
}

impl Net {
    pub fn flags(&self) -> [&'static str; 2] {
        [self.transport, self.mechanism]
    }
}

/// Every transport with E2E, and P2P on L2 and UDPv4.
pub const NETS: [Net; 5] = [
    Net {
        name: "u4e",
        transport: "-4",
        mechanism: "-E",
    },
    Net {
        name: "u6e",
        transport: "-6",
        mechanism: "-E",
    },
    Net {
        name: "l2e",
        transport: "-2",
        mechanism: "-E",
    },
    Net {
        name: "l2p",
        transport: "-2",
        mechanism: "-P",
    },
    Net {
        name: "u4p",
        transport: "-4",
        mechanism: "-P",
    },
];

/// Runs `f` for every network setting at once, one thread each, and re-raises the first
/// failure.
pub fn for_each_net(f: impl Fn(Net) + Send + Sync + 'static) {
    let f = Arc::new(f);
    let threads: Vec<_> = NETS
        .iter()
        .map(|net| {
            let f = f.clone();
            let net = *net;
            std::thread::spawn(move || f(net))
        })
        .collect();
    let mut failed = None;
    for (t, net) in threads.into_iter().zip(NETS) {
        if let Err(e) = t.join() {
            failed.get_or_insert((net, e));
        }
    }
    if let Some((net, e)) = failed {
        eprintln!("failed for {net:?}");
        std::panic::resume_unwind(e);
    }
}

/// An agent grandmaster (UDPv4, software time stamps) in its own namespace, joined by a veth
/// to another, with its management socket in the lab's directory (tests must not share
/// `/var/run/ptp4l`); ready once it is MASTER.
pub struct SocketAgent {
    pub lab: Lab,
    /// The agent's namespace.
    pub ns: String,
    pub log: Log,
    /// The agent's `uds_address`.
    pub uds: String,
}

/// Starts a [`SocketAgent`] from ptp4l.conf text `conf` (the socket's path is added to it)
/// and waits until it is MASTER.
pub fn agent_with_socket(tag: &str, conf: &str) -> SocketAgent {
    let mut lab = Lab::new(tag);
    let (ns, other) = (lab.ns("gm"), lab.ns("other"));
    lab.link(&ns, "eth-gm", &other, "eth-other");
    let uds = lab.path("ptp4l.sock");
    let conf = lab.file("agent.conf", &format!("{conf}\nuds_address {uds}\n"));
    let log = lab.spawn(
        "agent",
        &ns,
        AGENT,
        &["-f", &conf, "-S", "-m", "-4", "-i", "eth-gm"],
    );
    log.wait_for("to MASTER", Duration::from_secs(60));
    SocketAgent { lab, ns, log, uds }
}

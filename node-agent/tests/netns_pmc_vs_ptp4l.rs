//! Debian's `pmc` (3.1.1) asks Debian's `ptp4l` (the reference) and `ptp-agent`, configured
//! alike, every managementId it knows, and gets the same answers field for field.
//!
//! Each implementation runs as a grandmaster and a slave (both `free_running 1`: nothing
//! steers the shared clock) in namespaces on one bridge, with pmc in a third namespace. The
//! interfaces get the same MAC addresses in both labs, so clock identities, port identities
//! and CLOCK_DESCRIPTION's addresses are the same too and are compared as they are; only live
//! values (offsets, path delays, ingress times, message counters) are masked. pmc asks
//! - over each clock's local socket (`pmc -u`): one clock answers;
//! - over UDPv4 (`-4`) and IEEE 802.3 (`-2`): both clocks answer every request.
//!
//! Compared: which port identity answers each request (port 0 or the port), whether it is an
//! answer or a MANAGEMENT_ERROR_STATUS, and every field pmc prints. pmc prints no more of an
//! error status than its header, so a client of our own also asks each local socket, and
//! compares the error codes, including the requests pmc cannot make (an unknown ID, a port
//! that does not exist, a SET without data).
//!
//! Every difference we mean to keep is in [`EXCEPTIONS`], with its reason; a new difference,
//! or an exception that no longer holds, fails the test. No answer is concluded from silence:
//! every client sends a last request that both implementations answer, and reads until that
//! answer has come from every clock (the requests are answered in order).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixDatagram;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ptp_core::wire::management::{
    Action, ManagementData, ManagementErrorId, ManagementId, ManagementTlv,
};
use ptp_core::wire::{
    Body, ClockIdentity, Header, Management, Message, PortIdentity, Tlv, TlvWriter,
};
use support::{prerequisites, Lab, AGENT};

/// Long enough for BMCA and the first samples on a loaded 2-core machine.
const SETTLE: Duration = Duration::from_secs(90);
/// How long a client waits for its last answer.
const ANSWER: Duration = Duration::from_secs(60);

/// The domainNumber of [`COMMON`], which every client asks in.
const DOMAIN: u8 = 24;

/// Options both clocks share. ptp4l 3.1.1's 1 ms `tx_timestamp_timeout` is too short for
/// software time stamps on a loaded machine; 10 ms as upstream.
const COMMON: &str = "tx_timestamp_timeout 10\nlogAnnounceInterval 0\nlogSyncInterval -2\n\
                      fault_reset_interval 0\ndomainNumber 24\nuserDescription cmp;lab\n\
                      productDescription Acme;clock;1\nmanufacturerIdentity 00:1B:21\n";

/// The grandmaster wins the BMCA; the slave only measures (ptp4l 3.1.1 keeps a free-running
/// slave UNCALIBRATED, and so does the agent).
fn conf(role: Role) -> String {
    match role {
        Role::Gm => format!("[global]\npriority1 127\nfree_running 1\n{COMMON}"),
        Role::Slave => format!("[global]\nslaveOnly 1\nfree_running 1\n{COMMON}"),
    }
}

/// Differences we keep, each for a reason: `(where, managementId)`. For each, ptp4l answers
/// with data and the agent with a MANAGEMENT_ERROR_STATUS from the same port identity.
const EXCEPTIONS: &[(Path, &str)] = &[
    // Event subscriptions (ptp4l's push of port state changes to a local client) are not
    // implemented; the agent refuses the GET rather than report a subscription it would not
    // honour. From the network ptp4l answers with an empty TLV.
    (Path::Local, "SUBSCRIBE_EVENTS_NP"),
    (Path::Network, "SUBSCRIBE_EVENTS_NP"),
    // synchronizationUncertain is not implemented (ptp4l answers its "don't care", 255).
    (Path::Local, "SYNCHRONIZATION_UNCERTAIN_NP"),
    (Path::Network, "SYNCHRONIZATION_UNCERTAIN_NP"),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    Local,
    Network,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Gm,
    Slave,
}

/// The MAC address each role's interface gets in every lab, so that both implementations
/// derive the same clock identity from it.
fn mac(role: Role) -> &'static str {
    match role {
        Role::Gm => "02:00:00:00:01:01",
        Role::Slave => "02:00:00:00:01:02",
    }
}

/// The clock identity of each role: its MAC with FF FE in the middle, as both derive it.
fn identity(role: Role) -> &'static str {
    match role {
        Role::Gm => "020000.fffe.000101",
        Role::Slave => "020000.fffe.000102",
    }
}

/// One implementation's grandmaster and slave on a bridge, and a namespace for pmc.
struct Clocks {
    lab: Lab,
    pmc_ns: String,
    /// `(namespace, uds_address)` of the grandmaster and of the slave.
    clocks: Vec<(String, String)>,
}

/// Starts `program` (ptp4l or the agent) as grandmaster and slave over `transport`, and
/// waits until the grandmaster is MASTER and the slave follows it.
fn start(tag: &str, program: &str, transport: &str) -> Clocks {
    let mut lab = Lab::new(tag);
    let sw = lab.ns("sw");
    let net = lab.bridge(&sw, "br0");
    let pmc_ns = lab.ns("pmc");
    lab.attach(&sw, "br0", net, &pmc_ns, "eth-pmc", 4);
    let mut clocks = Vec::new();
    let mut logs = Vec::new();
    for (role, name, host) in [(Role::Gm, "gm", 2), (Role::Slave, "sl", 3)] {
        let ns = lab.ns(name);
        let dev = format!("eth-{name}");
        lab.attach(&sw, "br0", net, &ns, &dev, host);
        lab.ip(&ns, &["link", "set", "dev", &dev, "address", mac(role)]);
        let uds = lab.path(&format!("{name}.sock"));
        let path = lab.file(
            &format!("{name}.conf"),
            &format!("{}uds_address {uds}\n", conf(role)),
        );
        let log = lab.spawn(
            name,
            &ns,
            program,
            &["-f", &path, "-S", "-m", transport, "-i", &dev],
        );
        clocks.push((ns, uds));
        logs.push(log);
    }
    logs[0].wait_for("to MASTER", SETTLE);
    logs[1].wait_for("to UNCALIBRATED on RS_SLAVE", SETTLE);
    Clocks {
        lab,
        pmc_ns,
        clocks,
    }
}

/// The managementIds pmc 3.1.1 can ask for, from its own HELP.
fn pmc_ids() -> Vec<String> {
    let out = Command::new("pmc")
        .args(["-u", "-s", "/nonexistent", "help"])
        .output()
        .unwrap();
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("\t[action] "))
        .map(|id| id.trim().to_owned())
        .collect();
    // pmc 3.1.1 lists 28; fewer means its HELP was not read.
    assert!(ids.len() >= 28, "{ids:?}");
    ids
}

/// A pmc reading commands from its standard input, which stays open until the answers are
/// in (pmc stops reading answers when its input ends).
struct Pmc {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Pmc {
    fn spawn(ns: &str, args: &[&str]) -> Self {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, "pmc"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
        }
    }

    /// Sends `commands` then a DEFAULT_DATA_SET GET, and returns pmc's output once every clock
    /// in `responders` has answered that last GET. Each command is written once pmc has sent
    /// the one before (it reads its input a line per wake-up).
    fn ask(mut self, commands: &[String], responders: &[&str]) -> Vec<String> {
        let last = "GET DEFAULT_DATA_SET".to_owned();
        for (i, c) in commands.iter().chain([&last]).enumerate() {
            let input = self.stdin.as_mut().unwrap();
            writeln!(input, "{c}").unwrap();
            input.flush().unwrap();
            self.wait("pmc to send every command", |lines| {
                lines.iter().filter(|l| l.starts_with("sending: ")).count() > i
            });
        }
        let seq = format!(" seq {} RESPONSE", commands.len());
        self.wait(
            &format!("the last answer from each of {responders:?}"),
            |lines| {
                responders.iter().all(|r| {
                    lines
                        .iter()
                        .any(|l| l.contains(&seq) && l.trim_start().starts_with(r))
                })
            },
        );
        drop(self.stdin.take());
        let _ = self.child.wait();
        let lines = self.lines.lock().unwrap().clone();
        lines
    }

    /// Waits up to [`ANSWER`] for `done` to hold of pmc's output.
    fn wait(&self, what: &str, done: impl Fn(&[String]) -> bool) {
        let deadline = Instant::now() + ANSWER;
        loop {
            let lines = self.lines.lock().unwrap().clone();
            if done(&lines) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited in vain for {what}:\n{}",
                lines.join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One clock's answers: `seq → lines`, the first being `<port number> <response kind>`, the
/// others pmc's fields with live values masked.
type Answers = BTreeMap<u16, Vec<String>>;

/// Fields whose values change from moment to moment.
const LIVE: &[&str] = &[
    "offsetFromMaster",
    "meanPathDelay",
    "master_offset",
    "ingress_time",
];

/// Splits pmc's output by the clock that answered.
fn by_clock(lines: &[String]) -> BTreeMap<String, Answers> {
    let mut out: BTreeMap<String, Answers> = BTreeMap::new();
    let mut current: Option<(String, u16)> = None;
    for line in lines {
        if let Some(field) = line.strip_prefix("\t\t") {
            let (name, value) = field.split_once(' ').unwrap_or((field, ""));
            let live = LIVE.contains(&name) || name.starts_with("rx_") || name.starts_with("tx_");
            let value = if live { "<live>" } else { value.trim() };
            let (clock, seq) = current.clone().expect("a field before any response");
            out.get_mut(&clock)
                .unwrap()
                .get_mut(&seq)
                .unwrap()
                .push(format!("{name} {value}"));
        } else if let Some(header) = line.strip_prefix('\t') {
            // `<clock>-<port> seq <n> RESPONSE <kind>`
            let mut words = header.split_whitespace();
            let source = words.next().unwrap();
            let (clock, port) = source.rsplit_once('-').unwrap();
            assert_eq!(words.next(), Some("seq"), "{line}");
            let seq: u16 = words.next().unwrap().parse().unwrap();
            let kind = words.collect::<Vec<_>>().join(" ");
            let answers = out.entry(clock.to_owned()).or_default();
            assert!(
                answers
                    .insert(seq, vec![format!("{port} {kind}")])
                    .is_none(),
                "two answers from {clock} to request {seq}:\n{}",
                lines.join("\n")
            );
            current = Some((clock.to_owned(), seq));
        }
    }
    out
}

/// Compares what ptp4l and the agent answered to `commands` over `path`, per clock.
fn compare(path: Path, what: &str, commands: &[String], reference: &[String], agent: &[String]) {
    let (mut reference, mut agent) = (by_clock(reference), by_clock(agent));
    assert_eq!(
        reference.keys().collect::<Vec<_>>(),
        agent.keys().collect::<Vec<_>>(),
        "{what}: the clocks that answered"
    );
    for (clock, theirs) in &mut reference {
        // ptp4l answers every request pmc can make (with data or an error status), so each of
        // them is compared.
        assert_eq!(
            theirs.len(),
            commands.len() + 1,
            "{what} {clock}: {theirs:?}"
        );
        let ours = agent.get_mut(clock).unwrap();
        for (i, command) in commands.iter().enumerate() {
            let id = command.strip_prefix("GET ").unwrap();
            if !EXCEPTIONS.contains(&(path, id)) {
                continue;
            }
            let seq = u16::try_from(i).unwrap();
            let (t, o) = (theirs.remove(&seq), ours.remove(&seq));
            let (t, o) = (t.unwrap_or_default(), o.unwrap_or_default());
            let port = |a: &[String]| {
                a.first()
                    .and_then(|h| h.split_whitespace().next().map(str::to_owned))
            };
            assert_eq!(port(&t), port(&o), "{what} {clock} {id}: {t:?} / {o:?}");
            assert!(
                t.first()
                    .is_some_and(|h| h.contains(" MANAGEMENT") && !h.contains("ERROR")),
                "{what} {clock} {id}: ptp4l no longer answers it: {t:?}"
            );
            assert!(
                o.first()
                    .is_some_and(|h| h.ends_with("MANAGEMENT_ERROR_STATUS")),
                "{what} {clock} {id}: the agent answers it now; drop the exception: {o:?}"
            );
        }
        for (seq, t) in theirs.iter() {
            let command = commands
                .get(usize::from(*seq))
                .map_or("GET DEFAULT_DATA_SET", String::as_str);
            assert_eq!(Some(t), ours.get(seq), "{what} {clock}: {command}");
        }
        assert_eq!(
            theirs.keys().collect::<Vec<_>>(),
            ours.keys().collect::<Vec<_>>(),
            "{what} {clock}: the requests answered"
        );
    }
}

#[test]
fn pmc_gets_the_same_answers_from_ptp4l_and_the_agent() {
    if !prerequisites("pmc_gets_the_same_answers_from_ptp4l_and_the_agent") {
        return;
    }
    let threads: Vec<_> = [("u4", "-4"), ("l2", "-2")]
        .into_iter()
        .map(|(tag, transport)| std::thread::spawn(move || both(tag, transport)))
        .collect();
    join_all(threads);
}

/// Joins every thread (so that each lab is dropped, its namespaces and processes gone, before
/// the test ends), then re-raises the first failure.
fn join_all<T>(threads: Vec<std::thread::JoinHandle<T>>) -> Vec<T> {
    let results: Vec<_> = threads.into_iter().map(|t| t.join()).collect();
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| std::panic::resume_unwind(e)))
        .collect()
}

/// Starts both implementations over `transport` and compares their answers: over the network,
/// and over UDPv4 also over each clock's local socket.
fn both(tag: &str, transport: &'static str) {
    let commands: Vec<String> = pmc_ids().iter().map(|id| format!("GET {id}")).collect();
    let starting: Vec<_> = [("ptp4l", "ptp4l"), ("agent", AGENT)]
        .into_iter()
        .map(|(name, program)| {
            let tag = format!("{tag}{name}");
            std::thread::spawn(move || start(&tag, program, transport))
        })
        .collect();
    let mut pair: Vec<Clocks> = join_all(starting);
    let agent = pair.pop().unwrap();
    let reference = pair.pop().unwrap();
    let domain = DOMAIN.to_string();
    let everyone = [identity(Role::Gm), identity(Role::Slave)];
    let network = |c: &Clocks| {
        let dev = "eth-pmc";
        Pmc::spawn(&c.pmc_ns, &[transport, "-i", dev, "-b", "1", "-d", &domain])
            .ask(&commands, &everyone)
    };
    compare(
        Path::Network,
        &format!("pmc {transport}"),
        &commands,
        &network(&reference),
        &network(&agent),
    );
    if transport != "-4" {
        return;
    }
    for (i, role) in [Role::Gm, Role::Slave].into_iter().enumerate() {
        let local = |c: &Clocks| {
            let (ns, uds) = &c.clocks[i];
            Pmc::spawn(ns, &["-u", "-s", uds, "-b", "0", "-d", &domain])
                .ask(&commands, &[identity(role)])
        };
        compare(
            Path::Local,
            &format!("pmc -u ({role:?})"),
            &commands,
            &local(&reference),
            &local(&agent),
        );
        let ids: Vec<ManagementId> = commands
            .iter()
            .map(|c| ManagementId::from_name(c.strip_prefix("GET ").unwrap()).unwrap())
            .collect();
        let client = format!("client-{role:?}.sock");
        let statuses = |c: &Clocks| error_statuses(&c.lab.path(&client), &c.clocks[i].1, &ids);
        let (theirs, ours) = (statuses(&reference), statuses(&agent));
        for ((what, t), (_, o)) in theirs.iter().zip(&ours) {
            let excepted = EXCEPTIONS
                .iter()
                .any(|(p, id)| *p == Path::Local && what == &format!("GET {id} to all ports"));
            if !excepted {
                assert_eq!(t, o, "{role:?} {what}: ptp4l / agent");
            }
        }
        assert_eq!(theirs.len(), ours.len());
    }
}

/// One response as our client sees it: the port number that sent it, and the managementId
/// it answers with data or the error status it carries.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Answer(u16, ManagementId),
    Error(u16, ManagementErrorId, ManagementId),
}

/// Asks the local socket `uds` each of `ids` for all ports, and the requests pmc cannot make;
/// returns what came back for each (a description of the request, and its responses).
/// `me` is the path our client binds.
fn error_statuses(me: &str, uds: &str, ids: &[ManagementId]) -> Vec<(String, Vec<Seen>)> {
    let all = PortIdentity::ALL;
    let port5 = PortIdentity {
        clock_identity: all.clock_identity,
        port_number: 5,
    };
    let mut requests: Vec<(String, Action, ManagementId, PortIdentity)> = ids
        .iter()
        .map(|id| {
            (
                format!("GET {} to all ports", id.name()),
                Action::Get,
                *id,
                all,
            )
        })
        .collect();
    requests.extend([
        (
            "GET of an unknown ID".to_owned(),
            Action::Get,
            ManagementId(0x7777),
            all,
        ),
        (
            "GET PORT_DATA_SET to port 5".to_owned(),
            Action::Get,
            ManagementId::PORT_DATA_SET,
            port5,
        ),
        (
            "GET NULL_MANAGEMENT to port 5".to_owned(),
            Action::Get,
            ManagementId::NULL_MANAGEMENT,
            port5,
        ),
        (
            "GET DEFAULT_DATA_SET to port 5".to_owned(),
            Action::Get,
            ManagementId::DEFAULT_DATA_SET,
            port5,
        ),
        (
            "SET PRIORITY1 without data".to_owned(),
            Action::Set,
            ManagementId::PRIORITY1,
            all,
        ),
        (
            "COMMAND INITIALIZE".to_owned(),
            Action::Command,
            ManagementId::INITIALIZE,
            all,
        ),
        (
            "COMMAND ENABLE_PORT".to_owned(),
            Action::Command,
            ManagementId::ENABLE_PORT,
            all,
        ),
    ]);
    let _ = std::fs::remove_file(me);
    let socket = UnixDatagram::bind(me).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut seq = 0u16;
    let out = requests
        .into_iter()
        .map(|(what, action, id, target)| {
            // The request, then a GET DEFAULT_DATA_SET that is always answered: whatever came
            // before its answer is the request's.
            seq += 2;
            socket
                .send_to(&encode(action, id, target, seq), uds)
                .unwrap();
            socket
                .send_to(
                    &encode(Action::Get, ManagementId::DEFAULT_DATA_SET, all, seq + 1),
                    uds,
                )
                .unwrap();
            (what, receive_until(&socket, seq))
        })
        .collect();
    let _ = std::fs::remove_file(me);
    out
}

/// Receives responses until the one with sequence number `seq + 1`; returns those with `seq`.
fn receive_until(socket: &UnixDatagram, seq: u16) -> Vec<Seen> {
    let deadline = Instant::now() + ANSWER;
    let mut seen = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        assert!(
            Instant::now() < deadline,
            "no answer to request {seq}: {seen:?}"
        );
        let Ok(n) = socket.recv(&mut buf) else {
            continue;
        };
        let message = Message::decode(&buf[..n]).unwrap();
        let source = message.header.source_port_identity.port_number;
        let got = message.header.sequence_id;
        if got == seq + 1 {
            return seen;
        }
        if got != seq {
            continue;
        }
        seen.push(match message.suffix.iter().next() {
            Some(Ok(Tlv::Management(tlv))) => Seen::Answer(source, tlv.id),
            Some(Ok(Tlv::ManagementErrorStatus(e))) => Seen::Error(source, e.error, e.id),
            other => panic!("request {seq}: {other:?}"),
        });
    }
}

/// A management request as pmc encodes it, with empty data (`pmc -z`).
fn encode(action: Action, id: ManagementId, target: PortIdentity, seq: u16) -> Vec<u8> {
    let mut data_buf = [0u8; 8];
    let tlv = ManagementTlv::build(id, &ManagementData::Empty, &mut data_buf).unwrap();
    let mut suffix_buf = [0u8; 32];
    let mut w = TlvWriter::new(&mut suffix_buf);
    w.push(&Tlv::Management(tlv)).unwrap();
    let message = Message {
        header: Header {
            domain_number: DOMAIN,
            source_port_identity: PortIdentity {
                clock_identity: ClockIdentity([0xaa, 0xbb, 0xcc, 0xff, 0xfe, 0, 0, 1]),
                port_number: 1,
            },
            sequence_id: seq,
            ..Header::default()
        },
        body: Body::Management(Management {
            target_port_identity: target,
            starting_boundary_hops: 0,
            boundary_hops: 0,
            action,
        }),
        suffix: w.finish().unwrap(),
    };
    let mut buf = [0u8; 128];
    let n = message.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

//! Debian's `pmc` (3.1.1) asks a running `ptp-agent` over the network, in namespaces joined
//! by veth, and over the agent's local management socket (`pmc -u`, ptp4l's `uds_address`):
//! GETs are answered with the agent's data sets in pmc's own rendering, and a SET from the
//! network is refused with a MANAGEMENT_ERROR_STATUS, as ptp4l refuses it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use ptp_core::wire::management::{Action, ManagementData, ManagementId, ManagementTlv};
use ptp_core::wire::{
    Body, Header, Management, Message, MessageType, PortIdentity, Tlv, TlvWriter,
};

use support::{agent_with_socket, prerequisites_and, Lab, Prerequisite, SocketAgent, AGENT};

const CONF: &str = "[global]\npriority1 127\nfree_running 1\ntx_timestamp_timeout 10\n\
                    logAnnounceInterval 0\nuserDescription netns;lab\n";

#[test]
fn pmc_reads_the_agents_data_sets() {
    if !prerequisites_and("pmc_reads_the_agents_data_sets", &[Prerequisite::PMC]) {
        return;
    }
    let threads: Vec<_> = [("u4", "-4"), ("l2", "-2")]
        .into_iter()
        .map(|(tag, transport)| std::thread::spawn(move || ask(tag, transport)))
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn ask(tag: &str, transport: &str) {
    let mut lab = Lab::new(&format!("pmc{tag}"));
    let (gm_ns, pmc_ns) = (lab.ns("gm"), lab.ns("pmc"));
    lab.link(&gm_ns, "eth-gm", &pmc_ns, "eth-pmc");
    let conf = lab.file("agent.conf", CONF);
    let agent = lab.spawn(
        "agent",
        &gm_ns,
        AGENT,
        &["-f", &conf, "-S", "-m", transport, "-i", "eth-gm"],
    );
    agent.wait_for("to MASTER", Duration::from_secs(60));
    let pmc = lab.spawn(
        "pmc",
        &pmc_ns,
        "pmc",
        &[
            transport,
            "-i",
            "eth-pmc",
            "-b",
            "1",
            "-d",
            "0",
            "GET DEFAULT_DATA_SET",
            "GET PORT_DATA_SET",
            "GET PRIORITY1",
            "SET PRIORITY2 99",
            "GET PRIORITY2",
            "GET CLOCK_DESCRIPTION",
        ],
    );
    let wait = Duration::from_secs(20);
    pmc.wait_for("RESPONSE MANAGEMENT CLOCK_DESCRIPTION", wait);
    pmc.wait_for("RESPONSE MANAGEMENT DEFAULT_DATA_SET", wait);
    pmc.wait_for("RESPONSE MANAGEMENT PORT_DATA_SET", wait);
    pmc.wait_for("RESPONSE MANAGEMENT_ERROR_STATUS", wait);
    pmc.wait_for("RESPONSE MANAGEMENT PRIORITY2", wait);
    let identity = agent
        .own_identity()
        .unwrap_or_else(|| panic!("no identity line\n{}", agent.dump()));
    let lines: Vec<String> = pmc.lines().into_iter().map(|(_, l)| l).collect();
    // The value of `name` in the last response that printed it.
    let field = |name: &str| {
        lines
            .iter()
            .rev()
            .find_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some(name)).then(|| words.collect::<Vec<_>>().join(" "))
            })
            .unwrap_or_else(|| panic!("pmc printed no {name}\n{}", pmc.dump()))
    };
    assert_eq!(field("priority1"), "127");
    assert_eq!(field("clockIdentity"), identity);
    assert_eq!(field("portState"), "MASTER");
    assert_eq!(field("portIdentity"), format!("{identity}-1"));
    // The refused SET changed nothing.
    assert_eq!(field("priority2"), "128");
    // CLOCK_DESCRIPTION names the port's interface: its MAC, and its IPv4 address on UDPv4
    // (the MAC again on 802.3); the configured userDescription.
    let mac = interface_mac(&gm_ns, "eth-gm");
    assert_eq!(field("clockType"), "0x8000");
    assert_eq!(field("physicalLayerProtocol"), "IEEE 802.3");
    assert_eq!(field("physicalAddress"), mac);
    let protocol_address = match transport {
        "-4" => "1 10.211.1.1".to_owned(),
        _ => format!("3 {mac}"),
    };
    assert_eq!(field("protocolAddress"), protocol_address);
    assert_eq!(field("userDescription"), "netns;lab");
    assert_eq!(field("profileId"), "00:1b:19:00:01:00");
}

/// The MAC address of `dev` in namespace `ns`, as pmc prints it.
fn interface_mac(ns: &str, dev: &str) -> String {
    let out = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "cat",
            &format!("/sys/class/net/{dev}/address"),
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `pmc -u -b 0` against the agent's `uds_address`: clock-wide data sets come from the clock
/// (port 0), port data sets (and CLOCK_DESCRIPTION) from each port, linuxptp's `*_NP` IDs are answered, SETs of the
/// priorities and of GRANDMASTER_SETTINGS_NP take effect, and what the agent does not serve
/// is an error status, not silence.
#[test]
fn pmc_asks_over_the_local_management_socket() {
    if !prerequisites_and(
        "pmc_asks_over_the_local_management_socket",
        &[Prerequisite::PMC],
    ) {
        return;
    }
    let SocketAgent {
        mut lab,
        ns: gm_ns,
        log: agent,
        uds,
    } = agent_with_socket("pmcuds", &format!("{CONF}domainNumber 24\n"));
    let identity = agent
        .own_identity()
        .unwrap_or_else(|| panic!("no identity line\n{}", agent.dump()));
    const COMMANDS: [&str; 10] = [
        "GET DEFAULT_DATA_SET",
        "GET PORT_DATA_SET",
        "GET TIME_STATUS_NP",
        "GET PORT_PROPERTIES_NP",
        "GET CLOCK_DESCRIPTION",
        "SET PRIORITY2 99",
        "SET GRANDMASTER_SETTINGS_NP clockClass 7 clockAccuracy 0x21 \
         offsetScaledLogVariance 0x4e5d currentUtcOffset 37 leap61 0 leap59 0 \
         currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 1 frequencyTraceable 1 \
         timeSource 0x20",
        "GET PRIORITY2",
        "GET GRANDMASTER_SETTINGS_NP",
        "GET SYNCHRONIZATION_UNCERTAIN_NP",
    ];
    let ask = |lab: &mut Lab, name: &str, domain: &str| {
        let mut args = vec!["-u", "-s", &uds, "-b", "0", "-d", domain];
        args.extend(COMMANDS);
        lab.spawn(name, &gm_ns, "pmc", &args)
    };
    let pmc = ask(&mut lab, "pmc", "24");
    // Every command answered (pmc prints no more of an error status than its first line; the
    // engine's tests check its content).
    pmc.wait_until(Duration::from_secs(20), |lines| {
        let responses = lines
            .iter()
            .filter(|(_, l)| l.contains(" RESPONSE "))
            .count();
        (responses == COMMANDS.len()).then_some(())
    })
    .unwrap_or_else(|| panic!("not every command was answered\n{}", pmc.dump()));
    let lines: Vec<String> = pmc.lines().into_iter().map(|(_, l)| l).collect();
    let header = |id: &str| {
        lines
            .iter()
            .find(|l| l.contains(&format!("RESPONSE MANAGEMENT {id}")))
            .unwrap_or_else(|| panic!("no {id} response\n{}", pmc.dump()))
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("DEFAULT_DATA_SET"), format!("{identity}-0"));
    assert_eq!(header("PORT_DATA_SET"), format!("{identity}-1"));
    assert_eq!(header("TIME_STATUS_NP"), format!("{identity}-0"));
    assert_eq!(header("PORT_PROPERTIES_NP"), format!("{identity}-1"));
    assert_eq!(header("CLOCK_DESCRIPTION"), format!("{identity}-1"));
    assert!(
        lines.iter().any(|l| l.contains(&format!(
            "{identity}-0 seq 9 RESPONSE MANAGEMENT_ERROR_STATUS"
        ))),
        "{}",
        pmc.dump()
    );
    // The value of `name` as pmc printed it first, and last.
    let field = |name: &str, last: bool| {
        let found: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some(name)).then(|| words.collect::<Vec<_>>().join(" "))
            })
            .collect();
        let value = if last { found.last() } else { found.first() }.cloned();
        value.unwrap_or_else(|| panic!("pmc printed no {name}\n{}", pmc.dump()))
    };
    assert_eq!(field("priority1", false), "127");
    assert_eq!(field("domainNumber", false), "24");
    assert_eq!(field("portState", false), "MASTER");
    assert_eq!(field("interface", false), "eth-gm");
    assert_eq!(field("gmPresent", false), "false");
    assert_eq!(field("gmIdentity", false), identity);
    assert_eq!(field("protocolAddress", false), "1 10.211.1.1");
    assert_eq!(field("userDescription", false), "netns;lab");
    // The SETs took effect, as the GETs after them show.
    assert_eq!(field("priority2", false), "128");
    assert_eq!(field("priority2", true), "99");
    assert_eq!(field("clockClass", false), "248");
    assert_eq!(field("clockClass", true), "7");
    assert_eq!(field("timeTraceable", true), "1");

    // A request for another domain is not answered, as ptp4l does not answer it. One socket
    // asks for domain 0 and then for domain 24 (pmc asks in one domain only); the agent
    // handles datagrams in order, so the first answer to arrive is the second request's, and
    // nothing else comes.
    let socket = UnixDatagram::bind(lab.path("client.sock")).unwrap();
    socket.send_to(&get_default_data_set(0, 1), &uds).unwrap();
    socket.send_to(&get_default_data_set(24, 2), &uds).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 1500];
    let n = socket
        .recv(&mut buf)
        .unwrap_or_else(|e| panic!("the domain-24 request was not answered: {e}"));
    let answer = Message::decode(&buf[..n]).unwrap();
    assert_eq!(
        (answer.header.domain_number, answer.header.sequence_id),
        (24, 2),
        "{answer:?}"
    );
    assert!(matches!(answer.body, Body::Management(_)), "{answer:?}");
    socket.set_nonblocking(true).unwrap();
    let more = socket.recv(&mut buf);
    assert!(
        more.as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "a second answer: {more:?}"
    );
}

/// `GET DEFAULT_DATA_SET` in `domain` with `sequence_id`, as `pmc -u -z` sends it: from
/// clock 0, to every clock, no boundary hops.
fn get_default_data_set(domain: u8, sequence_id: u16) -> Vec<u8> {
    let mut data_buf = [0u8; 8];
    let tlv = ManagementTlv::build(
        ManagementId::DEFAULT_DATA_SET,
        &ManagementData::Empty,
        &mut data_buf,
    )
    .unwrap();
    let mut suffix_buf = [0u8; 64];
    let mut w = TlvWriter::new(&mut suffix_buf);
    w.push(&Tlv::Management(tlv)).unwrap();
    let message = Message {
        header: Header {
            domain_number: domain,
            sequence_id,
            control_field: MessageType::Management.control_field(),
            ..Header::default()
        },
        body: Body::Management(Management {
            target_port_identity: PortIdentity::ALL,
            starting_boundary_hops: 0,
            boundary_hops: 0,
            action: Action::Get,
        }),
        suffix: w.finish().unwrap(),
    };
    let mut buf = [0u8; 256];
    let n = message.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// pmc sends its commands faster than it reads, and a Unix socket queues only 10 datagrams
/// for it: every one of 30 answers still arrives (ptp4l blocks until there is room; the agent
/// keeps a backlog instead of dropping).
#[test]
fn every_answer_reaches_a_client_that_asks_many_at_once() {
    if !prerequisites_and(
        "every_answer_reaches_a_client_that_asks_many_at_once",
        &[Prerequisite::PMC],
    ) {
        return;
    }
    let SocketAgent {
        mut lab,
        ns: gm_ns,
        log: _,
        uds,
    } = agent_with_socket("pmcmany", CONF);
    const N: usize = 30;
    let mut args = vec!["-u", "-s", &uds, "-b", "0", "-d", "0"];
    args.extend(std::iter::repeat_n("GET DEFAULT_DATA_SET", N));
    let pmc = lab.spawn("pmc", &gm_ns, "pmc", &args);
    let answered = pmc.wait_until(Duration::from_secs(20), |lines| {
        let n = lines
            .iter()
            .filter(|(_, l)| l.contains("RESPONSE MANAGEMENT DEFAULT_DATA_SET"))
            .count();
        (n == N).then_some(n)
    });
    assert_eq!(answered, Some(N), "{}", pmc.dump());
}

//! Debian's `pmc` (3.1.1) asks a running `ptp-agent` over the network, in namespaces joined
//! by veth: GETs are answered with the agent's data sets in pmc's own rendering, and a SET
//! from the network is refused with a MANAGEMENT_ERROR_STATUS, as ptp4l refuses it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{prerequisites, Lab, AGENT};

const CONF: &str = "[global]\npriority1 127\nfree_running 1\ntx_timestamp_timeout 10\n\
                    logAnnounceInterval 0\n";

#[test]
fn pmc_reads_the_agents_data_sets() {
    if !prerequisites("pmc_reads_the_agents_data_sets") {
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
        ],
    );
    let wait = Duration::from_secs(20);
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
}

//! `ptpctl` against Debian's `pmc` (3.1.1) on the same running `ptp-agent`'s local socket:
//! with the same arguments (or the same commands on stdin) both print the same lines, in the
//! same order, on stdout and stderr, and exit alike. Only what changes between the two runs
//! is normalised (counters and the servo's measurements); the order in which pmc interleaves
//! its `sending:` lines with answers depends on timing, so the two streams are compared
//! separately.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{agent_with_socket, prerequisites_and, Prerequisite, SocketAgent};

const PTPCTL: &str = env!("CARGO_BIN_EXE_ptpctl");

const CONF: &str = "[global]\npriority1 127\nfree_running 1\ntx_timestamp_timeout 10\n\
                    logAnnounceInterval 0\ndomainNumber 24\nuserDescription ctl;lab\n\
                    productDescription Acme;agent;1\nmanufacturerIdentity 00:1B:21\n";

/// Every ID in scope, abbreviations and mixed case, a SET of each kind (undone at the end so
/// that the second run starts where the first did), and each kind of bad command; in batches
/// of at most 8 requests, as a local socket holds at most 10 unread answers
/// (`net.unix.max_dgram_qlen`) and pmc sends faster than it reads.
const BATCHES: &[&[&str]] = &[
    &[
        "GET DEFAULT_DATA_SET",
        "GET CURRENT_DATA_SET",
        "GET PARENT_DATA_SET",
        "GET TIME_PROPERTIES_DATA_SET",
        "GET PORT_DATA_SET",
        "GET PRIORITY1",
        "GET PRIORITY2",
        "get domain",
    ],
    &[
        "GET SLAVE_ONLY",
        "GET CLOCK_ACC",
        "GET TRACEABILITY_PROPERTIES",
        "GET TIMESCALE_PROPERTIES",
        "GET LOG_ANNOUNCE_INTERVAL",
        "GET ANNOUNCE_RECEIPT_TIMEOUT",
        "GET LOG_SYNC_INTERVAL",
        "GET VERSION_NUMBER",
    ],
    &[
        "GET DELAY_MECHANISM",
        "GET LOG_MIN_PDELAY_REQ_INTERVAL",
        "GET TIME_STATUS_NP",
        "GET PORT_DATA_SET_NP",
        "GET PORT_PROPERTIES_NP",
        "GET PORT_STATS_NP",
        "G NULL_MANAGEMENT",
        "GET CLOCK_DESCRIPTION",
    ],
    &[
        "SET PRIORITY2 99",
        "GET PRIORITY2",
        "SET PRIORITY2 128",
        "SET GRANDMASTER_SETTINGS_NP clockClass 7 clockAccuracy 0x21 \
         offsetScaledLogVariance 0x4e5d currentUtcOffset 37 leap61 0 leap59 1 \
         currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 1 frequencyTraceable 0 \
         timeSource 0x20",
        "GET GRANDMASTER_SETTINGS_NP",
        "GET DEFAULT_DATA_SET",
        "SET PRIORITY1",
        "SET DOMAIN 3",
        "GET PORT",
        "GET TIME",
        "SET NULL_MANAGEMENT",
        "GET USER_DESCRIPTION",
        "GET NO_SUCH_ID",
        "FETCH PRIORITY1",
        "GET",
    ],
    // An ID the agent does not serve: an error status.
    &["GET SYNCHRONIZATION_UNCERTAIN_NP"],
];

/// What one client printed and how it ended.
#[derive(Debug, PartialEq)]
struct Run {
    /// `sending:` lines and pmc's other messages on stdout, in order.
    said: Vec<String>,
    /// The answers (lines starting with a tab), in order, normalised.
    answers: Vec<String>,
    /// stderr lines.
    errors: Vec<String>,
    status: Option<i32>,
}

/// Runs `program args`, with `stdin` as its input (none: an empty one).
fn client(program: &str, args: &[String], stdin: Option<&str>) -> Run {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (answers, said): (Vec<&str>, Vec<&str>) = stdout.lines().partition(|l| l.starts_with('\t'));
    let answers = normalise(&answers);
    Run {
        said: said.into_iter().map(str::to_owned).collect(),
        answers,
        errors: String::from_utf8(out.stderr)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
        status: out.status.code(),
    }
}

impl Run {
    /// How many answers arrived (a response header each).
    fn answered(&self) -> usize {
        self.answers
            .iter()
            .filter(|l| l.contains(" RESPONSE "))
            .count()
    }
}

/// Runs `pmc` and `ours`. Both clients stop reading 100 ms after the last answer (pmc's
/// rule), so on a loaded machine an answer may come too late for one of them; then both are
/// run again (every batch here leaves the agent as it found it), up to five times in all,
/// until both received the same number of answers.
fn both(pmc: impl Fn() -> Run, ours: impl Fn() -> Run) -> (Run, Run) {
    let mut attempt = 1;
    loop {
        let (p, o) = (pmc(), ours());
        if p.answered() == o.answered() || attempt == 5 {
            return (p, o);
        }
        eprintln!(
            "pmc got {} answers, ptpctl {}: asking both again",
            p.answered(),
            o.answered()
        );
        attempt += 1;
    }
}

/// [`both`] with the same arguments and input.
fn same(args: &[String], stdin: Option<&str>) -> (Run, Run) {
    both(
        || client("pmc", args, stdin),
        || client(PTPCTL, args, stdin),
    )
}

/// Replaces the values that legitimately change between two runs with `*`.
fn normalise(lines: &[&str]) -> Vec<String> {
    const CHANGING: [&str; 4] = [
        "master_offset",
        "ingress_time",
        "offsetFromMaster",
        "meanPathDelay",
    ];
    let mut in_stats = false;
    lines
        .iter()
        .map(|l| {
            if !l.starts_with("\t\t") {
                in_stats = l.contains("PORT_STATS_NP");
                return (*l).to_owned();
            }
            let name = l.split_whitespace().next().unwrap_or_default();
            let counter = in_stats && (name.starts_with("rx_") || name.starts_with("tx_"));
            if counter || CHANGING.contains(&name) {
                let value = l.split_whitespace().last().unwrap();
                format!("{}*", &l[..l.len() - value.len()])
            } else {
                (*l).to_owned()
            }
        })
        .collect()
}

/// The command that restores the grandmaster settings `pmc` printed.
fn restore_settings(pmc: &Run) -> String {
    let start = pmc
        .answers
        .iter()
        .position(|l| l.contains("GRANDMASTER_SETTINGS_NP"))
        .unwrap_or_else(|| panic!("{pmc:?}"));
    let values: Vec<String> = pmc.answers[start + 1..]
        .iter()
        .take_while(|l| l.starts_with("\t\t"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(values.len(), 11, "{pmc:?}");
    format!("SET GRANDMASTER_SETTINGS_NP {}", values.join(" "))
}

#[test]
fn ptpctl_prints_what_pmc_prints() {
    if !prerequisites_and("ptpctl_prints_what_pmc_prints", &[Prerequisite::PMC]) {
        return;
    }
    // The lab lives to the end of the test: it removes the namespaces when dropped.
    let SocketAgent {
        lab: _lab,
        ns: gm_ns,
        log: _,
        uds,
    } = agent_with_socket("ctl", CONF);
    let options: Vec<String> = ["-u", "-s", &uds, "-b", "0", "-d", "24"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let with = |commands: &[String]| {
        let mut args = options.clone();
        args.extend(commands.iter().cloned());
        args
    };

    // Asked again should the answer come too late (see `both`).
    let read_settings = || client("pmc", &with(&["GET GRANDMASTER_SETTINGS_NP".into()]), None);
    let before = (1..5)
        .map(|_| read_settings())
        .find(|r| r.answered() == 1)
        .unwrap_or_else(read_settings);
    let mut batches: Vec<Vec<String>> = BATCHES
        .iter()
        .map(|b| b.iter().map(|c| (*c).to_owned()).collect())
        .collect();
    batches.push(vec![restore_settings(&before)]);

    let (pmc, ours): (Vec<Run>, Vec<Run>) = batches.iter().map(|b| same(&with(b), None)).unzip();
    assert_eq!(pmc, ours, "\npmc:    {pmc:#?}\nptpctl: {ours:#?}");
    // The comparison means something: every ID was answered with its fields, the SET took
    // effect, errors were printed, nothing failed.
    let answers: Vec<String> = ours.iter().flat_map(|r| r.answers.clone()).collect();
    let said: Vec<String> = ours.iter().flat_map(|r| r.said.clone()).collect();
    let errors: Vec<String> = ours.iter().flat_map(|r| r.errors.clone()).collect();
    let answer = |id: &str| {
        answers
            .iter()
            .position(|l| l.ends_with(&format!(" RESPONSE MANAGEMENT {id} ")))
            .unwrap_or_else(|| panic!("no {id} answer: {ours:#?}"))
    };
    for id in [
        "DEFAULT_DATA_SET",
        "CURRENT_DATA_SET",
        "PARENT_DATA_SET",
        "TIME_PROPERTIES_DATA_SET",
        "PORT_DATA_SET",
        "PRIORITY1",
        "PRIORITY2",
        "DOMAIN",
        "SLAVE_ONLY",
        "CLOCK_ACCURACY",
        "LOG_SYNC_INTERVAL",
        "TIME_STATUS_NP",
        "GRANDMASTER_SETTINGS_NP",
        "PORT_DATA_SET_NP",
        "PORT_PROPERTIES_NP",
        "PORT_STATS_NP",
        "CLOCK_DESCRIPTION",
        "USER_DESCRIPTION",
    ] {
        let at = answer(id);
        assert!(answers[at + 1].starts_with("\t\t"), "{id}: {ours:#?}");
    }
    let has = |lines: &[String], line: &str| lines.iter().any(|l| l == line);
    assert!(has(&answers, "\t\tpriority2 99"), "{ours:#?}");
    assert!(has(&answers, "\t\tdomainNumber 24"), "{ours:#?}");
    // CLOCK_DESCRIPTION names the interface (its MAC, its IPv4 address) and the configured
    // texts; USER_DESCRIPTION the configured text.
    let mac = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &gm_ns,
            "cat",
            "/sys/class/net/eth-gm/address",
        ])
        .output()
        .unwrap();
    let mac = String::from_utf8(mac.stdout).unwrap().trim().to_owned();
    for line in [
        "\t\tclockType             0x8000".to_owned(),
        format!("\t\tphysicalAddress       {mac}"),
        "\t\tprotocolAddress       1 10.211.1.1".to_owned(),
        "\t\tmanufacturerId        00:1b:21".to_owned(),
        "\t\tproductDescription    Acme;agent;1".to_owned(),
        "\t\tuserDescription       ctl;lab".to_owned(),
        "\t\tuserDescription  ctl;lab".to_owned(),
    ] {
        assert!(has(&answers, &line), "{line:?}: {ours:#?}");
    }
    assert!(
        answers
            .iter()
            .any(|l| l.ends_with(" RESPONSE MANAGEMENT_ERROR_STATUS ")),
        "{ours:#?}"
    );
    assert!(has(&said, "id PORT is too ambiguous"), "{said:?}");
    assert!(has(&said, "sorry, TIME not supported yet"), "{said:?}");
    assert!(has(&errors, "bad command: GET NO_SUCH_ID"), "{errors:?}");
    assert!(has(&errors, "PRIORITY1 SET needs 1 value"), "{errors:?}");
    assert!(ours.iter().all(|r| r.status == Some(0)), "{ours:#?}");

    // Commands read from stdin. pmc polls stdin and stops reading it at the hang-up of a
    // pipe already closed, so it does only the first line of a script written at once;
    // ptpctl does every line, answering them as pmc does on the command line.
    let (pmc, ours) = same(&options, Some("GET PRIORITY1\n"));
    assert_eq!(pmc, ours, "\npmc:    {pmc:#?}\nptpctl: {ours:#?}");
    assert_eq!(ours.answers.len(), 2, "{ours:#?}");
    let script: String = batches[0].iter().map(|c| format!("{c}\n")).collect();
    let (pmc, ours) = both(
        || client("pmc", &with(&batches[0]), None),
        || client(PTPCTL, &options, Some(&script)),
    );
    assert_eq!(pmc, ours, "\npmc:    {pmc:#?}\nptpctl: {ours:#?}");

    // -z and the default of -b: still the same answers.
    let mut zero = with(&["GET DEFAULT_DATA_SET".into(), "GET PORT_DATA_SET".into()]);
    zero.retain(|a| a != "-b" && a != "0");
    zero.push("-z".into());
    let (pmc, ours) = same(&zero, None);
    assert_eq!(pmc, ours, "\npmc:    {pmc:#?}\nptpctl: {ours:#?}");
    assert_eq!(ours.answers.len(), 2 * 11, "{ours:#?}");
}

/// Network transports are out of scope: asked for one, ptpctl says so and fails as pmc fails
/// on a bad option, instead of asking the local socket behind the caller's back.
#[test]
fn network_transports_are_refused() {
    for flag in ["-2", "-4", "-6"] {
        let out = Command::new(PTPCTL)
            .args([flag, "GET DEFAULT_DATA_SET"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(255), "{flag}");
        assert!(out.stdout.is_empty(), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not supported"), "{flag}: {err}");
    }
}

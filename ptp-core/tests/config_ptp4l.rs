//! What our writer produces, linuxptp's own ptp4l (Debian's 3.1.1) accepts, and reads to the
//! same values we hold.
//!
//! For every fixture configuration: parse it, write it (ports replaced by `lo`), start
//! `ptp4l -f out.conf -i lo -S -m -q -l 7` until its port is LISTENING or it exits, and check
//! that ptp4l did not reject the file and that every numeric or text option it printed at
//! debug level ("config item lo.logSyncInterval is -4") equals our effective value.
//!
//! Needs root (ptp4l opens raw sockets) and ptp4l (`test_prereq`: skipped outside CI, failed
//! with CI=true).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ptp_core::config::value::ValueKind;
use ptp_core::config::{
    compat_3_1, parse_ptp4l_conf, write_ptp4l_conf, PortConfig, Ptp4lConfig, Scope, OPTIONS,
};
use test_prereq::{require, Prerequisite};

/// How long ptp4l may take to read its file and bring its port up, on a loaded machine.
const UP: Duration = Duration::from_secs(30);

fn rebuild(list: &str) -> String {
    let mut out = String::new();
    let mut current: Option<String> = None;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (section, key, value) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        if current.as_deref() != Some(section)
            || (section == "unicast_master_table" && key == "table_id")
        {
            out.push_str(&format!("[{section}]\n"));
            current = Some(section.to_owned());
        }
        out.push_str(&format!("{key} {value}\n"));
    }
    out
}

fn fixtures() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["debian-3.1.1", "operator"] {
        let d = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/config")
            .join(dir);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "options"))
            .collect();
        names.sort();
        for p in names {
            let text = rebuild(&std::fs::read_to_string(&p).unwrap());
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), text));
        }
    }
    out
}

/// Runs ptp4l on `conf` until its port is LISTENING or it exits (it rejected the file);
/// returns its output. Fails the test if neither happens within [`UP`].
fn run_ptp4l(conf: &Path, uds: &str) -> String {
    let log = conf.with_extension("log");
    let file = std::fs::File::create(&log).unwrap();
    let mut child = Command::new("ptp4l")
        .args([
            "-f",
            conf.to_str().unwrap(),
            "-i",
            "lo",
            "-S",
            "-m",
            "-q",
            "-l",
            "7",
        ])
        .args(["--uds_address", uds])
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let out = std::fs::read_to_string(&log).unwrap_or_default();
        let exited = child.try_wait().unwrap().is_some();
        if exited || out.contains("to LISTENING") {
            let _ = child.kill();
            let _ = child.wait();
            return std::fs::read_to_string(&log).unwrap_or_default();
        }
        if start.elapsed() > UP {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ptp4l neither brought lo up nor exited in {UP:?}:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Options we set on ptp4l's command line, so its values are not the file's.
const OVERRIDDEN: &[&str] = &[
    "time_stamping",
    "logging_level",
    "verbose",
    "use_syslog",
    "uds_address",
];

/// Compares ptp4l's "config item <section>.<name> is <value>" lines with our values.
///
/// Items ptp4l changes itself at start-up ("section item lo.hybrid_e2e now 1": a unicast client
/// implies hybrid E2E; "locked item global.x as y") are derived, not configured; skip them.
fn compare(name: &str, cfg: &Ptp4lConfig, out: &str) -> usize {
    let derived: Vec<&str> = out
        .lines()
        .filter_map(|l| {
            l.split("section item lo.")
                .nth(1)
                .or_else(|| l.split("locked item global.").nth(1))
        })
        .filter_map(|rest| rest.split(' ').next())
        .collect();
    let mut compared = 0;
    for line in out.lines() {
        let Some(rest) = line.split("config item ").nth(1) else {
            continue;
        };
        let Some((item, value)) = rest.split_once(" is ") else {
            continue;
        };
        // "<section>.<option>": the section may contain dots (the UDS port), so does the
        // option (G.8275.portDS.localPriority); take the longest known option suffix.
        let Some(spec) = OPTIONS
            .iter()
            .filter(|o| item.ends_with(&format!(".{}", o.name)))
            .max_by_key(|o| o.name.len())
        else {
            panic!("{name}: ptp4l printed {item}, which is not in our table");
        };
        let option = spec.name;
        let section = &item[..item.len() - option.len() - 1];
        if section != "lo" && section != "(null)" {
            continue; // the management (UDS) port
        }
        if OVERRIDDEN.contains(&option) || derived.contains(&option) {
            continue;
        }
        let ours = match (section, spec.scope) {
            ("lo", Scope::Port) => cfg.ports[0].options.get_text(option),
            (_, Scope::Global) => cfg.global.get_text(option),
            (_, Scope::Port) => cfg.port_defaults.get_text(option),
        }
        .unwrap();
        let theirs = value.trim_matches('\'');
        let equal = match spec.kind {
            ValueKind::Float { .. } => {
                (ours.parse::<f64>().unwrap() - theirs.parse::<f64>().unwrap()).abs() < 1e-6
            }
            ValueKind::Enum(_) | ValueKind::FaultReset => continue, // printed as C enum numbers
            ValueKind::DecimalSecs => {
                (ours.parse::<f64>().unwrap() - theirs.parse::<f64>().unwrap()).abs() < 1e-6
            }
            ValueKind::Int { .. } => {
                let o = i64::from_str_radix(
                    ours.trim_start_matches("0x"),
                    if ours.starts_with("0x") { 16 } else { 10 },
                )
                .or_else(|_| i64::from_str_radix(&ours[1..], 8));
                o.ok() == theirs.parse::<i64>().ok()
            }
            _ => ours == theirs,
        };
        assert!(equal, "{name}: {item}: ptp4l has {theirs}, we have {ours}");
        compared += 1;
    }
    compared
}

#[test]
fn ptp4l_3_1_accepts_what_we_write() {
    if !require(
        "ptp4l_3_1_accepts_what_we_write",
        &[Prerequisite::ROOT, Prerequisite::PTP4L],
    ) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("ptp-rs-config-ptp4l-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut total = 0;
    for (i, (name, text)) in fixtures().into_iter().enumerate() {
        let mut cfg = parse_ptp4l_conf(&text).unwrap().config;
        // Run on loopback: one port, keeping the first port's own settings if there was one.
        let overrides = cfg
            .ports
            .first()
            .map(|p| (p.overrides.clone(), p.options.clone()));
        let mut lo = PortConfig::new("lo", &cfg.port_defaults);
        if let Some((names, options)) = overrides {
            lo.overrides = names;
            lo.options = options;
        }
        cfg.ports = vec![lo];
        assert_eq!(compat_3_1(&cfg), vec![], "{name}");
        let written = write_ptp4l_conf(&cfg).unwrap();
        let conf = dir.join(format!("{i}.conf"));
        std::fs::write(&conf, &written).unwrap();
        let uds = dir.join(format!("{i}.sock"));
        let out = run_ptp4l(&conf, uds.to_str().unwrap());
        for bad in [
            "failed to parse configuration file",
            "unknown option",
            "bad value",
            "out of range",
            "malformed",
        ] {
            assert!(
                !out.contains(bad),
                "{name}: ptp4l rejected our file:\n{written}\n{out}"
            );
        }
        assert!(
            out.contains("config item"),
            "{name}: ptp4l printed no configuration:\n{out}"
        );
        total += compare(&name, &cfg, &out);
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("compared {total} option values with ptp4l");
    assert!(total > 500, "only {total} values compared");
}

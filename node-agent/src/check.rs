//! `ptp-agent --check`: test a configuration the way `nginx -t` does.
//!
//! Reads ptp4l-style arguments (`-f FILE`, `-i IFACE`, `-S`, `--option value`, ...), parses and
//! validates the configuration with ptp4l's precedence, and prints the effective configuration
//! (every option, its value and where it came from), then warnings, errors and the options our
//! engine does not implement yet. The outcome decides the exit status:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | usable: no errors, nothing unimplemented (warnings allowed) |
//! | 1 | unusable: a syntax, value, command-line or validation error (or an unreadable file) |
//! | 2 | valid, but it asks for options our engine does not implement yet (listed) |

use std::io::{self, Write};

use ptp_core::config::{
    load, parse_ptp4l_args, validate, CliError, Loaded, Phc, PhcMap, Scope, Severity, Source,
    Support, OPTIONS,
};

/// The verdict of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The configuration can run.
    Usable,
    /// It cannot: errors were printed.
    Invalid,
    /// It is valid but needs options we do not implement yet (listed).
    Unimplemented,
}

impl CheckOutcome {
    /// The process exit status for this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Usable => 0,
            Self::Invalid => 1,
            Self::Unimplemented => 2,
        }
    }
}

/// Reads the `-f` file; injected so tests and the binary share one code path.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> io::Result<String>;

/// Runs the check on ptp4l-style `args` (without `--check` and the program name), writing the
/// report to `out`.
pub fn run_check(
    args: &[String],
    read: ReadFile<'_>,
    phcs: &dyn PhcMap,
    out: &mut dyn Write,
) -> io::Result<CheckOutcome> {
    let cl = match parse_ptp4l_args(args) {
        Ok(cl) => cl,
        Err(e) => return command_line_error(&e, out),
    };
    let (file_name, text) = match &cl.config_file {
        Some(path) => match read(path) {
            Ok(text) => (path.clone(), Some(text)),
            Err(e) => {
                writeln!(out, "error: could not read configuration file {path}: {e}")?;
                return finish(out, path, CheckOutcome::Invalid);
            }
        },
        None => ("(command line only)".to_owned(), None),
    };
    tracing::debug!(file = %file_name, interfaces = ?cl.interfaces, "checking configuration");
    let loaded = match load(&cl, text.as_deref()) {
        Ok(l) => l,
        Err(errors) => {
            for e in &errors.0 {
                writeln!(out, "error: {e}")?;
            }
            return finish(out, &file_name, CheckOutcome::Invalid);
        }
    };
    print_effective(&loaded, out)?;
    for w in &loaded.warnings {
        writeln!(out, "warning: {w}")?;
    }
    if cl.phc_device.is_some() {
        writeln!(
            out,
            "warning: -p is deprecated and ignored; the PHC comes from each interface"
        )?;
    }
    let findings = validate(&loaded.config, phcs);
    for f in &findings {
        writeln!(out, "{f}")?;
    }
    let unimplemented = loaded.config.unimplemented();
    for u in &unimplemented {
        let source = match u.port {
            Some(i) => loaded.provenance.port(i, u.option),
            None => loaded.provenance.global(u.option),
        };
        let port = u
            .port
            .and_then(|i| loaded.config.ports.get(i))
            .map(|p| format!("port {}: ", p.name))
            .unwrap_or_default();
        writeln!(out, "not implemented: {port}{u} [{source}]")?;
    }
    let outcome = if findings.iter().any(|f| f.severity == Severity::Error) {
        CheckOutcome::Invalid
    } else if !unimplemented.is_empty() {
        CheckOutcome::Unimplemented
    } else {
        CheckOutcome::Usable
    };
    finish(out, &file_name, outcome)
}

fn command_line_error(e: &CliError, out: &mut dyn Write) -> io::Result<CheckOutcome> {
    writeln!(out, "error: command line: {e}")?;
    finish(out, "(command line)", CheckOutcome::Invalid)
}

fn finish(out: &mut dyn Write, file: &str, outcome: CheckOutcome) -> io::Result<CheckOutcome> {
    let verdict = match outcome {
        CheckOutcome::Usable => "test is successful",
        CheckOutcome::Invalid => "test failed",
        CheckOutcome::Unimplemented => {
            "test failed: it needs options the engine does not implement yet (listed above)"
        }
    };
    writeln!(out, "ptp-agent: configuration {file} {verdict}")?;
    Ok(outcome)
}

/// Prints every option with its effective value and source, in ptp4l.conf syntax.
fn print_effective(loaded: &Loaded, out: &mut dyn Write) -> io::Result<()> {
    let cfg = &loaded.config;
    let prov = &loaded.provenance;
    // ts2phc-only options mean nothing to ptp4l; list them only when set.
    let shown =
        |support: Support, source: Source| support != Support::Ts2phc || source != Source::Default;
    writeln!(
        out,
        "# effective configuration: option, value, where it came from"
    )?;
    writeln!(out, "[global]")?;
    for spec in OPTIONS {
        let source = prov.global(spec.name);
        if !shown(spec.support, source) {
            continue;
        }
        let value = match spec.scope {
            Scope::Global => cfg.global.get_text(spec.name),
            Scope::Port => cfg.port_defaults.get_text(spec.name),
        }
        .unwrap_or_default();
        line(out, spec.name, &value, &source.to_string())?;
    }
    for (i, port) in cfg.ports.iter().enumerate() {
        writeln!(out, "[{}]", port.name)?;
        for spec in OPTIONS.iter().filter(|o| o.scope == Scope::Port) {
            let own = port.overrides.contains(&spec.name);
            let source = prov.port(i, spec.name);
            if !shown(spec.support, source) {
                continue;
            }
            let value = port.options.get_text(spec.name).unwrap_or_default();
            let from = if own {
                source.to_string()
            } else {
                format!("[global]: {source}")
            };
            line(out, spec.name, &value, &from)?;
        }
    }
    for table in &cfg.unicast_master_tables {
        writeln!(out, "[unicast_master_table]")?;
        line(out, "table_id", &table.table_id.to_string(), "file")?;
        line(
            out,
            "logQueryInterval",
            &table.log_query_interval.0.to_string(),
            "file",
        )?;
        if let Some(peer) = &table.peer_address {
            line(out, "peer_address", peer, "file")?;
        }
        for m in &table.masters {
            writeln!(out, "{m}")?;
        }
    }
    Ok(())
}

fn line(out: &mut dyn Write, name: &str, value: &str, source: &str) -> io::Result<()> {
    // An empty value is shown as "" so the column stays readable.
    let value = if value.is_empty() { "\"\"" } else { value };
    writeln!(out, "{name:<45} {value:<24} # {source}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], file: &str) -> (CheckOutcome, String) {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let text = file.to_owned();
        let read = move |_: &str| Ok(text.clone());
        let mut out = Vec::new();
        let outcome = run_check(&args, &read, &(), &mut out).unwrap();
        (outcome, String::from_utf8(out).unwrap())
    }

    #[test]
    fn usable_configuration_lists_sources() {
        let (o, out) = check(
            &["-f", "x.conf", "-S", "--priority1", "100"],
            "[global]\ndomainNumber 24\n[eth0]\nlogSyncInterval -3\n",
        );
        assert_eq!(o, CheckOutcome::Usable, "{out}");
        assert!(out.contains("domainNumber"), "{out}");
        let find = |name: &str, section_after: &str| {
            out.split(section_after)
                .nth(1)
                .and_then(|s| s.lines().find(|l| l.starts_with(&format!("{name} "))))
                .unwrap_or("")
                .to_owned()
        };
        assert!(find("domainNumber", "[global]").ends_with("# file line 2"));
        assert!(find("priority1", "[global]").ends_with("# command line"));
        assert!(find("time_stamping", "[global]").ends_with("# command line"));
        assert!(find("priority2", "[global]").ends_with("# default"));
        assert!(find("logSyncInterval", "[eth0]").ends_with("# file line 4"));
        assert!(find("logAnnounceInterval", "[eth0]").ends_with("# [global]: default"));
        assert!(out.ends_with("ptp-agent: configuration x.conf test is successful\n"));
    }

    #[test]
    fn outcomes() {
        let (o, out) = check(&["-f", "x"], "[global]\npriority1 300\n[eth0]\n");
        assert_eq!(o, CheckOutcome::Invalid);
        assert!(out.contains("line 2 in [global] section"), "{out}");
        let (o, out) = check(&["-f", "x"], "[global]\nhybrid_e2e 1\n[eth0]\n");
        assert_eq!(o, CheckOutcome::Unimplemented);
        assert!(
            out.contains("not implemented: option hybrid_e2e 1"),
            "{out}"
        );
        assert!(out.contains("[file line 2]"), "{out}");
        let (o, out) = check(&["-f", "x"], "[global]\n");
        assert_eq!(o, CheckOutcome::Invalid);
        assert!(out.contains("error: no interface specified"), "{out}");
        let (o, _) = check(&["-x"], "");
        assert_eq!(o, CheckOutcome::Invalid);
        assert_eq!(CheckOutcome::Unimplemented.exit_code(), 2);
    }
}

/// The PHC of each interface as this host's ethtool reports it. An interface that does not
/// exist here (a configuration checked for another machine) is [`Phc::Unknown`], so the PHC
/// checks are skipped for it rather than failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostPhcs;

impl PhcMap for HostPhcs {
    fn phc(&self, iface: &str) -> Phc {
        match phc::TimestampingInfo::of(iface) {
            Ok(info) => info.phc_index.map_or(Phc::Missing, Phc::Index),
            Err(_) => Phc::Unknown,
        }
    }
}

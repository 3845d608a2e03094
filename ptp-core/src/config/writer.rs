//! Writes a [`Ptp4lConfig`] back as a `ptp4l.conf`.
//!
//! Decision: the writer emits an option only when it matters — when its value differs from
//! our default, or from linuxptp 3.1.1's default where that differs (`tx_timestamp_timeout`).
//! The one default linuxptp cannot share is our servo (`clock_servo kalman`): it is left out
//! like every default, so ptp4l runs its own default, PI, and `clock_servo pi` is written.
//! Port sections list the options the port set itself. The file then means the same to us, to
//! ptp4l 3.1.1 and to later ptp4l versions, as long as it uses no option or value 3.1.1 does
//! not know: [`compat_3_1`] lists those (an option unknown to 3.1.1 is only written when set
//! to a non-default value, so it is a real incompatibility).
//!
//! Reading the output back gives an equal [`Ptp4lConfig`] (a property test checks this); only
//! the provenance changes (command-line values become file lines).

use core::fmt::Write as _;

use super::model::Ptp4lConfig;
use super::table::{GlobalOptions, In31, OptionSpec, PortOptions, Scope, OPTIONS};

/// Something the file syntax cannot express.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A text value that is empty, spans lines or has surrounding whitespace.
    #[error("option {option}: value {value:?} cannot be written to a configuration file")]
    Unrepresentable {
        /// The option.
        option: &'static str,
        /// The value.
        value: String,
    },
    /// An interface name that cannot be a section header.
    #[error("interface name {0:?} cannot be written as a section header")]
    BadInterfaceName(String),
}

/// Why ptp4l 3.1.1 would not accept a written configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompatIssue {
    /// The option.
    pub option: &'static str,
    /// The value that would be written.
    pub value: String,
    /// What 3.1.1 lacks.
    pub reason: &'static str,
}

/// Enumeration values that ptp4l 3.1.1 rejects (added upstream later, or ours).
const VALUES_UNKNOWN_TO_3_1: &[(&str, &str)] = &[
    ("clock_servo", "kalman"),
    ("clock_servo", "statime"),
    ("clock_servo", "refclock_sock"),
    ("delay_mechanism", "NONE"),
    ("delay_mechanism", "COMMON_P2P"),
];

/// Whether the writer emits `value` for this option.
fn emitted(spec: &OptionSpec, value: &str, default: &str) -> bool {
    value != default || matches!(spec.in_3_1, In31::Default(d) if d != value)
}

fn writable(option: &'static str, value: &str) -> Result<(), WriteError> {
    if !value.is_empty() && !value.contains(['\n', '\r']) && value.trim() == value {
        Ok(())
    } else {
        Err(WriteError::Unrepresentable {
            option,
            value: value.to_owned(),
        })
    }
}

/// The `(option, value)` pairs the `[global]` section gets, in table order.
fn global_lines(config: &Ptp4lConfig) -> Vec<(&'static OptionSpec, String)> {
    let (gd, pd) = (GlobalOptions::default(), PortOptions::default());
    OPTIONS
        .iter()
        .filter_map(|spec| {
            let (value, default) = match spec.scope {
                Scope::Global => (config.global.get_text(spec.name)?, gd.get_text(spec.name)?),
                Scope::Port => (
                    config.port_defaults.get_text(spec.name)?,
                    pd.get_text(spec.name)?,
                ),
            };
            emitted(spec, &value, &default).then_some((spec, value))
        })
        .collect()
}

fn push_line(out: &mut String, name: &str, value: &str) {
    // Align values as linuxptp's default.cfg does.
    let _ = writeln!(out, "{name:<31} {value}");
}

/// Writes the configuration as a `ptp4l.conf`.
pub fn write_ptp4l_conf(config: &Ptp4lConfig) -> Result<String, WriteError> {
    let mut out = String::from("[global]\n");
    for (spec, value) in global_lines(config) {
        writable(spec.name, &value)?;
        push_line(&mut out, spec.name, &value);
    }
    for port in &config.ports {
        let n = &port.name;
        if n.is_empty() || n.contains(|c: char| c.is_whitespace() || c == '[' || c == ']') {
            return Err(WriteError::BadInterfaceName(n.clone()));
        }
        let _ = writeln!(out, "[{n}]");
        for name in &port.overrides {
            let Some(spec) = OPTIONS.iter().find(|o| o.name == *name) else {
                continue;
            };
            let Some(value) = port.options.get_text(name) else {
                continue;
            };
            writable(spec.name, &value)?;
            push_line(&mut out, name, &value);
        }
    }
    for table in &config.unicast_master_tables {
        let _ = writeln!(out, "[unicast_master_table]");
        push_line(&mut out, "table_id", &table.table_id.to_string());
        if table.log_query_interval.0 != 0 {
            push_line(
                &mut out,
                "logQueryInterval",
                &table.log_query_interval.0.to_string(),
            );
        }
        if let Some(peer) = &table.peer_address {
            push_line(&mut out, "peer_address", peer);
        }
        for master in &table.masters {
            let _ = writeln!(out, "{master}");
        }
    }
    Ok(out)
}

/// What in the written file ptp4l 3.1.1 would reject: options it does not know, values above
/// its ranges, enumeration values it lacks.
pub fn compat_3_1(config: &Ptp4lConfig) -> Vec<CompatIssue> {
    let mut lines = global_lines(config);
    for port in &config.ports {
        for name in &port.overrides {
            if let (Some(spec), Some(v)) = (
                OPTIONS.iter().find(|o| o.name == *name),
                port.options.get_text(name),
            ) {
                lines.push((spec, v));
            }
        }
    }
    let mut issues = Vec::new();
    for (spec, value) in lines {
        let reason = match spec.in_3_1 {
            In31::Absent => Some("option unknown to linuxptp 3.1.1"),
            In31::Max(max) if value.parse::<i64>().is_ok_and(|v| v > max) => {
                Some("value above linuxptp 3.1.1's maximum")
            }
            _ if VALUES_UNKNOWN_TO_3_1.contains(&(spec.name, value.as_str())) => {
                Some("value unknown to linuxptp 3.1.1")
            }
            _ => None,
        };
        if let Some(reason) = reason {
            if !issues
                .iter()
                .any(|i: &CompatIssue| i.option == spec.name && i.value == value)
            {
                issues.push(CompatIssue {
                    option: spec.name,
                    value,
                    reason,
                });
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ptp4l_conf;

    #[test]
    fn minimal_output() {
        let cfg =
            parse_ptp4l_conf("[global]\npriority1 128\nclockClass 6\n[eth0]\nlogSyncInterval -3\n")
                .unwrap()
                .config;
        let text = write_ptp4l_conf(&cfg).unwrap();
        assert_eq!(
            text,
            "[global]\n\
             clockClass                      6\n\
             tx_timestamp_timeout            10\n\
             [eth0]\n\
             logSyncInterval                 -3\n"
        );
        assert_eq!(parse_ptp4l_conf(&text).unwrap().config, cfg);
    }

    #[test]
    fn compat_issues() {
        let cfg = parse_ptp4l_conf(
            "[global]\nclock_servo statime\ndomainNumber 200\nclientOnly 1\n[eth0]\nptp_dst_ipv4 224.0.1.130\n",
        )
        .unwrap()
        .config;
        let issues: Vec<_> = compat_3_1(&cfg).into_iter().map(|i| i.option).collect();
        assert_eq!(issues, vec!["domainNumber", "clock_servo", "ptp_dst_ipv4"]);
    }

    #[test]
    fn default_servo_is_left_out_and_pi_is_written() {
        // Our default servo (kalman) is not written, so ptp4l runs its own default, PI.
        for text in ["[global]\n", "[global]\nclock_servo kalman\n"] {
            let cfg = parse_ptp4l_conf(text).unwrap().config;
            assert!(!write_ptp4l_conf(&cfg).unwrap().contains("clock_servo"));
            assert_eq!(compat_3_1(&cfg), vec![]);
        }
        let cfg = parse_ptp4l_conf("[global]\nclock_servo pi\n")
            .unwrap()
            .config;
        let text = write_ptp4l_conf(&cfg).unwrap();
        assert!(
            text.contains("clock_servo                     pi\n"),
            "{text}"
        );
        assert_eq!(parse_ptp4l_conf(&text).unwrap().config, cfg);
    }

    #[test]
    fn unrepresentable_values() {
        let mut cfg = Ptp4lConfig::default();
        cfg.global.product_description = "two\nlines".into();
        assert!(matches!(
            write_ptp4l_conf(&cfg),
            Err(WriteError::Unrepresentable {
                option: "productDescription",
                ..
            })
        ));
    }
}

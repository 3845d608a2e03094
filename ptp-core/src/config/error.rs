//! Errors and warnings of the configuration parser, each with the line and option it is about.
//!
//! Messages follow linuxptp's ("5x is a malformed value for option priority1 at line 2",
//! "unknown option foo at line 7 in eth0 section") but say more: which section, what was
//! expected, where an earlier definition was.

use core::fmt;

use super::value::ValueError;

/// Where something was set or went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A line of the configuration file (1-based) and its section (`None` before any section).
    Line {
        /// Line number, from 1.
        line: usize,
        /// Section name: `global`, `unicast_master_table` or an interface.
        section: Option<String>,
    },
    /// The command line.
    CommandLine,
}

impl Location {
    /// A file line within a section.
    pub fn line(line: usize, section: Option<&str>) -> Self {
        Self::Line {
            line,
            section: section.map(str::to_owned),
        }
    }

    /// The line number, if this is a file location.
    pub fn line_number(&self) -> Option<usize> {
        match self {
            Self::Line { line, .. } => Some(*line),
            Self::CommandLine => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line {
                line,
                section: Some(s),
            } => write!(f, "line {line} in [{s}] section"),
            Self::Line {
                line,
                section: None,
            } => write!(f, "line {line}"),
            Self::CommandLine => f.write_str("command line"),
        }
    }
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// A setting before the first section header.
    #[error("setting is not in a section (start the file with [global])")]
    NotInSection,
    /// An option name with no value.
    #[error("option has no value")]
    MissingValue,
    /// No option of that name (in any linuxptp version we know).
    #[error("unknown option")]
    UnknownOption,
    /// A clock-wide option in an interface section.
    #[error("this is a clock-wide option; it may only be set in [global] or on the command line")]
    GlobalOnly,
    /// The value is malformed or out of range.
    #[error("{0}")]
    BadValue(#[source] ValueError),
    /// An interface section that appeared before.
    #[error("interface section repeated (first at line {first_line})")]
    DuplicateInterface {
        /// Line of the first section with this name.
        first_line: usize,
    },
    /// `[` without an interface name.
    #[error("could not parse the port name of the section header")]
    BadSectionHeader,
    /// An interface name Linux cannot have (longer than 15 bytes).
    #[error("interface name is longer than 15 characters")]
    InterfaceNameTooLong,
    /// A unicast master table line before `table_id`.
    #[error("missing table_id: each [unicast_master_table] must start with table_id")]
    MissingTableId,
    /// `table_id` below 1.
    #[error("table_id {0} is out of range (allowed: 1 to 2147483647)")]
    TableIdOutOfRange(String),
    /// `table_id` used twice.
    #[error("table_id {id} already taken (at line {first_line})")]
    DuplicateTableId {
        /// The table id.
        id: u32,
        /// Line that first used it.
        first_line: usize,
    },
    /// `logQueryInterval` outside -128..=127 or not a number.
    #[error("logQueryInterval {0} is not an integer from -128 to 127")]
    BadQueryInterval(String),
    /// A master table entry whose transport is not L2, UDPv4 or UDPv6.
    #[error("unknown transport \"{0}\" (expected L2, UDPv4 or UDPv6)")]
    UnknownTransport(String),
    /// A master table address that does not fit its transport.
    #[error("bad {transport} address \"{address}\"")]
    BadAddress {
        /// The transport named on the line.
        transport: String,
        /// The offending address.
        address: String,
    },
    /// A master table line that is not `table_id`, `logQueryInterval`, `peer_address` or
    /// `<transport> <address>`.
    #[error("bad master table line (expected table_id, logQueryInterval, peer_address or \"<transport> <address>\")")]
    BadMasterTableLine,
    /// A command-line problem (unknown flag, missing argument).
    #[error("{0}")]
    CommandLine(String),
}

/// One configuration error: where, which option, what.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{location}: {}{kind}", describe_key(.key, .text))]
pub struct ConfigError {
    /// Where it happened.
    pub location: Location,
    /// The option involved, if any.
    pub key: Option<String>,
    /// The offending line or argument, trimmed.
    pub text: Option<String>,
    /// What is wrong.
    pub kind: ErrorKind,
}

fn describe_key(key: &Option<String>, text: &Option<String>) -> String {
    match (key, text) {
        (Some(k), _) => format!("option {k}: "),
        (None, Some(t)) => format!("\"{t}\": "),
        (None, None) => String::new(),
    }
}

impl ConfigError {
    /// The line number, if the error is in a file.
    pub fn line(&self) -> Option<usize> {
        self.location.line_number()
    }
}

/// Every error found in one configuration, in file order.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

/// Something accepted that deserves a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarningKind {
    /// A deprecated alias (linuxptp: "option X is deprecated, please use Y instead").
    Deprecated {
        /// The name to use instead.
        replacement: &'static str,
    },
    /// The option was set before in the same section; the last value wins, as in linuxptp.
    Repeated {
        /// Where it was set before.
        previous_line: usize,
    },
    /// A `[global]` setting ignored because the command line set the option.
    OverriddenByCommandLine,
    /// Text after the interface name in a section header, ignored as linuxptp does.
    SectionHeaderJunk,
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deprecated { replacement } => {
                write!(f, "deprecated, please use {replacement} instead")
            }
            Self::Repeated { previous_line } => {
                write!(
                    f,
                    "set again (before at line {previous_line}); the last value wins"
                )
            }
            Self::OverriddenByCommandLine => f.write_str("ignored: the command line sets it"),
            Self::SectionHeaderJunk => {
                f.write_str("text after the interface name in the section header is ignored")
            }
        }
    }
}

/// A warning with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Where.
    pub location: Location,
    /// The option, if any.
    pub key: Option<String>,
    /// What.
    pub kind: WarningKind,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}: option {k}: {}", self.location, self.kind),
            None => write!(f, "{}: {}", self.location, self.kind),
        }
    }
}

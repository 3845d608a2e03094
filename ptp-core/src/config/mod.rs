//! The configuration model of a PTP instance, read from linuxptp's `ptp4l.conf` syntax and
//! ptp4l-style command lines, plus phc2sys and ts2phc configuration.
//!
//! One option table ([`table::OPTIONS`]) drives everything: it generates the typed
//! [`GlobalOptions`] (clock-wide) and [`PortOptions`] (per interface), and the parser, the
//! writer, the `--check` listing and the documentation all read it. Each row says whether our
//! engine implements the option; [`Ptp4lConfig::unimplemented`] lists what a configuration
//! asks for that we do not do yet.
//!
//! In the order you call them:
//! - [`parse_ptp4l_args`] turns ptp4l arguments into a [`Ptp4lCommandLine`];
//! - [`load`] (or [`parse_ptp4l_conf`] for a file alone) builds a [`Ptp4lConfig`] with
//!   ptp4l's precedence, returning every error with its line ([`ConfigError`]) or the config
//!   with [`Provenance`] and [`Warning`]s;
//! - [`validate`] checks combinations (given the interfaces' PHCs) and returns [`Finding`]s;
//! - [`Ptp4lConfig::unimplemented`] lists options our engine does not handle yet;
//! - [`write_ptp4l_conf`] writes a file that linuxptp (3.1.1 and later) reads back to the same
//!   configuration; [`compat_3_1`] says what 3.1.1 would reject.
//!
//! [`phc2sys`] and [`ts2phc`] hold the typed models of those programs' options.

pub mod cli;
pub mod enums;
pub mod error;
mod model;
mod number;
mod parser;
pub mod phc2sys;
mod syntax;
pub mod table;
pub mod ts2phc;
pub mod unicast;
mod validate;
pub mod value;
mod writer;

pub use cli::{parse_ptp4l_args, CliError, Ptp4lCommandLine};
pub use error::{ConfigError, ConfigErrors, ErrorKind, Location, Warning, WarningKind};
pub use model::{PortConfig, Provenance, Ptp4lConfig, Source, Unimplemented};
pub use parser::{load, parse_ptp4l_conf, Loaded, MAX_IFNAME_LEN};
pub use table::{GlobalOptions, OptionSpec, PortOptions, Scope, Support, OPTIONS};
pub use validate::{validate, Finding, FindingKind, Phc, PhcMap, Severity};
pub use writer::{compat_3_1, write_ptp4l_conf, CompatIssue, WriteError};

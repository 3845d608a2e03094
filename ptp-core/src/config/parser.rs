//! Reads a `ptp4l.conf` (and ptp4l-style command-line settings) into a [`Ptp4lConfig`].
//!
//! Precedence is ptp4l's:
//! 1. a clock-wide option, or a port option's default, comes from the command line if it sets
//!    it (the `[global]` line is then ignored, with a warning), else from `[global]`, else
//!    from the option table;
//! 2. a port option comes from the port's own section if it sets it, else from the default
//!    above — so `-2` makes every port L2 except one whose section says `network_transport
//!    UDPv4`;
//! 3. ports named with `-i` come first, in command-line order, then the file's interface
//!    sections; a section for an interface given with `-i` configures that same port.
//!
//! Unlike ptp4l, which stops at the first error, we report every error in the file, and we
//! reject a repeated interface section (ptp4l silently merges them).

use std::collections::BTreeMap;

use super::cli::Ptp4lCommandLine;
use super::error::{ConfigError, ConfigErrors, ErrorKind, Location, Warning, WarningKind};
use super::model::{PortConfig, Provenance, Ptp4lConfig, Source};
use super::syntax::{lines, Header, Line};
use super::table::{lookup, resolve_alias, OptionSpec, PortOptions, Scope};
use super::unicast::{parse_table_line, TableLine, UnicastMasterTable};

/// A parsed configuration with where its values came from and what deserves a warning.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The configuration.
    pub config: Ptp4lConfig,
    /// Where each value came from.
    pub provenance: Provenance,
    /// Accepted oddities (deprecated names, repeated options, ...), in file order.
    pub warnings: Vec<Warning>,
}

/// Longest interface name Linux accepts (IFNAMSIZ - 1).
pub const MAX_IFNAME_LEN: usize = 15;

/// Reads a configuration file on its own (no command line).
pub fn parse_ptp4l_conf(text: &str) -> Result<Loaded, ConfigErrors> {
    load(&Ptp4lCommandLine::default(), Some(text))
}

/// Builds the configuration from ptp4l-style command-line settings and an optional file text,
/// with ptp4l's precedence (see the module documentation).
pub fn load(cli: &Ptp4lCommandLine, file: Option<&str>) -> Result<Loaded, ConfigErrors> {
    let mut l = Loader::default();
    for (key, value) in &cli.settings {
        let text = format!("--{key} {value}");
        if let Err(kind) = l.set_default(key, value, Source::CommandLine) {
            l.error(Location::CommandLine, Some(key), &text, kind);
        }
    }
    for name in &cli.interfaces {
        if let Err(kind) = l.port(name) {
            l.error(Location::CommandLine, None, &format!("-i {name}"), kind);
        }
    }
    if let Some(text) = file {
        l.read_file(text);
    }
    l.finish()
}

/// The section being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    None,
    Global,
    Port(usize),
    Table,
}

#[derive(Default)]
struct Loader {
    config: Ptp4lConfig,
    provenance: Provenance,
    warnings: Vec<Warning>,
    errors: Vec<ConfigError>,
    /// Options the command line set.
    locked: Vec<&'static str>,
    /// Line of each interface section seen in the file.
    sections: BTreeMap<String, usize>,
    /// Per port: its own settings `(option, value, line)`, applied at the end.
    pending: Vec<Vec<(&'static str, String, usize)>>,
    /// `table_id` line of each table, parallel to `config.unicast_master_tables`.
    table_lines: Vec<usize>,
    /// Index of the table being read.
    table: Option<usize>,
}

impl Loader {
    fn error(&mut self, location: Location, key: Option<&str>, text: &str, kind: ErrorKind) {
        self.errors.push(ConfigError {
            location,
            key: key.map(str::to_owned),
            text: Some(text.to_owned()),
            kind,
        });
    }

    fn warn(&mut self, location: Location, key: Option<&str>, kind: WarningKind) {
        self.warnings.push(Warning {
            location,
            key: key.map(str::to_owned),
            kind,
        });
    }

    /// Resolves a name (or alias) to its table row.
    fn spec(&mut self, key: &str, location: &Location) -> Result<&'static OptionSpec, ErrorKind> {
        if let Some(spec) = lookup(key) {
            return Ok(spec);
        }
        let (canonical, deprecated) = resolve_alias(key).ok_or(ErrorKind::UnknownOption)?;
        if deprecated {
            self.warn(
                location.clone(),
                Some(key),
                WarningKind::Deprecated {
                    replacement: canonical,
                },
            );
        }
        lookup(canonical).ok_or(ErrorKind::UnknownOption)
    }

    /// Sets a clock-wide option or a port default.
    fn set_default(&mut self, key: &str, value: &str, source: Source) -> Result<(), ErrorKind> {
        let location = match source {
            Source::File { line } => Location::line(line, Some("global")),
            _ => Location::CommandLine,
        };
        let spec = self.spec(key, &location)?;
        if source != Source::CommandLine && self.locked.contains(&spec.name) {
            // Still check the value, as ptp4l does before it looks at the lock.
            let mut scratch = Ptp4lConfig::default();
            Self::apply(&mut scratch, spec, value)?;
            self.warn(
                location,
                Some(spec.name),
                WarningKind::OverriddenByCommandLine,
            );
            return Ok(());
        }
        Self::apply(&mut self.config, spec, value)?;
        if let (Source::File { line }, Some(Source::File { line: first })) =
            (source, self.provenance.global.get(spec.name).copied())
        {
            self.warn(
                Location::line(line, Some("global")),
                Some(spec.name),
                WarningKind::Repeated {
                    previous_line: first,
                },
            );
        }
        if source == Source::CommandLine {
            self.locked.push(spec.name);
        }
        self.provenance.global.insert(spec.name, source);
        Ok(())
    }

    fn apply(config: &mut Ptp4lConfig, spec: &OptionSpec, value: &str) -> Result<(), ErrorKind> {
        let result = match spec.scope {
            Scope::Global => config.global.set_text(spec.name, value),
            Scope::Port => config.port_defaults.set_text(spec.name, value),
        };
        match result {
            Some(r) => r.map_err(ErrorKind::BadValue),
            None => Err(ErrorKind::UnknownOption),
        }
    }

    /// Finds or creates a port.
    fn port(&mut self, name: &str) -> Result<usize, ErrorKind> {
        if name.len() > MAX_IFNAME_LEN {
            return Err(ErrorKind::InterfaceNameTooLong);
        }
        if let Some(i) = self.config.ports.iter().position(|p| p.name == name) {
            return Ok(i);
        }
        self.config
            .ports
            .push(PortConfig::new(name, &PortOptions::default()));
        self.pending.push(Vec::new());
        self.provenance.ports.push(BTreeMap::new());
        Ok(self.config.ports.len() - 1)
    }

    fn read_file(&mut self, text: &str) {
        let mut section = Section::None;
        for (n, raw, line) in lines(text) {
            let section_name = self.section_name(section);
            let here = Location::line(n, section_name.as_deref());
            match line {
                Line::Section(h) => section = self.open_section(h, n, raw).unwrap_or(section),
                Line::Bare(key) if section != Section::Table && section != Section::None => {
                    self.error(here, Some(key), raw, ErrorKind::MissingValue);
                }
                _ if section == Section::None => {
                    self.error(here, None, raw, ErrorKind::NotInSection);
                }
                _ if section == Section::Table => self.table_line(raw, here),
                Line::Setting { key, value } => {
                    let result = match section {
                        Section::Port(i) => self.set_port(i, key, value, n, &here),
                        _ => self.set_default(key, value, Source::File { line: n }),
                    };
                    if let Err(kind) = result {
                        self.error(here, Some(key), raw, kind);
                    }
                }
                Line::Bare(_) => {}
            }
        }
    }

    fn section_name(&self, section: Section) -> Option<String> {
        match section {
            Section::None => None,
            Section::Global => Some("global".into()),
            Section::Table => Some("unicast_master_table".into()),
            Section::Port(i) => self.config.ports.get(i).map(|p| p.name.clone()),
        }
    }

    fn open_section(&mut self, header: Header<'_>, n: usize, raw: &str) -> Option<Section> {
        match header {
            Header::Global => Some(Section::Global),
            Header::UnicastMasterTable => {
                self.table = None;
                Some(Section::Table)
            }
            Header::Empty => {
                self.error(
                    Location::line(n, None),
                    None,
                    raw,
                    ErrorKind::BadSectionHeader,
                );
                None
            }
            Header::Interface { name, junk } => {
                if let Some(&first_line) = self.sections.get(name) {
                    self.error(
                        Location::line(n, Some(name)),
                        None,
                        raw,
                        ErrorKind::DuplicateInterface { first_line },
                    );
                    // Keep reading into the same port so later errors still show.
                }
                if junk {
                    self.warn(
                        Location::line(n, Some(name)),
                        None,
                        WarningKind::SectionHeaderJunk,
                    );
                }
                match self.port(name) {
                    Ok(i) => {
                        self.sections.entry(name.to_owned()).or_insert(n);
                        Some(Section::Port(i))
                    }
                    Err(kind) => {
                        self.error(Location::line(n, Some(name)), None, raw, kind);
                        None
                    }
                }
            }
        }
    }

    fn set_port(
        &mut self,
        port: usize,
        key: &str,
        value: &str,
        n: usize,
        here: &Location,
    ) -> Result<(), ErrorKind> {
        let spec = self.spec(key, here)?;
        if spec.scope != Scope::Port {
            return Err(ErrorKind::GlobalOnly);
        }
        let mut scratch = PortOptions::default();
        match scratch.set_text(spec.name, value) {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(ErrorKind::BadValue(e)),
            None => return Err(ErrorKind::UnknownOption),
        }
        if let Some(pending) = self.pending.get_mut(port) {
            if let Some(&(_, _, previous_line)) =
                pending.iter().rev().find(|(name, _, _)| *name == spec.name)
            {
                self.warnings.push(Warning {
                    location: here.clone(),
                    key: Some(spec.name.to_owned()),
                    kind: WarningKind::Repeated { previous_line },
                });
            }
        }
        if let Some(pending) = self.pending.get_mut(port) {
            pending.push((spec.name, value.to_owned(), n));
        }
        Ok(())
    }

    fn table_line(&mut self, raw: &str, here: Location) {
        let parsed = match parse_table_line(raw) {
            Ok(p) => p,
            Err(kind) => return self.error(here, None, raw, kind),
        };
        let n = here.line_number().unwrap_or(0);
        if let TableLine::TableId(id) = parsed {
            let taken = self
                .config
                .unicast_master_tables
                .iter()
                .zip(&self.table_lines)
                .find(|(t, _)| t.table_id == id)
                .map(|(_, &line)| line);
            if let Some(first_line) = taken {
                return self.error(
                    here,
                    None,
                    raw,
                    ErrorKind::DuplicateTableId { id, first_line },
                );
            }
            self.config
                .unicast_master_tables
                .push(UnicastMasterTable::new(id));
            self.table_lines.push(n);
            self.table = Some(self.config.unicast_master_tables.len() - 1);
            return;
        }
        let Some(table) = self
            .table
            .and_then(|i| self.config.unicast_master_tables.get_mut(i))
        else {
            return self.error(here, None, raw, ErrorKind::MissingTableId);
        };
        match parsed {
            TableLine::QueryInterval(q) => table.log_query_interval = q,
            TableLine::Peer(p) => table.peer_address = Some(p),
            TableLine::Master(a) => table.masters.push(a),
            TableLine::TableId(_) => {}
        }
    }

    fn finish(mut self) -> Result<Loaded, ConfigErrors> {
        for (i, port) in self.config.ports.iter_mut().enumerate() {
            port.options = self.config.port_defaults.clone();
            let Some(pending) = self.pending.get(i) else {
                continue;
            };
            for (name, value, line) in pending {
                // Values were checked when read; a failure here cannot happen, but if it did
                // it must not pass silently.
                if let Some(Err(e)) = port.options.set_text(name, value) {
                    self.errors.push(ConfigError {
                        location: Location::line(*line, Some(&port.name)),
                        key: Some((*name).to_owned()),
                        text: Some(value.clone()),
                        kind: ErrorKind::BadValue(e),
                    });
                }
                if !port.overrides.contains(name) {
                    port.overrides.push(name);
                }
                if let Some(p) = self.provenance.ports.get_mut(i) {
                    p.insert(name, Source::File { line: *line });
                }
            }
        }
        if self.errors.is_empty() {
            Ok(Loaded {
                config: self.config,
                provenance: self.provenance,
                warnings: self.warnings,
            })
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}

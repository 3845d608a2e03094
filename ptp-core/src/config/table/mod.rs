//! THE option table: every linuxptp 3.1–4.x configuration option (upstream's `config_tab` up
//! to v4.4 and the options its master branch added since: `delay_request_variability`,
//! `profileIdentity`, `user`, `ts2phc.pulserate`, `ts2phc.pin_name`, `ts2phc.external_pps`)
//! with its scope, value kind and range, default, whether our engine implements it, and how
//! linuxptp 3.1.1 differs.
//!
//! This one table drives everything: the typed structs [`GlobalOptions`]
//! (clock-wide) and [`PortOptions`] (per interface; set in `[global]` they are the port
//! defaults) are generated from it, as are the parser's lookup, the writer's output, the
//! `--check` listing and the documentation ([`OPTIONS`]).
//!
//! Decisions, for the record:
//! - Defaults are upstream linuxptp 4.x's, except `clock_servo`: ours is `kalman`, our own
//!   servo, because with software time stamps its error is about half PI's (at most 0.57 of
//!   it) and it locks in less than half the time (asserted by
//!   `tests/sim_servo_convergence.rs`).
//!   `clock_servo pi` still selects linuxptp's PI servo exactly, and linuxptp's own configs
//!   usually say so. The writer leaves the default out, so ptp4l reading a written file runs
//!   its own default, PI: the closest it has. Where 3.1.1 differs (`tx_timestamp_timeout` is 1 ms
//!   there, 10 ms upstream) the row says so and the writer emits the value explicitly, so that
//!   ptp4l 3.1.1 reads the same configuration we do.
//! - Ranges are upstream's, except that log2 intervals (`summary_interval`,
//!   `freq_est_interval`) are limited to -128..=127 because they are [`crate::time::LogInterval`]s.
//! - `slaveOnly`/`masterOnly` are the canonical names (3.1.1 knows no others); upstream's
//!   `clientOnly`/`serverOnly` are accepted as aliases ([`ALIASES`]).
//! - "Implemented" means our engine handles the option (or will, as the obvious part of what it
//!   does). Options marked [`Support::NotYet`] are accepted, and reported by
//!   [`super::Ptp4lConfig::unimplemented`] when set to anything but their default; the list
//!   shrinks as features land — flip the row. Since only non-default values are reported, a
//!   row can be "not yet" for the non-default value alone: `twoStepFlag` (two-step, the
//!   default, works; `twoStepFlag 0`, one-step, does not yet). Enumeration values we lack
//!   (`clock_servo ntpshm`, `clock_type E2E_TC`, `BMCA noop`, `time_stamping onestep`, ...) are
//!   marked on the enumeration itself ([`super::enums`]).
//! - Judgement calls: `path_trace_enabled`, the socket options (`dscp_*`, `udp_ttl`,
//!   `socket_priority`), `fault_reset_interval` and `tsproc_mode raw` are implemented;
//!   unicast negotiation (`unicast_master_table`, `unicast_listen`, `unicast_req_duration`),
//!   `syncReceiptTimeout`, the bad-peer-network fault, the 802.1AS asCapable thresholds,
//!   `freq_est_interval`, non-standard UDP destination addresses, 802.1AS/automotive extras (`assume_two_step`, `follow_up_info`,
//!   `inhibit_*`, `ignore_source_id`, `asCapable true`, `msg_interval_request`, `operLog*`),
//!   hybrid E2E, NetSync, transparent clocks, authentication, CMLDS, the power profile,
//!   `leapfile`, `write_phase_mode`, `boundary_clock_jbod`, 4.x management extras, `user`
//!   (dropping root) and an explicit `profileIdentity` are not yet.
//! - Scopes are upstream's, including the surprising ones: `uds_file_mode` and
//!   `uds_ro_file_mode` are port options there (the UDS port reads them); the agent's socket
//!   takes the `[global]` value.
//! - `ptp_dst_mac` and `p2p_dst_mac` are implemented (G.8275.1 sends everything to
//!   01:80:C2:00:00:0E).
//! - Three options are marked implemented although their default's behaviour is not there
//!   yet, because "not yet" would refuse exactly the value that describes what we do:
//!   `kernel_leap 1` (a pending leap second is not yet passed to the kernel; we act as
//!   `kernel_leap 0`), `sanity_freq_limit` (the clock-frequency sanity check is not yet
//!   made; we act as `sanity_freq_limit 0`) and `use_syslog 1` (the agent logs to stderr,
//!   which systemd's journal and the kubelet collect; it does not write to syslog itself).
//! - To change the default servo, change the one `clock_servo` row.

use super::value::ValueKind;

/// Where an option may be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Clock-wide: only in `[global]` (or on the command line).
    Global,
    /// Per port: in `[global]` as the default for every port, or in an interface section.
    Port,
}

/// Whether our engine implements an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Implemented (or the obvious part of what the engine does).
    Yes,
    /// Accepted but not implemented yet; the text says what is missing.
    NotYet(&'static str),
    /// Read by ts2phc only; ptp4l accepts and ignores it.
    Ts2phc,
}

/// How linuxptp 3.1.1 (Debian's) treats an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In31 {
    /// Same name, default and range.
    Same,
    /// Unknown to 3.1.1: it rejects the whole file.
    Absent,
    /// Known with a different default (this text).
    Default(&'static str),
    /// Known with a smaller maximum.
    Max(i64),
}

/// One row of the option table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptionSpec {
    /// linuxptp's name, case-sensitive.
    pub name: &'static str,
    /// Where it may be set.
    pub scope: Scope,
    /// Syntax and range of its value.
    pub kind: ValueKind,
    /// Whether our engine implements it.
    pub support: Support,
    /// How linuxptp 3.1.1 treats it.
    pub in_3_1: In31,
    /// What it does.
    pub doc: &'static str,
}

impl OptionSpec {
    /// The default value as configuration text.
    pub fn default_text(&self) -> String {
        match self.scope {
            Scope::Global => GlobalOptions::default().get_text(self.name),
            Scope::Port => PortOptions::default().get_text(self.name),
        }
        .unwrap_or_default()
    }
}

/// Looks an option up by its canonical name.
pub fn lookup(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Other names linuxptp accepts for an option: `(alias, canonical name, deprecated?)`.
///
/// Deprecated aliases produce a warning, as linuxptp prints "option X is deprecated, please
/// use Y instead".
pub const ALIASES: &[(&str, &str, bool)] = &[
    ("clientOnly", "slaveOnly", false),
    ("serverOnly", "masterOnly", false),
    ("pi_offset_const", "step_threshold", true),
    ("pi_f_offset_const", "first_step_threshold", true),
    ("pi_max_frequency", "max_frequency", true),
];

/// Resolves an alias to its canonical name: `(canonical, deprecated?)`.
pub fn resolve_alias(name: &str) -> Option<(&'static str, bool)> {
    ALIASES
        .iter()
        .find(|(a, _, _)| *a == name)
        .map(|(_, c, d)| (*c, *d))
}

/// The option table as a Markdown document (name, scope, default, values, implemented?,
/// linuxptp 3.1.1), for `OPTIONS.md` beside this module; a test keeps that file current.
pub fn markdown() -> String {
    let mut out = String::from(
        "# ptp4l.conf options\n\n\
         Generated from `ptp-core/src/config/table/rows.rs` by `table::markdown()`; do not edit.\n\
         \"not yet\" options are accepted and reported by `ptp-agent --check` when set to a \
         non-default value.\n\n\
         | option | scope | default | values | implemented | linuxptp 3.1.1 | meaning |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for o in OPTIONS {
        let scope = match o.scope {
            Scope::Global => "global",
            Scope::Port => "port",
        };
        let support = match o.support {
            Support::Yes => "yes".to_owned(),
            Support::NotYet(why) => format!("not yet ({why})"),
            Support::Ts2phc => "ts2phc only".to_owned(),
        };
        let in31 = match o.in_3_1 {
            In31::Same => "same".to_owned(),
            In31::Absent => "unknown".to_owned(),
            In31::Default(d) => format!("default {d}"),
            In31::Max(m) => format!("max {m}"),
        };
        let doc = o.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "| `{}` | {scope} | `{}` | {} | {support} | {in31} | {} |\n",
            o.name,
            o.default_text(),
            o.kind.describe().replace('|', "\\|"),
            doc.replace('|', "\\|"),
        ));
    }
    out
}

macro_rules! option_table {
    (
        global {
            $( $(#[doc = $gdoc:literal])+
               [$gname:literal, $gkind:expr, $gsup:expr, $g31:expr]
               $gfield:ident: $gty:ty = $gdef:expr; )*
        }
        port {
            $( $(#[doc = $pdoc:literal])+
               [$pname:literal, $pkind:expr, $psup:expr, $p31:expr]
               $pfield:ident: $pty:ty = $pdef:expr; )*
        }
    ) => {
        /// Clock-wide options (`[global]` only): the default data set, servo, logging,
        /// management and clock description. Generated from the option table.
        #[derive(Clone, Debug, PartialEq)]
        pub struct GlobalOptions {
            $( $(#[doc = $gdoc])+ #[doc = concat!("\n\nOption `", $gname, "`.")]
               pub $gfield: $gty, )*
        }

        impl Default for GlobalOptions {
            fn default() -> Self {
                Self { $( $gfield: $gdef, )* }
            }
        }

        impl GlobalOptions {
            /// Sets an option from configuration text; `None` if no global option has
            /// that name.
            pub fn set_text(&mut self, name: &str, text: &str) -> Option<Result<(), ValueError>> {
                match name {
                    $( $gname => Some(<$gty as OptionValue>::parse(text, &$gkind)
                        .map(|v| self.$gfield = v)), )*
                    _ => None,
                }
            }

            /// The value of an option as configuration text.
            pub fn get_text(&self, name: &str) -> Option<String> {
                match name {
                    $( $gname => Some(OptionValue::render(&self.$gfield, &$gkind)), )*
                    _ => None,
                }
            }

            /// Why the current value of an option is not implemented, if it is an enumeration
            /// value we do not support yet.
            pub fn value_unimplemented(&self, name: &str) -> Option<&'static str> {
                match name {
                    $( $gname => OptionValue::unimplemented(&self.$gfield), )*
                    _ => None,
                }
            }
        }

        /// Per-port options. Set in `[global]` they are every port's defaults; an interface
        /// section overrides them for that port. Generated from the option table.
        #[derive(Clone, Debug, PartialEq)]
        pub struct PortOptions {
            $( $(#[doc = $pdoc])+ #[doc = concat!("\n\nOption `", $pname, "`.")]
               pub $pfield: $pty, )*
        }

        impl Default for PortOptions {
            fn default() -> Self {
                Self { $( $pfield: $pdef, )* }
            }
        }

        impl PortOptions {
            /// Sets an option from configuration text; `None` if no port option has that
            /// name.
            pub fn set_text(&mut self, name: &str, text: &str) -> Option<Result<(), ValueError>> {
                match name {
                    $( $pname => Some(<$pty as OptionValue>::parse(text, &$pkind)
                        .map(|v| self.$pfield = v)), )*
                    _ => None,
                }
            }

            /// The value of an option as configuration text.
            pub fn get_text(&self, name: &str) -> Option<String> {
                match name {
                    $( $pname => Some(OptionValue::render(&self.$pfield, &$pkind)), )*
                    _ => None,
                }
            }

            /// Why the current value of an option is not implemented, if it is an enumeration
            /// value we do not support yet.
            pub fn value_unimplemented(&self, name: &str) -> Option<&'static str> {
                match name {
                    $( $pname => OptionValue::unimplemented(&self.$pfield), )*
                    _ => None,
                }
            }
        }

        /// Every option, clock-wide ones first, in the order the writer emits them.
        pub static OPTIONS: &[OptionSpec] = &[
            $( OptionSpec { name: $gname, scope: Scope::Global, kind: $gkind, support: $gsup,
                            in_3_1: $g31, doc: concat!($($gdoc),+) }, )*
            $( OptionSpec { name: $pname, scope: Scope::Port, kind: $pkind, support: $psup,
                            in_3_1: $p31, doc: concat!($($pdoc),+) }, )*
        ];
    };
}

mod rows;

pub use rows::{GlobalOptions, PortOptions, OPTIONS};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_read_back() {
        for (i, o) in OPTIONS.iter().enumerate() {
            assert!(
                !OPTIONS[..i].iter().any(|p| p.name == o.name),
                "duplicate option {}",
                o.name
            );
            let text = o.default_text();
            if text.is_empty() {
                // Empty defaults (userDescription, leapfile) cannot be written in a file.
                continue;
            }
            let mut g = GlobalOptions::default();
            let mut p = PortOptions::default();
            let res = match o.scope {
                Scope::Global => g.set_text(o.name, &text),
                Scope::Port => p.set_text(o.name, &text),
            };
            match res {
                Some(Ok(())) => {
                    assert_eq!(g, GlobalOptions::default(), "{}", o.name);
                    assert_eq!(p, PortOptions::default(), "{}", o.name);
                }
                // Options whose default lies outside their range (ts2phc.perout_phase -1)
                // or is empty text with no meaning.
                Some(Err(e)) => assert!(
                    o.name == "ts2phc.perout_phase",
                    "default of {} does not read back: {e}",
                    o.name
                ),
                None => panic!("{} is not settable in its own scope", o.name),
            }
        }
    }

    #[test]
    fn options_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/config/table/OPTIONS.md");
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != markdown() {
            if std::env::var_os("UPDATE_OPTIONS_MD").is_some() {
                std::fs::write(path, markdown()).unwrap();
            } else {
                panic!(
                    "{path} is stale: run UPDATE_OPTIONS_MD=1 cargo test -p ptp-core options_md"
                );
            }
        }
    }

    #[test]
    fn aliases_point_at_options() {
        for (alias, canonical, _) in ALIASES {
            assert!(lookup(alias).is_none(), "{alias} shadows an option");
            assert!(lookup(canonical).is_some(), "{canonical} missing");
        }
    }

    #[test]
    fn table_covers_the_documented_set() {
        // linuxptp's most used options (reference 1.13), with their defaults.
        for (name, default) in [
            ("domainNumber", "0"),
            ("priority1", "128"),
            ("clockClass", "248"),
            ("clockAccuracy", "0xFE"),
            ("offsetScaledLogVariance", "0xFFFF"),
            ("logAnnounceInterval", "1"),
            ("announceReceiptTimeout", "3"),
            ("delay_mechanism", "E2E"),
            ("network_transport", "UDPv4"),
            ("time_stamping", "hardware"),
            // Ours: linuxptp's is pi (see the decisions above).
            ("clock_servo", "kalman"),
            // Ours: linuxptp 4.x's is 1 (see the decisions above).
            ("ptp_minor_version", "0"),
            ("first_step_threshold", "0.00002"),
            ("step_threshold", "0"),
            ("max_frequency", "900000000"),
            ("sanity_freq_limit", "200000000"),
            ("tx_timestamp_timeout", "10"),
            ("fault_reset_interval", "4"),
            ("uds_address", "/var/run/ptp4l"),
            ("productDescription", ";;"),
            ("manufacturerIdentity", "00:00:00"),
            ("ptp_dst_mac", "01:1B:19:00:00:00"),
            ("ptp_dst_ipv6", "FF0E::181"),
        ] {
            assert_eq!(
                lookup(name).map(|o| o.default_text()),
                Some(default.into()),
                "{name}"
            );
        }
    }
}

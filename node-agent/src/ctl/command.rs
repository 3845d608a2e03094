//! pmc's command language: `ACTION ID [values]`, `TARGET portIdentity|*` and `HELP`, with
//! pmc 3.1.1's table of management IDs, its prefix matching and its SET argument formats.
//!
//! [`parse`] turns one command line into what to do: send a request, print a line (on stdout
//! or stderr, as pmc does), or report a bad command (pmc's `bad command: …`).

use ptp_core::wire::management::{
    Action, GrandmasterSettingsNp, ManagementData, ManagementId, PortDataSetNp, SubscribeEventsNp,
    SynchronizationUncertain, TimeFlags,
};
use ptp_core::wire::{ClockAccuracy, ClockIdentity, ClockQuality, PortIdentity, TimeSource};

use super::render::TIME_FLAG_NAMES;

/// How pmc treats an ID of its table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// GET only.
    Get,
    /// GET and SET (with the ID's own SET arguments).
    GetSet,
    /// In the table, but "not supported yet".
    Unsupported,
    /// NULL_MANAGEMENT: GET only, and another message for the rest.
    Null,
}

/// pmc 3.1.1's table, in its order (which is the order of `HELP`).
const TABLE: &[(ManagementId, Kind)] = &[
    (ManagementId::USER_DESCRIPTION, Kind::Get),
    (
        ManagementId::SAVE_IN_NON_VOLATILE_STORAGE,
        Kind::Unsupported,
    ),
    (ManagementId::RESET_NON_VOLATILE_STORAGE, Kind::Unsupported),
    (ManagementId::INITIALIZE, Kind::Unsupported),
    (ManagementId::FAULT_LOG, Kind::Unsupported),
    (ManagementId::FAULT_LOG_RESET, Kind::Unsupported),
    (ManagementId::DEFAULT_DATA_SET, Kind::Get),
    (ManagementId::CURRENT_DATA_SET, Kind::Get),
    (ManagementId::PARENT_DATA_SET, Kind::Get),
    (ManagementId::TIME_PROPERTIES_DATA_SET, Kind::Get),
    (ManagementId::PRIORITY1, Kind::GetSet),
    (ManagementId::PRIORITY2, Kind::GetSet),
    (ManagementId::DOMAIN, Kind::Get),
    (ManagementId::SLAVE_ONLY, Kind::Get),
    (ManagementId::TIME, Kind::Unsupported),
    (ManagementId::CLOCK_ACCURACY, Kind::Get),
    (ManagementId::UTC_PROPERTIES, Kind::Unsupported),
    (ManagementId::TRACEABILITY_PROPERTIES, Kind::Get),
    (ManagementId::TIMESCALE_PROPERTIES, Kind::Get),
    (ManagementId::PATH_TRACE_LIST, Kind::Unsupported),
    (ManagementId::PATH_TRACE_ENABLE, Kind::Unsupported),
    (ManagementId::GRANDMASTER_CLUSTER_TABLE, Kind::Unsupported),
    (ManagementId::ACCEPTABLE_MASTER_TABLE, Kind::Unsupported),
    (
        ManagementId::ACCEPTABLE_MASTER_MAX_TABLE_SIZE,
        Kind::Unsupported,
    ),
    (
        ManagementId::ALTERNATE_TIME_OFFSET_ENABLE,
        Kind::Unsupported,
    ),
    (ManagementId::ALTERNATE_TIME_OFFSET_NAME, Kind::Unsupported),
    (
        ManagementId::ALTERNATE_TIME_OFFSET_MAX_KEY,
        Kind::Unsupported,
    ),
    (
        ManagementId::ALTERNATE_TIME_OFFSET_PROPERTIES,
        Kind::Unsupported,
    ),
    (
        ManagementId::TRANSPARENT_CLOCK_DEFAULT_DATA_SET,
        Kind::Unsupported,
    ),
    (ManagementId::PRIMARY_DOMAIN, Kind::Unsupported),
    (ManagementId::TIME_STATUS_NP, Kind::Get),
    (ManagementId::GRANDMASTER_SETTINGS_NP, Kind::GetSet),
    (ManagementId::SUBSCRIBE_EVENTS_NP, Kind::GetSet),
    (ManagementId::SYNCHRONIZATION_UNCERTAIN_NP, Kind::GetSet),
    (ManagementId::NULL_MANAGEMENT, Kind::Null),
    (ManagementId::CLOCK_DESCRIPTION, Kind::Get),
    (ManagementId::PORT_DATA_SET, Kind::Get),
    (ManagementId::LOG_ANNOUNCE_INTERVAL, Kind::Get),
    (ManagementId::ANNOUNCE_RECEIPT_TIMEOUT, Kind::Get),
    (ManagementId::LOG_SYNC_INTERVAL, Kind::Get),
    (ManagementId::VERSION_NUMBER, Kind::Get),
    (ManagementId::ENABLE_PORT, Kind::Unsupported),
    (ManagementId::DISABLE_PORT, Kind::Unsupported),
    (ManagementId::UNICAST_NEGOTIATION_ENABLE, Kind::Unsupported),
    (ManagementId::UNICAST_MASTER_TABLE, Kind::Unsupported),
    (
        ManagementId::UNICAST_MASTER_MAX_TABLE_SIZE,
        Kind::Unsupported,
    ),
    (
        ManagementId::ACCEPTABLE_MASTER_TABLE_ENABLED,
        Kind::Unsupported,
    ),
    (ManagementId::ALTERNATE_MASTER, Kind::Unsupported),
    (
        ManagementId::TRANSPARENT_CLOCK_PORT_DATA_SET,
        Kind::Unsupported,
    ),
    (ManagementId::DELAY_MECHANISM, Kind::Get),
    (ManagementId::LOG_MIN_PDELAY_REQ_INTERVAL, Kind::Get),
    (ManagementId::PORT_DATA_SET_NP, Kind::GetSet),
    (ManagementId::PORT_STATS_NP, Kind::Get),
    (ManagementId::PORT_PROPERTIES_NP, Kind::Get),
];

/// A request to send: GET (its data is the client's business) or SET with a typed body.
#[derive(Clone, PartialEq, Debug)]
pub enum Request {
    /// GET of the ID.
    Get(ManagementId),
    /// SET of the ID to this body.
    Set(ManagementId, Box<ManagementData<'static>>),
}

/// What one command asks for.
#[derive(Clone, PartialEq, Debug)]
pub enum Command {
    /// Print `sending: ACTION ID` on stdout, then send the request.
    Send(Request),
    /// Print `sending: ACTION ID` on stdout, then this line on stderr (a GET-only ID asked
    /// for another action, SET values that do not parse).
    Refuse(Action, ManagementId, String),
    /// Print `sending: ACTION ID`, then this line on stdout, and send nothing (an ID pmc
    /// does not support, a non-GET of NULL_MANAGEMENT).
    Reply(Action, ManagementId, String),
    /// Print this on stdout and send nothing (an ambiguous ID).
    Say(String),
    /// Address the following requests to this port (`TARGET`).
    Target(PortIdentity),
    /// Print the help text on stdout.
    Help,
    /// Not a command: pmc prints `bad command: <line>` on stderr.
    Bad,
}

impl Command {
    /// The `sending: …` line pmc prints for this command, if any.
    pub fn sending_line(&self) -> Option<String> {
        let (action, id) = match self {
            Self::Send(Request::Get(id)) => (Action::Get, *id),
            Self::Send(Request::Set(id, _)) => (Action::Set, *id),
            Self::Refuse(action, id, _) | Self::Reply(action, id, _) => (*action, *id),
            _ => return None,
        };
        Some(format!("sending: {} {}", action.name(), id.name()))
    }
}

/// Parses one command line as pmc does.
pub fn parse(line: &str) -> Command {
    if !line.is_empty() && starts_with_ignore_case("HELP", line) {
        return Command::Help;
    }
    let mut words = line.split_whitespace();
    let (Some(action_word), Some(id_word)) = (words.next(), words.next()) else {
        return Command::Bad;
    };
    let values: Vec<&str> = words.collect();
    if starts_with_ignore_case("TARGET", action_word) {
        return parse_target(id_word).map_or(Command::Bad, Command::Target);
    }
    let Some(action) = parse_action(action_word) else {
        return Command::Bad;
    };
    let (id, kind) = match lookup(id_word) {
        Lookup::Found(id, kind) => (id, kind),
        Lookup::None => return Command::Bad,
        Lookup::Ambiguous => return Command::Say(format!("id {id_word} is too ambiguous")),
    };
    match (kind, action) {
        (Kind::Unsupported, _) => Command::Reply(
            action,
            id,
            format!("sorry, {} not supported yet", id.name()),
        ),
        (Kind::Null | Kind::Get | Kind::GetSet, Action::Get) => Command::Send(Request::Get(id)),
        (Kind::Null, _) => Command::Reply(action, id, "non-get actions still todo".into()),
        (Kind::Get, _) => Command::Refuse(action, id, format!("{} only allows GET", id.name())),
        (Kind::GetSet, Action::Set) => match set_body(id, &values) {
            Ok(body) => Command::Send(Request::Set(id, Box::new(body))),
            Err(message) => Command::Refuse(action, id, message),
        },
        (Kind::GetSet, _) => {
            Command::Refuse(action, id, format!("{} only allows GET or SET", id.name()))
        }
    }
}

/// pmc's help text.
pub fn help() -> String {
    let mut text = String::from("\n");
    for (id, kind) in TABLE {
        if *kind != Kind::Unsupported {
            text.push_str(&format!("\t[action] {}\n", id.name()));
        }
    }
    text.push_str(
        "\n\tThe [action] can be GET, SET, CMD, or COMMAND\n\
         \tCommands are case insensitive and may be abbreviated.\n\n\
         \tTARGET [portIdentity]\n\tTARGET *\n\n",
    );
    text
}

/// Whether `word` is a (case-insensitive) prefix of `full`.
fn starts_with_ignore_case(full: &str, word: &str) -> bool {
    full.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
}

fn parse_action(word: &str) -> Option<Action> {
    if starts_with_ignore_case("GET", word) {
        Some(Action::Get)
    } else if starts_with_ignore_case("SET", word) {
        Some(Action::Set)
    } else if starts_with_ignore_case("CMD", word) || starts_with_ignore_case("COMMAND", word) {
        Some(Action::Command)
    } else {
        None
    }
}

/// The result of looking an ID name up in the table.
enum Lookup {
    Found(ManagementId, Kind),
    Ambiguous,
    None,
}

/// An exact (case-insensitive) name, else a unique prefix.
fn lookup(word: &str) -> Lookup {
    if let Some((id, kind)) = TABLE
        .iter()
        .find(|(id, _)| id.name().eq_ignore_ascii_case(word))
    {
        return Lookup::Found(*id, *kind);
    }
    let mut matches = TABLE
        .iter()
        .filter(|(id, _)| starts_with_ignore_case(id.name(), word));
    match (matches.next(), matches.next()) {
        (Some((id, kind)), None) => Lookup::Found(*id, *kind),
        (Some(_), Some(_)) => Lookup::Ambiguous,
        (None, _) => Lookup::None,
    }
}

/// `*` (every port of every clock) or `001122.fffe.334455-1`.
fn parse_target(word: &str) -> Option<PortIdentity> {
    if word.starts_with('*') {
        return Some(PortIdentity::ALL);
    }
    let (clock, port) = word.split_once('-')?;
    let hex: String = clock.split('.').collect();
    if hex.len() != 16 || clock.split('.').map(str::len).collect::<Vec<_>>() != [6, 4, 6] {
        return None;
    }
    let mut id = [0u8; 8];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(PortIdentity {
        clock_identity: ClockIdentity(id),
        port_number: port.parse().ok()?,
    })
}

/// The leading integer of `word` as C's `strtol` reads it (sign, `0x` for hex), or `None`
/// without digits.
fn c_integer(word: &str, radix: u32) -> Option<i64> {
    let (negative, rest) = match word.as_bytes().first() {
        Some(b'-') => (true, word.get(1..)?),
        Some(b'+') => (false, word.get(1..)?),
        _ => (false, word),
    };
    let rest = if radix == 16 {
        rest.strip_prefix("0x")
            .or_else(|| rest.strip_prefix("0X"))
            .unwrap_or(rest)
    } else {
        rest
    };
    let digits: String = rest.chars().take_while(|c| c.is_digit(radix)).collect();
    if digits.is_empty() {
        return None;
    }
    let value = i64::from_str_radix(&digits, radix).ok()?;
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// Reads `keyword value` pairs in order, as pmc's `sscanf` formats do: how many values were
/// read before the first mismatch.
struct Values<'a> {
    words: std::slice::Iter<'a, &'a str>,
    read: usize,
}

impl<'a> Values<'a> {
    fn new(words: &'a [&'a str]) -> Self {
        Self {
            words: words.iter(),
            read: 0,
        }
    }

    /// The value after `keyword` (none for a bare value), in `radix`.
    fn next(&mut self, keyword: Option<&str>, radix: u32) -> Option<i64> {
        if let Some(k) = keyword {
            if self.words.next() != Some(&k) {
                return None;
            }
        }
        let v = c_integer(self.words.next()?, radix)?;
        self.read += 1;
        Some(v)
    }

    /// The word after `keyword`, at most `max` characters of it.
    fn word(&mut self, keyword: &str, max: usize) -> Option<String> {
        if self.words.next() != Some(&keyword) {
            return None;
        }
        let w = self.words.next()?;
        self.read += 1;
        Some(w.chars().take(max).collect())
    }
}

// C's narrowing conversions (`%hhu` into a byte, `%hx` into 16 bits) are what pmc does.
fn set_body(id: ManagementId, words: &[&str]) -> Result<ManagementData<'static>, String> {
    let needs = |n: usize| {
        let plural = if n == 1 { "value" } else { "values" };
        format!("{} SET needs {n} {plural}", id.name())
    };
    let mut v = Values::new(words);
    match id {
        ManagementId::PRIORITY1 | ManagementId::PRIORITY2 => {
            let value = v.next(None, 10).ok_or_else(|| needs(1))? as u8;
            Ok(if id == ManagementId::PRIORITY1 {
                ManagementData::Priority1(value)
            } else {
                ManagementData::Priority2(value)
            })
        }
        ManagementId::GRANDMASTER_SETTINGS_NP => {
            let mut all = || -> Option<GrandmasterSettingsNp> {
                let class = v.next(Some("clockClass"), 10)? as u8;
                let accuracy = v.next(Some("clockAccuracy"), 16)? as u8;
                let variance = v.next(Some("offsetScaledLogVariance"), 16)? as u16;
                let utc_offset = v.next(Some("currentUtcOffset"), 10)? as i16;
                let mut flags = TimeFlags::default();
                for (name, mask) in TIME_FLAG_NAMES {
                    flags = flags.with(mask, v.next(Some(name), 10)? as i32 != 0);
                }
                let source = v.next(Some("timeSource"), 16)? as u8;
                Some(GrandmasterSettingsNp {
                    clock_quality: ClockQuality {
                        clock_class: class,
                        clock_accuracy: ClockAccuracy(accuracy),
                        offset_scaled_log_variance: variance,
                    },
                    current_utc_offset: utc_offset,
                    time_flags: flags,
                    time_source: TimeSource(source),
                })
            };
            all()
                .map(ManagementData::GrandmasterSettingsNp)
                .ok_or_else(|| needs(11))
        }
        ManagementId::PORT_DATA_SET_NP => {
            let mut all = || -> Option<PortDataSetNp> {
                let thresh = v.next(Some("neighborPropDelayThresh"), 10)? as u32;
                let capable = v.next(Some("asCapable"), 10)? as i32 != 0;
                Some(PortDataSetNp {
                    neighbor_prop_delay_thresh_ns: thresh,
                    as_capable: capable,
                })
            };
            all()
                .map(ManagementData::PortDataSetNp)
                .ok_or_else(|| needs(2))
        }
        ManagementId::SUBSCRIBE_EVENTS_NP => {
            let mut all = || -> Option<SubscribeEventsNp> {
                let duration = v.next(Some("duration"), 10)? as u16;
                let port_state = v.word("NOTIFY_PORT_STATE", 3)?;
                Some(
                    SubscribeEventsNp {
                        duration_secs: duration,
                        ..SubscribeEventsNp::default()
                    }
                    .with(0, port_state.eq_ignore_ascii_case("on")),
                )
            };
            all()
                .map(ManagementData::SubscribeEventsNp)
                .ok_or_else(|| needs(2))
        }
        ManagementId::SYNCHRONIZATION_UNCERTAIN_NP => {
            let value = v.next(None, 10).ok_or_else(|| needs(1))? as u8;
            if matches!(value, 0 | 1 | 0xff) {
                Ok(ManagementData::SynchronizationUncertainNp(
                    SynchronizationUncertain(value),
                ))
            } else {
                Err(
                    "\nusage: set SYNCHRONIZATION_UNCERTAIN_NP 0 (false), 1 (true), \
                     or 255 (don't care)\n"
                        .into(),
                )
            }
        }
        _ => Err(needs(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_exactly_or_by_unique_prefix() {
        assert_eq!(
            parse("GET CURRENT_DATA_SET"),
            Command::Send(Request::Get(ManagementId::CURRENT_DATA_SET))
        );
        assert_eq!(
            parse("  get  cur"),
            Command::Send(Request::Get(ManagementId::CURRENT_DATA_SET))
        );
        assert_eq!(
            parse("g time_status"),
            Command::Send(Request::Get(ManagementId::TIME_STATUS_NP))
        );
        // TIME is a whole name (exact wins) though it prefixes other names.
        assert_eq!(
            parse("GET TIME"),
            Command::Reply(
                Action::Get,
                ManagementId::TIME,
                "sorry, TIME not supported yet".into()
            )
        );
        assert_eq!(
            parse("GET PORT"),
            Command::Say("id PORT is too ambiguous".into())
        );
        assert_eq!(parse("GET NO_SUCH_THING"), Command::Bad);
        assert_eq!(parse("FETCH DOMAIN"), Command::Bad);
        assert_eq!(parse("GET"), Command::Bad);
        // pmc 3.1.1 does not know the 4.x IDs.
        assert_eq!(parse("GET PORT_HWCLOCK_NP"), Command::Bad);
        assert_eq!(parse("h"), Command::Help);
    }

    #[test]
    fn actions_are_checked_against_the_id() {
        assert_eq!(
            parse("SET DOMAIN 3"),
            Command::Refuse(
                Action::Set,
                ManagementId::DOMAIN,
                "DOMAIN only allows GET".into()
            )
        );
        assert_eq!(
            parse("CMD PRIORITY1 3"),
            Command::Refuse(
                Action::Command,
                ManagementId::PRIORITY1,
                "PRIORITY1 only allows GET or SET".into()
            )
        );
        assert_eq!(
            parse("SET NULL_MANAGEMENT"),
            Command::Reply(
                Action::Set,
                ManagementId::NULL_MANAGEMENT,
                "non-get actions still todo".into()
            )
        );
        let refused = parse("SET DOMAIN 3");
        assert_eq!(
            refused.sending_line().as_deref(),
            Some("sending: SET DOMAIN")
        );
    }

    #[test]
    fn set_values_are_read_as_pmc_reads_them() {
        assert_eq!(
            parse("SET PRIORITY2 99"),
            Command::Send(Request::Set(
                ManagementId::PRIORITY2,
                Box::new(ManagementData::Priority2(99))
            ))
        );
        // %hhu wraps.
        assert_eq!(
            parse("SET PRIORITY1 257"),
            Command::Send(Request::Set(
                ManagementId::PRIORITY1,
                Box::new(ManagementData::Priority1(1))
            ))
        );
        assert_eq!(
            parse("SET PRIORITY1"),
            Command::Refuse(
                Action::Set,
                ManagementId::PRIORITY1,
                "PRIORITY1 SET needs 1 value".into()
            )
        );
        let gm = "SET GRANDMASTER_SETTINGS_NP clockClass 7 clockAccuracy 0x21 \
                  offsetScaledLogVariance 4e5d currentUtcOffset -2 leap61 0 leap59 1 \
                  currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 0 \
                  frequencyTraceable 1 timeSource 0x20";
        let Command::Send(Request::Set(_, body)) = parse(gm) else {
            panic!("{:?}", parse(gm))
        };
        let ManagementData::GrandmasterSettingsNp(s) = *body else {
            panic!("{body:?}")
        };
        assert_eq!(s.clock_quality.clock_class, 7);
        assert_eq!(s.clock_quality.clock_accuracy, ClockAccuracy(0x21));
        assert_eq!(s.clock_quality.offset_scaled_log_variance, 0x4e5d);
        assert_eq!(s.current_utc_offset, -2);
        assert_eq!(
            s.time_flags.0,
            TimeFlags::LEAP_59
                | TimeFlags::UTC_OFFSET_VALID
                | TimeFlags::PTP_TIMESCALE
                | TimeFlags::FREQUENCY_TRACEABLE
        );
        assert_eq!(s.time_source, TimeSource::GNSS);
        // A misspelt keyword stops the reading.
        let short = gm.replace("leap59", "leap_59");
        assert_eq!(
            parse(&short),
            Command::Refuse(
                Action::Set,
                ManagementId::GRANDMASTER_SETTINGS_NP,
                "GRANDMASTER_SETTINGS_NP SET needs 11 values".into()
            )
        );
        assert_eq!(
            parse("SET PORT_DATA_SET_NP neighborPropDelayThresh 800 asCapable 1"),
            Command::Send(Request::Set(
                ManagementId::PORT_DATA_SET_NP,
                Box::new(ManagementData::PortDataSetNp(PortDataSetNp {
                    neighbor_prop_delay_thresh_ns: 800,
                    as_capable: true
                }))
            ))
        );
    }

    #[test]
    fn targets_are_port_identities_or_everyone() {
        assert_eq!(parse("TARGET *"), Command::Target(PortIdentity::ALL));
        assert_eq!(
            parse("target 001122.fffe.334455-2"),
            Command::Target(PortIdentity {
                clock_identity: ClockIdentity([0, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55]),
                port_number: 2
            })
        );
        assert_eq!(parse("TARGET 0011.22-1"), Command::Bad);
    }

    #[test]
    fn help_lists_the_supported_ids() {
        let text = help();
        assert!(text.contains("\t[action] PORT_STATS_NP\n"));
        assert!(!text.contains("FAULT_LOG"));
    }
}

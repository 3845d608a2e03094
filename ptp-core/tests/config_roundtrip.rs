//! parse → write → parse is lossless, for random valid configurations over the whole option
//! table (every value kind, random number syntax and label case, port overrides, unicast
//! tables).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use ptp_core::config::value::{Radix, ValueKind};
use ptp_core::config::{parse_ptp4l_conf, write_ptp4l_conf, Scope, OPTIONS};

/// A valid value of `kind`, chosen by `seed`.
fn value(kind: &ValueKind, seed: u64) -> String {
    let pick = |lo: i64, hi: i64| -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (seed as u128 % span) as i128) as i64
    };
    let byte = |i: u32| (seed >> (8 * (i % 8))) as u8;
    match *kind {
        ValueKind::Flag => (seed % 2).to_string(),
        ValueKind::Int { min, max, radix } => {
            let v = pick(min, max);
            match (radix, seed % 3) {
                (_, 0) if v >= 0 => format!("0x{v:x}"),
                (Radix::Octal, _) if v > 0 => format!("0{v:o}"),
                _ => v.to_string(),
            }
        }
        ValueKind::Float { min, max } => {
            let (lo, hi) = (min.max(-1e6), max.min(1e6));
            let v = lo + (hi - lo) * ((seed % 10_000) as f64 / 10_000.0);
            if seed.is_multiple_of(2) {
                format!("{v}")
            } else {
                format!("{v:e}")
            }
        }
        ValueKind::Nanos { min, max }
        | ValueKind::Millis { min, max }
        | ValueKind::Secs { min, max }
        | ValueKind::PartsPerBillion { min, max } => pick(min, max).to_string(),
        ValueKind::DecimalSecs => match seed % 3 {
            0 => format!("{}.{:06}", seed % 100, (seed / 100) % 1_000_000),
            1 => format!("{}e-{}", seed % 1000, (seed / 1000) % 12),
            _ => format!("0.{:020}", seed),
        },
        ValueKind::LogSecs { min, max } => pick(i64::from(min), i64::from(max)).to_string(),
        ValueKind::Enum(labels) => {
            let l = labels[(seed % labels.len() as u64) as usize];
            if seed.is_multiple_of(2) {
                l.to_uppercase()
            } else {
                l.to_owned()
            }
        }
        ValueKind::Text | ValueKind::OptionalText => {
            let words = ["a", "/var/run/x", ";;", "b c", "#hash", "[x]"];
            format!("{}{}", words[(seed % 6) as usize], seed % 97)
        }
        ValueKind::Mac => (0..6)
            .map(|i| format!("{:02x}", byte(i)))
            .collect::<Vec<_>>()
            .join(":"),
        ValueKind::Ipv4 => format!("{}.{}.{}.{}", byte(0), byte(1), byte(2), byte(3)),
        ValueKind::Ipv6 => format!("ff0{:x}::{:x}", seed % 16, seed % 0xffff),
        ValueKind::Oui => format!("{:02X}:{:02X}:{:02X}", byte(0), byte(1), byte(2)),
        ValueKind::ClockIdentity => {
            let h = format!("{seed:016x}");
            format!("{}.{}.{}", &h[..6], &h[6..10], &h[10..])
        }
        ValueKind::FaultReset => {
            if seed.is_multiple_of(5) {
                "ASAP".into()
            } else {
                pick(-128, 127).to_string()
            }
        }
        ValueKind::BadPeerNet => {
            if seed.is_multiple_of(5) {
                "asap".into()
            } else {
                pick(0, 100_000).to_string()
            }
        }
    }
}

fn config_text(
    global: &[(usize, u64)],
    ports: &[Vec<(usize, u64)>],
    tables: &[(i8, Vec<u64>)],
) -> String {
    let port_options: Vec<_> = OPTIONS.iter().filter(|o| o.scope == Scope::Port).collect();
    let mut text = String::from("[global]\n");
    for &(i, seed) in global {
        let o = &OPTIONS[i % OPTIONS.len()];
        text.push_str(&format!("{} {}\n", o.name, value(&o.kind, seed)));
    }
    for (n, settings) in ports.iter().enumerate() {
        text.push_str(&format!("[eth{n}]\n"));
        for &(i, seed) in settings {
            let o = port_options[i % port_options.len()];
            text.push_str(&format!("{}\t{}\n", o.name, value(&o.kind, seed)));
        }
    }
    for (id, (lqi, masters)) in tables.iter().enumerate() {
        text.push_str(&format!(
            "[unicast_master_table]\ntable_id {}\nlogQueryInterval {lqi}\n",
            id + 1
        ));
        for &m in masters {
            let line = match m % 3 {
                0 => format!("UDPv4 {}", value(&ValueKind::Ipv4, m)),
                1 => format!("L2 {}", value(&ValueKind::Mac, m)),
                _ => format!("UDPv6 {}", value(&ValueKind::Ipv6, m)),
            };
            text.push_str(&line);
            text.push('\n');
        }
        if lqi % 2 == 0 {
            text.push_str("peer_address 10.1.2.3\n");
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_write_parse_is_lossless(
        global in prop::collection::vec((0usize..1000, any::<u64>()), 0..40),
        ports in prop::collection::vec(prop::collection::vec((0usize..1000, any::<u64>()), 0..8), 0..4),
        tables in prop::collection::vec((any::<i8>(), prop::collection::vec(any::<u64>(), 0..4)), 0..3),
    ) {
        let text = config_text(&global, &ports, &tables);
        // Values that fail ts2phc.perout_phase's range etc. cannot occur: every value is valid.
        let first = parse_ptp4l_conf(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let written = write_ptp4l_conf(&first.config).unwrap();
        let second = parse_ptp4l_conf(&written).map_err(|e| TestCaseError::fail(format!("{e}\n{written}")))?;
        prop_assert_eq!(&first.config, &second.config, "\n{}\n---\n{}", text, written);
        prop_assert_eq!(write_ptp4l_conf(&second.config).unwrap(), written);
    }
}

#[test]
fn every_option_round_trips_with_a_non_default_value() {
    for o in OPTIONS {
        let seed = 0x1234_5678_9abc_def1;
        let v = value(&o.kind, seed);
        let section = match o.scope {
            Scope::Global => "[global]",
            Scope::Port => "[eth0]",
        };
        let text = format!("[global]\n{section}\n{} {v}\n", o.name);
        let first = parse_ptp4l_conf(&text).unwrap_or_else(|e| panic!("{}: {e}", o.name));
        let written = write_ptp4l_conf(&first.config).unwrap();
        let second = parse_ptp4l_conf(&written).unwrap();
        assert_eq!(
            first.config, second.config,
            "{}: {text} -> {written}",
            o.name
        );
    }
}

//! The line syntax of linuxptp configuration files, without any meaning attached.
//!
//! As linuxptp's `config_read` has it: leading and trailing whitespace is dropped; empty lines
//! and lines whose first non-blank character is `#` are comments (a `#` later in a line is
//! part of the value); `[global]` and `[unicast_master_table]` are matched ignoring case; any
//! other `[...]` starts an interface section named by its first word; a setting is an option
//! name, whitespace, and the rest of the line as its value (inner spaces kept).
//!
//! One deliberate difference: `[ global ]` (spaces inside the brackets) is the global section
//! here, where linuxptp would take it for an interface called "global".

/// A section header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header<'a> {
    /// `[global]`
    Global,
    /// `[unicast_master_table]`
    UnicastMasterTable,
    /// `[eth0]`; `junk` is true when more words followed the name.
    Interface {
        /// The interface name.
        name: &'a str,
        /// Words after the name (linuxptp ignores them).
        junk: bool,
    },
    /// `[]`
    Empty,
}

/// One meaningful line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A section header.
    Section(Header<'a>),
    /// `key value`, both non-empty.
    Setting {
        /// The option name.
        key: &'a str,
        /// The rest of the line.
        value: &'a str,
    },
    /// A single word with no value.
    Bare(&'a str),
}

/// Splits a file into numbered meaningful lines (1-based), skipping blanks and comments.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str, Line<'_>)> {
    text.lines().enumerate().filter_map(|(i, raw)| {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            return None;
        }
        Some((i + 1, t, classify(t)))
    })
}

fn classify(t: &str) -> Line<'_> {
    if t.starts_with('[') {
        return Line::Section(header(t));
    }
    match t.split_once(|c: char| c.is_whitespace()) {
        Some((key, value)) => Line::Setting {
            key,
            value: value.trim_start(),
        },
        None => Line::Bare(t),
    }
}

fn header(t: &str) -> Header<'_> {
    let mut words = t
        .split(|c: char| c == '[' || c == ']' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    let Some(name) = words.next() else {
        return Header::Empty;
    };
    let junk = words.next().is_some();
    if !junk && name.eq_ignore_ascii_case("global") {
        Header::Global
    } else if !junk && name.eq_ignore_ascii_case("unicast_master_table") {
        Header::UnicastMasterTable
    } else {
        Header::Interface { name, junk }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linuxptp_line_rules() {
        let text = "# comment\n\n  [Global]\n  priority1   127  \n\tuserDescription a b  c\n#x 1\nbare\n[ eth0 ]\n[eth1] extra\n[]\n[unicast_master_table]\n";
        let got: Vec<_> = lines(text).map(|(n, _, l)| (n, l)).collect();
        assert_eq!(
            got,
            vec![
                (3, Line::Section(Header::Global)),
                (
                    4,
                    Line::Setting {
                        key: "priority1",
                        value: "127"
                    }
                ),
                (
                    5,
                    Line::Setting {
                        key: "userDescription",
                        value: "a b  c"
                    }
                ),
                (7, Line::Bare("bare")),
                (
                    8,
                    Line::Section(Header::Interface {
                        name: "eth0",
                        junk: false
                    })
                ),
                (
                    9,
                    Line::Section(Header::Interface {
                        name: "eth1",
                        junk: true
                    })
                ),
                (10, Line::Section(Header::Empty)),
                (11, Line::Section(Header::UnicastMasterTable)),
            ]
        );
    }

    #[test]
    fn value_keeps_hash_and_inner_spaces() {
        let got: Vec<_> = lines("[global]\nproductDescription ;; # not a comment\n")
            .map(|(_, _, l)| l)
            .collect();
        assert_eq!(
            got[1],
            Line::Setting {
                key: "productDescription",
                value: ";; # not a comment"
            }
        );
    }
}

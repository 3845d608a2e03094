//! Dev-only: what a test needs from the machine (root, a program, a file), and the one rule
//! for a test whose prerequisite is missing.
//!
//! Outside CI the test prints `SKIP <test>: needs <what>; install with: <command>` and
//! returns; with `CI=true` the same text fails it, so that CI runs every tier or says why it
//! cannot. Every crate's machine-dependent tests (ptp4l round trips, network namespaces, the
//! kernel-header layout check, the Kubernetes harness) go through [`require`] or, when they
//! locate what they need themselves, [`skip_or_fail`].
//!
//! ```no_run
//! use test_prereq::{require, Prerequisite};
//!
//! #[test]
//! fn ptp4l_reads_our_file() {
//!     if !require("ptp4l_reads_our_file", &[Prerequisite::ROOT, Prerequisite::PTP4L]) {
//!         return;
//!     }
//!     // ... the test proper
//! }
//! ```
//!
//! `scripts/install-deps.sh` installs every system package the tiers use.

use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

/// One thing a test needs from the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prerequisite<'a> {
    /// Running as root (effective user id 0).
    Root,
    /// A program that runs and exits successfully with the single argument `probe` (its
    /// `--version` or `-v`).
    Command {
        /// The program, looked up on `PATH` unless it is a path.
        program: &'a str,
        /// The argument that makes it print its version and exit.
        probe: &'a str,
        /// The command that installs it.
        install: &'a str,
    },
    /// A file or directory that exists (a kernel header, an installed package's data).
    File {
        /// Its absolute path.
        path: &'a str,
        /// The command that installs it.
        install: &'a str,
    },
}

impl Prerequisite<'static> {
    /// Root: network namespaces, raw sockets, clock adjustments.
    pub const ROOT: Self = Self::Root;
    /// `ip` from iproute2: network namespaces and veth pairs.
    pub const IP: Self = Self::Command {
        program: "ip",
        probe: "-V",
        install: "apt-get install iproute2",
    };
    /// linuxptp's `ptp4l`.
    pub const PTP4L: Self = Self::Command {
        program: "ptp4l",
        probe: "-v",
        install: "apt-get install linuxptp",
    };
    /// linuxptp's `pmc`.
    pub const PMC: Self = Self::Command {
        program: "pmc",
        probe: "-v",
        install: "apt-get install linuxptp",
    };
    /// `curl`, to fetch HTTP endpoints inside a namespace.
    pub const CURL: Self = Self::Command {
        program: "curl",
        probe: "--version",
        install: "apt-get install curl",
    };
    /// `tshark`, to decode captured frames.
    pub const TSHARK: Self = Self::Command {
        program: "tshark",
        probe: "--version",
        install: "apt-get install tshark",
    };
    /// `socat`, to carry a namespace's loopback connections to the host's.
    pub const SOCAT: Self = Self::Command {
        program: "socat",
        probe: "-V",
        install: "apt-get install socat",
    };
    /// A C compiler.
    pub const CC: Self = Self::Command {
        program: "cc",
        probe: "--version",
        install: "apt-get install gcc",
    };
    /// The kernel's user-space headers (`linux/ptp_clock.h` and its neighbours).
    pub const KERNEL_HEADERS: Self = Self::File {
        path: "/usr/include/linux/ptp_clock.h",
        install: "apt-get install linux-libc-dev",
    };
}

impl Prerequisite<'_> {
    /// Whether the machine has it; if not, what is missing and how to install it.
    ///
    /// # Errors
    ///
    /// [`Missing`] when it is not there.
    pub fn check(&self) -> Result<(), Missing> {
        let (present, what, install) = match *self {
            Self::Root => (
                effective_uid_is_root(),
                "root".to_owned(),
                "run the tests as root (sudo -E cargo test ...)",
            ),
            Self::Command {
                program,
                probe,
                install,
            } => (
                Command::new(program)
                    .arg(probe)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success()),
                format!("{program} (`{program} {probe}` did not run)"),
                install,
            ),
            Self::File { path, install } => (Path::new(path).exists(), path.to_owned(), install),
        };
        if present {
            Ok(())
        } else {
            Err(Missing {
                what,
                install: install.to_owned(),
            })
        }
    }
}

/// A prerequisite the machine lacks: what it is and the command that installs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// What is missing (a program, a file, root).
    pub what: String,
    /// The command that installs or provides it.
    pub install: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "needs {}; install with: {}", self.what, self.install)
    }
}

impl std::error::Error for Missing {}

/// Checks `prerequisites` in order for test `test`. Returns `true` when all are present;
/// otherwise applies [`skip_or_fail`] to the first missing one and returns `false` (the
/// test then returns).
///
/// # Panics
///
/// With `CI=true`, when a prerequisite is missing.
pub fn require(test: &str, prerequisites: &[Prerequisite<'_>]) -> bool {
    match first_missing(prerequisites) {
        None => true,
        Some(missing) => {
            skip_or_fail(test, &missing);
            false
        }
    }
}

fn first_missing(prerequisites: &[Prerequisite<'_>]) -> Option<Missing> {
    prerequisites.iter().find_map(|p| p.check().err())
}

/// The rule for a missing prerequisite: outside CI, prints `SKIP <test>: needs …; install
/// with: …` to stderr; with `CI=true`, panics with the same text. For callers that find
/// what they need themselves (the Kubernetes harness locates its binaries).
///
/// # Panics
///
/// With `CI=true`.
pub fn skip_or_fail(test: &str, missing: &Missing) {
    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true");
    match verdict(test, missing, in_ci) {
        Verdict::Skip(message) => eprintln!("{message}"),
        Verdict::Fail(message) => fail(&message),
    }
}

/// What [`skip_or_fail`] does, given whether this is CI.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Skip(String),
    Fail(String),
}

fn verdict(test: &str, missing: &Missing, in_ci: bool) -> Verdict {
    let message = format!("SKIP {test}: {missing}");
    if in_ci {
        Verdict::Fail(format!("{message} (CI=true: every tier must run)"))
    } else {
        Verdict::Skip(message)
    }
}

/// Fails the calling test: in CI a missing prerequisite is a failure.
#[allow(clippy::panic)]
fn fail(message: &str) -> ! {
    panic!("{message}")
}

/// Whether the effective user id (the second field of `Uid:` in `/proc/self/status`) is 0.
fn effective_uid_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing() -> Missing {
        Missing {
            what: "ptp4l".to_owned(),
            install: "apt-get install linuxptp".to_owned(),
        }
    }

    #[test]
    fn outside_ci_a_missing_prerequisite_skips_with_what_and_how() {
        assert_eq!(
            verdict("t", &missing(), false),
            Verdict::Skip("SKIP t: needs ptp4l; install with: apt-get install linuxptp".into())
        );
    }

    #[test]
    fn in_ci_a_missing_prerequisite_fails_with_the_same_text() {
        assert_eq!(
            verdict("t", &missing(), true),
            Verdict::Fail(
                "SKIP t: needs ptp4l; install with: apt-get install linuxptp \
                 (CI=true: every tier must run)"
                    .into()
            )
        );
    }

    #[test]
    fn present_and_absent_commands_and_files() {
        // The test runs `true`/the test binary's own file, which exist on every machine that
        // runs it, next to names that exist on none.
        let present = Prerequisite::Command {
            program: "true",
            probe: "--version",
            install: "-",
        };
        assert_eq!(present.check(), Ok(()));
        let absent = Prerequisite::Command {
            program: "no-such-program-ptp-rs",
            probe: "--version",
            install: "apt-get install nothing",
        };
        let err = absent.check().unwrap_err();
        assert_eq!(err.install, "apt-get install nothing");
        assert!(err.what.starts_with("no-such-program-ptp-rs"), "{err}");
        let exe = std::env::current_exe().unwrap();
        let here = exe.to_str().unwrap();
        let file = Prerequisite::File {
            path: here,
            install: "-",
        };
        assert_eq!(file.check(), Ok(()));
        let gone = Prerequisite::File {
            path: "/no/such/file/ptp-rs",
            install: "apt-get install x",
        };
        assert_eq!(
            gone.check().unwrap_err().to_string(),
            "needs /no/such/file/ptp-rs; install with: apt-get install x"
        );
    }

    #[test]
    fn the_first_missing_prerequisite_is_reported() {
        let present = Prerequisite::Command {
            program: "true",
            probe: "--version",
            install: "-",
        };
        let absent = |path| Prerequisite::File { path, install: "-" };
        assert_eq!(first_missing(&[present]), None);
        assert_eq!(first_missing(&[]), None);
        let first = first_missing(&[present, absent("/no/such/a"), absent("/no/such/b")]);
        assert_eq!(first.map(|m| m.what), Some("/no/such/a".to_owned()));
    }

    #[test]
    fn root_is_the_effective_user_id_that_id_reports() {
        let out = std::process::Command::new("id").arg("-u").output().unwrap();
        let euid = String::from_utf8(out.stdout).unwrap();
        assert_eq!(Prerequisite::ROOT.check().is_ok(), euid.trim() == "0");
    }
}

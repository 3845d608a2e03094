//! The agent's own command-line flags, taken out before the rest goes to ptp4l's parser
//! ([`ptp_core::config::parse_ptp4l_args`]): `--check` and `--clock phc|system|virtual`.

use thiserror::Error;

/// Which clock the servo steers (`--clock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockChoice {
    /// The interface's PTP hardware clock.
    Phc,
    /// The system clock, `CLOCK_REALTIME`.
    System,
    /// A software clock on top of `CLOCK_REALTIME` that no other program sees
    /// ([`phc::VirtualClock`]); for tests and hosts without a PHC.
    Virtual,
}

/// The agent's flags, and the arguments left for ptp4l's parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentArgs {
    /// `--check`: validate the configuration and exit.
    pub check: bool,
    /// `--clock`; `None` chooses as ptp4l does (PHC with hardware time stamping, the system
    /// clock with software time stamping).
    pub clock: Option<ClockChoice>,
    /// Everything else, for [`ptp_core::config::parse_ptp4l_args`].
    pub ptp4l: Vec<String>,
}

/// A bad agent flag.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AgentArgsError {
    /// `--clock` without a value.
    #[error("option --clock requires an argument (phc, system or virtual)")]
    MissingClock,
    /// `--clock` with something else.
    #[error("bad argument \"{0}\" for --clock (expected phc, system or virtual)")]
    BadClock(String),
}

impl ClockChoice {
    fn parse(text: &str) -> Result<Self, AgentArgsError> {
        match text {
            "phc" => Ok(Self::Phc),
            "system" => Ok(Self::System),
            "virtual" => Ok(Self::Virtual),
            other => Err(AgentArgsError::BadClock(other.to_owned())),
        }
    }
}

/// Takes the agent's flags out of `args` (without the program name). `--clock` is not a
/// ptp4l option, so it cannot shadow one.
pub fn split_agent_args(args: Vec<String>) -> Result<AgentArgs, AgentArgsError> {
    let mut out = AgentArgs {
        check: false,
        clock: None,
        ptp4l: Vec::with_capacity(args.len()),
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        if arg == "--check" {
            out.check = true;
        } else if arg == "--clock" {
            let value = it.next().ok_or(AgentArgsError::MissingClock)?;
            out.clock = Some(ClockChoice::parse(&value)?);
        } else if let Some(value) = arg.strip_prefix("--clock=") {
            out.clock = Some(ClockChoice::parse(value)?);
        } else {
            out.ptp4l.push(arg);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn agent_flags_are_taken_out() {
        let a = split_agent_args(args(&[
            "-f", "x.conf", "--clock", "virtual", "-m", "--check",
        ]))
        .unwrap();
        assert!(a.check);
        assert_eq!(a.clock, Some(ClockChoice::Virtual));
        assert_eq!(a.ptp4l, args(&["-f", "x.conf", "-m"]));
        let a = split_agent_args(args(&["--clock=phc", "-S"])).unwrap();
        assert_eq!((a.check, a.clock), (false, Some(ClockChoice::Phc)));
        assert_eq!(a.ptp4l, args(&["-S"]));
        assert_eq!(
            split_agent_args(args(&["--clock=system"])).unwrap().clock,
            Some(ClockChoice::System)
        );
    }

    #[test]
    fn bad_clock_flags() {
        assert_eq!(
            split_agent_args(args(&["--clock"])),
            Err(AgentArgsError::MissingClock)
        );
        assert_eq!(
            split_agent_args(args(&["--clock", "tai"])),
            Err(AgentArgsError::BadClock("tai".into()))
        );
    }
}

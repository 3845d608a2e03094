//! From a node's profiles to the instances the agent runs ([`plan`]): each profile's
//! `ptp4lConf` and `ptp4lOpts` go through the same parser and checks as a file and a command
//! line on bare metal ([`crate::agent::setup::load`]); nothing is rendered to a file and no
//! process is started.
//!
//! The daemon's conventions are kept where users see them. Profiles are numbered as the
//! daemon numbers them — those without `phc2sysOpts` first, then the others, each group by
//! name — and profile N's instance is named `ptp4l.N.config` (the `config` label of its
//! series), its management socket is `ptp4l.N.socket` in the run directory (`/var/run`, so
//! `pmc -u -s /var/run/ptp4l.0.socket` works as before) and its log lines are tagged
//! `[ptp4l.N.config]`; `-m` is added, as the daemon adds it, so that the instance's lines reach
//! the pod's log. `interface` adds a section for that interface; `ptp4lOpts` is split
//! at white space (quotes are not interpreted); a missing `ptp4lOpts` runs ptp4l with no
//! options and an empty one runs none, as the daemon does.
//!
//! What the agent cannot run yet (the phc2sys, ts2phc, synce4l and chronyd parts) is listed
//! among the profile's problems, never dropped silently; the ptp4l part still runs.

use std::path::{Path, PathBuf};

use operator::crd::{NodeProfile, ProfileStatus};
use ptp_core::config::write_ptp4l_conf;

use crate::agent::cli::ClockChoice;
use crate::agent::setup::load;
use crate::agent::spec::InstanceSpec;

/// Where the daemon keeps the management sockets.
pub const RUN_DIR: &str = "/var/run";

/// `ProfileStatus::state` of a profile whose instance runs.
pub const RUNNING: &str = "Running";
/// … of one that cannot run (its problems say why).
pub const REFUSED: &str = "Refused";
/// … of one whose `ptp4lOpts` is empty: the daemon runs no ptp4l for it.
pub const NOT_RUN: &str = "NotRun";

/// What the agent's instances are made with, beside the profiles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSettings {
    /// The node's name (the `node` label of the series).
    pub node: String,
    /// The clock every instance steers (`None`: ptp4l's choice); `--clock`.
    pub clock: Option<ClockChoice>,
    /// Where the management sockets go.
    pub run_dir: PathBuf,
}

/// One profile: what runs of it and its status.
#[derive(Debug)]
pub struct ProfilePlan {
    /// Its instance, if it runs one.
    pub spec: Option<InstanceSpec>,
    /// Its status (state, config name, hash, problems).
    pub status: ProfileStatus,
    /// Warnings of the configuration's checks, to log.
    pub warnings: Vec<String>,
}

/// The plan of every profile, in the daemon's order (see the module's documentation).
pub fn plan(profiles: &[NodeProfile], settings: &ProfileSettings) -> Vec<ProfilePlan> {
    let mut ordered: Vec<&NodeProfile> = profiles.iter().collect();
    ordered.sort_by_key(|p| (has(p.profile.phc2sys_opts.as_deref()), &p.profile.name));
    ordered
        .into_iter()
        .enumerate()
        .map(|(n, p)| plan_one(n, p, settings))
        .collect()
}

/// Whether an `*Opts` value asks for its process (the daemon skips a missing or empty one).
fn has(opts: Option<&str>) -> bool {
    opts.is_some_and(|o| !o.is_empty())
}

fn plan_one(n: usize, node_profile: &NodeProfile, settings: &ProfileSettings) -> ProfilePlan {
    let profile = &node_profile.profile;
    let config = format!("ptp4l.{n}.config");
    let mut status = ProfileStatus {
        name: profile.name.clone(),
        state: RUNNING.to_owned(),
        config: Some(config.clone()),
        ..ProfileStatus::default()
    };
    for (field, opts, duty) in [
        ("phc2sysOpts", &profile.phc2sys_opts, "the phc2sys duty"),
        ("ts2phcOpts", &profile.ts2phc_opts, "the ts2phc duty"),
        ("synce4lOpts", &profile.synce4l_opts, "synce4l"),
        ("chronydOpts", &profile.chronyd_opts, "chronyd"),
    ] {
        if has(opts.as_deref()) {
            status
                .problems
                .push(format!("{field}: {duty} is not run by this agent yet"));
        }
    }
    if profile.ptp4l_opts.as_deref() == Some("") {
        status.state = NOT_RUN.to_owned();
        status.config = None;
        return ProfilePlan {
            spec: None,
            status,
            warnings: Vec::new(),
        };
    }
    let socket = socket_path(&settings.run_dir, n);
    let mut args: Vec<String> = vec![
        "-m".into(),
        "-f".into(),
        config.clone(),
        "--uds_address".into(),
        socket.display().to_string(),
        "--message_tag".into(),
        format!("[{config}]"),
    ];
    args.extend(
        profile
            .ptp4l_opts
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned),
    );
    let mut text = profile.ptp4l_conf.clone().unwrap_or_default();
    if let Some(interface) = &profile.interface {
        text.push_str(&format!("\n[{interface}]\n"));
    }
    let read = |_: &str| Ok(text.clone());
    match load(&args, settings.clock, &settings.node, &read) {
        Ok(loaded) => {
            status.config_hash = Some(config_hash(&loaded.spec));
            ProfilePlan {
                spec: Some(loaded.spec),
                status,
                warnings: loaded.warnings,
            }
        }
        Err(e) => {
            status.state = REFUSED.to_owned();
            status.problems.insert(0, format!("ptp4l: {e:#}"));
            ProfilePlan {
                spec: None,
                status,
                warnings: Vec::new(),
            }
        }
    }
}

/// The management socket of profile `n`.
pub fn socket_path(run_dir: &Path, n: usize) -> PathBuf {
    run_dir.join(format!("ptp4l.{n}.socket"))
}

/// A hash of what `spec` runs: its effective configuration as ptp4l.conf text and its clock
/// choice, FNV-1a (64 bits), so that the same configuration gives the same hash in every
/// agent and every version that writes it alike.
fn config_hash(spec: &InstanceSpec) -> String {
    let text = write_ptp4l_conf(spec.config())
        .unwrap_or_else(|e| format!("unwritable configuration: {e}"));
    let clock = format!("{:?}", spec.clock_source().choice);
    format!(
        "{:016x}",
        operator::fnv1a(format!("{text}{clock}").as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use operator::crd::PtpProfile;

    fn profile(name: &str, conf: &str, opts: Option<&str>) -> NodeProfile {
        NodeProfile {
            ptp_config: "cfg".into(),
            profile: PtpProfile {
                name: name.into(),
                ptp4l_conf: Some(conf.into()),
                ptp4l_opts: opts.map(str::to_owned),
                ..PtpProfile::default()
            },
        }
    }

    fn settings() -> ProfileSettings {
        ProfileSettings {
            node: "node-a".into(),
            clock: Some(ClockChoice::Virtual),
            run_dir: PathBuf::from("/run/test"),
        }
    }

    #[test]
    fn profiles_are_numbered_as_the_daemon_numbers_them_and_run_through_the_file_parser() {
        let mut with_phc2sys = profile("cfg_a", "[global]\npriority2 7\n[eth1]\n", Some("-S"));
        with_phc2sys.profile.phc2sys_opts = Some("-a -r".into());
        let plain = profile("cfg_b", "[global]\nslaveOnly 1\n", Some("-S -i eth0"));
        let plans = plan(&[with_phc2sys, plain], &settings());
        // The profile without phc2sysOpts first, though its name sorts last.
        assert_eq!(plans[0].status.name, "cfg_b");
        assert_eq!(plans[0].status.config.as_deref(), Some("ptp4l.0.config"));
        assert_eq!(plans[0].status.state, RUNNING);
        assert!(plans[0].status.problems.is_empty());
        let spec = plans[0].spec.as_ref().unwrap();
        assert_eq!(spec.name(), "ptp4l.0.config");
        assert!(spec.config().global.slave_only);
        assert_eq!(spec.interfaces().collect::<Vec<_>>(), ["eth0"]);
        let options = spec.runtime_options();
        assert_eq!(
            options.uds_address,
            PathBuf::from("/run/test/ptp4l.0.socket")
        );
        assert_eq!(options.log.tag.as_deref(), Some("[ptp4l.0.config]"));
        assert_eq!(options.labels.config, "ptp4l.0.config");
        assert_eq!(options.labels.node, "node-a");
        // The other runs its ptp4l and says what it does not run.
        assert_eq!(plans[1].status.name, "cfg_a");
        assert_eq!(plans[1].status.state, RUNNING);
        assert_eq!(
            plans[1].status.problems,
            ["phc2sysOpts: the phc2sys duty is not run by this agent yet"]
        );
        let spec = plans[1].spec.as_ref().unwrap();
        assert_eq!(spec.config().global.priority2, 7);
        assert_eq!(spec.interfaces().collect::<Vec<_>>(), ["eth1"]);
    }

    #[test]
    fn the_interface_field_adds_a_section_and_the_hash_follows_what_runs() {
        let mut p = profile("cfg_a", "[global]\npriority2 7\n", None);
        p.profile.interface = Some("eth3".into());
        let first = plan(std::slice::from_ref(&p), &settings()).remove(0);
        assert_eq!(
            first
                .spec
                .as_ref()
                .unwrap()
                .interfaces()
                .collect::<Vec<_>>(),
            ["eth3"]
        );
        // A comment changes nothing that runs; a value does.
        p.profile.ptp4l_conf = Some("# edited\n[global]\npriority2 7\n".into());
        let same = plan(std::slice::from_ref(&p), &settings()).remove(0);
        assert_eq!(same.status.config_hash, first.status.config_hash);
        p.profile.ptp4l_conf = Some("[global]\npriority2 8\n".into());
        let other = plan(std::slice::from_ref(&p), &settings()).remove(0);
        assert!(other.status.config_hash.is_some());
        assert_ne!(other.status.config_hash, first.status.config_hash);
    }

    #[test]
    fn a_bad_profile_is_refused_with_the_reason_and_an_empty_opts_runs_nothing() {
        let bad = profile("cfg_bad", "[global]\nno_such_option 1\n[eth0]\n", None);
        let empty = profile("cfg_empty", "[eth0]\n", Some(""));
        let plans = plan(&[bad, empty], &settings());
        assert_eq!(plans[0].status.state, REFUSED);
        assert!(plans[0].spec.is_none());
        assert!(
            plans[0].status.problems[0].contains("no_such_option"),
            "{:?}",
            plans[0].status.problems
        );
        assert!(
            plans[0].status.problems[0].contains("line 2"),
            "{:?}",
            plans[0].status
        );
        assert_eq!(plans[1].status.state, NOT_RUN);
        assert!(plans[1].spec.is_none() && plans[1].status.config.is_none());
    }
}

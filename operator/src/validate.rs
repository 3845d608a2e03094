//! Checks the linuxptp texts of a profile with the shared parser (`ptp_core::config`), so a
//! mistake is reported on the PtpConfig, with its line, before any node runs it.
//!
//! Checked: `ptp4lConf` together with `ptp4lOpts` (as ptp4l reads them: options override the
//! file), `phc2sysOpts` with `phc2sysConf` (when phc2sys runs, that is when `phc2sysOpts` is
//! not blank), and `ts2phcConf` (its options and sections). Not checked: `ts2phcOpts` beyond
//! its syntax (the daemon adds the source clock itself), `synce4l*` and `chronyd*`, which
//! the shared parser does not model.

use ptp_core::config::phc2sys::{load_phc2sys, parse_phc2sys_args};
use ptp_core::config::ts2phc::parse_ts2phc_args;
use ptp_core::config::{load, parse_ptp4l_args, ConfigErrors, Ptp4lCommandLine};

use crate::crd::PtpProfile;

/// One problem in a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The profile's (bare) name.
    pub profile: String,
    /// The field holding the mistake, as spelled in the PtpConfig (`ptp4lConf`).
    pub field: &'static str,
    /// What is wrong, starting with the line (`line 3 in [global] section: ...`) when the
    /// mistake is in a file.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "profile {} {}: {}",
            self.profile, self.field, self.message
        )
    }
}

/// Every problem in `profile`, in field order; empty when it is valid.
pub fn check_profile(profile: &PtpProfile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |field: &'static str, message: String| {
        problems.push(Problem {
            profile: profile.name.clone(),
            field,
            message,
        });
    };

    match parse_ptp4l_args(&words(profile.ptp4l_opts.as_deref())) {
        Err(err) => report("ptp4lOpts", err.to_string()),
        Ok(cli) => {
            if let Err(errors) = load(&cli, profile.ptp4l_conf.as_deref()) {
                file_errors(errors, "ptp4lConf", "ptp4lOpts", &mut report);
            }
        }
    }

    let phc2sys = words(profile.phc2sys_opts.as_deref());
    if !phc2sys.is_empty() {
        match parse_phc2sys_args(&phc2sys) {
            Err(err) => report("phc2sysOpts", err.to_string()),
            Ok(cli) => {
                if let Err(err) = load_phc2sys(&cli, profile.phc2sys_conf.as_deref()) {
                    match err {
                        ptp_core::config::phc2sys::Phc2sysError::Config(errors) => {
                            file_errors(errors, "phc2sysConf", "phc2sysOpts", &mut report);
                        }
                        other => report("phc2sysOpts", other.to_string()),
                    }
                }
            }
        }
    }

    match parse_ts2phc_args(&words(profile.ts2phc_opts.as_deref())) {
        Err(err) => report("ts2phcOpts", err.to_string()),
        Ok(cli) => {
            if let Some(conf) = profile.ts2phc_conf.as_deref() {
                let table = Ptp4lCommandLine {
                    settings: cli.settings,
                    ..Ptp4lCommandLine::default()
                };
                if let Err(errors) = load(&table, Some(conf)) {
                    file_errors(errors, "ts2phcConf", "ts2phcOpts", &mut report);
                }
            }
        }
    }
    problems
}

/// Reports each error against the file field, or the options field when it comes from the
/// command line.
fn file_errors(
    errors: ConfigErrors,
    file: &'static str,
    options: &'static str,
    report: &mut impl FnMut(&'static str, String),
) {
    for error in errors.0 {
        let field = if error.line().is_some() {
            file
        } else {
            options
        };
        report(field, error.to_string());
    }
}

fn words(text: Option<&str>) -> Vec<&str> {
    text.map(|t| t.split_whitespace().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(ptp4l_conf: &str) -> PtpProfile {
        PtpProfile {
            name: "p".to_owned(),
            ptp4l_conf: Some(ptp4l_conf.to_owned()),
            ..PtpProfile::default()
        }
    }

    #[test]
    fn a_valid_profile_has_no_problems() {
        let mut p = profile("[global]\ndomainNumber 24\n[ens1f0]\nmasterOnly 0\n");
        p.ptp4l_opts = Some("-2 -s".to_owned());
        p.phc2sys_opts = Some("-a -r -n 24".to_owned());
        assert_eq!(check_profile(&p), vec![]);
        assert_eq!(check_profile(&PtpProfile::default()), vec![]);
    }

    #[test]
    fn a_bad_ptp4l_conf_is_reported_with_its_line() {
        let problems = check_profile(&profile("[global]\ndomainNumber 24\npriority1 5x\n"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "ptp4lConf");
        assert!(
            problems[0].message.starts_with("line 3"),
            "{}",
            problems[0].message
        );
        assert!(problems[0].message.contains("priority1"));
        assert!(problems[0]
            .to_string()
            .starts_with("profile p ptp4lConf: line 3"));
    }

    #[test]
    fn every_error_is_reported() {
        let problems = check_profile(&profile("[global]\nbogus 1\n[eth0]\nalso_bogus 2\n"));
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.message.split(':').next().unwrap())
            .collect();
        assert_eq!(
            lines,
            ["line 2 in [global] section", "line 4 in [eth0] section"]
        );
    }

    #[test]
    fn bad_options_are_reported_against_the_options_field() {
        let mut p = profile("[global]\n");
        p.ptp4l_opts = Some("-Z".to_owned());
        p.phc2sys_opts = Some("-r".to_owned());
        let fields: Vec<&str> = check_profile(&p).iter().map(|p| p.field).collect();
        assert_eq!(fields, ["ptp4lOpts", "phc2sysOpts"]);
    }

    #[test]
    fn blank_phc2sys_opts_means_no_phc2sys() {
        let mut p = profile("[global]\n");
        p.phc2sys_opts = Some("  ".to_owned());
        p.phc2sys_conf = Some("[global]\nbogus 1\n".to_owned());
        assert_eq!(check_profile(&p), vec![]);
    }

    #[test]
    fn a_bad_ts2phc_conf_is_reported() {
        let mut p = profile("[global]\n");
        p.ts2phc_conf = Some("[global]\nts2phc.pulsewidth nope\n".to_owned());
        let problems = check_profile(&p);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "ts2phcConf");
        assert!(problems[0].message.starts_with("line 2"));
    }
}

//! Which profiles a node runs: the upstream operator's selection rules, as a pure function.
//!
//! Upstream: `controllers/recommend.go` of the ptp-operator. For one node:
//!
//! 1. Every `recommend` entry of every PtpConfig is considered, ordered by `priority`
//!    ascending (0 is the highest priority). Equal priorities keep the order of the
//!    PtpConfigs (sorted by name here, so the answer does not depend on list order) and of
//!    the entries within one.
//! 2. An entry without `match` rules matches no node (the upstream daemon's own selector
//!    treats it as "all nodes"; the operator does not, and neither do we).
//! 3. An entry matches when any of its rules does: `nodeName` equals the node's name, or
//!    `nodeLabel` equals the key of one of the node's labels (the value is not compared).
//! 4. The first matching entry fixes the winning priority; every matching entry with that
//!    priority applies. Entries of lower priority are dropped.
//! 5. Each applying entry names a profile by its bare name. Every PtpConfig that holds a
//!    profile of that name contributes it, renamed `<PtpConfig>_<name>`.
//! 6. The result is sorted by qualified name; a profile selected by two entries appears once.
//!
//! A selected name that no PtpConfig holds is returned in [`Selection::missing`]. Upstream
//! then fails the whole reconcile and updates no node; the reconciler here keeps that one
//! node's previous profiles and reports the reference on the PtpConfig.
//!
//! `ptpSettings.controllingProfile` and `ptpSettings.haProfiles` name other profiles; those
//! references are qualified too, against the profiles of the same PtpConfig. A reference to a
//! profile that PtpConfig does not hold stays as written and is reported by
//! [`unresolved_references`].

use std::collections::BTreeMap;

use kube::ResourceExt;

use crate::crd::{NodeProfile, PtpConfig, PtpProfile, PtpRecommend};

/// `ptpSettings` keys whose value names one profile.
const SINGLE_REFERENCE: &str = "controllingProfile";
/// `ptpSettings` keys whose value names profiles, comma separated.
const LIST_REFERENCE: &str = "haProfiles";

/// The node a selection is for.
#[derive(Clone, Copy, Debug)]
pub struct NodeFacts<'a> {
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`.
    pub labels: &'a BTreeMap<String, String>,
}

/// The qualified name of profile `profile` of PtpConfig `config`.
pub fn qualified_name(config: &str, profile: &str) -> String {
    format!("{config}_{profile}")
}

/// What [`select`] found for one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// The profiles the node runs, sorted by qualified name.
    pub profiles: Vec<NodeProfile>,
    /// Selected profile names that no PtpConfig holds.
    pub missing: Vec<String>,
}

/// The profiles `node` runs, given every PtpConfig of the namespace.
pub fn select(configs: &[PtpConfig], node: NodeFacts<'_>) -> Selection {
    let configs = sorted(configs);
    let mut entries: Vec<&PtpRecommend> = configs
        .iter()
        .flat_map(|config| config.spec.recommend.iter())
        .collect();
    // A stable sort keeps PtpConfig and entry order among equal priorities.
    entries.sort_by_key(|entry| entry.priority);

    let mut winning: Option<i64> = None;
    let mut names: Vec<&str> = Vec::new();
    for entry in entries {
        if winning.is_some_and(|priority| entry.priority != priority) {
            break;
        }
        if matches(entry, node) {
            winning = Some(entry.priority);
            names.push(&entry.profile);
        }
    }

    let mut selected: BTreeMap<String, NodeProfile> = BTreeMap::new();
    for config in &configs {
        let config_name = config.name_any();
        for profile in &config.spec.profile {
            if names.contains(&profile.name.as_str()) {
                let qualified = qualify(&config_name, profile, &config.spec.profile);
                selected.insert(
                    qualified.name.clone(),
                    NodeProfile {
                        ptp_config: config_name.clone(),
                        profile: qualified,
                    },
                );
            }
        }
    }
    let missing = names
        .iter()
        .filter(|name| {
            !configs
                .iter()
                .any(|c| c.spec.profile.iter().any(|p| p.name == **name))
        })
        .map(|name| (*name).to_owned())
        .collect();
    Selection {
        profiles: selected.into_values().collect(),
        missing,
    }
}

/// Whether any rule of `entry` selects `node`.
fn matches(entry: &PtpRecommend, node: NodeFacts<'_>) -> bool {
    entry.match_rules.iter().flatten().any(|rule| {
        rule.node_name.as_deref() == Some(node.name)
            || rule
                .node_label
                .as_ref()
                .is_some_and(|key| node.labels.contains_key(key))
    })
}

fn sorted(configs: &[PtpConfig]) -> Vec<&PtpConfig> {
    let mut sorted: Vec<&PtpConfig> = configs.iter().collect();
    sorted.sort_by_key(|config| config.name_any());
    sorted
}

/// `profile` with its name and its references to sibling profiles qualified.
fn qualify(config: &str, profile: &PtpProfile, siblings: &[PtpProfile]) -> PtpProfile {
    let mut out = profile.clone();
    out.name = qualified_name(config, &profile.name);
    let resolve = |name: &str| -> String {
        if siblings.iter().any(|p| p.name == name) {
            qualified_name(config, name)
        } else {
            name.to_owned()
        }
    };
    if let Some(settings) = &mut out.ptp_settings {
        if let Some(value) = settings.get_mut(SINGLE_REFERENCE) {
            *value = resolve(value.trim());
        }
        if let Some(value) = settings.get_mut(LIST_REFERENCE) {
            *value = value
                .split(',')
                .map(|name| resolve(name.trim()))
                .collect::<Vec<_>>()
                .join(",");
        }
    }
    out
}

/// A reference from a profile to another profile that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    /// The profile holding the reference, or the `recommend` entry's profile.
    pub from: String,
    /// Where the reference is: `recommend`, `controllingProfile` or `haProfiles`.
    pub field: &'static str,
    /// The name that resolves to nothing.
    pub name: String,
}

/// References in `config` that resolve to no profile: `recommend[].profile` names found in no
/// PtpConfig of `all`, and `controllingProfile` / `haProfiles` names not in `config` itself.
pub fn unresolved_references(config: &PtpConfig, all: &[PtpConfig]) -> Vec<Unresolved> {
    let mut out = Vec::new();
    for entry in &config.spec.recommend {
        let exists = all
            .iter()
            .any(|other| other.spec.profile.iter().any(|p| p.name == entry.profile));
        if !exists {
            out.push(Unresolved {
                from: entry.profile.clone(),
                field: "recommend",
                name: entry.profile.clone(),
            });
        }
    }
    let known = |name: &str| config.spec.profile.iter().any(|p| p.name == name);
    for profile in &config.spec.profile {
        let Some(settings) = &profile.ptp_settings else {
            continue;
        };
        let single = settings
            .get(SINGLE_REFERENCE)
            .map(|v| (SINGLE_REFERENCE, v));
        let list = settings.get(LIST_REFERENCE).map(|v| (LIST_REFERENCE, v));
        for (field, value) in single.into_iter().chain(list) {
            for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !known(name) {
                    out.push(Unresolved {
                        from: profile.name.clone(),
                        field,
                        name: name.to_owned(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{MatchRule, PtpConfigSpec};

    fn rule(label: Option<&str>, name: Option<&str>) -> MatchRule {
        MatchRule {
            node_label: label.map(str::to_owned),
            node_name: name.map(str::to_owned),
        }
    }

    fn by_label(key: &str) -> Vec<MatchRule> {
        vec![rule(Some(key), None)]
    }

    fn by_name(node: &str) -> Vec<MatchRule> {
        vec![rule(None, Some(node))]
    }

    fn recommend(profile: &str, priority: i64, rules: Option<Vec<MatchRule>>) -> PtpRecommend {
        PtpRecommend {
            profile: profile.to_owned(),
            priority,
            match_rules: rules,
        }
    }

    fn profile(name: &str) -> PtpProfile {
        PtpProfile {
            name: name.to_owned(),
            ..PtpProfile::default()
        }
    }

    fn config(name: &str, profiles: &[&str], recommend: Vec<PtpRecommend>) -> PtpConfig {
        PtpConfig::new(
            name,
            PtpConfigSpec {
                profile: profiles.iter().map(|p| profile(p)).collect(),
                recommend,
            },
        )
    }

    fn labels(keys: &[(&str, &str)]) -> BTreeMap<String, String> {
        keys.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn names(selected: &[NodeProfile]) -> Vec<String> {
        selected.iter().map(|p| p.profile.name.clone()).collect()
    }

    /// One table row: configs, node name, node labels, expected qualified names.
    struct Case {
        what: &'static str,
        configs: Vec<PtpConfig>,
        node: &'static str,
        labels: &'static [(&'static str, &'static str)],
        expect: &'static [&'static str],
        missing: &'static [&'static str],
    }

    #[test]
    fn selection_table() {
        let cases = vec![
            Case {
                what: "nodeName matches exactly",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend("p", 0, Some(by_name("n1")))],
                )],
                node: "n1",
                labels: &[],
                expect: &["c_p"],
                missing: &[],
            },
            Case {
                what: "nodeName is not a prefix or pattern",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend("p", 0, Some(by_name("n1")))],
                )],
                node: "n10",
                labels: &[],
                expect: &[],
                missing: &[],
            },
            Case {
                what: "nodeLabel matches a label key whatever its value",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend("p", 0, Some(by_label("ptp/gm")))],
                )],
                node: "n",
                labels: &[("ptp/gm", "false")],
                expect: &["c_p"],
                missing: &[],
            },
            Case {
                what: "nodeLabel is not compared with values, nor with key=value",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend("p", 0, Some(by_label("role=gm")))],
                )],
                node: "n",
                labels: &[("role", "gm")],
                expect: &[],
                missing: &[],
            },
            Case {
                what: "an entry without rules, or with an empty list, matches nothing",
                configs: vec![config(
                    "c",
                    &["p", "q"],
                    vec![recommend("p", 0, None), recommend("q", 0, Some(vec![]))],
                )],
                node: "n",
                labels: &[("a", "")],
                expect: &[],
                missing: &[],
            },
            Case {
                what: "a rule with neither field matches nothing; any other rule may",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend(
                        "p",
                        0,
                        Some(vec![rule(None, None), rule(Some("a"), None)]),
                    )],
                )],
                node: "n",
                labels: &[("a", "")],
                expect: &["c_p"],
                missing: &[],
            },
            Case {
                what: "lowest priority number wins",
                configs: vec![config(
                    "c",
                    &["hi", "lo"],
                    vec![
                        recommend("lo", 10, Some(by_label("a"))),
                        recommend("hi", 4, Some(by_name("n"))),
                    ],
                )],
                node: "n",
                labels: &[("a", "")],
                expect: &["c_hi"],
                missing: &[],
            },
            Case {
                what: "a better priority that does not match does not hide a worse one",
                configs: vec![config(
                    "c",
                    &["hi", "lo"],
                    vec![
                        recommend("hi", 0, Some(by_name("other"))),
                        recommend("lo", 10, Some(by_label("a"))),
                    ],
                )],
                node: "n",
                labels: &[("a", "")],
                expect: &["c_lo"],
                missing: &[],
            },
            Case {
                what: "every match at the winning priority applies, across PtpConfigs",
                configs: vec![
                    config("z", &["ha"], vec![recommend("ha", 1, Some(by_label("a")))]),
                    config(
                        "a",
                        &["bc1", "bc2", "x"],
                        vec![
                            recommend("bc1", 1, Some(by_name("n"))),
                            recommend("bc2", 1, Some(by_label("a"))),
                            recommend("x", 2, Some(by_label("a"))),
                        ],
                    ),
                ],
                node: "n",
                labels: &[("a", "")],
                expect: &["a_bc1", "a_bc2", "z_ha"],
                missing: &[],
            },
            Case {
                what: "negative priorities sort first",
                configs: vec![config(
                    "c",
                    &["p", "q"],
                    vec![
                        recommend("p", 0, Some(by_name("n"))),
                        recommend("q", -1, Some(by_name("n"))),
                    ],
                )],
                node: "n",
                labels: &[],
                expect: &["c_q"],
                missing: &[],
            },
            Case {
                what: "a bare name pulls the profile of that name from every PtpConfig",
                configs: vec![
                    config("one", &["p"], vec![recommend("p", 0, Some(by_name("n")))]),
                    config("two", &["p", "other"], vec![]),
                ],
                node: "n",
                labels: &[],
                expect: &["one_p", "two_p"],
                missing: &[],
            },
            Case {
                what: "a profile recommended twice appears once",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![
                        recommend("p", 0, Some(by_name("n"))),
                        recommend("p", 0, Some(by_label("a"))),
                    ],
                )],
                node: "n",
                labels: &[("a", "")],
                expect: &["c_p"],
                missing: &[],
            },
            Case {
                what: "a recommended profile that exists nowhere gives nothing",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![recommend("ghost", 0, Some(by_name("n")))],
                )],
                node: "n",
                labels: &[],
                expect: &[],
                missing: &["ghost"],
            },
            Case {
                what: "the winning priority is fixed even when its profile is missing",
                configs: vec![config(
                    "c",
                    &["p"],
                    vec![
                        recommend("ghost", 0, Some(by_name("n"))),
                        recommend("p", 1, Some(by_name("n"))),
                    ],
                )],
                node: "n",
                labels: &[],
                expect: &[],
                missing: &["ghost"],
            },
            Case {
                what: "no PtpConfig at all",
                configs: vec![],
                node: "n",
                labels: &[],
                expect: &[],
                missing: &[],
            },
        ];
        for case in cases {
            let labels = labels(case.labels);
            let got = select(
                &case.configs,
                NodeFacts {
                    name: case.node,
                    labels: &labels,
                },
            );
            assert_eq!(names(&got.profiles), case.expect, "{}", case.what);
            assert_eq!(got.missing, case.missing, "{}", case.what);
            // The answer does not depend on the order of the list.
            let mut reversed = case.configs.clone();
            reversed.reverse();
            let again = select(
                &reversed,
                NodeFacts {
                    name: case.node,
                    labels: &labels,
                },
            );
            assert_eq!(again, got, "{} (reversed)", case.what);
        }
    }

    #[test]
    fn selected_profiles_keep_their_content_and_source() {
        let mut c = config("cfg", &["p"], vec![recommend("p", 0, Some(by_name("n")))]);
        c.spec.profile[0].ptp4l_conf = Some("[global]\ndomainNumber 24\n".to_owned());
        let labels = BTreeMap::new();
        let got = select(
            &[c],
            NodeFacts {
                name: "n",
                labels: &labels,
            },
        )
        .profiles;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].ptp_config, "cfg");
        assert_eq!(got[0].profile.name, "cfg_p");
        assert_eq!(
            got[0].profile.ptp4l_conf.as_deref(),
            Some("[global]\ndomainNumber 24\n")
        );
    }

    #[test]
    fn references_to_sibling_profiles_are_qualified() {
        let mut c = config(
            "cfg",
            &["ha", "a", "b", "ctl"],
            vec![recommend("ha", 0, Some(by_name("n")))],
        );
        c.spec.profile[0].ptp_settings = Some(
            [
                ("haProfiles".to_owned(), "a, b,ghost".to_owned()),
                ("controllingProfile".to_owned(), "ctl".to_owned()),
                ("stdoutFilter".to_owned(), "a".to_owned()),
            ]
            .into(),
        );
        let labels = BTreeMap::new();
        let got = select(
            std::slice::from_ref(&c),
            NodeFacts {
                name: "n",
                labels: &labels,
            },
        )
        .profiles;
        let settings = got[0].profile.ptp_settings.clone().unwrap();
        assert_eq!(settings["haProfiles"], "cfg_a,cfg_b,ghost");
        assert_eq!(settings["controllingProfile"], "cfg_ctl");
        assert_eq!(
            settings["stdoutFilter"], "a",
            "other settings are untouched"
        );

        assert_eq!(
            unresolved_references(&c, std::slice::from_ref(&c)),
            vec![Unresolved {
                from: "ha".to_owned(),
                field: "haProfiles",
                name: "ghost".to_owned()
            }]
        );
    }

    #[test]
    fn recommend_references_resolve_across_ptpconfigs() {
        let a = config("a", &[], vec![recommend("p", 0, Some(by_name("n")))]);
        let b = config("b", &["p"], vec![]);
        assert!(unresolved_references(&a, &[a.clone(), b]).is_empty());
        assert_eq!(
            unresolved_references(&a, std::slice::from_ref(&a)),
            vec![Unresolved {
                from: "p".to_owned(),
                field: "recommend",
                name: "p".to_owned()
            }]
        );
    }
}

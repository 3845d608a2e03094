//! Unit tier (no API server): the upstream samples and profiles read into our types and write
//! back without losing anything; the committed CRD YAML matches the types.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use operator::crd::{NodePtpDevice, PtpConfig, PtpOperatorConfig, PtpProfile};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn round_trip<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let losses = common::losses(value, &back);
    assert!(
        losses.is_empty(),
        "{what} lost information:\n{}",
        losses.join("\n")
    );
    // And the written form reads back to the same value.
    let again: T = serde_json::from_value(back.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        back,
        "{what}: not stable"
    );
    back
}

#[test]
fn every_upstream_sample_round_trips() {
    let samples = common::samples();
    assert_eq!(samples.len(), 3);
    for (name, value) in samples {
        match value["kind"].as_str().unwrap() {
            "PtpConfig" => drop(round_trip::<PtpConfig>(&name, &value)),
            "PtpOperatorConfig" => drop(round_trip::<PtpOperatorConfig>(&name, &value)),
            "NodePtpDevice" => drop(round_trip::<NodePtpDevice>(&name, &value)),
            other => panic!("{name}: unexpected kind {other}"),
        }
    }
}

#[test]
fn every_upstream_profile_round_trips() {
    let profiles = common::profiles();
    assert_eq!(profiles.len(), 4);
    for (name, value) in &profiles {
        let back = round_trip::<PtpProfile>(name, value);
        // The E810 plugin JSON is kept verbatim.
        assert_eq!(back["plugins"], value["plugins"], "{name}");
        // Unquoted clock IDs become their exact decimal text.
        assert_eq!(
            back["ptpSettings"]["clockId[ens4f0]"],
            Value::String("5799633565432596414".into()),
            "{name}"
        );
        // Wrapped as a whole object, too.
        round_trip::<PtpConfig>(
            name,
            &common::ptp_config_for(name, "ptp.openshift.io/v1", value),
        );
    }
}

#[test]
fn sample_values_land_in_the_right_fields() {
    let config: PtpConfig =
        serde_json::from_value(common::load("samples/ptp_v1_ptpconfig.yaml")).unwrap();
    let profile = &config.spec.profile[0];
    assert_eq!(profile.name, "profile1");
    assert_eq!(profile.interface.as_deref(), Some("ens787f1"));
    assert_eq!(profile.ptp4l_opts.as_deref(), Some("-s -2"));
    // `ptpClockThreshold: {}` reads with upstream's defaults.
    let threshold = profile.ptp_clock_threshold.as_ref().unwrap();
    assert_eq!(threshold.hold_over_timeout, 5);
    assert_eq!(
        (
            threshold.min_offset_threshold,
            threshold.max_offset_threshold
        ),
        (-100, 100)
    );
    assert_eq!(
        threshold.max_offset(),
        ptp_core::time::Duration::from_nanos(100)
    );
    let recommend = &config.spec.recommend[0];
    assert_eq!(
        (recommend.profile.as_str(), recommend.priority),
        ("profile1", 4)
    );
    let rule = &recommend.match_rules.as_ref().unwrap()[0];
    assert_eq!(rule.node_name.as_deref(), Some("node.example.com"));

    let operator: PtpOperatorConfig =
        serde_json::from_value(common::load("samples/ptp_v1_ptpoperatorconfig.yaml")).unwrap();
    assert_eq!(
        operator.spec.daemon_node_selector["node-role.kubernetes.io/worker"],
        ""
    );
    assert!(
        !operator
            .spec
            .ptp_event_config
            .unwrap()
            .enable_event_publisher
    );
}

#[test]
fn objects_without_spec_read_as_empty_like_upstream() {
    for (kind, api) in [
        ("PtpConfig", "ptp.openshift.io/v1"),
        ("NodePtpDevice", "ptp.openshift.io/v1"),
    ] {
        let value = serde_json::json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}});
        match kind {
            "PtpConfig" => {
                let c: PtpConfig = serde_json::from_value(value).unwrap();
                assert!(c.spec.profile.is_empty() && c.spec.recommend.is_empty());
            }
            _ => drop(serde_json::from_value::<NodePtpDevice>(value).unwrap()),
        }
    }
    let c: PtpOperatorConfig = serde_json::from_value(serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpOperatorConfig",
        "metadata": {"name": "default"}, "spec": null
    }))
    .unwrap();
    assert!(c.spec.daemon_node_selector.is_empty());
    // A spec that is present must still be well-formed.
    assert!(serde_json::from_value::<PtpConfig>(serde_json::json!({
        "apiVersion": "ptp.openshift.io/v1", "kind": "PtpConfig",
        "metadata": {"name": "x"}, "spec": {"profile": []}
    }))
    .is_err());
}

#[test]
fn committed_crd_yaml_matches_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/crds");
    let files = operator::crd::yaml_files().unwrap();
    let mut expected: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    expected.sort();
    committed.sort();
    assert_eq!(
        committed,
        expected,
        "deploy/crds/ has other files than the CRDs; regenerate with `{}`",
        operator::crd::REGENERATE
    );
    for (name, text) in files {
        let on_disk = std::fs::read_to_string(dir.join(&name)).unwrap();
        assert!(
            on_disk == text,
            "deploy/crds/{name} is out of date with operator/src/crd; regenerate with `{}`",
            operator::crd::REGENERATE
        );
    }
}

#[test]
fn committed_crds_parse_as_crds() {
    for (name, text) in operator::crd::yaml_files().unwrap() {
        let crd: k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(crd.spec.group, "ptp.openshift.io");
        assert_eq!(crd.spec.scope, "Namespaced");
    }
}

#[test]
fn the_loss_check_catches_losses() {
    let sent = serde_json::json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "ptpSettings": {"k": 5}});
    assert!(common::losses(&sent, &sent).is_empty());
    let got = serde_json::json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "ptpSettings": {"k": "5"}});
    assert!(
        common::losses(&sent, &got).is_empty(),
        "number as text under ptpSettings is allowed"
    );
    let cases = [
        serde_json::json!({"b": {"c": "x", "d": [1, 2]}, "ptpSettings": {"k": 5}}),
        serde_json::json!({"a": 2, "b": {"c": "x", "d": [1, 2]}, "ptpSettings": {"k": 5}}),
        serde_json::json!({"a": 1, "b": {"c": "x", "d": [1]}, "ptpSettings": {"k": 5}}),
        serde_json::json!({"a": "1", "b": {"c": "x", "d": [1, 2]}, "ptpSettings": {"k": 5}}),
        serde_json::json!({"a": 1, "b": {"c": "x", "d": [1, 2], "e": 0}, "ptpSettings": {"k": 5}}),
    ];
    for got in cases {
        assert_eq!(common::losses(&sent, &got).len(), 1, "{got}");
    }
}

#[test]
fn every_upstream_profile_and_sample_passes_validation() {
    let mut profiles: Vec<(String, PtpProfile)> = common::profiles()
        .into_iter()
        .map(|(name, value)| (name, serde_json::from_value(value).unwrap()))
        .collect();
    for (name, value) in common::samples() {
        if value["kind"] == "PtpConfig" {
            let config: PtpConfig = serde_json::from_value(value).unwrap();
            profiles.extend(config.spec.profile.into_iter().map(|p| (name.clone(), p)));
        }
    }
    assert_eq!(profiles.len(), 5);
    for (name, profile) in profiles {
        let problems = operator::validate::check_profile(&profile);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

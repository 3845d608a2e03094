//! Kube tier: our CRDs on a real kube-apiserver (v1.20.2), side by side with upstream's.
//!
//! Upstream's three CRDs (`tests/data/crds/`) are installed under the group
//! `upstream.ptp.openshift.io`, ours under `ptp.openshift.io`. Every object is then created
//! through both, and the two servers' answers must agree: both accept it and store the same
//! content (after each schema's defaulting and pruning), or both reject it as invalid. That is
//! the compatibility claim, checked by the API server's own validation rather than by reading
//! schemas.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::runtime::wait::conditions;
use kube::{Api, Client};
use kube_harness::wait;
use operator::crd::{NodePtpDevice, PtpConfig, PtpOperatorConfig, PtpProfile};
use serde_json::{json, Value};

const OURS: &str = "ptp.openshift.io";
const UPSTREAM: &str = "upstream.ptp.openshift.io";

/// Installs our CRDs and upstream's (renamed), and waits until all six are Established.
/// Idempotent, so every test calls it.
///
/// Created, not server-side applied: a v1.20 server's SSA rejects the `x-kubernetes-validations`
/// field that both upstream's PtpOperatorConfig CRD and ours carry (CEL came in 1.25), while a
/// plain create drops it, as `kubectl apply` does.
async fn install_crds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut crds: Vec<CustomResourceDefinition> = operator::crd::definitions()
        .into_iter()
        .map(|(_, crd)| crd)
        .collect();
    for file in [
        "ptp.openshift.io_nodeptpdevices.yaml",
        "ptp.openshift.io_ptpconfigs.yaml",
        "ptp.openshift.io_ptpoperatorconfigs.yaml",
    ] {
        let mut crd = common::load(&format!("crds/{file}"));
        let plural = crd["spec"]["names"]["plural"].as_str().unwrap().to_owned();
        crd["spec"]["group"] = json!(UPSTREAM);
        crd["metadata"]["name"] = json!(format!("{plural}.{UPSTREAM}"));
        crds.push(serde_json::from_value(crd).unwrap());
    }
    for crd in &crds {
        let name = crd.metadata.name.clone().unwrap();
        match api.create(&PostParams::default(), crd).await {
            Ok(_) => {}
            // Another test of this binary installed it first.
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => panic!("creating CRD {name}: {e}"),
        }
    }
    for crd in &crds {
        let name = crd.metadata.name.clone().unwrap();
        tokio::time::timeout(
            Duration::from_secs(30),
            wait::until(&api, &name, conditions::is_crd_established()),
        )
        .await
        .unwrap_or_else(|_| panic!("CRD {name} not Established in 30 s"));
    }
}

fn resource(group: &str, kind: &str) -> ApiResource {
    let plural = format!("{}s", kind.to_ascii_lowercase());
    ApiResource {
        group: group.to_owned(),
        version: "v1".to_owned(),
        api_version: format!("{group}/v1"),
        kind: kind.to_owned(),
        plural,
    }
}

/// What the server made of an object: the stored object without server-set metadata, or the
/// message of a 422 Invalid rejection.
type Answer = Result<Value, String>;

fn strip(mut stored: Value) -> Value {
    let name = stored["metadata"]["name"].clone();
    stored["metadata"] = json!({ "name": name });
    stored.as_object_mut().unwrap().remove("apiVersion");
    stored
}

async fn create_in(client: &Client, ns: &str, group: &str, object: &Value) -> Answer {
    let kind = object["kind"].as_str().unwrap();
    let ar = resource(group, kind);
    let mut object = object.clone();
    object["apiVersion"] = json!(ar.api_version);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let dynamic: DynamicObject = serde_json::from_value(object).unwrap();
    match api.create(&PostParams::default(), &dynamic).await {
        Ok(created) => {
            // Read it back rather than trusting the create response.
            let name = created.metadata.name.unwrap();
            Ok(strip(
                serde_json::to_value(api.get(&name).await.unwrap()).unwrap(),
            ))
        }
        Err(kube::Error::Api(status)) if status.code == 422 => Err(status.message),
        Err(other) => panic!("creating {kind} in {group}: unexpected error {other}"),
    }
}

/// Creates `object` through both CRDs and checks that the answers agree.
async fn both(client: &Client, ns: &str, object: &Value) -> Answer {
    let ours = create_in(client, ns, OURS, object).await;
    let upstream = create_in(client, ns, UPSTREAM, object).await;
    let name = &object["metadata"]["name"];
    match (&ours, &upstream) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}: stored differently by ours and upstream"),
        (Err(_), Err(_)) => {}
        _ => panic!("{name}: ours {ours:?}\nupstream {upstream:?}"),
    }
    ours
}

/// Checks a stored object against what was sent and against our Rust types.
fn check_stored(sent: &Value, stored: &Value) {
    let name = &sent["metadata"]["name"];
    let losses = common::losses(&sent["spec"], &stored["spec"]);
    assert!(
        losses.is_empty(),
        "{name}: the server lost:\n{}",
        losses.join("\n")
    );
    let typed_back = match stored["kind"].as_str().unwrap() {
        "PtpConfig" => {
            serde_json::to_value(serde_json::from_value::<PtpConfig>(stored.clone()).unwrap())
        }
        "PtpOperatorConfig" => serde_json::to_value(
            serde_json::from_value::<PtpOperatorConfig>(stored.clone()).unwrap(),
        ),
        "NodePtpDevice" => {
            serde_json::to_value(serde_json::from_value::<NodePtpDevice>(stored.clone()).unwrap())
        }
        other => panic!("unexpected kind {other}"),
    }
    .unwrap();
    let mut typed_back = typed_back;
    let typed_back_map = typed_back.as_object_mut().unwrap();
    // `strip` dropped apiVersion; our types always write it.
    typed_back_map.remove("apiVersion");
    // A missing spec reads as the spec type's default (see `optional_spec.rs`) and is written
    // back as such; that is the same object.
    if stored.get("spec").is_none() {
        typed_back_map.remove("spec");
    }
    let losses = common::losses(stored, &typed_back);
    assert!(
        losses.is_empty(),
        "{name}: our types lost:\n{}",
        losses.join("\n")
    );
}

fn with_api_version(mut object: Value) -> Value {
    object["apiVersion"] = json!("ptp.openshift.io/v1");
    object
}

#[tokio::test]
async fn our_crds_are_established_next_to_upstream() {
    let Some(env) = kube_harness::test_env("crds_established").await else {
        return;
    };
    install_crds(&env.client).await;
    let api: Api<CustomResourceDefinition> = Api::all(env.client.clone());
    for (_, crd) in operator::crd::definitions() {
        let stored = api
            .get(crd.metadata.name.as_deref().unwrap())
            .await
            .unwrap();
        let conditions = stored.status.unwrap().conditions.unwrap();
        let established = conditions
            .iter()
            .find(|c| c.type_ == "Established")
            .unwrap();
        assert_eq!(established.status, "True");
        // A non-structural schema would show up as a NonStructuralSchema condition.
        assert!(
            !conditions
                .iter()
                .any(|c| c.type_ == "NonStructuralSchema" && c.status == "True"),
            "{:?}",
            conditions
        );
    }
}

#[tokio::test]
async fn every_upstream_sample_is_stored_like_upstream() {
    let Some(env) = kube_harness::test_env("samples").await else {
        return;
    };
    install_crds(&env.client).await;
    for (file, sample) in common::samples() {
        let stored = both(&env.client, &env.namespace, &sample)
            .await
            .unwrap_or_else(|e| panic!("{file} rejected: {e}"));
        check_stored(&sample, &stored);
    }
}

#[tokio::test]
async fn every_upstream_profile_is_stored_like_upstream() {
    let Some(env) = kube_harness::test_env("profiles").await else {
        return;
    };
    install_crds(&env.client).await;
    for (file, profile) in common::profiles() {
        // As written, the fixtures have unquoted numbers in ptpSettings (a Go YAML loader takes
        // them as text); the API's schema, upstream's and ours, says string, so both reject.
        let raw = common::ptp_config_for(&format!("{file}-raw"), "ptp.openshift.io/v1", &profile);
        let rejected = both(&env.client, &env.namespace, &raw).await;
        assert!(
            rejected
                .as_ref()
                .is_err_and(|msg| msg.contains("ptpSettings")),
            "{file}: {rejected:?}"
        );

        // Read through our type (which takes the numbers as text), both accept it.
        let typed: PtpProfile = serde_json::from_value(profile.clone()).unwrap();
        let object = common::ptp_config_for(
            &file,
            "ptp.openshift.io/v1",
            &serde_json::to_value(&typed).unwrap(),
        );
        let stored = both(&env.client, &env.namespace, &object)
            .await
            .unwrap_or_else(|e| panic!("{file} rejected: {e}"));
        check_stored(&object, &stored);
        // And the stored profile is the fixture, field for field.
        let losses = common::losses(&profile, &stored["spec"]["profile"][0]);
        assert!(losses.is_empty(), "{file}:\n{}", losses.join("\n"));
    }
}

/// Valid corner cases: both accept and store the same.
#[tokio::test]
async fn corner_cases_are_accepted_like_upstream() {
    let Some(env) = kube_harness::test_env("corner_cases").await else {
        return;
    };
    install_crds(&env.client).await;
    let cases = [
        json!({"kind": "PtpConfig", "metadata": {"name": "no-spec"}}),
        json!({"kind": "NodePtpDevice", "metadata": {"name": "no-spec-device"}}),
        json!({"kind": "NodePtpDevice", "metadata": {"name": "pruned-spec"}, "spec": {"x": 1}}),
        json!({"kind": "PtpConfig", "metadata": {"name": "empty-lists"},
               "spec": {"profile": [], "recommend": []}}),
        json!({"kind": "PtpConfig", "metadata": {"name": "unknown-fields"},
               "spec": {"future": true, "profile": [{"name": "p", "future": 1}],
                        "recommend": [{"profile": "p", "priority": 0, "future": "x"}]}}),
        json!({"kind": "PtpConfig", "metadata": {"name": "bounds"},
               "spec": {"profile": [
                   {"name": "lo", "ptpSchedulingPolicy": "SCHED_FIFO", "ptpSchedulingPriority": 1,
                    "ptpClockThreshold": {"processDowntimeThresholds": {"ptp4l": 0, "gpsd": 86400}}},
                   {"name": "hi", "ptpSchedulingPolicy": "SCHED_OTHER", "ptpSchedulingPriority": 65,
                    "ptpClockThreshold": {"holdOverTimeout": 0, "maxOffsetThreshold": -7,
                                          "minOffsetThreshold": 9223372036854775807_i64,
                                          "processDowntimeThresholds": {}}}],
                        "recommend": [{"profile": "lo", "priority": -3},
                                      {"profile": "hi", "priority": 9, "match": []}]}}),
        json!({"kind": "PtpConfig", "metadata": {"name": "free-form"},
               "spec": {"profile": [{"name": "p", "ptpSettings": {},
                                      "plugins": {"e810": {"a": [1, {"b": null}], "c": "d"},
                                                  "other": {}, "n": 5, "s": "x", "l": []}}],
                        "recommend": [{"profile": "p", "priority": 0,
                                       "match": [{"nodeLabel": "k"}, {}]}]}}),
        json!({"kind": "PtpOperatorConfig", "metadata": {"name": "default"},
               "spec": {"daemonNodeSelector": {}, "plugins": {"e810": {"x": 1}, "e825": {}},
                        "ptpEventConfig": {"enableEventPublisher": true, "apiVersion": "2.0",
                                           "transportHost": "http://h:9043", "storageType": "emptyDir"}}}),
        json!({"kind": "PtpOperatorConfig", "metadata": {"name": "no-spec-operator"}}),
    ];
    for case in cases {
        let case = with_api_version(case);
        let stored = both(&env.client, &env.namespace, &case)
            .await
            .unwrap_or_else(|e| panic!("{}: rejected: {e}", case["metadata"]["name"]));
        // Unknown fields are pruned by both servers: compare to what our types keep instead.
        if case["metadata"]["name"] == "unknown-fields" || case["metadata"]["name"] == "pruned-spec"
        {
            assert!(stored["spec"].get("future").is_none() && stored["spec"].get("x").is_none());
            continue;
        }
        check_stored(&case, &stored);
    }
}

/// Invalid objects: upstream rejects each (so the case means something) and so do we.
#[tokio::test]
async fn invalid_objects_are_rejected_like_upstream() {
    let Some(env) = kube_harness::test_env("invalid").await else {
        return;
    };
    install_crds(&env.client).await;
    let profile = |extra: Value| {
        let mut p = json!({"name": "p"});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        p
    };
    let config = |name: &str, profile: Value, recommend: Value| {
        json!({"kind": "PtpConfig", "metadata": {"name": name},
               "spec": {"profile": [profile], "recommend": [recommend]}})
    };
    let ok_recommend = json!({"profile": "p", "priority": 0});
    let cases = [
        config(
            "priority-text",
            profile(json!({})),
            json!({"profile": "p", "priority": "high"}),
        ),
        config(
            "priority-missing",
            profile(json!({})),
            json!({"profile": "p"}),
        ),
        config(
            "recommend-profile-missing",
            profile(json!({})),
            json!({"priority": 1}),
        ),
        config(
            "profile-name-missing",
            json!({"interface": "eth0"}),
            ok_recommend.clone(),
        ),
        config(
            "match-not-list",
            profile(json!({})),
            json!({"profile": "p", "priority": 0, "match": {"nodeName": "n"}}),
        ),
        config(
            "node-name-number",
            profile(json!({})),
            json!({"profile": "p", "priority": 0, "match": [{"nodeName": 5}]}),
        ),
        config(
            "interface-list",
            profile(json!({"interface": ["a"]})),
            ok_recommend.clone(),
        ),
        config(
            "sched-priority-0",
            profile(json!({"ptpSchedulingPriority": 0})),
            ok_recommend.clone(),
        ),
        config(
            "sched-priority-66",
            profile(json!({"ptpSchedulingPriority": 66})),
            ok_recommend.clone(),
        ),
        config(
            "sched-policy-rr",
            profile(json!({"ptpSchedulingPolicy": "SCHED_RR"})),
            ok_recommend.clone(),
        ),
        config(
            "settings-number",
            profile(json!({"ptpSettings": {"clockId[x]": 5}})),
            ok_recommend.clone(),
        ),
        config(
            "settings-object",
            profile(json!({"ptpSettings": {"a": {"b": "c"}}})),
            ok_recommend.clone(),
        ),
        config(
            "plugins-list",
            profile(json!({"plugins": ["e810"]})),
            ok_recommend.clone(),
        ),
        config(
            "holdover-text",
            profile(json!({"ptpClockThreshold": {"holdOverTimeout": "5"}})),
            ok_recommend.clone(),
        ),
        config(
            "downtime-high",
            profile(json!({"ptpClockThreshold": {"processDowntimeThresholds": {"ptp4l": 86401}}})),
            ok_recommend.clone(),
        ),
        config(
            "downtime-negative",
            profile(json!({"ptpClockThreshold": {"processDowntimeThresholds": {"gpsd": -1}}})),
            ok_recommend.clone(),
        ),
        json!({"kind": "PtpConfig", "metadata": {"name": "recommend-missing"}, "spec": {"profile": []}}),
        json!({"kind": "PtpConfig", "metadata": {"name": "profile-not-list"},
               "spec": {"profile": {"name": "p"}, "recommend": []}}),
        json!({"kind": "PtpOperatorConfig", "metadata": {"name": "selector-missing"}, "spec": {}}),
        json!({"kind": "PtpOperatorConfig", "metadata": {"name": "selector-number"},
               "spec": {"daemonNodeSelector": {"a": 1}}}),
        json!({"kind": "PtpOperatorConfig", "metadata": {"name": "publisher-text"},
               "spec": {"daemonNodeSelector": {}, "ptpEventConfig": {"enableEventPublisher": "yes"}}}),
        json!({"kind": "NodePtpDevice", "metadata": {"name": "spec-list"}, "spec": []}),
    ];
    for case in cases {
        let case = with_api_version(case);
        let answer = both(&env.client, &env.namespace, &case).await;
        assert!(
            answer.is_err(),
            "{} was accepted: {answer:?}",
            case["metadata"]["name"]
        );
    }
}

/// Status written through the status subresource, valid and invalid, for both schemas.
#[tokio::test]
async fn status_is_validated_like_upstream() {
    let Some(env) = kube_harness::test_env("status").await else {
        return;
    };
    install_crds(&env.client).await;
    let device_status = json!({
        "devices": [{"name": "ens1f0", "profile": "p",
                     "hardwareInfo": {"pciAddress": "0000:17:00.0", "vendorID": "8086", "deviceID": "159b",
                                      "subsystemVendorID": "8086", "subsystemDeviceID": "0001",
                                      "firmwareVersion": "4.40", "driverVersion": "1.14", "linkStatus": "up",
                                      "linkSpeed": "25000Mb/s", "fec": "RS", "vpdIdentifierString": "E810",
                                      "vpdPartNumber": "K1", "vpdSerialNumber": "S1", "vpdManufacturerID": "M",
                                      "vpdProductName": "P", "vpdVendorSpecific1": "V1", "vpdVendorSpecific2": "V2"}}],
        "hwconfig": [{"deviceID": "gnss", "vendorID": "1546", "failed": false, "status": "ok",
                      "config": {"anything": [1, "two", {"three": 3}]}}],
        "systemInfo": {"manufacturer": "M", "productName": "P", "version": "1", "serialNumber": "S",
                       "skuNumber": "K", "family": "F"},
        "baseBoardInfo": {"manufacturer": "M", "productName": "P", "version": "1", "serialNumber": "S"}
    });
    let config_status = json!({
        "matchList": [{"nodeName": "n1", "profile": "c_p"}],
        "conditions": [{"type": "ProfileReferenceValid", "status": "True", "reason": "Resolved",
                        "message": "resolved", "lastTransitionTime": "2026-11-24T05:00:00Z"}]
    });
    let cases = [
        ("NodePtpDevice", json!({}), device_status, true),
        (
            "NodePtpDevice",
            json!({}),
            json!({"devices": "ens1f0"}),
            false,
        ),
        (
            "NodePtpDevice",
            json!({}),
            json!({"hwconfig": [{"failed": "no"}]}),
            false,
        ),
        (
            "PtpConfig",
            json!({"profile": [], "recommend": []}),
            config_status,
            true,
        ),
        (
            "PtpConfig",
            json!({"profile": [], "recommend": []}),
            json!({"matchList": [{"nodeName": "n1"}]}),
            false,
        ),
    ];
    for (i, (kind, spec, status, valid)) in cases.into_iter().enumerate() {
        let mut answers = Vec::new();
        for group in [OURS, UPSTREAM] {
            let ar = resource(group, kind);
            let api: Api<DynamicObject> =
                Api::namespaced_with(env.client.clone(), &env.namespace, &ar);
            let name = format!("status-{i}");
            let object: DynamicObject = serde_json::from_value(json!({
                "apiVersion": ar.api_version, "kind": kind, "metadata": {"name": name}, "spec": spec
            }))
            .unwrap();
            api.create(&PostParams::default(), &object).await.unwrap();
            let patch = Patch::Merge(json!({"status": status}));
            let answer = match api
                .patch_status(&name, &PatchParams::default(), &patch)
                .await
            {
                Ok(_) => Ok(
                    serde_json::to_value(api.get_status(&name).await.unwrap()).unwrap()["status"]
                        .clone(),
                ),
                Err(kube::Error::Api(e)) if e.code == 422 => Err(e.message),
                Err(e) => panic!("{kind} status {i}: {e}"),
            };
            answers.push(answer);
        }
        let (ours, upstream) = (&answers[0], &answers[1]);
        match (ours, upstream) {
            (Ok(a), Ok(b)) => {
                assert!(valid, "case {i} accepted");
                assert_eq!(a, b, "case {i}");
                let losses = common::losses(&status, a);
                assert!(losses.is_empty(), "case {i}: {losses:?}");
            }
            (Err(_), Err(_)) => assert!(!valid, "case {i} rejected: {ours:?}"),
            _ => panic!("case {i}: ours {ours:?}, upstream {upstream:?}"),
        }
    }
}

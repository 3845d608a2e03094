//! Shared by the CRD tests: the upstream fixtures and a "nothing was lost" comparison.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Parses a YAML file into JSON.
pub fn load(relative: &str) -> Value {
    let path = data_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(file stem, object)` for every upstream sample object.
pub fn samples() -> Vec<(String, Value)> {
    files("samples")
}

/// `(file stem, profile entry)` for every upstream profile fixture.
pub fn profiles() -> Vec<(String, Value)> {
    files("profiles")
}

fn files(dir: &str) -> Vec<(String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {dir}");
    names
        .into_iter()
        .map(|name| {
            let value = load(&format!("{dir}/{name}"));
            (name.trim_end_matches(".yaml").to_owned(), value)
        })
        .collect()
}

/// Fields the schemas default when absent (upstream's `default:` markers, which ours repeat).
pub const DEFAULTED: &[&str] = &[
    "holdOverTimeout",
    "maxOffsetThreshold",
    "minOffsetThreshold",
    "ptp4l",
    "phc2sys",
    "ts2phc",
    "synce4l",
    "chronyd",
    "gpsd",
    "gpspipe",
    "enableEventPublisher",
];

/// Differences that lose or change information going from `sent` to `got`: every field of
/// `sent` must be in `got` with the same value. Extra fields in `got` are reported only if they
/// are not schema defaults. A number or boolean under `ptpSettings` may come back as its text
/// (see `operator/src/crd/string_map.rs`).
pub fn losses(sent: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(sent, got, "", &mut out);
    out
}

fn walk(sent: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    match (sent, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let sub = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => walk(value, other, &sub, out),
                    None => out.push(format!("{sub}: lost ({value})")),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) && !DEFAULTED.contains(&key.as_str()) {
                    out.push(format!("{path}.{key}: added ({value})"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(n), Value::String(s))
            if path.contains(".ptpSettings.") && n.to_string() == *s => {}
        (Value::Bool(v), Value::String(s))
            if path.contains(".ptpSettings.") && v.to_string() == *s => {}
        (Value::Number(a), Value::Number(b))
            if a.as_f64() == b.as_f64() && a.as_f64().is_some() =>
        {
            // 1 and 1.0 are the same JSON number.
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} became {b}")),
    }
}

/// Wraps a profile fixture in a PtpConfig that recommends it to one node.
pub fn ptp_config_for(name: &str, api_version: &str, profile: &Value) -> Value {
    serde_json::json!({
        "apiVersion": api_version,
        "kind": "PtpConfig",
        "metadata": { "name": name },
        "spec": {
            "profile": [profile],
            "recommend": [{
                "profile": profile["name"],
                "priority": 4,
                "match": [{ "nodeName": "node-0" }]
            }]
        }
    })
}

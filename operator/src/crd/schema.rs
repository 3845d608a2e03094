//! Hand-written schema fragments where a Rust type alone cannot say what the upstream CRD
//! says.

use schemars::{json_schema, Schema, SchemaGenerator};

/// Any JSON value, kept as it is: `x-kubernetes-preserve-unknown-fields` with no type, as the
/// upstream CRDs declare `apiextensions.JSON` fields.
pub(crate) fn any_json(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A map from plugin name to free-form JSON (`map[string]*apiextensions.JSON` upstream).
pub(crate) fn plugin_map(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": { "x-kubernetes-preserve-unknown-fields": true }
    })
}

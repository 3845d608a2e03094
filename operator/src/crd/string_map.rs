//! Lenient reading of `map[string]string` fields such as `ptpSettings`.
//!
//! The upstream daemon loads profiles from YAML with a Go YAML decoder, which stores any scalar
//! into a string field: its own test profiles write `clockId[ens4f0]: 5799633565432596414`
//! unquoted. We accept the same when reading: integers, floats and booleans become their
//! decimal text (integers exactly, through `u64`/`i64`). We always write strings, so the API
//! server, whose schema (ours and upstream's) says `string`, sees what it expects. A value
//! the API server stores is always a string already, so this only matters for files.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// Deserialises an optional map whose values may be any scalar.
pub(crate) fn lenient<'de, D>(deserializer: D) -> Result<Option<BTreeMap<String, String>>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_option(OptionalMap)
}

struct OptionalMap;

impl<'de> Visitor<'de> for OptionalMap {
    type Value = Option<BTreeMap<String, String>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings (numbers and booleans are taken as their text)")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((key, ScalarText(value))) = access.next_entry::<String, ScalarText>()? {
            map.insert(key, value);
        }
        Ok(Some(map))
    }
}

/// A scalar taken as text.
struct ScalarText(String);

impl<'de> de::Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = ScalarText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<ScalarText, E> {
        Ok(ScalarText(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ScalarText, E> {
        Ok(ScalarText(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "lenient")]
        map: Option<BTreeMap<String, String>>,
    }

    #[test]
    fn scalars_become_text_exactly() {
        let h: Holder = serde_json::from_str(
            r#"{"map": {"a": "x", "b": 5799633565432596414, "c": -3, "d": true, "e": 0.5}}"#,
        )
        .unwrap();
        let map = h.map.unwrap();
        assert_eq!(map["a"], "x");
        assert_eq!(map["b"], "5799633565432596414");
        assert_eq!(map["c"], "-3");
        assert_eq!(map["d"], "true");
        assert_eq!(map["e"], "0.5");
    }

    #[test]
    fn absent_and_null_are_none_and_nesting_is_an_error() {
        let h: Holder = serde_json::from_str("{}").unwrap();
        assert!(h.map.is_none());
        let h: Holder = serde_json::from_str(r#"{"map": null}"#).unwrap();
        assert!(h.map.is_none());
        assert!(serde_json::from_str::<Holder>(r#"{"map": {"a": [1]}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"map": {"a": {"b": 1}}}"#).is_err());
    }
}

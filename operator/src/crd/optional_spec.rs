//! Upstream's CRDs do not require `spec`; ours do not either.
//!
//! kube-derive makes the `spec` field of the generated root type required, both in the schema
//! and when deserialising. [`definitions`](super::definitions) drops it from the schema's
//! `required` list, and [`optional_spec!`] lets each spec type read a missing (or `null`) spec
//! as its `Default`, which has the same meaning as upstream's zero-valued Go struct: a
//! PtpConfig without spec recommends nothing. The spec types derive serde with
//! `#[serde(remote = "Self")]`, which turns the derived code into inherent functions that the
//! macro's trait impls call.

/// Implements `Serialize` and `Deserialize` for a spec type that derives them with
/// `#[serde(remote = "Self")]`, reading an absent or `null` value as `Default::default()`.
macro_rules! optional_spec {
    ($spec:ident) => {
        impl ::serde::Serialize for $spec {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $spec::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $spec {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct Present($spec);
                impl<'de> ::serde::Deserialize<'de> for Present {
                    fn deserialize<D: ::serde::Deserializer<'de>>(
                        deserializer: D,
                    ) -> Result<Self, D::Error> {
                        $spec::deserialize(deserializer).map(Present)
                    }
                }
                // A missing field reaches here as `deserialize_option` -> `visit_none`.
                let present: Option<Present> = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(present.map_or_else(Default::default, |Present(spec)| spec))
            }
        }
    };
}

pub(crate) use optional_spec;

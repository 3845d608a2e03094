//! What lets several instances share the registry's families: the instance's `config` label
//! on series that have no such label of their own ([`InstanceLabel`]), and the record of the
//! series each instance made, to remove them when the instance stops ([`Owned`]).

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use prometheus_client::encoding::{EncodeLabelSet, LabelSetEncoder};
use prometheus_client::metrics::family::{Family, MetricConstructor};

/// The `config` label an instance adds to a series, or nothing (the standalone agent keeps
/// the daemon's label sets).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct InstanceLabel(pub(super) Option<String>);

impl EncodeLabelSet for InstanceLabel {
    fn encode(&self, encoder: &mut LabelSetEncoder<'_>) -> Result<(), std::fmt::Error> {
        match &self.0 {
            Some(config) => [("config", config.as_str())].encode(encoder),
            None => Ok(()),
        }
    }
}

/// A family the instances share, and the series of it that one instance made.
#[derive(Debug)]
pub(super) struct Owned<L, M> {
    family: Family<L, M>,
    made: Arc<Mutex<HashSet<L>>>,
}

impl<L, M> Clone for Owned<L, M> {
    fn clone(&self) -> Self {
        Self {
            family: self.family.clone(),
            made: self.made.clone(),
        }
    }
}

impl<L, M> Owned<L, M>
where
    L: Clone + Hash + Eq,
    M: Clone,
    fn() -> M: MetricConstructor<M>,
{
    /// This instance's part of `family`, empty so far.
    pub(super) fn new(family: &Family<L, M>) -> Self {
        Self {
            family: family.clone(),
            made: Arc::default(),
        }
    }

    /// The series `labels`, made if it does not exist yet.
    pub(super) fn get(&self, labels: &L) -> M {
        let mut made = self
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !made.contains(labels) {
            made.insert(labels.clone());
        }
        self.family.get_or_create_owned(labels)
    }

    /// Removes the series this instance made whose labels `gone` picks.
    pub(super) fn retire_where(&self, gone: impl Fn(&L) -> bool) {
        let mut made = self
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        made.retain(|labels| {
            if gone(labels) {
                self.family.remove(labels);
                return false;
            }
            true
        });
    }

    /// Removes every series this instance made.
    pub(super) fn retire(&self) {
        let mut made = self
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for labels in made.drain() {
            self.family.remove(&labels);
        }
    }
}

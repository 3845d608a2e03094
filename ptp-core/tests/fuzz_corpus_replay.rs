//! Replays the fuzz inputs kept in the repository — `fuzz/seeds/<target>/`, and
//! `fuzz/corpus/<target>/` and `fuzz/artifacts/<target>/` when a local fuzzing run left them —
//! through the same checks the cargo-fuzz targets run (`ptp_core::__fuzz`), so CI exercises
//! them on the stable toolchain.
//!
//! The seeds are golden capture packets, one per distinct shape (transport, message type,
//! majorSdoId, TLV types, managementId, length). `seeds_hold_the_golden_captures` checks that
//! they are all there; `PTP_WRITE_FUZZ_SEEDS=1 cargo test -p ptp-core --test
//! fuzz_corpus_replay` writes missing ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ptp_core::__fuzz::TARGETS;
use ptp_core::wire::{Message, Tlv};
use support::pcap::{ptp_payloads, Transport};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files directly inside `dir`, or none if it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_fuzz_input_passes_its_target_check() {
    for (target, check) in TARGETS {
        let seeds = files_in(&fuzz_dir().join("seeds").join(target));
        assert!(!seeds.is_empty(), "no seeds for fuzz target {target}");
        let local = ["corpus", "artifacts"]
            .iter()
            .flat_map(|kind| files_in(&fuzz_dir().join(kind).join(target)));
        for path in seeds.iter().cloned().chain(local) {
            let data = std::fs::read(&path).unwrap();
            if let Err(failure) = check(&data) {
                panic!("{target}: {}: {failure}", path.display());
            }
        }
    }
}

/// FNV-1a, 64 bits: a stable file name for a seed's content.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The first golden packet of each shape.
fn golden_seeds() -> Vec<Vec<u8>> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut by_shape = BTreeMap::new();
    let mut captures: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    captures.sort();
    for capture in captures {
        for p in ptp_payloads(&capture) {
            let m = Message::decode(&p.payload).unwrap();
            let tlvs: Vec<(u16, u16)> = m
                .suffix
                .iter()
                .map(|t| {
                    let t = t.unwrap();
                    let id = match t {
                        Tlv::Management(m) => m.id.0,
                        Tlv::ManagementErrorStatus(e) => e.id.0,
                        _ => 0,
                    };
                    (t.tlv_type().0, id)
                })
                .collect();
            let shape = (
                p.transport == Transport::UdpV6,
                m.message_type() as u8,
                m.header.major_sdo_id,
                tlvs,
                p.payload.len(),
            );
            by_shape.entry(shape).or_insert(p.payload);
        }
    }
    by_shape.into_values().collect()
}

#[test]
fn seeds_hold_the_golden_captures() {
    let write = std::env::var_os("PTP_WRITE_FUZZ_SEEDS").is_some();
    let seeds = golden_seeds();
    assert!(seeds.len() > 10, "only {} seed shapes", seeds.len());
    for (target, _) in TARGETS {
        let dir = fuzz_dir().join("seeds").join(target);
        for seed in &seeds {
            let path = dir.join(format!("golden-{:016x}", fnv1a(seed)));
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, seed).unwrap();
            }
            let kept = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (PTP_WRITE_FUZZ_SEEDS=1 writes it)", path.display())
            });
            assert_eq!(&kept, seed, "{}", path.display());
        }
    }
}

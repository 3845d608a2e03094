//! Finding the `kube-apiserver` and `etcd` binaries, and what to do when they are missing.

use std::path::{Path, PathBuf};

use test_prereq::Missing;

/// The Kubernetes version `scripts/kube/build-apiserver.sh` builds.
pub const KUBE_VERSION: &str = "v1.20.2";

/// Default cache root of `scripts/kube/build-apiserver.sh` (overridden by `PTP_KUBE_CACHE`).
const DEFAULT_CACHE: &str = "/var/cache/ptp-rs/kube";

/// The two server binaries the harness runs.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// `kube-apiserver`.
    pub apiserver: PathBuf,
    /// `etcd`.
    pub etcd: PathBuf,
}

/// How to get both binaries: the build script builds kube-apiserver, installs etcd, and
/// prints the two variables to export.
const INSTALL: &str =
    "eval \"$(scripts/kube/build-apiserver.sh)\" (exports PTP_KUBE_APISERVER and PTP_ETCD)";

/// A binary the harness did not find at `looked_at`.
fn missing(what: &str, looked_at: &str) -> Missing {
    Missing {
        what: format!("{what} (looked at {looked_at})"),
        install: INSTALL.to_owned(),
    }
}

impl Binaries {
    /// Finds the binaries: `PTP_KUBE_APISERVER` / `PTP_ETCD` if set, else the build script's
    /// cache (`${PTP_KUBE_CACHE:-/var/cache/ptp-rs/kube}/v1.20.2/kube-apiserver`) and
    /// `etcd` on `PATH` (Debian's `etcd-server` installs `/usr/bin/etcd`).
    pub fn locate() -> Result<Self, Missing> {
        let apiserver = match std::env::var_os("PTP_KUBE_APISERVER") {
            Some(path) => PathBuf::from(path),
            None => {
                let cache = std::env::var_os("PTP_KUBE_CACHE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_CACHE));
                cache.join(KUBE_VERSION).join("kube-apiserver")
            }
        };
        if !is_executable(&apiserver) {
            return Err(missing("kube-apiserver", &apiserver.display().to_string()));
        }
        let etcd = match std::env::var_os("PTP_ETCD") {
            Some(path) => Some(PathBuf::from(path)),
            None => find_on_path("etcd"),
        };
        match etcd {
            Some(etcd) if is_executable(&etcd) => Ok(Self { apiserver, etcd }),
            other => Err(missing(
                "etcd",
                &other.map_or_else(
                    || "PTP_ETCD and PATH".to_owned(),
                    |path| path.display().to_string(),
                ),
            )),
        }
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

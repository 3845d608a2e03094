//! [`Cluster`]: etcd plus kube-apiserver on free loopback ports, in a temporary directory.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client, Config};

use crate::binaries::Binaries;
use crate::supervised::Supervised;

/// How long a server may take to become ready. Generous: the machine's two cores are shared
/// with compilers, and the apiserver needs about 5.5 s on an idle machine.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(200);

/// Why the harness could not provide a cluster.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A filesystem or process operation failed.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A server exited or never became ready.
    #[error("{what}\n{log}")]
    NotReady {
        /// What went wrong.
        what: String,
        /// The end of the server's log.
        log: String,
    },
    /// The service-account key could not be generated.
    #[error("generating the service-account key")]
    Key(#[source] rcgen::Error),
    /// Building the client or a request against the cluster failed.
    #[error("{what}")]
    Kube {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: kube::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> HarnessError {
    let what = what.into();
    move |source| HarnessError::Io { what, source }
}

/// A private etcd + kube-apiserver. Dropping it stops both and removes its directory.
///
/// The apiserver authenticates a bearer token from `--token-auth-file` as a member of
/// `system:masters`, authorises everything (`AlwaysAllow`, or RBAC with
/// [`Cluster::start_with`]), admits privileged pods, and serves TLS with the self-signed
/// certificate it generates in `--cert-dir`; clients skip verification (loopback).
/// There is no controller-manager and no kubelet: no garbage collection, no namespace
/// finalisation, no pods. Tests assert on objects.
#[derive(Debug)]
pub struct Cluster {
    binaries: Binaries,
    dir: PathBuf,
    port: u16,
    etcd_url: String,
    // Field order matters for `Drop`: the apiserver goes before etcd, and etcd's watchdog
    // removes `dir`.
    apiserver: Option<Supervised>,
    etcd: Supervised,
    started_in: Duration,
    namespaces: AtomicU32,
    authorization: Authorization,
}

/// How the apiserver authorises requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// Everything is allowed (`--authorization-mode=AlwaysAllow`).
    AlwaysAllow,
    /// Kubernetes RBAC (`--authorization-mode=RBAC`), for tests of least-privilege roles. The
    /// harness's own token is in `system:masters` and still may do anything; other
    /// identities (service-account tokens from the TokenRequest API) get what their roles
    /// grant.
    Rbac,
}

impl Cluster {
    /// Starts etcd and kube-apiserver and waits until `/readyz` answers `ok`.
    pub async fn start(binaries: Binaries) -> Result<Self, HarnessError> {
        Self::start_with(binaries, Authorization::AlwaysAllow).await
    }

    /// As [`Cluster::start`], with the given authorization mode.
    pub async fn start_with(
        binaries: Binaries,
        authorization: Authorization,
    ) -> Result<Self, HarnessError> {
        let begin = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("ptp-kube-")
            .tempdir()
            .map_err(io_err("creating the cluster directory"))?
            .keep();
        let [etcd_client, etcd_peer, port] = free_ports::<3>()?;
        let etcd_url = format!("http://127.0.0.1:{etcd_client}");
        let peer_url = format!("http://127.0.0.1:{etcd_peer}");
        let etcd_args = vec![
            "--name=harness".to_owned(),
            format!("--data-dir={}", dir.join("etcd").display()),
            format!("--listen-client-urls={etcd_url}"),
            format!("--advertise-client-urls={etcd_url}"),
            format!("--listen-peer-urls={peer_url}"),
            format!("--initial-advertise-peer-urls={peer_url}"),
            format!("--initial-cluster=harness={peer_url}"),
            "--unsafe-no-fsync".to_owned(),
        ];
        let etcd = Supervised::spawn(
            "etcd",
            &binaries.etcd,
            &etcd_args,
            dir.join("etcd.log"),
            Some(&dir),
        )
        .map_err(io_err("starting etcd"))?;
        write_credentials(&dir)?;
        let mut cluster = Self {
            binaries,
            dir,
            port,
            etcd_url,
            apiserver: None,
            etcd,
            started_in: Duration::ZERO,
            namespaces: AtomicU32::new(0),
            authorization,
        };
        cluster.start_apiserver().await?;
        cluster.started_in = begin.elapsed();
        Ok(cluster)
    }

    /// How long [`Cluster::start`] took, etcd and apiserver together.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// The cluster's directory (etcd data, certificates, credentials, server logs). It is
    /// removed when the cluster stops.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// The apiserver's URL, `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// A client configuration for this cluster (bearer token, loopback TLS unverified).
    pub fn config(&self) -> Result<Config, HarnessError> {
        let url = self.url().parse().map_err(|source| HarnessError::Io {
            what: format!("parsing {}", self.url()),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, source),
        })?;
        let mut config = Config::new(url);
        config.accept_invalid_certs = true;
        config.auth_info.token_file = Some(self.dir.join("token").display().to_string());
        config.connect_timeout = Some(Duration::from_secs(5));
        Ok(config)
    }

    /// A client configuration authenticating with `token` instead of the harness's own.
    pub fn config_with_token(&self, token: &str) -> Result<Config, HarnessError> {
        let mut config = self.config()?;
        config.auth_info.token_file = None;
        config.auth_info.token = Some(token.to_owned().into());
        Ok(config)
    }

    /// A new client. Make one per test (per tokio runtime): a client's connection pool belongs
    /// to the runtime it was first used on.
    pub fn client(&self) -> Result<Client, HarnessError> {
        Client::try_from(self.config()?).map_err(|source| HarnessError::Kube {
            what: "building a kube client".to_owned(),
            source,
        })
    }

    /// Creates a fresh namespace named after `test` (sanitised, with a counter) and returns
    /// its name. Namespaces are never deleted: without a controller-manager they would stay
    /// `Terminating`, and the whole cluster goes away with the test binary anyway.
    pub async fn namespace(&self, client: &Client, test: &str) -> Result<String, HarnessError> {
        let n = self.namespaces.fetch_add(1, Ordering::Relaxed);
        let name = namespace_name(test, n);
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .map_err(|source| HarnessError::Kube {
                what: format!("creating namespace {name}"),
                source,
            })?;
        Ok(name)
    }

    /// Stops the apiserver (etcd keeps running). Does nothing if it is already stopped.
    pub fn stop_apiserver(&mut self) {
        if let Some(apiserver) = self.apiserver.take() {
            apiserver.stop();
        }
    }

    /// Starts the apiserver on the same port and etcd, and waits until it is ready. Does
    /// nothing if it is running.
    pub async fn start_apiserver(&mut self) -> Result<(), HarnessError> {
        if self.apiserver.is_some() {
            return Ok(());
        }
        let d = self.dir.display();
        let args = vec![
            format!("--etcd-servers={}", self.etcd_url),
            format!("--cert-dir={d}/certs"),
            format!("--secure-port={}", self.port),
            "--bind-address=127.0.0.1".to_owned(),
            "--advertise-address=127.0.0.1".to_owned(),
            format!("--token-auth-file={d}/tokens.csv"),
            match self.authorization {
                Authorization::AlwaysAllow => "--authorization-mode=AlwaysAllow".to_owned(),
                Authorization::Rbac => "--authorization-mode=RBAC".to_owned(),
            },
            "--service-cluster-ip-range=10.0.0.0/24".to_owned(),
            format!("--service-account-key-file={d}/sa.pub"),
            format!("--service-account-signing-key-file={d}/sa.key"),
            "--service-account-issuer=https://kubernetes.default.svc".to_owned(),
            "--disable-admission-plugins=ServiceAccount".to_owned(),
            // As kubeadm and most distributions: the PTP agents' DaemonSet is privileged.
            "--allow-privileged=true".to_owned(),
        ];
        let apiserver = Supervised::spawn(
            "kube-apiserver",
            &self.binaries.apiserver,
            &args,
            self.dir.join("kube-apiserver.log"),
            None,
        )
        .map_err(io_err("starting kube-apiserver"))?;
        self.apiserver = Some(apiserver);
        self.wait_ready().await
    }

    /// Stops and starts the apiserver (same port, same etcd, same data).
    pub async fn restart_apiserver(&mut self) -> Result<(), HarnessError> {
        self.stop_apiserver();
        self.start_apiserver().await
    }

    async fn wait_ready(&mut self) -> Result<(), HarnessError> {
        let client = self.client()?;
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut last: String;
        loop {
            for (name, server) in [
                ("etcd", Some(&mut self.etcd)),
                ("kube-apiserver", self.apiserver.as_mut()),
            ] {
                let Some(server) = server else { continue };
                if let Some(status) = server.exited().map_err(io_err("polling a server"))? {
                    return Err(HarnessError::NotReady {
                        what: format!("{name} exited ({status}) before the apiserver was ready"),
                        log: server.log_tail(40),
                    });
                }
            }
            match http::Request::get("/readyz").body(Vec::new()) {
                Ok(request) => match client.request_text(request).await {
                    Ok(body) if body.trim() == "ok" => return Ok(()),
                    Ok(body) => last = body,
                    Err(err) => last = err.to_string(),
                },
                Err(err) => last = err.to_string(),
            }
            if Instant::now() > deadline {
                let log = self
                    .apiserver
                    .as_ref()
                    .map(|server| server.log_tail(40))
                    .unwrap_or_default();
                return Err(HarnessError::NotReady {
                    what: format!(
                        "kube-apiserver not ready after {READY_TIMEOUT:?}; last /readyz answer: {last}"
                    ),
                    log: format!("{log}\n{}", self.etcd.log_tail(20)),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Reserves `N` distinct free loopback ports. The listeners are closed on return, so another
/// process could take a port before the server binds it; on a test machine that is rare
/// enough to accept.
fn free_ports<const N: usize>() -> Result<[u16; N], HarnessError> {
    let mut listeners = Vec::with_capacity(N);
    let mut ports = [0u16; N];
    for port in &mut ports {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(io_err("reserving a loopback port"))?;
        *port = listener
            .local_addr()
            .map_err(io_err("reading a reserved port"))?
            .port();
        listeners.push(listener);
    }
    Ok(ports)
}

/// Writes the bearer token, the token file and the service-account key pair.
fn write_credentials(dir: &Path) -> Result<(), HarnessError> {
    let token = random_token();
    write(&dir.join("token"), &token)?;
    write(
        &dir.join("tokens.csv"),
        &format!("{token},harness-admin,harness-admin,system:masters\n"),
    )?;
    // kube-apiserver 1.20 requires a service-account signing key even though nothing here
    // uses service accounts. An ECDSA P-256 key in PKCS#8 PEM is accepted.
    let key = rcgen::KeyPair::generate().map_err(HarnessError::Key)?;
    write(&dir.join("sa.key"), &key.serialize_pem())?;
    write(&dir.join("sa.pub"), &key.public_key_pem())?;
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<(), HarnessError> {
    std::fs::write(path, contents).map_err(io_err(format!("writing {}", path.display())))
}

/// A 128-bit random token. `RandomState` is seeded from the OS's random source.
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut token = String::new();
    for i in 0..2u8 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u8(i);
        let _ = write!(token, "{:016x}", hasher.finish());
    }
    token
}

/// A DNS-1123 label: lower-case alphanumerics and `-`, at most 63 characters.
fn namespace_name(test: &str, n: u32) -> String {
    let mut base: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    base.truncate(50);
    let base = base.trim_matches('-');
    if base.is_empty() {
        format!("t-{n}")
    } else {
        format!("{base}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels() {
        assert_eq!(
            namespace_name("kube_crds::creates_samples", 3),
            "kube-crds--creates-samples-3"
        );
        assert_eq!(namespace_name("__", 0), "t-0");
        let long = namespace_name(&"x".repeat(200), 4_000_000_000);
        assert!(long.len() <= 63, "{long}");
    }

    #[test]
    fn ports_are_distinct() {
        let [a, b, c] = free_ports::<3>().unwrap();
        assert!(a != b && b != c && a != c);
    }
}

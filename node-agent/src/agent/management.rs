//! The local management socket: ptp4l's `uds_address`, where `pmc -u` (and phc2sys, and
//! monitoring daemons) ask the clock. The engine answers
//! ([`ptp_core::engine::Instance::handle_local_management`]); this module owns the socket.
//!
//! As ptp4l does, a file already at the path (a stale socket, or another instance's) is
//! removed before binding. Unlike ptp4l, which leaves it, the file is removed when the
//! instance stops (its configuration removed, or the agent told to end), so that a socket
//! path moved by a reload does not leave a dead one behind. The socket's mode is
//! `uds_file_mode` (linuxptp 4.x's option; 0660 by default). Unlike ptp4l, failing to create
//! the socket is not fatal: the clock keeps time and the error says why nobody can ask it.
//!
//! A client's receive queue holds only `net.unix.max_dgram_qlen` datagrams (10 by default),
//! and pmc sends its commands faster than it reads the answers. ptp4l blocks in `sendto`
//! until there is room; we must not block the event loop, so an answer that does not fit
//! goes to a backlog that one task sends in order, each waiting up to [`REPLY_WAIT`] for the
//! client to read; while the backlog is not empty later answers join it, so none overtakes
//! another. The backlog holds at most [`BACKLOG`] answers; one that does not fit is dropped
//! and the caller counts it.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::unix::SocketAddr;
use tokio::net::UnixDatagram;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{channel, Receiver, Sender};

/// Largest request read; management messages are far smaller.
pub const REQUEST_MAX: usize = 1500;

/// How long an answer waits for room in a client's queue before it is dropped.
pub const REPLY_WAIT: Duration = Duration::from_secs(1);

/// How many answers the backlog holds. pmc sends up to 30 requests at once before it reads,
/// and a request for a port's data set is answered by every port the target names: 1,024
/// answers the whole burst of one such client on a clock of 32 ports. Management messages
/// are small (a few hundred bytes), so a full backlog is a few hundred kB.
pub const BACKLOG: usize = 1024;

/// An answer dropped because the backlog was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("management backlog full: answer dropped")]
pub struct BacklogFull;

/// The bound management socket.
#[derive(Debug)]
pub struct ManagementSocket {
    socket: Arc<UnixDatagram>,
    path: PathBuf,
    /// Answers waiting for room in their client's queue, sent in order by one task.
    backlog: Sender<(Vec<u8>, PathBuf)>,
    /// How many answers are in the backlog.
    backlogged: Arc<AtomicUsize>,
}

impl ManagementSocket {
    /// Binds a datagram socket at `path` with permissions `mode`, replacing any file there.
    pub fn bind(path: &Path, mode: u32) -> io::Result<Self> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let socket = Arc::new(UnixDatagram::bind(path)?);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        let (backlog, waiting) = channel(BACKLOG);
        let backlogged = Arc::new(AtomicUsize::new(0));
        tokio::spawn(send_backlog(
            Arc::clone(&socket),
            waiting,
            Arc::clone(&backlogged),
        ));
        Ok(Self {
            socket,
            path: path.to_owned(),
            backlog,
            backlogged,
        })
    }

    /// Closes the socket and removes its file.
    pub fn close(self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::debug!("remove {}: {e}", self.path.display());
        }
    }

    /// Where the socket is bound.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next request and who sent it.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buf).await
    }

    /// Sends one response to `to`: at once when nothing waits and the client's queue has
    /// room, else through the backlog, never waiting. A client without a bound path (it
    /// could not hear an answer) or one that stopped listening is logged and skipped; an
    /// answer the backlog has no room for is dropped and returned as an error.
    pub fn reply(&self, bytes: &[u8], to: &SocketAddr) -> Result<(), BacklogFull> {
        let Some(path) = to.as_pathname() else {
            tracing::debug!("management request from an unbound socket: no answer possible");
            return Ok(());
        };
        if self.backlogged.load(Ordering::Acquire) == 0 {
            match self.socket.try_send_to(bytes, path) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    tracing::debug!("management response to {}: {e}", path.display());
                    return Ok(());
                }
            }
        }
        self.backlogged.fetch_add(1, Ordering::AcqRel);
        match self.backlog.try_send((bytes.to_vec(), path.to_owned())) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.backlogged.fetch_sub(1, Ordering::AcqRel);
                match e {
                    TrySendError::Full(_) => Err(BacklogFull),
                    TrySendError::Closed(_) => Ok(()),
                }
            }
        }
    }
}

/// Sends the backlog in order, each answer waiting up to [`REPLY_WAIT`] for room.
async fn send_backlog(
    socket: Arc<UnixDatagram>,
    mut waiting: Receiver<(Vec<u8>, PathBuf)>,
    backlogged: Arc<AtomicUsize>,
) {
    while let Some((bytes, path)) = waiting.recv().await {
        match tokio::time::timeout(REPLY_WAIT, socket.send_to(&bytes, &path)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!("management response to {}: {e}", path.display()),
            Err(_) => tracing::debug!(
                "management response to {} dropped: the client reads nothing",
                path.display()
            ),
        }
        backlogged.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Receives from `socket`, or waits forever when there is none.
pub async fn recv_from(
    socket: Option<&ManagementSocket>,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv(buf).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A socket path of this test process.
    fn path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("ptp-agent-test-{}-{name}", std::process::id()))
    }

    #[tokio::test]
    async fn answers_beyond_the_backlog_are_refused_and_those_kept_arrive_in_order() {
        let server = ManagementSocket::bind(&path("server"), 0o600).unwrap();
        let client_path = path("client");
        let _ = std::fs::remove_file(&client_path);
        let client = UnixDatagram::bind(&client_path).unwrap();
        client.send_to(b"?", server.path()).await.unwrap();
        let mut buf = [0u8; 16];
        let (_, from) = server.recv(&mut buf).await.unwrap();
        // The client reads nothing while the answers are given, and the backlog's task does
        // not run (this test does not yield): the client's queue and then the backlog fill,
        // whatever the host's queue length.
        let total = BACKLOG as u32 + 2048;
        let results: Vec<_> = (0..total)
            .map(|i| server.reply(&i.to_be_bytes(), &from))
            .collect();
        let kept = results.iter().take_while(|r| r.is_ok()).count();
        assert!(kept >= BACKLOG, "{kept}");
        assert!(kept < total as usize, "nothing refused");
        assert!(results[kept..].iter().all(|r| *r == Err(BacklogFull)));
        // Every answer kept arrives, in order, once the client reads.
        for i in 0..kept as u32 {
            let len = tokio::time::timeout(Duration::from_secs(10), client.recv(&mut buf))
                .await
                .expect("an answer kept in the backlog")
                .unwrap();
            assert_eq!(&buf[..len], &i.to_be_bytes());
        }
        let _ = std::fs::remove_file(server.path());
        let _ = std::fs::remove_file(&client_path);
    }
}

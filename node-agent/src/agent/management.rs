//! The local management socket: ptp4l's `uds_address`, where `pmc -u` (and phc2sys, and
//! monitoring daemons) ask the clock. The engine answers
//! ([`ptp_core::engine::Instance::handle_local_management`]); this module owns the socket.
//!
//! As ptp4l does, a file already at the path (a stale socket, or another instance's) is
//! removed before binding, and it is not removed at exit. The socket's mode is
//! `uds_file_mode` (linuxptp 4.x's option; 0660 by default). Unlike ptp4l, failing to create
//! the socket is not fatal: the clock keeps time and the error says why nobody can ask it.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::unix::SocketAddr;
use tokio::net::UnixDatagram;

/// Largest request read; management messages are far smaller.
pub const REQUEST_MAX: usize = 1500;

/// The bound management socket.
#[derive(Debug)]
pub struct ManagementSocket {
    socket: UnixDatagram,
    path: PathBuf,
}

impl ManagementSocket {
    /// Binds a datagram socket at `path` with permissions `mode`, replacing any file there.
    pub fn bind(path: &Path, mode: u32) -> io::Result<Self> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let socket = UnixDatagram::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        Ok(Self {
            socket,
            path: path.to_owned(),
        })
    }

    /// Where the socket is bound.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next request and who sent it.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buf).await
    }

    /// Sends one response to `to`. A client without a bound path (it could not hear an
    /// answer) or one that stopped listening is logged and skipped.
    pub fn reply(&self, bytes: &[u8], to: &SocketAddr) {
        let Some(path) = to.as_pathname() else {
            tracing::debug!("management request from an unbound socket: no answer possible");
            return;
        };
        if let Err(e) = self.socket.try_send_to(bytes, path) {
            tracing::debug!("management response to {}: {e}", path.display());
        }
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

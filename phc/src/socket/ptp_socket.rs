//! [`PtpSocket`] and [`PortSockets`]: sending and receiving with time stamps. Opening them is
//! in `open.rs`.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use libc::c_int;
use ptp_core::engine::PeerAddress;
use ptp_core::time::Time;

use super::addr::{peer_from_name, SockAddr, NAME_SPACE};
use super::cmsg::{self, CONTROL_SPACE};
use super::{Destination, MessageClass, TimestampMode, ETHERTYPE_PTP};
use crate::SocketError;

/// The `SOF_TIMESTAMPING_OPT_ID` key of a sent event message: the kernel reports it with the
/// transmit time stamp. Keys count sends on one socket from zero and wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxId(pub u32);

/// A transmit time stamp read from the error queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxTimestamp {
    /// Which send it belongs to.
    pub id: TxId,
    /// When the message left: `CLOCK_REALTIME` for software stamps, PHC time for hardware.
    pub time: Time,
}

/// A received datagram (its payload is in the caller's buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Payload length.
    pub len: usize,
    /// The sender, when the kernel reported one this crate understands.
    pub source: Option<PeerAddress>,
    /// The receive time stamp, on time-stamping sockets (same time bases as [`TxTimestamp`]).
    pub timestamp: Option<Time>,
}

/// One socket of a port: the event socket (time stamped) or the general socket.
#[derive(Debug)]
pub struct PtpSocket {
    pub(super) fd: OwnedFd,
    pub(super) class: MessageClass,
    pub(super) timestamping: Option<TimestampMode>,
    pub(super) port: u16,
    pub(super) ifindex: u32,
    pub(super) primary: SockAddr,
    pub(super) peer_delay: SockAddr,
    pub(super) next_id: u32,
}

/// The sockets of one port.
#[derive(Debug)]
pub struct PortSockets {
    /// Sends and receives event messages, with time stamps. On IEEE 802.3 it also receives
    /// the general messages.
    pub event: PtpSocket,
    /// Sends (and, on UDP, receives) general messages; no time stamps.
    pub general: PtpSocket,
}

impl PortSockets {
    /// The socket for a message class.
    pub fn socket(&mut self, class: MessageClass) -> &mut PtpSocket {
        match class {
            MessageClass::Event => &mut self.event,
            MessageClass::General => &mut self.general,
        }
    }
}

/// What `recvmsg` filled in.
struct RecvMsg {
    len: usize,
    name_len: usize,
    control_len: usize,
    flags: c_int,
}

impl PtpSocket {
    /// The class of message this socket is for.
    pub fn class(&self) -> MessageClass {
        self.class
    }

    /// The time-stamping mode, or `None` for a socket without time stamps (general).
    pub fn timestamping(&self) -> Option<TimestampMode> {
        self.timestamping
    }

    /// Sends `data` to `dest`. On a time-stamping socket, returns the id its transmit time
    /// stamp will carry ([`PtpSocket::recv_tx_timestamp`]).
    ///
    /// A send that fails with an error may or may not have consumed an id in the kernel; the
    /// caller should treat the time stamps of earlier sends as lost then.
    pub fn send(&mut self, data: &[u8], dest: Destination) -> Result<Option<TxId>, SocketError> {
        let addr = match dest {
            Destination::Primary => self.primary,
            Destination::PeerDelay => self.peer_delay,
            Destination::Unicast(peer) => self.unicast(peer)?,
        };
        let (ptr, len) = addr.as_raw();
        // SAFETY: `data` and the address `ptr` (of `len` bytes) are live for the call; the
        // kernel only reads them.
        let sent = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                data.as_ptr().cast(),
                data.len(),
                0,
                ptr,
                len,
            )
        };
        if sent < 0 {
            return Err(SocketError::Io {
                op: "sendto",
                source: io::Error::last_os_error(),
            });
        }
        Ok(self.timestamping.map(|_| {
            let id = TxId(self.next_id);
            self.next_id = self.next_id.wrapping_add(1);
            id
        }))
    }

    fn unicast(&self, peer: PeerAddress) -> Result<SockAddr, SocketError> {
        let mismatch = || SocketError::Io {
            op: "sendto",
            source: io::Error::from_raw_os_error(libc::EAFNOSUPPORT),
        };
        match (peer, self.primary) {
            (PeerAddress::UdpV4(ip), SockAddr::V4(_)) => {
                Ok(SockAddr::ip(IpAddr::V4(ip), self.port, 0))
            }
            (PeerAddress::UdpV6(ip), SockAddr::V6(_)) => {
                Ok(SockAddr::ip(IpAddr::V6(ip), self.port, self.ifindex))
            }
            (PeerAddress::L2(mac), SockAddr::Link(l)) => {
                Ok(SockAddr::link(l.sll_ifindex, ETHERTYPE_PTP, mac))
            }
            _ => Err(mismatch()),
        }
    }

    fn recvmsg(
        &self,
        data: &mut [u8],
        name: &mut [u8],
        control: &mut [u8],
        flags: c_int,
    ) -> io::Result<Option<RecvMsg>> {
        let mut iov = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        let mut msg = libc::msghdr {
            msg_name: name.as_mut_ptr().cast(),
            // Both buffers are a few hundred bytes at most.
            msg_namelen: name.len() as libc::socklen_t,
            msg_iov: &mut iov,
            msg_iovlen: 1,
            msg_control: control.as_mut_ptr().cast(),
            msg_controllen: control.len(),
            msg_flags: 0,
        };
        // SAFETY: every pointer in `msg` points into a live buffer of the stated length,
        // exclusively borrowed for the call.
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, flags | libc::MSG_DONTWAIT) };
        match usize::try_from(n) {
            Ok(len) => Ok(Some(RecvMsg {
                len,
                name_len: msg.msg_namelen as usize,
                control_len: msg.msg_controllen,
                flags: msg.msg_flags,
            })),
            Err(_) => {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::WouldBlock {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Receives one datagram into `buf` without blocking; `Ok(None)` when none is queued.
    /// A datagram longer than `buf` is dropped with [`SocketError::Truncated`].
    pub fn recv(&self, buf: &mut [u8]) -> Result<Option<Received>, SocketError> {
        let mut name = [0u8; NAME_SPACE];
        let mut control = [0u8; CONTROL_SPACE];
        let Some(m) = self
            .recvmsg(buf, &mut name, &mut control, 0)
            .map_err(|source| SocketError::Io {
                op: "recvmsg",
                source,
            })?
        else {
            return Ok(None);
        };
        if m.flags & libc::MSG_TRUNC != 0 {
            return Err(SocketError::Truncated(buf.len()));
        }
        let timestamp = self
            .timestamping
            .and_then(|mode| cmsg::rx_timestamp(control.get(..m.control_len).unwrap_or(&[]), mode));
        Ok(Some(Received {
            len: m.len,
            source: peer_from_name(name.get(..m.name_len).unwrap_or(&[])),
            timestamp,
        }))
    }

    /// Takes one transmit time stamp from the error queue without blocking; `Ok(None)` when
    /// none is queued (or on a socket without time stamps). Error-queue entries that are not
    /// send time stamps are skipped. The caller matches [`TxTimestamp::id`] against the ids
    /// [`PtpSocket::send`] returned and decides itself how long to wait (poll the descriptor
    /// for `POLLERR`).
    pub fn recv_tx_timestamp(&self) -> Result<Option<TxTimestamp>, SocketError> {
        let Some(mode) = self.timestamping else {
            return Ok(None);
        };
        loop {
            // With OPT_TSONLY the entry carries no payload; the buffer is only a landing spot.
            let mut data = [0u8; 64];
            let mut name = [0u8; NAME_SPACE];
            let mut control = [0u8; CONTROL_SPACE];
            let Some(m) = self
                .recvmsg(&mut data, &mut name, &mut control, libc::MSG_ERRQUEUE)
                .map_err(|source| SocketError::Io {
                    op: "recvmsg(MSG_ERRQUEUE)",
                    source,
                })?
            else {
                return Ok(None);
            };
            if let Some((key, time)) =
                cmsg::tx_timestamp(control.get(..m.control_len).unwrap_or(&[]), mode)
            {
                return Ok(Some(TxTimestamp {
                    id: TxId(key),
                    time,
                }));
            }
            tracing::trace!("skipped an error queue entry that is not a send time stamp");
        }
    }
}

impl AsFd for PtpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for PtpSocket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.fd.as_raw_fd()
    }
}

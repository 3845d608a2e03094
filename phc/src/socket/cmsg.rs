//! Control messages of `recvmsg(2)`, parsed from the bytes the kernel wrote, without pointer
//! arithmetic: `SCM_TIMESTAMPING` (three time stamps) and the `sock_extended_err` that comes
//! with a transmit time stamp on the error queue.

use ptp_core::time::Time;

use crate::abi::{PACKET_TX_TIMESTAMP, SO_EE_ORIGIN_TIMESTAMPING};
use crate::adjtime::time_from_parts;

use super::TimestampMode;

/// `CMSG_LEN(0)`: the header size, which is also the offset of the data (checked against the
/// C macros by the layout test).
pub(crate) const CMSG_HEADER: usize = 16;
/// `CMSG_ALIGN`'s alignment (the size of `size_t`).
const CMSG_ALIGN: usize = 8;

/// Room for `SCM_TIMESTAMPING` plus a `sock_extended_err` (with its offender address) and
/// some slack for messages we do not ask for but may get.
pub(crate) const CONTROL_SPACE: usize = 256;

/// One control message: `(level, type, data)`.
pub(crate) type Cmsg<'a> = (i32, i32, &'a [u8]);

/// Iterates over the control messages in `buf` (the first `msg_controllen` bytes). A
/// malformed header ends the iteration.
pub(crate) fn messages(mut buf: &[u8]) -> impl Iterator<Item = Cmsg<'_>> {
    std::iter::from_fn(move || {
        let len = usize::from_ne_bytes(buf.get(0..8)?.try_into().ok()?);
        let level = i32::from_ne_bytes(buf.get(8..12)?.try_into().ok()?);
        let ty = i32::from_ne_bytes(buf.get(12..16)?.try_into().ok()?);
        let data = buf.get(CMSG_HEADER..len)?;
        let next = len.checked_add(CMSG_ALIGN - 1)? & !(CMSG_ALIGN - 1);
        buf = buf.get(next..).unwrap_or(&[]);
        Some((level, ty, data))
    })
}

/// The slot of `struct scm_timestamping` a mode reads: `ts[0]` software, `ts[2]` hardware.
fn slot(mode: TimestampMode) -> usize {
    match mode {
        TimestampMode::Software => 0,
        TimestampMode::Hardware => 2,
    }
}

/// Time stamp `index` of an `SCM_TIMESTAMPING` payload (`struct timespec ts[3]`); an all-zero
/// slot means "not generated".
fn scm_timestamp(data: &[u8], index: usize) -> Option<Time> {
    let at = index * 16;
    let secs = i64::from_ne_bytes(data.get(at..at + 8)?.try_into().ok()?);
    let nanos = i64::from_ne_bytes(data.get(at + 8..at + 16)?.try_into().ok()?);
    if secs == 0 && nanos == 0 {
        return None;
    }
    time_from_parts(secs, nanos)
}

fn is_scm_timestamping(level: i32, ty: i32) -> bool {
    level == libc::SOL_SOCKET && ty == libc::SCM_TIMESTAMPING
}

/// The receive time stamp of a datagram, in the slot of `mode`.
pub(crate) fn rx_timestamp(control: &[u8], mode: TimestampMode) -> Option<Time> {
    messages(control)
        .find(|(level, ty, _)| is_scm_timestamping(*level, *ty))
        .and_then(|(_, _, data)| scm_timestamp(data, slot(mode)))
}

/// A transmit time stamp from the error queue: the `SOF_TIMESTAMPING_OPT_ID` key of the
/// datagram (`ee_data`) and its time. `None` when the message is not a send time stamp in
/// the slot of `mode`.
pub(crate) fn tx_timestamp(control: &[u8], mode: TimestampMode) -> Option<(u32, Time)> {
    let mut time = None;
    let mut key = None;
    for (level, ty, data) in messages(control) {
        if is_scm_timestamping(level, ty) {
            time = scm_timestamp(data, slot(mode));
        } else if (level == libc::SOL_IP && ty == libc::IP_RECVERR)
            || (level == libc::SOL_IPV6 && ty == libc::IPV6_RECVERR)
            || (level == libc::SOL_PACKET && ty == PACKET_TX_TIMESTAMP)
        {
            key = extended_err_key(data);
        }
    }
    Some((key?, time?))
}

/// `ee_data` of a `sock_extended_err` that reports a send time stamp (`ee_errno == ENOMSG`,
/// origin `SO_EE_ORIGIN_TIMESTAMPING`, `ee_info == SCM_TSTAMP_SND`).
fn extended_err_key(data: &[u8]) -> Option<u32> {
    let errno = u32::from_ne_bytes(data.get(0..4)?.try_into().ok()?);
    let origin = *data.get(4)?;
    let info = u32::from_ne_bytes(data.get(8..12)?.try_into().ok()?);
    let key = u32::from_ne_bytes(data.get(12..16)?.try_into().ok()?);
    let enomsg = u32::try_from(libc::ENOMSG).ok()?;
    (errno == enomsg && origin == SO_EE_ORIGIN_TIMESTAMPING && info == 0).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmsg(level: i32, ty: i32, data: &[u8]) -> Vec<u8> {
        let len = CMSG_HEADER + data.len();
        let mut v = Vec::new();
        v.extend_from_slice(&len.to_ne_bytes());
        v.extend_from_slice(&level.to_ne_bytes());
        v.extend_from_slice(&ty.to_ne_bytes());
        v.extend_from_slice(data);
        while v.len() % CMSG_ALIGN != 0 {
            v.push(0);
        }
        v
    }

    fn timestamping(sw: (i64, i64), hw: (i64, i64)) -> Vec<u8> {
        let mut d = Vec::new();
        for (s, n) in [sw, (0, 0), hw] {
            d.extend_from_slice(&s.to_ne_bytes());
            d.extend_from_slice(&n.to_ne_bytes());
        }
        cmsg(libc::SOL_SOCKET, libc::SCM_TIMESTAMPING, &d)
    }

    fn ee(level: i32, ty: i32, errno: i32, origin: u8, key: u32) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&(errno as u32).to_ne_bytes());
        d.extend_from_slice(&[origin, 0, 0, 0]);
        d.extend_from_slice(&0u32.to_ne_bytes());
        d.extend_from_slice(&key.to_ne_bytes());
        d.extend_from_slice(&[0; 16]); // offender address
        cmsg(level, ty, &d)
    }

    #[test]
    fn picks_the_slot_of_the_mode() {
        let mut buf = cmsg(libc::SOL_SOCKET, libc::SO_MARK, &[1, 2, 3]);
        buf.extend(timestamping((10, 20), (30, 40)));
        assert_eq!(
            rx_timestamp(&buf, TimestampMode::Software),
            Some(Time::from_secs_nanos(10, 20))
        );
        assert_eq!(
            rx_timestamp(&buf, TimestampMode::Hardware),
            Some(Time::from_secs_nanos(30, 40))
        );
        let sw_only = timestamping((10, 20), (0, 0));
        assert_eq!(rx_timestamp(&sw_only, TimestampMode::Hardware), None);
    }

    #[test]
    fn tx_timestamps_need_a_matching_extended_error() {
        for (level, ty) in [
            (libc::SOL_IP, libc::IP_RECVERR),
            (libc::SOL_IPV6, libc::IPV6_RECVERR),
            (libc::SOL_PACKET, PACKET_TX_TIMESTAMP),
        ] {
            let mut buf = timestamping((5, 6), (0, 0));
            buf.extend(ee(level, ty, libc::ENOMSG, SO_EE_ORIGIN_TIMESTAMPING, 41));
            assert_eq!(
                tx_timestamp(&buf, TimestampMode::Software),
                Some((41, Time::from_secs_nanos(5, 6)))
            );
        }
        let mut icmp = timestamping((5, 6), (0, 0));
        icmp.extend(ee(
            libc::SOL_IP,
            libc::IP_RECVERR,
            libc::EHOSTUNREACH,
            2,
            41,
        ));
        assert_eq!(tx_timestamp(&icmp, TimestampMode::Software), None);
    }

    #[test]
    fn malformed_control_data_is_ignored() {
        let mut buf = timestamping((5, 6), (0, 0));
        // Claim a length beyond the buffer.
        buf[0..8].copy_from_slice(&1000usize.to_ne_bytes());
        assert_eq!(messages(&buf).count(), 0);
        assert_eq!(rx_timestamp(&buf[..20], TimestampMode::Software), None);
        assert_eq!(messages(&[0u8; 3]).count(), 0);
        // A length shorter than the header.
        let mut short = timestamping((5, 6), (0, 0));
        short[0..8].copy_from_slice(&4usize.to_ne_bytes());
        assert_eq!(messages(&short).count(), 0);
        // Negative time.
        let neg = timestamping((-5, 6), (0, 0));
        assert_eq!(rx_timestamp(&neg, TimestampMode::Software), None);
    }
}

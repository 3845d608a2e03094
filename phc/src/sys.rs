//! Thin wrappers around the system calls this crate makes: every `unsafe` block of the clock
//! side lives here or names the one call it makes.
//!
//! The wrappers that are safe to call whatever their arguments (the kernel validates lengths
//! and ids) are safe functions; [`ioctl`] is `unsafe` because the kernel interprets its
//! argument by the request number.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::{c_int, c_void, clockid_t};

use crate::abi::{IfreqData, Timex};

/// Turns a `-1` return into the thread's `errno`.
pub(crate) fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `ioctl(fd, request, arg)`.
///
/// # Safety
///
/// `request` must be one whose argument is a pointer to a `T` (the `_IOR`/`_IOW`/`_IOWR` size
/// of `request` is `size_of::<T>()`, or the request is documented to take a `T`), so that the
/// kernel reads and writes only within `*arg`.
pub(crate) unsafe fn ioctl<T>(
    fd: BorrowedFd<'_>,
    request: libc::Ioctl,
    arg: &mut T,
) -> io::Result<c_int> {
    // SAFETY: `arg` is a live, exclusively borrowed `T`; the caller guarantees that `request`
    // takes a pointer to a `T`.
    cvt(unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            request,
            std::ptr::from_mut(arg).cast::<c_void>(),
        )
    })
}

/// `ioctl(fd, request, &ifreq)` where the `ifreq`'s `ifr_data` points at a `T` for the
/// duration of the call (`SIOCETHTOOL`, `SIOCSHWTSTAMP`, `SIOCGHWTSTAMP`).
///
/// # Safety
///
/// `request` must be one that takes a `struct ifreq` whose `ifr_data` points to a `T`, as
/// described above.
pub(crate) unsafe fn ioctl_ifreq_data<T>(
    fd: BorrowedFd<'_>,
    request: libc::Ioctl,
    interface: &str,
    data: &mut T,
) -> io::Result<c_int> {
    let mut ifr = IfreqData {
        name: interface_name(interface)?,
        data: std::ptr::from_mut(data).cast::<c_void>(),
        pad: [0; 16],
    };
    // SAFETY: the caller guarantees that `request` takes an `ifreq` whose data pointer is a
    // `T`; `ifr` and `*data` both outlive the call.
    unsafe { ioctl(fd, request, &mut ifr) }
}

/// An interface name as the zero-terminated array of an `ifreq`.
pub(crate) fn interface_name(interface: &str) -> io::Result<[u8; libc::IFNAMSIZ]> {
    let mut name = [0u8; libc::IFNAMSIZ];
    let bytes = interface.as_bytes();
    if bytes.is_empty() || bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
        return Err(io::Error::from_raw_os_error(libc::ENODEV));
    }
    for (dst, src) in name.iter_mut().zip(bytes) {
        *dst = *src;
    }
    Ok(name)
}

/// `if_nametoindex(3)`.
pub(crate) fn interface_index(interface: &str) -> io::Result<u32> {
    let name = interface_name(interface)?;
    let cstr = CStr::from_bytes_until_nul(&name)
        .map_err(|_| io::Error::from_raw_os_error(libc::ENODEV))?;
    // SAFETY: `cstr` is a valid zero-terminated string that outlives the call.
    let index = unsafe { libc::if_nametoindex(cstr.as_ptr()) };
    if index == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(index)
    }
}

/// The IPv4 and IPv6 addresses of `interface`, in the order `getifaddrs(3)` lists them.
pub(crate) fn interface_addresses(interface: &str) -> io::Result<Vec<std::net::IpAddr>> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head into `list`, which we free below.
    cvt(unsafe { libc::getifaddrs(&mut list) })?;
    let mut found = Vec::new();
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: `entry` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*entry };
        entry = ifa.ifa_next;
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: `ifa_name` is a zero-terminated string owned by the list.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) };
        if name.to_bytes() != interface.as_bytes() {
            continue;
        }
        // SAFETY: `ifa_addr` points to a socket address whose family says its type.
        let family = c_int::from(unsafe { (*ifa.ifa_addr).sa_family });
        if family == libc::AF_INET {
            // SAFETY: an AF_INET address is a `sockaddr_in`.
            let sin = unsafe { &*ifa.ifa_addr.cast::<libc::sockaddr_in>() };
            let octets = sin.sin_addr.s_addr.to_ne_bytes();
            found.push(std::net::IpAddr::from(octets));
        } else if family == libc::AF_INET6 {
            // SAFETY: an AF_INET6 address is a `sockaddr_in6`.
            let sin6 = unsafe { &*ifa.ifa_addr.cast::<libc::sockaddr_in6>() };
            found.push(std::net::IpAddr::from(sin6.sin6_addr.s6_addr));
        }
    }
    // SAFETY: `list` came from getifaddrs and is freed once; nothing borrowed from it lives on.
    unsafe { libc::freeifaddrs(list) };
    Ok(found)
}

/// `socket(2)`, returning an owned descriptor (always `SOCK_CLOEXEC`).
pub(crate) fn socket(domain: c_int, ty: c_int, protocol: c_int) -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers.
    let fd = cvt(unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, protocol) })?;
    // SAFETY: `fd` was just returned by socket(2) and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `setsockopt(2)` with a `T` value; the kernel checks the length against what it expects.
pub(crate) fn setsockopt<T>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    let len = libc::socklen_t::try_from(std::mem::size_of::<T>())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: the kernel reads `len` bytes from `value`, which is a live `T` of that size.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            std::ptr::from_ref(value).cast(),
            len,
        )
    })?;
    Ok(())
}

/// `clock_gettime(2)`.
pub(crate) fn clock_gettime(clock: clockid_t) -> io::Result<libc::timespec> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live timespec the kernel writes into.
    cvt(unsafe { libc::clock_gettime(clock, &mut ts) })?;
    Ok(ts)
}

/// `clock_settime(2)`.
pub(crate) fn clock_settime(clock: clockid_t, ts: &libc::timespec) -> io::Result<()> {
    // SAFETY: `ts` is a live timespec the kernel only reads.
    cvt(unsafe { libc::clock_settime(clock, ts) })?;
    Ok(())
}

/// `clock_adjtime(2)`; returns the clock state (`TIME_OK`, ...).
pub(crate) fn clock_adjtime(clock: clockid_t, tx: &mut Timex) -> io::Result<c_int> {
    // SAFETY: `Timex` has the layout of glibc's `struct timex` (checked by the layout test),
    // and `tx` is live and exclusively borrowed for the call.
    cvt(unsafe { libc::clock_adjtime(clock, std::ptr::from_mut(tx).cast::<libc::timex>()) })
}

/// The dynamic POSIX clock id of an open `/dev/ptpN` (`FD_TO_CLOCKID` in linuxptp's
/// `missing.h`: `(~fd << 3) | CLOCKFD`).
pub(crate) fn fd_to_clockid(fd: BorrowedFd<'_>) -> clockid_t {
    const CLOCKFD: clockid_t = 3;
    ((!fd.as_raw_fd()) << 3) | CLOCKFD
}

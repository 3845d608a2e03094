//! Test support: a pair of network namespaces joined by a veth pair, running code inside a
//! namespace, and waiting for a descriptor with `poll(2)`.

#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::os::fd::{AsRawFd, RawFd};
use std::process::Command;

/// Whether the namespace tests can run here: root and `ip` (`test_prereq`: skipped outside
/// CI without them, failed with CI=true).
pub fn netns_available(test: &str) -> bool {
    use test_prereq::Prerequisite;
    test_prereq::require(test, &[Prerequisite::ROOT, Prerequisite::IP])
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two namespaces `a` and `b`, with `veth-a` (10.203.0.1/24, fd00:203::1/64) in `a` linked to
/// `veth-b` (10.203.0.2/24, fd00:203::2/64) in `b`. Dropping it deletes both namespaces, and
/// with them the veth pair, also when the test fails.
pub struct NetnsPair {
    pub a: String,
    pub b: String,
}

impl NetnsPair {
    pub const A_V4: &'static str = "10.203.0.1";
    pub const B_V4: &'static str = "10.203.0.2";
    pub const A_V6: &'static str = "fd00:203::1";
    pub const B_V6: &'static str = "fd00:203::2";

    /// `tag` keeps the names of concurrently running tests apart.
    pub fn create(tag: &str) -> Self {
        let pid = std::process::id();
        let pair = Self {
            a: format!("phc-{pid}-{tag}-a"),
            b: format!("phc-{pid}-{tag}-b"),
        };
        // From here on, Drop cleans up whatever was created.
        for ns in [&pair.a, &pair.b] {
            run(&["ip", "netns", "add", ns]);
            // No duplicate address detection: addresses (link-local included) are usable at
            // once instead of after a second or two.
            for conf in ["all", "default"] {
                run(&[
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "sysctl",
                    "-qw",
                    &format!("net.ipv6.conf.{conf}.accept_dad=0"),
                ]);
            }
        }
        let (a, b) = (pair.a.as_str(), pair.b.as_str());
        run(&[
            "ip", "-n", a, "link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b",
            "netns", b,
        ]);
        for (ns, dev, v4, v6) in [
            (a, "veth-a", Self::A_V4, Self::A_V6),
            (b, "veth-b", Self::B_V4, Self::B_V6),
        ] {
            run(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{v4}/24"),
                "dev",
                dev,
            ]);
            run(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{v6}/64"),
                "dev",
                dev,
                "nodad",
            ]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        for (ns, dev) in [(a, "veth-a"), (b, "veth-b")] {
            wait_ready(ns, dev);
        }
        pair
    }
}

fn output(args: &[&str]) -> String {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until `dev` is operationally up and IPv6 has configured it (its multicast route
/// exists). The kernel does both from its link-watch work, up to a second after `link set up`;
/// packets sent before then are dropped.
fn wait_ready(ns: &str, dev: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let up = output(&["ip", "-n", ns, "link", "show", "dev", dev]).contains("state UP");
        let mroute = output(&[
            "ip", "-n", ns, "-6", "route", "show", "table", "local", "dev", dev,
        ])
        .contains("ff00::/8");
        if up && mroute {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{ns}/{dev} did not come up"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

impl Drop for NetnsPair {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// Runs `f` on a thread that has entered network namespace `name`, and returns its result.
/// Sockets created by `f` stay in that namespace wherever they are used afterwards.
pub fn in_netns<T: Send + 'static>(name: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/var/run/netns/{name}");
    std::thread::spawn(move || {
        let ns = File::open(&path).unwrap();
        // SAFETY: setns(2) on a namespace file descriptor that stays open for the call; it only
        // affects this thread, which exits after `f`.
        let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .unwrap()
}

/// Waits up to `timeout_ms` for `events` (POLLERR is always reported) on `fd`; returns the
/// events that occurred, 0 on timeout.
pub fn poll_fd(fd: RawFd, events: libc::c_short, timeout_ms: i32) -> libc::c_short {
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: poll(2) on one live pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    assert!(n >= 0, "poll: {}", std::io::Error::last_os_error());
    pfd.revents
}

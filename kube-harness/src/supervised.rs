//! A server process under a watchdog that kills it when the harness lets go.
//!
//! Rust never drops `static`s, and a panicking or killed test binary runs no destructors, so a
//! plain `Child` would leave etcd and kube-apiserver running after the tests. Instead every
//! server runs under a small `sh` watchdog whose stdin is a pipe from the test process. The
//! watchdog blocks reading that pipe; it reads end-of-file when the harness drops its end,
//! which the kernel also does when the test process exits for any reason (normal exit, panic,
//! `SIGKILL`). On end-of-file it sends `SIGTERM` to the server, `SIGKILL` after five seconds,
//! and then removes the optional cleanup directory.
//!
//! The watchdog runs in its own process group, so a Ctrl-C on `cargo test` reaches only the
//! test process, whose exit then shuts the servers down in order.

use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};

/// The watchdog. `$1`: directory to remove once the server is gone ("" for none), `$2`: log
/// file, then the server's command line. The main shell waits for the server, so it exits with
/// the server's status when the server dies on its own; the background subshell owns the
/// shutdown and the cleanup. The lifeline is moved to fd 3 first because POSIX shells give
/// background jobs `/dev/null` as stdin.
const WATCHDOG: &str = r#"
cleanup=$1; log=$2; shift 2
exec 3<&0
"$@" </dev/null 3<&- >"$log" 2>&1 &
pid=$!
(
  cat <&3 >/dev/null
  kill -TERM "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL "$pid" 2>/dev/null
  if [ -n "$cleanup" ]; then rm -rf "$cleanup"; fi
) &
wait "$pid"
"#;

/// A running server and its watchdog.
#[derive(Debug)]
pub(crate) struct Supervised {
    name: &'static str,
    watchdog: Child,
    /// The harness's end of the watchdog's stdin; dropping it stops the server.
    lifeline: Option<ChildStdin>,
    log: PathBuf,
}

impl Supervised {
    /// Starts `program args..` under a watchdog, logging to `log`. `cleanup`, if given, is
    /// removed after the server has exited.
    pub(crate) fn spawn(
        name: &'static str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        cleanup: Option<&Path>,
    ) -> io::Result<Self> {
        // Create the log now so `log_tail` works even if the shell fails before redirecting.
        File::create(&log)?;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(WATCHDOG)
            .arg("ptp-kube-watchdog")
            .arg(cleanup.map(Path::as_os_str).unwrap_or_default())
            .arg(&log)
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let mut watchdog = command.spawn()?;
        let lifeline = watchdog.stdin.take();
        Ok(Self {
            name,
            watchdog,
            lifeline,
            log,
        })
    }

    /// `Some(status)` once the server has exited.
    pub(crate) fn exited(&mut self) -> io::Result<Option<ExitStatus>> {
        self.watchdog.try_wait()
    }

    /// The last `lines` lines of the server's log, for error messages.
    pub(crate) fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        let start = all.len().saturating_sub(lines);
        let tail = all.get(start..).unwrap_or_default().join("\n");
        format!(
            "--- last {lines} lines of {} ({}) ---\n{tail}",
            self.name,
            self.log.display()
        )
    }

    /// Stops the server and waits until it has exited.
    pub(crate) fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.lifeline.take().is_some() {
            // The watchdog's main shell returns once the server has exited; an error here means
            // it is already gone, which is what we want.
            let _ = self.watchdog.wait();
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.shutdown();
    }
}

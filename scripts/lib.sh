# Shell helpers shared by the project's scripts (sourced, not run):
#
#   step NAME CMD...     run one set-up step; on failure print one line naming the step and
#                        why, and exit
#   apt_install PKG...   install the Debian packages that are missing, waiting for the package
#                        manager's locks instead of failing on them
#   heartbeat MSG        print MSG with the elapsed time every minute until heartbeat_stop
#
# Every apt-get call goes through `apt_get`: another package manager holding the dpkg or the
# package-lists lock (unattended upgrades on a fresh machine) is waited for, up to
# $PTP_APT_LOCK_WAIT seconds (default 900), with a line saying so.

ptp_apt_lock_wait="${PTP_APT_LOCK_WAIT:-900}"
ptp_apt_updated=""

# The most telling line of a failed step's log: the last error-like line, else the last line.
ptp_last_error() {
  local log=$1 line
  line=$(grep -E '^(E:|Error|error|fatal|FAILED|.*(: error|: failed|not found|No such file|Permission denied))' "$log" 2>/dev/null | tail -n 1)
  [[ -n "$line" ]] || line=$(grep -v '^[[:space:]]*$' "$log" 2>/dev/null | tail -n 1)
  printf '%s' "${line:-no output}"
}

# step NAME CMD...: runs CMD with its stderr shown and kept in target/setup/; on failure prints
#   set-up failed at <NAME> (exit N): <its last error line>
# and exits with CMD's status. CMD's stdout is left alone (callers may capture it).
step() {
  local name=$1
  shift
  local dir="${PTP_SETUP_LOGS:-target/setup}"
  mkdir -p "$dir"
  local log
  log="$dir/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '-').log"
  echo "== $name ==" >&2
  local status=0
  # stderr through tee into the log; stdout straight to the caller's stdout (fd 3). With
  # pipefail the pipeline's status is the command's (tee does not fail).
  { "$@" 2>&1 1>&3 3>&- | tee "$log" >&2; } 3>&1 || status=$?
  if ((status != 0)); then
    echo "set-up failed at $name (exit $status): $(ptp_last_error "$log") [log: $log]" >&2
    exit "$status"
  fi
}

# apt-get with the dpkg lock waited for. `apt-get update` takes the package-lists lock, which
# DPkg::Lock::Timeout does not cover (apt 2.6), so a busy lists lock is retried here.
apt_get() {
  local start out status
  start=$(date +%s)
  out=$(mktemp)
  while true; do
    apt-get -o DPkg::Lock::Timeout="$ptp_apt_lock_wait" "$@" 2>&1 | tee "$out" >&2
    status=${PIPESTATUS[0]}
    if ((status != 0)) && grep -q 'Could not get lock' "$out" &&
      (($(date +%s) - start < ptp_apt_lock_wait)); then
      echo "apt-get: waiting for another package manager to finish" >&2
      sleep 10
      continue
    fi
    rm -f "$out"
    return "$status"
  done
}

# apt_install PKG...: installs those of PKG that are not installed (one `apt-get update` per
# run of the calling script, and only when something is missing).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z "$ptp_apt_updated" ]]; then
    apt_get update -qq
    ptp_apt_updated=1
  fi
  apt_get install -y -qq --no-install-recommends "${missing[@]}"
}

# heartbeat MSG: a line every minute while a long step runs (stopped by heartbeat_stop).
heartbeat() {
  local msg=$1 start
  start=$(date +%s)
  (
    while sleep 60; do
      echo "$msg: still running after $(($(date +%s) - start)) s" >&2
    done
  ) &
  ptp_heartbeat_pid=$!
}

heartbeat_stop() {
  [[ -z "${ptp_heartbeat_pid:-}" ]] || kill "$ptp_heartbeat_pid" 2>/dev/null || true
  ptp_heartbeat_pid=""
}

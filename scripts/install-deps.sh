#!/usr/bin/env bash
# Installs, idempotently, every system package the test tiers need. Safe to run repeatedly;
# it only calls apt-get when something is missing. Needs root (CI and the test machines run
# as root).
set -euo pipefail

# command -> Debian package
declare -A want=(
  [ptp4l]=linuxptp
  [pmc]=linuxptp
  [ip]=iproute2
  [ethtool]=ethtool
  [tshark]=tshark
  [tcpdump]=tcpdump
  [gcc]=gcc
  # The metrics test fetches /metrics inside a namespace.
  [curl]=curl
)

missing=()
for cmd in "${!want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done

# header -> Debian package (the phc crate's ABI layout test compiles against the kernel headers)
declare -A want_headers=(
  [/usr/include/linux/ptp_clock.h]=linux-libc-dev
  [/usr/include/linux/net_tstamp.h]=linux-libc-dev
)
for header in "${!want_headers[@]}"; do
  [[ -f "$header" ]] || missing+=("${want_headers[$header]}")
done

if ((${#missing[@]})); then
  # de-duplicate
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all test packages present"
fi

#!/usr/bin/env bash
# Installs, idempotently, every Debian package the test tiers need (the kube tier's are
# installed by scripts/kube/build-apiserver.sh). Safe to run repeatedly: apt-get runs only
# when something is missing, and waits for another package manager's locks. Needs root (CI
# and the test machines run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

packages=(
  linuxptp # ptp4l, pmc, phc2sys: the reference peer
  iproute2 # ip netns, veth
  ethtool
  tshark # the L2 destination test reads captures
  tcpdump
  gcc
  curl # the metrics test fetches /metrics inside a namespace
  socat # the system test carries each node namespace's API connections to the host's
  linux-libc-dev # the phc crate's ABI layout test compiles against the kernel headers
)
# tshark asks whether non-root users may capture; answer for it before it is installed.
if ! dpkg-query -W -f='${Status}' tshark 2>/dev/null | grep -q 'install ok installed'; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
fi
apt_install "${packages[@]}"
echo "install-deps: every test package is installed" >&2

#!/usr/bin/env bash
# capture-golden.sh — regenerate the golden PTP packet captures in ptp-core/tests/data/.
#
# Usage (root; needs only the packages from scripts/install-deps.sh: linuxptp 3.1.1, iproute2,
# tcpdump, tshark/editcap):
#
#     sudo scripts/capture-golden.sh            # writes ptp-core/tests/data/*.pcap
#     sudo scripts/capture-golden.sh OUTDIR     # writes somewhere else
#
# What it does: creates two private network namespaces `ptpgold-a` and `ptpgold-b` joined by the
# veth pair `pgold-a` <-> `pgold-b` (10.199.0.1/24, fd00:199::1/64 in A; 10.199.0.2/24,
# fd00:199::2/64 in B), runs Debian's `ptp4l -S` (software time stamping,
# tx_timestamp_timeout 10, log intervals -2 so a few seconds are enough) as grandmaster in A and
# as slave in B, captures with tcpdump on `pgold-a`, and trims each capture to a few dozen
# packets. Namespaces and processes are removed on exit (trap), so it is safe to rerun. It is
# idempotent: every run overwrites the same files.
#
# Files produced (classic pcap, Ethernet link type, each well under 20 KB):
#
#   udpv4-e2e.pcap     UDPv4 E2E: Announce, Sync, Follow_Up, Delay_Req, Delay_Resp
#   udpv6-e2e.pcap     UDPv6 E2E (FF0E::181), same message types
#   l2-e2e.pcap        IEEE 802.3 (ethertype 0x88F7) E2E
#   l2-p2p.pcap        IEEE 802.3 P2P: Announce, Sync, Follow_Up, Pdelay_Req/Resp/Resp_Follow_Up
#   udpv4-p2p.pcap     UDPv4 P2P (224.0.0.107)
#   udpv4-e2e.pcapng   the same packets as udpv4-e2e.pcap, converted to pcapng by editcap
#   mgmt-udpv4.pcap    pmc -4 -b 1 from B: every GET pmc 3.1.1 knows, SET PRIORITY2,
#                      SET GRANDMASTER_SETTINGS_NP, plus ptp4l's responses; ptp4l 3.1.1 answers
#                      SETs and GET PORT_PROPERTIES_NP from the network with
#                      MANAGEMENT_ERROR_STATUS (NOT_SUPPORTED)
#   mgmt-l2.pcap       pmc -2 -b 1 from B: a subset of GETs and a SET, and the responses
#   mgmt-*.pmc.txt     pmc's text output for the requests above (what ptp4l answered)
#   unicast-udpv4.pcap unicast negotiation over UDPv4: Signaling with REQUEST/GRANT_UNICAST_
#                      TRANSMISSION TLVs, then unicast Announce/Sync/Follow_Up/Delay_Req/Resp
#   gptp-l2-p2p.pcap   802.1AS-like (gPTP.cfg): transportSpecific 1, L2 P2P, Follow_Up with the
#                      organization extension TLV, Announce with PATH_TRACE TLV
#
# The Rust test ptp-core/tests/golden_captures.rs checks that the committed files cover all of
# the above (it needs no root). ptp-core/tests/data/README.md records tool versions and date.
set -euo pipefail

NS_A=ptpgold-a
NS_B=ptpgold-b
IF_A=pgold-a
IF_B=pgold-b
IP4_A=10.199.0.1
IP4_B=10.199.0.2
IP6_A=fd00:199::1
IP6_B=fd00:199::2

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/ptp-core/tests/data}
work=$(mktemp -d /tmp/ptpgold.XXXXXX)
pids=()

die() { echo "capture-golden: $*" >&2; exit 1; }
log() { echo "capture-golden: $*" >&2; }

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
for cmd in ptp4l pmc ip tcpdump editcap; do
  command -v "$cmd" >/dev/null || die "missing $cmd; run scripts/install-deps.sh"
done

stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    kill -INT "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

cleanup() {
  stop_all
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_netns() {
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  ip netns add "$NS_A"
  ip netns add "$NS_B"
  ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B"
  ip -n "$NS_A" link set lo up
  ip -n "$NS_B" link set lo up
  ip -n "$NS_A" addr add "$IP4_A/24" dev "$IF_A"
  ip -n "$NS_B" addr add "$IP4_B/24" dev "$IF_B"
  ip -n "$NS_A" addr add "$IP6_A/64" dev "$IF_A" nodad
  ip -n "$NS_B" addr add "$IP6_B/64" dev "$IF_B" nodad
  ip -n "$NS_A" link set "$IF_A" up
  ip -n "$NS_B" link set "$IF_B" up
  # Let link-local addresses settle so UDPv6 can bind.
  sleep 2
}

# write_cfg FILE ROLE EXTRA...  ROLE is gm or slave; EXTRA lines are appended to [global].
write_cfg() {
  local file=$1 role=$2
  shift 2
  {
    echo "[global]"
    echo "tx_timestamp_timeout 10"
    echo "logAnnounceInterval -2"
    echo "logSyncInterval -2"
    echo "logMinDelayReqInterval -2"
    echo "logMinPdelayReqInterval -2"
    echo "announceReceiptTimeout 3"
    echo "uds_address $work/uds-$role"
    if [[ $role == gm ]]; then
      echo "priority1 127"
    else
      echo "slaveOnly 1"
      echo "free_running 1"
    fi
    local line
    for line in "$@"; do echo "$line"; done
  } >"$file"
}

# start_ptp4l NS ROLE IFACE TRANSPORT_FLAGS CFG_EXTRA...
start_ptp4l() {
  local ns=$1 role=$2 iface=$3 flags=$4
  shift 4
  local cfg=$work/$role.cfg
  write_cfg "$cfg" "$role" "$@"
  # shellcheck disable=SC2086
  ip netns exec "$ns" ptp4l -S $flags -i "$iface" -f "$cfg" -m -q >"$work/$role.log" 2>&1 &
  pids+=($!)
}

# start_capture NAME FILTER — tcpdump on the A side, classic pcap, packet-buffered.
start_capture() {
  local name=$1 filter=$2
  ip netns exec "$NS_A" tcpdump -i "$IF_A" -U -s 0 -w "$work/$name.full.pcap" "$filter" \
    >"$work/$name.tcpdump.log" 2>&1 &
  pids+=($!)
  sleep 1
}

# count PCAP — number of packets in a pcap file.
count() { tcpdump -r "$1" 2>/dev/null | wc -l; }

# keep_last NAME N — keep the last N packets (steady state: the slave is then exchanging
# delay measurements) and write the result to $out/NAME.pcap.
keep_last() {
  local name=$1 n=$2 full=$work/$1.full.pcap total first
  total=$(count "$full")
  ((total > 0)) || die "$name: empty capture; see $work/*.log"
  first=$((total > n ? total - n + 1 : 1))
  editcap -F pcap -r "$full" "$out/$name.pcap" "$first-$total" >/dev/null
  log "$name.pcap: $(count "$out/$name.pcap") packets, $(stat -c %s "$out/$name.pcap") bytes"
}

# keep_all NAME — keep the whole capture.
keep_all() {
  local name=$1
  editcap -F pcap "$work/$name.full.pcap" "$out/$name.pcap" >/dev/null
  log "$name.pcap: $(count "$out/$name.pcap") packets, $(stat -c %s "$out/$name.pcap") bytes"
}

# wait_slave — wait until the slave has chosen the master (UNCALIBRATED: a free-running slave
# never reaches SLAVE) or give up after 15 s.
wait_slave() {
  local i
  for i in $(seq 1 30); do
    grep -Eq 'to (SLAVE|UNCALIBRATED)' "$work/slave.log" 2>/dev/null && return 0
    sleep 0.5
  done
  log "warning: slave did not reach SLAVE; log follows"
  cat "$work/slave.log" >&2
}

PTP_UDP='udp port 319 or udp port 320'
PTP_L2='ether proto 0x88f7'

# run_sync NAME FLAGS FILTER KEEP EXTRA... — master + slave with the same options.
run_sync() {
  local name=$1 flags=$2 filter=$3 keep=$4
  shift 4
  log "== $name"
  start_capture "$name" "$filter"
  start_ptp4l "$NS_A" gm "$IF_A" "$flags" "$@"
  start_ptp4l "$NS_B" slave "$IF_B" "$flags" "$@"
  wait_slave
  sleep 3
  stop_all
  keep_last "$name" "$keep"
}

# The management requests sent over UDPv4: every GET pmc 3.1.1 knows, two SETs, and requests
# that ptp4l answers with MANAGEMENT_ERROR_STATUS.
MGMT_GETS=(
  DEFAULT_DATA_SET CURRENT_DATA_SET PARENT_DATA_SET TIME_PROPERTIES_DATA_SET PORT_DATA_SET
  TIME_STATUS_NP GRANDMASTER_SETTINGS_NP PORT_PROPERTIES_NP PORT_STATS_NP PRIORITY1 PRIORITY2
  DOMAIN SLAVE_ONLY CLOCK_ACCURACY USER_DESCRIPTION VERSION_NUMBER LOG_ANNOUNCE_INTERVAL
  ANNOUNCE_RECEIPT_TIMEOUT LOG_SYNC_INTERVAL DELAY_MECHANISM LOG_MIN_PDELAY_REQ_INTERVAL
  TRACEABILITY_PROPERTIES TIMESCALE_PROPERTIES CLOCK_DESCRIPTION NULL_MANAGEMENT
  SUBSCRIBE_EVENTS_NP PORT_DATA_SET_NP SYNCHRONIZATION_UNCERTAIN_NP
)
MGMT_SETS=(
  "SET PRIORITY2 200"
  "SET GRANDMASTER_SETTINGS_NP clockClass 248 clockAccuracy 0xfe offsetScaledLogVariance 0xffff currentUtcOffset 37 leap61 0 leap59 0 currentUtcOffsetValid 0 ptpTimescale 0 timeTraceable 0 frequencyTraceable 0 timeSource 0xa0"
)
# MANAGEMENT_ERROR_STATUS (NOT_SUPPORTED) needs no extra request: ptp4l 3.1.1 answers
# GET PORT_PROPERTIES_NP and every SET only on its UDS port, so over the network both SETs
# above and that GET come back as errors. (pmc 3.1.1 refuses to send IDs it does not
# implement, e.g. PRIMARY_DOMAIN, so those cannot be used to provoke an error.)

# run_pmc NAME PMC_FLAGS FILTER CMDS...
run_pmc() {
  local name=$1 pflags=$2 filter=$3 flags
  shift 3
  flags=$pflags
  log "== $name"
  start_ptp4l "$NS_A" gm "$IF_A" "$flags"
  start_ptp4l "$NS_B" slave "$IF_B" "$flags"
  wait_slave
  start_capture "$name" "$filter"
  local cmd
  for cmd in "$@"; do
    # One request per pmc run keeps request/response pairs adjacent in the capture.
    # shellcheck disable=SC2086
    ip netns exec "$NS_B" pmc $pflags -b 1 -i "$IF_B" -t 0 "$cmd" >>"$work/$name.pmc.log" 2>&1 || true
  done
  sleep 0.5
  stop_all
  keep_all "$name"
  cp "$work/$name.pmc.log" "$out/$name.pmc.txt"
}

mkdir -p "$out"
setup_netns

run_sync udpv4-e2e "-4" "$PTP_UDP" 40
run_sync udpv6-e2e "-6" "$PTP_UDP" 40
run_sync l2-e2e "-2" "$PTP_L2" 40
run_sync l2-p2p "-2 -P" "$PTP_L2" 40
run_sync udpv4-p2p "-4 -P" "$PTP_UDP" 40

# Only management messages (messageType 0xD) so sync traffic does not dilute the capture.
mgmt_cmds=()
for id in "${MGMT_GETS[@]}"; do mgmt_cmds+=("GET $id"); done
mgmt_cmds+=("${MGMT_SETS[@]}")
run_pmc mgmt-udpv4 "-4" 'udp port 320 and (udp[8] & 0x0f) = 13' "${mgmt_cmds[@]}"
run_pmc mgmt-l2 "-2" 'ether proto 0x88f7 and (ether[14] & 0x0f) = 13' \
  "GET DEFAULT_DATA_SET" "GET CURRENT_DATA_SET" "GET PARENT_DATA_SET" "GET PORT_DATA_SET" \
  "GET TIME_STATUS_NP" "GET PRIORITY1" "SET PRIORITY2 200" "GET PRIORITY2" "GET PORT_PROPERTIES_NP"

# Unicast negotiation (UNICAST-MASTER.cfg / UNICAST-SLAVE.cfg style), UDPv4.
log "== unicast-udpv4"
start_capture unicast-udpv4 "$PTP_UDP"
start_ptp4l "$NS_A" gm "$IF_A" "-4" "unicast_listen 1" "inhibit_multicast_service 1" "hybrid_e2e 1"
{
  cat <<EOF
unicast_req_duration 10
unicast_master_table 1
[unicast_master_table]
table_id 1
logQueryInterval -2
UDPv4 $IP4_A
EOF
} >"$work/uc-slave-extra"
mapfile -t uc_extra <"$work/uc-slave-extra"
start_ptp4l "$NS_B" slave "$IF_B" "-4" "hybrid_e2e 1" "${uc_extra[@]}"
wait_slave
sleep 3
stop_all
# Signaling comes first: keep the whole exchange from the beginning, up to 60 packets.
total=$(count "$work/unicast-udpv4.full.pcap")
editcap -F pcap -r "$work/unicast-udpv4.full.pcap" "$out/unicast-udpv4.pcap" "1-$((total < 60 ? total : 60))" >/dev/null
log "unicast-udpv4.pcap: $(count "$out/unicast-udpv4.pcap") packets"

# 802.1AS (gPTP.cfg settings), L2 P2P. One deviation: neighborPropDelayThresh is 100 us instead
# of 800 ns because the veth path delay with software stamps is ~1.7 us, which would make the
# port not asCapable and stop the slave from synchronising.
run_sync gptp-l2-p2p "-2 -P" "$PTP_L2" 40 \
  "gmCapable 1" "transportSpecific 0x1" "ptp_dst_mac 01:80:C2:00:00:0E" \
  "follow_up_info 1" "path_trace_enabled 1" "assume_two_step 1" \
  "neighborPropDelayThresh 100000" "min_neighbor_prop_delay -20000000"

# A pcapng copy of one capture, so the reader's pcapng path is tested on a real file.
editcap -F pcapng "$out/udpv4-e2e.pcap" "$out/udpv4-e2e.pcapng" >/dev/null

log "done; files in $out"

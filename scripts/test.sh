#!/usr/bin/env bash
# Runs every test tier of the workspace: unit, property, golden-vector, simulation, netns and
# kube tiers, then `ptp-agent --check` on every shipped example. This is the README's test
# command and what .ci/run calls.
#
# Set-up comes first and stops at the first step that fails, with one line naming the step and
# why (its full log is kept in target/setup/): no test runs on a half-prepared machine.
# Tiers whose prerequisites are missing skip with a message outside CI; with CI=true a missing
# prerequisite fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

step "install test packages" scripts/install-deps.sh

# The kube tier's kube-apiserver (built once from Debian's source package, then cached outside
# the repository; a cached run takes well under a second) and etcd. The script prints
# PTP_KUBE_APISERVER=... and PTP_ETCD=... for kube-harness.
kube_env=$(step "kube-apiserver and etcd" scripts/kube/build-apiserver.sh)
eval "$kube_env"
export PTP_KUBE_APISERVER PTP_ETCD

mkdir -p target
echo "== cargo test =="
status=0
cargo test --workspace --all-targets --locked 2>&1 | tee target/test.log || status=$?

# Every shipped example configuration must pass the agent's own check (exit 0). The
# interface does not exist on the host, so the PHC checks are skipped and the result does not
# depend on the machine's NICs.
echo "== ptp-agent --check on the examples =="
examples_ok=0
examples_bad=0
for conf in examples/configs/*.conf; do
  if cargo run -q --locked -p node-agent --bin ptp-agent -- --check -f "$conf" -i example0 >/dev/null; then
    examples_ok=$((examples_ok + 1))
  else
    echo "example $conf failed ptp-agent --check"
    examples_bad=$((examples_bad + 1))
  fi
done

# The summary last, where it is easy to find.
echo "== summary =="
grep -E '^test result:' target/test.log |
  awk '{p+=$4; f+=$6; i+=$8} END {printf "tests: %d passed, %d failed, %d ignored\n", p, f, i}'
echo "examples: $examples_ok passed, $examples_bad failed"
((status == 0)) || {
  echo "cargo test failed (exit $status): see the failures above and target/test.log"
  exit "$status"
}
((examples_bad == 0))

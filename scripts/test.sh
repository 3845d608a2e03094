#!/usr/bin/env bash
# Runs every test tier of the workspace: unit, property, golden-vector, simulation, netns and
# kube tiers. This is the README's test command and what .ci/run calls.
#
# Tiers whose prerequisites are missing skip with a message outside CI; with CI=true a missing
# prerequisite fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

mkdir -p target
cargo test --workspace --all-targets --locked 2>&1 | tee target/test.log
# Print the summary lines at the end so they are easy to find.
echo "== summary =="
grep -E '^test result:' target/test.log | awk '{p+=$4; f+=$6; i+=$8} END {printf "%d passed, %d failed, %d skipped\n", p, f, i}'

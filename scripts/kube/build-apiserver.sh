#!/usr/bin/env bash
# Provides a real `kube-apiserver` (Kubernetes v1.20.2) and `etcd` on a machine with no cluster,
# for the kube test tier (kube-harness/). No registry ships a prebuilt kube-apiserver; Debian
# bookworm's `kubernetes` *source* package is the complete upstream v1.20.2 tree with vendor/,
# and it builds offline with Debian's Go 1.19.
#
# What it does (idempotent, no stdin):
#   1. apt-installs etcd-server, golang-1.19-go, rsync, make and Debian's reflect2 1.0.2 source;
#   2. fetches the `kubernetes` source package through a private deb-src list made from the
#      system's own Debian bookworm entries (same mirrors; the system's apt configuration is
#      left untouched);
#   3. swaps the vendored github.com/modern-go/reflect2 v1.0.1 for Debian's 1.0.2 (without it
#      the binary segfaults on the first custom-resource write under Go >= 1.18);
#   4. patches the OpenAPI type validator (both vendored copies) so that a value is "null" only
#      when it is nil: under Go >= 1.19 its `reflect.DeepEqual(reflect.Zero(..), reflect.ValueOf(..))`
#      test is true for "" (the runtime shares one zero buffer), and the server would reject
#      every empty string in a custom resource as `must be of type string: "null"`. Kubernetes
#      built with its own Go (1.15) accepts them; so do we after the patch;
#   5. `make WHAT=cmd/kube-apiserver` and copies the binary into the cache, outside the repo.
# A second run exits in well under a second once the cached binary answers `--version`.
#
# Prints two lines on stdout, and nothing else:
#   PTP_KUBE_APISERVER=<path>
#   PTP_ETCD=<path>
# so callers can `eval "$(scripts/kube/build-apiserver.sh)"`. Progress goes to stderr.
#
# Environment:
#   PTP_KUBE_CACHE  cache root (default /var/cache/ptp-rs/kube); the binary lands in
#                   $PTP_KUBE_CACHE/v1.20.2/kube-apiserver, the build tree in .../build.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

version=v1.20.2
# Bump when the patches below change, so cached binaries built without them are rebuilt.
patch_level=2
cache="${PTP_KUBE_CACHE:-/var/cache/ptp-rs/kube}"
out_dir="$cache/$version"
apiserver="$out_dir/kube-apiserver"
stamp="$apiserver.patch-level"
etcd_bin=/usr/bin/etcd

log() { echo "build-apiserver: $*" >&2; }

report() {
  echo "PTP_KUBE_APISERVER=$apiserver"
  echo "PTP_ETCD=$etcd_bin"
}

built_ok() {
  [[ -x "$apiserver" ]] && "$apiserver" --version 2>/dev/null | grep -q "Kubernetes $version"
}

cached_ok() {
  built_ok && [[ "$(cat "$stamp" 2>/dev/null)" == "$patch_level" ]]
}

apt_install etcd-server
if cached_ok; then
  log "cached: $("$apiserver" --version)"
  report
  exit 0
fi

apt_install golang-1.19-go rsync make golang-github-modern-go-reflect2-dev ca-certificates dpkg-dev

build="$cache/build"
mkdir -p "$build" "$out_dir"

# A private deb-src list: every bookworm entry of the system's apt sources (deb822 `.sources`
# files and one-line `.list` files), as deb-src, so the source package comes from the mirror
# the machine already uses and the system's apt configuration is not changed.
apt_dir="$build/apt"
mkdir -p "$apt_dir/lists/partial"
src_list="$apt_dir/sources.list"
system_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    # One deb-src line per URI and suite of every stanza whose Types include deb.
    awk '
      function flush() {
        if (deb) for (u in uris) for (s in suites) print "deb-src " uris[u] " " suites[s] " " comps
        delete uris; delete suites; deb = 0; comps = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      $1 == "Types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      $1 == "URIs:" { for (i = 2; i <= NF; i++) uris[i] = $i }
      $1 == "Suites:" { for (i = 2; i <= NF; i++) suites[i] = $i }
      $1 == "Components:" { comps = ""; for (i = 2; i <= NF; i++) comps = comps (i > 2 ? " " : "") $i }
      END { flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    # "deb [options] URI SUITE COMPONENTS...": the options are dropped.
    sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?/deb-src /p' "$f"
  done
}
system_sources | awk '$3 ~ /^bookworm(-security|-updates)?$/' | sort -u >"$src_list"
if [[ ! -s "$src_list" ]]; then
  log "no Debian bookworm entry in the system's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/): the kubernetes source package cannot be fetched"
  exit 1
fi
apt_opts=(-o "Dir::Etc::SourceList=$src_list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists")

src_dir="$build/src"
tree="$src_dir/kubernetes-1.20.2"
if [[ ! -f "$tree/cmd/kube-apiserver/apiserver.go" ]]; then
  log "fetching the kubernetes source package"
  rm -rf "$src_dir"
  mkdir -p "$src_dir"
  apt_get "${apt_opts[@]}" update -qq
  (cd "$src_dir" && apt_get "${apt_opts[@]}" source --download-only kubernetes)
  orig=$(ls "$src_dir"/kubernetes_*.orig.tar.gz)
  tar -xzf "$orig" -C "$src_dir"
  [[ -d "$tree" ]] || {
    log "unexpected layout in $orig (no kubernetes-1.20.2/)"
    exit 1
  }
fi

# The reflect2 swap (idempotent: always re-copy Debian's files).
r2="$tree/vendor/github.com/modern-go/reflect2"
rm -rf "$r2"
mkdir -p "$r2"
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$r2/"
rm -f "$r2"/*_test.go

# The null-versus-zero patch (idempotent: the pattern is gone once applied).
for f in "$tree/vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go" \
  "$tree/vendor/github.com/go-openapi/validate/type.go"; do
  sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$f"
  grep -q 'if data == nil {' "$f" || {
    log "could not patch $f"
    exit 1
  }
done

log "building kube-apiserver $version (about 6 to 9 minutes on 2 cores)"
start=$(date +%s)
heartbeat "build-apiserver: building kube-apiserver"
trap heartbeat_stop EXIT
(
  cd "$tree"
  export PATH=/usr/lib/go-1.19/bin:$PATH GOFLAGS= GOPROXY=off GOCACHE="$build/gocache"
  make WHAT=cmd/kube-apiserver GOLDFLAGS="-s -w" KUBE_GIT_VERSION="$version" \
    KUBE_GIT_TREE_STATE=clean </dev/null >&2
)
heartbeat_stop
log "built in $(($(date +%s) - start)) s"

install -m 0755 "$tree/_output/local/bin/linux/amd64/kube-apiserver" "$apiserver.tmp"
mv "$apiserver.tmp" "$apiserver"
echo "$patch_level" >"$stamp"
cached_ok || {
  log "$apiserver does not report Kubernetes $version"
  exit 1
}
report

#!/usr/bin/env bash
# Provides a real `kube-apiserver` (Kubernetes v1.20.2) and `etcd` on a machine with no cluster,
# for the kube test tier (kube-harness/). No registry ships a prebuilt kube-apiserver; Debian
# bookworm's `kubernetes` *source* package is the complete upstream v1.20.2 tree with vendor/,
# and it builds offline with Debian's Go 1.19. See /work/shared/reference/k8s-apiserver.md.
#
# What it does (idempotent, no stdin):
#   1. apt-installs etcd-server, golang-1.19-go, rsync, make and Debian's reflect2 1.0.2 source;
#   2. fetches the `kubernetes` source package through a private deb-src list (system apt
#      configuration is left untouched);
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

apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
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

# A private deb-src list for bookworm + bookworm-security, built from the deb lines the system
# already uses (same mirror), so the system's apt configuration is not changed.
apt_dir="$build/apt"
mkdir -p "$apt_dir/lists/partial"
src_list="$apt_dir/sources.list"
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
  m=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  s=$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  mirror=${m:-$mirror}
  security=${s:-$security}
fi
cat >"$src_list" <<LIST
deb-src $mirror bookworm main
deb-src $security bookworm-security main
LIST
apt_opts=(-o "Dir::Etc::SourceList=$src_list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists")

src_dir="$build/src"
tree="$src_dir/kubernetes-1.20.2"
if [[ ! -f "$tree/cmd/kube-apiserver/apiserver.go" ]]; then
  log "fetching the kubernetes source package"
  rm -rf "$src_dir"
  mkdir -p "$src_dir"
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd "$src_dir" && apt-get "${apt_opts[@]}" source --download-only kubernetes >&2)
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

log "building kube-apiserver $version (about 6 minutes on 2 idle cores)"
start=$(date +%s)
(
  cd "$tree"
  export PATH=/usr/lib/go-1.19/bin:$PATH GOFLAGS= GOPROXY=off GOCACHE="$build/gocache"
  make WHAT=cmd/kube-apiserver GOLDFLAGS="-s -w" KUBE_GIT_VERSION="$version" \
    KUBE_GIT_TREE_STATE=clean </dev/null >&2
)
log "built in $(($(date +%s) - start)) s"

install -m 0755 "$tree/_output/local/bin/linux/amd64/kube-apiserver" "$apiserver.tmp"
mv "$apiserver.tmp" "$apiserver"
echo "$patch_level" >"$stamp"
cached_ok || {
  log "$apiserver does not report Kubernetes $version"
  exit 1
}
report

#!/usr/bin/env bash
# Build, once, a Kubernetes API server for custom resources: Kubernetes' apiextensions-apiserver and
# etcd, from Debian packages, so tests/manifests/test_server_side_apply.py can server-side apply TMS's
# Flux and prometheus-operator objects against the real CRDs (schemas, CEL rules, strict fields).
#
# Why this way: no registry reachable here ships kube-apiserver, but Debian sid packages the Go
# sources of k8s.io/apiextensions-apiserver (golang-k8s-apiextensions-apiserver-dev) and etcd-server.
# They are built in a throw-away sid chroot (mmdebstrap, in $TMPDIR, outside the checkout so that
# nothing copying the working tree copies it); only the two binaries and a stamp naming the package
# versions are kept, in ${TMS_CACHE_DIR:-<repo>/.cache}/apiserver/. A second run with the
# binaries present does nothing. Must run as root (mmdebstrap's root mode, chroot); CI is root.
#
# Usage: scripts/apiserver/build.sh            (make apiserver)
# Environment: TMS_CACHE_DIR      where the cache lives (default <repo>/.cache)
#              TMS_DEBIAN_MIRROR  (default http://deb.debian.org/debian)
#              TMS_APISERVER_KEEP_CHROOT=1  keep the chroot (about 4 GB) to look into a failed build
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TMS_CACHE_DIR:-$repo/.cache}/apiserver
bin=$cache/bin
stamp=$bin/STAMP
mirror=${TMS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=""
packages=(golang-go golang-k8s-apiextensions-apiserver-dev etcd-server)
started=$SECONDS

say() { echo "apiserver: $*"; }
fail() {
  echo "apiserver: ERROR: $*" >&2
  exit 1
}

# Run one named step and print how long it took.
step() {
  local label=$1 begun=$SECONDS
  shift
  current_step=$label
  say "$label ..."
  "$@"
  say "$label: done in $((SECONDS - begun)) s"
}

built() { [ -x "$bin/apiextensions-apiserver" ] && [ -x "$bin/etcd" ] && [ -f "$stamp" ]; }
already_built() {
  say "already built in $bin, nothing to do (delete that folder to rebuild):"
  sed 's/^/  /' "$stamp"
  exit 0
}
built && already_built

# One build at a time: a second `make apiserver` (CI starts one in the background early and runs it
# again before the tests) waits for the first and then finds the binaries.
mkdir -p "$cache"
exec 9>"$cache/build.lock"
if ! flock -n 9; then
  say "another build is running; waiting for it to finish"
  flock 9
fi
built && already_built

[ "$(id -u)" = 0 ] || fail "must run as root (mmdebstrap builds the Debian sid chroot in root mode, and the build runs in it with chroot); run 'sudo make apiserver'"
command -v mmdebstrap >/dev/null 2>&1 || fail "mmdebstrap is not installed ('make apiserver' installs it, or: apt-get install mmdebstrap)"
command -v chroot >/dev/null 2>&1 || fail "chroot is not installed (coreutils)"
# The chroot (2.8 GB) and Go's build cache (1.5 GB) live in $TMPDIR until the binaries are out.
needed_kb=$((5 * 1024 * 1024))
free_kb=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $4 }')
[ "$free_kb" -ge "$needed_kb" ] ||
  fail "the build needs about 5 GB free in ${TMPDIR:-/tmp} for a while; $((free_kb / 1024)) MB are (set TMPDIR elsewhere)"

# The chroot is about 2.8 GB; it is removed once the binaries are out, also when the build fails.
remove_chroot() {
  if [ "${TMS_APISERVER_KEEP_CHROOT:-0}" = 1 ]; then
    say "keeping the build chroot $root (TMS_APISERVER_KEEP_CHROOT=1)"
  elif [ -n "$root" ] && [ -d "$root" ]; then
    say "removing the build chroot $root"
    rm -rf --one-file-system "$root"
  fi
}
current_step="checks"
on_exit() {
  local status=$?
  remove_chroot
  if [ "$status" != 0 ]; then
    echo "apiserver: FAILED (exit $status) during: $current_step" >&2
  fi
}
trap on_exit EXIT

bootstrap() {
  root=$(mktemp -d "${TMPDIR:-/tmp}/tms-apiserver-sid.XXXXXX")
  # --variant=apt: Essential packages and apt, plus the ones named; no Recommends (gcc is not needed:
  # the build is CGO_ENABLED=0). Check-Valid-Until off: a mirror that is a dated snapshot of sid (as
  # on the machines this was written on) serves an InRelease whose validity has lapsed; the
  # signatures are still checked. Quiet unless it fails: its log is printed then.
  if ! mmdebstrap --mode=root --variant=apt --include="$(IFS=,; echo "${packages[*]}")" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    sid "$root" "$mirror" >"$cache/mmdebstrap.log" 2>&1; then
    tail -n 40 "$cache/mmdebstrap.log" >&2
    fail "mmdebstrap could not make the Debian sid chroot from $mirror (full log: $cache/mmdebstrap.log)"
  fi
  say "chroot size: $(du -sh --one-file-system "$root" | cut -f1)"
}

# GOPATH mode over Debian's packaged sources: no module download, nothing leaves the machine.
# Static (CGO_ENABLED=0) and stripped, so the binary runs on the host whatever its libc.
build_apiserver() {
  # No /proc is mounted in the chroot (nothing to unmount before removing it), so go cannot find
  # its own GOROOT from /proc/self/exe: it is given.
  local go=(chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root GOROOT=/usr/lib/go
    GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 GOCACHE=/tmp/go-build GOTOOLCHAIN=local go)
  "${go[@]}" telemetry off # else go starts a telemetry process, which wants /proc too
  "${go[@]}" build -trimpath -ldflags='-s -w' -o /tmp/apiextensions-apiserver k8s.io/apiextensions-apiserver
}

install_binaries() {
  rm -rf "$bin.new"
  mkdir -p "$bin.new"
  cp "$root/tmp/apiextensions-apiserver" "$bin.new/apiextensions-apiserver"
  cp "$root/usr/bin/etcd" "$bin.new/etcd"
  # Debian's etcd is linked to libc.so.6 alone (glibc >= 2.34 symbols): it runs on the host as it
  # is. Anything else it needed would be in the chroot about to be removed, so that is refused.
  local libraries
  libraries=$(readelf -d "$bin.new/etcd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ' | sed 's/ $//')
  case $libraries in
    "" | libc.so.6) ;;
    *) fail "etcd needs libraries besides libc: $libraries" ;;
  esac
  if readelf -l "$bin.new/apiextensions-apiserver" | grep -q 'program interpreter'; then
    fail "apiextensions-apiserver is dynamically linked, though built with CGO_ENABLED=0"
  fi
  # Both must start on this machine, outside the chroot.
  "$bin.new/etcd" --version >/dev/null || fail "the built etcd does not run on this machine"
  "$bin.new/apiextensions-apiserver" --help >/dev/null 2>&1 || fail "the built apiextensions-apiserver does not run on this machine"
  {
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian sid ($mirror); chroot and go build took $((SECONDS - started)) s"
    chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' "${packages[@]}" \
      "$(chroot "$root" dpkg-query -W -f '${Depends}' golang-go | grep -o 'golang-1\.[0-9]*-go' | head -1)"
    echo "etcd: $("$bin.new/etcd" --version | head -1), linked to: ${libraries:-nothing (static)}"
    echo "apiextensions-apiserver: static, $(du -h "$bin.new/apiextensions-apiserver" | cut -f1)"
  } >"$bin.new/STAMP"
  rm -rf "$bin"
  mv "$bin.new" "$bin"
}

say "building into $cache (Debian sid packages: ${packages[*]})"
step "make a Debian sid chroot with mmdebstrap" bootstrap
step "go build k8s.io/apiextensions-apiserver (GOPATH mode, Debian's sources)" build_apiserver
step "copy the binaries out and record the package versions" install_binaries
step "remove the chroot" remove_chroot
trap - EXIT
say "built in $((SECONDS - started)) s:"
sed 's/^/  /' "$stamp"
ls -lh "$bin" | sed '1d; s/^/  /'

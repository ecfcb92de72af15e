#!/usr/bin/env bash
# Builds what real nodes need on top of the control plane scripts/k8s-tools.sh builds, at the versions pinned in
# packages/platform/versions.json, into the same per-user tool cache, one directory per pinned version:
#   .tools/go/k8s-node-<v>/   kubelet kube-proxy (k8s.io/kubernetes <v>, the control plane's version)
#   .tools/go/pause-<v>/      pause (kubernetes' own build/pause/linux/pause.c from the same module, static)
#   .tools/go/coredns-<v>/    coredns (github.com/coredns/coredns at kubernetes.coredns)
#
#   bash scripts/k8s-node-tools.sh             # all of it; prints each step and how long it took
#   bash scripts/k8s-node-tools.sh --print-dir # only prints the directories (for packages/cluster)
#
# Separate directories from the control plane's so adding node binaries never invalidates that (large) cache entry.
# The wrapper module is the control plane's (same go.mod and go.sum, other `tool` lines), so `go mod tidy` is
# quick and the Go build cache the control plane build left (HOMELAB_KEEP_GOCACHE=1) is reused: most of the
# kubelet's packages are already compiled. containerd, runc, the CNI plugins and iptables come from Debian.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
versions="$root/packages/platform/versions.json"
export PATH="$root/.tools/bin:$PATH"
user_cache="${HOMELAB_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/homelab/tools}/go"
mkdir -p "$user_cache" "$root/.tools"
[ -e "$root/.tools/go" ] || ln -s "$user_cache" "$root/.tools/go"
cache="$(cd "$root/.tools/go" && pwd -P)"

pin() { node -e 'let v=require(process.argv[1]); for (const k of process.argv[2].split(".")) v=v?.[k]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }
k8s_version="$(pin kubernetes.controlPlane)"
coredns_version="$(pin kubernetes.coredns)"
node_dir="$cache/k8s-node-$k8s_version"
pause_dir="$cache/pause-$k8s_version"
coredns_dir="$cache/coredns-$coredns_version"

if [ "${1:-}" = "--print-dir" ]; then
  printf 'node=%s\npause=%s\ncoredns=%s\n' "$node_dir" "$pause_dir" "$coredns_dir"
  exit 0
fi

say() { printf 'k8s-node-tools: %s\n' "$*"; }
elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
have() { local dir=$1; shift; for b in "$@"; do [ -x "$dir/$b" ] || return 1; done; }

drop_gocache() {
  if [ "${HOMELAB_KEEP_GOCACHE:-}" != "1" ] && [ -d "$cache/.gocache" ]; then
    # Never under a build that holds the lock (it may be using the cache).
    exec 9>"$cache/.k8s-tools.lock"
    flock 9
    say "deleting the Go build cache ($(du -sh "$cache/.gocache" 2>/dev/null | cut -f1)); HOMELAB_KEEP_GOCACHE=1 keeps it"
    rm -rf "$cache/.gocache"
  fi
}
if have "$node_dir" kubelet kube-proxy && have "$pause_dir" pause && have "$coredns_dir" coredns; then
  say "kubelet, kube-proxy $k8s_version, pause, coredns $coredns_version cached"
  # The control plane build may have kept the cache for us (scripts/test.sh): not needed now.
  drop_gocache
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  say "no Go toolchain: install Go and re-run; the real-node tests need these binaries" >&2
  exit 1
fi
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -modcacherw"
export GOMODCACHE="$cache/.gomodcache" GOCACHE="$cache/.gocache"
# The same lock as k8s-tools.sh: one Go build at a time on the shared cache (and on 2 cores).
exec 9>"$cache/.k8s-tools.lock"
if ! flock -n 9; then say "another k8s-tools run holds the cache; waiting for it"; flock 9; fi
rm -rf "$cache"/k8s-node-*.partial "$cache"/pause-*.partial "$cache"/coredns-*.partial

# --- kubelet and kube-proxy ---------------------------------------------------------------------------------------
if have "$node_dir" kubelet kube-proxy; then
  say "kubelet, kube-proxy $k8s_version cached ($node_dir)"
else
  cp_wrap="$cache/.wrappers/k8s-$k8s_version"
  [ -f "$cp_wrap/go.mod" ] || { say "no control plane wrapper module in $cp_wrap: run scripts/k8s-tools.sh first" >&2; exit 1; }
  wrap="$cache/.wrappers/k8s-node-$k8s_version"
  mkdir -p "$wrap"
  sed -e 's#^module .*#module homelab.local/k8s-node-tools#' -e '/^tool /d' "$cp_wrap/go.mod" >"$wrap/go.mod"
  printf 'tool k8s.io/kubernetes/cmd/kubelet\ntool k8s.io/kubernetes/cmd/kube-proxy\n' >>"$wrap/go.mod"
  [ -f "$cp_wrap/go.sum" ] && cp "$cp_wrap/go.sum" "$wrap/go.sum"
  t=$(date +%s)
  (cd "$wrap" && go mod tidy)
  say "kubelet/kube-proxy: tidy took $(elapsed "$t")"
  major="${k8s_version#v}"; major="${major%%.*}"
  minor="${k8s_version#v1.}"; minor="${minor%%.*}"
  ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  t=$(date +%s)
  say "kubelet/kube-proxy $k8s_version: go build (minutes on a cold cache)"
  mkdir -p "$node_dir.partial"
  (cd "$wrap" && go build -trimpath -ldflags "-s -w $ld" -o "$node_dir.partial/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy) || { rm -rf "$node_dir.partial"; say "build failed" >&2; exit 1; }
  rm -rf "$node_dir" && mv "$node_dir.partial" "$node_dir"
  say "kubelet/kube-proxy built in $(elapsed "$t") -> $node_dir ($(du -sh "$node_dir" | cut -f1))"
fi
reported="$("$node_dir/kubelet" --version 2>&1 || true)"
[ "$reported" = "Kubernetes $k8s_version" ] || { say "kubelet reports '$reported', pinned $k8s_version" >&2; exit 1; }

# --- pause --------------------------------------------------------------------------------------------------------
if have "$pause_dir" pause; then
  say "pause cached ($pause_dir)"
else
  src="$(cd "$cache" && go mod download -json "k8s.io/kubernetes@$k8s_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')/build/pause/linux/pause.c"
  command -v cc >/dev/null || { say "no C compiler (apt-get install gcc libc6-dev) for $src" >&2; exit 1; }
  mkdir -p "$pause_dir.partial"
  # As kubernetes' build/pause Makefile: static, optimised for size, version compiled in.
  cc -Os -Wall -Werror -static -DVERSION="$k8s_version" -o "$pause_dir.partial/pause" "$src"
  rm -rf "$pause_dir" && mv "$pause_dir.partial" "$pause_dir"
  say "pause built from $src"
fi

# --- CoreDNS ------------------------------------------------------------------------------------------------------
if have "$coredns_dir" coredns; then
  say "coredns $coredns_version cached ($coredns_dir)"
else
  wrap="$cache/.wrappers/coredns-$coredns_version"
  mkdir -p "$wrap"
  printf '// Generated by scripts/k8s-node-tools.sh.\nmodule homelab.local/coredns-tools\n\ngo 1.25\n\nrequire github.com/coredns/coredns %s\n\ntool github.com/coredns/coredns\n' "$coredns_version" >"$wrap/go.mod"
  t=$(date +%s)
  (cd "$wrap" && go mod tidy)
  mkdir -p "$coredns_dir.partial"
  (cd "$wrap" && go build -trimpath -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$coredns_version" \
    -o "$coredns_dir.partial/coredns" github.com/coredns/coredns) || { rm -rf "$coredns_dir.partial"; say "coredns build failed" >&2; exit 1; }
  rm -rf "$coredns_dir" && mv "$coredns_dir.partial" "$coredns_dir"
  say "coredns $coredns_version built in $(elapsed "$t") -> $coredns_dir"
fi
"$coredns_dir/coredns" -version | grep -q "CoreDNS-${coredns_version#v}" || { say "coredns does not report ${coredns_version}" >&2; exit 1; }

drop_gocache
say "ready"

#!/usr/bin/env bash
# Builds the real Kubernetes control plane the cluster tests run on, from the Go module proxy, at the versions
# pinned in packages/platform/versions.json (`kubernetes`), and fetches the add-ons' CRDs at the pinned chart
# versions (`charts`). Everything lands in the per-user tool cache (.tools/go -> ~/.cache/homelab/tools/go, see
# bootstrap.sh), one directory per pinned version, so a fresh clone reuses what an earlier one built:
#   .tools/go/k8s-<v>/   kube-apiserver kube-controller-manager kube-scheduler kubectl
#   .tools/go/etcd-<v>/  etcd
#   .tools/go/kwok-<v>/  kwok kwokctl, stages/ (kwok's default Stage objects)
#   .tools/go/crds-<hash of the pins>/  the CRD YAML files, plus versions.txt naming what they came from
#
#   bash scripts/k8s-tools.sh             # all of it; prints each step and how long it took
#   bash scripts/k8s-tools.sh --print-dir # only prints the binary/CRD directories (for the TypeScript side)
#   . scripts/k8s-tools.sh                # from scripts/test.sh: never exits the caller
#
# Why wrapper modules rather than `go install k8s.io/kubernetes/cmd/...@v`: kubernetes' go.mod requires its ~33
# staging modules at v0.0.0 with `./staging` replaces, which `go install pkg@version` refuses. A small module of our
# own requires k8s.io/kubernetes and replaces each staging module with its published v0.<minor>.<patch> tag.
# Each build goes to <dir>.partial and is renamed only when complete, so a failed or killed build leaves nothing
# half-made. The Go build cache (3+ GiB) is deleted after a successful build unless HOMELAB_KEEP_GOCACHE=1; the module
# cache (about 1.2 GiB) is kept so a rebuild for a new pin downloads only what changed.

_homelab_k8s_tools() (
  set -euo pipefail
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  versions="$root/packages/platform/versions.json"
  export PATH="$root/.tools/bin:$PATH"
  # The per-user cache bootstrap.sh links as .tools/go (same rule, so this also works before bootstrap ran);
  # the resolved path, so the cache outlives clones and the wrapper modules' paths are stable.
  user_cache="${HOMELAB_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/homelab/tools}/go"
  mkdir -p "$user_cache" "$root/.tools"
  [ -e "$root/.tools/go" ] || ln -s "$user_cache" "$root/.tools/go"
  cache="$(cd "$root/.tools/go" && pwd -P)"

  pin() { node -e 'let v=require(process.argv[1]); for (const k of process.argv[2].split(".")) v=v?.[k]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }
  k8s_version="$(pin kubernetes.controlPlane)"
  etcd_version="$(pin kubernetes.etcd)"
  kwok_version="$(pin kubernetes.kwok)"
  eg_version="$(pin charts.envoyGateway.version)"
  cm_version="$(pin charts.certManager.version)"
  po_version="$(pin charts.kubePrometheusStack.prometheusOperator)"
  # The checksum database has no entry for this operator release (the proxy serves it): the zip's hash is pinned
  # next to the version instead, and checked below with GONOSUMDB for this one module only.
  po_sum="$(pin charts.kubePrometheusStack.prometheusOperatorModuleSum)"
  crd_key="$(printf 'eg=%s cm=%s po=%s' "$eg_version" "$cm_version" "$po_version" | sha256sum | cut -c1-12)"

  k8s_dir="$cache/k8s-$k8s_version"
  etcd_dir="$cache/etcd-$etcd_version"
  kwok_dir="$cache/kwok-$kwok_version"
  crd_dir="$cache/crds-$crd_key"

  if [ "${1:-}" = "--print-dir" ]; then
    printf 'k8s=%s\netcd=%s\nkwok=%s\ncrds=%s\n' "$k8s_dir" "$etcd_dir" "$kwok_dir" "$crd_dir"
    return 0
  fi

  say() { printf 'k8s-tools: %s\n' "$*"; }
  elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

  if ! command -v go >/dev/null 2>&1; then
    say "no Go toolchain: install Go >= 1.25 (https://go.dev/dl/) and re-run; the cluster tests need these binaries" >&2
    return 1
  fi
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -modcacherw"
  export GOMODCACHE="$cache/.gomodcache" GOCACHE="$cache/.gocache"
  built_any=0
  # Clones share the cache: one build at a time (a second run waits, then finds everything cached).
  exec 9>"$cache/.k8s-tools.lock"
  if ! flock -n 9; then say "another k8s-tools run holds the cache; waiting for it"; flock 9; fi
  # A run that was killed leaves <dir>.partial behind: never used, removed here (ours only; other tools share the cache).
  rm -rf "$cache"/k8s-*.partial "$cache"/etcd-*.partial "$cache"/kwok-*.partial "$cache"/crds-*.partial

  # wrapper NAME DIR MODULE VERSION: writes the wrapper module in $cache/.wrappers/NAME-VERSION and echoes its path.
  wrapper_dir() { echo "$cache/.wrappers/$1-$2"; }

  # build NAME VERSION DIR LDFLAGS PKG...: `go build` the packages of the wrapper module into DIR, atomically.
  build() {
    local name=$1 version=$2 dir=$3 ldflags=$4 wrap
    shift 4
    wrap="$(wrapper_dir "$name" "$version")"
    local t=$(date +%s)
    say "$name $version: go mod tidy in ${wrap#"$cache/"}"
    (cd "$wrap" && go mod tidy)
    say "$name $version: tidy took $(elapsed "$t")"
    t=$(date +%s)
    say "$name $version: go build $* (minutes on a cold cache)"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    if ! (cd "$wrap" && go build -trimpath -ldflags "-s -w $ldflags" -o "$dir.partial/" "$@"); then
      rm -rf "$dir.partial"
      say "$name $version: build failed" >&2
      return 1
    fi
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    say "$name $version: built in $(elapsed "$t") -> $dir ($(du -sh "$dir" | cut -f1))"
    built_any=1
  }

  have() { local dir=$1; shift; for b in "$@"; do [ -x "$dir/$b" ] || return 1; done; }

  # --- Kubernetes control plane -----------------------------------------------------------------------------
  if have "$k8s_dir" kube-apiserver kube-controller-manager kube-scheduler kubectl; then
    say "kubernetes $k8s_version cached ($k8s_dir)"
  else
    local_t=$(date +%s)
    wrap="$(wrapper_dir k8s "$k8s_version")"
    mkdir -p "$wrap"
    say "kubernetes $k8s_version: reading its go.mod from the module proxy"
    gomod="$(cd "$wrap" && GOFLAGS=-modcacherw go mod download -json "k8s.io/kubernetes@$k8s_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')"
    minor="${k8s_version#v1.}"
    node - "$gomod" "$k8s_version" "v0.$minor" >"$wrap/go.mod.new" <<'EOF'
const fs = require('node:fs');
const [gomod, version, stagingVersion] = process.argv.slice(2);
const src = fs.readFileSync(gomod, 'utf8');
const lines = src.split('\n');
const out = ['// Generated by scripts/k8s-tools.sh: builds the control plane binaries of k8s.io/kubernetes ' + version + '.', 'module homelab.local/k8s-tools', ''];
const goLine = lines.find((l) => /^go \d/.test(l));
out.push(goLine, '');
// godebug: a single line or a block; the binaries must keep the defaults upstream ships with.
const gd = src.match(/^godebug \([\s\S]*?^\)/m) ?? src.match(/^godebug .*$/m);
if (gd) out.push(gd[0], '');
out.push(`require k8s.io/kubernetes ${version}`, '');
// Every `k8s.io/x => ./staging/src/k8s.io/x` becomes the published tag of that staging module.
const staging = [...src.matchAll(/^\s*(k8s\.io\/[^\s]+)\s+=>\s+\.\/staging\/src\/\S+/gm)].map((m) => m[1]);
if (staging.length === 0) throw new Error('no staging replaces found in ' + gomod);
out.push('replace (', ...staging.map((m) => `\t${m} => ${m} ${stagingVersion}`), ')', '');
for (const cmd of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) out.push(`tool k8s.io/kubernetes/cmd/${cmd}`);
console.log(out.join('\n'));
EOF
    mv "$wrap/go.mod.new" "$wrap/go.mod"
    say "kubernetes $k8s_version: wrapper module written ($(grep -c '=>' "$wrap/go.mod") staging replaces) in $(elapsed "$local_t")"
    major="${k8s_version#v}"; major="${major%%.*}"
    minor_only="${minor%%.*}"
    ld=""
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor_only -X $p.gitTreeState=clean"
    done
    build k8s "$k8s_version" "$k8s_dir" "$ld" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  fi
  reported="$("$k8s_dir/kube-apiserver" --version 2>&1 || true)"
  [ "$reported" = "Kubernetes $k8s_version" ] || { say "kube-apiserver reports '$reported', pinned $k8s_version" >&2; return 1; }

  # --- etcd ---------------------------------------------------------------------------------------------------
  if have "$etcd_dir" etcd; then
    say "etcd $etcd_version cached ($etcd_dir)"
  else
    wrap="$(wrapper_dir etcd "$etcd_version")"
    mkdir -p "$wrap"
    printf '// Generated by scripts/k8s-tools.sh.\nmodule homelab.local/etcd-tools\n\ngo 1.25\n\nrequire go.etcd.io/etcd/server/v3 %s\n\ntool go.etcd.io/etcd/server/v3\n' "$etcd_version" >"$wrap/go.mod"
    build etcd "$etcd_version" "$etcd_dir" "" go.etcd.io/etcd/server/v3
    mv "$etcd_dir/v3" "$etcd_dir/etcd" 2>/dev/null || mv "$etcd_dir/server" "$etcd_dir/etcd" 2>/dev/null || true
  fi
  # Captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
  reported="$("$etcd_dir/etcd" --version 2>&1 | head -1 || true)"
  [ "$reported" = "etcd Version: ${etcd_version#v}" ] || { say "etcd reports '$reported', pinned $etcd_version" >&2; return 1; }

  # --- kwok -----------------------------------------------------------------------------------------------------
  if have "$kwok_dir" kwok kwokctl; then
    say "kwok $kwok_version cached ($kwok_dir)"
  else
    wrap="$(wrapper_dir kwok "$kwok_version")"
    mkdir -p "$wrap"
    printf '// Generated by scripts/k8s-tools.sh.\nmodule homelab.local/kwok-tools\n\ngo 1.25\n\nrequire sigs.k8s.io/kwok %s\n\ntool sigs.k8s.io/kwok/cmd/kwok\ntool sigs.k8s.io/kwok/cmd/kwokctl\n' "$kwok_version" >"$wrap/go.mod"
    build kwok "$kwok_version" "$kwok_dir" "-X sigs.k8s.io/kwok/pkg/consts.Version=$kwok_version" \
      sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  fi
  if [ ! -f "$kwok_dir/stages/pod-ready.yaml" ]; then
    # kwok's own default Stages, from the same checksummed module: packages/cluster passes them to kwokctl together
    # with ours, because kwokctl drops its defaults as soon as a config names any Stage.
    stages="$(cd "$cache" && go mod download -json "sigs.k8s.io/kwok@$kwok_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')/kustomize/stage"
    mkdir -p "$kwok_dir/stages.partial"
    cp "$stages/node/fast/node-initialize.yaml" "$stages/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
      "$stages"/pod/fast/pod-*.yaml "$kwok_dir/stages.partial/"
    chmod -R u+w "$kwok_dir/stages.partial" && rm -rf "$kwok_dir/stages" && mv "$kwok_dir/stages.partial" "$kwok_dir/stages"
    say "kwok $kwok_version: default Stages -> $kwok_dir/stages"
  fi

  # --- CRDs of the pinned add-ons -------------------------------------------------------------------------------
  if [ -f "$crd_dir/versions.txt" ]; then
    say "CRDs cached ($crd_dir)"
  else
    t=$(date +%s)
    rm -rf "$crd_dir.partial" && mkdir -p "$crd_dir.partial"
    # moddir MODULE VERSION [PINNED_SUM]: downloads (checksummed by sumdb, or against PINNED_SUM) and prints its directory.
    moddir() {
      (cd "$crd_dir.partial" && if [ -n "${3:-}" ]; then export GONOSUMDB="$1"; fi &&
        go mod download -json "$1@$2" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s); if(j.Error) {console.error(j.Error);process.exit(1)} if(process.argv[1] && j.Sum!==process.argv[1]) {console.error(`${j.Path}@${j.Version}: hash ${j.Sum}, pinned ${process.argv[1]}`);process.exit(1)} console.log(j.Dir)})' "${3:-}")
    }
    eg="$(moddir github.com/envoyproxy/gateway "$eg_version")"
    cm="$(moddir github.com/cert-manager/cert-manager "$cm_version")"
    po="$(moddir github.com/prometheus-operator/prometheus-operator "$po_version" "$po_sum")"
    mkdir -p "$crd_dir.partial/gateway-api" "$crd_dir.partial/envoy-gateway" "$crd_dir.partial/cert-manager" "$crd_dir.partial/prometheus-operator"
    cp "$eg/charts/gateway-helm/crds/gatewayapi-crds.yaml" "$crd_dir.partial/gateway-api/"
    cp "$eg"/charts/gateway-helm/crds/generated/*.yaml "$crd_dir.partial/envoy-gateway/"
    cp "$cm"/deploy/crds/*.yaml "$crd_dir.partial/cert-manager/"
    cp "$po"/example/prometheus-operator-crd/*.yaml "$crd_dir.partial/prometheus-operator/"
    chmod -R u+w "$crd_dir.partial"
    printf 'github.com/envoyproxy/gateway %s\ngithub.com/cert-manager/cert-manager %s\ngithub.com/prometheus-operator/prometheus-operator %s\n' \
      "$eg_version" "$cm_version" "$po_version" >"$crd_dir.partial/versions.txt"
    rm -rf "$crd_dir" && mv "$crd_dir.partial" "$crd_dir"
    say "CRDs fetched in $(elapsed "$t"): $(find "$crd_dir" -name '*.yaml' | wc -l) files, $(du -sh "$crd_dir" | cut -f1) -> $crd_dir"
  fi

  if [ "$built_any" = 1 ] && [ "${HOMELAB_KEEP_GOCACHE:-}" != "1" ]; then
    say "deleting the Go build cache ($(du -sh "$GOCACHE" 2>/dev/null | cut -f1)); HOMELAB_KEEP_GOCACHE=1 keeps it"
    rm -rf "$GOCACHE"
  fi
  say "ready"
)

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  _homelab_k8s_tools
  return $?
fi
_homelab_k8s_tools "$@"

#!/usr/bin/env bash
# Builds the real Pulumi CLI and its Kubernetes provider from the Go module proxy, at the versions pinned in
# packages/platform/versions.json (`tools.pulumi`, `tools.pulumiKubernetes`), into the per-user tool cache
# (.tools/go -> ~/.cache/homelab/tools/go, see bootstrap.sh), one directory per pinned version:
#   .tools/go/pulumi-<v>/             pulumi
#   .tools/go/pulumi-kubernetes-<v>/  pulumi-resource-kubernetes
# infra/pulumi's real-run test puts both on PATH and drives `pulumi up` through the Automation API.
#
#   bash scripts/pulumi-tools.sh              # both; prints each step and how long it took
#   bash scripts/pulumi-tools.sh --print-dir  # only prints the two directories (for the TypeScript side)
#
# Why not get.pulumi.com or the npm `pulumi` package: these machines reach only package registries, and the npm
# package downloads the CLI at run time. Why wrapper modules: pkg/v3's go.mod carries a non-local replace
# (atotto/clipboard) that `go install pkg@v` refuses, and the provider's `//go:embed schema-embed.json` names a
# file its release pipeline generates, so the published module does not build as is: we copy it, generate the two
# embedded files from the module's own schema.json and terraform-mapping.json, and `replace` to the copy.
# The @pulumi/command provider is not built: only the kind/k3s cluster modes use it, and the real-run test uses
# `existing` (any kubeconfig). Each build goes to <dir>.partial and is renamed only when complete, so a failed or
# killed build leaves nothing half-made. Go's build cache (GBs) is deleted after a successful build unless
# HOMELAB_KEEP_GOCACHE=1; the module cache is shared with scripts/k8s-tools.sh and kept.

_homelab_pulumi_tools() (
  set -euo pipefail
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  versions="$root/packages/platform/versions.json"
  export PATH="$root/.tools/bin:$PATH"
  mkdir -p "$root/.tools/go"
  cache="$(cd "$root/.tools/go" && pwd -P)"

  pin() { node -e 'const v=require(process.argv[1]).tools[process.argv[2]]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }
  cli_version="$(pin pulumi)"
  k8s_provider_version="$(pin pulumiKubernetes)"
  cli_dir="$cache/pulumi-$cli_version"
  provider_dir="$cache/pulumi-kubernetes-$k8s_provider_version"

  if [ "${1:-}" = "--print-dir" ]; then
    printf 'pulumi=%s\nkubernetes=%s\n' "$cli_dir" "$provider_dir"
    return 0
  fi

  say() { printf 'pulumi-tools: %s\n' "$*"; }
  elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
  started=$(date +%s)

  if [ -x "$cli_dir/pulumi" ] && [ -x "$provider_dir/pulumi-resource-kubernetes" ]; then
    say "pulumi $cli_version and pulumi-resource-kubernetes $k8s_provider_version cached ($(elapsed "$started"))"
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    say "no Go toolchain: install Go >= 1.25 (https://go.dev/dl/) and re-run; the real \`pulumi up\` test needs these binaries" >&2
    return 1
  fi
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -modcacherw"
  export GOMODCACHE="$cache/.gomodcache" GOCACHE="$cache/.gocache-pulumi"
  # Clones share the cache: one build at a time. Without the lock a second run (another clone's tests) deleted the
  # first one's half-made <dir>.partial and both started over; now it waits, then finds everything cached.
  exec 9>"$cache/.pulumi-tools.lock"
  if ! flock -n 9; then say "another pulumi-tools run holds the cache; waiting for it"; flock 9; fi
  if [ -x "$cli_dir/pulumi" ] && [ -x "$provider_dir/pulumi-resource-kubernetes" ]; then
    say "pulumi $cli_version and pulumi-resource-kubernetes $k8s_provider_version cached after waiting ($(elapsed "$started"))"
    return 0
  fi
  wrappers="$cache/.wrappers"

  # build NAME VERSION WRAPPER DIR LDFLAGS TAGS PKG: `go mod tidy` + `go build` in the wrapper module, atomically.
  build() {
    local name=$1 version=$2 wrap=$3 dir=$4 ldflags=$5 tags=$6 pkg=$7 t
    t=$(date +%s)
    say "$name $version: go mod tidy"
    (cd "$wrap" && go mod tidy)
    say "$name $version: tidy took $(elapsed "$t")"
    t=$(date +%s)
    say "$name $version: go build (minutes on a cold cache)"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    if ! (cd "$wrap" && go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$dir.partial/" "$pkg"); then
      rm -rf "$dir.partial"
      say "$name $version: build failed" >&2
      return 1
    fi
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    say "$name $version: built in $(elapsed "$t") -> $dir ($(du -sh "$dir" | cut -f1))"
  }

  # --- Pulumi CLI ---------------------------------------------------------------------------------------------
  if [ -x "$cli_dir/pulumi" ]; then
    say "pulumi $cli_version cached ($cli_dir)"
  else
    wrap="$wrappers/pulumi-$cli_version"
    rm -rf "$wrap" && mkdir -p "$wrap"
    say "pulumi $cli_version: reading pkg/v3's go.mod from the module proxy"
    gomod="$(cd "$wrap" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$cli_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')"
    node - "$gomod" "$cli_version" >"$wrap/go.mod" <<'EOF'
const fs = require('node:fs');
const [gomod, version] = process.argv.slice(2);
const src = fs.readFileSync(gomod, 'utf8');
const goLine = src.split('\n').find((l) => /^go \d/.test(l));
// Replaces in a dependency's go.mod are ignored; the non-local ones (a forked module) must be repeated here.
// Local ones (`=> ../sdk`) point into pulumi's own repository and are covered by requiring sdk/v3 at the same tag.
const block = src.match(/^replace \(([\s\S]*?)^\)/m)?.[1].split('\n') ?? [];
const single = [...src.matchAll(/^replace (.*)$/gm)].map((m) => m[1]).filter((l) => !l.startsWith('('));
const replaces = [...block, ...single].map((l) => l.trim()).filter((l) => l && !l.startsWith('//') && !/=>\s*\.\.?\//.test(l));
console.log([
  `// Generated by scripts/pulumi-tools.sh: builds the Pulumi CLI ${version}.`,
  'module homelab.local/pulumi-cli', '', goLine, '',
  'require (', `\tgithub.com/pulumi/pulumi/pkg/v3 ${version}`, `\tgithub.com/pulumi/pulumi/sdk/v3 ${version}`, ')', '',
  ...(replaces.length ? ['replace (', ...replaces.map((r) => `\t${r}`), ')', ''] : []),
  'tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
].join('\n'));
EOF
    say "pulumi $cli_version: wrapper module written ($(grep -c '=>' "$wrap/go.mod" || true) replace(s))"
    build pulumi "$cli_version" "$wrap" "$cli_dir" \
      "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli_version" \
      osusergo,grpcnotrace github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  fi
  reported="$("$cli_dir/pulumi" version 2>/dev/null || true)"
  [ "$reported" = "$cli_version" ] || { say "pulumi reports '$reported', pinned $cli_version" >&2; return 1; }

  # --- pulumi-resource-kubernetes -----------------------------------------------------------------------------
  if [ -x "$provider_dir/pulumi-resource-kubernetes" ]; then
    say "pulumi-resource-kubernetes $k8s_provider_version cached ($provider_dir)"
  else
    module=github.com/pulumi/pulumi-kubernetes/provider/v4
    wrap="$wrappers/pulumi-kubernetes-$k8s_provider_version"
    rm -rf "$wrap" && mkdir -p "$wrap"
    say "pulumi-resource-kubernetes $k8s_provider_version: copying the module and generating its embedded files"
    src="$(cd "$wrap" && go mod download -json "$module@$k8s_provider_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
    cp -r "$src" "$wrap/provider" && chmod -R u+w "$wrap/provider"
    cmd="$wrap/provider/cmd/pulumi-resource-kubernetes"
    # What the provider's release pipeline does (its Makefile): the schema with `version` set, the mapping minified.
    node - "$cmd" "${k8s_provider_version#v}" <<'EOF'
const fs = require('node:fs');
const [dir, version] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(`${dir}/schema.json`, 'utf8'));
fs.writeFileSync(`${dir}/schema-embed.json`, JSON.stringify({ ...schema, version }));
fs.writeFileSync(`${dir}/terraform-mapping-embed.json`, JSON.stringify(JSON.parse(fs.readFileSync(`${dir}/terraform-mapping.json`, 'utf8'))));
EOF
    goline="$(grep -m1 '^go ' "$wrap/provider/go.mod")"
    printf '// Generated by scripts/pulumi-tools.sh: builds pulumi-resource-kubernetes %s from a copy of its module.\nmodule homelab.local/pulumi-kubernetes\n\n%s\n\nrequire %s %s\n\nreplace %s => ./provider\n\ntool %s/cmd/pulumi-resource-kubernetes\n' \
      "$k8s_provider_version" "$goline" "$module" "$k8s_provider_version" "$module" "$module" >"$wrap/go.mod"
    build pulumi-resource-kubernetes "$k8s_provider_version" "$wrap" "$provider_dir" \
      "-X $module/pkg/version.Version=${k8s_provider_version#v}" "" "$module/cmd/pulumi-resource-kubernetes"
  fi

  if [ "${HOMELAB_KEEP_GOCACHE:-}" != "1" ]; then rm -rf "$GOCACHE"; fi
  say "ready in $(elapsed "$started"): $cli_dir/pulumi, $provider_dir/pulumi-resource-kubernetes"
)

_homelab_pulumi_tools "$@"

#!/usr/bin/env bash
# Builds the pinned static checkers for the Kubernetes manifests (infra/k8s) from source with the Go toolchain,
# into .tools/go/<tool>-<version>/<tool>. Versions come from packages/platform/versions.json (`tools`); a tool
# already built at its pinned version is skipped, so CI builds each one once per pin.
#
#   bash scripts/go-tools.sh              # every checker
#   bash scripts/go-tools.sh kube-score   # only the named ones
#
# Exit status: non-zero when a named (or, without names, any) checker could not be built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
versions="$root/packages/platform/versions.json"
export PATH="$root/.tools/bin:$PATH"

# tool name | versions.json key | Go package to install
catalog=(
  "kube-score|kubeScore|github.com/zegl/kube-score/cmd/kube-score"
  "kube-linter|kubeLinter|golang.stackrox.io/kube-linter/cmd/kube-linter"
  # Polaris's tags lack the /vN suffix its major version needs, so it is pinned at a commit (pseudo-version).
  "polaris|polaris|github.com/fairwindsops/polaris"
)

pinned() { node -e 'const v=require(process.argv[1]).tools[process.argv[2]]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }

without_go() {
  cat >&2 <<MSG
go-tools: no Go toolchain on PATH. Either install Go (https://go.dev/dl/, or 'apt-get install golang' for an
older one) and re-run this script, or put prebuilt binaries of the pinned versions at the paths below:
MSG
  for entry in "${catalog[@]}"; do
    IFS='|' read -r tool key pkg <<<"$entry"
    echo "  .tools/go/$tool-$(pinned "$key")/$tool   (release page of $pkg)" >&2
  done
}

wanted=("$@")
failed=()
for entry in "${catalog[@]}"; do
  IFS='|' read -r tool key pkg <<<"$entry"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $tool "* ]]; then continue; fi
  version="$(pinned "$key")"
  dir="$root/.tools/go/$tool-$version"
  if [ -x "$dir/$tool" ]; then
    echo "go-tools: $tool $version cached"
    continue
  fi
  if ! command -v go >/dev/null 2>&1; then
    without_go
    exit 1
  fi
  if [[ "$version" == *-000000000000 ]]; then
    echo "go-tools: $tool is not pinned to a real version ($version); set tools.$key in versions.json" >&2
    failed+=("$tool")
    continue
  fi
  echo "go-tools: building $tool $version (a few minutes the first time)"
  mkdir -p "$dir.partial"
  if GOFLAGS=-trimpath GOBIN="$dir.partial" go install "$pkg@$version"; then
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    echo "go-tools: $tool $version -> ${dir#"$root/"}/$tool"
  else
    rm -rf "$dir.partial"
    echo "go-tools: could not build $tool $version (is $pkg reachable through GOPROXY=$(go env GOPROXY)?)" >&2
    failed+=("$tool")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "go-tools: not built: ${failed[*]}" >&2
  exit 1
fi

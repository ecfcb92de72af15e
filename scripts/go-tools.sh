#!/usr/bin/env bash
# Prepares the pinned static checkers for the Kubernetes manifests (infra/k8s), each at the version in
# packages/platform/versions.json (`tools`), cached under .tools/ (a link to the per-user cache, see bootstrap.sh) so each pin is built once:
#   kube-score, kube-linter, Polaris: Go programs, built from source with `go install` into .tools/go/<tool>-<version>/
#   Checkov, schemathesis: from PyPI, each in its own virtualenv at .tools/py/<tool>-<version>/ (schemathesis tests
#   the running gateway and API against their OpenAPI documents; apps/gateway/src/contract.schemathesis.test.ts)
#
#   bash scripts/go-tools.sh              # all of them; kube-score and Checkov must succeed under CI=true
#   bash scripts/go-tools.sh kube-score   # only the named ones, each must succeed
#   . scripts/go-tools.sh                 # from scripts/test.sh: same as no arguments, never exits the caller
#
# kube-linter and Polaris are optional (ADR 0031): the module proxy these machines reach does not serve them, so
# their failure is a warning unless HOMELAB_REQUIRE_ALL_CHECKERS=1.

_homelab_checkers() (
  set -euo pipefail
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  versions="$root/packages/platform/versions.json"
  export PATH="$root/.tools/bin:$PATH"

  # tool | versions.json key | Go package (empty: not a Go tool)
  catalog=(
    "kube-score|kubeScore|github.com/zegl/kube-score/cmd/kube-score"
    "kube-linter|kubeLinter|golang.stackrox.io/kube-linter/cmd/kube-linter"
    # Polaris's tags lack the /vN suffix its major version needs, so it is pinned at a commit (pseudo-version).
    "polaris|polaris|github.com/fairwindsops/polaris"
    "checkov|checkov|"
    "schemathesis|schemathesis|"
  )
  required_by_default=" kube-score checkov schemathesis "

  pinned() { node -e 'const v=require(process.argv[1]).tools[process.argv[2]]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }

  build_go() { # tool version package
    local tool=$1 version=$2 pkg=$3 dir="$root/.tools/go/$1-$2"
    if [ -x "$dir/$tool" ]; then echo "checkers: $tool $version cached"; return 0; fi
    if ! command -v go >/dev/null 2>&1; then
      echo "checkers: no Go toolchain for $tool. Install Go (https://go.dev/dl/) and re-run this script, or put a" >&2
      echo "  prebuilt $tool $version (release page of $pkg) at ${dir#"$root/"}/$tool" >&2
      return 1
    fi
    if [[ "$version" == *-000000000000 ]]; then
      echo "checkers: $tool is not pinned to a real version ($version); set it in versions.json" >&2
      return 1
    fi
    echo "checkers: building $tool $version (a few minutes the first time)"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    if GOFLAGS=-trimpath GOBIN="$dir.partial" go install "$pkg@$version"; then
      rm -rf "$dir" && mv "$dir.partial" "$dir"
      echo "checkers: $tool $version -> ${dir#"$root/"}/$tool"
    else
      rm -rf "$dir.partial"
      echo "checkers: could not build $tool $version (is $pkg served by GOPROXY=$(go env GOPROXY)?)" >&2
      return 1
    fi
  }

  install_pypi() { # tool version (the PyPI package and its command share the tool's name)
    # A venv records its absolute path in its scripts: build it at the resolved cache path, which outlives clones.
    mkdir -p "$root/.tools/py"
    local tool=$1 version=$2 venv
    venv="$(cd "$root/.tools/py" && pwd -P)/$tool-$version"
    if [ -x "$venv/bin/$tool" ]; then echo "checkers: $tool $version cached"; return 0; fi
    # Debian's python3 creates a venv only with python3-venv (which brings ensurepip).
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      echo "checkers: $tool needs python3 with venv (apt-get install python3-venv)" >&2
      return 1
    fi
    echo "checkers: installing $tool $version from PyPI (a minute or two the first time)"
    # A venv records its own path, so it is built in place; a failed install leaves nothing behind.
    rm -rf "$venv" && python3 -m venv "$venv"
    if "$venv/bin/pip" install --quiet --disable-pip-version-check "$tool==$version"; then
      echo "checkers: $tool $version -> ${venv#"$root/"}/bin/$tool"
    else
      rm -rf "$venv"
      echo "checkers: could not install $tool $version" >&2
      return 1
    fi
  }

  failed_required=()
  for entry in "${catalog[@]}"; do
    IFS='|' read -r tool key pkg <<<"$entry"
    if [ $# -gt 0 ] && [[ " $* " != *" $tool "* ]]; then continue; fi
    version="$(pinned "$key")"
    if [ -n "$pkg" ]; then ok=0; build_go "$tool" "$version" "$pkg" || ok=$?; else ok=0; install_pypi "$tool" "$version" || ok=$?; fi
    if [ "$ok" -ne 0 ]; then
      if [ $# -gt 0 ] || [[ "$required_by_default" == *" $tool "* ]] || [ "${HOMELAB_REQUIRE_ALL_CHECKERS:-}" = "1" ]; then
        failed_required+=("$tool")
      else
        echo "checkers: $tool unavailable; its tests say so and skip (ADR 0031)" >&2
      fi
    fi
  done

  if [ ${#failed_required[@]} -gt 0 ]; then
    echo "checkers: not ready: ${failed_required[*]}" >&2
    # Locally the tests skip with a notice; under CI a missing checker is a failure.
    if [ $# -gt 0 ] || [ "${CI:-}" = "true" ]; then return 1; fi
  fi
  return 0
)

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced (scripts/test.sh): ignore the caller's arguments and never exit the caller's shell.
  _homelab_checkers
  return $?
fi
_homelab_checkers "$@"

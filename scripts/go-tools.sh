#!/usr/bin/env bash
# Prepares the pinned static checkers for the Kubernetes manifests (infra/k8s), each at the version in
# packages/platform/versions.json (`tools`), cached under .tools/ (a link to the per-user cache, see bootstrap.sh) so each pin is built once:
#   kube-score, kube-linter, actionlint: Go programs, built from source with `go install` into .tools/go/<tool>-<version>/
#   Polaris: its release binary from GitHub (its tags lack the /vN suffix Go modules need) into .tools/go/polaris-<version>/
#   Checkov, schemathesis: from PyPI, each in its own virtualenv at .tools/py/<tool>-<version>/ (schemathesis tests
#   the running gateway and API against their OpenAPI documents: apps/gateway/src/contract.schemathesis.test.ts)
#
#   bash scripts/go-tools.sh                      # the suite's checkers: kube-score, Checkov, actionlint, schemathesis (required under CI=true)
#   bash scripts/go-tools.sh kube-linter polaris  # only the named ones, each must succeed (the GitHub workflow)
#   . scripts/go-tools.sh                         # from scripts/test.sh: same as no arguments, never exits the caller
#
# kube-linter and Polaris are not reachable from the build machines (ADR 0031): only the GitHub workflow's
# `manifest-checkers` job names them, and infra/k8s/scripts/github-checkers.ts runs them there.

_homelab_checkers() (
  set -euo pipefail
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  versions="$root/packages/platform/versions.json"
  export PATH="$root/.tools/bin:$PATH"

  # tool | versions.json key | Go package, or release:<URL with {v}> (empty: from PyPI, package named as the tool)
  catalog=(
    "kube-score|kubeScore|github.com/zegl/kube-score/cmd/kube-score"
    "kube-linter|kubeLinter|golang.stackrox.io/kube-linter/cmd/kube-linter"
    "polaris|polaris|release:https://github.com/FairwindsOps/polaris/releases/download/{v}/polaris_linux_amd64.tar.gz"
    "checkov|checkov|"
    "schemathesis|schemathesis|"
    # actionlint lints every workflow (tools/repo-checks, and a step of ci.yml) as the real Go binary.
    "actionlint|actionlint|github.com/rhysd/actionlint/cmd/actionlint"
    # staticcheck lints the repository's own Go modules (scripts/go-check.sh).
    "staticcheck|staticcheck|honnef.co/go/tools/cmd/staticcheck"
  )
  # Without arguments: the checkers the test suite runs. The others are built only when named.
  default_tools=" kube-score checkov actionlint schemathesis staticcheck "

  pinned() { node -e 'const v=require(process.argv[1]).tools[process.argv[2]]; if(!v) process.exit(1); console.log(v)' "$versions" "$1"; }

  go_install_to() { GOFLAGS=-trimpath GOBIN="$2" go install "$1"; } # module@version dir
  download_to() { curl -fsSL "$1" | tar -xz -C "$3" "$2"; }           # url file dir

  # Runs `command... <dir>.partial`, then moves the result into place: a failed install leaves nothing behind.
  install_into() { # tool version dir failure-message command...
    local tool=$1 version=$2 dir=$3 failure=$4
    shift 4
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    if "$@" "$dir.partial"; then
      rm -rf "$dir" && mv "$dir.partial" "$dir"
      echo "checkers: $tool $version -> ${dir#"$root/"}/$tool"
    else
      rm -rf "$dir.partial"
      echo "checkers: $failure" >&2
      return 1
    fi
  }

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
    install_into "$tool" "$version" "$dir" "could not build $tool $version (is $pkg served by GOPROXY=$(go env GOPROXY)?)" \
      go_install_to "$pkg@$version"
  }

  fetch_release() { # tool version url-template
    local tool=$1 version=$2 url=${3//\{v\}/$2} dir="$root/.tools/go/$1-$2"
    if [ -x "$dir/$tool" ]; then echo "checkers: $tool $version cached"; return 0; fi
    echo "checkers: downloading $tool $version from $url"
    install_into "$tool" "$version" "$dir" "could not download $tool $version" download_to "$url" "$tool"
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
    if [ $# -eq 0 ] && [[ "$default_tools" != *" $tool "* ]]; then continue; fi
    version="$(pinned "$key")"
    ok=0
    case "$pkg" in
      release:*) fetch_release "$tool" "$version" "${pkg#release:}" || ok=$? ;;
      "") install_pypi "$tool" "$version" || ok=$? ;;
      *) build_go "$tool" "$version" "$pkg" || ok=$? ;;
    esac
    if [ "$ok" -ne 0 ]; then failed_required+=("$tool"); fi
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

#!/usr/bin/env bash
# Prepares every static checker the manifest tests run, each at the version pinned in
# packages/platform/versions.json (`tools`), cached under .tools/ so CI installs each pin once:
#   - kube-score (Go, built from source by scripts/go-tools.sh)
#   - Checkov (PyPI, in its own virtualenv at .tools/py/checkov-<version>)
# kube-linter and Polaris are built too when their modules are reachable (see ADR 0031); their absence is
# reported, not fatal, unless HOMELAB_REQUIRE_ALL_CHECKERS=1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
export PATH="$root/.tools/bin:$PATH"

bash "$root/scripts/go-tools.sh" kube-score
if ! bash "$root/scripts/go-tools.sh" kube-linter polaris; then
  if [ "${HOMELAB_REQUIRE_ALL_CHECKERS:-}" = "1" ]; then exit 1; fi
  echo "checkers: kube-linter/polaris unavailable here; their tests will say so (ADR 0031)" >&2
fi

version="$(node -p 'require(process.argv[1]).tools.checkov' "$root/packages/platform/versions.json")"
venv="$root/.tools/py/checkov-$version"
if [ -x "$venv/bin/checkov" ]; then
  echo "checkers: checkov $version cached"
else
  if ! command -v python3 >/dev/null 2>&1; then
    echo "checkers: python3 is needed for Checkov (apt-get install python3 python3-venv)" >&2
    exit 1
  fi
  echo "checkers: installing checkov $version (a minute or two the first time)"
  # A venv records its own path, so it is built in place; a failed install leaves nothing behind.
  rm -rf "$venv"
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$version"; then
    rm -rf "$venv"
    echo "checkers: could not install checkov $version from PyPI" >&2
    exit 1
  fi
  echo "checkers: checkov $version -> ${venv#"$root/"}/bin/checkov"
fi

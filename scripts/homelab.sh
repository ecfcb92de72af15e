#!/usr/bin/env bash
# `npm run homelab -- <command>`: the operator CLI with the repository's toolchain (e.g. `npm run homelab -- credentials`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh >/dev/null
exec node tools/cli/src/main.ts "$@"

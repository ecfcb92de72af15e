#!/usr/bin/env bash
# `npm start`: the whole platform on this machine (web, gateway, api) with embedded PostgreSQL and cache.
# Extra flags go to `homelab up` (npm start -- --help lists them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
exec node tools/cli/src/main.ts up "$@"

#!/usr/bin/env bash
# `npm run homelab -- <args>`: the operator CLI on the repository's Node, whatever Node ran npm. The CLI is
# TypeScript run directly (type stripping, Node >= 22.12); npm on an older machine Node would hand main.ts to that
# Node ("Unknown file extension .ts"), so this sources bootstrap.sh first, which brings the pinned Node into
# .tools/ when the machine's is too old (and installs the workspace on a fresh clone), like `npm start`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/bootstrap.sh"
exec node "$here/tools/cli/src/main.ts" "$@"

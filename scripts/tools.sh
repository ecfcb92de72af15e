#!/usr/bin/env bash
# `bash scripts/tools.sh <command> [args...]`: runs a command on the repository's toolchain, whatever Node ran npm.
# Every npm script that runs TypeScript (or vitest, tsc) goes through it, like `npm run homelab` (homelab.sh):
# npm on an older machine Node would hand a .ts file to that Node ("Unknown file extension .ts"), so this sources
# bootstrap.sh first, which brings the pinned Node into .tools/ when the machine's is too old (and installs the
# workspace on a fresh clone). The command runs in the caller's directory (npm runs a package's scripts in it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/bootstrap.sh"
exec "$@"

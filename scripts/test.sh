#!/usr/bin/env bash
# `npm test`: every check the repository has, in one command. It installs what it needs on first use
# (Node, pnpm, dependencies, the pinned Go checkers when Go exists) and starts the servers its tests need.
# Without PostgreSQL/Redis/promtool/Chromium binaries the suites fall back or skip with a visible notice;
# under CI=true those are required and their absence fails the run.
#
# `npm run test:quick` (or `npm test -- --quick`): the inner-loop tier (docs/testing.md): lint, types and the vitest
# suites minus those that need a control plane, Go-built tools, a browser or the whole platform (vitest.config.ts,
# `fullTierOnly`); no Go builds, no Go tests. CI runs the full suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quick=false
help=false
args=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --help | -h) help=true ;;
    *) args+=("$arg") ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
. scripts/bootstrap.sh
if [ "$help" = true ]; then
  # After bootstrap, so `--help` proves the toolchain the run would use (the README's commands test runs it).
  echo "usage: npm test [-- --quick] [vitest filters...]   (npm run test:quick = npm test -- --quick)"
  echo "runs on Node $(node --version) with pnpm $(pnpm --version); tiers: docs/testing.md"
  exit 0
fi
mkdir -p .artifacts
rm -f .artifacts/go-tests.json

step() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }
step "lint and format (biome)"
pnpm exec biome check .
step "type-check (tsc $(pnpm exec tsc --version | awk '{print $2}'))"
pnpm exec tsc -p tsconfig.json
if [ "$quick" = true ]; then
  export HOMELAB_TEST_TIER=quick
  step "quick tier: no Go builds or Go tests, no cluster, browser, checker or whole-platform suites (docs/testing.md)"
elif [ -f scripts/go-tools.sh ]; then
  step "static checkers (pinned Go builds, cached)"
  # shellcheck source=/dev/null
  . scripts/go-tools.sh
fi
# The control plane build keeps Go's build cache for the node build after it (most of the kubelet's packages are in
# it); scripts/k8s-node-tools.sh deletes it afterwards unless the caller asked to keep it.
keep_gocache="${HOMELAB_KEEP_GOCACHE:-}"
export HOMELAB_KEEP_GOCACHE=1
if [ "$quick" = false ] && [ -f scripts/k8s-tools.sh ]; then
  step "control plane for the cluster tests (pinned Go builds, cached)"
  # ~10 min cold on 2 cores, seconds once cached. Under CI a failed build fails the run; locally the cluster suites
  # then skip with a notice (packages/cluster/test/test-cluster.ts).
  # shellcheck source=/dev/null
  if ! . scripts/k8s-tools.sh; then
    if [ "${CI:-}" = "true" ]; then echo "k8s-tools: build failed under CI=true" >&2; exit 1; fi
    echo "k8s-tools: not built; the cluster suites will skip (run bash scripts/k8s-tools.sh)" >&2
  fi
fi
if [ "$quick" = false ] && [ -f scripts/k8s-node-tools.sh ]; then
  step "kubelet, kube-proxy, pause and CoreDNS for the real-node tests (pinned Go builds, cached)"
  # A few minutes cold (most packages are compiled by the control plane build), a second cached. Under CI a failed
  # build fails the run; locally the real-node suite then skips with a notice (packages/drill-targets/test/real-cluster.ts).
  if ! HOMELAB_KEEP_GOCACHE="$keep_gocache" bash scripts/k8s-node-tools.sh; then
    if [ "${CI:-}" = "true" ]; then echo "k8s-node-tools: build failed under CI=true" >&2; exit 1; fi
    echo "k8s-node-tools: not built; the real-node suite will skip (run bash scripts/k8s-node-tools.sh)" >&2
  fi
fi
export HOMELAB_KEEP_GOCACHE="$keep_gocache"
# The Pulumi CLI and Kubernetes provider for the real `pulumi up` suite (~11 min cold, seconds cached).
[ "$quick" = false ] && [ -f scripts/pulumi-tools.sh ] && { step "Pulumi CLI and Kubernetes provider (pinned Go builds, cached)"; bash scripts/pulumi-tools.sh || [ "${CI:-}" != "true" ] || exit 1; }
status=0
if [ "$quick" = false ] && [ -f go.work ]; then
  step "Go modules (gofmt, go vet, staticcheck, go test)"
  bash scripts/go-check.sh || status=$?
fi
step "tests (vitest)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.artifacts/vitest.json "$@" || status=$?
# One plain closing line, whatever the reporter printed above.
node -e '
  const r = require("./.artifacts/vitest.json");
  let g = { passed: 0, failed: 0, skipped: 0 };
  try { g = require("./.artifacts/go-tests.json"); } catch {}
  console.log(`\ntests: ${r.numPassedTests + g.passed} passed, ${r.numFailedTests + g.failed} failed, ${r.numPendingTests + r.numTodoTests + g.skipped} skipped`);
' || true
exit "$status"

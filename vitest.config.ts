import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The quick tier (`npm run test:quick`, docs/testing.md): the inner loop, without the suites that need a control
 * plane, the Pulumi CLI or another Go-built binary, a browser, or that run the whole platform for tens of seconds.
 * CI runs the full suite. A new slow suite opts out of the quick tier by its name: `*.slow.test.ts`, or any test
 * under a `test/cluster/` directory; the list below is the existing suites, each with why.
 */
export const fullTierOnly = [
  '**/*.slow.test.{ts,tsx}',
  '**/test/cluster/**',
  // A control plane (kwok/kubelet) or the real `pulumi up`.
  'infra/pulumi/src/pulumi-up.test.ts',
  'packages/cluster/**/*.test.ts',
  'packages/canary-gate/src/drivers/cluster-driver.test.ts',
  'packages/triage/src/k8s/on-cluster.test.ts',
  'packages/drill-targets/src/cluster/drill-target.test.ts',
  // Real containerd + kubelet nodes (root): a control plane, nodes and images, ~2 min, and it holds the host network.
  'packages/drill-targets/src/cluster/real-nodes.test.ts',
  // Image builds (the app images from their pnpm trees) started in podman, and the compose stack on them: the
  // compose suite waits for the host-network turn behind other suites (714 s of a 850 s quick run, 495 s of it
  // waiting).
  'packages/images/src/build-images.test.ts',
  'packages/images/src/compose.test.ts',
  // Go-built or Python-installed checkers (kube-score, Checkov, actionlint, schemathesis).
  'infra/k8s/test/checkers.test.ts',
  'tools/repo-checks/src/actionlint-binary.test.ts',
  'apps/gateway/src/contract.schemathesis.test.ts',
  // Builds every app image (the Go API's with `go build`) and starts them in podman: 70-100 s warm.
  'packages/images/src/build-images.test.ts',
  // Chromium.
  'packages/local-platform/src/browser.test.ts',
  // The whole local platform as real processes (`homelab up`, a canary deploy, a drill under load, the shared
  // database, every app probed as a process) and every benchmark's smoke run (~2 min): 40-300 s each under load.
  'tools/cli/src/commands/deploy.test.ts',
  'tools/cli/src/commands/up.test.ts',
  'tools/cli/src/commands/up-ports.test.ts',
  'tools/cli/src/commands/up-process-tree.test.ts',
  'packages/local-platform/src/shared-database.test.ts',
  'infra/k8s/test/probe-paths.test.ts',
  'packages/drill-targets/src/local/drill-platform.test.ts',
  'packages/drill-targets/src/local/tls-drill-target.test.ts',
  'tools/repo-checks/src/bench-smoke.test.ts',
  // promtool over every generated rule test, and mutation testing of the rules: 605 s and 181 s at load average 30-50
  // (run them with `pnpm exec vitest run observability` when changing rules or SLOs).
  'observability/src/rules.test.ts',
  'observability/scripts/mutate-rules.test.ts',
  // The Go API's suites build its binary (no Go builds in the quick tier): the differential test against the TS
  // API, schemathesis, the 50/50 soak behind the gateway, drain.
  'apps/api-go/src/differential.test.ts',
  'apps/api-go/src/contract.schemathesis.test.ts',
  'apps/api-go/src/canary-soak.test.ts',
  'apps/api-go/src/drain.test.ts',
  // The Go orchestrator's drill target: builds the orchestrator and starts the platform on 3 node namespaces.
  'packages/drill-targets/src/orchestrator/drill-target.test.ts',
  // The README's commands through npm with the machine's own Node (bootstrap checks in each): ~45 s.
  'tools/cli/src/readme-commands.test.ts',
  // Thousands of generated requests (fast-check): 75 s under load; the quick tier keeps the example-based suites.
  'apps/api/src/bad-input.property.test.ts',
];
const quick = process.env.HOMELAB_TEST_TIER === 'quick';

/**
 * One root config collects every package's tests (`x.test.ts` beside `x.ts`). The global setup starts a
 * throwaway PostgreSQL and Redis for the integration tests, or falls back to the embedded ones with a notice.
 *
 * At least two test files at a time: Vitest's default (cores - 1) is one on the 2-core CI machine, and the slow
 * suites mostly wait (on a control plane, on `pulumi up`, on real processes under a drill's load), so the suite ran
 * strictly one file after another (1,446 s, of which 548 s the real `pulumi up` file alone).
 */
export default defineConfig({
  test: {
    include: ['{apps,packages,infra,observability,tools}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**', ...(quick ? fullTierOnly : [])],
    globalSetup: ['packages/test-servers/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

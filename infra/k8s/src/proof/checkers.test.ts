import { realServersRequired } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';
import {
  available,
  type Checker,
  checkov,
  kubeLinter,
  kubeScore,
  manifestFiles,
  polaris,
  writeManifests,
} from './checkers.ts';
import { cloneObjects, distDir, find, loadManifests } from './manifests.ts';

/**
 * kube-score and Checkov are required under CI. kube-linter and Polaris are required only with
 * HOMELAB_REQUIRE_ALL_CHECKERS=1: their modules are not served by the module proxy these machines reach (ADR 0031).
 */
const required = (checker: Checker) =>
  checker === kubeScore || checker === checkov
    ? realServersRequired()
    : process.env.HOMELAB_REQUIRE_ALL_CHECKERS === '1';

const objects = loadManifests();

/** The API run as root without a readiness probe: every checker must have something to say about it. */
const broken = () => {
  const mutated = cloneObjects(objects);
  const api = find(mutated, 'Deployment', 'api');
  const container = api.spec.template.spec.containers[0];
  delete container.readinessProbe;
  container.securityContext = { runAsUser: 0, allowPrivilegeEscalation: true };
  api.spec.template.spec.securityContext = {};
  return mutated;
};

for (const checker of [kubeScore, checkov, kubeLinter, polaris]) {
  describe(checker.name, () => {
    const present = available(checker);
    if (!present && required(checker)) {
      it('is installed', () => {
        throw new Error(`${checker.name} is missing at ${checker.binary}; run: ${checker.install}`);
      });
      return;
    }
    if (!present) {
      console.warn(`[infra/k8s] ${checker.name} not installed (${checker.install}); its tests are skipped`);
    }

    it.skipIf(!present)('finds nothing in the committed manifests (exemptions are annotated on the objects)', () => {
      expect(checker.run(manifestFiles(distDir))).toEqual([]);
    });

    it.skipIf(!present)('does find a root container without a readiness probe (so a clean run means something)', () => {
      const { file, cleanup } = writeManifests(broken());
      try {
        const findings = checker.run([file]);
        expect(findings.some((f) => f.includes('api'))).toBe(true);
      } finally {
        cleanup();
      }
    });
  });
}

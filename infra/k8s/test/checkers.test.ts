import { realServersRequired } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';
import { distDir, loadManifests } from '../src/manifests.ts';
import { available, checkerProblems, suiteCheckers } from './checkers.ts';

// kube-linter and Polaris are not obtainable here: the GitHub workflow runs them (ADR 0031), not this suite.
const objects = loadManifests();

for (const checker of suiteCheckers) {
  describe(checker.name, () => {
    const present = available(checker);
    if (!present && realServersRequired()) {
      it('is installed', () => {
        throw new Error(`${checker.name} is missing at ${checker.binary}; run: ${checker.install}`);
      });
      return;
    }
    if (!present) {
      console.warn(`[infra/k8s] ${checker.name} not installed (${checker.install}); its tests are skipped`);
    }

    // Two checker runs (clean, broken); Checkov takes 20 s or more on a loaded 2-core machine.
    it.skipIf(!present)(
      'finds nothing in the committed manifests and does find a broken copy',
      { timeout: 180_000 },
      () => {
        expect(checkerProblems(checker, objects, distDir)).toEqual([]);
      },
    );
  });
}

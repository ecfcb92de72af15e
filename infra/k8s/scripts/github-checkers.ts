// kube-linter and Polaris on the committed manifests, where they can be had: the GitHub workflow's
// `manifest-checkers` job (after `bash scripts/go-tools.sh kube-linter polaris`). Not obtainable on the build
// machines (ADR 0031), so this is no part of the vitest suite. Exit 0 when both hold, 1 otherwise.

import { distDir, loadManifests } from '../src/manifests.ts';
import { available, checkerProblems, githubCheckers } from '../test/checkers.ts';

const objects = loadManifests();
let failed = false;
for (const checker of githubCheckers) {
  if (!available(checker)) {
    console.error(`${checker.name}: missing at ${checker.binary}; run: ${checker.install}`);
    failed = true;
    continue;
  }
  const problems = checkerProblems(checker, objects, distDir);
  console.log(`${checker.name}: ${problems.length === 0 ? 'holds (clean manifests, broken copy caught)' : 'FAILED'}`);
  for (const problem of problems) console.log(`  ${problem}`);
  if (problems.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

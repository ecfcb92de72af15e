import { certificatesCoverHostnames } from './certificate-coverage.ts';
import { configUrlsResolve } from './config-guard.ts';
import { configReferencesResolve } from './config-references.ts';
import { crossReferenceGuards, type Guard } from './cross-references.ts';
import { dependencyFlowsAllowed } from './dependency-flows.ts';
import { exemptionsHaveReasons } from './exemption-guard.ts';
import { allowedFlowsEqualNeeded } from './flow-equality.ts';
import { forbiddenFlowsDenied, realFlowsAllowed } from './flow-guards.ts';
import { jobGuards } from './job-guards.ts';
import { metricsScrapesCarryToken } from './metrics-token.ts';
import {
  namespacesEnforceRestricted,
  podSecurityRestricted,
  workloadHygiene,
  zeroDowntimeRollouts,
} from './pod-security.ts';
import { rbacLeastPrivilege } from './rbac-guard.ts';
import { relationalGuards } from './relational-guards.ts';
import { sentRequestsNeverRetried } from './retry-guards.ts';
import { validateAll } from './schema-validation.ts';
import { workloadMeaningGuards } from './workload-meaning.ts';

/** Every guarantee the manifests are held to, by name. Each returns its problems; [] means it holds. */
export const allGuards: Record<string, Guard> = {
  schemas: validateAll,
  ...crossReferenceGuards,
  podSecurityRestricted,
  workloadHygiene,
  zeroDowntimeRollouts,
  namespacesEnforceRestricted,
  realFlowsAllowed,
  forbiddenFlowsDenied,
  exemptionsHaveReasons,
  rbacLeastPrivilege,
  configUrlsResolve,
  ...relationalGuards,
  dependencyFlowsAllowed,
  ...jobGuards,
  certificatesCoverHostnames,
  configReferencesResolve,
  allowedFlowsEqualNeeded,
  metricsScrapesCarryToken,
  ...workloadMeaningGuards,
  sentRequestsNeverRetried,
};

/** Runs every guard; returns only the guards that found problems. */
export const failingGuards = (objects: Parameters<Guard>[0]): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(allGuards)
      .map(([name, guard]) => [name, guard(objects)] as const)
      .filter(([, problems]) => problems.length > 0),
  );

import type { Scenario } from './scenario.ts';
import { clusterScenarios } from './scenarios/cluster.ts';
import { localScenarios } from './scenarios/local.ts';
import { orchestratorScenarios } from './scenarios/orchestrator.ts';

export const scenarios: readonly Scenario[] = [...localScenarios, ...clusterScenarios, ...orchestratorScenarios];

/** The scenario called `name`; the error lists the names there are. */
export function scenarioNamed(name: string): Scenario {
  const found = scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no drill "${name}"; there are: ${scenarios.map((s) => s.name).join(', ')}`);
  return found;
}

/** A blind drill's pick among `candidates`, from a random number in [0, 1). */
export function pickBlind(candidates: readonly Scenario[], random: number): Scenario {
  if (candidates.length === 0) throw new Error('no scenario can run blind here');
  return candidates[Math.min(candidates.length - 1, Math.floor(random * candidates.length))] as Scenario;
}

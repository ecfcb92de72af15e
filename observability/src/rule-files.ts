import { stringify } from 'yaml';
import type { RuleSet } from './prometheus-rules.ts';

/** A rule set as the YAML of a Prometheus rule file (`groups:`), multi-line expressions as block scalars. */
export const ruleFileYaml = (set: RuleSet): string =>
  stringify({ groups: set.groups }, { lineWidth: 0, aliasDuplicateObjects: false });

export const ruleFileName = (set: RuleSet): string => `${set.name}.yaml`;

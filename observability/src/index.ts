export { type AlertRef, platformAlert, sloAlert } from './alert-refs.ts';
export { type AlertingRule, isAlertingRule, type RecordingRule, type Rule, type RuleGroup } from './alert-rule.ts';
export { alertmanagerConfig, alertmanagerSecret } from './alertmanager.ts';
export { dashboards, type GeneratedDashboard } from './dashboards/index.ts';
export { prometheusRules, type RuleSet } from './prometheus-rules.ts';
export { ruleFileName, ruleFileYaml } from './rule-files.ts';
export { jobMatcher, serviceSelector } from './service-selector.ts';

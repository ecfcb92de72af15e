import { canaryDashboard } from './canary.ts';
import { platformHealthDashboard } from './platform-health.ts';
import { serviceRedDashboard } from './service-red.ts';
import { sloDashboard } from './slo.ts';

export interface GeneratedDashboard {
  uid: string;
  title: string;
  /** The dashboard model Grafana imports; C wraps each in a ConfigMap labelled for the Grafana sidecar. */
  json: object;
}

/** Every dashboard, built with the Grafana Foundation SDK. */
export function dashboards(): GeneratedDashboard[] {
  return [serviceRedDashboard(), sloDashboard(), canaryDashboard(), platformHealthDashboard()].map((builder) => {
    const json = builder.build();
    if (!json.uid || !json.title) throw new Error(`a dashboard lacks a uid or a title: ${json.uid}`);
    return { uid: json.uid, title: json.title, json };
  });
}

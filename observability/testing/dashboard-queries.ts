import { appNames } from '@homelab/platform';
import { dashboards } from '../src/dashboards/index.ts';

/** Every PromQL query of every dashboard panel. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

export function panelQueries(): PanelQuery[] {
  return dashboards().flatMap(({ uid, json }) =>
    ((json as { panels?: Array<{ title?: string; targets?: Array<{ expr?: string }> }> }).panels ?? []).flatMap(
      (panel) => (panel.targets ?? []).map((t) => ({ dashboard: uid, panel: panel.title ?? '', expr: t.expr ?? '' })),
    ),
  );
}

/**
 * Grafana's variables, replaced by what Grafana would send: `$__rate_interval` becomes a duration, `$service` a
 * service name, so the result is plain PromQL.
 */
export const resolveVariables = (expr: string): string =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', appNames[0] ?? 'api');

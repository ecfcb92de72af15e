import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { CustomVariableBuilder, DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { appNames } from '@homelab/platform';

/** Every panel reads the Prometheus picked by the `datasource` variable, so the JSON names no instance uid. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, resolved by Grafana, not by JS.
export const prometheusDatasource = { type: 'prometheus', uid: '${datasource}' };

export const datasourceVariable = () =>
  new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');

/** The services, from the platform's list (not a label query), so the picker works before any scrape. */
export const serviceVariable = () =>
  new CustomVariableBuilder('service')
    .label('Service')
    .values(appNames.join(','))
    .current({
      text: appNames[0] ?? '',
      value: appNames[0] ?? '',
    });

export interface Query {
  expr: string;
  legend: string;
}

const target = (query: Query, index: number) =>
  new DataqueryBuilder()
    .expr(query.expr)
    .legendFormat(query.legend)
    .refId(String.fromCharCode(65 + index));

export function timeseries(title: string, unit: string, queries: Query[], width = 12): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(prometheusDatasource)
    .span(width)
    .height(8);
  queries.forEach((query, index) => {
    panel.withTarget(target(query, index));
  });
  return panel;
}

export function stat(title: string, unit: string, queries: Query[], width = 6): StatPanelBuilder {
  const panel = new StatPanelBuilder().title(title).unit(unit).datasource(prometheusDatasource).span(width).height(5);
  queries.forEach((query, index) => {
    panel.withTarget(target(query, index));
  });
  return panel;
}

export type PanelBuilder = cog.Builder<unknown>;

import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { burnRateTiers, sloAlerting } from '@homelab/platform';
import { sloSeries } from '../slo-rules.ts';
import { datasourceVariable, serviceVariable, stat, timeseries } from './panels.ts';

const service = 'service="$service"';

/** SLOs and error budgets of one service, all read from the recording rules (one definition of each SLI). */
export function sloDashboard() {
  const burnRate = (window: string) => ({
    expr: `${sloSeries.errorRatio(window)}{${service}} / on (service, slo) ${sloSeries.errorBudget}{${service}}`,
    legend: `{{slo}} ${window}`,
  });
  const tierWindows = [...new Set(burnRateTiers.flatMap((t) => [t.shortWindow, t.longWindow]))];
  return new DashboardBuilder('Homelab / SLOs and error budgets')
    .uid('homelab-slo')
    .tags(['homelab', 'slo'])
    .refresh('1m')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withRow(new RowBuilder('Budget'))
    .withPanel(
      stat('Error budget remaining (30 d)', 'percentunit', [
        { expr: `${sloSeries.budgetRemaining}{${service}}`, legend: '{{slo}}' },
      ]),
    )
    .withPanel(stat('Objective', 'percentunit', [{ expr: `${sloSeries.objective}{${service}}`, legend: '{{slo}}' }]))
    .withPanel(
      stat('SLI over the period', 'percentunit', [
        { expr: `1 - ${sloSeries.errorRatio('30d')}{${service}}`, legend: '{{slo}}' },
      ]),
    )
    .withPanel(
      stat('Firing SLO alerts', 'none', [
        { expr: `count by (slo, tier) (ALERTS{${service},alertstate="firing"})`, legend: '{{slo}} {{tier}}' },
      ]),
    )
    .withPanel(
      timeseries('Error budget remaining', 'percentunit', [
        { expr: `${sloSeries.budgetRemaining}{${service}}`, legend: '{{slo}}' },
      ]),
    )
    .withPanel(timeseries('Burn rate (1 = spending exactly the budget)', 'none', tierWindows.map(burnRate)))
    .withRow(new RowBuilder('Traffic'))
    .withPanel(
      timeseries('Error ratio', 'percentunit', [
        { expr: `${sloSeries.errorRatio('5m')}{${service}}`, legend: '{{slo}} 5m' },
        { expr: `${sloSeries.errorRatio('1h')}{${service}}`, legend: '{{slo}} 1h' },
      ]),
    )
    .withPanel(
      timeseries('Requests counted by the SLI', 'reqps', [
        { expr: `${sloSeries.requestRate('5m')}{${service}}`, legend: '{{slo}}' },
        {
          expr: `${sloAlerting.lowTrafficMinRequests} / 300`,
          legend: 'low-traffic guard of the 5m window',
        },
      ]),
    );
}

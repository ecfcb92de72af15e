/** @jsxImportSource hono/jsx */
import { sloAlerting } from '@homelab/platform';
import type { PlatformStatus, SloStanding } from '../status/slo-status.ts';
import { Layout } from './layout.tsx';

const percent = (ratio: number, digits = 2) => `${(ratio * 100).toFixed(digits)} %`;
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Requests, whole and grouped; `≈` when Prometheus estimated them from samples. */
export const requestsText = ({ requests, estimated }: SloStanding): string =>
  `${estimated ? '≈ ' : ''}${count.format(requests)} ${requests === 1 ? 'request' : 'requests'}`;

/**
 * The budget left, never a bare negative percentage: an overspent budget says how far over it is, and a handful
 * of requests (fewer than the alerts' low-traffic guard) is too few to judge, as the alerts also hold.
 */
export function budgetText({ budgetLeft, requests }: SloStanding): string {
  if (budgetLeft === undefined) return '—';
  if (requests < sloAlerting.lowTrafficMinRequests) {
    return `too few requests to judge (fewer than ${sloAlerting.lowTrafficMinRequests})`;
  }
  if (budgetLeft < 0) return `exhausted: errors at ${(1 - budgetLeft).toFixed(1)}× the allowed share`;
  return percent(budgetLeft, 1);
}

function SloRow({ service, standing }: { service: string; standing: SloStanding }) {
  const { slo, errorRatio, budgetLeft } = standing;
  const state = budgetLeft === undefined ? 'idle' : budgetLeft < 0 ? 'spent' : budgetLeft < 0.25 ? 'low' : 'ok';
  return (
    <tr data-service={service} data-slo={slo.name} class={`budget-${state}`}>
      <th scope="row">{service}</th>
      <td>
        {slo.name}
        <br />
        <small>{slo.description}</small>
      </td>
      <td>{percent(slo.objective, 1)}</td>
      <td data-testid="error-ratio">{errorRatio === undefined ? 'no traffic' : percent(errorRatio, 3)}</td>
      <td data-testid="budget-left">{budgetText(standing)}</td>
      <td data-testid="requests">{requestsText(standing)}</td>
    </tr>
  );
}

export function StatusPage({ status, identity }: { status: PlatformStatus; identity?: string | undefined }) {
  const { canary } = status;
  return (
    <Layout title="Platform status" identity={identity}>
      <p>
        Source: <strong>{status.source}</strong>, window: {status.window}. Only requests that count for an SLO are shown
        (health probes and metric scrapes are not). Error ratio is the share of requests that missed the objective; the
        budget left is the share of the allowed misses (1 − objective) not yet used.
      </p>
      <section aria-labelledby="canary">
        <h2 id="canary">Canary</h2>
        <p data-testid="canary">
          {canary === undefined
            ? 'No canary configured.'
            : canary.inProgress
              ? `Canary in progress: ${canary.weight} % of API traffic${canary.version ? ` to version ${canary.version}` : ''}.`
              : 'No canary in progress (canary weight 0).'}
        </p>
      </section>
      <section aria-labelledby="slos">
        <h2 id="slos">Service level objectives</h2>
        <table>
          <caption class="visually-hidden">SLOs per service with current error ratio and error budget left</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">SLO</th>
              <th scope="col">Objective</th>
              <th scope="col">Error ratio</th>
              <th scope="col">Budget left</th>
              <th scope="col">Requests in the window</th>
            </tr>
          </thead>
          <tbody>
            {status.services.flatMap((s) =>
              s.reachable
                ? s.slos.map((standing) => <SloRow service={s.service} standing={standing} />)
                : [
                    <tr data-service={s.service} class="budget-unknown">
                      <th scope="row">{s.service}</th>
                      <td colspan={5}>metrics unreachable</td>
                    </tr>,
                  ],
            )}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

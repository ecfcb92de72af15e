/** @jsxImportSource hono/jsx */
import type { PlatformStatus, SloStanding } from '../status/slo-status.ts';
import { Layout } from './layout.tsx';

const percent = (ratio: number, digits = 2) => `${(ratio * 100).toFixed(digits)} %`;

function SloRow({ service, standing }: { service: string; standing: SloStanding }) {
  const { slo, errorRatio, budgetLeft, requests } = standing;
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
      <td data-testid="budget-left">{budgetLeft === undefined ? '—' : percent(budgetLeft, 1)}</td>
      <td>{requests}</td>
    </tr>
  );
}

export function StatusPage({ status, identity }: { status: PlatformStatus; identity?: string | undefined }) {
  const { canary } = status;
  return (
    <Layout title="Platform status" identity={identity}>
      <p>
        Source: <strong>{status.source}</strong>, window: {status.window}. Error ratio is the share of requests that
        missed the objective; the budget left is the share of the allowed misses (1 − objective) not yet used.
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
              <th scope="col">Requests</th>
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

/** @jsxImportSource hono/jsx */
import { evidenceChart, type RolloutResult, readHistory } from '@homelab/deploy-report';
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Sessions } from '../session.ts';
import { Layout } from '../views/layout.tsx';

/**
 * `GET /deploys`: the canary deploy history that `homelab deploy` keeps (JSON lines), newest first, each with
 * its outcome and the gate's evidence chart. The chart is SVG generated from numbers in the record (no user text
 * but the app name and image, which the chart escapes), inlined so the page needs no image route.
 */
export function deploysRoutes(options: { historyFile: string | undefined; sessions: Sessions }): Hono {
  return new Hono().get('/deploys', async (c) => {
    const history = options.historyFile ? readHistory(options.historyFile, 20) : [];
    const seconds = (r: RolloutResult) => Math.round(r.timeline.at(-1)?.at ?? 0);
    return c.html(
      <Layout title="Deploys" identity={await options.sessions.identity(c)}>
        <h1>Deploys</h1>
        {history.length === 0 ? (
          <p>No canary deploy recorded yet{options.historyFile ? '' : ' (no history file configured)'}.</p>
        ) : (
          history.map((r) => (
            <section aria-label={`deploy ${r.id}`} data-testid="deploy">
              <h2>
                {r.app} <code>{r.image}</code>:{' '}
                {r.outcome === 'promoted'
                  ? 'promoted'
                  : r.outcome === 'held'
                    ? `held for the operator (${r.reason ?? 'no verdict'})`
                    : `rolled back (${r.reason ?? 'unknown'})`}{' '}
                after {seconds(r)} s
              </h2>
              <p>
                {r.finishedAt}: {r.detail}
              </p>
              {raw(evidenceChart(r))}
            </section>
          ))
        )}
      </Layout>,
    );
  });
}

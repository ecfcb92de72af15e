import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AppName, appNames } from '@homelab/platform';
import { z } from 'zod';
import type { RolloutRecord, TrafficDriver } from './traffic-driver.ts';

export interface LocalDriverOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:3001 */
  readonly gatewayUrl: string;
  readonly adminToken: string;
  /** The gateway route whose upstreams are weighted (`notes`, the API's route). */
  readonly route: string;
  /** Where the rollout record lives: the gateway keeps weights, not annotations. */
  readonly stateFile: string;
}

const recordSchema = z.object({
  id: z.string(),
  app: z.enum(appNames as [AppName, ...AppName[]]),
  image: z.string(),
  previousImage: z.string().optional(),
  startedAt: z.string(),
  phase: z.enum(['running', 'promoting', 'rolling-back', 'promoted', 'rolled-back']),
  weight: z.number(),
});

/**
 * The local platform's canary: the gateway's `PUT /admin/upstreams/<route>` (requests in flight keep the
 * upstream they picked, so a shift drops nothing). Locally the canary is a second process started by
 * `homelab up --canary`, so "image" is a label: promotion returns the weights to stable and records the outcome.
 */
export function localDriver(options: LocalDriverOptions): TrafficDriver {
  const write = (record: RolloutRecord) => {
    mkdirSync(dirname(options.stateFile), { recursive: true });
    // Write then rename: a gate killed mid-write leaves the old record, never half a file.
    writeFileSync(`${options.stateFile}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${options.stateFile}.tmp`, options.stateFile);
  };
  const setWeights = async (canaryWeight: number) => {
    const response = await fetch(new URL(`/admin/upstreams/${options.route}`, options.gatewayUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ weights: { stable: 100 - canaryWeight, canary: canaryWeight } }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) {
      throw new Error(`gateway weights: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    }
  };
  return {
    description: `gateway ${options.gatewayUrl} route ${options.route}`,
    async recorded(app: AppName) {
      if (!existsSync(options.stateFile)) return undefined;
      const parsed = recordSchema.safeParse(JSON.parse(readFileSync(options.stateFile, 'utf8')));
      if (!parsed.success) throw new Error(`${options.stateFile}: not a rollout record (${parsed.error.message})`);
      return parsed.data.app === app ? (parsed.data as RolloutRecord) : undefined;
    },
    async start(record) {
      write(record);
      await setWeights(0);
    },
    async setWeight(record, weight) {
      // Record first: a crash between the two leaves a record that says more than happened, which a re-run
      // reverts anyway; the other order could leave traffic on the canary with no record of it.
      write({ ...record, weight });
      await setWeights(weight);
    },
    async promote(record) {
      write({ ...record, phase: 'promoting' });
      await setWeights(0);
      write({ ...record, phase: 'promoted', weight: 0 });
    },
    async rollback(record) {
      write({ ...record, phase: 'rolling-back' });
      await setWeights(0);
      write({ ...record, phase: 'rolled-back', weight: 0 });
    },
  };
}

/**
 * One live end-to-end run at homelab traffic (issue 18): real processes (`homelab up --canary-weight 0
 * --prometheus`: api, api-canary, gateway, web, Debian's Prometheus), real user load at 2 req/s from autocannon,
 * and `homelab deploy api --local --prometheus --synthetic`, so the gate's power plan asks for and starts its tagged
 * synthetic load. Two cases: a healthy canary (must promote) and 5 % injected errors on the canary (must roll back).
 * Then Prometheus is asked whether the synthetic requests were labelled apart from the users'.
 *   node packages/canary-gate/scripts/live-low-traffic.ts [--rps 2]
 * Takes several minutes (the plan expects about 4 min per healthy decision), so it is a script, not a CI test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RolloutResult } from '@homelab/deploy-report';
import { localPorts } from '@homelab/local-platform';
import { canaryGate } from '@homelab/platform';
import { startLoad } from '../src/load/autocannon-load.ts';

const { values } = parseArgs({ options: { rps: { type: 'string' } } });
const rps = Number(values.rps ?? 2);
const main = resolve(import.meta.dirname, '../../../tools/cli/src/main.ts');
const portOffset = 23_000 + Math.floor(Math.random() * 200) * 20;
const dataDir = mkdtempSync(join(tmpdir(), 'homelab-live-gate-'));
const children: ChildProcess[] = [];
const loopback = (port: number) => `http://127.0.0.1:${port}`;
// The ports `homelab up --port-offset` uses (@homelab/local-platform).
let gatewayPort = 0;
let canaryPort = 0;
let prometheusPort = 0;

function run(args: string[]) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output: string[] = [];
  const onData = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.some((l) => pattern.test(l))) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${output.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${output.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { child, output, exited, waitFor };
}

const teardown = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('SIGINT', () => {
  teardown();
  process.exit(130);
});

async function main_() {
  const ports = localPorts(portOffset);
  gatewayPort = ports.gateway;
  canaryPort = ports.canaryApi;
  prometheusPort = ports.prometheus;
  const up = run([
    'up',
    '--canary-weight',
    '0',
    '--prometheus',
    '--data-dir',
    dataDir,
    '--port-offset',
    String(portOffset),
    '--no-color',
  ]);
  await up.waitFor(/\| ready$/, 180_000);
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
    demoApiKey: string;
    adminToken: string;
  };
  const faults = async (settings: Record<string, number>) => {
    const res = await fetch(`${loopback(canaryPort)}/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    if (res.status !== 200) throw new Error(`faults: HTTP ${res.status}`);
  };
  const rows: string[] = [];
  for (const [name, errorRatio, expected] of [
    ['healthy', 0, 'promoted'],
    ['5 % errors', 0.05, 'rolled-back'],
  ] as const) {
    await faults(errorRatio > 0 ? { errorRatio } : {});
    const users = startLoad(
      { name: 'smoke', rps, durationSeconds: 1800, connections: 2, path: '/v1/notes' },
      { baseUrl: loopback(gatewayPort), headers: { 'x-api-key': secrets.demoApiKey } },
    );
    const started = Date.now();
    const deploy = run([
      'deploy',
      'api',
      '--local',
      '--prometheus',
      '--synthetic',
      '--data-dir',
      dataDir,
      '--port-offset',
      String(portOffset),
    ]);
    const code = await deploy.exited;
    users.stop();
    const userLoad = await users.done;
    const line = deploy.output.find((l) => l.trim().startsWith('record '));
    if (!line) throw new Error(`no record:\n${deploy.output.slice(-30).join('\n')}`);
    const result = JSON.parse(readFileSync(line.trim().slice('record '.length), 'utf8')) as RolloutResult;
    const last = result.timeline.at(-1);
    const ok = result.outcome === expected;
    rows.push(
      `| ${name} | ${rps} | ${result.outcome}${result.reason ? ` (${result.reason})` : ''} | ${ok ? 'as expected' : `EXPECTED ${expected}`} | ` +
        `${last?.at ?? 0} s (+${canaryGate.baselineSeconds} s baseline; wall ${Math.round((Date.now() - started) / 1000)} s) | ` +
        `${last?.canary.requests ?? 0} | ${last?.stable.requests ?? 0} | ${userLoad.requests} user requests, ${userLoad.non2xx} non-2xx | ${result.plan ?? '-'} |`,
    );
    console.log(`${name}: exit ${code}, ${result.outcome}: ${result.detail}`);
  }
  await faults({});
  // Was the synthetic load labelled apart from the users' all the way through the gateway to the API?
  const query = async (q: string) => {
    const res = await fetch(`${loopback(prometheusPort)}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return Number(body.data.result[0]?.value[1] ?? 0);
  };
  const synthetic = await query(
    `sum(http_requests_total{job="api",${canaryGate.synthetic.label}="${canaryGate.synthetic.labelValue}"})`,
  );
  const users = await query(
    `sum(http_requests_total{job="api",${canaryGate.synthetic.label}!="${canaryGate.synthetic.labelValue}",route="/v1/notes"})`,
  );
  console.log(
    `\n| canary | user req/s | outcome | verdict | decision time | canary requests | stable requests | user load | plan |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}`,
  );
  console.log(`\nPrometheus: api requests labelled synthetic ${synthetic}, user requests on /v1/notes ${users}`);
  if (!(synthetic > 0)) throw new Error('no synthetic-labelled requests reached the API');
}

main_()
  .catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  })
  .finally(async () => {
    teardown();
    await new Promise((r) => setTimeout(r, 3000));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

import { availability, latency, type SloSpec } from './slos.ts';

export type AppName = 'web' | 'api' | 'gateway';

/**
 * Kubernetes resource quantities for one container, as strings the API server accepts. There is no CPU limit on
 * purpose: CFS throttling adds tail latency to a latency-SLO service while the node has idle CPU; the memory
 * limit and the HPA bound the blast radius instead.
 */
export interface Resources {
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly ephemeralStorage: string;
}

export interface AppSpec {
  readonly name: AppName;
  readonly description: string;
  /** The port the process listens on, locally and in its container. */
  readonly port: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly resources: Resources;
  readonly slos: readonly SloSpec[];
  /** Average CPU utilisation (of the request) the HPA aims for. */
  readonly targetCpuUtilization: number;
}

/**
 * The three services. Ports are the local defaults and the container ports; the cluster exposes them behind
 * Services and Envoy Gateway, never directly.
 */
export const apps = {
  web: {
    name: 'web',
    description: 'Server-rendered notes UI and status page',
    port: 3000,
    replicas: { min: 2, max: 4 },
    resources: { cpuRequest: '50m', memoryRequest: '96Mi', memoryLimit: '192Mi', ephemeralStorage: '64Mi' },
    slos: [
      availability(0.999, '99.9 % of page loads answer without a server error'),
      latency(0.99, 0.5, '99 % of page loads complete within 500 ms'),
    ],
    targetCpuUtilization: 70,
  },
  gateway: {
    name: 'gateway',
    description: 'API gateway: authentication, rate limits, timeouts, weighted upstreams',
    port: 3001,
    replicas: { min: 2, max: 4 },
    resources: { cpuRequest: '50m', memoryRequest: '96Mi', memoryLimit: '192Mi', ephemeralStorage: '64Mi' },
    slos: [
      availability(0.999, '99.9 % of API calls through the gateway answer without a server error'),
      latency(0.99, 0.3, '99 % of API calls through the gateway complete within 300 ms'),
    ],
    targetCpuUtilization: 70,
  },
  api: {
    name: 'api',
    description: 'Notes API on PostgreSQL with a Redis read cache',
    port: 3002,
    replicas: { min: 2, max: 4 },
    resources: { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '256Mi', ephemeralStorage: '64Mi' },
    slos: [
      availability(0.999, '99.9 % of notes API requests answer without a server error'),
      latency(0.99, 0.25, '99 % of notes API requests complete within 250 ms'),
    ],
    targetCpuUtilization: 70,
  },
} as const satisfies Record<AppName, AppSpec>;

export const appNames = Object.keys(apps) as AppName[];

import { apps, canary, certificates, edge, http, shutdown } from '@homelab/platform';
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { runbooksExist } from '../../test/cross-references.ts';
import { validateAll } from '../../test/schema-validation.ts';
import { AcmeIssuer } from './acme-issuer.ts';
import { AppWorkload } from './app-workload.ts';
import { exemptionAnnotations } from './exemptions.ts';
import { Gateways } from './gateways.ts';
import { GrafanaDashboards } from './grafana-dashboards.ts';
import { PrometheusRules } from './prometheus-rules.ts';
import { WeightedRoute } from './weighted-route.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized objects are untyped JSON.
const objectsOf = (chart: Chart): any[] => Testing.synth(chart);
const chart = () => new Chart(new App(), 'test', { namespace: 'homelab-apps' });

describe('AppWorkload', () => {
  it('refuses fewer than two replicas, naming the app', () => {
    expect(
      () =>
        new AppWorkload(chart(), 'w', {
          app: { ...apps.web, replicas: { min: 1, max: 2 } },
          image: 'x:1',
          config: {},
        }),
    ).toThrow(/app web: min replicas 1 < 2/);
  });

  it('gives the stable track no replicas (HPA-owned), the canary zero, and a grace period covering the drain', () => {
    const c = chart();
    new AppWorkload(c, 'api', { app: apps.api, image: 'x:1', config: {} });
    const deployments = objectsOf(c).filter((o) => o.kind === 'Deployment');
    const stable = deployments.find((d) => d.metadata.name === 'api');
    const canaryDeployment = deployments.find((d) => d.metadata.name === `api${canary.suffix}`);
    expect(stable.spec.replicas).toBeUndefined();
    expect(canaryDeployment.spec.replicas).toBe(0);
    // A canary that never gets Ready is declared stuck within the deadline (the gate then rolls it back at once);
    // the stable track keeps the default, its rollouts are promotions the gate waits for.
    expect(canaryDeployment.spec.progressDeadlineSeconds).toBe(canary.progressDeadlineSeconds);
    expect(canary.progressDeadlineSeconds).toBeLessThan(600);
    expect(stable.spec.progressDeadlineSeconds).toBeUndefined();
    const pod = stable.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(shutdown.preStopSeconds + shutdown.drainSeconds);
    expect(pod.containers[0].lifecycle.preStop.sleep.seconds).toBe(shutdown.preStopSeconds);
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe(http.paths.readiness);
    expect(pod.containers[0].livenessProbe.httpGet.path).toBe(http.paths.liveness);
    const hpa = objectsOf(c).find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(apps.api.replicas.min);
    expect(hpa.spec.metrics.map((m: { resource: { name: string } }) => m.resource.name)).toEqual(['cpu', 'memory']);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(0);
  });
});

describe('WeightedRoute', () => {
  const setup = (weight?: number) => {
    const c = chart();
    const workload = new AppWorkload(c, 'api', { app: apps.api, image: 'x:1', config: {} });
    const listener = { gatewayName: 'internal', namespace: 'homelab-edge', sectionName: 'http' };
    new WeightedRoute(c, 'route', { workload, listener, ...(weight === undefined ? {} : { canaryWeight: weight }) });
    return objectsOf(c);
  };

  it('puts stable and canary behind one route with the configured canary weight (0 by default)', () => {
    const route = setup().find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'api', port: apps.api.port, weight: 100 },
      { name: 'api-canary', port: apps.api.port, weight: canary.weightPercent.api },
    ]);
    const shifted = setup(25).find((o) => o.kind === 'HTTPRoute');
    expect(shifted.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight)).toEqual([75, 25]);
  });

  it('refuses a weight that is not a percentage', () => {
    expect(() => setup(101)).toThrow(/canary weight 101/);
  });

  it('retries only requests that never reached a pod, and idles upstream sockets before Node closes them', () => {
    const policy = setup().find((o) => o.kind === 'BackendTrafficPolicy');
    expect(policy.spec.retry.retryOn.triggers).toEqual(['connect-failure', 'refused-stream']);
    const idleSeconds = Number.parseInt(policy.spec.timeout.http.connectionIdleTimeout, 10);
    expect(idleSeconds * 1000).toBeLessThan(http.keepAlive.serverKeepAliveTimeoutMs);
    const route = setup().find((o) => o.kind === 'HTTPRoute');
    expect(Number.parseInt(route.spec.rules[0].timeouts.request, 10) * 1000).toBeGreaterThan(http.requestTimeoutMs);
  });
});

describe('Gateways', () => {
  it('keeps the internal Gateway ClusterIP-only and the public one on the rotated ECDSA certificate', () => {
    const c = new Chart(new App(), 'edge', { namespace: 'homelab-edge' });
    new Gateways(c, 'g', { gatewayClassName: 'homelab' });
    const objects = objectsOf(c);
    const internalProxy = objects.find((o) => o.kind === 'EnvoyProxy' && o.metadata.name === edge.internal.name);
    expect(internalProxy.spec.provider.kubernetes.envoyService.type).toBe('ClusterIP');
    const cert = objects.find((o) => o.kind === 'Certificate');
    expect(cert.spec).toMatchObject({
      duration: certificates.leafDuration,
      renewBefore: certificates.leafRenewBefore,
      privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Always' },
    });
    const gw = objects.find((o) => o.kind === 'Gateway' && o.metadata.name === edge.public.name);
    expect(gw.spec.listeners.map((l: { protocol: string }) => l.protocol)).toEqual(['HTTP', 'HTTPS']);
    const redirect = objects.find((o) => o.kind === 'HTTPRoute');
    expect(redirect.spec.rules[0].filters[0].requestRedirect.scheme).toBe('https');
  });
});

describe('AcmeIssuer', () => {
  it('starts on the staging server and validates', () => {
    const c = new Chart(new App(), 'cluster');
    new AcmeIssuer(c, 'acme', { email: 'ops@example.org', dnsZone: 'example.org', cloudflareTokenSecret: 'cf' });
    const objects = objectsOf(c);
    expect(objects[0].spec.acme.server).toMatch(/staging/);
    expect(validateAll(objects)).toEqual([]);
  });

  it('refuses a home-network domain no public CA can validate', () => {
    const c = new Chart(new App(), 'cluster');
    expect(
      () => new AcmeIssuer(c, 'acme', { email: 'a@b.c', dnsZone: 'homelab.home.arpa', cloudflareTokenSecret: 'cf' }),
    ).toThrow(/home-network name/);
  });
});

describe('PrometheusRules and GrafanaDashboards', () => {
  const rules = (runbook: string) => [
    {
      name: 'api-slo',
      groups: [
        {
          name: 'api',
          rules: [
            { record: 'x:ratio', expr: 'vector(1)' },
            {
              alert: 'ApiErrorBudgetBurn',
              expr: 'vector(1)',
              for: '5m',
              labels: { severity: 'page' },
              annotations: { summary: 's', description: 'd', runbook_url: runbook },
            },
          ],
        },
      ],
    },
  ];

  it('carries the observability rules as valid PrometheusRules whose runbooks must exist', () => {
    const c = new Chart(new App(), 'monitoring', { namespace: 'monitoring' });
    new PrometheusRules(c, 'rules', {
      ruleFiles: rules('https://github.com/homelab-platform/homelab/blob/main/runbooks/api/NoSuchAlert.md'),
    });
    const objects = objectsOf(c);
    expect(validateAll(objects)).toEqual([]);
    expect(runbooksExist(objects)).toEqual([
      'PrometheusRule/monitoring/api-slo: alert ApiErrorBudgetBurn runbook runbooks/api/NoSuchAlert.md does not exist',
    ]);
  });

  it('refuses two rule files with one name', () => {
    const c = new Chart(new App(), 'monitoring', { namespace: 'monitoring' });
    const twice = [...rules('u'), ...rules('u')];
    expect(() => new PrometheusRules(c, 'rules', { ruleFiles: twice })).toThrow(/defined twice/);
  });

  it('labels dashboards for the Grafana sidecar', () => {
    const c = new Chart(new App(), 'monitoring', { namespace: 'monitoring' });
    new GrafanaDashboards(c, 'd', { dashboards: [{ uid: 'api-slo', title: 'API', json: { panels: [] } }] });
    const [cm] = objectsOf(c);
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data['api-slo.json'])).toEqual({ panels: [] });
  });
});

describe('exemptionAnnotations', () => {
  it('writes each checker its own annotation and refuses an exemption without a real reason', () => {
    const annotations = exemptionAnnotations({
      kubeScore: ['b-check', 'a-check'],
      checkov: ['CKV_K8S_1'],
      reason: 'a reason long enough to be read',
    });
    expect(annotations['kube-score/ignore']).toBe('a-check,b-check');
    expect(annotations['checkov.io/skip1']).toBe('CKV_K8S_1=a reason long enough to be read');
    expect(() => exemptionAnnotations({ kubeScore: ['x'], reason: 'because' })).toThrow(/too short/);
  });
});

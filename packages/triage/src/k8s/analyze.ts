import type { Finding } from '../finding.ts';
import { analyzeCertificates, analyzeGatewayApi } from './custom.ts';
import { analyzeDeployments } from './deployments.ts';
import { analyzeEndpoints } from './endpoints.ts';
import type { ClusterFacts } from './facts.ts';
import { analyzeHpas } from './hpas.ts';
import { analyzeNodes } from './nodes.ts';
import { analyzePods } from './pods.ts';
import { analyzePvcs } from './storage.ts';

/** `homelab triage k8s`: every workload-level analyzer, nodes first (a bad node explains much below it). */
export const analyzeCluster = (facts: ClusterFacts): Finding[] => [
  ...analyzeNodes(facts.nodes),
  ...analyzePods(facts.pods, facts.events),
  ...analyzeDeployments(facts.deployments, facts.events),
  ...analyzePvcs(facts.pvcs, facts.events),
  ...analyzeHpas(facts.hpas),
  ...analyzeCertificates(facts.certificates),
  ...analyzeGatewayApi(facts.gateways, facts.httpRoutes),
];

/** `homelab triage endpoints`. */
export const analyzeServiceEndpoints = (facts: ClusterFacts): Finding[] =>
  analyzeEndpoints(facts.services, facts.endpointSlices, facts.pods);

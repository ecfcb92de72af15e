import { Certificate, ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { Gateway, GatewayClass, HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import {
  PodMonitor,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { type K8sObject, objectId } from '../src/manifests.ts';
import { checkAgainst, envoyGatewaySchemas } from './envoy-gateway-schemas.ts';
import { unknownFields } from './strict-schema.ts';

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

/** Every kind the platform synthesizes, with the model that holds its schema. */
const models: readonly ModelClass[] = [
  Namespace,
  ServiceAccount,
  ConfigMap,
  Service,
  PersistentVolumeClaim,
  Deployment,
  StatefulSet,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  Job,
  CronJob,
  NetworkPolicy,
  Role,
  RoleBinding,
  GatewayClass,
  Gateway,
  HTTPRoute,
  ClusterIssuer,
  Certificate,
  PodMonitor,
  ServiceMonitor,
  PrometheusRule,
] as unknown as ModelClass[];

const registry = new Map(models.map((m) => [`${m.apiVersion}/${m.kind}`, m]));
const envoyGatewayApiVersion = 'gateway.envoyproxy.io/v1alpha1';
const metadataFields = new Set(['name', 'namespace', 'labels', 'annotations']);

/**
 * Validates one object against the schema of its kind and rejects fields the schema does not name. Returns the
 * problems, each prefixed with the object's id; an empty list means valid.
 */
export const validateObject = (object: K8sObject): string[] => {
  const id = objectId(object);
  if (object.apiVersion === envoyGatewayApiVersion) {
    const schema = envoyGatewaySchemas[object.kind];
    if (!schema) return [`${id}: no schema for ${object.apiVersion} ${object.kind}`];
    const { apiVersion: _a, kind: _k, metadata, spec, ...rest } = object;
    const problems = Object.keys(rest).map((k) => `${k}: unknown field`);
    problems.push(
      ...Object.keys(metadata ?? {})
        .filter((k) => !metadataFields.has(k))
        .map((k) => `metadata.${k}: unknown field`),
    );
    problems.push(...checkAgainst(schema, spec, 'spec'));
    return problems.map((p) => `${id}: ${p}`);
  }
  const model = registry.get(`${object.apiVersion}/${object.kind}`);
  if (!model) return [`${id}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    return unknownFields(object, (tracked) => model.prototype.validate.call(tracked)).map(
      (path) => `${id}: ${path}: unknown field`,
    );
  } catch (error) {
    return [`${id}: ${(error as Error).message}`];
  }
};

export const validateAll = (objects: readonly K8sObject[]): string[] => objects.flatMap(validateObject);

import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** What every typed model from `kubernetes-models` / `@kubernetes-models/*` offers. */
export interface TypedModel {
  toJSON(): unknown;
  validate(): void;
}

/**
 * Adds one Kubernetes object built from a typed model. The model gives compile-time field checking and
 * schema validation at synth time (an invalid object throws here, naming the field), and cdk8s owns naming,
 * namespaces and output files.
 */
export const addObject = (scope: Construct, id: string, model: TypedModel): ApiObject => {
  model.validate();
  const json = model.toJSON() as { apiVersion: string; kind: string; [key: string]: unknown };
  return new ApiObject(scope, id, json);
};

/**
 * Adds a custom resource that has no typed model on npm (Envoy Gateway's CRDs). Its fields are checked by the
 * hand-written schemas in test/envoy-gateway-schemas.ts instead.
 */
export const addUntypedObject = (
  scope: Construct,
  id: string,
  json: { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown },
): ApiObject => new ApiObject(scope, id, json);

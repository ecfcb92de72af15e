import { PodSecurityContext, ResourceRequirements, SecurityContext } from 'kubernetes-models/v1';

/**
 * Envoy Gateway's CRDs have no typed model on npm, so the fields this project uses are written down here, from
 * the gateway.envoyproxy.io/v1alpha1 API reference of the pinned release. Anything else is an unknown field.
 * Nested core types are checked with their `kubernetes-models` validators.
 */
export type FieldSchema =
  | { readonly leaf: 'string' | 'number' | 'boolean'; readonly oneOf?: readonly (string | number)[] }
  | { readonly fields: Readonly<Record<string, FieldSchema>>; readonly required?: readonly string[] }
  | { readonly list: FieldSchema }
  | { readonly model: { prototype: { validate(): void } } };

const str = (...oneOf: string[]): FieldSchema => (oneOf.length ? { leaf: 'string', oneOf } : { leaf: 'string' });
const num: FieldSchema = { leaf: 'number' };
const duration: FieldSchema = { leaf: 'string' };
const fields = (f: Record<string, FieldSchema>, required: string[] = []): FieldSchema => ({ fields: f, required });

const targetRef = fields({ group: str(), kind: str(), name: str(), sectionName: str() }, ['group', 'kind', 'name']);

export const envoyGatewaySchemas: Record<string, FieldSchema> = {
  EnvoyProxy: fields({
    provider: fields(
      {
        type: str('Kubernetes', 'Custom'),
        kubernetes: fields({
          envoyDeployment: fields({
            replicas: num,
            pod: fields({ securityContext: { model: PodSecurityContext } }),
            container: fields({
              resources: { model: ResourceRequirements },
              securityContext: { model: SecurityContext },
            }),
          }),
          envoyService: fields({
            name: str(),
            type: str('ClusterIP', 'LoadBalancer', 'NodePort'),
            externalTrafficPolicy: str('Local', 'Cluster'),
          }),
        }),
      },
      ['type'],
    ),
    shutdown: fields({ drainTimeout: duration, minDrainDuration: duration }),
  }),
  BackendTrafficPolicy: fields(
    {
      targetRefs: { list: targetRef },
      retry: fields({
        numRetries: num,
        retryOn: fields({
          triggers: {
            // TriggerEnum of api/v1alpha1/retry_types.go.
            list: str(
              '5xx',
              'gateway-error',
              'reset',
              'connect-failure',
              'retriable-4xx',
              'refused-stream',
              'retriable-status-codes',
              'cancelled',
              'deadline-exceeded',
              'internal',
              'resource-exhausted',
              'unavailable',
            ),
          },
          httpStatusCodes: { list: num },
        }),
        perRetry: fields({ timeout: duration, backOff: fields({ baseInterval: duration, maxInterval: duration }) }),
      }),
      timeout: fields({
        tcp: fields({ connectTimeout: duration }),
        http: fields({ connectionIdleTimeout: duration, maxConnectionDuration: duration }),
      }),
    },
    ['targetRefs'],
  ),
};

/** Problems of `value` against `schema` at `path`: unknown fields, wrong types, missing required fields. */
export const checkAgainst = (schema: FieldSchema, value: unknown, path: string): string[] => {
  if ('leaf' in schema) {
    if (typeof value !== schema.leaf) return [`${path}: expected ${schema.leaf}, got ${typeof value}`];
    if (schema.oneOf && !schema.oneOf.includes(value as string | number)) {
      return [`${path}: ${String(value)} is not one of ${schema.oneOf.join(', ')}`];
    }
    return [];
  }
  if ('list' in schema) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, i) => checkAgainst(schema.list, item, `${path}[${i}]`));
  }
  if ('model' in schema) {
    try {
      schema.model.prototype.validate.call(value);
      return [];
    } catch (error) {
      return [`${path}: ${(error as Error).message}`];
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
  const record = value as Record<string, unknown>;
  const problems = (schema.required ?? []).filter((k) => record[k] === undefined).map((k) => `${path}.${k}: required`);
  for (const [key, child] of Object.entries(record)) {
    const childSchema = schema.fields[key];
    if (!childSchema) problems.push(`${path}.${key}: unknown field`);
    else problems.push(...checkAgainst(childSchema, child, `${path}.${key}`));
  }
  return problems;
};

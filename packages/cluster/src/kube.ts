import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { loadKubeConfig } from './kubeconfig-choice.ts';

/** A Kubernetes object as sent to the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  // biome-ignore lint/suspicious/noExplicitAny: objects are JSON the server validates; callers narrow what they read.
  [field: string]: any;
}

/** Who a request acts as, through the API server's impersonation headers (the admin credential may impersonate). */
export interface Identity {
  readonly user: string;
  readonly groups?: readonly string[];
}

export const serviceAccountIdentity = (namespace: string, name: string): Identity => ({
  user: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
});

export interface KubeResponse {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON body
  readonly body: any;
  /** The API server's `Warning` headers (deprecations, unknown fields under `Warn` validation, Pod Security). */
  readonly warnings: string[];
}

export class KubeError extends Error {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a metav1.Status
  readonly body: any;
  // biome-ignore lint/suspicious/noExplicitAny: a metav1.Status
  constructor(status: number, body: any, what: string) {
    super(`${what}: ${status} ${body?.reason ?? ''} ${body?.message ?? JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

/**
 * The API server through raw JSON requests, for what the typed client cannot express faithfully: server-side apply
 * of the bytes we synthesized (client-node's object API re-serializes known kinds through its models, which drops
 * unknown fields before the server could refuse them), `fieldValidation=Strict`, the `Warning` headers, and
 * impersonation. The credentials come from the kubeconfig through @kubernetes/client-node.
 */
export class Kube {
  readonly config: KubeConfig;
  private readonly server: string;
  private readonly agent: Agent;
  /** The kubeconfig user's `Authorization` header (a bearer token), when its credential is not a client cert. */
  private readonly authorization: string | undefined;
  private readonly resources = new Map<string, Resource>();

  private constructor(config: KubeConfig, server: string, agent: Agent, authorization: string | undefined) {
    this.config = config;
    this.server = server;
    this.agent = agent;
    this.authorization = authorization;
  }

  static async fromFile(kubeconfigPath: string): Promise<Kube> {
    const config = loadKubeConfig({ kubeconfig: kubeconfigPath });
    if (!config.getCurrentCluster()) throw new Error(`${kubeconfigPath} names no current cluster`);
    return Kube.fromConfig(config);
  }

  /**
   * The raw client of a loaded kubeconfig (the client set's `openRaw()`); `close()` it when done. A token (the
   * deployer's TokenRequest token, an exec plugin's) is read once here: a raw client lives for one run.
   */
  static async fromConfig(config: KubeConfig): Promise<Kube> {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    const tls: { ca?: unknown; cert?: unknown; key?: unknown; headers?: Record<string, unknown> } = {};
    await config.applyToHTTPSOptions(tls as never);
    const agent = new Agent({
      connect: { ca: tls.ca as string, cert: tls.cert as string, key: tls.key as string },
      pipelining: 0,
    });
    const authorization = tls.headers?.Authorization;
    return new Kube(config, cluster.server, agent, typeof authorization === 'string' ? authorization : undefined);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; as?: Identity; query?: Record<string, string> } = {},
  ): Promise<KubeResponse> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string | string[]> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.as) {
      headers['impersonate-user'] = options.as.user;
      if (options.as.groups?.length) headers['impersonate-group'] = [...options.as.groups];
    }
    const res = await request(url, {
      method: method as 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      dispatcher: this.agent,
    });
    const text = await res.body.text();
    const raw = res.headers.warning;
    const warnings = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((w) =>
      w.replace(/^299 - "?|"$/g, ''),
    );
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. /readyz): keep the text
    }
    return { status: res.statusCode, body, warnings };
  }

  /** Like `request`, but a status >= 400 throws a KubeError naming `what`. */
  async call(method: string, path: string, options: Parameters<Kube['request']>[2] = {}): Promise<KubeResponse> {
    const res = await this.request(method, path, options);
    if (res.status >= 400) throw new KubeError(res.status, res.body, `${method} ${path}`);
    return res;
  }

  /** Whether the API server serves the kind (a CRD's kinds only once it is installed). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      await this.resourceOf(apiVersion, kind);
      return true;
    } catch {
      return false;
    }
  }

  /** Finds the REST resource of a kind through discovery (cached; `forget()` after installing CRDs). */
  async resourceOf(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    const cached = this.resources.get(key);
    if (cached) return cached;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = (await this.call('GET', base)).body as {
      resources: { name: string; kind: string; namespaced: boolean }[];
    };
    for (const r of list.resources) {
      if (!r.name.includes('/'))
        this.resources.set(`${apiVersion}/${r.kind}`, { name: r.name, namespaced: r.namespaced });
    }
    const found = this.resources.get(key);
    if (!found) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return found;
  }

  forget(): void {
    this.resources.clear();
  }

  /** The URL path of an object (or of its collection when `name` is omitted). */
  async pathOf(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const r = await this.resourceOf(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    return `${base}${ns}/${r.name}${name ? `/${name}` : ''}`;
  }

  /**
   * Server-side apply with strict field validation (an unknown or duplicate field is an error, not a warning).
   * Returns the server's answer without throwing, so callers can assert on refusals and warnings.
   */
  async apply(
    object: KubeObject,
    options: { dryRun?: boolean; as?: Identity; fieldManager?: string; subresource?: 'status' } = {},
  ): Promise<KubeResponse> {
    const base = await this.pathOf(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
    const path = options.subresource ? `${base}/${options.subresource}` : base;
    const query: Record<string, string> = {
      fieldManager: options.fieldManager ?? 'homelab',
      fieldValidation: 'Strict',
      force: 'true',
    };
    if (options.dryRun) query.dryRun = 'All';
    return this.request('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query,
      ...(options.as ? { as: options.as } : {}),
    });
  }

  /** Applies and throws on a refusal or on any warning. */
  async applyOrThrow(object: KubeObject, options: Parameters<Kube['apply']>[1] = {}): Promise<KubeObject> {
    const res = await this.apply(object, options);
    const id = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (res.status >= 400) throw new KubeError(res.status, res.body, `apply ${id}`);
    if (res.warnings.length) throw new Error(`apply ${id}: warnings: ${res.warnings.join('; ')}`);
    return res.body as KubeObject;
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const path = await this.pathOf(apiVersion, kind, namespace);
    // A namespaced kind listed without a namespace: across all namespaces.
    const p = namespace === undefined ? path.replace(/\/namespaces\/default\//, '/') : path;
    const res = await this.call('GET', p, labelSelector ? { query: { labelSelector } } : {});
    return res.body.items as KubeObject[];
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const res = await this.request('GET', await this.pathOf(apiVersion, kind, namespace, name));
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw new KubeError(res.status, res.body, `get ${kind} ${name}`);
    return res.body as KubeObject;
  }
}

/** `waitFor` ran out of time (the message names what was awaited and the last error). */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `check` until it returns a value other than undefined; the error names what was awaited and the last state.
 * An error from `check` is retried (the last one is in the timeout's message) unless `rethrow` is set: then it ends
 * the wait at once, for callers to whom a failed read is an answer (a refused credential will not heal by waiting).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  {
    timeoutMs = 45_000,
    intervalMs = 250,
    rethrow = false,
  }: { timeoutMs?: number; intervalMs?: number; rethrow?: boolean } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (rethrow) throw error;
      last = error;
    }
    if (Date.now() > deadline)
      throw new WaitTimeoutError(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

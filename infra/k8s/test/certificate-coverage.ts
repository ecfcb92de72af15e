import { type K8sObject, objectId } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';
import { namespaceLabels } from './pods.ts';
import { selects } from './selectors.ts';

/** Whether a certificate name (`*.example.org` covers exactly one label) covers a hostname. */
export const dnsNameCovers = (dnsName: string, hostname: string): boolean => {
  const name = dnsName.toLowerCase();
  const host = hostname.toLowerCase();
  if (!name.startsWith('*.')) return name === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === name.slice(2);
};

interface Listener {
  name: string;
  hostname?: string;
  protocol: string;
  allowedRoutes?: { namespaces?: { from?: string; selector?: { matchLabels?: Record<string, string> } } };
  tls?: { certificateRefs?: { name: string; namespace?: string; kind?: string }[] };
}

/** Whether a listener admits routes from `routeNamespace` (Gateway API: `Same` is the default). */
const admits = (gateway: K8sObject, listener: Listener, routeNamespace: string): boolean => {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === gateway.metadata.namespace;
  return selects(listener.allowedRoutes?.namespaces?.selector ?? {}, namespaceLabels(routeNamespace));
};

/**
 * The hostnames each TLS listener really serves: its own hostname, or, when it has none, the hostnames of every
 * HTTPRoute attached to it (a route without hostnames on such a listener serves any name, which no certificate
 * covers). Every one must be a dnsName of the Certificate that writes the listener's Secret, or browsers get a
 * name mismatch for a host the routes advertise.
 */
export const certificatesCoverHostnames: Guard = (objects) => {
  const problems: string[] = [];
  for (const gateway of objects.filter((o) => o.kind === 'Gateway')) {
    const gwNs = gateway.metadata.namespace ?? '';
    for (const listener of (gateway.spec.listeners ?? []) as Listener[]) {
      const refs = listener.tls?.certificateRefs ?? [];
      if (refs.length === 0) continue;
      const attached = objects.filter(
        (r) =>
          r.kind === 'HTTPRoute' &&
          admits(gateway, listener, r.metadata.namespace ?? '') &&
          (r.spec.parentRefs ?? []).some(
            (p: { name: string; namespace?: string; sectionName?: string }) =>
              p.name === gateway.metadata.name &&
              (p.namespace ?? r.metadata.namespace) === gwNs &&
              (p.sectionName === undefined || p.sectionName === listener.name),
          ),
      );
      const served = new Map<string, string>();
      if (listener.hostname) served.set(listener.hostname, `listener ${listener.name}`);
      for (const route of attached) {
        const hostnames: string[] = route.spec.hostnames ?? [];
        if (hostnames.length === 0 && !listener.hostname)
          problems.push(`${objectId(route)}: no hostnames on TLS listener ${gateway.metadata.name}/${listener.name}`);
        // With a listener hostname, a route only narrows it: the listener's name is what is served.
        if (!listener.hostname) for (const h of hostnames) served.set(h, objectId(route));
      }
      for (const ref of refs) {
        const ns = ref.namespace ?? gwNs;
        const certificates = objects.filter(
          (c) => c.kind === 'Certificate' && c.metadata.namespace === ns && c.spec.secretName === ref.name,
        );
        // listenerCertificatesIssued reports a Secret no Certificate writes.
        for (const cert of certificates) {
          const dnsNames: string[] = cert.spec.dnsNames ?? [];
          for (const [host, by] of served) {
            if (!dnsNames.some((n) => dnsNameCovers(n, host)))
              problems.push(
                `${objectId(cert)}: dnsNames ${JSON.stringify(dnsNames)} do not cover ${host} (served by ${by} on ${gateway.metadata.name}/${listener.name})`,
              );
          }
        }
      }
    }
  }
  return problems;
};

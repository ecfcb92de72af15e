import { objectId } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** Resources whose access amounts to running code in, or reading the secrets of, other workloads. */
const dangerous = new Set([
  'secrets',
  'pods/exec',
  'pods/attach',
  'pods/portforward',
  'roles',
  'rolebindings',
  'serviceaccounts/token',
]);

/**
 * RBAC is least privilege: namespaced Roles only, no wildcards, every rule limited to named objects, nothing that
 * reaches Secrets or exec, and bindings only to ServiceAccounts of the same namespace.
 */
export const rbacLeastPrivilege: Guard = (objects) =>
  objects.flatMap((o) => {
    const id = objectId(o);
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') return [`${id}: cluster-wide RBAC`];
    if (o.kind === 'Role') {
      return (o.rules ?? []).flatMap((r: Rule, i: number) => {
        const problems: string[] = [];
        const all = [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])];
        if (all.includes('*')) problems.push(`${id}: rule ${i} uses a wildcard`);
        if (!r.resourceNames?.length) problems.push(`${id}: rule ${i} is not limited to named objects`);
        for (const res of r.resources ?? []) if (dangerous.has(res)) problems.push(`${id}: rule ${i} grants ${res}`);
        for (const verb of r.verbs ?? [])
          if (verb === 'escalate' || verb === 'bind' || verb === 'impersonate')
            problems.push(`${id}: rule ${i} grants ${verb}`);
        return problems;
      });
    }
    if (o.kind === 'RoleBinding') {
      const problems = o.roleRef.kind === 'Role' ? [] : [`${id}: binds a ${o.roleRef.kind}`];
      for (const s of o.subjects ?? []) {
        if (s.kind !== 'ServiceAccount' || (s.namespace ?? o.metadata.namespace) !== o.metadata.namespace) {
          problems.push(`${id}: binds ${s.kind} ${s.name} outside the namespace's ServiceAccounts`);
        }
      }
      return problems;
    }
    return [];
  });

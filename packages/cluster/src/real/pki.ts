import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sh } from './host.ts';

/** The control plane's CA as kwokctl wrote it: it signs the nodes' and host components' client certificates. */
export interface ClusterCa {
  readonly cert: string;
  readonly key: string;
  readonly server: string;
}

/**
 * A kubeconfig with a client certificate for `user` in `groups`, signed by the cluster CA with openssl. The API
 * server maps CN to the user and O to groups: `system:node:<name>` in `system:nodes` is what the Node authorizer
 * and NodeRestriction admit for a kubelet; `system:kube-proxy` is bound to `system:node-proxier` by default.
 */
export function clientKubeconfig(dir: string, ca: ClusterCa, user: string, groups: readonly string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'client.key');
  const csr = join(dir, 'client.csr');
  const crt = join(dir, 'client.crt');
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`;
  sh('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  const ext = join(dir, 'client.ext');
  writeFileSync(ext, 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  sh('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    ext,
    '-out',
    crt,
  ]);
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'homelab',
          cluster: {
            server: ca.server,
            'certificate-authority-data': Buffer.from(readFileSync(ca.cert)).toString('base64'),
          },
        },
      ],
      users: [{ name: user, user: { 'client-certificate': crt, 'client-key': key } }],
      contexts: [{ name: 'homelab', context: { cluster: 'homelab', user } }],
      'current-context': 'homelab',
    }),
  );
  return kubeconfig;
}

import { versions, webUsers } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import {
  formatPreflightReport,
  hostnameProblems,
  type PreflightFacts,
  preflightProblems,
  secretProblems,
  toolProblems,
} from './preflight-checks.ts';
import { stackSecrets } from './stack-secrets.ts';

const node = '192.168.1.20';
const allSecrets = () =>
  stackSecrets.map((spec) => ({
    key: spec.key,
    value:
      spec.key === 'gatewayApiKeys'
        ? JSON.stringify({ admin: 'k'.repeat(40) })
        : spec.key === 'webUsers'
          ? `demo:${webUsers.hashPrefix}v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g`
          : spec.key.endsWith('Url')
            ? 'https://ntfy.sh/x'
            : 'v'.repeat(40),
    encrypted: true,
  }));
const healthy: PreflightFacts = {
  cluster: 'kind',
  k3sInstall: false,
  k3sKubeconfig: '/etc/rancher/k3s/k3s.yaml',
  nodeAddress: node,
  hostnames: [
    { hostname: 'notes.homelab.home.arpa', addresses: [node] },
    { hostname: 'api.homelab.home.arpa', addresses: ['127.0.0.1'] },
  ],
  secrets: allSecrets(),
  tools: { onPath: { docker: true, kind: true }, dockerDaemon: true },
};

describe('hostname checks', () => {
  it('pass when every name resolves to this machine or loopback', () => {
    expect(hostnameProblems(healthy.hostnames, node)).toEqual([]);
  });

  it('give one /etc/hosts line and the router record for all names that do not resolve', () => {
    const problems = hostnameProblems(
      [
        { hostname: 'notes.homelab.home.arpa', addresses: [], error: 'ENOTFOUND' },
        { hostname: 'api.homelab.home.arpa', addresses: [], error: 'EAI_AGAIN' },
      ],
      node,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain(`${node} notes.homelab.home.arpa api.homelab.home.arpa`);
    expect(problems[0]?.message).toContain('/etc/hosts');
    expect(problems[0]?.message).toContain(`notes.homelab.home.arpa -> ${node}`);
    expect(problems[0]?.message).toContain('ENOTFOUND, EAI_AGAIN');
  });

  it('name a hostname that resolves elsewhere (split horizon) with the address it got', () => {
    const problems = hostnameProblems([{ hostname: 'api.homelab.home.arpa', addresses: ['203.0.113.7'] }], node);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(
      /api\.homelab\.home\.arpa resolves to 203\.0\.113\.7, not to this machine \(192\.168\.1\.20\)/,
    );
  });

  it('ask for the address when none was configured or detected', () => {
    const problems = hostnameProblems([{ hostname: 'api.homelab.home.arpa', addresses: [] }]);
    expect(problems.map((p) => p.message).join('\n')).toContain('pulumi config set nodeAddress');
  });
});

describe('secret checks', () => {
  it('pass when every secret is set, encrypted and well-formed', () => {
    expect(secretProblems(stackSecrets, allSecrets())).toEqual([]);
  });

  it('name each missing secret with the command that sets it', () => {
    const facts = allSecrets().filter((f) => f.key !== 'jwtSecret' && f.key !== 'alertHeartbeatUrl');
    const messages = secretProblems(stackSecrets, facts).map((p) => p.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^homelab:jwtSecret is not set .*pulumi config set --secret jwtSecret/);
    expect(messages[1]).toMatch(/^homelab:alertHeartbeatUrl is not set .*pulumi config set --secret alertHeartbeatUrl/);
  });

  it('refuse a secret stored in plain text and say how to re-set it encrypted', () => {
    const facts = allSecrets().map((f) => (f.key === 'postgresPassword' ? { ...f, encrypted: false } : f));
    const [problem] = secretProblems(stackSecrets, facts);
    expect(problem?.message).toContain('homelab:postgresPassword is stored in plain text');
    expect(problem?.message).toContain(
      'pulumi config rm postgresPassword && pulumi config set --secret postgresPassword',
    );
  });

  it('refuse malformed values: a short JWT key, a non-URL webhook, API keys without entries', () => {
    const facts = allSecrets().map((f) =>
      f.key === 'jwtSecret'
        ? { ...f, value: 'short' }
        : f.key === 'alertPageWebhookUrl'
          ? { ...f, value: 'ntfy topic' }
          : f.key === 'gatewayApiKeys'
            ? { ...f, value: '{}' }
            : f,
    );
    const messages = secretProblems(stackSecrets, facts).map((p) => p.message);
    expect(messages).toEqual([
      expect.stringContaining('homelab:jwtSecret is 5 characters; it needs at least 32'),
      expect.stringContaining('homelab:gatewayApiKeys holds no identity -> key entries'),
      expect.stringContaining('homelab:alertPageWebhookUrl is not a URL'),
    ]);
  });

  it('refuse web users given as a plain password or with a hash that is not argon2id', () => {
    const withUsers = (value: string) =>
      secretProblems(
        stackSecrets,
        allSecrets().map((f) => (f.key === 'webUsers' ? { ...f, value } : f)),
      ).map((p) => p.message);
    expect(withUsers('demo:hunter2hunter2')).toEqual([expect.stringContaining('the hash of "demo" is not argon2id')]);
    expect(withUsers('hunter2hunter2')).toEqual([expect.stringContaining('is not name:<hash>')]);
    expect(withUsers('demo:$2b$10$abcdefghijklmnopqrstuv')).toEqual([expect.stringContaining('is not argon2id')]);
  });
});

describe('tool checks', () => {
  it('name docker and kind when missing on kind', () => {
    const messages = toolProblems({ ...healthy, tools: { onPath: { docker: false, kind: false } } }).map(
      (p) => p.message,
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('docker is not on PATH');
    expect(messages[1]).toContain(`go install sigs.k8s.io/kind@${versions.kubernetes.kind}`);
  });

  it('name a host port something else already serves, with how to find it', () => {
    const [problem] = toolProblems({ ...healthy, tools: { ...healthy.tools, hostPortsInUse: [443] } });
    expect(problem?.message).toContain('port 443 of this machine is already in use');
    expect(problem?.message).toContain("sudo ss -ltnp 'sport = :443'");
  });

  it('tell a docker daemon that does not answer apart from a missing docker', () => {
    const [problem] = toolProblems({
      ...healthy,
      tools: { onPath: { docker: true, kind: true }, dockerDaemon: false },
    });
    expect(problem?.message).toContain('`docker info` failed');
  });

  it('print the pinned k3s install command when the k3s kubeconfig is unreadable', () => {
    const [problem] = toolProblems({
      ...healthy,
      cluster: 'k3s',
      tools: { onPath: { curl: true }, k3sKubeconfigReadable: false },
    });
    expect(problem?.message).toContain(`INSTALL_K3S_VERSION=${versions.kubernetes.k3s}`);
    expect(problem?.message).toContain('--disable=traefik');
    expect(problem?.message).toContain('pulumi config set k3sInstall true');
  });

  it('need only curl when the program installs k3s itself', () => {
    expect(toolProblems({ ...healthy, cluster: 'k3s', k3sInstall: true, tools: { onPath: { curl: true } } })).toEqual(
      [],
    );
    expect(
      toolProblems({ ...healthy, cluster: 'k3s', k3sInstall: true, tools: { onPath: { curl: false } } }),
    ).toHaveLength(1);
  });

  it('need nothing on PATH for an existing cluster, only its kubeconfig readable, named when it is not', () => {
    const existing = { ...healthy, cluster: 'existing' as const, kubeconfig: '/home/me/.kube/lab.yaml' };
    expect(toolProblems({ ...existing, tools: { onPath: {}, kubeconfigReadable: true } })).toEqual([]);
    const [problem] = toolProblems({ ...existing, tools: { onPath: {}, kubeconfigReadable: false } });
    expect(problem?.message).toMatch(
      /cannot read the kubeconfig \/home\/me\/\.kube\/lab\.yaml of the existing cluster/,
    );
  });
});

describe('the report', () => {
  it('is empty for a healthy machine and lists every problem, numbered, otherwise', () => {
    expect(preflightProblems(healthy, stackSecrets)).toEqual([]);
    const problems = preflightProblems(
      { ...healthy, secrets: [], tools: { onPath: { docker: true, kind: false }, dockerDaemon: true } },
      stackSecrets,
    );
    expect(problems).toHaveLength(1 + stackSecrets.length);
    const report = formatPreflightReport(problems);
    expect(report).toMatch(new RegExp(`^Preflight found ${1 + stackSecrets.length} problems; nothing was created`));
    expect(report).toContain('  1. [tool] kind is not on PATH');
    expect(report).toContain(`  ${problems.length}. [secret] homelab:alertHeartbeatUrl is not set`);
  });
});

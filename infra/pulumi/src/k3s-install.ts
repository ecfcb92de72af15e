import { versions } from '@homelab/platform';

/**
 * k3s server flags the platform needs. Traefik is off because Envoy Gateway owns ports 80/443 (through k3s's
 * built-in ServiceLB, which stays on: it is the mini PC's LoadBalancer); the bundled metrics-server is off
 * because the pinned Helm chart installs it, and two would fight over the metrics APIService. The kubeconfig is
 * readable by the user who runs `pulumi up` (the machine is single-user; the file is cluster-admin).
 */
export const k3sServerFlags = ['--disable=traefik', '--disable=metrics-server', '--write-kubeconfig-mode=0644'];

/** The k3s server's API port, which agents join through (open it on the server's firewall). */
export const k3sApiServerPort = 6443;

/** The installer script of the pinned release (the tag's own copy, not get.k3s.io's moving one). */
export const k3sInstallScriptUrl = (version: string = versions.kubernetes.k3s): string =>
  `https://raw.githubusercontent.com/k3s-io/k3s/${version}/install.sh`;

/** The one command that installs the pinned k3s; printed by the preflight and the README, run by `Cluster`. */
export const k3sInstallCommand = (version: string = versions.kubernetes.k3s): string =>
  `curl -sfL ${k3sInstallScriptUrl(version)} | INSTALL_K3S_VERSION=${version} sh -s - server ${k3sServerFlags.join(' ')}`;

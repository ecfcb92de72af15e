export {
  type CheckName,
  type CheckOptions,
  checkNames,
  findingsOf,
  isCheckName,
  runCheck,
} from './checks.ts';
export { analyzeDns, collectDns, type DnsFacts } from './dns/dns.ts';
export { type Finding, needsAction, type Severity } from './finding.ts';
export { analyzeCpu, type CpuFacts, collectCpu, cpuVerdict } from './host/cpu.ts';
export { analyzeFds, collectFds, type FdFacts } from './host/fds.ts';
export { analyzeMem, collectMem, type MemFacts } from './host/mem.ts';
export { analyzeNet, collectNet, type NetFacts } from './host/net.ts';
export { analyzeCluster, analyzeServiceEndpoints } from './k8s/analyze.ts';
export { type ClusterOptions, collectCluster } from './k8s/collect.ts';
export type { ClusterFacts } from './k8s/facts.ts';
export { renderReport } from './report/render.ts';
export type { CheckReport, FactTable } from './report/report.ts';
export { analyzeCert, type CertFacts, collectCert } from './tls/cert.ts';

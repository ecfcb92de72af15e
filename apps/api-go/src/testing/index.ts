export { type ApiImpl, type ApiProcess, apiImpls, type StartApiOptions, startApi } from './api-process.ts';
export { goApiBinary, goBinary, goModuleDir } from './go-binary.ts';

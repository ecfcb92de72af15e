export { type ApiImpl, type ApiProcess, apiImpls, type StartApiOptions, startApi } from './api-process.ts';
export { goApiBinary, goModuleDir } from './go-binary.ts';

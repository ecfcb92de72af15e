export * from './cluster.ts';
export * from './crds.ts';
export * from './kube.ts';
export * from './nodes.ts';
export * from './real/index.ts';
export * from './stages.ts';
export * from './storage.ts';
export * from './tools.ts';

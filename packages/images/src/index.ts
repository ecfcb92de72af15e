export * from './dockerfile.ts';
export * from './runtime-graph.ts';

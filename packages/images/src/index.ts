export { buildImage, imageNames } from './build-all.ts';
export * from './dockerfile.ts';
export * from './runtime-graph.ts';

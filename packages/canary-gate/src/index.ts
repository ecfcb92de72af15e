export * from './engine/config.ts';
export * from './engine/counts.ts';
export * from './engine/gate.ts';
export * from './engine/mixture.ts';
export * from './engine/sprt.ts';

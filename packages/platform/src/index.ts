export * from './apps.ts';
export * from './auth.ts';
export * from './cluster.ts';
export * from './data.ts';
export * from './http.ts';
export * from './runbooks.ts';
export * from './slos.ts';
export * from './versions.ts';

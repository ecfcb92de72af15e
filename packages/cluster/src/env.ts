import { delimiter } from 'node:path';

/** What packages/cluster reads from the environment (the one place it may: ADR 0153). */

/** `$KUBECONFIG`: a list like kubectl's, the first existing file wins (kubeconfig-choice.ts). */
export const kubeconfigEnv = (): string | undefined => process.env.KUBECONFIG;

/** PATH with `dirs` in front, for a child that must find the pinned binaries before any on the host. */
export const pathWith = (dirs: readonly string[]): string => [...dirs, process.env.PATH ?? ''].join(delimiter);

/** This process' environment plus `extra`, for a child process (kwokctl inherits HOME, TMPDIR and the rest). */
export const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, ...extra });

import { delimiter } from 'node:path';

/**
 * What the Pulumi program reads from the environment (the one place it may: ADR 0153). Stack settings come from
 * Pulumi config, never from here.
 */

/** The directories of PATH, in order, empty entries dropped: where the preflight looks for the host's commands. */
export const pathDirs = (): string[] => (process.env.PATH ?? '').split(delimiter).filter(Boolean);

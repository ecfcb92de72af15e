import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps, dataWorkloads } from '@homelab/platform';
import { describe, expect, it } from 'vitest';

/** The Go API cannot import packages/platform: its config constants are checked against it here. */
const configGo = readFileSync(join(import.meta.dirname, '../internal/config/config.go'), 'utf8');
const goConstant = (name: string) => Number(new RegExp(`const ${name} = (\\d+)`).exec(configGo)?.[1]);

describe('the Go API config constants', () => {
  it.each([
    ['DefaultPort', apps.api.port],
    ['DefaultDatabaseWaitSeconds', dataWorkloads.migration.databaseWaitSeconds],
    ['maxDatabaseWaitSeconds', dataWorkloads.migration.activeDeadlineSeconds],
  ])('%s is the platform value %d', (name, value) => {
    expect(goConstant(name)).toBe(value);
  });
});

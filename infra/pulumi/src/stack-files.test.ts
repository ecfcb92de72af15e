import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stackSecrets } from './stack-secrets.ts';
import { clusterFlavours } from './stack-settings.ts';

const projectDir = fileURLToPath(new URL('..', import.meta.url));
const project = parse(readFileSync(`${projectDir}/Pulumi.yaml`, 'utf8'));
const stackFiles = readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
const secretKeys = new Set(stackSecrets.map((s) => `${project.name}:${s.key}`));

describe('the committed Pulumi project and example stacks', () => {
  it('run the TypeScript program with Node type stripping, not ts-node', () => {
    expect(project.runtime).toMatchObject({ name: 'nodejs', options: { typescript: false } });
    expect(project.main).toBe('src/index.ts');
  });

  it('ship at least one example stack per cluster flavour', () => {
    const flavours = stackFiles.map((f) => parse(readFileSync(`${projectDir}/${f}`, 'utf8')).config['homelab:cluster']);
    expect(new Set(flavours)).toEqual(new Set(clusterFlavours));
  });

  it('hold no secret, plain or encrypted, and only keys the project declares', () => {
    const declared = new Set(Object.keys(project.config).map((k) => `${project.name}:${k}`));
    for (const file of stackFiles) {
      const text = readFileSync(`${projectDir}/${file}`, 'utf8');
      expect(text, file).not.toMatch(/secure:/);
      for (const key of Object.keys(parse(text).config ?? {})) {
        expect(secretKeys.has(key), `${file}: ${key} is a secret`).toBe(false);
        expect(declared.has(key), `${file}: ${key} is not declared in Pulumi.yaml`).toBe(true);
      }
    }
  });

  it('declare no secret as project config (secrets only via pulumi config set --secret)', () => {
    for (const key of Object.keys(project.config)) expect(secretKeys.has(`${project.name}:${key}`), key).toBe(false);
  });
});

import * as pulumi from '@pulumi/pulumi';
import type { StackSecretKey } from './stack-secrets.ts';

/**
 * A secret from the stack's config, always as a secret Output. A missing one becomes an empty secret instead of
 * throwing here: the Preflight names every missing secret at once, and nothing that would use the placeholder
 * is created before the Preflight has passed.
 */
export const stackSecret = (config: pulumi.Config, key: StackSecretKey): pulumi.Output<string> =>
  config.getSecret(key) ?? pulumi.secret('');

/** A structured secret (`pulumi config set --secret --path 'key.field' value`). */
export const stackSecretObject = (config: pulumi.Config, key: StackSecretKey): pulumi.Output<Record<string, string>> =>
  config.getSecretObject<Record<string, string>>(key) ?? pulumi.secret<Record<string, string>>({});

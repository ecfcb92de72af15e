import type * as pulumi from '@pulumi/pulumi';
import type { StackSecretKey } from './stack-secrets.ts';

/**
 * A secret from the stack's config, always as a secret Output. Read only after the Preflight passed, which has
 * already named every missing secret at once; `require` here is the backstop, not the message users see.
 */
export const stackSecret = (config: pulumi.Config, key: StackSecretKey): pulumi.Output<string> =>
  config.requireSecret(key);

/** A structured secret (`pulumi config set --secret --path 'key.field' value`). */
export const stackSecretObject = (config: pulumi.Config, key: StackSecretKey): pulumi.Output<Record<string, string>> =>
  config.requireSecretObject<Record<string, string>>(key);

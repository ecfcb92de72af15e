import versionsJson from '../versions.json' with { type: 'json' };

/** Every pinned version (tools, images, Helm charts). The JSON file is the one an update bot rewrites. */
export const versions = versionsJson;

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { repoRoot } from '../../infra/paths';

/** The Temporal dynamic config shared by the production launcher and docker-compose.yml (which mounts it). */
export const dynamicConfigFile = path.join(repoRoot, 'deploy', 'temporal', 'dynamicconfig.yaml');

/** The shared dynamic config with `values` laid over it (each for every namespace), written to `file`; answers `file`. */
export function dynamicConfigWith(values: Record<string, unknown>, file: string): string {
  const shared = parseYaml(fs.readFileSync(dynamicConfigFile, 'utf8')) as Record<string, unknown>;
  const overrides = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value, constraints: {} }]]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringifyYaml({ ...shared, ...overrides }));
  return file;
}

/** Where docker-compose.yml mounts it in the server container, and the path its DYNAMIC_CONFIG_FILE_PATH names. */
export const composeDynamicConfigPath = '/etc/temporal/config/dynamicconfig/production.yaml';

/**
 * History shards of the production topology, fixed for a cluster's life (changing it needs a new database). 4 is
 * plenty for one host and a few thousand open workflows; a team running tens of thousands of videos a day sizes
 * this up front (e.g. 512) since it bounds how far history can scale out.
 */
export const historyShardCount = 4;

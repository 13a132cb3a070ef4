import path from 'node:path';
import { repoRoot } from '../../infra/paths';

/** The Temporal dynamic config shared by the production launcher and docker-compose.yml (which mounts it). */
export const dynamicConfigFile = path.join(repoRoot, 'deploy', 'temporal', 'dynamicconfig.yaml');

/** Where docker-compose.yml mounts it in the server container, and the path its DYNAMIC_CONFIG_FILE_PATH names. */
export const composeDynamicConfigPath = '/etc/temporal/config/dynamicconfig/production.yaml';

/**
 * History shards of the production topology, fixed for a cluster's life (changing it needs a new database). 4 is
 * plenty for one host and a few thousand open workflows; a team running tens of thousands of videos a day sizes
 * this up front (e.g. 512) since it bounds how far history can scale out.
 */
export const historyShardCount = 4;

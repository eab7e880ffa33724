import type { Principal } from './auth/principal.js';
import type { Config } from './config.js';
import type { Db, Store } from './store/types.js';
import type { Clock } from './time.js';

/**
 * The deletes that reach into more than one family (src/resources/cascades.ts). A family's
 * delete operation calls them here, so that no family imports the families that depend on it.
 */
export interface Deletes {
  workspace(app: AppContext, organizationId: string, id: string): Promise<void>;
  deployment(app: AppContext, p: Principal, organizationId: string, id: string): Promise<void>;
  cluster(app: AppContext, organizationId: string, id: string): Promise<void>;
  invite(app: AppContext, organizationId: string, inviteId: string): Promise<void>;
}

/** What lower layers and families are given instead of importing what lies above them. */
export interface Ports {
  deletes: Deletes;
}

/** What every service needs: the store, the clock, the configuration and the ports. */
export interface AppContext {
  store: Store;
  db: Db;
  clock: Clock;
  config: Config;
  ports: Ports;
}

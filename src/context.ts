import type { Config } from './config.js';
import type { Db, Store } from './store/types.js';
import type { Clock } from './time.js';

/** What every service needs: the store, the clock and the configuration. */
export interface AppContext {
  store: Store;
  db: Db;
  clock: Clock;
  config: Config;
}

import { registerSubjects } from './auth/subjects.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { ports } from './resources/ports.js';
import type { Store } from './store/types.js';
import type { Clock } from './time.js';

/**
 * The one factory of an AppContext (the server, the astrolabe command, tests and benchmarks all
 * use it): an open store, a clock and the configuration, with the families' ports. It also
 * registers the subjects port on the store, where views find it (see auth/subjects.ts).
 */
export function createContext(parts: { store: Store; clock: Clock; config: Config }): AppContext {
  registerSubjects(parts.store.db, ports.subjects);
  return { store: parts.store, db: parts.store.db, clock: parts.clock, config: parts.config, ports };
}

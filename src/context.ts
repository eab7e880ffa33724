import type { IdentityPort } from './auth/identity.js';
import type { SubjectsPort } from './auth/subjects.js';
import type { Config } from './config.js';
import type { AuditSink } from './http/audit-sink.js';
import type { Db, Store } from './store/db.js';
import type { Clock } from './time.js';

/**
 * What the lower layers (auth/, http/) get from the resource families without importing them.
 * Each port is declared where it is used and implemented by the families; src/resources/ports.ts
 * assembles them. A new port is one more field here and there.
 */
export interface Ports {
  /** What authentication loads: tokens, users, Teams, grants and what resolving them needs, allowed ranges. */
  identity: IdentityPort;
  /** Token names and user profiles for createdBy/updatedBy; reached only through resolveProfiles (auth/subjects.ts). */
  subjects: SubjectsPort;
  /** Where the operation pipeline stores audit records. */
  audit: AuditSink;
}

/**
 * What every service needs: the store, the clock, the configuration and the ports. Built only by
 * createContext (./app-context.ts).
 */
export interface AppContext {
  store: Store;
  db: Db;
  clock: Clock;
  config: Config;
  ports: Ports;
}

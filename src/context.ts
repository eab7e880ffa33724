import type { IdentityPort } from './auth/identity.js';
import type { Principal } from './auth/principal.js';
import type { SubjectsPort } from './auth/subjects.js';
import type { Config } from './config.js';
import type { AuditSink } from './http/audit-sink.js';
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

/**
 * What a layer or a family gets from what lies above it without importing it. Each port is
 * declared where it is used (auth/, http/, here) and implemented above; src/resources/ports.ts
 * assembles them. A new port is one more field here and there.
 */
export interface Ports {
  /** What authentication loads: tokens, users, Teams, grants and what resolving them needs, allowed ranges. */
  identity: IdentityPort;
  /** Token names and user profiles for createdBy/updatedBy; reached only through resolveProfiles (auth/subjects.ts). */
  subjects: SubjectsPort;
  /** Where the operation pipeline stores audit records. */
  audit: AuditSink;
  /** The deletes that span families, for the families' delete operations. */
  deletes: Deletes;
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

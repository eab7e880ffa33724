import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * The types every repository names: type-only, so importing them loads nothing and closes no
 * cycle. The modules that act on them: open.ts (connection), transactions.ts, locks.ts, codecs.ts.
 */

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Queryable = Db | Tx;

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  db: Db;
  kind: StoreKind;
  close(): Promise<void>;
}

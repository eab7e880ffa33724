import pg from 'pg';

/**
 * What an error from better-sqlite3 or pg says about the store, independent of HTTP (the API's
 * answer to each kind is in src/http/store-errors.ts).
 */
export type StoreErrorKind =
  /** A unique key is taken: another request wrote the same thing at the same time. */
  | 'duplicate'
  /** A foreign key names a row that is gone: deleted by a request that committed in between. */
  | 'missing-reference'
  /** Contention: a lock not granted in time, a deadlock or a serialization failure. */
  | 'busy'
  /** The database cannot be reached or cannot work: connection lost or refused, shutdown, disk full. */
  | 'unavailable'
  /** A value a column or an index cannot hold (input checks are meant to catch these first). */
  | 'unstorable';

export interface StoreError {
  kind: StoreErrorKind;
  /** For a missing reference on PostgreSQL, the key value that was not found. */
  missingKey?: string;
}

/** PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const PG_KINDS: Record<string, StoreErrorKind> = {
  '23505': 'duplicate', // unique_violation
  '23503': 'missing-reference', // foreign_key_violation
  '40001': 'busy', // serialization_failure
  '40P01': 'busy', // deadlock_detected
  '55P03': 'busy', // lock_not_available
  '55000': 'unavailable', // object_not_in_prerequisite_state: how a database that takes no connections refuses one
  '53000': 'unavailable', // insufficient_resources
  '53100': 'unavailable', // disk_full
  '53200': 'unavailable', // out_of_memory
  '53300': 'unavailable', // too_many_connections
  '57014': 'unavailable', // query_canceled (statement timeout, or cancelled by an operator)
  '57P01': 'unavailable', // admin_shutdown (also a terminated backend)
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now
  '58000': 'unavailable', // system_error
  '58030': 'unavailable', // io_error
  '22001': 'unstorable', // string_data_right_truncation
  '22003': 'unstorable', // numeric_value_out_of_range
  '22021': 'unstorable', // character_not_in_repertoire (U+0000 in text)
  '22P05': 'unstorable', // untranslatable_character
  '54000': 'unstorable', // program_limit_exceeded (an index entry too large)
};

/** Socket-level failures reaching the database server. */
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg and pg-pool raise these without a code when a connection is lost, cannot be made or the pool is closing. */
const PG_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end|Query read timeout)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and what it wraps: `cause` chains and AggregateError members (a refused dual-stack connect). */
function* chain(err: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  const queue = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const x = e as ErrorLike;
    yield x;
    queue.push(x.cause);
    if (Array.isArray(x.errors)) queue.push(...x.errors);
  }
}

/** better-sqlite3 reports SQLite's extended result code names. */
function sqliteKind(code: string): StoreErrorKind | undefined {
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'duplicate';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'missing-reference';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL' || code === 'SQLITE_NOMEM' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'unavailable';
  if (code === 'SQLITE_TOOBIG') return 'unstorable';
  return undefined;
}

function postgresError(err: pg.DatabaseError): StoreError | undefined {
  const code = err.code ?? '';
  // Class 08 is about the connection, except 08P01, a malformed message (a bug, not an outage).
  const kind = PG_KINDS[code] ?? (code.startsWith('08') && code !== '08P01' ? 'unavailable' : undefined);
  if (!kind) return undefined;
  if (kind !== 'missing-reference') return { kind };
  // The detail reads `Key (column)=(value) is not present in table "…".`
  const missingKey = /\)=\((.*)\)/.exec(err.detail ?? '')?.[1];
  return missingKey === undefined ? { kind } : { kind, missingKey };
}

/**
 * What a query's error says about the store, or undefined when it says nothing the client could
 * act on (a bug, answered 500).
 */
export function classifyStoreError(err: unknown): StoreError | undefined {
  for (const e of chain(err)) {
    if (e instanceof pg.DatabaseError) {
      const found = postgresError(e);
      if (found) return found;
      continue;
    }
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code?.startsWith('SQLITE_')) {
      const kind = sqliteKind(code);
      if (kind) return { kind };
      continue;
    }
    if (code && NET_UNAVAILABLE.has(code)) return { kind: 'unavailable' };
    if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message)) return { kind: 'unavailable' };
  }
  return undefined;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_unbounded_names.js';
import * as m003 from './migrations/003_deployments.js';
import * as m004 from './migrations/004_auth_cache_epoch.js';
import * as m005 from './migrations/005_workspace_counts.js';
import * as m006 from './migrations/006_list_page_marks.js';
import * as m007 from './migrations/007_identity.js';
import * as m008 from './migrations/008_custom_roles.js';
import * as m009 from './migrations/009_audit_log.js';
import * as m010 from './migrations/010_environment_objects.js';
import { checkSecretBox, resolveSecretBox, type SecretBox } from './crypto.js';
import * as m011 from './migrations/011_deploys.js';
import * as m012 from './migrations/012_deployment_logs.js';
import * as m013 from './migrations/013_alerts.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Queryable = Db | Tx;

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** ASTROLABE_SECRET_KEY, parsed; without it the key is generated (see crypto.ts). */
  secretKey?: Buffer;
}

export interface Store {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

type MigrationDb = Parameters<Migration['up']>[0];

/** The migrations, given how a migration that seals secrets gets the store's secret box. */
function migrationsWith(box: (db: MigrationDb) => Promise<SecretBox>): Record<string, Migration> {
  return {
    '001_foundation': m001,
    '002_unbounded_names': m002,
    '003_deployments': m003,
    '004_auth_cache_epoch': m004,
    '005_workspace_counts': m005,
    '006_list_page_marks': m006,
    '007_identity': m007,
    '008_custom_roles': m008,
    '009_audit_log': m009,
    '010_environment_objects': { up: async (db) => m010.up(db, await box(db)), down: m010.down },
    '011_deploys': m011,
    '012_deployment_logs': m012,
    '013_alerts': m013,
  };
}

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, and preparing is a
 * large share of a cheap query's cost. Keep the most recent statements by SQL text. Kysely runs
 * one query at a time on this connection, so a statement is never used twice at once.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

const kinds = new WeakMap<Db, Store['kind']>();

interface RawRead {
  rows(parameters: readonly unknown[]): Promise<unknown[]> | undefined;
}

/**
 * A read statement run in better-sqlite3's raw mode (rows as arrays), each array then turned
 * into an object by a function made for the statement's columns: a third to two fifths cheaper
 * than letting the driver build objects, measured on pages of 20 and 100 workspaces.
 */
function rawRead(stmt: SQLite.Statement): RawRead {
  if (!stmt.reader) return { rows: () => undefined };
  stmt.raw(true);
  const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: a[${i}]`).join(', ');
  const toRow = new Function('a', `return { ${fields} };`) as (a: unknown[]) => unknown;
  return {
    rows: (parameters) => {
      const arrays = stmt.all(...parameters) as unknown[][];
      const out = new Array<unknown>(arrays.length);
      for (let i = 0; i < arrays.length; i++) out[i] = toRow(arrays[i]!);
      return Promise.resolve(out);
    },
  };
}

/** Runs one read-only statement on committed data, outside Kysely; undefined: use Kysely. */
type DirectRead = (sql: string, parameters: readonly unknown[]) => Promise<unknown[]> | undefined;
const directReads = new WeakMap<Db, DirectRead>();

/**
 * How to run an already compiled read outside any transaction without going through Kysely:
 * on SQLite a second, read-only connection (WAL lets it read the last commit while the main
 * connection is inside another request's transaction, and nothing waits for Kysely's lock);
 * on PostgreSQL the pool itself. Undefined inside a transaction, whose reads must see its own
 * writes.
 */
export function directRead(q: Queryable): DirectRead | undefined {
  return q.isTransaction ? undefined : directReads.get(q as Db);
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  let db: Db;
  let kind: Store['kind'];
  let closed: () => Promise<void> = async () => {};
  let direct: () => DirectRead;
  if (opts.databaseUrl) {
    kind = 'postgres';
    // Loaded only for a PostgreSQL store: a SQLite server starts without it.
    const { default: PG } = await import('pg');
    const pool = new PG.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection that breaks (server restart, terminated backend) must not crash the
    // process: the pool drops it and opens a new one on the next query.
    pool.on('error', () => {});
    // pool.end() does not wait for sockets to close; remember them so close() can.
    const open = new Set<pg.PoolClient>();
    pool.on('connect', (client) => {
      open.add(client);
      // Nor one that breaks while a request holds it: that request's query fails (answered 503),
      // and the client's own 'error' event, which no pool listener hears then, must not throw.
      client.on('error', () => {});
      client.once('end', () => open.delete(client));
    });
    closed = () => Promise.all([...open].map((c) => new Promise<void>((resolve) => c.once('end', () => resolve())))).then(() => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    direct = () => async (text, parameters) => (await pool.query(text, parameters as unknown[])).rows;
  } else {
    kind = 'sqlite';
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const sqlite = new SQLite(path.join(opts.dataDir, 'astrolabe.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    direct = () => {
      const reader = new SQLite(path.join(opts.dataDir, 'astrolabe.db'), { readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 5000');
      const statements = new Map<string, RawRead>();
      const prev = closed;
      closed = async () => { await prev(); reader.close(); };
      return (text, parameters) => {
        let read = statements.get(text);
        if (!read) {
          read = rawRead(reader.prepare(text));
          if (statements.size >= 500) statements.delete(statements.keys().next().value!);
          statements.set(text, read);
        }
        return read.rows(parameters);
      };
    };
  }
  // The secret box is resolved once: by the first migration that needs it (inside the migration's
  // transaction, where a generated PostgreSQL key is stored with the migration), or after them.
  let box: Promise<SecretBox> | undefined;
  const boxOn = (q: MigrationDb | Db) => (box ??= resolveSecretBox(q as Queryable, { secretKey: opts.secretKey, dataDir: opts.dataDir, postgres: kind === 'postgres' }));
  try {
    // Migrations are numbered per change set and change sets land in any order, so a store may
    // have run a later-numbered migration before an earlier one exists: each touches only its own
    // tables, and the order they ran in does not matter.
    const migrator = new Migrator({ db, provider: new InCodeMigrations(migrationsWith(boxOn)), allowUnorderedMigrations: true });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    const resolved = await boxOn(db);
    await checkSecretBox(db, resolved);
    boxes.set(db, resolved);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  kinds.set(db, kind);
  directReads.set(db, direct());
  return {
    db,
    kind,
    close: async () => {
      const waiting = closed();
      await db.destroy();
      await waiting;
    },
  };
}

const boxes = new WeakMap<Db, SecretBox>();

/**
 * The secret box (store/crypto.ts) of the store behind `q`: what seals secrets before they are
 * written and opens them when read.
 */
export function secretBox(q: Queryable): SecretBox {
  const b = boxes.get(rootDb(q));
  if (!b) throw new Error('the store has no secret box');
  return b;
}

/** Per open transaction: the database it belongs to and what runs once it commits. */
const openTransactions = new WeakMap<Tx, { db: Db; hooks: (() => void)[] }>();

/**
 * A write that must commit with the first transaction of the current async context, or not at
 * all (a request's audit record; see src/http/audit.ts). inTransaction offers it to every
 * transaction it runs, just before commit; `ride` answers whether it wrote. `settled` then says
 * whether that transaction committed, so a rolled-back write is offered to the next one.
 */
export interface CommitRider {
  /** `result`: what the transaction's function returned (the record may name what it made). */
  ride(tx: Tx, result: unknown): Promise<boolean>;
  settled(committed: boolean): void;
}

const riders = new AsyncLocalStorage<CommitRider>();

let riding = 0;

/**
 * Runs `fn` with `rider` offered to every transaction inTransaction opens inside it. While any
 * AsyncLocalStorage is enabled, Node tracks the context of every promise of every request; the
 * storage is switched off whenever no rider is running, so reads pay nothing for it.
 */
export async function withCommitRider<T>(rider: CommitRider, fn: () => Promise<T>): Promise<T> {
  riding++;
  try {
    return await riders.run(rider, fn);
  } finally {
    if (--riding === 0) riders.disable();
  }
}

/** Runs `fn` as one database transaction: every mutation goes through here. */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let hooks: (() => void)[] = [];
  const rider = riders.getStore();
  let rode = false;
  let result: T;
  try {
    result = await db.transaction().execute(async (tx) => {
      hooks = [];
      rode = false;
      openTransactions.set(tx, { db, hooks });
      const out = await fn(tx);
      if (rider) rode = await rider.ride(tx, out);
      return out;
    });
  } catch (err) {
    if (rode) rider!.settled(false);
    throw err;
  }
  if (rode) rider!.settled(true);
  for (const hook of hooks) hook();
  return result;
}

/** Runs `fn` in `q` when it is a transaction already, else in a new one. */
export function withinTransaction<T>(q: Queryable, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return q.isTransaction ? fn(q as Tx) : inTransaction(q as Db, fn);
}

/**
 * Runs `hook` once what `q` wrote is committed: after the commit of a transaction opened by
 * inTransaction (never, if it rolls back), or at once outside a transaction, where every
 * statement commits on its own. Hooks must not throw.
 */
export function afterCommit(q: Queryable, hook: () => void): void {
  const open = q.isTransaction ? openTransactions.get(q as Tx) : undefined;
  if (open) open.hooks.push(hook);
  else hook();
}

/** The database behind `q`: itself, or the one a transaction of inTransaction runs on. */
export function rootDb(q: Queryable): Db {
  return q.isTransaction ? openTransactions.get(q as Tx)?.db ?? (q as Db) : (q as Db);
}

/** Which kind of store `q` reads and writes. */
export function storeKind(q: Queryable): Store['kind'] {
  return kinds.get(rootDb(q)) ?? 'sqlite';
}

export function toBool(v: number | null | undefined): boolean {
  return v === 1;
}

export function fromBool(v: boolean | undefined | null): number {
  return v ? 1 : 0;
}

/** Groups rows by a key, keeping their order: for loading children of a page of parents. */
export function groupBy<R, V = R>(rows: R[], key: (r: R) => string, value: (r: R) => V = (r) => r as unknown as V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(value(r));
    else out.set(k, [value(r)]);
  }
  return out;
}

/** Tables whose rows carry an id and an updated_at column, which lockRow touches. */
type LockableTable = 'organizations' | 'workspaces' | 'clusters' | 'deployments';

/**
 * Takes the row lock of `id` in the caller's transaction by an update that changes nothing: on
 * PostgreSQL a concurrent transaction taking the same lock waits until this one ends, and then
 * reads the committed row (so two changes cannot both pass a check made on the old one); SQLite
 * runs write transactions one at a time anyway. `organizationId` scopes the row to its owner.
 */
export async function lockRow(db: Queryable, table: LockableTable, id: string, organizationId?: string): Promise<void> {
  let q = db.updateTable(table as 'clusters').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id);
  if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
  await q.execute();
}

/**
 * lockRow for several ids of one table, one at a time in id order, so two transactions locking
 * overlapping sets cannot each hold a lock the other waits for. Values that are not non-empty
 * strings are skipped (the caller's checks refuse them afterwards).
 */
export async function lockRows(db: Queryable, table: LockableTable, ids: Iterable<unknown>, organizationId?: string): Promise<void> {
  const sorted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))].sort();
  for (const id of sorted) await lockRow(db, table, id, organizationId);
}

/** Tables of an organization's entities, each row with an id and an organization_id. */
type EntityTable = 'workspaces' | 'clusters' | 'deployments';

/**
 * The subset of `ids` naming rows of `organizationId` in `table`. For a reference from one
 * family's entity to another family's that the families' one-way order keeps it from asking
 * through that family (a hybrid cluster's authorized Workspaces: clusters come before
 * Workspaces, whose default cluster they check through the clusters family).
 */
export async function existingIds(db: Queryable, table: EntityTable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom(table as 'workspaces').select('id').where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

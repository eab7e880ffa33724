import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_unbounded_names.js';
import * as m003 from './migrations/003_deployments.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Queryable = Db | Tx;

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
}

export interface Store {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_unbounded_names': m002,
  '003_deployments': m003,
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
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

export async function openStore(opts: StoreOptions): Promise<Store> {
  let db: Db;
  let kind: Store['kind'];
  let closed: () => Promise<void> = async () => {};
  if (opts.databaseUrl) {
    kind = 'postgres';
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
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
  } else {
    kind = 'sqlite';
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const sqlite = new SQLite(path.join(opts.dataDir, 'astrolabe.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  }
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
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

/** Runs `fn` as one database transaction: every mutation goes through here. */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
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

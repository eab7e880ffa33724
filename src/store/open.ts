import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import { openingSecretBox } from './crypto.js';
import { migrateToLatest } from './migrations/index.js';
import type { Database } from './schema.js';
import { rootDb } from './transactions.js';
import type { Db, Queryable, Store, StoreKind } from './types.js';

/**
 * Opening a store: the SQLite or PostgreSQL driver and its connection, the migrations run on
 * it, its secret box, and the fast read path that precompiled queries take (see compiled.ts).
 */

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** ASTROLABE_SECRET_KEY, parsed; without it the key is generated (see crypto.ts). */
  secretKey?: Buffer;
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
  let kind: StoreKind;
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
  // The secret box is resolved once: by the first migration that needs it, or after them.
  const box = openingSecretBox({ secretKey: opts.secretKey, dataDir: opts.dataDir, postgres: kind === 'postgres' });
  try {
    await migrateToLatest(db, (q) => box.resolve(q as Queryable));
    await box.attach(db);
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

const kinds = new WeakMap<Db, StoreKind>();

/** Which kind of store `q` reads and writes. */
export function storeKind(q: Queryable): StoreKind {
  return kinds.get(rootDb(q)) ?? 'sqlite';
}

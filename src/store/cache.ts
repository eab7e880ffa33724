import type pg from 'pg';
import { sql } from 'kysely';
import { storeKind } from './open.js';
import { afterCommit, rootDb } from './transactions.js';
import type { Db, Queryable, Tx } from './types.js';

/**
 * The store's cache: what the request path keeps in memory between requests, one CachedLookup
 * per kind of value (the principals of token and user JWT digests, token names, user profiles,
 * organization summaries, allowed IP ranges, custom roles). A running server starts one cache per
 * store (startStoreCache); elsewhere (the astrolabe command, scripts) every lookup reads the store.
 *
 * Keeping it right:
 * - Every write to cached data calls invalidateToken/invalidateAll in the writing transaction.
 *   That adds one to the `auth_cache_epoch` row in the same transaction, on PostgreSQL also
 *   NOTIFYs CHANNEL (delivered at commit), and, once the transaction commits, clears this
 *   process's cache: the instance that made the change refuses a revoked token at once.
 * - Every other server clears its cache when it hears the NOTIFY (PostgreSQL) or, at the latest,
 *   when its poll of the epoch row (every POLL_MS) sees the number move, so a lost notification
 *   or a change from another process on SQLite (the astrolabe command) is seen within a second.
 * - A lookup that read the store before a clear never fills the cache after it: each fill
 *   checks that the cache's generation did not move while it read.
 * - Inside a transaction that has invalidated something, lookups bypass the cache (the
 *   transaction sees its own uncommitted writes; the cache must not learn them early).
 * Token expiry is not cached away: callers check `end_at` against the clock on every request.
 */

// The epoch row and the channel keep the names of when the cache held only authentication data:
// servers of every version sharing a store must agree on them.

/** Channel of the NOTIFY sent with every epoch change on PostgreSQL. */
export const CHANNEL = 'astrolabe_auth_cache';
/** How often each server reads the epoch row: a change is seen within this plus one read. */
export const POLL_MS = 500;
/** Entries per lookup; past this the oldest entry goes. */
const MAX_ENTRIES = 10_000;

class StoreCache {
  /** Moves on every clear; a fill that began under another generation is dropped. */
  generation = 0;
  /** The newest epoch this process has seen or written; the poll clears when the row is past it. */
  epoch = 0;
  readonly maps = new Map<CachedLookup<unknown>, Map<string, unknown>>();

  constructor(readonly background: (what: string, task: Promise<void>) => void) {}

  clear(): void {
    this.generation++;
    for (const m of this.maps.values()) m.clear();
  }

  map<V>(lookup: CachedLookup<V>): Map<string, V> {
    let m = this.maps.get(lookup as CachedLookup<unknown>);
    if (!m) this.maps.set(lookup as CachedLookup<unknown>, (m = new Map()));
    return m as Map<string, V>;
  }
}

const caches = new WeakMap<Db, StoreCache>();
/** Transactions that changed cached data: they read around the cache until they end. */
const changing = new WeakSet<Tx>();

function cacheFor(q: Queryable): StoreCache | undefined {
  if (q.isTransaction && changing.has(q as Tx)) return undefined;
  return caches.get(rootDb(q));
}

/**
 * One kind of cached value, by string key. `undefined` (not found) is never cached, so a row
 * created later is found at once.
 */
export class CachedLookup<V> {
  constructor(readonly name: string) {}

  async get(q: Queryable, key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const cache = cacheFor(q);
    if (!cache) return load();
    const m = cache.map(this);
    const hit = m.get(key);
    if (hit !== undefined) return hit;
    const generation = cache.generation;
    const value = await load();
    if (value !== undefined && cache.generation === generation) put(m, key, value);
    return value;
  }

  /** Values of many keys; `load` gets the keys not cached and answers those it finds. */
  async getMany(q: Queryable, keys: string[], load: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const cache = cacheFor(q);
    if (!cache) return load(keys);
    const m = cache.map(this);
    const out = new Map<string, V>();
    const missing: string[] = [];
    for (const k of keys) {
      const hit = m.get(k);
      if (hit !== undefined) out.set(k, hit);
      else missing.push(k);
    }
    if (missing.length === 0) return out;
    const generation = cache.generation;
    const loaded = await load(missing);
    const fill = cache.generation === generation;
    for (const [k, v] of loaded) {
      out.set(k, v);
      if (fill) put(m, k, v);
    }
    return out;
  }
}

function put<V>(m: Map<string, V>, key: string, value: V): void {
  if (m.size >= MAX_ENTRIES) m.delete(m.keys().next().value!);
  m.set(key, value);
}

/**
 * Adds one to the epoch row in `q`'s transaction (and NOTIFYs on PostgreSQL); once it commits,
 * clears this process's cache.
 */
async function changed(q: Queryable): Promise<void> {
  const row = await q.updateTable('auth_cache_epoch').set((eb) => ({ epoch: eb('epoch', '+', 1) })).where('id', '=', 1)
    .returning('epoch').executeTakeFirstOrThrow();
  const written = Number(row.epoch);
  if (storeKind(q) === 'postgres') await sql`select pg_notify(${CHANNEL}, ${String(written)})`.execute(q);
  if (q.isTransaction) changing.add(q as Tx);
  const db = rootDb(q);
  afterCommit(q, () => {
    const cache = caches.get(db);
    if (!cache) return;
    // Every epoch up to ours committed before this clear, so the poll need not clear again for them.
    cache.epoch = Math.max(cache.epoch, written);
    cache.clear();
  });
}

/**
 * Call in the transaction that changes a token: its secret, roles, expiry or name, or deletes
 * it. Every server stops honouring what it cached about any token (tokens are few and change
 * rarely, so one epoch for all of them is enough).
 */
export function invalidateToken(q: Queryable, _tokenId: string): Promise<void> {
  return changed(q);
}

/** Call in the transaction of any other change to cached data (an organization's name or plan). */
export function invalidateAll(q: Queryable): Promise<void> {
  return changed(q);
}

async function readEpoch(db: Db): Promise<number> {
  const row = await db.selectFrom('auth_cache_epoch').select('epoch').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.epoch);
}

export interface StoreCacheOptions {
  /** Where a failed poll, listener connection or background write is reported. */
  onError(err: unknown, what: string): void;
  /** PostgreSQL URL to LISTEN on; without it only the poll runs (SQLite). */
  databaseUrl?: string;
  /** Tests turn the listener off to prove the poll alone is enough. */
  listen?: boolean;
}

/**
 * Starts a write that the request need not wait for (refreshing `lastUsedAt`): with a running
 * cache it goes on in the background, a failure reported through onError and awaited by close();
 * without one (no server) it is simply awaited.
 */
export async function writeInBackground(q: Queryable, what: string, task: () => Promise<void>): Promise<void> {
  const cache = caches.get(rootDb(q));
  if (cache) cache.background(what, task());
  else await task();
}

export interface StoreCacheHandle {
  close(): Promise<void>;
}

/** Starts caching for `db` with its cross-instance watch; close() stops both. */
export async function startStoreCache(db: Db, opts: StoreCacheOptions): Promise<StoreCacheHandle> {
  if (caches.has(db)) throw new Error('the store cache is already running for this store');
  const initial = await readEpoch(db);
  let closed = false;
  const pending = new Set<Promise<void>>();
  const track = (what: string, p: Promise<void>) => {
    const done: Promise<void> = p.catch((err: unknown) => opts.onError(err, what)).finally(() => pending.delete(done));
    pending.add(done);
  };
  const cache = new StoreCache(track);
  cache.epoch = initial;

  let polling = false;
  const poll = () => {
    if (polling || closed) return;
    polling = true;
    track('store cache epoch poll', readEpoch(db).then((e) => {
      if (e > cache.epoch) {
        cache.epoch = e;
        cache.clear();
      }
    }).finally(() => { polling = false; }));
  };
  const timer = setInterval(poll, POLL_MS);
  timer.unref();

  // PostgreSQL: one connection of its own LISTENing, reconnected after a failure.
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const listen = async () => {
    if (closed || !opts.databaseUrl) return;
    const { default: PG } = await import('pg');
    if (closed) return;
    const c = new PG.Client({ connectionString: opts.databaseUrl });
    client = c;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed || closed) return;
      failed = true;
      opts.onError(err, 'store cache listener');
      cache.clear(); // notifications may have been missed meanwhile; the poll also covers it
      void c.end().catch(() => {});
      retry = setTimeout(() => void listen(), 1000);
      retry.unref();
    };
    c.on('error', fail);
    c.on('end', () => fail(new Error('the LISTEN connection ended')));
    c.on('notification', (n) => {
      const e = Number(n.payload);
      if (!(e <= cache.epoch)) { // a payload that is not a number clears too
        if (e > cache.epoch) cache.epoch = e;
        cache.clear();
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      fail(err);
    }
  };
  if (opts.databaseUrl && opts.listen !== false) await listen();

  caches.set(db, cache);
  return {
    close: async () => {
      caches.delete(db);
      clearInterval(timer);
      clearTimeout(retry);
      // Let background writes finish before the store closes; errors were reported already.
      while (pending.size > 0) await Promise.all(pending);
      closed = true;
      if (client) {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
      }
    },
  };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable, Tx } from './types.js';

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

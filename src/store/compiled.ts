import { CompiledQuery, type Compilable, type RawBuilder } from 'kysely';
import { directRead } from './open.js';
import { rootDb } from './transactions.js';
import type { Db, Queryable } from './types.js';

const MARK = '\u0000astrolabe-argument:';

/** Where each parameter of a compiled query comes from: an argument (by index) or a constant. */
type Slot = number | { value: unknown };

/**
 * A query built and compiled once per database (the SQL text differs between SQLite and
 * PostgreSQL), then run with new argument values: hot paths skip Kysely's query builder and
 * compiler on every request, and reads outside a transaction skip Kysely altogether (see
 * directRead in ./open.ts). `build` gets `arg(i)`, the placeholder of the i-th argument, to use
 * wherever a value goes; everything else in the query is fixed. Queries with a variable shape
 * (an IN list of any length, optional filters) are not for this. Raw `sql` works too, with
 * `arg(i)` interpolated as a value.
 */
export function precompiled<A extends unknown[], R>(
  // `arg(i)` stands for a value of any column type in the builder, hence any.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  build: (db: Db, arg: (i: number) => any) => Compilable<R> | RawBuilder<R>,
): (db: Queryable, ...args: A) => Promise<R[]> {
  const byDb = new WeakMap<Db, { sql: string; slots: Slot[] }>();
  return async (db, ...args) => {
    const root = rootDb(db);
    let c = byDb.get(root);
    if (!c) {
      // (A query builder compiles on its own; raw SQL needs the database for its dialect.)
      const q = build(root, (i) => MARK + i).compile(root);
      c = {
        sql: q.sql,
        slots: q.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : { value: p })),
      };
      byDb.set(root, c);
    }
    const parameters = c.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    const direct = directRead(db)?.(c.sql, parameters);
    if (direct) return direct as Promise<R[]>;
    return (await db.executeQuery<R>(CompiledQuery.raw(c.sql, parameters))).rows;
  };
}

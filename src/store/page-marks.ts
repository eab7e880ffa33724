import { sql, type RawBuilder, type Selectable } from 'kysely';
import { precompiled } from './compiled.js';
import { storeKind } from './open.js';
import { withinTransaction } from './transactions.js';
import type { Queryable, Tx } from './types.js';
import type { Page } from './pagination.js';
import type { Database } from './schema.js';

/**
 * Organization-size-independent lists: the rows of one table grouped by organization, in the
 * default order (created_at, id), with
 * - a maintained count per organization (the unfiltered totalCount), and
 * - page marks: the organization's rows in that order cut into runs; each mark holds the key
 *   (created_at, id) a run starts at, the run's position in the order and its length. A deep
 *   page finds the run holding its offset through an index and walks inside that run only.
 *
 * Storage: two tables shared by every list, keyed by the list's name (the name of its table):
 * `list_counts` (list, organization_id) and `list_page_marks` (list, organization_id, created_at,
 * id), created by migration 006. One generic pair rather than a pair per list, because the
 * queries here are then ordinary typed Kysely queries (only the listed table's name varies) and a
 * new list needs no tables, only a migration that backfills its rows (as 006 does). Both
 * reference organizations.id with ON DELETE CASCADE, as every listed table does: an organization
 * that goes takes its rows, its counts and its marks together, which keeps them consistent
 * whatever the list.
 *
 * The rules for the owner of a listed table (its repository), which is the only code that may
 * insert or delete its rows:
 * - every insert and delete is followed, in the same transaction, by added()/removed();
 * - rows are never deleted by a cascade from anything but their organization, and created_at,
 *   id and organization_id never change.
 * On PostgreSQL each change writes the organization's count row first, so its row lock puts
 * concurrent changes to one organization's marks in order (SQLite runs one write at a time).
 */

/** The tables that can be listed: scoped by organization, keyed by (created_at, id). */
export type ListedTable = {
  [T in keyof Database]: Database[T] extends { organization_id: string; created_at: string; id: string } ? T : never
}[keyof Database];

/** Where a row sits in the default order. */
export interface OrderKey { created_at: string; id: string }

/** Rows per run after a split (migration 006 cuts its backfill the same way), and the length that splits a run. */
export const MARK_SPAN = 1000;
const MARK_SPLIT = 2 * MARK_SPAN;
/** The key the first run of an organization starts at: before every (created_at, id). */
const FIRST: OrderKey = { created_at: '', id: '' };

export interface OrderedList<Row> {
  /** The list's name in list_counts and list_page_marks: its table. */
  readonly name: string;
  /** After inserting a row, in the same transaction. */
  added(tx: Tx, organizationId: string, key: OrderKey): Promise<void>;
  /** After deleting a row (only when it was there), in the same transaction. */
  removed(tx: Tx, organizationId: string, key: OrderKey): Promise<void>;
  /** How many rows the organization has, from the maintained count. */
  count(db: Queryable, organizationId: string): Promise<number>;
  /** A page in the default order with the count, at a cost that does not grow with the organization. */
  page(db: Queryable, organizationId: string, offset: number, limit: number): Promise<Page<Row>>;
  /**
   * Counts and cuts the organization's rows again in one pass: after a bulk insert that did not
   * call added() for each row (seeding).
   */
  rebuild(db: Queryable, organizationId: string): Promise<void>;
}

interface Mark { created_at: string; id: string; start_position: number; run_length: number }

const lists = new Map<string, OrderedList<unknown>>();

/** The ordered list of `table`, one per table (the queries are compiled once per database). */
export function orderedList<T extends ListedTable>(table: T): OrderedList<Selectable<Database[T]>> {
  let list = lists.get(table);
  if (!list) {
    list = makeList(table);
    lists.set(table, list);
  }
  return list as OrderedList<Selectable<Database[T]>>;
}

/** A row of a default-order page, with the organization's count alongside. */
type CountedRow = Record<string, unknown> & { page_total_count: number | string | null };
type PageQuery = (db: Queryable, organizationId: string, offset: number) => Promise<CountedRow[]>;

function makeList(table: ListedTable): OrderedList<unknown> {
  const t = sql.table(table);

  const countOf = precompiled<[string], { total: number }>((db, arg) =>
    db.selectFrom('list_counts').select('total').where('list', '=', table).where('organization_id', '=', arg(0)));

  async function count(db: Queryable, organizationId: string): Promise<number> {
    return Number((await countOf(db, organizationId))[0]?.total ?? 0);
  }

  /**
   * The statement of a page, for one store kind, one limit, and near or deep offsets. One
   * statement, so one consistent read and one round trip, with the count in every row. A deep
   * page starts its walk at the run holding `offset` (the last mark starting at or before it)
   * and skips only what lies between that run's start and `offset`; a near one
   * (offset < MARK_SPAN) walks from the start. SQLite reads whole rows as it walks (a skipped row
   * costs an index step); PostgreSQL walks an index-only list of ids and reads only the rows of
   * the page. The limit is written into the SQL: SQLite runs a page of 20 about a quarter faster
   * with `LIMIT 20` than with `LIMIT ?` (measured), and there are few distinct limits. Needs an
   * index on (organization_id, created_at, id) of the listed table.
   */
  const pageQueries = new Map<string, PageQuery>();
  function pageQuery(postgres: boolean, deep: boolean, limit: number): PageQuery {
    const key = `${postgres}:${deep}:${limit}`;
    let q = pageQueries.get(key);
    if (q) return q;
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`bad page limit ${limit}`);
    q = precompiled<[string, number], CountedRow>((_db, arg) => {
      const total = sql`(select total from list_counts where list = ${table} and organization_id = ${arg(0)})`;
      const run = (columns: string) => sql`(select ${sql.raw(columns)} from list_page_marks
        where list = ${table} and organization_id = ${arg(0)} and start_position <= ${arg(1)} order by start_position desc limit 1)`;
      const from = deep ? sql`and (created_at, id) >= ${run('created_at, id')}` : sql``;
      const skip = deep ? sql`${arg(1)} - ${run('start_position')}` : sql`${arg(1)}`;
      const walk = (columns: RawBuilder<unknown>) => sql`select ${columns} from ${t} where organization_id = ${arg(0)} ${from}
        order by created_at, id limit ${sql.lit(limit)} offset ${skip}`;
      return postgres
        ? sql<CountedRow>`select r.*, ${total} as page_total_count from ${t} r join (${walk(sql`id`)}) p on p.id = r.id order by r.created_at, r.id`
        : walk(sql`*, ${total} as page_total_count`) as RawBuilder<CountedRow>;
    });
    pageQueries.set(key, q);
    return q;
  }

  async function page(db: Queryable, organizationId: string, offset: number, limit: number): Promise<Page<unknown>> {
    // An offset past any count a store holds (the API sets no maximum) is simply past the end.
    const rows = limit === 0 || !Number.isSafeInteger(offset) ? [] : await pageQuery(storeKind(db) === 'postgres', offset >= MARK_SPAN, limit)(db, organizationId, offset);
    // (The count rides along on every row; only a page past the end needs it on its own.)
    // The rows keep their page_total_count: deleting a property would cost more than carrying it
    // (an object that loses one is slower to read), and views pick their fields by name.
    const totalCount = rows.length > 0 ? Number(rows[0]!.page_total_count) : await count(db, organizationId);
    return { items: rows, offset, limit, totalCount };
  }

  /** The mark of the run that holds (created_at, id): the last one starting at or before it. */
  const runOf = precompiled<[string, string, string], Mark>((db, arg) =>
    db.selectFrom('list_page_marks').select(['created_at', 'id', 'start_position', 'run_length'])
      .where('list', '=', table).where('organization_id', '=', arg(0))
      .where((eb) => eb(eb.refTuple('created_at', 'id'), '<=', eb.tuple(arg(1), arg(2))))
      .orderBy('created_at', 'desc').orderBy('id', 'desc')
      .limit(1));

  /** The key `arg(3)` rows after (created_at, id) in the listed table. */
  const keyAt = precompiled<[string, string, string, number], OrderKey>((_db, arg) =>
    sql<OrderKey>`select created_at, id from ${t} where organization_id = ${arg(0)} and (created_at, id) >= (${arg(1)}, ${arg(2)})
      order by created_at, id limit 1 offset ${arg(3)}`);

  const addToCount = precompiled<[string, number], never>((db, arg) =>
    db.insertInto('list_counts').values({ list: table, organization_id: arg(0), total: arg(1) })
      .onConflict((oc) => oc.columns(['list', 'organization_id']).doUpdateSet((eb) => ({ total: eb('list_counts.total', '+', arg(1)) }))));

  const setRunLength = precompiled<[number, string, string, string], never>((db, arg) =>
    db.updateTable('list_page_marks').set({ run_length: arg(0) })
      .where('list', '=', table).where('organization_id', '=', arg(1)).where('created_at', '=', arg(2)).where('id', '=', arg(3)));

  /** Moves every run after (created_at, id) by `delta` positions. */
  const shiftRunsAfter = precompiled<[number, string, string, string], never>((db, arg) =>
    db.updateTable('list_page_marks').set((eb) => ({ start_position: eb('start_position', '+', arg(0)) }))
      .where('list', '=', table).where('organization_id', '=', arg(1))
      .where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(arg(2), arg(3)))));

  const addRun = precompiled<[string, string, string, number, number], never>((db, arg) =>
    db.insertInto('list_page_marks').values({ list: table, organization_id: arg(0), created_at: arg(1), id: arg(2), start_position: arg(3), run_length: arg(4) }));

  const dropRun = precompiled<[string, string, string], never>((db, arg) =>
    db.deleteFrom('list_page_marks').where('list', '=', table).where('organization_id', '=', arg(0)).where('created_at', '=', arg(1)).where('id', '=', arg(2)));

  /**
   * Keeps the count and the runs right after one row came or went: the run holding it grows or
   * shrinks, every later run moves by one position (none, for the usual newest row, whose run is
   * the last), a run grown to MARK_SPLIT is cut in two, and an emptied run goes (except the first).
   */
  async function counted(tx: Tx, organizationId: string, key: OrderKey, delta: 1 | -1): Promise<void> {
    await addToCount(tx, organizationId, delta);
    const run = (await runOf(tx, organizationId, key.created_at, key.id))[0];
    if (!run) {
      await addRun(tx, organizationId, FIRST.created_at, FIRST.id, 0, delta);
      return;
    }
    const n = Number(run.run_length) + delta;
    await shiftRunsAfter(tx, delta, organizationId, run.created_at, run.id);
    const isFirst = run.created_at === FIRST.created_at && run.id === FIRST.id;
    if (n <= 0 && !isFirst) {
      await dropRun(tx, organizationId, run.created_at, run.id);
    } else if (n < MARK_SPLIT) {
      await setRunLength(tx, n, organizationId, run.created_at, run.id);
    } else {
      // The run is long: cut it where its second half starts.
      const cut = (await keyAt(tx, organizationId, run.created_at, run.id, MARK_SPAN))[0]!;
      await setRunLength(tx, MARK_SPAN, organizationId, run.created_at, run.id);
      await addRun(tx, organizationId, cut.created_at, cut.id, Number(run.start_position) + MARK_SPAN, n - MARK_SPAN);
    }
  }

  async function rebuild(db: Queryable, organizationId: string): Promise<void> {
    await withinTransaction(db, async (tx) => {
      // Count row first, as in counted(): it orders this against concurrent changes.
      await addToCount(tx, organizationId, 0);
      const keys = await sql<OrderKey>`select created_at, id from ${t} where organization_id = ${organizationId} order by created_at, id`.execute(tx);
      const n = keys.rows.length;
      await tx.updateTable('list_counts').set({ total: n }).where('list', '=', table).where('organization_id', '=', organizationId).execute();
      await tx.deleteFrom('list_page_marks').where('list', '=', table).where('organization_id', '=', organizationId).execute();
      const marks = [];
      for (let i = 0; i < n; i += MARK_SPAN) {
        const start = i === 0 ? FIRST : keys.rows[i]!;
        marks.push({ list: table, organization_id: organizationId, created_at: start.created_at, id: start.id, start_position: i, run_length: Math.min(MARK_SPAN, n - i) });
      }
      for (let i = 0; i < marks.length; i += 500) await tx.insertInto('list_page_marks').values(marks.slice(i, i + 500)).execute();
    });
  }

  return {
    name: table,
    added: (tx, organizationId, key) => counted(tx, organizationId, key, 1),
    removed: (tx, organizationId, key) => counted(tx, organizationId, key, -1),
    count,
    page,
    rebuild,
  };
}

/** Whether `sorts` asks for the default order (createdAt ascending, id last). */
export function isDefaultOrder(sorts: string[] | undefined): boolean {
  if (!sorts || sorts.length === 0) return true;
  return sorts.length === 1 && (sorts[0] === 'createdAt:asc' || sorts[0] === 'createdAt');
}

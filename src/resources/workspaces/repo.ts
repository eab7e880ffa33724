import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import { precompiled } from '../../store/compiled.js';
import { storeKind, withinTransaction, type Queryable, type Tx } from '../../store/db.js';
import type { WorkspacesTable } from '../../store/schema.js';
import { paginate, type Page, type PageRequest } from '../../store/pagination.js';

/**
 * The one owner of `workspaces`, and of what is kept beside them so that listing costs the same
 * whatever an organization's size (see migrations/005_workspace_counts.ts):
 * - `workspace_counts`, the unfiltered totalCount;
 * - `workspace_page_marks`, runs of the default order (created_at, id) with their lengths, so a
 *   deep page walks at most one run instead of every workspace before it.
 * Both change in the transaction of every insert and delete; the count row is written first, so
 * on PostgreSQL its row lock puts concurrent changes to one organization's marks in order.
 */
export type WorkspaceRow = Selectable<WorkspacesTable>;

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' };
const DEFAULT_SORT = 'createdAt:asc';
/** Workspaces per run after a split (also in migration 005), and the length that splits a run. */
const MARK_SPAN = 1000;
const MARK_SPLIT = 2 * MARK_SPAN;
/** The key the first run of an organization starts at: before every (created_at, id). */
const FIRST = { created_at: '', id: '' };

function selectWorkspaces(db: Queryable, organizationId: string) {
  return db.selectFrom('workspaces').selectAll().where('organization_id', '=', organizationId);
}

const findById = precompiled<[string, string], WorkspaceRow>((db, arg) =>
  db.selectFrom('workspaces').selectAll().where('organization_id', '=', arg(0)).where('id', '=', arg(1)));

export async function findWorkspace(db: Queryable, organizationId: string, id: string): Promise<WorkspaceRow | undefined> {
  return (await findById(db, organizationId, id))[0];
}

const countOf = precompiled<[string], { workspaces: number }>((db, arg) =>
  db.selectFrom('workspace_counts').select('workspaces').where('organization_id', '=', arg(0)));

/** How many workspaces the organization has, from the maintained count. */
export async function countWorkspaces(db: Queryable, organizationId: string): Promise<number> {
  return Number((await countOf(db, organizationId))[0]?.workspaces ?? 0);
}

/** A row of a default-order page, with the organization's workspace count alongside. */
type CountedRow = WorkspaceRow & { total_count: number | string | null };

type PageQuery = (db: Queryable, organizationId: string, offset: number) => Promise<CountedRow[]>;

/**
 * The statement of a page in the default order, for one store kind, one limit, and near or deep
 * offsets. One statement, so one consistent read and one round trip, with the organization's
 * count in every row. A deep page starts its walk at the run holding `offset` (the last mark
 * starting at or before it) and skips only what lies between that run's start and `offset`; a
 * near one (offset < MARK_SPAN) walks from the start. SQLite reads whole rows as it walks (a
 * skipped row costs an index step); PostgreSQL walks an index-only list of ids and reads only
 * the rows of the page. The limit is written into the SQL: SQLite runs a page of 20 about a
 * quarter faster with `LIMIT 20` than with `LIMIT ?` (measured), and there are few distinct limits.
 */
function pageQuery(postgres: boolean, deep: boolean, limit: number): PageQuery {
  const key = `${postgres}:${deep}:${limit}`;
  let q = pageQueries.get(key);
  if (q) return q;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`bad page limit ${limit}`);
  q = precompiled<[string, number], CountedRow>((_db, arg) => {
    const total = sql`(select workspaces from workspace_counts where organization_id = ${arg(0)})`;
    const run = (columns: string) => sql`(select ${sql.raw(columns)} from workspace_page_marks
      where organization_id = ${arg(0)} and start_position <= ${arg(1)} order by start_position desc limit 1)`;
    const from = deep ? sql`and (created_at, id) >= ${run('created_at, id')}` : sql``;
    const skip = deep ? sql`${arg(1)} - ${run('start_position')}` : sql`${arg(1)}`;
    const walk = (columns: RawBuilder<unknown>) => sql`select ${columns} from workspaces where organization_id = ${arg(0)} ${from}
      order by created_at, id limit ${sql.lit(limit)} offset ${skip}`;
    return postgres
      ? sql<CountedRow>`select w.*, ${total} as total_count from workspaces w join (${walk(sql`id`)}) p on p.id = w.id order by w.created_at, w.id`
      : walk(sql`*, ${total} as total_count`) as RawBuilder<CountedRow>;
  });
  pageQueries.set(key, q);
  return q;
}
const pageQueries = new Map<string, PageQuery>();

/** An unfiltered page in the default order, at a cost that does not grow with the organization. */
async function defaultOrderPage(db: Queryable, organizationId: string, offset: number, limit: number): Promise<Page<WorkspaceRow>> {
  // An offset past any count a store holds (the schema has no maximum) is simply past the end.
  const rows = limit === 0 || !Number.isSafeInteger(offset) ? [] : await pageQuery(storeKind(db) === 'postgres', offset >= MARK_SPAN, limit)(db, organizationId, offset);
  // (The count rides along on every row; only a page past the end needs it on its own.)
  const totalCount = rows.length > 0 ? Number(rows[0]!.total_count) : await countWorkspaces(db, organizationId);
  return { items: rows, offset, limit, totalCount };
}

function isDefaultOrder(sorts: string[] | undefined): boolean {
  if (!sorts || sorts.length === 0) return true;
  return sorts.length === 1 && (sorts[0] === DEFAULT_SORT || sorts[0] === 'createdAt');
}

/**
 * Takes the row lock of a workspace (PostgreSQL; SQLite runs write transactions one at a time):
 * a Deployment created in the workspace and the workspace's deletion then cannot interleave.
 */
export async function lockWorkspace(db: Queryable, organizationId: string, id: string): Promise<void> {
  await db.updateTable('workspaces').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function listWorkspaces(db: Queryable, organizationId: string, f: { ids?: string[]; names?: string[] }, page: PageRequest) {
  const unfiltered = !f.ids && !f.names;
  if (unfiltered && isDefaultOrder(page.sorts)) return defaultOrderPage(db, organizationId, page.offset ?? 0, page.limit ?? 20);
  let q = selectWorkspaces(db, organizationId);
  if (f.ids) q = q.where('id', 'in', f.ids);
  if (f.names) q = q.where('name', 'in', f.names);
  return paginate(q, page, SORT_COLUMNS, DEFAULT_SORT, 'id', {
    count: unfiltered ? () => countWorkspaces(db, organizationId) : undefined,
    wholeRows: storeKind(db) === 'sqlite',
  });
}

interface Mark { created_at: string; id: string; start_position: number; workspaces: number }

/** The mark of the run that holds (created_at, id): the last one starting at or before it. */
const runOf = precompiled<[string, string, string], Mark>((db, arg) =>
  db.selectFrom('workspace_page_marks').select(['created_at', 'id', 'start_position', 'workspaces'])
    .where('organization_id', '=', arg(0))
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '<=', eb.tuple(arg(1), arg(2))))
    .orderBy('created_at', 'desc').orderBy('id', 'desc')
    .limit(1));

const keyAt = precompiled<[string, string, string, number], { created_at: string; id: string }>((db, arg) =>
  db.selectFrom('workspaces').select(['created_at', 'id'])
    .where('organization_id', '=', arg(0))
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '>=', eb.tuple(arg(1), arg(2))))
    .orderBy('created_at').orderBy('id').limit(1).offset(arg(3)));

const addToCount = precompiled<[string, number], never>((db, arg) =>
  db.insertInto('workspace_counts').values({ organization_id: arg(0), workspaces: arg(1) })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet((eb) => ({ workspaces: eb('workspace_counts.workspaces', '+', arg(1)) }))));

const setRunLength = precompiled<[number, string, string, string], never>((db, arg) =>
  db.updateTable('workspace_page_marks').set({ workspaces: arg(0) })
    .where('organization_id', '=', arg(1)).where('created_at', '=', arg(2)).where('id', '=', arg(3)));

/** Moves every run after (created_at, id) by `delta` positions. */
const shiftRunsAfter = precompiled<[number, string, string, string], never>((db, arg) =>
  db.updateTable('workspace_page_marks').set((eb) => ({ start_position: eb('start_position', '+', arg(0)) }))
    .where('organization_id', '=', arg(1))
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(arg(2), arg(3)))));

const addRun = precompiled<[string, string, string, number, number], never>((db, arg) =>
  db.insertInto('workspace_page_marks').values({ organization_id: arg(0), created_at: arg(1), id: arg(2), start_position: arg(3), workspaces: arg(4) }));

const dropRun = precompiled<[string, string, string], never>((db, arg) =>
  db.deleteFrom('workspace_page_marks').where('organization_id', '=', arg(0)).where('created_at', '=', arg(1)).where('id', '=', arg(2)));

/**
 * Keeps the count and the runs right after one workspace came or went: the run holding it grows
 * or shrinks, every later run moves by one position (none, for the usual newest workspace, whose
 * run is the last), a run grown to MARK_SPLIT is cut in two, and an emptied run goes (except
 * the first).
 */
async function counted(tx: Tx, organizationId: string, key: { created_at: string; id: string }, delta: 1 | -1): Promise<void> {
  await addToCount(tx, organizationId, delta);
  const run = (await runOf(tx, organizationId, key.created_at, key.id))[0];
  if (!run) {
    await addRun(tx, organizationId, FIRST.created_at, FIRST.id, 0, delta);
    return;
  }
  const n = Number(run.workspaces) + delta;
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

export async function insertWorkspace(db: Queryable, row: Insertable<WorkspacesTable>): Promise<void> {
  await withinTransaction(db, async (tx) => {
    await tx.insertInto('workspaces').values(row).execute();
    await counted(tx, row.organization_id, row, 1);
  });
}

/**
 * Inserts many workspaces of one organization at once (seeding), then recounts the
 * organization's runs in one pass.
 */
export async function insertWorkspaces(db: Queryable, organizationId: string, rows: Insertable<WorkspacesTable>[]): Promise<void> {
  await withinTransaction(db, async (tx) => {
    // Count row first, as in counted(): it orders this against concurrent changes.
    await tx.insertInto('workspace_counts').values({ organization_id: organizationId, workspaces: 0 })
      .onConflict((oc) => oc.column('organization_id').doUpdateSet((eb) => ({ workspaces: eb('workspace_counts.workspaces', '+', 0) })))
      .execute();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      if (chunk.some((r) => r.organization_id !== organizationId)) throw new Error('insertWorkspaces: rows of another organization');
      await tx.insertInto('workspaces').values(chunk).execute();
    }
    const keys = await tx.selectFrom('workspaces').select(['created_at', 'id'])
      .where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
    await tx.updateTable('workspace_counts').set({ workspaces: keys.length }).where('organization_id', '=', organizationId).execute();
    await tx.deleteFrom('workspace_page_marks').where('organization_id', '=', organizationId).execute();
    const marks = [];
    for (let i = 0; i < keys.length; i += MARK_SPAN) {
      const start = i === 0 ? FIRST : keys[i]!;
      marks.push({ organization_id: organizationId, created_at: start.created_at, id: start.id, start_position: i, workspaces: Math.min(MARK_SPAN, keys.length - i) });
    }
    for (let i = 0; i < marks.length; i += 500) await tx.insertInto('workspace_page_marks').values(marks.slice(i, i + 500)).execute();
  });
}

/**
 * Both writes say whether they found the row. The service checks the workspace exists first, but
 * on PostgreSQL a delete can commit between that check and the write, which then touches nothing.
 */
export async function updateWorkspace(db: Queryable, id: string, changes: Updateable<WorkspacesTable>): Promise<boolean> {
  // created_at and organization_id never change, so neither do the count and the runs.
  const result = await db.updateTable('workspaces').set(changes).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteWorkspace(db: Queryable, id: string): Promise<boolean> {
  return withinTransaction(db, async (tx) => {
    const gone = await tx.deleteFrom('workspaces').where('id', '=', id).returning(['organization_id', 'created_at']).executeTakeFirst();
    if (gone) await counted(tx, gone.organization_id, { created_at: gone.created_at, id }, -1);
    return gone !== undefined;
  });
}

/** The subset of `ids` that are workspaces of the organization. */
export async function existingWorkspaceIds(db: Queryable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('workspaces').select('id')
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Workspaces whose default cluster is deleted fall back to no default. */
export async function clearDefaultCluster(db: Queryable, clusterId: string): Promise<void> {
  await db.updateTable('workspaces').set({ default_cluster_id: null }).where('default_cluster_id', '=', clusterId).execute();
}

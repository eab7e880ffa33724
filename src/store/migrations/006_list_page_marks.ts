import { sql, type Kysely } from 'kysely';

/** Rows per run of the backfill (MARK_SPAN in store/page-marks.ts; any length below twice that is valid there). */
const MARK_SPAN = 1000;

/**
 * The counts and page marks of every organization-scoped list, in two tables shared by all lists
 * and keyed by the list's name (its table); see store/page-marks.ts, their one owner.
 * - list_counts: the number of rows of each organization, for an unfiltered totalCount.
 * - list_page_marks: an organization's rows in their default order (created_at, id), cut into
 *   runs; each mark is the (created_at, id) where a run starts, its position in the order
 *   (start_position) and its number of rows (run_length). The first mark of an organization
 *   starts at ('', '') and position 0.
 * Filled here for the lists kept so far: workspaces (whose marks of migration 005 had a table of
 * their own, dropped here: the new ones are computed from the workspaces themselves) and
 * deployments (new: a deep page of Deployments walked every Deployment before it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('list_counts')
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('total', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('list_counts_pk', ['list', 'organization_id'])
    .execute();
  await db.schema.createTable('list_page_marks')
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('start_position', 'integer', (c) => c.notNull())
    .addColumn('run_length', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('list_page_marks_pk', ['list', 'organization_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('list_page_marks_position').on('list_page_marks').columns(['list', 'organization_id', 'start_position']).execute();

  for (const table of ['workspaces', 'deployments']) await backfill(db, table);
  await db.schema.dropTable('workspace_page_marks').ifExists().execute();
  await db.schema.dropTable('workspace_counts').ifExists().execute();
}

/** Counts and cuts the rows of `table` for every organization, in two statements. */
async function backfill(db: Kysely<any>, table: string): Promise<void> {
  const t = sql.table(table);
  await sql`insert into list_counts (list, organization_id, total)
    select ${table}, organization_id, count(*) from ${t} group by organization_id`.execute(db);
  await sql`insert into list_page_marks (list, organization_id, created_at, id, start_position, run_length)
    select ${table}, organization_id,
      case when position = 0 then '' else created_at end,
      case when position = 0 then '' else id end,
      position,
      case when total - position < ${sql.lit(MARK_SPAN)} then total - position else ${sql.lit(MARK_SPAN)} end
    from (select organization_id, created_at, id,
            row_number() over (partition by organization_id order by created_at, id) - 1 as position,
            count(*) over (partition by organization_id) as total
          from ${t}) k
    where position % ${sql.lit(MARK_SPAN)} = 0`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

import type { Kysely } from 'kysely';

/** Rows per page mark after a split (kept in step with MARK_SPAN in resources/workspaces/repo.ts). */
const MARK_SPAN = 1000;

/**
 * What lets a workspace list cost the same in an organization of a thousand workspaces or of a
 * hundred thousand (owned by resources/workspaces/repo.ts):
 * - workspace_counts: the number of workspaces of each organization, for an unfiltered totalCount.
 * - workspace_page_marks: the workspaces of an organization in their default order
 *   (created_at, id), cut into runs; each mark is the (created_at, id) where a run starts, its
 *   position in the order (start_position) and the number of workspaces in it. The first mark
 *   of an organization starts at ('', '') and position 0. A deep page finds the run holding its
 *   offset through the (organization_id, start_position) index and walks inside that run only.
 * Both are filled here for the workspaces already stored.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('workspace_counts')
    .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('workspaces', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createTable('workspace_page_marks')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('start_position', 'integer', (c) => c.notNull())
    .addColumn('workspaces', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_page_marks_pk', ['organization_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('workspace_page_marks_position').on('workspace_page_marks').columns(['organization_id', 'start_position']).execute();

  const orgs = await db.selectFrom('workspaces').select('organization_id').distinct().execute();
  for (const { organization_id } of orgs) {
    const keys = await db.selectFrom('workspaces').select(['created_at', 'id'])
      .where('organization_id', '=', organization_id).orderBy('created_at').orderBy('id').execute();
    await db.insertInto('workspace_counts').values({ organization_id, workspaces: keys.length }).execute();
    const marks = [];
    for (let i = 0; i < keys.length; i += MARK_SPAN) {
      const start = i === 0 ? { created_at: '', id: '' } : keys[i]!;
      marks.push({ organization_id, created_at: start.created_at, id: start.id, start_position: i, workspaces: Math.min(MARK_SPAN, keys.length - i) });
    }
    for (let i = 0; i < marks.length; i += 500) await db.insertInto('workspace_page_marks').values(marks.slice(i, i + 500)).execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

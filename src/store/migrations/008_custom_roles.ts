import type { Kysely } from 'kysely';

/**
 * Custom roles of an organization (owned by src/resources/roles/repo.ts). Permissions and the
 * Workspaces a role is restricted to are JSON arrays: they are read and written whole with the
 * role. Names are unique per organization, but unbounded in the API, so uniqueness is checked
 * under the organization's row lock rather than by an index (a PostgreSQL btree entry must stay
 * under ~2.7 kB; see 002_unbounded_names).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('custom_roles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('scope_type', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('restricted_workspace_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_id', 'text', (c) => c.notNull())
    .addColumn('updated_by_type', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('custom_roles_org').on('custom_roles').columns(['organization_id', 'created_at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

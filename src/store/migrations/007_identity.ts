import type { Kysely } from 'kysely';

/**
 * Users, invites and Teams, and the Workspace/Deployment/DAG roles both hold.
 *
 * - users: one row per person. A user belongs to at most one Organization (organization_id; null
 *   for someone who signed in but was never invited). `subject` is the identity provider's `sub`,
 *   null while the user is only invited; `email` is stored lower-cased. Both are unique.
 *   status is ACTIVE or PENDING (invited, not yet signed in).
 * - user_invites: the open invite of a PENDING user (at most one per user); accepted or deleted
 *   invites are removed.
 * - teams / team_members: Teams of an Organization and who is in them.
 * - subject_roles: the Workspace, Deployment and DAG roles of a user or a Team (subject_type
 *   USER | TEAM). scope_type is WORKSPACE, DEPLOYMENT, DAG (entity_id = DAG id) or DAG_TAG
 *   (entity_id = tag); deployment_id is set for DAG and DAG_TAG roles. Organization roles live on
 *   the users and teams rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('set null'))
    .addColumn('subject', 'text', (c) => c.unique())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('avatar_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('organization_role', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_org_created').on('users').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema.createTable('user_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('inviter_id', 'text', (c) => c.notNull())
    .addColumn('inviter_type', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_invites_org').on('user_invites').columns(['organization_id']).execute();

  await db.schema.createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('is_idp_managed', 'integer', (c) => c.notNull())
    .addColumn('organization_role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_id', 'text', (c) => c.notNull())
    .addColumn('updated_by_type', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('teams_org_created').on('teams').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema.createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user').on('team_members').columns(['user_id']).execute();

  await db.schema.createTable('subject_roles')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('scope_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subject_roles_pk', ['subject_id', 'position'])
    .execute();
  await db.schema.createIndex('subject_roles_entity').on('subject_roles').columns(['organization_id', 'scope_type', 'entity_id']).execute();
  await db.schema.createIndex('subject_roles_deployment').on('subject_roles').columns(['deployment_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

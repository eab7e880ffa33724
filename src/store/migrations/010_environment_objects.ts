import type { CreateTableBuilder, Kysely } from 'kysely';
import type { SecretBox } from '../crypto.js';

function audit<T extends string>(t: CreateTableBuilder<T, never>) {
  return t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_id', 'text', (c) => c.notNull())
    .addColumn('updated_by_type', 'text', (c) => c.notNull());
}

/**
 * Environment objects (owned by resources/envobjects/repo.ts), and secrets at rest.
 *
 * - environment_objects: an object belongs to a Workspace, and at DEPLOYMENT scope also to a
 *   Deployment; deleting either deletes it (ON DELETE CASCADE), as does deleting the
 *   Organization. One key per (scope entity, object type): the unique index; keys are capped at
 *   250 characters by the service, so the index entry fits PostgreSQL's btree on any text.
 * - environment_object_links / environment_object_exclusions: a Workspace object's explicit
 *   links and excluded Deployments; they go with the object or with the Deployment.
 * - Secret values of Deployment environment variables were stored as sent: they are sealed here
 *   with the store's secret key (store/crypto.ts), as every later write seals them.
 */
export async function up(db: Kysely<any>, box: SecretBox): Promise<void> {
  await audit(db.schema.createTable('environment_objects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.references('deployments.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_entity_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('auto_link_deployments', 'integer', (c) => c.notNull())
    .addColumn('is_secret', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('secret_data', 'text'))
    .execute();
  await db.schema.createIndex('environment_objects_scope_key').unique().on('environment_objects')
    .columns(['scope_entity_id', 'object_type', 'object_key']).execute();
  await db.schema.createIndex('environment_objects_org_workspace').on('environment_objects').columns(['organization_id', 'workspace_id', 'created_at']).execute();
  await db.schema.createIndex('environment_objects_deployment').on('environment_objects').columns(['deployment_id']).execute();

  await db.schema.createTable('environment_object_links')
    .addColumn('object_id', 'text', (c) => c.notNull().references('environment_objects.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('overrides', 'text', (c) => c.notNull())
    .addColumn('secret_overrides', 'text')
    .addPrimaryKeyConstraint('environment_object_links_pk', ['object_id', 'deployment_id'])
    .execute();
  await db.schema.createIndex('environment_object_links_deployment').on('environment_object_links').columns(['deployment_id']).execute();

  await db.schema.createTable('environment_object_exclusions')
    .addColumn('object_id', 'text', (c) => c.notNull().references('environment_objects.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('environment_object_exclusions_pk', ['object_id', 'deployment_id'])
    .execute();
  await db.schema.createIndex('environment_object_exclusions_deployment').on('environment_object_exclusions').columns(['deployment_id']).execute();

  // Every secret value stored so far is plain text: seal each one.
  const plain = await db.selectFrom('deployment_env_vars').select(['deployment_id', 'position', 'secret_value'])
    .where('secret_value', 'is not', null).execute() as { deployment_id: string; position: number; secret_value: string }[];
  for (const r of plain) {
    await db.updateTable('deployment_env_vars').set({ secret_value: box.seal(r.secret_value) })
      .where('deployment_id', '=', r.deployment_id).where('position', '=', r.position).execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

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
 * Deploys and what they bring:
 * - deployments gain the image tag and DAG tarball versions deploys set;
 * - deploys: the history of each Deployment (numbered by seq), gone with it;
 * - deploy_uploads: each tarball uploaded for a deploy, by kind (dags | bundle) and the version id
 *   the upload answered, with its content digest and file list;
 * - upload_blocks: staged blocks of a block upload until their block list is committed (or they expire);
 * - blob_contents: tarball bytes by sha256 on PostgreSQL, so every instance reads them (SQLite keeps
 *   them as files under the data directory instead);
 * - deployment_bundles: the bundles a Deployment mounts, one per mount path;
 * - api_tokens gain the Deployment an agent token belongs to (null for API tokens), gone with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';

  for (const column of ['image_tag', 'dag_tarball_version', 'desired_dag_tarball_version']) {
    await db.schema.alterTable('deployments').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('api_tokens')
    .addColumn('agent_deployment_id', 'text', (c) => c.references('deployments.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('api_tokens_agent').on('api_tokens').columns(['agent_deployment_id', 'created_at', 'id']).execute();

  await audit(db.schema.createTable('deploys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('git', 'text')
    .addColumn('runtime_version', 'text', (c) => c.notNull())
    .addColumn('image_repository', 'text', (c) => c.notNull())
    .addColumn('image_tag', 'text', (c) => c.notNull())
    .addColumn('is_dag_deploy_enabled', 'integer', (c) => c.notNull())
    .addColumn('dag_tarball_version', 'text')
    .addColumn('bundle_type', 'text')
    .addColumn('bundle_mount_path', 'text')
    .addColumn('bundle_tarball_version', 'text')
    .addColumn('rollback_from_id', 'text')
    .addColumn('upload_expires_at', 'text', (c) => c.notNull()))
    .execute();
  await db.schema.createIndex('deploys_deployment_seq').unique().on('deploys').columns(['deployment_id', 'seq']).execute();

  await db.schema.createTable('deploy_uploads')
    .addColumn('deploy_id', 'text', (c) => c.notNull().references('deploys.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deploy_uploads_pk', ['deploy_id', 'kind', 'version'])
    .execute();
  await db.schema.createIndex('deploy_uploads_sha').on('deploy_uploads').columns(['sha256']).execute();

  await db.schema.createTable('upload_blocks')
    .addColumn('deploy_id', 'text', (c) => c.notNull().references('deploys.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('block_id', 'text', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('staged_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_blocks_pk', ['deploy_id', 'kind', 'block_id'])
    .execute();
  await db.schema.createIndex('upload_blocks_staged').on('upload_blocks').columns(['staged_at']).execute();

  await db.schema.createTable('blob_contents')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .execute();

  await db.schema.createTable('deployment_bundles')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('mount_path', 'text', (c) => c.notNull())
    .addColumn('bundle_type', 'text', (c) => c.notNull())
    .addColumn('deploy_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_bundles_pk', ['deployment_id', 'mount_path'])
    .execute();
}

import type { CreateTableBuilder, Kysely } from 'kysely';

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
 * Deployments, their worker queues and environment variables. A Deployment keeps its Workspace
 * and cluster (no cascade: those deletes are refused while Deployments exist); its queues and
 * variables go with it. Names are at most 500 characters, so they may be indexed on both stores.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await audit(db.schema.createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('cluster_id', 'text', (c) => c.references('clusters.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('cloud_provider', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('runtime_version', 'text', (c) => c.notNull())
    .addColumn('executor', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('scheduler_size', 'text')
    .addColumn('scheduler_au', 'integer')
    .addColumn('scheduler_replicas', 'integer')
    .addColumn('is_high_availability', 'integer')
    .addColumn('is_development_mode', 'integer')
    .addColumn('is_cicd_enforced', 'integer', (c) => c.notNull())
    .addColumn('is_dag_deploy_enabled', 'integer', (c) => c.notNull())
    .addColumn('resource_quota_cpu', 'text')
    .addColumn('resource_quota_memory', 'text')
    .addColumn('default_task_pod_cpu', 'text')
    .addColumn('default_task_pod_memory', 'text')
    .addColumn('task_pod_node_pool_id', 'text')
    .addColumn('workload_identity', 'text')
    .addColumn('dr_workload_identity', 'text')
    .addColumn('contact_emails', 'text')
    .addColumn('remote_execution', 'text')
    .addColumn('hibernation_schedules', 'text')
    .addColumn('hibernation_override', 'text')
    .addColumn('pending_status', 'text')
    .addColumn('pending_until', 'text'))
    .execute();
  // List pages: filter on the organization (and optionally the Workspace), sort by one column, id last.
  await db.schema.createIndex('deployments_org_name').on('deployments').columns(['organization_id', 'name', 'id']).execute();
  await db.schema.createIndex('deployments_org_created').on('deployments').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('deployments_org_updated').on('deployments').columns(['organization_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('deployments_ws_created').on('deployments').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('deployments_cluster').on('deployments').columns(['cluster_id']).execute();

  // How many Deployments each Workspace holds, kept with every insert and delete: an unfiltered
  // list's totalCount then costs the same in an Organization of 100,000 Deployments as in one of ten.
  await db.schema.createTable('deployment_counts')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_counts_pk', ['organization_id', 'workspace_id'])
    .execute();

  await db.schema.createTable('deployment_worker_queues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('astro_machine', 'text')
    .addColumn('node_pool_id', 'text')
    .addColumn('min_worker_count', 'integer', (c) => c.notNull())
    .addColumn('max_worker_count', 'integer', (c) => c.notNull())
    .addColumn('worker_concurrency', 'integer', (c) => c.notNull())
    .addColumn('pod_ephemeral_storage', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deployment_worker_queues_deployment').on('deployment_worker_queues').columns(['deployment_id', 'position']).execute();

  await db.schema.createTable('deployment_env_vars')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('is_secret', 'integer', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('secret_value', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_env_vars_pk', ['deployment_id', 'position'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

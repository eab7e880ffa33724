import type { Kysely, CreateTableBuilder } from 'kysely';

function audit<T extends string>(t: CreateTableBuilder<T, never>) {
  return t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_id', 'text', (c) => c.notNull())
    .addColumn('updated_by_type', 'text', (c) => c.notNull());
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await audit(db.schema.createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('billing_email', 'text')
    .addColumn('is_scim_enabled', 'integer', (c) => c.notNull())
    .addColumn('allow_enhanced_support_access', 'integer', (c) => c.notNull())
    .addColumn('has_ai_features_disabled', 'integer', (c) => c.notNull())
    .addColumn('is_blocked_enable_ai_features', 'integer', (c) => c.notNull())
    .addColumn('should_enforce_dedicated_clusters', 'integer', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text')
    .addColumn('trial_expires_at', 'text')
    .addColumn('product_plan_id', 'text', (c) => c.notNull())
    .addColumn('product_plan_name', 'text', (c) => c.notNull()))
    .execute();
  await db.schema.createIndex('organizations_name').on('organizations').columns(['name', 'id']).execute();
  await db.schema.createIndex('organizations_created').on('organizations').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('organizations_updated').on('organizations').columns(['updated_at', 'id']).execute();

  await audit(db.schema.createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('short_token', 'text', (c) => c.notNull())
    .addColumn('expiry_period_days', 'integer')
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('last_rotated_at', 'text'))
    .execute();
  await db.schema.createIndex('api_tokens_org').on('api_tokens').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema.createTable('api_token_roles')
    .addColumn('token_id', 'text', (c) => c.notNull().references('api_tokens.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text')
    .addPrimaryKeyConstraint('api_token_roles_pk', ['token_id', 'position'])
    .execute();
  await db.schema.createIndex('api_token_roles_entity').on('api_token_roles').columns(['entity_id']).execute();

  await audit(db.schema.createTable('allowed_ip_address_ranges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('ip_address_range', 'text', (c) => c.notNull()))
    .execute();
  await db.schema.createIndex('allowed_ip_org').on('allowed_ip_address_ranges').columns(['organization_id', 'ip_address_range']).execute();

  await audit(db.schema.createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('cicd_enforced_default', 'integer', (c) => c.notNull())
    .addColumn('default_cluster_id', 'text')
    .addColumn('default_cloud_provider', 'text')
    .addColumn('default_region', 'text'))
    .execute();
  await db.schema.createIndex('workspaces_org_name').on('workspaces').columns(['organization_id', 'name', 'id']).execute();
  await db.schema.createIndex('workspaces_org_created').on('workspaces').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('workspaces_org_updated').on('workspaces').columns(['organization_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('workspaces_default_cluster').on('workspaces').columns(['default_cluster_id']).execute();

  await audit(db.schema.createTable('clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('cloud_provider', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('vpc_subnet_range', 'text', (c) => c.notNull())
    .addColumn('pod_subnet_range', 'text')
    .addColumn('service_subnet_range', 'text')
    .addColumn('service_peering_range', 'text')
    .addColumn('secondary_vpc_cidr', 'text')
    .addColumn('db_instance_type', 'text', (c) => c.notNull())
    .addColumn('provider_account', 'text')
    .addColumn('tenant_id', 'text')
    .addColumn('is_limited', 'integer', (c) => c.notNull())
    .addColumn('is_private_network_egress_enabled', 'integer')
    .addColumn('k8s_tags', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('dr_region', 'text', (c) => c.notNull())
    .addColumn('is_dr_enabled', 'integer', (c) => c.notNull())
    .addColumn('dr_vpc_subnet_range', 'text')
    .addColumn('dr_secondary_vpc_cidr', 'text')
    .addColumn('dr_pod_subnet_range', 'text')
    .addColumn('dr_service_subnet_range', 'text')
    .addColumn('dr_service_peering_range', 'text')
    .addColumn('enable_replication_time_control', 'integer')
    .addColumn('is_failed_over', 'integer', (c) => c.notNull())
    .addColumn('pending_status', 'text')
    .addColumn('pending_until', 'text'))
    .execute();
  await db.schema.createIndex('clusters_org_name').on('clusters').columns(['organization_id', 'name', 'id']).execute();
  await db.schema.createIndex('clusters_org_created').on('clusters').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('clusters_org_updated').on('clusters').columns(['organization_id', 'updated_at', 'id']).execute();

  await db.schema.createTable('cluster_node_pools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('max_node_count', 'integer', (c) => c.notNull())
    .addColumn('node_instance_type', 'text', (c) => c.notNull())
    .addColumn('supported_astro_machines', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cluster_node_pools_cluster').on('cluster_node_pools').columns(['cluster_id', 'name']).execute();

  await db.schema.createTable('cluster_workspaces')
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('cluster_workspaces_pk', ['cluster_id', 'workspace_id'])
    .execute();
  await db.schema.createIndex('cluster_workspaces_ws').on('cluster_workspaces').columns(['workspace_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

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
 * Alerts and notification channels (served on /platform/v1beta1 and /labs/v1 only).
 *
 * - A notification channel belongs to an Organization, a Workspace or a Deployment. Its Workspace
 *   and Deployment columns are derived from that entity (a Deployment's channel carries the
 *   Deployment's Workspace too) and cascade: deleting the entity deletes its channels.
 *   `definition` holds the JSON the API shows; `secret` the encrypted JSON of the parts it never
 *   shows (webhook URL, integration key, API key, Deployment API token).
 * - An alert covers one Deployment and cascades with it. `rules` holds the pattern matches and
 *   properties as JSON, exactly as sent.
 * - alert_notification_channels keeps each alert's channel ids in the order they were sent;
 *   deleting a channel detaches it from its alerts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await audit(db.schema.createTable('notification_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.references('deployments.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_shared', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('secret', 'text'))
    .execute();
  await db.schema.createIndex('notification_channels_org_created').on('notification_channels').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('notification_channels_org_name').on('notification_channels').columns(['organization_id', 'name', 'id']).execute();
  await db.schema.createIndex('notification_channels_org_updated').on('notification_channels').columns(['organization_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('notification_channels_workspace').on('notification_channels').columns(['workspace_id']).execute();
  await db.schema.createIndex('notification_channels_deployment').on('notification_channels').columns(['deployment_id']).execute();

  await audit(db.schema.createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull()))
    .execute();
  await db.schema.createIndex('alerts_org_created').on('alerts').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('alerts_org_name').on('alerts').columns(['organization_id', 'name', 'id']).execute();
  await db.schema.createIndex('alerts_org_updated').on('alerts').columns(['organization_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('alerts_workspace').on('alerts').columns(['workspace_id']).execute();
  await db.schema.createIndex('alerts_deployment').on('alerts').columns(['deployment_id']).execute();

  await db.schema.createTable('alert_notification_channels')
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('notification_channels.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_notification_channels_pk', ['alert_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('alert_notification_channels_channel').on('alert_notification_channels').columns(['channel_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alert_notification_channels').execute();
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('notification_channels').execute();
}

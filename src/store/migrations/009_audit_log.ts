import type { Kysely } from 'kysely';

/**
 * One row per mutating API request (src/http/audit.ts writes them, src/resources/auditlogs owns
 * the table). No foreign key to organizations: a record must never be the reason a change fails
 * (an organization removed by the very request it records), and records go by age anyway.
 * - audit_logs_org_time serves an organization's records for a time range, in order;
 * - audit_logs_time serves the retention sweep across organizations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('api_token_id', 'text')
    .addColumn('api_token_name', 'text')
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('deployment_id', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('request_body', 'text')
    .addColumn('request_body_size', 'integer')
    .execute();
  await db.schema.createIndex('audit_logs_org_time').on('audit_logs').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('audit_logs_time').on('audit_logs').columns(['created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}

import { defineOperation, STANDARD_ERRORS } from '../../http/operation.js';
import { AuditLogsBody, AuditLogsParams, AuditLogsQuery } from './schema.js';
import * as service from './service.js';

export const operations = [
  defineOperation({
    operationId: 'GetOrganizationAuditLogs',
    method: 'GET',
    path: '/organizations/{organizationId}/audit-logs',
    summary: 'Get Organization audit logs',
    description: 'Returns the record of every request that changed, or tried to change, something in the Organization between startDate and endDate, oldest first: newline-delimited JSON, gzip-compressed (Content-Encoding: gzip). Records are kept 90 days unless the server is configured otherwise.',
    tag: 'Organization',
    permission: 'organization.auditLogs.get',
    params: AuditLogsParams,
    query: AuditLogsQuery,
    success: { status: 200, schema: AuditLogsBody, mediaType: 'application/octet-stream' },
    errors: STANDARD_ERRORS,
    handler: ({ app, params, query }) => service.auditLogs(app, params.organizationId, query),
  }),
];

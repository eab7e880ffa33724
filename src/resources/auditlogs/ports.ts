import type { AuditSink } from '../../http/audit-sink.js';
import * as repo from './repo.js';

/** What the auditlogs family offers the ports of the application context (src/resources/ports.ts). */

export const auditSink: AuditSink = {
  write: (q, r) => repo.insertRecord(q, {
    id: r.id,
    organization_id: r.organizationId,
    created_at: r.createdAt,
    request_id: r.requestId,
    subject_id: r.subjectId,
    subject_type: r.subjectType,
    api_token_id: r.apiTokenId,
    api_token_name: r.apiTokenName,
    operation_id: r.operationId,
    method: r.method,
    path: r.path,
    workspace_id: r.workspaceId,
    deployment_id: r.deploymentId,
    resource_id: r.resourceId,
    status_code: r.statusCode,
    source_ip: r.sourceIp,
    user_agent: r.userAgent,
    request_body: r.requestBody,
    request_body_size: r.requestBodySize,
  }),
  correct: (q, id, c) => repo.finishRecord(q, id, { status_code: c.statusCode, resource_id: c.resourceId }),
};

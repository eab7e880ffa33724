import type { AuditLogRow } from './repo.js';
import type { AuditLogLine } from './schema.js';

/**
 * One record as one line of newline-delimited JSON. The stored body is already JSON text
 * (written by JSON.stringify), so it is spliced in rather than parsed and written again.
 */
export function auditLine(r: AuditLogRow): string {
  const line: Omit<AuditLogLine, 'requestBody'> = {
    id: r.id,
    timestamp: r.created_at,
    organizationId: r.organization_id,
    subjectId: r.subject_id,
    subjectType: r.subject_type,
    ...(r.api_token_id !== null && { apiTokenId: r.api_token_id }),
    ...(r.api_token_name !== null && { apiTokenName: r.api_token_name }),
    operationId: r.operation_id,
    method: r.method,
    path: r.path,
    ...(r.workspace_id !== null && { workspaceId: r.workspace_id }),
    ...(r.deployment_id !== null && { deploymentId: r.deployment_id }),
    ...(r.resource_id !== null && { resourceId: r.resource_id }),
    statusCode: Number(r.status_code),
    sourceIp: r.source_ip,
    ...(r.user_agent !== null && { userAgent: r.user_agent }),
    requestId: r.request_id,
    ...(r.request_body_size !== null && { requestBodySize: Number(r.request_body_size) }),
  };
  const text = JSON.stringify(line);
  if (r.request_body === null) return text + '\n';
  return `${text.slice(0, -1)},"requestBody":${r.request_body}}\n`;
}

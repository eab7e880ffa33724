import Type from 'typebox';
import { DateTime, OrganizationIdParam } from '../../core/schemas.js';

export const AuditLogsParams = OrganizationIdParam;

export const AuditLogsQuery = Type.Object({
  startDate: Type.Optional(DateTime('Earliest time of the records returned (inclusive); absent: as far back as records are kept.')),
  endDate: Type.Optional(DateTime('Latest time of the records returned (inclusive); absent: now.')),
});

/** The reference's type for the body: bytes (gzip-compressed newline-delimited JSON). */
export const AuditLogsBody = Type.Array(Type.Integer());

/** One line of the answer: one mutating request. Optional fields are absent when unknown. */
export interface AuditLogLine {
  id: string;
  timestamp: string;
  organizationId: string;
  subjectId: string;
  subjectType: string;
  apiTokenId?: string;
  apiTokenName?: string;
  operationId: string;
  method: string;
  path: string;
  workspaceId?: string;
  deploymentId?: string;
  resourceId?: string;
  statusCode: number;
  sourceIp: string;
  userAgent?: string;
  requestId: string;
  /** Length in bytes of a body too large to keep (requestBody is then absent). */
  requestBodySize?: number;
  /** The JSON body as sent, secrets replaced by "[REDACTED]". */
  requestBody?: unknown;
}

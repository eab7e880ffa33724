import type { Queryable } from '../store/types.js';

/*
 * The audit sink: where the operation pipeline's audit records (./audit.ts) are stored. Declared
 * here, where records are made; implemented by the auditlogs family, which owns their table and
 * reads them back (src/resources/ports.ts hands it in as app.ports.audit). What a record says
 * and when it is written are decided in ./audit.ts; the sink only stores.
 */

/** One request's record, as ./audit.ts fills it in. */
export interface AuditRecord {
  id: string;
  organizationId: string;
  /** When the request arrived (stored time). */
  createdAt: string;
  requestId: string;
  subjectId: string;
  subjectType: string;
  apiTokenId: string | null;
  apiTokenName: string | null;
  operationId: string;
  method: string;
  /** The request path without its query string. */
  path: string;
  workspaceId: string | null;
  deploymentId: string | null;
  /** The resource the request acted on or created, where known. */
  resourceId: string | null;
  statusCode: number;
  sourceIp: string;
  userAgent: string | null;
  /** The JSON body with secrets replaced; null when none was sent or it was too large. */
  requestBody: string | null;
  /** Length in bytes of a body too large to keep (then requestBody is null). */
  requestBodySize: number | null;
}

export interface AuditSink {
  /** Stores a new record in `q`: the transaction that carries the change, or the database. */
  write(q: Queryable, record: Readonly<AuditRecord>): Promise<void>;
  /** Corrects what was only known once the record was written: the final status, the resource. */
  correct(q: Queryable, id: string, changes: { statusCode: number; resourceId: string | null }): Promise<void>;
}

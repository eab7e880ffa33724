import type { Insertable, Selectable } from 'kysely';
import type { Queryable } from '../../store/types.js';
import type { AuditLogsTable } from '../../store/schema.js';

/** The one owner of the `audit_logs` table. */

export type AuditLogRow = Selectable<AuditLogsTable>;
export type NewAuditLog = Insertable<AuditLogsTable>;

export async function insertRecord(q: Queryable, row: NewAuditLog): Promise<void> {
  await q.insertInto('audit_logs').values(row).execute();
}

/** Corrects what was only known after the record was written: the final status, the resource. */
export async function finishRecord(q: Queryable, id: string, changes: { status_code: number; resource_id: string | null }): Promise<void> {
  await q.updateTable('audit_logs').set(changes).where('id', '=', id).execute();
}

export interface TimeRange {
  /** Stored times, both inclusive. */
  from: string;
  to: string;
}

/**
 * One page of an organization's records in [from, to], oldest first, after the record `after`
 * (keyset on the index (organization_id, created_at, id)).
 */
export function pageOfRecords(q: Queryable, organizationId: string, range: TimeRange, after: { created_at: string; id: string } | undefined, limit: number): Promise<AuditLogRow[]> {
  let query = q.selectFrom('audit_logs').selectAll()
    .where('organization_id', '=', organizationId)
    .where('created_at', '>=', range.from)
    .where('created_at', '<=', range.to);
  if (after) {
    query = query.where((eb) => eb.or([
      eb('created_at', '>', after.created_at),
      eb.and([eb('created_at', '=', after.created_at), eb('id', '>', after.id)]),
    ]));
  }
  return query.orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** Deletes records older than `cutoff` (a stored time), of one organization or of all; how many went. */
export async function deleteOlderThan(q: Queryable, cutoff: string, organizationId?: string): Promise<number> {
  let query = q.deleteFrom('audit_logs').where('created_at', '<', cutoff);
  if (organizationId !== undefined) query = query.where('organization_id', '=', organizationId);
  const r = await query.executeTakeFirst();
  return Number(r.numDeletedRows);
}

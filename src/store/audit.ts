import { storedTime } from '../time.js';
import type { AuditColumns } from './schema.js';

/** Who made a change, as stored in created_by/updated_by columns. */
export interface ActorRef {
  id: string;
  type: string;
}

/** The audit columns of a new row: created and last updated now, by `by`. */
export function createdColumns(by: ActorRef, now: Date): AuditColumns {
  const at = storedTime(now);
  return { created_at: at, created_by_id: by.id, created_by_type: by.type, updated_at: at, updated_by_id: by.id, updated_by_type: by.type };
}

/** The audit columns of a change to a row. */
export function updatedColumns(by: ActorRef, now: Date): Pick<AuditColumns, 'updated_at' | 'updated_by_id' | 'updated_by_type'> {
  return { updated_at: storedTime(now), updated_by_id: by.id, updated_by_type: by.type };
}

import type { Queryable } from '../store/db.js';
import { tokenNames } from '../resources/tokens/repo.js';

export interface SubjectRef {
  id: string;
  type: string;
}

export interface SubjectProfile {
  id: string;
  subjectType: 'USER' | 'SERVICEKEY';
  apiTokenName?: string;
  username?: string;
  fullName?: string;
  avatarUrl?: string;
}

/**
 * Turns stored created_by/updated_by references into the profiles the API shows, with one
 * query per kind of subject for a whole page of rows.
 */
export async function resolveProfiles(db: Queryable, refs: SubjectRef[]): Promise<Map<string, SubjectProfile>> {
  const out = new Map<string, SubjectProfile>();
  const tokenIds: string[] = [];
  const seen = new Set<string>();
  for (const r of refs) {
    if (r.type === 'SERVICEKEY' && !seen.has(r.id)) {
      seen.add(r.id);
      tokenIds.push(r.id);
    }
  }
  if (tokenIds.length > 0) {
    for (const [id, name] of await tokenNames(db, tokenIds)) out.set(id, { id, subjectType: 'SERVICEKEY', apiTokenName: name });
  }
  for (const r of refs) {
    if (!out.has(r.id)) out.set(r.id, { id: r.id, subjectType: r.type === 'USER' ? 'USER' : 'SERVICEKEY' });
  }
  return out;
}

/** Collects both audit references of each row. */
export function auditRefs(rows: { created_by_id: string; created_by_type: string; updated_by_id: string; updated_by_type: string }[]): SubjectRef[] {
  return rows.flatMap((r) => [
    { id: r.created_by_id, type: r.created_by_type },
    { id: r.updated_by_id, type: r.updated_by_type },
  ]);
}

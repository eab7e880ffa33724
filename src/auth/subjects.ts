import type { Queryable } from '../store/types.js';
import { tokenNames } from '../resources/tokens/repo.js';
import { userProfiles } from '../resources/users/repo.js';

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
  const tokenIds = new Set<string>();
  const userIds = new Set<string>();
  for (const r of refs) (r.type === 'USER' ? userIds : tokenIds).add(r.id);
  if (tokenIds.size > 0) {
    for (const [id, name] of await tokenNames(db, [...tokenIds])) out.set(id, { id, subjectType: 'SERVICEKEY', apiTokenName: name });
  }
  if (userIds.size > 0) {
    for (const [id, u] of await userProfiles(db, [...userIds])) out.set(id, userProfile(u));
  }
  for (const r of refs) {
    if (!out.has(r.id)) out.set(r.id, { id: r.id, subjectType: r.type === 'USER' ? 'USER' : 'SERVICEKEY' });
  }
  return out;
}

/** A user as BasicSubjectProfile shows one: empty name or picture left out. */
export function userProfile(u: { id: string; full_name: string; email: string; avatar_url: string }): SubjectProfile {
  return {
    id: u.id,
    subjectType: 'USER',
    username: u.email,
    ...(u.full_name !== '' ? { fullName: u.full_name } : {}),
    ...(u.avatar_url !== '' ? { avatarUrl: u.avatar_url } : {}),
  };
}

/** Collects both audit references of each row. */
export function auditRefs(rows: { created_by_id: string; created_by_type: string; updated_by_id: string; updated_by_type: string }[]): SubjectRef[] {
  return rows.flatMap((r) => [
    { id: r.created_by_id, type: r.created_by_type },
    { id: r.updated_by_id, type: r.updated_by_type },
  ]);
}

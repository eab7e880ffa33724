import { rootDb } from '../store/transactions.js';
import type { Db, Queryable } from '../store/types.js';

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

/** What a user profile is made of, as stored. */
export interface StoredUserProfile {
  id: string;
  full_name: string;
  email: string;
  avatar_url: string;
}

/**
 * The subjects port: names of tokens and profiles of users by id, each for many ids in one
 * query (implementations may cache; see auth/cache.ts). Implemented by the tokens and users
 * families (src/resources/ports.ts).
 */
export interface SubjectsPort {
  tokenNames(q: Queryable, ids: string[]): Promise<ReadonlyMap<string, string>>;
  userProfiles(q: Queryable, ids: string[]): Promise<ReadonlyMap<string, StoredUserProfile>>;
}

/*
 * How resolveProfiles finds the port. Views of almost every family turn created_by/updated_by
 * columns into profiles, and they are handed a Queryable (often the transaction of the change
 * they describe), not the application context. Rather than thread the context through every view
 * and its callers, the one factory of the context (src/app-context.ts) registers the port on its
 * store, and resolveProfiles finds it from any Queryable of that store, as secretBox(q) finds the
 * store's secret box. This is the only way the port is reached: app.ports.subjects is what gets
 * registered, and nothing calls it directly.
 */
const ports = new WeakMap<Db, SubjectsPort>();

/** Makes `port` the subjects port of the store behind `db` (the context factory calls this). */
export function registerSubjects(db: Db, port: SubjectsPort): void {
  ports.set(db, port);
}

function subjectsOf(q: Queryable): SubjectsPort {
  const port = ports.get(rootDb(q));
  if (!port) throw new Error('no subjects port is registered for this store: build the application context with createContext (src/app-context.ts)');
  return port;
}

/**
 * Turns stored created_by/updated_by references into the profiles the API shows, with one
 * query per kind of subject for a whole page of rows.
 */
export async function resolveProfiles(q: Queryable, refs: SubjectRef[]): Promise<Map<string, SubjectProfile>> {
  const out = new Map<string, SubjectProfile>();
  const tokenIds = new Set<string>();
  const userIds = new Set<string>();
  for (const r of refs) (r.type === 'USER' ? userIds : tokenIds).add(r.id);
  if (tokenIds.size > 0) {
    for (const [id, name] of await subjectsOf(q).tokenNames(q, [...tokenIds])) out.set(id, { id, subjectType: 'SERVICEKEY', apiTokenName: name });
  }
  if (userIds.size > 0) {
    for (const [id, u] of await subjectsOf(q).userProfiles(q, [...userIds])) out.set(id, userProfile(u));
  }
  for (const r of refs) {
    if (!out.has(r.id)) out.set(r.id, { id: r.id, subjectType: r.type === 'USER' ? 'USER' : 'SERVICEKEY' });
  }
  return out;
}

/** A user as BasicSubjectProfile shows one: empty name or picture left out. */
export function userProfile(u: StoredUserProfile): SubjectProfile {
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

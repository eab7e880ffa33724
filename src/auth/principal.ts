import type { AppContext } from '../context.js';
import { forbidden, unauthorized } from '../core/errors.js';
import { allTeamsOfUser } from '../resources/teams/repo.js';
import { findTokenByHash, touchLastUsed } from '../resources/tokens/repo.js';
import { subjectGrants, type Grant } from '../resources/roles/repo.js';
import {
  activateUser, deleteInvite, findUserByEmail, findUserBySubject, inviteOfUser, type UserRow,
} from '../resources/users/repo.js';
import { inTransaction } from '../store/transactions.js';
import type { Queryable } from '../store/types.js';
import { storedTime } from '../time.js';
import { resolveGrants, type StoredGrant } from './grants.js';
import { CachedLookup, invalidateAll, writeInBackground } from '../store/cache.js';
import { hashToken } from './tokens.js';
import { userAuthEnabled, verifyUserJwt, type UserClaims } from './user-jwt.js';

/** A role the caller holds, with the permissions it carries there (see ./grants.ts). */
export interface PrincipalRole {
  entityType: string;
  entityId: string;
  role: string;
  deploymentId?: string;
  permissions: ReadonlySet<string>;
  /** Not stored: follows from another role (a Workspace Accessor beside a Deployment role). */
  implied?: true;
}

/**
 * Who is calling: an API token of one organization, or a user (a verified user JWT). A user acts
 * with organization scope; its roles decide what it may do.
 */
export interface Principal {
  /** The token's id, or the user's ('' for a verified person not yet known as a user). */
  subjectId: string;
  subjectType: 'SERVICEKEY' | 'USER';
  /** '' for a user who belongs to no organization (only operations that accept such callers see one). */
  organizationId: string;
  /** API tokens only. */
  tokenId?: string;
  scope: string;
  entityId: string;
  roles: PrincipalRole[];
  /** Users only: who the identity provider says the caller is. */
  user?: Readonly<UserClaims>;
}

/** How often `lastUsedAt` is refreshed at most, so reads do not all turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What the cache keeps per token digest. */
interface KnownToken {
  principal: Principal;
  /** `end_at` in epoch ms, checked against the clock on every request. */
  endsAt: number | null;
  /** When `lastUsedAt` was last written (or found), in epoch ms; moved forward in place. */
  lastUsedAt: number | null;
}

const byDigest = new CachedLookup<KnownToken>('principals by token digest');

async function loadToken(db: Queryable, digest: string): Promise<KnownToken | undefined> {
  const found = await findTokenByHash(db, digest);
  if (!found) return undefined;
  const { token, roles } = found;
  const principal: Principal = {
    subjectId: token.id,
    subjectType: 'SERVICEKEY',
    organizationId: token.organization_id,
    tokenId: token.id,
    scope: token.scope,
    entityId: token.entity_id,
    roles: await resolveGrants(db, token.organization_id, roles),
  };
  // Shared by every request of this token while cached: nobody may change it.
  Object.freeze(principal.roles);
  Object.freeze(principal);
  return {
    principal,
    endsAt: token.end_at ? Date.parse(token.end_at) : null,
    lastUsedAt: token.last_used_at ? Date.parse(token.last_used_at) : null,
  };
}

// ---------------------------------------------------------------- users

/** What the cache keeps per user JWT digest. */
interface KnownUser {
  principal: Principal;
  /** Whether the user is an ACTIVE member of an organization. */
  member: boolean;
  /** The JWT's `exp` in epoch ms, checked against the clock on every request. */
  endsAt: number;
}

const byUserDigest = new CachedLookup<KnownUser>('principals by user JWT digest');

/** What a user or Team holds: its organization role and its Workspace, Deployment and DAG roles. */
export interface HeldRoles {
  organizationRole: string | null;
  roles: Grant[];
}

/**
 * The one place stored user and Team roles become a principal's roles: the union of what the user
 * holds itself and what each of its Teams holds, each role once.
 */
export function userGrants(organizationId: string, held: HeldRoles[]): StoredGrant[] {
  const out: StoredGrant[] = [];
  const seen = new Set<string>();
  const add = (r: StoredGrant) => {
    const key = [r.entityType, r.entityId, r.role, r.deploymentId ?? ''].join('\u0000');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const h of held) {
    if (h.organizationRole !== null) add({ entityType: 'ORGANIZATION', entityId: organizationId, role: h.organizationRole });
    for (const r of h.roles) add(r);
  }
  return out;
}

/**
 * Accepts the open invite of a PENDING user on its first sign-in, in one transaction: the user
 * becomes ACTIVE with the invite's role and takes the caller's subject and profile; the invite
 * goes. An expired or missing invite leaves the user PENDING. Answers the user as it now is.
 */
async function acceptInvite(app: AppContext, user: UserRow, claims: UserClaims): Promise<UserRow> {
  return inTransaction(app.db, async (tx) => {
    const invite = await inviteOfUser(tx, user.id);
    const now = app.clock.now();
    if (!invite || invite.expires_at <= storedTime(now)) return user;
    const activated = await activateUser(tx, user.id, {
      subject: claims.subject, full_name: claims.fullName, avatar_url: claims.avatarUrl,
      organization_role: invite.role, updated_at: storedTime(now),
    });
    if (activated) {
      await deleteInvite(tx, invite.id);
      await invalidateAll(tx);
    }
    return (await findUserBySubject(tx, claims.subject)) ?? user;
  });
}

/** Verifies a user JWT and finds its user (accepting an invite on the first sign-in). */
async function loadUser(app: AppContext, token: string): Promise<KnownUser> {
  const claims = await verifyUserJwt(app.config, token, app.clock.now());
  if (!claims) throw unauthorized('Unauthorized: the token is not valid');
  const db = app.db;
  let user = await findUserBySubject(db, claims.subject);
  if (!user && claims.emailVerified) {
    // Someone invited by email who signs in for the first time.
    const invited = await findUserByEmail(db, claims.email);
    if (invited && invited.subject === null) user = invited;
  }
  // Only an address the identity provider vouches for accepts an invite sent to it.
  if (user && user.status === 'PENDING' && user.organization_id !== null && claims.emailVerified && claims.email === user.email) {
    user = await acceptInvite(app, user, claims);
  }
  const frozenClaims = Object.freeze({ ...claims });
  const member = user !== undefined && user.status === 'ACTIVE' && user.organization_id !== null;
  let principal: Principal;
  if (member) {
    const organizationId = user!.organization_id!;
    const teams = (await allTeamsOfUser(db, user!.id)).filter((t) => t.organization_id === organizationId);
    const roles = await subjectGrants(db, [user!.id, ...teams.map((t) => t.id)]);
    const held: HeldRoles[] = [
      { organizationRole: user!.organization_role, roles: roles.get(user!.id) ?? [] },
      ...teams.map((t) => ({ organizationRole: t.organization_role, roles: roles.get(t.id) ?? [] })),
    ];
    principal = {
      subjectId: user!.id, subjectType: 'USER', organizationId, scope: 'ORGANIZATION', entityId: organizationId,
      // The same resolution as a token's roles: built-in and custom role permissions attached.
      roles: await resolveGrants(db, organizationId, userGrants(organizationId, held)), user: frozenClaims,
    };
  } else {
    principal = { subjectId: user?.id ?? '', subjectType: 'USER', organizationId: '', scope: 'ORGANIZATION', entityId: '', roles: [], user: frozenClaims };
  }
  for (const r of principal.roles) Object.freeze(r);
  Object.freeze(principal.roles);
  Object.freeze(principal);
  return { principal, member, endsAt: claims.expiresAt };
}

export interface AuthenticateOptions {
  /**
   * Also answer a verified user who belongs to no organization (or is not a user yet), with a
   * principal whose organizationId is ''. Otherwise such a caller gets a 403.
   */
  allowNonMember?: boolean;
}

/**
 * The principal of a `Bearer` header: a known API token digest is an API token; anything else,
 * when user authentication is configured, must be a valid user JWT. Both come from the in-memory
 * cache (see store/cache.ts for how changes reach it); expiry is checked against the clock every time.
 */
export async function authenticate(app: AppContext, header: string | undefined, opts: AuthenticateOptions = {}): Promise<Principal> {
  if (!header) throw unauthorized();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Unauthorized: the Authorization header must be "Bearer <token>"');
  const bearer = match[1]!;
  const digest = hashToken(bearer);
  const known = await byDigest.get(app.db, digest, () => loadToken(app.db, digest));
  if (!known) {
    if (!userAuthEnabled(app.config)) throw unauthorized('Unauthorized: the token is not valid');
    const user = (await byUserDigest.get(app.db, digest, () => loadUser(app, bearer)))!;
    if (user.endsAt <= app.clock.now().getTime()) throw unauthorized('Unauthorized: the token has expired');
    if (!user.member && !opts.allowNonMember) throw forbidden('You are not a member of any Organization: ask an Organization Owner for an invite');
    return user.principal;
  }
  const now = app.clock.now();
  const nowMs = now.getTime();
  if (known.endsAt !== null && known.endsAt <= nowMs) throw unauthorized('Unauthorized: the token has expired');
  if (known.lastUsedAt === null || known.lastUsedAt < nowMs - LAST_USED_RESOLUTION_MS) {
    known.lastUsedAt = nowMs;
    const tokenId = known.principal.tokenId!;
    await writeInBackground(app.db, 'lastUsedAt refresh', () => touchLastUsed(app.db, tokenId, storedTime(now)));
  }
  return known.principal;
}

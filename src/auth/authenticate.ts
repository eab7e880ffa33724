import type { AppContext } from '../context.js';
import { forbidden, unauthorized } from '../core/errors.js';
import { contains, parseAddress, type IpRange } from '../platform/cidr.js';
import type { Queryable } from '../store/types.js';
import { storedTime } from '../time.js';
import { grantFactsNeeded, resolveGrants, userGrants, type GrantFacts, type HeldRoles, type StoredGrant } from './grants.js';
import type { IdentityPort } from './identity.js';
import type { Principal, PrincipalRole } from './principal.js';
import { CachedLookup, writeInBackground } from '../store/cache.js';
import { hashToken } from './tokens.js';
import { userAuthEnabled, verifyUserJwt } from './user-jwt.js';

/*
 * Authentication: the bearer of a request becomes a Principal (./principal.ts), and a member's
 * address is checked against its organization's allowed ranges. Everything read from the store
 * comes through the identity port (./identity.ts, app.ports.identity); principals are cached
 * here (./cache.ts says how changes reach the cache).
 */

/** How often `lastUsedAt` is refreshed at most, so reads do not all turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

const NO_WORKSPACES: ReadonlyMap<string, string> = new Map();
const NO_CUSTOM_ROLES: GrantFacts['customRoles'] = new Map();

/** Loads what grant resolution needs for `stored` (nothing it does not) and resolves them. */
async function principalRoles(identity: IdentityPort, q: Queryable, organizationId: string, stored: readonly StoredGrant[]): Promise<PrincipalRole[]> {
  const needed = grantFactsNeeded(stored);
  const workspaceOf = needed.deploymentIds.length > 0 ? await identity.workspacesOf(q, organizationId, needed.deploymentIds) : NO_WORKSPACES;
  const customRoles = needed.customRoles ? await identity.customRoles(q, organizationId) : NO_CUSTOM_ROLES;
  return resolveGrants(stored, { workspaceOf, customRoles });
}

// ---------------------------------------------------------------- tokens

/** What the cache keeps per token digest. */
interface KnownToken {
  principal: Principal;
  /** `end_at` in epoch ms, checked against the clock on every request. */
  endsAt: number | null;
  /** When `lastUsedAt` was last written (or found), in epoch ms; moved forward in place. */
  lastUsedAt: number | null;
}

const byDigest = new CachedLookup<KnownToken>('principals by token digest');

async function loadToken(app: AppContext, digest: string): Promise<KnownToken | undefined> {
  const { identity } = app.ports;
  const token = await identity.tokenByDigest(app.db, digest);
  if (!token) return undefined;
  const principal: Principal = {
    subjectId: token.id,
    subjectType: 'SERVICEKEY',
    organizationId: token.organizationId,
    tokenId: token.id,
    scope: token.scope,
    entityId: token.entityId,
    roles: await principalRoles(identity, app.db, token.organizationId, token.grants),
  };
  // Shared by every request of this token while cached: nobody may change it.
  Object.freeze(principal.roles);
  Object.freeze(principal);
  return {
    principal,
    endsAt: token.endAt ? Date.parse(token.endAt) : null,
    lastUsedAt: token.lastUsedAt ? Date.parse(token.lastUsedAt) : null,
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

/** Verifies a user JWT and finds its user (the identity port accepts an invite on the first sign-in). */
async function loadUser(app: AppContext, token: string): Promise<KnownUser> {
  const claims = await verifyUserJwt(app.config, token, app.clock.now());
  if (!claims) throw unauthorized('Unauthorized: the token is not valid');
  const { identity } = app.ports;
  const db = app.db;
  const frozenClaims = Object.freeze({ ...claims });
  const user = await identity.userForClaims(db, frozenClaims, app.clock.now());
  const member = user !== undefined && user.status === 'ACTIVE' && user.organizationId !== null;
  let principal: Principal;
  if (member) {
    const organizationId = user.organizationId!;
    // A user acts with the roles of its Teams in its own organization.
    const teams = (await identity.teamsOfUser(db, user.id)).filter((t) => t.organizationId === organizationId);
    const grants = await identity.subjectGrants(db, [user.id, ...teams.map((t) => t.id)]);
    const held: HeldRoles[] = [
      { organizationRole: user.organizationRole, grants: grants.get(user.id) ?? [] },
      ...teams.map((t) => ({ organizationRole: t.organizationRole, grants: grants.get(t.id) ?? [] })),
    ];
    principal = {
      subjectId: user.id, subjectType: 'USER', organizationId, scope: 'ORGANIZATION', entityId: organizationId,
      // The same resolution as a token's roles: built-in and custom role permissions attached.
      roles: await principalRoles(identity, db, organizationId, userGrants(organizationId, held)), user: frozenClaims,
    };
  } else {
    principal = { subjectId: user?.id ?? '', subjectType: 'USER', organizationId: '', scope: 'ORGANIZATION', entityId: '', roles: [], user: frozenClaims };
  }
  for (const r of principal.roles) Object.freeze(r);
  Object.freeze(principal.roles);
  Object.freeze(principal);
  return { principal, member, endsAt: claims.expiresAt };
}

// ---------------------------------------------------------------- the request's caller

export interface AuthenticateOptions {
  /**
   * Also answer a verified user who belongs to no organization (or is not a user yet), with a
   * principal whose organizationId is ''. Otherwise such a caller gets a 403.
   */
  allowNonMember?: boolean;
}

/**
 * The caller of a request from `clientAddress`. The bearer of the `Authorization` header: a
 * known API token digest is an API token; anything else, when user authentication is
 * configured, must be a valid user JWT. Both come from the in-memory cache (see ./cache.ts for
 * how changes reach it); expiry is checked against the clock every time. Then a member of an
 * organization (every API token, a user of one) that has allowed IP address ranges is refused
 * (403) from an address outside all of them; the ranges come from the identity port's cache, so
 * this costs no store query while they are cached.
 */
export function authenticate(app: AppContext, header: string | undefined, clientAddress: string, opts: AuthenticateOptions = {}): Promise<Principal> {
  return callerOf(app, header, clientAddress, opts);
}

/**
 * The principal of a bearer as authenticate() finds it, without judging where the request comes
 * from: only to attribute a request that was answered before authenticate() ran (its audit
 * record). Never grants access by itself.
 */
export function identify(app: AppContext, header: string | undefined, opts: AuthenticateOptions = {}): Promise<Principal> {
  return callerOf(app, header, undefined, opts);
}

/** Both of the above in one function, so a request pays for no extra layer of promises. */
async function callerOf(app: AppContext, header: string | undefined, clientAddress: string | undefined, opts: AuthenticateOptions): Promise<Principal> {
  if (!header) throw unauthorized();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Unauthorized: the Authorization header must be "Bearer <token>"');
  const bearer = match[1]!;
  const digest = hashToken(bearer);
  const known = await byDigest.get(app.db, digest, () => loadToken(app, digest));
  let principal: Principal;
  if (!known) {
    if (!userAuthEnabled(app.config)) throw unauthorized('Unauthorized: the token is not valid');
    const user = (await byUserDigest.get(app.db, digest, () => loadUser(app, bearer)))!;
    if (user.endsAt <= app.clock.now().getTime()) throw unauthorized('Unauthorized: the token has expired');
    if (!user.member && !opts.allowNonMember) throw forbidden('You are not a member of any Organization: ask an Organization Owner for an invite');
    principal = user.principal;
  } else {
    const now = app.clock.now();
    const nowMs = now.getTime();
    if (known.endsAt !== null && known.endsAt <= nowMs) throw unauthorized('Unauthorized: the token has expired');
    if (known.lastUsedAt === null || known.lastUsedAt < nowMs - LAST_USED_RESOLUTION_MS) {
      known.lastUsedAt = nowMs;
      const tokenId = known.principal.tokenId!;
      await writeInBackground(app.db, 'lastUsedAt refresh', () => app.ports.identity.touchToken(app.db, tokenId, storedTime(now)));
    }
    principal = known.principal;
  }
  if (clientAddress !== undefined && principal.organizationId !== '') {
    const ranges = await app.ports.identity.allowedRanges(app.db, principal.organizationId);
    if (ranges.length > 0 && !inRanges(ranges, clientAddress)) {
      throw forbidden(`Your address ${clientAddress.slice(0, 64)} is not in the Organization's allowed IP address ranges`);
    }
  }
  return principal;
}

function inRanges(ranges: readonly IpRange[], clientAddress: string): boolean {
  const client = parseAddress(clientAddress);
  return client !== undefined && ranges.some((r) => contains(r, client));
}

import type { IpRange } from '../platform/cidr.js';
import type { Db, Queryable } from '../store/types.js';
import type { CustomRoleDefinition, StoredGrant } from './grants.js';
import type { UserClaims } from './user-jwt.js';

/*
 * The identity port: what authentication loads from the store, and the one write it makes.
 * Declared here, where it is used (./authenticate.ts); implemented by the resource families
 * (each family's ports.ts) and handed in through the application context (src/resources/ports.ts
 * assembles it). The rules stay in auth/: what a principal is, how grants resolve, expiry, the
 * allowed-range check and what is cached; the port only loads and stores.
 */

/** An API token as authentication needs it, with its role grants in their stored order. */
export interface StoredToken {
  id: string;
  organizationId: string;
  scope: string;
  entityId: string;
  /** Stored times (ISO text) or null. */
  endAt: string | null;
  lastUsedAt: string | null;
  grants: StoredGrant[];
}

/** A user as authentication needs it. */
export interface StoredUser {
  id: string;
  status: string;
  /** null for a user of no organization. */
  organizationId: string | null;
  organizationRole: string | null;
}

/** A Team a user is a member of. */
export interface StoredTeam {
  id: string;
  organizationId: string;
  organizationRole: string | null;
}

export interface IdentityPort {
  /** The token whose secret has this digest, with its grants (one query), or undefined. */
  tokenByDigest(q: Queryable, digest: string): Promise<StoredToken | undefined>;
  /** Records when a token was last used (`at`: stored time). */
  touchToken(q: Queryable, tokenId: string, at: string): Promise<void>;
  /**
   * The user a verified JWT names, as it is once this sign-in is done: found by subject, or (an
   * address the token vouches for) the invited user of that email; a PENDING user's open invite
   * is accepted in one transaction. Undefined for a person who is no user yet.
   */
  userForClaims(db: Db, claims: Readonly<UserClaims>, now: Date): Promise<StoredUser | undefined>;
  /** Every Team the user is a member of. */
  teamsOfUser(q: Queryable, userId: string): Promise<StoredTeam[]>;
  /** The Workspace, Deployment and DAG grants of each user or Team, in their stored order. */
  subjectGrants(q: Queryable, subjectIds: string[]): Promise<ReadonlyMap<string, readonly StoredGrant[]>>;
  /** The organization's custom roles by name. */
  customRoles(q: Queryable, organizationId: string): Promise<ReadonlyMap<string, CustomRoleDefinition>>;
  /** The Workspace of each of these Deployments of the organization; those that do not exist are left out. */
  workspacesOf(q: Queryable, organizationId: string, deploymentIds: string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * The organization's allowed IP address ranges, empty when it has none. Called on every
   * request of a member: the implementation must answer from a cache, not the store, while
   * nothing changed (see README, "Allowed IP address ranges").
   */
  allowedRanges(q: Queryable, organizationId: string): Promise<readonly IpRange[]>;
}

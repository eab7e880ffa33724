import type { UserClaims } from './user-jwt.js';

/*
 * Who is calling, as every access check sees it. Only the types live here: ./authenticate.ts
 * builds principals, ./grants.ts resolves their roles, ./access.ts judges them.
 */

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

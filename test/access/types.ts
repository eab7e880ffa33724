import type { RequestOptions } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

/**
 * What each access case gets: a server, and an organization (the server's own, the owner client
 * being `s.api`) holding Workspace `workspaceId` with Deployment `deploymentId` in it, both made
 * afresh for each case (the Deployment is a STANDARD one in development mode, so it can
 * hibernate). The matrix runner (test/access-matrix.test.ts) also keeps a second Workspace with
 * a Deployment of its own, and another organization.
 */
export interface MatrixContext {
  s: TestServer;
  orgId: string;
  workspaceId: string;
  deploymentId: string;
}

/** The request of one operation (its method comes from the served document). */
export interface PreparedRequest {
  path: string;
  body?: unknown;
  query?: RequestOptions['query'];
}

/** A role held on the organization, on ctx.workspaceId or on ctx.deploymentId. */
export interface Grant {
  scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT';
  role: string;
}

export interface AccessCase {
  /** Makes what the call needs with the owner client and returns the request. */
  prepare: (ctx: MatrixContext) => Promise<PreparedRequest>;
  /**
   * The least role that may make the call: held on the organization, on ctx.workspaceId or on
   * ctx.deploymentId. A role name that is not built in is a custom role the case's prepare made.
   */
  allowed: Grant;
  /**
   * The operation also admits callers holding roles elsewhere in the organization and shows them
   * only their part of it (lists of Workspaces and Deployments): callers of another Workspace or
   * Deployment then succeed, and the runner checks that nothing of ctx's Workspace shows.
   */
  narrowed?: true;
  /**
   * Further roles, held on ctx's organization, Workspace or Deployment, that must be refused (403)
   * besides the one just below `allowed` the runner picks itself.
   */
  refused?: Grant[];
}

export type AccessCases = Record<string, AccessCase>;

/**
 * The cases of an older surface (test/access/cases/older/<surface name>.ts). An operation of that
 * surface with the operationId, method and path of a /v1 operation takes the /v1 case, its request
 * sent under the surface's prefix, unless `cases` has one of its own; `derivedRoles` gives such a
 * derived case other roles when the surface asks for another permission than /v1.
 */
export interface OlderSurfaceCases {
  /** Cases with their own request, paths under the surface's prefix. */
  cases?: AccessCases;
  /** For derived cases whose permission differs from /v1's: which roles that means. */
  derivedRoles?: Record<string, Pick<AccessCase, 'allowed' | 'refused'>>;
}

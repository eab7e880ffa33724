import type { RequestOptions } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

/** What each access case gets: a server and an organization holding Workspace workspaceId with Deployment deploymentId. */
export interface MatrixContext {
  s: TestServer;
  orgId: string;
  workspaceId: string;
  deploymentId: string;
}

export interface AccessCase {
  /** Makes what the call needs with the owner client and returns the request. */
  prepare: (ctx: MatrixContext) => Promise<{ path: string; body?: unknown; query?: RequestOptions['query'] }>;
  /** The least role that may make the call: held on the organization, on ctx.workspaceId or on ctx.deploymentId. */
  allowed: { scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT'; role: string };
  /** Lists that admit every caller of the organization and show each only its part. */
  narrowed?: true;
}

export type AccessCases = Record<string, AccessCase>;

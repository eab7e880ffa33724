import type { RequestOptions } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

/** What every access case gets: the server, and an Organization with a Workspace and a Deployment in it. */
export interface MatrixContext {
  s: TestServer;
  orgId: string;
  workspaceId: string;
  deploymentId: string;
}

/** One operation's case for the access matrix (test/access-matrix.test.ts). */
export interface AccessCase {
  /** Makes what the call needs with the owner client and returns the request to send. */
  prepare(ctx: MatrixContext): Promise<{ path: string; body: unknown; query: RequestOptions['query'] | undefined }>;
  /** The least role that may call it, granted on the Organization, ctx.workspaceId or ctx.deploymentId. */
  allowed: { scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT'; role: string };
}

/** A family's cases, by operationId. */
export type AccessCases = Record<string, AccessCase>;

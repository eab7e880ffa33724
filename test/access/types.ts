import type { TestServer } from '../helpers/server.js';

/** What every access case gets: the owner's server and an Organization with one Workspace and one Deployment in it. */
export interface MatrixContext {
  s: TestServer;
  orgId: string;
  workspaceId: string;
  deploymentId: string;
}

/** One operation in the access matrix: how to make its request, and the least role allowed to call it. */
export interface AccessCase {
  prepare(ctx: MatrixContext): Promise<{ path: string; body?: unknown; query?: Record<string, string | number | boolean | (string | number)[] | undefined> }>;
  allowed: { scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT'; role: string };
}

/** Cases of one family, by operationId. */
export type AccessCases = Record<string, AccessCase>;

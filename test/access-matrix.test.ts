import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ORGANIZATION_ROLES, WORKSPACE_ROLES } from '../src/auth/permissions.js';
import { createOrganizationWithOwner } from '../src/resources/organizations/service.js';
import { issueToken, type TokenScope } from '../src/resources/tokens/service.js';
import { ManualClock } from '../src/time.js';
import type { AccessCase, MatrixContext } from './access/types.js';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * The access matrix: for every operation served on /v1, one case (test/access/cases/<family>.ts)
 * says how to make a request and which least role may make it; this checks, in a fresh Workspace
 * W with a Deployment D (another Workspace W2 with Deployment D2 and another organization kept
 * for the whole run):
 * - no token, a malformed token, a deleted token and an expired token: 401;
 * - the owner of another organization: 403 with nothing of this one in the answer (operations
 *   outside any organization: whatever they answer holds nothing of this organization);
 * - operations needing a permission: a Workspace Owner of W2 and a Deployment Admin of D2 are
 *   refused (403), or for lists narrowed to the caller's scope, answered without W or D; the role
 *   just below the allowed one is refused;
 * - the allowed role succeeds with the operation's success status.
 * Every answer is also checked against the served document by the test client.
 */

const casesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'access', 'cases');
const cases = new Map<string, AccessCase & { file: string }>();
const duplicates: string[] = [];
for (const file of fs.readdirSync(casesDir).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(pathToFileURL(path.join(casesDir, file)).href)) as { cases?: Record<string, AccessCase> };
  for (const [id, c] of Object.entries(mod.cases ?? {})) {
    if (cases.has(id)) duplicates.push(`${id} (${cases.get(id)!.file} and ${file})`);
    cases.set(id, { ...c, file });
  }
}

interface ServedOperation {
  method: string;
  path: string;
  permission: string | null;
  success: number;
}

/** A custom Deployment role holding a permission no operation asks for: it lacks them all. */
const NO_PERMISSION_ROLE = 'MATRIX_NO_API_PERMISSION';

type Grant = { scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT'; role: string };

/** The role just below `g` that must be refused, if there is one. */
function lackingRole(g: Grant, narrowed: boolean): Grant | undefined {
  const ladder: readonly string[] = g.scope === 'ORGANIZATION' ? ORGANIZATION_ROLES : g.scope === 'WORKSPACE' ? WORKSPACE_ROLES : ['DEPLOYMENT_ADMIN'];
  const i = ladder.indexOf(g.role);
  if (i >= 0 && i + 1 < ladder.length) return { scope: g.scope, role: ladder[i + 1]! };
  // The lowest Organization role: a Workspace role lacks what only the Organization grants.
  if (g.scope === 'ORGANIZATION') return narrowed ? undefined : { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' };
  // Below a Deployment role (built-in or custom): a custom role granting nothing the API asks for.
  if (g.scope === 'DEPLOYMENT') return { scope: 'DEPLOYMENT', role: NO_PERMISSION_ROLE };
  // Below Workspace Accessor there is only a Deployment role, which implies Accessor.
  return undefined;
}

describe('access matrix', () => {
  let s: TestServer;
  const served = new Map<string, ServedOperation>();
  let w2: string;
  let d2: string;
  let foreign: ApiClient;
  let revoked: ApiClient;
  let expired: ApiClient;
  const tokens = new Map<string, ApiClient>();

  /** A client holding exactly `role` on `entityId` (cached per grant). */
  const holding = async (scope: TokenScope, entityId: string, role: string): Promise<ApiClient> => {
    const key = `${scope}/${entityId}/${role}`;
    let c = tokens.get(key);
    if (!c) {
      c = await s.withRoles(scope, entityId, [{ entityType: scope, entityId, role }]);
      tokens.set(key, c);
    }
    return c;
  };

  before(async () => {
    s = await startServer();
    const spec = (await (await fetch(`${s.url}/spec/v1`, { headers: { accept: 'application/json' } })).json()) as { paths: Record<string, Record<string, Record<string, any>>> };
    for (const [p, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const success = Object.keys(op.responses).map(Number).find((code) => code >= 200 && code < 300)!;
        served.set(op.operationId, { method: method.toUpperCase(), path: `/v1${p}`, permission: op['x-permission']?.[0]?.action ?? null, success });
      }
    }
    const orgs = `/v1/organizations/${s.orgId}`;
    w2 = (await s.api.post(`${orgs}/workspaces`, { name: 'matrix W2', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    d2 = (await s.api.post(`${orgs}/deployments`, { name: 'matrix D2', workspaceId: w2 })).body.id;
    const other = await createOrganizationWithOwner(s.app, { name: 'matrix other organization' });
    foreign = s.as(other.token);
    const gone = await s.api.post(`${orgs}/tokens`, { name: 'matrix revoked', scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' });
    assert.equal((await s.api.delete(`${orgs}/tokens/${gone.body.id}`)).status, 204);
    revoked = s.as(gone.body.token);
    // Issued two days before the server's clock with a one-day expiry: expired now.
    const past = new ManualClock(new Date(s.clock.now().getTime() - 2 * 86_400_000));
    const old = await issueToken(s.app.db, past, {
      organizationId: s.orgId, name: 'matrix expired', scope: 'ORGANIZATION', entityId: s.orgId, expiryDays: 1,
      roles: [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_OWNER' }],
    });
    expired = s.as(old.token);
    const role = await s.api.post(`${orgs}/roles`, { name: NO_PERMISSION_ROLE, scopeType: 'DEPLOYMENT', permissions: ['deployment.airflow.website.get'] });
    assert.equal(role.status, 200, role.text);
  });
  after(async () => { await s?.close(); });

  it('has exactly one case for every operation served on /v1, and none for others', () => {
    assert.deepEqual(duplicates, [], `operations with two cases: ${duplicates.join(', ')}`);
    const missing = [...served.keys()].filter((id) => !cases.has(id)).sort();
    assert.deepEqual(missing, [], `operations without an access case (add them to test/access/cases/<family>.ts): ${missing.join(', ')}`);
    const unknown = [...cases.keys()].filter((id) => !served.has(id)).sort();
    assert.deepEqual(unknown, [], `cases for operations not served: ${unknown.join(', ')}`);
  });

  let n = 0;
  for (const [operationId, c] of [...cases].sort(([a], [b]) => a.localeCompare(b))) {
    it(`${operationId} (${c.file})`, async () => {
      const op = served.get(operationId);
      assert.ok(op, `${operationId} is not served`);
      const orgs = `/v1/organizations/${s.orgId}`;
      const w = await s.api.post(`${orgs}/workspaces`, { name: `matrix ${++n}`, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
      assert.equal(w.status, 200, w.text);
      const d = await s.api.post(`${orgs}/deployments`, { name: `matrix ${n}`, workspaceId: w.body.id, isDevelopmentMode: true });
      assert.equal(d.status, 200, d.text);
      const ctx: MatrixContext = { s, orgId: s.orgId, workspaceId: w.body.id, deploymentId: d.body.id };
      const req = await c.prepare(ctx);
      const send = (client: ApiClient, headers?: Record<string, string>) =>
        client.request(op.method, req.path, { body: req.body ?? (op.method === 'POST' ? {} : undefined), query: req.query, headers });
      const problems: string[] = [];
      const expect = (who: string, res: ApiResponse, status: number) => {
        if (res.status !== status) problems.push(`${who}: expected ${status}, got ${res.status} ${res.text.slice(0, 200)}`);
      };
      const noneOf = (who: string, res: ApiResponse, ids: string[]) => {
        for (const id of ids) if (res.text.includes(id)) problems.push(`${who}: the answer shows ${id}`);
      };

      expect('no token', await send(s.as(undefined)), 401);
      expect('a malformed token', await send(s.as('not-a-token')), 401);
      expect('a Basic header', await send(s.as(undefined), { authorization: 'Basic YTpi' }), 401);
      expect('a deleted token', await send(revoked), 401);
      expect('an expired token', await send(expired), 401);

      const ours = [s.orgId, ctx.workspaceId, ctx.deploymentId, w2, d2];
      const outsider = await send(foreign);
      if (op.path.includes('{organizationId}')) expect('another organization\'s owner', outsider, 403);
      noneOf('another organization\'s owner', outsider, ours);

      if (op.permission !== null) {
        const elsewhere: [string, ApiClient][] = [
          ['a Workspace Owner of another Workspace', await holding('WORKSPACE', w2, 'WORKSPACE_OWNER')],
          ['a Deployment Admin of another Deployment', await holding('DEPLOYMENT', d2, 'DEPLOYMENT_ADMIN')],
        ];
        for (const [who, client] of elsewhere) {
          const res = await send(client);
          if (c.narrowed) {
            if (res.status !== 403) expect(who, res, op.success);
            noneOf(who, res, [ctx.workspaceId, ctx.deploymentId]);
          } else {
            expect(who, res, 403);
          }
        }
        const lacking = lackingRole(c.allowed, c.narrowed === true);
        if (lacking) {
          const entity = lacking.scope === 'ORGANIZATION' ? s.orgId : lacking.scope === 'WORKSPACE' ? ctx.workspaceId : ctx.deploymentId;
          expect(`${lacking.role} on its ${lacking.scope.toLowerCase()}`, await send(await holding(lacking.scope, entity, lacking.role)), 403);
        }
      }

      const { scope, role } = c.allowed;
      const entity = scope === 'ORGANIZATION' ? s.orgId : scope === 'WORKSPACE' ? ctx.workspaceId : ctx.deploymentId;
      expect(`${role} on its ${scope.toLowerCase()}`, await send(await holding(scope, entity, role)), op.success);
      assert.deepEqual(problems, [], `${operationId}:\n  ${problems.join('\n  ')}`);
    });
  }
});

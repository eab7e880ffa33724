import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ORGANIZATION_ROLES, WORKSPACE_ROLES } from '../src/core/roles.js';
import { surfaces } from '../src/resources/index.js';
import { createOrganizationWithOwner } from '../src/bootstrap.js';
import { issueToken, type TokenScope } from '../src/resources/tokens/service.js';
import { ManualClock } from '../src/time.js';
import type { AccessCase, AccessCases, Grant, MatrixContext, OlderSurfaceCases } from './access/types.js';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * The access matrix: for every operation served on every surface (/v1, /platform/v1beta1,
 * /iam/v1beta1, /labs/v1), one case says how to make a request and which least role may make it;
 * this checks, in a fresh Workspace W with a Deployment D (another Workspace W2 with Deployment D2
 * and another organization kept for the whole run):
 * - no token, a malformed token, a Basic header, a deleted token and an expired token: 401;
 * - the owner of another organization: 403 with nothing of this one in the answer (operations
 *   outside any organization: whatever they answer holds nothing of this organization);
 * - operations needing a permission, and lists narrowed to the caller's part: a Workspace Owner
 *   of W2 and a Deployment Admin of D2 are refused (403), or for narrowed lists answered without W
 *   or D; the role just below the allowed one, and any role the case lists as refused, get 403;
 * - the allowed role succeeds with the operation's success status.
 * Every answer is also checked against the served document by the test client. The operations,
 * with method, path, permission (x-permission) and success status, come from each surface's
 * served document.
 *
 * Where the cases live:
 * - test/access/cases/<family>.ts: the /v1 cases, `cases` keyed by operationId.
 * - test/access/cases/older/<surface name>.ts (platform-v1beta1, iam-v1beta1, labs-v1), or
 *   <surface name>.<family>.ts where one family's cases of that surface have a file of their own, shaped as
 *   OlderSurfaceCases: an operation of that surface with the operationId, method and path of a
 *   /v1 operation takes the /v1 case by default (its prepared path's `/v1/` becomes the surface's
 *   prefix; body and query unchanged). `cases` holds cases of their own, paths under the surface's
 *   prefix, for operations that differ in operationId, path or request; `derivedRoles` says which
 *   roles a derived case means when the surface asks for another permission than /v1 (a derived
 *   case whose permission differs and has no entry fails).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const casesDir = path.join(here, 'access', 'cases');

/** Operations the matrix cannot drive, per surface, each with the reason and where its access is tested instead. */
const WITHOUT_CASE: Record<string, Record<string, string>> = {
  // GetSelfUser belongs to users, not tokens: every API token gets a 400 there, so no token role
  // can be "the allowed one" (test/resources/users.test.ts covers user JWTs, bad ones and none).
  'v1': { GetSelfUser: 'a user operation; API tokens are answered 400 by design' },
};

type Case = AccessCase & { file: string; derived?: boolean };

async function load(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

// ---------------------------------------------------------------- served operations

interface ServedOperation {
  operationId: string;
  method: string;
  /** Path template without the surface's prefix. */
  template: string;
  permission: string | null;
  success: number;
}

const s: TestServer = await startServer();
const served = new Map<string, Map<string, ServedOperation>>();
for (const surface of surfaces) {
  const res = await fetch(`${s.url}${surface.specPaths[0]}`, { headers: { accept: 'application/json' } });
  const spec = (await res.json()) as { paths: Record<string, Record<string, Record<string, any>>> };
  const ops = new Map<string, ServedOperation>();
  for (const [template, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const success = Object.keys(op.responses).map(Number).find((code) => code >= 200 && code < 300)!;
      ops.set(op.operationId, { operationId: op.operationId, method: method.toUpperCase(), template, permission: op['x-permission']?.[0]?.action ?? null, success });
    }
  }
  served.set(surface.name, ops);
}

// ---------------------------------------------------------------- cases of each surface

const v1Cases = new Map<string, Case>();
/** Problems found while gathering cases, per surface (the coverage test of that surface reports them). */
const problemsOf = new Map<string, string[]>(surfaces.map((x) => [x.name, []]));
for (const file of fs.readdirSync(casesDir).filter((f) => f.endsWith('.ts')).sort()) {
  for (const [id, c] of Object.entries(((await load(path.join(casesDir, file))).cases ?? {}) as AccessCases)) {
    if (v1Cases.has(id)) problemsOf.get('v1')!.push(`${id} has two cases (${v1Cases.get(id)!.file} and ${file})`);
    v1Cases.set(id, { ...c, file });
  }
}

const explicit = new Map<string, Map<string, Case>>(surfaces.map((x) => [x.name, new Map()]));
const derivedRoles = new Map<string, NonNullable<OlderSurfaceCases['derivedRoles']>>();
const addExplicit = (surface: string, id: string, c: AccessCase, file: string) => {
  const mine = explicit.get(surface)!;
  if (mine.has(id)) problemsOf.get(surface)!.push(`${id} has two cases (${mine.get(id)!.file} and ${file})`);
  mine.set(id, { ...c, file });
};
const olderDir = path.join(casesDir, 'older');
for (const file of fs.readdirSync(olderDir).filter((f) => f.endsWith('.ts')).sort()) {
  const name = file.slice(0, -'.ts'.length).split('.')[0]!;
  assert.ok(explicit.has(name) && name !== 'v1', `${path.join('older', file)} is named after no older surface`);
  const mod = (await load(path.join(olderDir, file))) as OlderSurfaceCases;
  for (const [id, c] of Object.entries(mod.cases ?? {})) addExplicit(name, id, c, `older/${file}`);
  derivedRoles.set(name, { ...derivedRoles.get(name), ...mod.derivedRoles });
}
/** The case of each served operation of `surface`, and the operations left without one. */
function casesOf(surface: string): { cases: Map<string, Case>; missing: string[] } {
  const ops = served.get(surface)!;
  const out = new Map<string, Case>();
  const missing: string[] = [];
  const problems = problemsOf.get(surface)!;
  const roles = derivedRoles.get(surface) ?? {};
  const without = WITHOUT_CASE[surface] ?? {};
  for (const id of Object.keys(without)) if (!ops.has(id)) problems.push(`${id} is listed without a case but not served`);
  for (const id of Object.keys(roles)) if (!ops.has(id) || explicit.get(surface)!.has(id)) problems.push(`derivedRoles names ${id}, which has no derived case`);
  for (const id of explicit.get(surface)!.keys()) if (!ops.has(id)) problems.push(`a case for ${id}, which is not served`);
  if (surface === 'v1') for (const id of v1Cases.keys()) if (!ops.has(id)) problems.push(`a case for ${id}, which is not served`);
  for (const [id, op] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
    if (id in without) continue;
    const own = surface === 'v1' ? v1Cases.get(id) : explicit.get(surface)!.get(id);
    if (own) { out.set(id, own); continue; }
    const v1op = served.get('v1')!.get(id);
    const base = v1Cases.get(id);
    if (!base || !v1op || v1op.method !== op.method || v1op.template !== op.template) { missing.push(id); continue; }
    const override = roles[id];
    if (v1op.permission !== op.permission && !override) {
      problems.push(`${id} needs ${op.permission} here but ${v1op.permission} on /v1: say its roles in derivedRoles`);
    }
    out.set(id, { ...base, ...(override ?? {}), file: `${base.file} (derived)`, derived: true });
  }
  return { cases: out, missing };
}

// ---------------------------------------------------------------- the checks

/** A custom Deployment role holding a permission no operation asks for: it lacks them all. */
const NO_PERMISSION_ROLE = 'MATRIX_NO_API_PERMISSION';

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

/** `template` under `prefix` as a pattern any value of its parameters matches. */
const pathPattern = (prefix: string, template: string) =>
  new RegExp(`^${(prefix + template).split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);

describe('access matrix', () => {
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
  after(async () => { await s.close(); });

  let n = 0;
  for (const surface of surfaces) {
    const { cases, missing } = casesOf(surface.name);
    const ops = served.get(surface.name)!;
    describe(`${surface.name} (${surface.prefix})`, () => {
      it(`has a case for every operation served on ${surface.prefix}`, () => {
        assert.deepEqual(problemsOf.get(surface.name), [], `${surface.name}:\n  ${problemsOf.get(surface.name)!.join('\n  ')}`);
        const where = surface.name === 'v1' ? 'test/access/cases/<family>.ts' : `test/access/cases/older/${surface.name}.ts`;
        assert.deepEqual(missing, [], `operations without an access case (add them to ${where}): ${missing.join(', ')}`);
      });

      for (const [operationId, c] of cases) {
        it(`${operationId} (${c.file})`, async () => {
          const op = ops.get(operationId)!;
          const orgs = `/v1/organizations/${s.orgId}`;
          const w = await s.api.post(`${orgs}/workspaces`, { name: `matrix ${++n}`, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
          assert.equal(w.status, 200, w.text);
          const d = await s.api.post(`${orgs}/deployments`, { name: `matrix ${n}`, workspaceId: w.body.id, isDevelopmentMode: true });
          assert.equal(d.status, 200, d.text);
          const ctx: MatrixContext = { s, orgId: s.orgId, workspaceId: w.body.id, deploymentId: d.body.id };
          const req = await c.prepare(ctx);
          if (c.derived) {
            assert.ok(req.path.startsWith('/v1/'), `the /v1 case of ${operationId} prepared ${req.path}, not a /v1 path`);
            req.path = `${surface.prefix}${req.path.slice('/v1'.length)}`;
          }
          assert.match(req.path, pathPattern(surface.prefix, op.template), `the case's request is not one of ${op.method} ${surface.prefix}${op.template}`);
          const send = (client: ApiClient, headers?: Record<string, string>) =>
            client.request(op.method, req.path, { body: req.body ?? (op.method === 'POST' ? {} : undefined), query: req.query, headers });
          const problems: string[] = [];
          const expect = (who: string, res: ApiResponse, status: number) => {
            if (res.status !== status) problems.push(`${who}: expected ${status}, got ${res.status} ${res.text.slice(0, 200)}`);
          };
          const noneOf = (who: string, res: ApiResponse, ids: string[]) => {
            for (const id of ids) if (res.text.includes(id)) problems.push(`${who}: the answer shows ${id}`);
          };
          const entityOf = (g: Grant) => g.scope === 'ORGANIZATION' ? s.orgId : g.scope === 'WORKSPACE' ? ctx.workspaceId : ctx.deploymentId;

          expect('no token', await send(s.as(undefined)), 401);
          expect('a malformed token', await send(s.as('not-a-token')), 401);
          expect('a Basic header', await send(s.as(undefined), { authorization: 'Basic YTpi' }), 401);
          expect('a deleted token', await send(revoked), 401);
          expect('an expired token', await send(expired), 401);

          const ours = [s.orgId, ctx.workspaceId, ctx.deploymentId, w2, d2];
          const outsider = await send(foreign);
          if (op.template.includes('{organizationId}')) expect('another organization\'s owner', outsider, 403);
          noneOf('another organization\'s owner', outsider, ours);

          if (op.permission !== null || c.narrowed) {
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
            for (const g of [...(lacking ? [lacking] : []), ...(c.refused ?? [])]) {
              expect(`${g.role} on its ${g.scope.toLowerCase()}`, await send(await holding(g.scope, entityOf(g), g.role)), 403);
            }
          }

          const { scope, role } = c.allowed;
          expect(`${role} on its ${scope.toLowerCase()}`, await send(await holding(scope, entityOf(c.allowed), role)), op.success);
          assert.deepEqual(problems, [], `${surface.name} ${operationId}:\n  ${problems.join('\n  ')}`);
        });
      }
    });
  }
});

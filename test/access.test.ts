import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Type from 'typebox';
import { defineOperation, ITEM_ERRORS } from '../src/http/operation.js';
import { named, OrganizationIdParam } from '../src/core/schemas.js';
import type { Surface } from '../src/http/surface.js';
import { findWorkspace } from '../src/resources/workspaces/repo.js';
import { v1Surface } from '../src/resources/index.js';
import { assertError, type ApiClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

const MISSING = 'c' + '0'.repeat(24);

describe('access by target: workspace-scoped callers on /v1', () => {
  let s: TestServer;
  let w1: string;
  let w2: string;
  before(async () => {
    s = await startServer();
    w1 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'one' })).body.id;
    w2 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'two' })).body.id;
  });
  after(async () => { await s.close(); });

  const ws = (id: string) => `/v1/organizations/${s.orgId}/workspaces/${id}`;
  const update = { name: 'renamed', description: '', cicdEnforcedDefault: false };

  it('a workspace member reads its workspace and no other, and cannot change it', async () => {
    const member = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_MEMBER' }]);
    const own = await member.get(ws(w1));
    assert.equal(own.status, 200);
    assert.equal(own.body.id, w1);
    assertError(await member.get(ws(w2)), 403);
    assertError(await member.post(ws(w1), update), 403);
    assertError(await member.delete(ws(w1)), 403);
    // Lists of Workspaces show it only its own; other organization-level operations need an organization role.
    const list = await member.get(`/v1/organizations/${s.orgId}/workspaces`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.workspaces.map((w: { id: string }) => w.id), [w1]);
    assert.equal(list.body.totalCount, 1);
    assert.equal((await member.get(`/v1/organizations/${s.orgId}/workspaces`, { workspaceIds: [w2] })).body.totalCount, 0);
    assertError(await member.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'three' }), 403);
    assertError(await member.get(`/v1/organizations/${s.orgId}/clusters`), 403);
  });

  it('another workspace and a workspace that does not exist answer alike', async () => {
    const member = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_MEMBER' }]);
    const foreign = await member.get(ws(w2));
    const missing = await member.get(ws(MISSING));
    assertError(foreign, 403);
    assertError(missing, 403);
    assert.equal(foreign.body.message, missing.body.message);
  });

  it('a workspace owner changes its workspace and no other', async () => {
    const owner = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_OWNER' }]);
    assertError(await owner.post(ws(w2), update), 403);
    assertError(await owner.delete(ws(w2)), 403);
    const changed = await owner.post(ws(w1), update);
    assert.equal(changed.status, 200);
    assert.equal(changed.body.name, 'renamed');
    assert.equal((await s.api.get(ws(w2))).body.name, 'two');
  });

  it('an organization member reads its organization, sees only the Workspaces it holds roles on, and changes nothing', async () => {
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    assert.equal((await member.get(`/v1/organizations/${s.orgId}`)).status, 200);
    assert.equal((await member.get(`/v1/organizations/${s.orgId}/workspaces`)).body.totalCount, 0);
    assertError(await member.get(ws(w2)), 403);
    assertError(await member.get(ws(MISSING)), 403);
    assertError(await member.post(ws(w2), update), 403);
    assertError(await member.post(`/v1/organizations/${s.orgId}`, { name: 'x', isScimEnabled: false }), 403);
    // With a role on one Workspace it sees that one.
    const withRole = await s.withRoles('ORGANIZATION', s.orgId, [
      { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'WORKSPACE', entityId: w2, role: 'WORKSPACE_MEMBER' },
    ]);
    assert.deepEqual((await withRole.get(`/v1/organizations/${s.orgId}/workspaces`)).body.workspaces.map((x: { id: string }) => x.id), [w2]);
    assert.equal((await withRole.get(ws(w2))).status, 200);
    assertError(await withRole.post(ws(w2), update), 403);
  });

  it('every /v1 operation declares its permission or says it needs none', () => {
    for (const op of v1Surface.operations) assert.ok(op.permission === null || /^[a-z]+(\.[A-Za-z]+)+$/.test(op.permission), op.operationId);
  });
});

describe('lists show a scoped caller only what lies in its scope', () => {
  let s: TestServer;
  let w1: string;
  let w2: string;
  let d1a: string;
  let d1b: string;
  let d2: string;
  before(async () => {
    s = await startServer();
    const ws = (name: string) => s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    const dep = (name: string, workspaceId: string) => s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name, workspaceId });
    w1 = (await ws('one')).body.id;
    w2 = (await ws('two')).body.id;
    d1a = (await dep('a', w1)).body.id;
    d1b = (await dep('b', w1)).body.id;
    d2 = (await dep('c', w2)).body.id;
  });
  after(async () => { await s.close(); });

  const deployments = () => `/v1/organizations/${s.orgId}/deployments`;
  const ids = (body: { deployments: { id: string }[] }) => body.deployments.map((d) => d.id).sort();

  it('a workspace token lists the Deployments of its Workspace, whatever the filters', async () => {
    const member = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_MEMBER' }]);
    const all = await member.get(deployments());
    assert.equal(all.status, 200);
    assert.deepEqual(ids(all.body), [d1a, d1b].sort());
    assert.equal(all.body.totalCount, 2);
    const paged = await member.get(deployments(), { limit: 1, offset: 1 });
    assert.equal(paged.body.deployments.length, 1);
    assert.equal(paged.body.totalCount, 2);
    assert.equal((await member.get(deployments(), { workspaceIds: [w2] })).body.totalCount, 0);
    assert.deepEqual(ids((await member.get(deployments(), { deploymentIds: [d1a, d2] })).body), [d1a]);
    assert.equal((await s.api.get(deployments())).body.totalCount, 3);
  });

  it('a deployment token lists its Deployment and its Workspace only', async () => {
    const admin = await s.withRoles('DEPLOYMENT', d1a, [{ entityType: 'DEPLOYMENT', entityId: d1a, role: 'DEPLOYMENT_ADMIN' }]);
    const listed = await admin.get(deployments());
    assert.deepEqual(ids(listed.body), [d1a]);
    assert.equal(listed.body.totalCount, 1);
    const workspaces = await admin.get(`/v1/organizations/${s.orgId}/workspaces`);
    assert.deepEqual(workspaces.body.workspaces.map((w: { id: string }) => w.id), [w1]);
    // Holding a Deployment role makes it a Workspace Accessor there: it reads the Workspace, no other.
    assert.equal((await admin.get(`/v1/organizations/${s.orgId}/workspaces/${w1}`)).status, 200);
    assertError(await admin.get(`/v1/organizations/${s.orgId}/workspaces/${w2}`), 403);
    assertError(await admin.get(`${deployments()}/${d1b}`), 403);
  });

  it('scoped tokens read their Organization; Deployment options need a Workspace Operator', async () => {
    const accessor = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_ACCESSOR' }]);
    const operator = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_OPERATOR' }]);
    assert.equal((await accessor.get(`/v1/organizations/${s.orgId}`)).status, 200);
    assertError(await accessor.get(deployments()), 403);
    assertError(await accessor.get(`/v1/organizations/${s.orgId}/deployment-options`), 403);
    assert.equal((await operator.get(`/v1/organizations/${s.orgId}/deployment-options`)).status, 200);
    // Token lists need the Workspace as filter (the CLI sends it); without it they are Organization-wide.
    assert.equal((await operator.get(`/v1/organizations/${s.orgId}/tokens`, { workspaceId: w1 })).status, 200);
    assertError(await operator.get(`/v1/organizations/${s.orgId}/tokens`), 403);
    assertError(await operator.get(`/v1/organizations/${s.orgId}/clusters`), 403);
  });
});

/**
 * An operation whose workspace is named in the body, as CreateDeployment's is: authorization
 * runs on the workspace the resolver finds, after the body is validated.
 */
const Thing = named('Thing', Type.Object({ workspaceId: Type.String() }));
const testSurface: Surface = {
  name: 'test',
  prefix: '/test',
  specPaths: ['/spec/test'],
  info: { title: 'pipeline test', version: '0', description: 'An operation resolving its target from the body.' },
  apiVersions: ['1'],
  operations: [defineOperation({
    operationId: 'CreateThing',
    method: 'POST',
    path: '/organizations/{organizationId}/things',
    summary: 'Create a thing',
    description: 'Creates a thing in the workspace the body names.',
    tag: 'Thing',
    permission: 'workspace.deployments.create',
    params: OrganizationIdParam,
    body: Thing,
    success: { status: 200, schema: Thing },
    errors: ITEM_ERRORS,
    target: async ({ app, params, body }) => {
      const w = await findWorkspace(app.db, params.organizationId, body.workspaceId);
      return w ? { workspaceId: w.id } : {};
    },
    handler: async ({ body }) => ({ workspaceId: body.workspaceId }),
  })],
};

describe('access by target: a target resolved from the body', () => {
  let s: TestServer;
  let v1: TestServer;
  let w1: string;
  let w2: string;
  let operator: ApiClient;
  before(async () => {
    s = await startServer({}, { surfaces: [v1Surface, testSurface] });
    v1 = s;
    w1 = (await v1.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'one' })).body.id;
    w2 = (await v1.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'two' })).body.id;
    operator = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_OPERATOR' }]);
  });
  after(async () => { await s.close(); });

  const things = () => `/test/organizations/${s.orgId}/things`;

  it('allows the workspace the caller holds a role in', async () => {
    const res = await operator.post(things(), { workspaceId: w1 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { workspaceId: w1 });
  });

  it('refuses another workspace and a missing one with the same answer', async () => {
    const foreign = await operator.post(things(), { workspaceId: w2 });
    const missing = await operator.post(things(), { workspaceId: MISSING });
    assertError(foreign, 403);
    assertError(missing, 403);
    assert.equal(foreign.body.message, missing.body.message);
  });

  it('validates the body before resolving the target', async () => {
    assertError(await operator.post(things(), {}), 400, 'workspaceId', 'required');
  });

  it('still lets an organization owner through to a missing target (the handler decides)', async () => {
    assert.equal((await s.api.post(things(), { workspaceId: MISSING })).status, 200);
  });
});

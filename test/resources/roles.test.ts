import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

type Json = Record<string, any>;

describe('custom roles, role templates and permission groups', () => {
  let s: TestServer;
  let base: string;
  let w1: string;
  let w2: string;
  let d1: string;
  let d2: string;
  let n = 0;

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/roles`;
    const ws = (name: string) => s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    w1 = (await ws('one')).body.id;
    w2 = (await ws('two')).body.id;
    d1 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'd1', workspaceId: w1 })).body.id;
    d2 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'd2', workspaceId: w2 })).body.id;
  });
  after(async () => { await s.close(); });

  const create = async (body: Json, api: ApiClient = s.api) => {
    const res = await api.post(base, { name: `ROLE_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], ...body });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const dep = (id: string) => `/v1/organizations/${s.orgId}/deployments/${id}`;
  /** A Deployment token of `deploymentId` holding `role`. */
  const holder = (deploymentId: string, role: string) => s.withRoles('DEPLOYMENT', deploymentId, [{ entityType: 'DEPLOYMENT', entityId: deploymentId, role }]);

  it('creates a Deployment role and reads it back', async () => {
    const r = await create({ name: 'Viewer', permissions: ['deployment.get', 'deployment.logs.get', 'deployment.get'] });
    assert.match(r.id, CUID);
    assert.match(r.createdAt, RFC3339);
    assert.equal(r.name, 'Viewer');
    assert.equal(r.scopeType, 'DEPLOYMENT');
    assert.deepEqual(r.permissions, ['deployment.get', 'deployment.logs.get']);
    assert.deepEqual(r.restrictedWorkspaceIds, []);
    assert.ok(!('description' in r));
    assert.equal(r.createdBy.id, r.updatedBy.id);
    const got = await s.api.get(`${base}/${r.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, r);
    const described = await create({ description: 'reads', restrictedWorkspaceIds: [w1, w1] });
    assert.equal(described.description, 'reads');
    assert.deepEqual(described.restrictedWorkspaceIds, [w1]);
  });

  it('refuses what a custom role cannot be', async () => {
    const post = (body: Json) => s.api.post(base, { name: `BAD_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], ...body });
    assertError(await post({ permissions: ['deployment.get', 'deployment.fly'] }), 400, 'permissions[1]', 'oneof');
    assertError(await post({ permissions: ['organization.get'] }), 400, 'permissions[0]', 'oneof');
    assertError(await post({ permissions: ['dag.airflow.dag.get'] }), 400, 'permissions[0]', 'oneof');
    assertError(await post({ scopeType: 'DAG', permissions: ['deployment.get'] }), 400, 'permissions[0]', 'oneof');
    assertError(await post({ permissions: [] }), 400, 'permissions');
    assertError(await post({ scopeType: 'WORKSPACE' }), 400, 'scopeType');
    assertError(await post({ name: '  ' }), 400, 'name', 'required');
    assertError(await post({ name: 'a\u0000b' }), 400);
    assertError(await post({ restrictedWorkspaceIds: [w1, 'cnosuchworkspace000000000'] }), 400, 'restrictedWorkspaceIds[1]', 'exists');
    const other = await createOrganizationWithOwner(s.app, { name: 'other' });
    const theirs = (await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'theirs' })).body.id;
    assertError(await post({ restrictedWorkspaceIds: [theirs] }), 400, 'restrictedWorkspaceIds[0]', 'exists');
    // Names are unique in the Organization, built-in names included; another Organization may reuse them.
    await create({ name: 'Taken' });
    assertError(await post({ name: 'Taken' }), 400, 'name', 'unique');
    assertError(await post({ name: 'DEPLOYMENT_ADMIN' }), 400, 'name', 'unique');
    assert.equal((await s.as(other.token).post(`/v1/organizations/${other.organizationId}/roles`, { name: 'Taken', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] })).status, 200);
    // A long name is stored alike on both stores.
    assert.equal((await create({ name: 'L'.repeat(5000) })).name.length, 5000);
  });

  it('lets one of several concurrent creates with one name through, and answers the others 400', async () => {
    const body = { name: 'Raced', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] };
    const results = await Promise.all(Array.from({ length: 6 }, () => s.api.post(base, body)));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400, 400, 400, 400]);
  });

  it('is not found by another Organization, nor when missing', async () => {
    const r = await create({});
    const other = await createOrganizationWithOwner(s.app, { name: 'elsewhere' });
    const theirs = s.as(other.token);
    assertError(await theirs.get(`/v1/organizations/${other.organizationId}/roles/${r.id}`), 404);
    assertError(await theirs.get(`${base}/${r.id}`), 403);
    assertError(await s.api.get(`${base}/cnosuchrole00000000000000`), 404);
    assertError(await s.api.post(`${base}/cnosuchrole00000000000000`, { name: 'x', permissions: ['deployment.get'] }), 404);
    assertError(await s.api.delete(`${base}/cnosuchrole00000000000000`), 404);
  });

  it('updates name and permissions, keeping description and restrictions when left out', async () => {
    const r = await create({ description: 'first', restrictedWorkspaceIds: [w1] });
    s.clock.advance(60);
    const res = await s.api.post(`${base}/${r.id}`, { name: 'Renamed', permissions: ['deployment.update'] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'Renamed');
    assert.equal(res.body.description, 'first');
    assert.deepEqual(res.body.restrictedWorkspaceIds, [w1]);
    assert.deepEqual(res.body.permissions, ['deployment.update']);
    assert.equal(res.body.createdAt, r.createdAt);
    assert.notEqual(res.body.updatedAt, r.updatedAt);
    const cleared = await s.api.post(`${base}/${r.id}`, { name: 'Renamed', description: '', permissions: ['deployment.get'], restrictedWorkspaceIds: [] });
    assert.equal(cleared.body.description, '');
    assert.deepEqual(cleared.body.restrictedWorkspaceIds, []);
    assertError(await s.api.post(`${base}/${r.id}`, { name: 'Renamed', permissions: ['workspace.get'] }), 400, 'permissions[0]');
    await create({ name: 'Occupied' });
    assertError(await s.api.post(`${base}/${r.id}`, { name: 'Occupied', permissions: ['deployment.get'] }), 400, 'name', 'unique');
  });

  it('lists custom roles a page at a time, with filters, sorts and the built-in roles on request', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'lists' });
    const api = s.as(o.token);
    const url = `/v1/organizations/${o.organizationId}/roles`;
    for (const name of ['b', 'c', 'a']) assert.equal((await api.post(url, { name, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] })).status, 200);
    const page = await api.get(url, { limit: 2 });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.roles.map((r: Json) => r.name), ['b', 'c']);
    assert.equal(page.body.totalCount, 3);
    assert.ok(!('defaultRoles' in page.body));
    assert.ok(page.body.roles.every((r: Json) => !('permissions' in r) && Array.isArray(r.restrictedWorkspaceIds)));
    assert.deepEqual((await api.get(url, { sorts: ['name:desc'] })).body.roles.map((r: Json) => r.name), ['c', 'b', 'a']);
    const beyond = await api.get(url, { offset: 100 });
    assert.deepEqual([beyond.body.roles, beyond.body.totalCount], [[], 3]);
    assert.equal((await api.get(url, { scopeTypes: ['WORKSPACE'] })).body.totalCount, 0);
    assert.equal((await api.get(url, { scopeTypes: ['DEPLOYMENT', 'ORGANIZATION'] })).body.totalCount, 3);
    assert.equal((await api.get(url, { limit: 0 })).body.roles.length, 0);
    const withDefaults = await api.get(url, { includeDefaultRoles: true });
    const defaults = new Map(withDefaults.body.defaultRoles.map((r: Json) => [r.name, r]));
    for (const name of ['ORGANIZATION_OWNER', 'ORGANIZATION_MEMBER', 'WORKSPACE_OWNER', 'WORKSPACE_ACCESSOR', 'DEPLOYMENT_ADMIN', 'DAG_VIEWER']) assert.ok(defaults.has(name), name);
    assert.equal((defaults.get('DEPLOYMENT_ADMIN') as Json).scopeType, 'DEPLOYMENT');
    assert.ok((defaults.get('DEPLOYMENT_ADMIN') as Json).permissions.includes('deployment.update'));
    const wsOnly = await api.get(url, { includeDefaultRoles: true, scopeTypes: ['WORKSPACE'] });
    assert.ok(wsOnly.body.defaultRoles.length === 5 && wsOnly.body.defaultRoles.every((r: Json) => r.scopeType === 'WORKSPACE'));
    assertError(await api.get(url, { sorts: ['permissions:asc'] }), 400);
  });

  it('lists role templates and the permission groups custom roles draw from', async () => {
    const templates = await s.api.get(`/v1/organizations/${s.orgId}/role-templates`);
    assert.equal(templates.status, 200);
    const names = templates.body.map((t: Json) => t.name);
    assert.ok(names.includes('DEPLOYMENT_VIEWER') && names.includes('DEPLOYMENT_OPERATOR'), names.join());
    const dagOnly = await s.api.get(`/v1/organizations/${s.orgId}/role-templates`, { scopeTypes: ['DAG'] });
    assert.ok(dagOnly.body.length > 0 && dagOnly.body.every((t: Json) => t.scopeType === 'DAG'));
    // A template's permissions make a valid custom role of its scope.
    const viewer = templates.body.find((t: Json) => t.name === 'DEPLOYMENT_VIEWER');
    assert.equal((await create({ permissions: viewer.permissions })).permissions.length, viewer.permissions.length);

    const groups = await s.api.get('/v1/authorization/permission-groups');
    assert.equal(groups.status, 200);
    const deployment = groups.body.find((g: Json) => g.name === 'deployment');
    assert.deepEqual(deployment.permissions.map((p: Json) => p.action), ['get', 'update', 'delete']);
    const every = groups.body.flatMap((g: Json) => g.permissions.map((p: Json) => `${g.name}.${p.action}`));
    assert.ok(every.includes('deployment.airflow.connection.create') && every.includes('dag.airflow.dag.get'));
    assert.ok(every.every((p: string) => p.startsWith('deployment.') || p.startsWith('dag.')));
    assert.deepEqual((await s.api.get('/v1/authorization/permission-groups', { scopeType: 'WORKSPACE' })).body, []);
    const dag = await s.api.get('/v1/authorization/permission-groups', { scopeType: 'DAG' });
    assert.ok(dag.body.length > 0 && dag.body.every((g: Json) => g.name.startsWith('dag.')));
    // Any caller of any organization may read them.
    const member = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_ACCESSOR' }]);
    assert.equal((await member.get('/v1/authorization/permission-groups')).status, 200);
  });

  it('grants a token holding a custom role exactly its permissions, on its Deployment only', async () => {
    const r = await create({ permissions: ['deployment.get'] });
    const t = await holder(d1, r.name);
    assert.equal((await t.get(dep(d1))).status, 200);
    assertError(await t.get(dep(d2)), 403);
    assertError(await t.post(`${dep(d1)}/hibernation-override`, { isHibernating: false }), 403);
    assertError(await t.delete(dep(d1)), 403);
    // It sees its Deployment in lists, its Workspace (as Workspace Accessor), and no other.
    const listed = await t.get(`/v1/organizations/${s.orgId}/deployments`);
    assert.deepEqual(listed.body.deployments.map((d: Json) => d.id), [d1]);
    assert.equal((await t.get(`/v1/organizations/${s.orgId}/workspaces/${w1}`)).status, 200);
    assertError(await t.get(`/v1/organizations/${s.orgId}/workspaces/${w2}`), 403);

    // A change to the role applies at once.
    assert.equal((await s.api.post(`${base}/${r.id}`, { name: r.name, permissions: ['deployment.delete'] })).status, 200);
    assertError(await t.get(dep(d1)), 403);
    assert.equal((await s.api.post(`${base}/${r.id}`, { name: r.name, permissions: ['deployment.get'] })).status, 200);
    assert.equal((await t.get(dep(d1))).status, 200);
    // Restricted to another Workspace, it grants nothing here.
    assert.equal((await s.api.post(`${base}/${r.id}`, { name: r.name, permissions: ['deployment.get'], restrictedWorkspaceIds: [w2] })).status, 200);
    assertError(await t.get(dep(d1)), 403);
    assert.equal((await s.api.post(`${base}/${r.id}`, { name: r.name, permissions: ['deployment.get'], restrictedWorkspaceIds: [w1] })).status, 200);
    assert.equal((await t.get(dep(d1))).status, 200);
    // A rename carries over to the holders.
    assert.equal((await s.api.post(`${base}/${r.id}`, { name: `${r.name}_renamed`, permissions: ['deployment.get'] })).status, 200);
    assert.equal((await t.get(dep(d1))).status, 200);
  });

  it('checks custom role names where tokens are given roles, restrictions included', async () => {
    const tokens = `/v1/organizations/${s.orgId}/tokens`;
    const restricted = await create({ restrictedWorkspaceIds: [w2] });
    assertError(await s.api.post(tokens, { name: 't', scope: 'DEPLOYMENT', entityId: d1, role: restricted.name }), 400, 'roles[0].role');
    const ok = await s.api.post(tokens, { name: 't', scope: 'DEPLOYMENT', entityId: d2, role: restricted.name });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.roles, [{ entityType: 'DEPLOYMENT', entityId: d2, role: restricted.name }]);
    assertError(await s.api.post(tokens, { name: 't', scope: 'DEPLOYMENT', entityId: d2, role: 'NOT_A_ROLE' }), 400, 'roles[0].role', 'oneof');
    assertError(await s.api.post(tokens, { name: 't', scope: 'WORKSPACE', entityId: w2, role: restricted.name }), 400, 'roles[0].role', 'oneof');
  });

  it('refuses to delete a role still held, and deletes it once no token holds it', async () => {
    const r = await create({});
    const tokens = `/v1/organizations/${s.orgId}/tokens`;
    const t = await s.api.post(tokens, { name: 'holder', scope: 'DEPLOYMENT', entityId: d1, role: r.name });
    assert.equal(t.status, 200, t.text);
    assertError(await s.api.delete(`${base}/${r.id}`), 400, 'customRoleId', 'in_use');
    assert.equal((await s.api.get(`${base}/${r.id}`)).status, 200);
    assert.equal((await s.api.post(`${tokens}/${t.body.id}/roles`, { roles: [{ entityType: 'DEPLOYMENT', entityId: d1, role: 'DEPLOYMENT_ADMIN' }] })).status, 200);
    assert.equal((await s.api.delete(`${base}/${r.id}`)).status, 204);
    assertError(await s.api.get(`${base}/${r.id}`), 404);
    // Its name no longer passes as a role.
    assertError(await s.api.post(`${tokens}/${t.body.id}/roles`, { roles: [{ entityType: 'DEPLOYMENT', entityId: d1, role: r.name }] }), 400, 'roles[0].role');
  });

  it('makes DAG-scoped roles, answered with scopeType DAG, which Organization tokens hold on a DAG', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'dags' });
    const api = s.as(o.token);
    const orgs = `/v1/organizations/${o.organizationId}`;
    const w = (await api.post(`${orgs}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    const d = (await api.post(`${orgs}/deployments`, { name: 'd', workspaceId: w })).body.id;
    const res = await api.post(`${orgs}/roles`, { name: 'Dag reader', scopeType: 'DAG', permissions: ['dag.airflow.dag.get'] });
    assert.equal(res.status, 200, res.text);
    const role = res.body as Json;
    assert.equal(role.scopeType, 'DAG');
    assert.deepEqual((await api.get(`${orgs}/roles`, { scopeTypes: ['DAG'] })).body.roles.map((r: Json) => [r.id, r.scopeType]), [[role.id, 'DAG']]);
    const t = (await api.post(`${orgs}/tokens`, { name: 'dags', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' })).body;
    const roles = [
      { entityType: 'ORGANIZATION', entityId: o.organizationId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'DAG', entityId: 'my_dag', role: 'Dag reader', deploymentId: d },
    ];
    assert.equal((await api.post(`${orgs}/tokens/${t.id}/roles`, { roles })).status, 200);
    assertError(await api.post(`${orgs}/tokens/${t.id}/roles`, { roles: [roles[0], { ...roles[1], entityType: 'DEPLOYMENT', entityId: d }] }), 400, 'roles[1].role');
  });

  it('is managed by Organization Owners only, and read by any Organization role', async () => {
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    const r = await create({});
    assert.equal((await member.get(base)).status, 200);
    assert.equal((await member.get(`${base}/${r.id}`)).status, 200);
    assertError(await member.post(base, { name: 'x', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] }), 403);
    assertError(await member.post(`${base}/${r.id}`, { name: 'x', permissions: ['deployment.get'] }), 403);
    assertError(await member.delete(`${base}/${r.id}`), 403);
    const wsOwner = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_OWNER' }]);
    assertError(await wsOwner.get(base), 403);
    assertError(await wsOwner.get(`/v1/organizations/${s.orgId}/role-templates`), 403);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { joinAsUser, startUserServer } from '../helpers/users.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { insertTeam } from '../../src/resources/teams/repo.js';
import { newId } from '../../src/store/ids.js';

type Json = Record<string, any>;
const MISSING = 'c' + '0'.repeat(24);

describe('Teams', () => {
  let s: TestServer;
  let org: string;
  let base: string;
  let ws: Json;
  let dep: Json;

  const create = async (body: Json) => {
    const res = await s.api.post(base, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    base = `${org}/teams`;
    ws = (await s.api.post(`${org}/workspaces`, { name: 'teams ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const d = await s.api.post(`${org}/deployments`, { name: 'teams dep', workspaceId: ws.id });
    assert.equal(d.status, 200, d.text);
    dep = d.body;
  });
  after(async () => { await s.close(); });

  it('creates, reads, updates and deletes a Team', async () => {
    const u = await joinAsUser(s);
    const t = await create({ name: 'Data', description: 'the data people', memberIds: [u.id] });
    assert.match(t.id, CUID);
    assert.equal(t.name, 'Data');
    assert.equal(t.description, 'the data people');
    assert.equal(t.organizationId, s.orgId);
    assert.equal(t.organizationRole, 'ORGANIZATION_MEMBER');
    assert.equal(t.isIdpManaged, false);
    assert.equal(t.rolesCount, 1);
    assert.ok(!('workspaceRoles' in t) && !('deploymentRoles' in t) && !('dagRoles' in t));
    assert.match(t.createdAt, RFC3339);
    assert.equal(t.createdBy.subjectType, 'SERVICEKEY');
    assert.deepEqual((await s.api.get(`${base}/${t.id}`)).body, t);

    const renamed = await s.api.post(`${base}/${t.id}`, { name: 'Data Eng' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'Data Eng');
    assert.equal(renamed.body.description, 'the data people', 'a description left out stays');
    const cleared = await s.api.post(`${base}/${t.id}`, { name: 'Data Eng', description: '' });
    assert.ok(!('description' in cleared.body));
    // A user changing it shows as updatedBy.
    const owner = await joinAsUser(s, 'ORGANIZATION_OWNER', 'Team Owner');
    const byUser = await owner.api.post(`${base}/${t.id}`, { name: 'Data Eng', description: 'again' });
    assert.deepEqual(byUser.body.updatedBy, { id: owner.id, subjectType: 'USER', username: owner.email, fullName: 'Team Owner' });
    assert.equal(byUser.body.createdBy.subjectType, 'SERVICEKEY');

    assertError(await s.api.post(`${base}/${t.id}`, { name: '  ' }), 400, 'name', 'required');
    assertError(await s.api.post(`${base}/${t.id}`, { description: 'x' }), 400, 'name');
    assertError(await s.api.post(base, { name: '' }), 400, 'name');
    assertError(await s.api.post(base, { name: 'x'.repeat(257) }), 400, 'name', 'max');
    assertError(await s.api.post(base, { name: 'x', description: 'x'.repeat(2001) }), 400, 'description', 'max');
    assert.equal((await s.api.post(base, { name: 'x'.repeat(256), description: 'x'.repeat(2000) })).status, 200);
    assertError(await s.api.post(base, { name: 'x', memberIds: [MISSING] }), 400, 'memberIds', 'exists');
    assertError(await s.api.post(base, { name: 'x', organizationRole: 'WORKSPACE_OWNER' }), 400, 'organizationRole');
    const owned = await create({ name: 'Owners', organizationRole: 'ORGANIZATION_OWNER' });
    assert.equal(owned.organizationRole, 'ORGANIZATION_OWNER');

    assert.equal((await s.api.delete(`${base}/${t.id}`)).status, 204);
    assertError(await s.api.get(`${base}/${t.id}`), 404);
    assertError(await s.api.delete(`${base}/${t.id}`), 404);
    assertError(await s.api.post(`${base}/${t.id}`, { name: 'x' }), 404);
    assertError(await s.api.get(`${base}/${t.id}/members`), 404);
    assertError(await s.api.post(`${base}/${t.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER' }), 404);
    assert.equal((await s.api.get(`${org}/users/${u.id}/teams`)).body.totalCount, 0);
  });

  it('adds members idempotently, removes them (404 for a non-member), lists them in pages', async () => {
    const a = await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Ann');
    const b = await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Bob');
    const t = await create({ name: 'Members' });
    const members = `${base}/${t.id}/members`;
    assert.equal((await s.api.get(members)).body.totalCount, 0);
    assert.equal((await s.api.post(members, { memberIds: [a.id, b.id] })).status, 204);
    assert.equal((await s.api.post(members, { memberIds: [a.id, a.id] })).status, 204);
    const list = await s.api.get(members);
    assert.equal(list.body.totalCount, 2);
    const ann = list.body.teamMembers.find((m: Json) => m.userId === a.id);
    assert.deepEqual(Object.keys(ann).sort(), ['createdAt', 'fullName', 'userId', 'username']);
    assert.equal(ann.username, a.email);
    assert.equal(ann.fullName, 'Ann');
    const desc = await s.api.get(members, { sorts: ['fullName:desc'], limit: 1 });
    assert.deepEqual(desc.body.teamMembers.map((m: Json) => m.userId), [b.id]);
    assert.equal(desc.body.totalCount, 2);
    const next = await s.api.get(members, { sorts: ['fullName:desc'], limit: 1, offset: 1 });
    assert.deepEqual(next.body.teamMembers.map((m: Json) => m.userId), [a.id]);
    const big = await s.api.get(members, { limit: 5000 });
    assert.equal(big.status, 200, big.text);
    assert.equal(big.body.limit, 1000);
    assert.equal(big.body.teamMembers.length, 2);

    assertError(await s.api.post(members, { memberIds: [] }), 400, 'memberIds');
    assertError(await s.api.post(members, { memberIds: [a.id, MISSING] }), 400, 'memberIds', 'exists');
    assertError(await s.api.post(`${base}/${MISSING}/members`, { memberIds: [a.id] }), 404);
    assert.equal((await s.api.get(members)).body.totalCount, 2, 'a refused add adds no one');

    assert.equal((await s.api.delete(`${members}/${a.id}`)).status, 204);
    assertError(await s.api.delete(`${members}/${a.id}`), 404);
    assertError(await s.api.delete(`${members}/${MISSING}`), 404);
    assert.deepEqual((await s.api.get(members)).body.teamMembers.map((m: Json) => m.userId), [b.id]);
  });

  it('UpdateTeamRoles: organizationRole required, a list sent replaces, a list left out stays, empty lists absent', async () => {
    const t = await create({ name: 'Roles' });
    const roles = `${base}/${t.id}/roles`;
    assertError(await s.api.post(roles, { workspaceRoles: [] }), 400, 'organizationRole', 'required');
    assertError(await s.api.post(roles, { organizationRole: 'NOPE' }), 400, 'organizationRole', 'oneof');
    assertError(await s.api.post(roles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: MISSING, role: 'WORKSPACE_MEMBER' }] }), 400, 'workspaceRoles[0].workspaceId');
    assertError(await s.api.post(roles, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: MISSING, role: 'DEPLOYMENT_ADMIN' }] }), 400, 'deploymentRoles[0].deploymentId');
    const set = await s.api.post(roles, {
      organizationRole: 'ORGANIZATION_BILLING_ADMIN',
      workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_AUTHOR' }],
      deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep.id, dagId: 'etl', role: 'DAG_AUTHOR' }],
    });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    const got = (await s.api.get(`${base}/${t.id}`)).body;
    assert.equal(got.rolesCount, 4);
    assert.equal(got.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    assert.deepEqual(got.dagRoles, [{ deploymentId: dep.id, dagId: 'etl', role: 'DAG_AUTHOR' }]);
    const kept = await s.api.post(roles, { organizationRole: 'ORGANIZATION_MEMBER' });
    assert.equal(kept.body.workspaceRoles.length, 1);
    assert.equal(kept.body.deploymentRoles.length, 1);
    const emptied = await s.api.post(roles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [], dagRoles: [] });
    assert.deepEqual(emptied.body, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }] });
    const after = (await s.api.get(`${base}/${t.id}`)).body;
    assert.ok(!('workspaceRoles' in after) && !('dagRoles' in after));
    assert.equal(after.rolesCount, 2);
  });

  it('a member holds the Team\'s roles at once, and loses them at once on removal, role change or deletion', async () => {
    const u = await joinAsUser(s);
    const wsPath = `${org}/workspaces/${ws.id}`;
    const rename = { name: 'teams ws', description: 'changed', cicdEnforcedDefault: false };
    assertError(await u.api.post(wsPath, rename), 403);
    const t = await create({ name: 'Grants', memberIds: [u.id] });
    const grant = { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] };
    assert.equal((await s.api.post(`${base}/${t.id}/roles`, grant)).status, 200);
    assert.equal((await u.api.post(wsPath, rename)).status, 200);
    const self = (await u.api.get('/v1/users/self')).body;
    assert.ok(self.roles.some((r: Json) => r.role === 'WORKSPACE_OWNER' && r.scope.entityId === ws.id), 'the Team\'s roles show in /users/self');

    assert.equal((await s.api.delete(`${base}/${t.id}/members/${u.id}`)).status, 204);
    assertError(await u.api.post(wsPath, rename), 403);
    assert.equal((await s.api.post(`${base}/${t.id}/members`, { memberIds: [u.id] })).status, 204);
    assert.equal((await u.api.post(wsPath, rename)).status, 200);

    assert.equal((await s.api.post(`${base}/${t.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [] })).status, 200);
    assertError(await u.api.post(wsPath, rename), 403);
    assert.equal((await s.api.post(`${base}/${t.id}/roles`, grant)).status, 200);
    assert.equal((await u.api.post(wsPath, rename)).status, 200);

    // A Team's Organization role applies to its members too.
    assertError(await u.api.post(`${org}/workspaces`, { name: 'by team owner' }), 403);
    assert.equal((await s.api.post(`${base}/${t.id}/roles`, { organizationRole: 'ORGANIZATION_OWNER' })).status, 200);
    assert.equal((await u.api.post(`${org}/workspaces`, { name: 'by team owner' })).status, 200);

    assert.equal((await s.api.delete(`${base}/${t.id}`)).status, 204);
    assertError(await u.api.post(wsPath, rename), 403);
    assertError(await u.api.post(`${org}/workspaces`, { name: 'by team owner 2' }), 403);
  });

  it('ListTeams filters by names, Workspace and Deployment, pages and sorts', async () => {
    const w = await create({ name: 'filter-ws' });
    const d = await create({ name: 'filter-dep' });
    const g = await create({ name: 'filter-dag' });
    await s.api.post(`${base}/${w.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }] });
    await s.api.post(`${base}/${d.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }] });
    await s.api.post(`${base}/${g.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [{ deploymentId: dep.id, dagTag: 'x', role: 'DAG_VIEWER' }] });
    const ids = async (query: Json) => {
      const r = await s.api.get(base, { limit: 1000, ...query });
      assert.equal(r.status, 200, r.text);
      return r.body.teams.map((t: Json) => t.id).sort();
    };
    assert.deepEqual(await ids({ names: ['filter-ws', 'filter-dag', 'nope'] }), [w.id, g.id].sort());
    const onWs = await ids({ workspaceId: ws.id });
    assert.ok(onWs.includes(w.id) && !onWs.includes(d.id) && !onWs.includes(g.id));
    // Earlier tests left other Teams with roles there too: check these three only.
    const onDep = await ids({ deploymentId: dep.id });
    assert.ok(onDep.includes(d.id) && onDep.includes(g.id) && !onDep.includes(w.id));
    assert.deepEqual(await ids({ workspaceId: MISSING }), []);
    assert.deepEqual(await ids({ deploymentId: MISSING }), []);
    const total = (await s.api.get(base)).body.totalCount;
    assert.ok(total >= 3);
    const names = (await s.api.get(base, { limit: 1000, sorts: ['name:desc'] })).body.teams.map((t: Json) => t.name);
    assert.deepEqual(names, [...names].sort().reverse());
    const page = await s.api.get(base, { limit: 2, offset: 1, sorts: ['name:desc'] });
    assert.deepEqual(page.body.teams.map((t: Json) => t.name), names.slice(1, 3));
    assert.equal(page.body.totalCount, total);
    assert.equal((await s.api.get(base, { offset: 10_000 })).body.teams.length, 0);
  });

  it('a Team managed by an identity provider keeps its name and members; its roles can change', async () => {
    const u = await joinAsUser(s);
    const id = newId();
    const at = s.clock.now().toISOString();
    await insertTeam(s.app.db, {
      id, organization_id: s.orgId, name: 'From the IdP', description: null, is_idp_managed: 1, organization_role: 'ORGANIZATION_MEMBER',
      created_at: at, created_by_id: 'scim', created_by_type: 'SERVICEKEY', updated_at: at, updated_by_id: 'scim', updated_by_type: 'SERVICEKEY',
    });
    const t = (await s.api.get(`${base}/${id}`)).body;
    assert.equal(t.isIdpManaged, true);
    assertError(await s.api.post(`${base}/${id}`, { name: 'renamed' }), 400);
    assertError(await s.api.post(`${base}/${id}/members`, { memberIds: [u.id] }), 400);
    assertError(await s.api.delete(`${base}/${id}/members/${u.id}`), 400);
    assert.equal((await s.api.get(`${base}/${id}`)).body.name, 'From the IdP');
    assert.equal((await s.api.post(`${base}/${id}/roles`, { organizationRole: 'ORGANIZATION_BILLING_ADMIN' })).status, 200);
    assert.equal((await s.api.delete(`${base}/${id}`)).status, 204);
  });

  it('refuses callers lacking the permission, scoped to a Workspace, of another Organization or without a token', async () => {
    const u = await joinAsUser(s);
    const t = await create({ name: 'Guarded' });
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    for (const caller of [member, u.api]) {
      assert.equal((await caller.get(base)).status, 200);
      assert.equal((await caller.get(`${base}/${t.id}`)).status, 200);
      assert.equal((await caller.get(`${base}/${t.id}/members`)).status, 200);
      assertError(await caller.post(base, { name: 'no' }), 403);
      assertError(await caller.post(`${base}/${t.id}`, { name: 'no' }), 403);
      assertError(await caller.delete(`${base}/${t.id}`), 403);
      assertError(await caller.post(`${base}/${t.id}/members`, { memberIds: [u.id] }), 403);
      assertError(await caller.delete(`${base}/${t.id}/members/${u.id}`), 403);
      assertError(await caller.post(`${base}/${t.id}/roles`, { organizationRole: 'ORGANIZATION_OWNER' }), 403);
    }
    assert.equal((await s.api.get(`${base}/${t.id}/members`)).body.totalCount, 0);
    assert.equal((await s.api.get(`${base}/${t.id}`)).body.organizationRole, 'ORGANIZATION_MEMBER');
    const wsToken = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' }]);
    assertError(await wsToken.get(base), 403);
    assertError(await wsToken.get(`${base}/${t.id}`), 403);
    const other = await createOrganizationWithOwner(s.app, { name: 'other teams org' });
    const stranger = s.as(other.token);
    assertError(await stranger.get(base), 403);
    assertError(await stranger.get(`${base}/${t.id}`), 403);
    assertError(await stranger.delete(`${base}/${t.id}`), 403);
    assertError(await stranger.get(`/v1/organizations/${other.organizationId}/teams/${t.id}`), 404);
    assertError(await s.as(undefined).get(base), 401);
    assert.equal((await s.api.get(`${base}/${t.id}`)).status, 200);
  });
});

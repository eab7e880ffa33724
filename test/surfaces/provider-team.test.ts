import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { joinAsUser, startUserServer } from '../helpers/users.js';

type Json = Record<string, any>;

/**
 * The Terraform provider's astro_team resource and astro_team / astro_teams data sources, call by
 * call as it makes them on /iam/v1beta1 (with the organization read on /platform/v1beta1 that
 * refuses SCIM organizations, and the Deployment list it checks Deployment roles against).
 * Optional fields the provider did not send must come back absent, empty role lists absent.
 */
describe('provider replay: astro_team', () => {
  let s: TestServer;
  let iam: string;
  let platform: string;
  let ws: string;
  let dep: string;
  let alice: string;
  let bob: string;
  let carol: string;

  before(async () => {
    s = await startUserServer();
    iam = `/iam/v1beta1/organizations/${s.orgId}`;
    platform = `/platform/v1beta1/organizations/${s.orgId}`;
    ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'team-ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' })).body.id;
    const d = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'team-dep', workspaceId: ws });
    assert.equal(d.status, 200, d.text);
    dep = d.body.id;
    alice = (await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Alice')).id;
    bob = (await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Bob')).id;
    carol = (await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Carol')).id;
  });
  after(async () => { await s.close(); });

  /** CheckOrganizationIsScim, before every create, update and delete. */
  async function scimCheck() {
    const org = await s.api.get(`${platform}`, {});
    assert.equal(org.status, 200, org.text);
    assert.equal(org.body.isScimEnabled, false);
  }

  /** ValidateWorkspaceDeploymentRoles: the Deployments named by Deployment roles, paged by 1000. */
  async function deploymentCheck(ids: string[]) {
    const page = await s.api.get(`${platform}/deployments`, { deploymentIds: ids, limit: 1000, offset: 0 });
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.body.deployments.map((d: Json) => [d.id, d.workspaceId]), ids.map((id) => [id, ws]));
  }

  /** ListTeamMembers with no parameters, as the resource's member sync and the data sources call it. */
  async function memberIds(teamId: string): Promise<string[]> {
    const res = await s.api.get(`${iam}/teams/${teamId}/members`);
    assert.equal(res.status, 200, res.text);
    return res.body.teamMembers.map((m: Json) => m.userId).sort();
  }

  function assertTeamShape(t: Json) {
    assert.match(t.id, CUID);
    assert.equal(t.organizationId, s.orgId);
    assert.equal(t.isIdpManaged, false);
    assert.match(t.createdAt, RFC3339);
    assert.match(t.updatedAt, RFC3339);
    assert.ok(t.createdBy?.id && t.updatedBy?.id);
  }

  it('create with members and roles, read, update, import, data sources, delete, read after delete', async () => {
    // ---- Create: SCIM check, CreateTeam, then (roles configured) UpdateTeamRoles, then GetTeam.
    await scimCheck();
    const createBody = { name: 'tf-team', description: 'made by terraform', memberIds: [alice, bob], organizationRole: 'ORGANIZATION_MEMBER' };
    const created = await s.api.post(`${iam}/teams`, createBody);
    assert.equal(created.status, 200, created.text);
    assertTeamShape(created.body);
    assert.equal(created.body.name, 'tf-team');
    assert.equal(created.body.description, 'made by terraform');
    assert.equal(created.body.organizationRole, 'ORGANIZATION_MEMBER');
    for (const k of ['workspaceRoles', 'deploymentRoles', 'dagRoles']) assert.ok(!(k in created.body), `${k} absent while the team has none`);
    const id = created.body.id;

    const roles = {
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_AUTHOR' }],
      dagRoles: [{ deploymentId: dep, dagId: 'etl', role: 'DAG_VIEWER' }],
    };
    await deploymentCheck([dep]);
    const set = await s.api.post(`${iam}/teams/${id}/roles`, roles);
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.workspaceRoles, roles.workspaceRoles);
    assert.deepEqual(set.body.deploymentRoles, roles.deploymentRoles);
    assert.deepEqual(set.body.dagRoles, roles.dagRoles);
    assert.equal(set.body.organizationRole, 'ORGANIZATION_MEMBER');

    const read = await s.api.get(`${iam}/teams/${id}`);
    assert.equal(read.status, 200, read.text);
    assertTeamShape(read.body);
    assert.equal(read.body.description, 'made by terraform');
    assert.deepEqual(read.body.workspaceRoles, roles.workspaceRoles);
    assert.deepEqual(read.body.deploymentRoles, roles.deploymentRoles);
    assert.deepEqual(read.body.dagRoles, roles.dagRoles);
    assert.equal(read.body.rolesCount, 4);
    assert.deepEqual(await memberIds(id), [alice, bob].sort());

    // ---- Refresh: the same GET shows the same team.
    assert.deepEqual((await s.api.get(`${iam}/teams/${id}`)).body, read.body);

    // ---- Update: members synced (Bob out, Carol in), name and description, roles replaced.
    s.clock.advance(60);
    await scimCheck();
    assert.deepEqual(await memberIds(id), [alice, bob].sort());
    assert.equal((await s.api.delete(`${iam}/teams/${id}/members/${bob}`)).status, 204);
    assert.equal((await s.api.post(`${iam}/teams/${id}/members`, { memberIds: [carol] })).status, 204);
    // No description configured any more: the provider sends "".
    const renamed = await s.api.post(`${iam}/teams/${id}`, { name: 'tf-team-2', description: '' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'tf-team-2');
    assert.ok(!('description' in renamed.body), 'an emptied description reads as none');
    // Workspace role changed; no Deployment or DAG roles configured: the provider sends [].
    const newRoles = { deploymentRoles: [], organizationRole: 'ORGANIZATION_BILLING_ADMIN', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_OPERATOR' }], dagRoles: [] };
    const reset = await s.api.post(`${iam}/teams/${id}/roles`, newRoles);
    assert.equal(reset.status, 200, reset.text);
    assert.deepEqual(reset.body.workspaceRoles, newRoles.workspaceRoles);
    assert.ok(!('deploymentRoles' in reset.body) && !('dagRoles' in reset.body), 'emptied role lists are absent');
    const afterUpdate = (await s.api.get(`${iam}/teams/${id}`)).body;
    assert.equal(afterUpdate.name, 'tf-team-2');
    assert.ok(!('description' in afterUpdate));
    assert.equal(afterUpdate.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    assert.deepEqual(afterUpdate.workspaceRoles, newRoles.workspaceRoles);
    assert.ok(!('deploymentRoles' in afterUpdate) && !('dagRoles' in afterUpdate));
    assert.equal(afterUpdate.rolesCount, 2);
    assert.notEqual(afterUpdate.updatedAt, read.body.updatedAt);
    assert.equal(afterUpdate.createdAt, read.body.createdAt);
    assert.deepEqual(await memberIds(id), [alice, carol].sort());

    // ---- Import by id: one GET by id shows the whole team.
    assert.deepEqual((await s.api.get(`${iam}/teams/${id}`)).body, afterUpdate);

    // ---- astro_team data source: GetTeam and ListTeamMembers.
    const members = (await s.api.get(`${iam}/teams/${id}/members`)).body;
    assert.equal(members.totalCount, 2);
    for (const m of members.teamMembers) {
      assert.ok(m.username.includes('@'));
      assert.match(m.createdAt, RFC3339);
    }

    // ---- astro_teams data source: limit 1000 from offset 0, then one more page at offset 1000.
    const other = (await s.api.post(`${iam}/teams`, { name: 'other-team', organizationRole: 'ORGANIZATION_MEMBER' })).body;
    assert.ok(!('description' in other), 'a description not sent is absent');
    const first = await s.api.get(`${iam}/teams`, { limit: 1000, offset: 0 });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.teams.map((t: Json) => t.id).sort(), [id, other.id].sort());
    assert.equal(first.body.totalCount, 2);
    const beyond = await s.api.get(`${iam}/teams`, { limit: 1000, offset: 1000 });
    assert.equal(beyond.status, 200, beyond.text);
    assert.deepEqual(beyond.body.teams, []);
    assert.equal(beyond.body.totalCount, 2);
    const byName = await s.api.get(`${iam}/teams`, { names: ['tf-team-2', 'no-such-team'], limit: 1000, offset: 0 });
    assert.deepEqual(byName.body.teams.map((t: Json) => t.id), [id]);
    // The older list has no Workspace filter: such a parameter changes nothing.
    const unfiltered = await s.api.get(`${iam}/teams`, { workspaceId: ws, limit: 1000, offset: 0 });
    assert.equal(unfiltered.status, 200, unfiltered.text);
    assert.equal(unfiltered.body.totalCount, 2);

    // ---- Delete, then the read that drops it from state.
    await scimCheck();
    assert.equal((await s.api.delete(`${iam}/teams/${id}`)).status, 204);
    assertError(await s.api.get(`${iam}/teams/${id}`), 404);
    assertError(await s.api.get(`${iam}/teams/${id}/members`), 404);
    // A second delete (state out of date) is a 404, which the provider ignores.
    assertError(await s.api.delete(`${iam}/teams/${id}`), 404);
  });

  it('create without members, description or roles: all of them absent', async () => {
    const created = await s.api.post(`${iam}/teams`, { name: 'bare', organizationRole: 'ORGANIZATION_MEMBER' });
    assert.equal(created.status, 200, created.text);
    for (const k of ['description', 'workspaceRoles', 'deploymentRoles', 'dagRoles']) assert.ok(!(k in created.body), k);
    assert.deepEqual(await memberIds(created.body.id), []);
    const read = (await s.api.get(`${iam}/teams/${created.body.id}`)).body;
    assert.deepEqual(read, created.body);
    // member_ids = [] in the configuration goes as an empty list.
    const empty = await s.api.post(`${iam}/teams`, { name: 'empty-members', memberIds: [], organizationRole: 'ORGANIZATION_MEMBER' });
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual(await memberIds(empty.body.id), []);
  });

  it('cross-surface: created on iam v1beta1, read and changed on /v1, deleted on /v1', async () => {
    const v1 = `/v1/organizations/${s.orgId}`;
    const created = (await s.api.post(`${iam}/teams`, { name: 'xs', description: 'd', memberIds: [alice], organizationRole: 'ORGANIZATION_MEMBER' })).body;
    const id = created.id;
    const onV1 = await s.api.get(`${v1}/teams/${id}`);
    assert.equal(onV1.status, 200, onV1.text);
    assert.deepEqual(onV1.body, created);
    const up = await s.api.post(`${v1}/teams/${id}`, { name: 'xs-2', description: 'changed' });
    assert.equal(up.status, 200, up.text);
    const roles = await s.api.post(`${v1}/teams/${id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }] });
    assert.equal(roles.status, 200, roles.text);
    const back = (await s.api.get(`${iam}/teams/${id}`)).body;
    assert.equal(back.name, 'xs-2');
    assert.equal(back.description, 'changed');
    assert.deepEqual(back.workspaceRoles, [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }]);
    assert.deepEqual(back, (await s.api.get(`${v1}/teams/${id}`)).body);
    assert.deepEqual(await memberIds(id), [alice]);
    assert.equal((await s.api.delete(`${v1}/teams/${id}`)).status, 204);
    assertError(await s.api.get(`${v1}/teams/${id}`), 404);
    assertError(await s.api.get(`${iam}/teams/${id}`), 404);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiClient, type ApiResponse } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { joinAsUser, startUserServer } from '../helpers/users.js';

type Json = Record<string, any>;

/**
 * What goes with a delete: everything that belongs to a deleted Deployment or Workspace, and
 * every role on it, is gone when the delete answers, as every read through the API shows.
 */
describe('deletes take what belongs to the deleted thing', () => {
  let s: TestServer;
  let org: string;
  let platform: string;
  let n = 0;

  const ok = async (res: Promise<ApiResponse>, status = 200): Promise<Json> => {
    const r = await res;
    assert.equal(r.status, status, r.text);
    return r.body;
  };
  const workspace = async () => (await ok(s.api.post(`${org}/workspaces`, { name: `del ws ${++n}`, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' }))).id as string;
  const deployment = async (workspaceId: string) => (await ok(s.api.post(`${org}/deployments`, { name: `del-dep-${++n}`, workspaceId }))).id as string;
  const token = (body: Json) => ok(s.api.post(`${org}/tokens`, { name: `del token ${++n}`, ...body }));
  const team = async () => (await ok(s.api.post(`${org}/teams`, { name: `del team ${++n}` }))).id as string;
  const ids = (list: Json[] | undefined) => (list ?? []).map((x) => x.id);
  /** A token's secret stops working at once, and the token is gone from reads and lists. */
  const tokenGone = async (t: Json) => {
    assertError(await s.as(t.token).get(`${org}`), 401);
    assertError(await s.api.get(`${org}/tokens/${t.id}`), 404);
    const listed = await ok(s.api.get(`${org}/tokens`, { limit: 1000 }));
    assert.ok(!ids(listed.tokens).includes(t.id), 'a deleted token is not listed');
  };

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    platform = `/platform/v1beta1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('a Deployment takes its API tokens, the roles on it, its alerts, channels and environment objects', async () => {
    const ws = await workspace();
    const dep = await deployment(ws);
    const other = await deployment(ws);

    // API tokens: the Deployment's own, and others holding roles on it.
    const own = await token({ scope: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' });
    assert.equal((await s.as(own.token).get(`${org}/deployments/${dep}`)).status, 200, 'the token works before the delete');
    const agent = await ok(s.api.post(`${org}/deployments/${dep}/agent-tokens`, { name: 'agent' }));
    const orgToken = await token({ scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const orgRoles = [
      { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' },
      { entityType: 'DEPLOYMENT', entityId: other, role: 'DEPLOYMENT_ADMIN' },
      { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: dep },
      { entityType: 'DAG_TAG', entityId: 'team-a', role: 'DAG_AUTHOR', deploymentId: dep },
      { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: other },
    ];
    await ok(s.api.post(`${org}/tokens/${orgToken.id}/roles`, { roles: orgRoles }));
    const orgClient = s.as(orgToken.token);
    const wsToken = await token({ scope: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_MEMBER' });
    const wsRoles = [
      { entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_MEMBER' },
      { entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' },
    ];
    await ok(s.api.post(`${org}/tokens/${wsToken.id}/roles`, { roles: wsRoles }));

    // Users and Teams holding roles on it and its DAGs.
    const u = await joinAsUser(s);
    await ok(s.api.post(`${org}/users/${u.id}/roles`, {
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }],
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }, { deploymentId: other, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep, dagId: 'etl', role: 'DAG_VIEWER' }, { deploymentId: other, dagTag: 'team-a', role: 'DAG_AUTHOR' }],
    }));
    const t = await team();
    await ok(s.api.post(`${org}/teams/${t}/roles`, {
      organizationRole: 'ORGANIZATION_MEMBER',
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep, dagTag: 'x', role: 'DAG_VIEWER' }],
    }));

    // Alerts and notification channels (older surface).
    const channel = (entityType: string, entityId: string, type: string, definition: Json) => ok(s.api.post(`${platform}/notification-channels`, {
      name: `${type} ${entityType} ${++n}`, type, entityType, entityId, definition, ...(entityType !== 'DEPLOYMENT' ? { isShared: true } : {}),
    }));
    const depMail = await channel('DEPLOYMENT', dep, 'EMAIL', { recipients: ['a@example.com'] });
    const wsMail = await channel('WORKSPACE', ws, 'EMAIL', { recipients: ['b@example.com'] });
    const triggerDep = await channel('WORKSPACE', ws, 'DAG_TRIGGER', { dagId: 'recover', deploymentId: dep, deploymentApiToken: own.token });
    const triggerOther = await channel('ORGANIZATION', s.orgId, 'DAG_TRIGGER', { dagId: 'recover', deploymentId: other, deploymentApiToken: 'x' });
    const alert = (deploymentId: string, channelIds: string[]) => ok(s.api.post(`${platform}/alerts`, {
      name: `alert ${++n}`, type: 'DAG_FAILURE', severity: 'CRITICAL', entityType: 'DEPLOYMENT', entityId: deploymentId, notificationChannelIds: channelIds,
      rules: { properties: { deploymentId }, patternMatches: [{ entityType: 'DAG_ID', operatorType: 'IS', values: ['etl'] }] },
    }));
    const depAlert = await alert(dep, [depMail.id, wsMail.id]);
    const otherAlert = await alert(other, [wsMail.id, triggerDep.id, triggerOther.id]);

    // Environment objects: the Deployment's own, and a Workspace object linked to it with overrides.
    const depObject = (await ok(s.api.post(`${org}/environment-objects`, {
      objectKey: 'DEP_VAR', objectType: 'AIRFLOW_VARIABLE', scope: 'DEPLOYMENT', scopeEntityId: dep, airflowVariable: { value: 'v' },
    }))).id;
    const wsObject = (await ok(s.api.post(`${org}/environment-objects`, {
      objectKey: 'WS_VAR', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws, airflowVariable: { value: 'v' },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep, overrides: { airflowVariable: { value: 'dep' } } }, { scope: 'DEPLOYMENT', scopeEntityId: other }],
      excludeLinks: [],
    }))).id;

    await ok(s.api.delete(`${org}/deployments/${dep}`), 204);
    assertError(await s.api.get(`${org}/deployments/${dep}`), 404);

    // Its tokens are gone and refused at once.
    await tokenGone(own);
    assertError(await s.as(agent.token).get(`${org}/deployments/${other}`), 401);
    // Other tokens keep their other roles only.
    assert.deepEqual((await ok(s.api.get(`${org}/tokens/${orgToken.id}`))).roles, [orgRoles[0], orgRoles[2], orgRoles[5]]);
    assert.deepEqual((await ok(s.api.get(`${org}/tokens/${wsToken.id}`))).roles, [wsRoles[0]]);
    assert.deepEqual((await ok(s.api.get(`${org}/tokens`, { deploymentId: other, limit: 100 }))).tokens.map((x: Json) => x.id).sort(), [orgToken.id].sort());
    assert.equal((await orgClient.get(`${org}/deployments/${other}`)).status, 200, 'the remaining roles still work');

    // Users and Teams: no role on the deleted Deployment or its DAGs.
    const user = await ok(s.api.get(`${org}/users/${u.id}`));
    assert.deepEqual(user.deploymentRoles, [{ deploymentId: other, role: 'DEPLOYMENT_ADMIN' }]);
    assert.deepEqual(user.dagRoles, [{ deploymentId: other, dagTag: 'team-a', role: 'DAG_AUTHOR' }]);
    assert.deepEqual(user.workspaceRoles, [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }]);
    const self = await ok(u.api.get('/v1/users/self'));
    assert.ok(!JSON.stringify(self.roles ?? []).includes(dep), 'the user itself sees no role on the deleted Deployment');
    const tm = await ok(s.api.get(`${org}/teams/${t}`));
    assert.ok(!('deploymentRoles' in tm) && !('dagRoles' in tm), JSON.stringify(tm));
    assert.equal(tm.rolesCount, 1);
    const users = await ok(s.api.get(`${org}/users`, { limit: 1000 }));
    assert.ok(!JSON.stringify(users).includes(dep), 'the user list shows no role on the deleted Deployment');

    // Its alerts and channels are gone, DAG_TRIGGER channels naming it too; other alerts lose them.
    assertError(await s.api.get(`${platform}/alerts/${depAlert.id}`), 404);
    assertError(await s.api.get(`${platform}/notification-channels/${depMail.id}`), 404);
    assertError(await s.api.get(`${platform}/notification-channels/${triggerDep.id}`), 404);
    assert.equal((await s.api.get(`${platform}/notification-channels/${triggerOther.id}`)).status, 200);
    const kept = await ok(s.api.get(`${platform}/alerts/${otherAlert.id}`));
    assert.deepEqual(ids(kept.notificationChannels), [wsMail.id, triggerOther.id]);
    const alerts = await ok(s.api.get(`${platform}/alerts`, { limit: 100 }));
    assert.ok(!ids(alerts.alerts).includes(depAlert.id));
    const channels = await ok(s.api.get(`${platform}/notification-channels`, { limit: 100 }));
    assert.ok(!ids(channels.notificationChannels).includes(depMail.id) && !ids(channels.notificationChannels).includes(triggerDep.id));

    // Environment objects: the Deployment's own is gone, the Workspace object keeps its other link.
    assertError(await s.api.get(`${org}/environment-objects/${depObject}`), 404);
    const wsObj = await ok(s.api.get(`${org}/environment-objects/${wsObject}`));
    assert.deepEqual(wsObj.links.map((l: Json) => l.scopeEntityId), [other]);
    const objects = await ok(s.api.get(`${org}/environment-objects`, { workspaceId: ws, limit: 100 }));
    assert.ok(!ids(objects.environmentObjects).includes(depObject));
    assert.ok(!JSON.stringify(objects).includes(dep));
  });

  it('a Workspace takes its API tokens, the roles on it and custom-role restrictions naming it', async () => {
    const ws = await workspace();
    const ws2 = await workspace();
    const own = await token({ scope: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_OWNER' });
    assert.equal((await s.as(own.token).get(`${org}/workspaces/${ws}`)).status, 200);
    const orgToken = await token({ scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const orgRoles = [
      { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_OWNER' },
      { entityType: 'WORKSPACE', entityId: ws2, role: 'WORKSPACE_MEMBER' },
    ];
    await ok(s.api.post(`${org}/tokens/${orgToken.id}/roles`, { roles: orgRoles }));
    const u = await joinAsUser(s);
    await ok(s.api.post(`${org}/users/${u.id}/roles`, {
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_OWNER' }, { workspaceId: ws2, role: 'WORKSPACE_MEMBER' }],
    }));
    const t = await team();
    await ok(s.api.post(`${org}/teams/${t}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }] }));
    const both = await ok(s.api.post(`${org}/roles`, { name: `BOTH_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], restrictedWorkspaceIds: [ws, ws2] }));
    const alone = await ok(s.api.post(`${org}/roles`, { name: `ALONE_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], restrictedWorkspaceIds: [ws] }));
    const mail = await ok(s.api.post(`${platform}/notification-channels`, {
      name: 'ws mail', type: 'EMAIL', entityType: 'WORKSPACE', entityId: ws, definition: { recipients: ['c@example.com'] },
    }));
    const object = (await ok(s.api.post(`${org}/environment-objects`, {
      objectKey: 'WS_ONLY', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws, airflowVariable: { value: 'v' },
    }))).id;

    // A role restricted to this Workspace alone would become unrestricted: the delete is refused
    // and nothing changes.
    const refused = await s.api.delete(`${org}/workspaces/${ws}`);
    assertError(refused, 400, 'workspaceId', 'in_use');
    assert.match(refused.body.message, new RegExp(alone.name));
    assert.equal((await s.as(own.token).get(`${org}/workspaces/${ws}`)).status, 200, 'nothing was deleted');
    assert.deepEqual((await ok(s.api.get(`${org}/roles/${both.id}`))).restrictedWorkspaceIds, [ws, ws2]);
    await ok(s.api.delete(`${org}/roles/${alone.id}`), 204);

    await ok(s.api.delete(`${org}/workspaces/${ws}`), 204);
    await tokenGone(own);
    assert.deepEqual((await ok(s.api.get(`${org}/tokens/${orgToken.id}`))).roles, [orgRoles[0], orgRoles[2]]);
    const user = await ok(s.api.get(`${org}/users/${u.id}`));
    assert.deepEqual(user.workspaceRoles, [{ workspaceId: ws2, role: 'WORKSPACE_MEMBER' }]);
    const tm = await ok(s.api.get(`${org}/teams/${t}`));
    assert.ok(!('workspaceRoles' in tm), JSON.stringify(tm));
    assert.deepEqual((await ok(s.api.get(`${org}/roles/${both.id}`))).restrictedWorkspaceIds, [ws2]);
    const roles = await ok(s.api.get(`${org}/roles`, { limit: 1000 }));
    assert.ok(!JSON.stringify(roles).includes(ws));
    assertError(await s.api.get(`${platform}/notification-channels/${mail.id}`), 404);
    assertError(await s.api.get(`${org}/environment-objects/${object}`), 404);
    const teams = await ok(s.api.get(`${org}/teams`, { limit: 1000 }));
    assert.ok(!JSON.stringify(teams).includes(ws));
  });

  it('a token deleting its own Deployment or Workspace is answered, and then refused', async () => {
    const ws = await workspace();
    const dep = await deployment(ws);
    const depToken = await token({ scope: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' });
    await ok(s.as(depToken.token).delete(`${org}/deployments/${dep}`), 204);
    await tokenGone(depToken);
    const wsToken = await token({ scope: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_OWNER' });
    await ok(s.as(wsToken.token).delete(`${org}/workspaces/${ws}`), 204);
    await tokenGone(wsToken);
  });

  it('refuses to delete a custom role a user or a Team holds, as one a token holds', async () => {
    const ws = await workspace();
    const dep = await deployment(ws);
    const role = await ok(s.api.post(`${org}/roles`, { name: `HELD_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] }));
    const dagRole = await ok(s.api.post(`${org}/roles`, { name: `DAG_HELD_${++n}`, scopeType: 'DAG', permissions: ['dag.airflow.dag.get'] }));
    const u = await joinAsUser(s);
    const userRoles = `${org}/users/${u.id}/roles`;
    await ok(s.api.post(userRoles, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep, role: role.name }] }));
    const held = await s.api.delete(`${org}/roles/${role.id}`);
    assertError(held, 400, 'customRoleId', 'in_use');
    assert.match(held.body.message, /1 user\b/);

    // A rename follows into the user's grant.
    const renamed = `${role.name}_RENAMED`;
    await ok(s.api.post(`${org}/roles/${role.id}`, { name: renamed, permissions: ['deployment.get'] }));
    assert.deepEqual((await ok(s.api.get(`${org}/users/${u.id}`))).deploymentRoles, [{ deploymentId: dep, role: renamed }]);
    assert.equal((await u.api.get(`${org}/deployments/${dep}`)).status, 200, 'the renamed role still grants');

    await ok(s.api.post(userRoles, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [] }));
    const t = await team();
    await ok(s.api.post(`${org}/teams/${t}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [{ deploymentId: dep, dagId: 'etl', role: dagRole.name }] }));
    const byTeam = await s.api.delete(`${org}/roles/${dagRole.id}`);
    assertError(byTeam, 400, 'customRoleId', 'in_use');
    assert.match(byTeam.body.message, /1 Team\b/);
    await ok(s.api.delete(`${org}/roles/${role.id}`), 204);
    await ok(s.api.post(`${org}/teams/${t}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [] }));
    await ok(s.api.delete(`${org}/roles/${dagRole.id}`), 204);
  });
});

const ROUNDS = 25;

/**
 * A Deployment deleted while roles on it are granted. On SQLite transactions run one at a time;
 * on PostgreSQL the requests of a round interleave. Whatever the order: no 5xx, and no role
 * left on the missing Deployment.
 */
describe('races: grants racing a Deployment delete', () => {
  let s: TestServer;
  let org: string;
  let ws: string;
  let userId: string;
  let teamId: string;
  let tokenId: string;
  let owner: ApiClient;

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    owner = s.api;
    ws = (await owner.post(`${org}/workspaces`, { name: 'race ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    userId = (await joinAsUser(s)).id;
    teamId = (await owner.post(`${org}/teams`, { name: 'race team' })).body.id;
    tokenId = (await owner.post(`${org}/tokens`, { name: 'race token', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' })).body.id;
  });
  after(async () => { await s.close(); });

  it(`answers 2xx or 4xx and leaves no role on the deleted Deployment, over ${ROUNDS} rounds`, async (t) => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const keep = (await owner.post(`${org}/deployments`, { name: 'race keep', workspaceId: ws })).body.id as string;
    for (let round = 0; round < ROUNDS; round++) {
      const created = await owner.post(`${org}/deployments`, { name: `race-${round}`, workspaceId: ws });
      assert.equal(created.status, 200, created.text);
      const dep = created.body.id as string;
      const requests: [string, () => Promise<ApiResponse>, number[]][] = [
        // Held back a little in some rounds, so the grants sometimes reach the store first.
        ['DeleteDeployment', async () => {
          const wait = [undefined, 0, 1, 2, 4][round % 5];
          if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
          return owner.delete(`${org}/deployments/${dep}`);
        }, [204]],
        ['UpdateUserRoles', () => owner.post(`${org}/users/${userId}/roles`, {
          organizationRole: 'ORGANIZATION_MEMBER',
          deploymentRoles: [{ deploymentId: keep, role: 'DEPLOYMENT_ADMIN' }, { deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
          dagRoles: [{ deploymentId: dep, dagId: `dag-${round}`, role: 'DAG_VIEWER' }],
        }), [200, 400]],
        ['UpdateUserRoles (Workspace roles only)', () => owner.post(`${org}/users/${userId}/roles`, {
          organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }],
        }), [200]],
        ['UpdateTeamRoles', () => owner.post(`${org}/teams/${teamId}/roles`, {
          organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
        }), [200, 400]],
        ['UpdateApiTokenRoles', () => owner.post(`${org}/tokens/${tokenId}/roles`, { roles: [
          { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
          { entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' },
          { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: dep },
        ] }), [200, 404]],
        ['CreateDeploymentApiToken', () => owner.post(`${org}/tokens`, { name: `race ${round}`, scope: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' }), [200, 404]],
      ];
      const order = requests.map((_, i) => requests[(i + round) % requests.length]!);
      const answers = await Promise.all(order.map(([, send]) => send()));
      const made: ApiResponse[] = [];
      answers.forEach((res, i) => {
        const [name, , allowed] = order[i]!;
        seen.set(`${name} ${res.status}`, (seen.get(`${name} ${res.status}`) ?? 0) + 1);
        if (!allowed.includes(res.status)) failures.push(`round ${round}: ${name} → ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status >= 400) {
          assert.equal(res.body.statusCode, res.status);
          assert.equal(res.body.requestId, res.headers.get('x-request-id'));
        }
        if (name === 'CreateDeploymentApiToken' && res.status === 200) made.push(res);
      });
      assertError(await owner.get(`${org}/deployments/${dep}`), 404);
      const stale = (what: string, body: unknown) => {
        if (JSON.stringify(body).includes(dep)) failures.push(`round ${round}: ${what} names the deleted Deployment: ${JSON.stringify(body).slice(0, 400)}`);
      };
      stale('the user', (await owner.get(`${org}/users/${userId}`)).body);
      stale('the Team', (await owner.get(`${org}/teams/${teamId}`)).body);
      stale('the token', (await owner.get(`${org}/tokens/${tokenId}`)).body);
      stale('the token list', (await owner.get(`${org}/tokens`, { limit: 1000 })).body);
      for (const m of made) {
        assertError(await s.as(m.body.token).get(org), 401);
        assertError(await owner.get(`${org}/tokens/${m.body.id}`), 404);
      }
    }
    const summary = [...seen].sort().map(([k, v]) => `${k}×${v}`).join(', ');
    t.diagnostic(`answers: ${summary}`);
    assert.deepEqual(failures, [], `unexpected answers (all answers: ${summary})`);
  });
});

/**
 * A Workspace deleted while roles on it are granted, tokens made for it and custom roles
 * restricted to it. A role restricted to it alone refuses the delete (400); the round then
 * lifts that restriction and deletes again. In the end nothing names the deleted Workspace.
 */
describe('races: grants and restrictions racing a Workspace delete', () => {
  let s: TestServer;
  let org: string;
  let keep: string;
  let userId: string;
  let teamId: string;
  let tokenId: string;
  let both: Json;
  let alone: Json;

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    keep = (await s.api.post(`${org}/workspaces`, { name: 'race keep' })).body.id;
    userId = (await joinAsUser(s)).id;
    teamId = (await s.api.post(`${org}/teams`, { name: 'race team' })).body.id;
    tokenId = (await s.api.post(`${org}/tokens`, { name: 'race token', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' })).body.id;
    both = (await s.api.post(`${org}/roles`, { name: 'RACE_BOTH', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], restrictedWorkspaceIds: [keep] })).body;
    alone = (await s.api.post(`${org}/roles`, { name: 'RACE_ALONE', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], restrictedWorkspaceIds: [keep] })).body;
  });
  after(async () => { await s.close(); });

  it(`answers 2xx or 4xx and leaves nothing naming the deleted Workspace, over ${ROUNDS} rounds`, async (t) => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const created = await s.api.post(`${org}/workspaces`, { name: `race-${round}` });
      assert.equal(created.status, 200, created.text);
      const ws = created.body.id as string;
      const restrict = (role: Json, ids: string[]) => s.api.post(`${org}/roles/${role.id}`, { name: role.name, permissions: ['deployment.get'], restrictedWorkspaceIds: ids });
      const requests: [string, () => Promise<ApiResponse>, number[]][] = [
        ['DeleteWorkspace', async () => {
          const wait = [undefined, 0, 1, 2, 4][round % 5];
          if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
          return s.api.delete(`${org}/workspaces/${ws}`);
        }, [204, 400]],
        ['UpdateUserRoles', () => s.api.post(`${org}/users/${userId}/roles`, {
          organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: keep, role: 'WORKSPACE_MEMBER' }, { workspaceId: ws, role: 'WORKSPACE_OWNER' }],
        }), [200, 400]],
        ['UpdateTeamRoles', () => s.api.post(`${org}/teams/${teamId}/roles`, {
          organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }],
        }), [200, 400]],
        ['UpdateApiTokenRoles', () => s.api.post(`${org}/tokens/${tokenId}/roles`, { roles: [
          { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
          { entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_MEMBER' },
        ] }), [200, 404]],
        ['CreateWorkspaceApiToken', () => s.api.post(`${org}/tokens`, { name: `race ${round}`, scope: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_MEMBER' }), [200, 404]],
        ['UpdateCustomRole (two Workspaces)', () => restrict(both, [ws, keep]), [200, 400]],
        // Every other round, so that in the others the delete can win against the grants.
        ...(round % 2 === 1 ? [['UpdateCustomRole (this one alone)', () => restrict(alone, [ws]), [200, 400]] as [string, () => Promise<ApiResponse>, number[]]] : []),
      ];
      const order = requests.map((_, i) => requests[(i + round) % requests.length]!);
      const answers = await Promise.all(order.map(([, send]) => send()));
      const made: Json[] = [];
      let deleted = false;
      answers.forEach((res, i) => {
        const [name, , allowed] = order[i]!;
        seen.set(`${name} ${res.status}`, (seen.get(`${name} ${res.status}`) ?? 0) + 1);
        if (!allowed.includes(res.status)) failures.push(`round ${round}: ${name} → ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status >= 400) {
          assert.equal(res.body.statusCode, res.status);
          assert.equal(res.body.requestId, res.headers.get('x-request-id'));
        }
        if (name === 'CreateWorkspaceApiToken' && res.status === 200) made.push(res.body);
        if (name === 'DeleteWorkspace') deleted = res.status === 204;
      });
      if (!deleted) {
        // Refused: the role restricted to this Workspace alone got there first.
        assert.deepEqual((await s.api.get(`${org}/roles/${alone.id}`)).body.restrictedWorkspaceIds, [ws], `round ${round}`);
        assert.equal((await restrict(alone, [keep])).status, 200);
        assert.equal((await s.api.delete(`${org}/workspaces/${ws}`)).status, 204);
      }
      assertError(await s.api.get(`${org}/workspaces/${ws}`), 404);
      const stale = (what: string, body: unknown) => {
        if (JSON.stringify(body).includes(ws)) failures.push(`round ${round}: ${what} names the deleted Workspace: ${JSON.stringify(body).slice(0, 400)}`);
      };
      stale('the user', (await s.api.get(`${org}/users/${userId}`)).body);
      stale('the Team', (await s.api.get(`${org}/teams/${teamId}`)).body);
      stale('the token', (await s.api.get(`${org}/tokens/${tokenId}`)).body);
      stale('the token list', (await s.api.get(`${org}/tokens`, { limit: 1000 })).body);
      stale('the custom roles', (await s.api.get(`${org}/roles`, { limit: 1000 })).body);
      for (const m of made) {
        assertError(await s.as(m.token).get(org), 401);
        assertError(await s.api.get(`${org}/tokens/${m.id}`), 404);
      }
      // The next round starts from the same restrictions.
      assert.equal((await restrict(both, [keep])).status, 200);
      assert.equal((await restrict(alone, [keep])).status, 200);
    }
    const summary = [...seen].sort().map(([k, v]) => `${k}×${v}`).join(', ');
    t.diagnostic(`answers: ${summary}`);
    assert.deepEqual(failures, [], `unexpected answers (all answers: ${summary})`);
  });
});

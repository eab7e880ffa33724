import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { joinAsUser, mintUserJwt, startUserServer } from '../helpers/users.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

type Json = Record<string, any>;
const MISSING = 'c' + '0'.repeat(24);
const DAY = 86_400;

describe('users, invites and /users/self', () => {
  let s: TestServer;
  let org: string;
  let ws: Json;
  let dep: Json;

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    ws = (await s.api.post(`${org}/workspaces`, { name: 'users ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const d = await s.api.post(`${org}/deployments`, { name: 'users dep', workspaceId: ws.id });
    assert.equal(d.status, 200, d.text);
    dep = d.body;
  });
  after(async () => { await s.close(); });

  it('refuses user JWTs with a bad signature, expired, malformed or without the needed claims', async () => {
    const now = s.clock.now();
    const email = 'nobody@example.com';
    const forged = await mintUserJwt({ sub: 'x', email }, now, { secret: 'another-secret-of-enough-length-000000' });
    assertError(await s.as(forged).get(org), 401);
    assertError(await s.as(forged).get('/v1/users/self'), 401);
    const expired = await mintUserJwt({ sub: 'x', email }, new Date(now.getTime() - 7200_000), { ttlSeconds: 60 });
    assertError(await s.as(expired).get('/v1/users/self', { createIfNotExist: true }), 401);
    assertError(await s.as('not.a.jwt').get(org), 401);
    const noEmail = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode('test-user-jwt-secret-0123456789abcdef'));
    assertError(await s.as(noEmail).get('/v1/users/self', { createIfNotExist: true }), 401);
    const noExp = await new SignJWT({ sub: 'x', email }).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('test-user-jwt-secret-0123456789abcdef'));
    assertError(await s.as(noExp).get('/v1/users/self', { createIfNotExist: true }), 401);
    // API tokens keep working, and are no users.
    assert.equal((await s.api.get(org)).status, 200);
    assertError(await s.api.get('/v1/users/self'), 400);
  });

  it('a cached user credential stops working when its exp passes', async () => {
    const u = await joinAsUser(s);
    const short = await mintUserJwt({ sub: `idp|${u.email}`, email: u.email }, s.clock.now(), { ttlSeconds: 60 });
    const me = s.as(short);
    assert.equal((await me.get(org)).status, 200);
    assert.equal((await me.get(org)).status, 200);
    s.clock.advance(61);
    try {
      assertError(await me.get(org), 401);
      assert.equal((await u.api.get(org)).status, 200, 'the longer-lived token of the same user still works');
    } finally {
      s.clock.advance(-61);
    }
  });

  it('an unknown user is refused until created; createIfNotExist makes a user of no Organization', async () => {
    const token = await mintUserJwt({ sub: 'idp|stranger', email: 'Stranger@Example.com', name: 'Stranger', picture: 'https://pics/s.png' }, s.clock.now());
    const me = s.as(token);
    assertError(await me.get(org), 403);
    assertError(await me.get(`${org}/users`), 403);
    assertError(await me.get('/v1/users/self'), 401);
    const created = await me.get('/v1/users/self', { createIfNotExist: true });
    assert.equal(created.status, 200, created.text);
    const u = created.body;
    assert.match(u.id, CUID);
    assert.equal(u.username, 'stranger@example.com');
    assert.equal(u.fullName, 'Stranger');
    assert.equal(u.avatarUrl, 'https://pics/s.png');
    assert.equal(u.status, 'ACTIVE');
    assert.ok(!('organizationId' in u));
    assert.deepEqual(u.roles, []);
    assert.deepEqual(u.invites, []);
    assert.deepEqual(u.featureFlags, []);
    assert.equal(u.isIdpManaged, false);
    assert.match(u.createdAt, RFC3339);
    // Again: the same user, not a second one.
    assert.equal((await me.get('/v1/users/self', { createIfNotExist: true })).body.id, u.id);
    assert.equal((await me.get('/v1/users/self')).body.id, u.id);
    // Still in no Organization: its operations stay closed, and it is not listed.
    assertError(await me.get(org), 403);
    const list = await s.api.get(`${org}/users`, { limit: 1000 });
    assert.ok(!list.body.users.some((x: Json) => x.id === u.id));
    assertError(await s.api.get(`${org}/users/${u.id}`), 404);

    // An invite reaches that user; the next request accepts it.
    const inv = await s.api.post(`${org}/invites`, { inviteeEmail: 'STRANGER@example.com', role: 'ORGANIZATION_MEMBER' });
    assert.equal(inv.status, 200, inv.text);
    assert.equal(inv.body.invitee.id, u.id);
    assert.equal((await s.api.get(`${org}/users/${u.id}`)).body.status, 'PENDING');
    const self = await me.get('/v1/users/self');
    assert.equal(self.body.status, 'ACTIVE');
    assert.equal(self.body.organizationId, s.orgId);
    assert.equal((await me.get(org)).status, 200);
  });

  it('an invite makes a PENDING user until deleted; create validates the email and refuses a second invite', async () => {
    const email = 'pending.person@example.com';
    const res = await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_BILLING_ADMIN' });
    assert.equal(res.status, 200, res.text);
    const inv = res.body;
    assert.match(inv.inviteId, CUID);
    assert.equal(inv.organizationId, s.orgId);
    assert.equal(typeof inv.organizationName, 'string');
    assert.equal(inv.userId, inv.invitee.id);
    assert.deepEqual(inv.invitee, { id: inv.userId, subjectType: 'USER', username: email });
    assert.equal(inv.inviter.subjectType, 'SERVICEKEY');
    assert.equal(typeof inv.inviter.apiTokenName, 'string');
    assert.equal(Date.parse(inv.expiresAt) - s.clock.now().getTime(), 7 * DAY * 1000);

    const user = await s.api.get(`${org}/users/${inv.userId}`);
    assert.equal(user.status, 200);
    assert.equal(user.body.status, 'PENDING');
    assert.equal(user.body.username, email);
    assert.equal(user.body.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    assert.ok(!('workspaceRoles' in user.body) && !('deploymentRoles' in user.body) && !('dagRoles' in user.body));
    const listed = await s.api.get(`${org}/users`, { limit: 1000 });
    assert.ok(listed.body.users.some((u: Json) => u.username === email));

    assertError(await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_MEMBER' }), 400, 'inviteeEmail');
    assertError(await s.api.post(`${org}/invites`, { inviteeEmail: 'not-an-email', role: 'ORGANIZATION_MEMBER' }), 400, 'inviteeEmail');
    assertError(await s.api.post(`${org}/invites`, { inviteeEmail: 'x@example.com', role: 'WORKSPACE_OWNER' }), 400, 'role');
    assertError(await s.api.post(`${org}/invites`, { role: 'ORGANIZATION_MEMBER' }), 400, 'inviteeEmail');

    assert.equal((await s.api.delete(`${org}/invites/${inv.inviteId}`)).status, 204);
    assertError(await s.api.get(`${org}/users/${inv.userId}`), 404);
    const after = await s.api.get(`${org}/users`, { limit: 1000 });
    assert.ok(!after.body.users.some((u: Json) => u.username === email));
    assertError(await s.api.delete(`${org}/invites/${inv.inviteId}`), 404);
    assertError(await s.api.delete(`${org}/invites/${MISSING}`), 404);
  });

  it('the first sign-in accepts the invite: ACTIVE with its role, which applies at once', async () => {
    const email = 'new.owner@example.com';
    const inv = (await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_OWNER' })).body;
    const token = await mintUserJwt({ sub: 'idp|new-owner', email, name: 'New Owner', picture: 'https://pics/o.png' }, s.clock.now());
    const me = s.as(token);
    const w = await me.post(`${org}/workspaces`, { name: 'made by a user' });
    assert.equal(w.status, 200, w.text);
    // The user shows as the creator.
    assert.deepEqual(w.body.createdBy, { id: inv.userId, subjectType: 'USER', username: email, fullName: 'New Owner', avatarUrl: 'https://pics/o.png' });
    const got = (await s.api.get(`${org}/users/${inv.userId}`)).body;
    assert.equal(got.status, 'ACTIVE');
    assert.equal(got.fullName, 'New Owner');
    assert.equal(got.organizationRole, 'ORGANIZATION_OWNER');
    const self = (await me.get('/v1/users/self')).body;
    assert.deepEqual(self.roles, [{ role: 'ORGANIZATION_OWNER', scope: { type: 'ORGANIZATION', entityId: s.orgId } }]);
    assert.deepEqual(self.invites, []);
    assertError(await s.api.delete(`${org}/invites/${inv.inviteId}`), 404);
  });

  it('an expired invite, or an email the provider marks unverified, is not accepted', async () => {
    const email = 'late@example.com';
    const inv = (await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_MEMBER' })).body;
    const unverified = await mintUserJwt({ sub: 'idp|late', email, email_verified: false }, s.clock.now());
    assertError(await s.as(unverified).get(org), 403);
    s.clock.advance(8 * DAY);
    try {
      const token = await mintUserJwt({ sub: 'idp|late', email }, s.clock.now());
      assertError(await s.as(token).get(org), 403);
      assert.equal((await s.api.get(`${org}/users/${inv.userId}`)).body.status, 'PENDING');
    } finally {
      s.clock.advance(-8 * DAY);
    }
    // A user created without a verified email sees its open invite but is not let in.
    const self = await s.as(unverified).get('/v1/users/self', { createIfNotExist: true });
    assertError(self, 400); // the address belongs to the invited (pending) user
    assert.equal((await s.api.delete(`${org}/invites/${inv.inviteId}`)).status, 204);
    const created = await s.as(unverified).get('/v1/users/self', { createIfNotExist: true });
    assert.equal(created.status, 200, created.text);
    const again = (await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_MEMBER' })).body;
    const seen = await s.as(unverified).get('/v1/users/self');
    assert.equal(seen.body.status, 'PENDING');
    assert.deepEqual(seen.body.invites, [{ inviteId: again.inviteId, organizationId: s.orgId, expiresAt: again.expiresAt }]);
    assertError(await s.as(unverified).get(org), 403);
    // Deleting that invite leaves the person a user of no Organization.
    assert.equal((await s.api.delete(`${org}/invites/${again.inviteId}`)).status, 204);
    const back = await s.as(unverified).get('/v1/users/self');
    assert.equal(back.body.status, 'ACTIVE');
    assert.ok(!('organizationId' in back.body));
  });

  it('UpdateUserRoles: a list sent replaces, a list left out stays, empty lists are absent, and access follows at once', async () => {
    const u = await joinAsUser(s);
    const roles = `${org}/users/${u.id}/roles`;
    const wsPath = `${org}/workspaces/${ws.id}`;
    const rename = { name: 'users ws', description: 'x', cicdEnforcedDefault: false };
    assertError(await u.api.post(wsPath, rename), 403);
    const all = await s.api.post(roles, {
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }],
      deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep.id, dagId: 'etl', role: 'DAG_VIEWER' }, { deploymentId: dep.id, dagTag: 'team-a', role: 'DAG_AUTHOR' }],
    });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body, {
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }],
      deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep.id, dagId: 'etl', role: 'DAG_VIEWER' }, { deploymentId: dep.id, dagTag: 'team-a', role: 'DAG_AUTHOR' }],
    });
    assert.equal((await u.api.post(wsPath, rename)).status, 200);
    const self = (await u.api.get('/v1/users/self')).body;
    assert.deepEqual(self.roles.find((r: Json) => r.scope.type === 'DAG_TAG'), { role: 'DAG_AUTHOR', scope: { type: 'DAG_TAG', entityId: 'team-a', deploymentId: dep.id, dagTag: 'team-a' } });
    assert.deepEqual(self.roles.find((r: Json) => r.scope.type === 'WORKSPACE'), { role: 'WORKSPACE_OWNER', scope: { type: 'WORKSPACE', entityId: ws.id } });

    // Only the Organization role: everything else stays.
    const orgOnly = await s.api.post(roles, { organizationRole: 'ORGANIZATION_BILLING_ADMIN' });
    assert.equal(orgOnly.status, 200, orgOnly.text);
    assert.equal(orgOnly.body.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    assert.equal(orgOnly.body.workspaceRoles.length, 1);
    assert.equal(orgOnly.body.dagRoles.length, 2);
    const got = (await s.api.get(`${org}/users/${u.id}`)).body;
    assert.equal(got.organizationRole, 'ORGANIZATION_BILLING_ADMIN');
    assert.equal(got.deploymentRoles.length, 1);

    // An empty list removes that kind; it is then absent, and the access goes at once.
    const cleared = await s.api.post(roles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [], deploymentRoles: [] });
    assert.equal(cleared.status, 200);
    assert.ok(!('workspaceRoles' in cleared.body) && !('deploymentRoles' in cleared.body));
    assert.equal(cleared.body.dagRoles.length, 2);
    assertError(await u.api.post(wsPath, rename), 403);
    const noDags = await s.api.post(roles, { dagRoles: [] });
    assert.deepEqual(noDags.body, { organizationRole: 'ORGANIZATION_MEMBER' });
    const plain = (await s.api.get(`${org}/users/${u.id}`)).body;
    assert.ok(!('workspaceRoles' in plain) && !('deploymentRoles' in plain) && !('dagRoles' in plain));
  });

  it('UpdateUserRoles validates names, places and the Organization role', async () => {
    const u = await joinAsUser(s);
    const roles = `${org}/users/${u.id}/roles`;
    const other = await createOrganizationWithOwner(s.app, { name: 'elsewhere' });
    const foreignWs = (await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'theirs' })).body;
    const M = 'ORGANIZATION_MEMBER';
    assertError(await s.api.post(roles, { workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }] }), 400, 'organizationRole', 'required_with');
    assertError(await s.api.post(roles, { deploymentRoles: [] }), 400, 'organizationRole');
    assertError(await s.api.post(roles, { organizationRole: 'WORKSPACE_OWNER' }), 400, 'organizationRole', 'oneof');
    assertError(await s.api.post(roles, { organizationRole: M, workspaceRoles: [{ workspaceId: MISSING, role: 'WORKSPACE_MEMBER' }] }), 400, 'workspaceRoles[0].workspaceId', 'exists');
    assertError(await s.api.post(roles, { organizationRole: M, workspaceRoles: [{ workspaceId: foreignWs.id, role: 'WORKSPACE_MEMBER' }] }), 400, 'workspaceRoles[0].workspaceId', 'exists');
    assertError(await s.api.post(roles, { organizationRole: M, workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }, { workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] }), 400, 'workspaceRoles[1].workspaceId');
    assertError(await s.api.post(roles, { organizationRole: M, workspaceRoles: [{ workspaceId: ws.id, role: 'DEPLOYMENT_ADMIN' }] }), 400, 'workspaceRoles[0].role');
    assertError(await s.api.post(roles, { organizationRole: M, deploymentRoles: [{ deploymentId: dep.id, role: 'WORKSPACE_OWNER' }] }), 400, 'deploymentRoles[0].role', 'oneof');
    assertError(await s.api.post(roles, { organizationRole: M, deploymentRoles: [{ deploymentId: dep.id, role: 'NOT_A_CUSTOM_ROLE' }] }), 400, 'deploymentRoles[0].role');
    assertError(await s.api.post(roles, { organizationRole: M, deploymentRoles: [{ deploymentId: MISSING, role: 'DEPLOYMENT_ADMIN' }] }), 400, 'deploymentRoles[0].deploymentId', 'exists');
    assertError(await s.api.post(roles, { dagRoles: [{ deploymentId: dep.id, dagId: 'a', dagTag: 'b', role: 'DAG_VIEWER' }] }), 400, 'dagRoles[0].dagId');
    assertError(await s.api.post(roles, { dagRoles: [{ deploymentId: dep.id, role: 'DAG_VIEWER' }] }), 400, 'dagRoles[0].dagId');
    assertError(await s.api.post(roles, { dagRoles: [{ deploymentId: dep.id, dagId: 'a', role: 'DEPLOYMENT_ADMIN' }] }), 400, 'dagRoles[0].role');
    assertError(await s.api.post(roles, { dagRoles: [{ deploymentId: dep.id, dagId: 'a', role: 'DAG_VIEWER' }, { deploymentId: dep.id, dagId: 'a', role: 'DAG_AUTHOR' }] }), 400, 'dagRoles[1].dagId');
    assertError(await s.api.post(`${org}/users/${MISSING}/roles`, { organizationRole: M }), 404);
    // Nothing was changed by the refused requests.
    assert.deepEqual(Object.keys((await s.api.get(`${org}/users/${u.id}`)).body).filter((k) => k.endsWith('Roles')), []);
  });

  it('ListUsers filters by Workspace, Deployment, DAG and tag, pages and sorts; ListUserTeams pages', async () => {
    const a = await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Alpha');
    const b = await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Beta');
    await s.api.post(`${org}/users/${a.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }], deploymentRoles: [] });
    await s.api.post(`${org}/users/${b.id}/roles`, { dagRoles: [{ deploymentId: dep.id, dagTag: 'nightly', role: 'DAG_VIEWER' }] });
    const ids = async (query: Json) => {
      const r = await s.api.get(`${org}/users`, { limit: 1000, ...query });
      assert.equal(r.status, 200, r.text);
      return r.body.users.map((u: Json) => u.id);
    };
    assert.deepEqual(await ids({ workspaceId: ws.id }), [a.id]);
    assert.deepEqual(await ids({ deploymentId: dep.id }), [b.id]);
    assert.deepEqual(await ids({ dagTags: ['nightly', 'other'] }), [b.id]);
    assert.deepEqual(await ids({ dagId: 'nightly' }), []);
    assert.deepEqual(await ids({ workspaceId: MISSING }), []);
    const total = (await s.api.get(`${org}/users`)).body.totalCount;
    const page = await s.api.get(`${org}/users`, { limit: 1, offset: 1, sorts: ['username:desc'] });
    assert.equal(page.body.totalCount, total);
    assert.equal(page.body.users.length, 1);
    const sorted = (await s.api.get(`${org}/users`, { limit: 1000, sorts: ['username:desc'] })).body.users.map((u: Json) => u.username);
    assert.deepEqual(sorted, [...sorted].sort().reverse());
    assert.equal(page.body.users[0].username, sorted[1]);
    assert.equal((await s.api.get(`${org}/users`, { offset: 10_000 })).body.users.length, 0);

    const t1 = (await s.api.post(`${org}/teams`, { name: 'a-team', memberIds: [a.id] })).body;
    const t2 = (await s.api.post(`${org}/teams`, { name: 'b-team', memberIds: [a.id], organizationRole: 'ORGANIZATION_OWNER' })).body;
    await s.api.post(`${org}/teams/${t2.id}/roles`, { organizationRole: 'ORGANIZATION_OWNER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] });
    const teams = await s.api.get(`${org}/users/${a.id}/teams`, { sorts: ['name:desc'], limit: 1 });
    assert.equal(teams.status, 200, teams.text);
    assert.equal(teams.body.totalCount, 2);
    assert.deepEqual(teams.body.teams, [{
      id: t2.id, name: 'b-team', isIdpManaged: false, organizationRole: 'ORGANIZATION_OWNER', rolesCount: 2,
      workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }],
    }]);
    assert.equal((await s.api.get(`${org}/users/${a.id}/teams`, { offset: 1 })).body.teams[0].id, t2.id);
    assert.equal((await s.api.get(`${org}/users/${b.id}/teams`)).body.totalCount, 0);
    assertError(await s.api.get(`${org}/users/${MISSING}/teams`), 404);
    void t1;
  });

  it('callers without the permission, of another Organization or without a token are refused', async () => {
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    const u = await joinAsUser(s);
    assert.equal((await member.get(`${org}/users`)).status, 200);
    assert.equal((await member.get(`${org}/users/${u.id}`)).status, 200);
    assertError(await member.post(`${org}/users/${u.id}/roles`, { organizationRole: 'ORGANIZATION_OWNER' }), 403);
    assertError(await member.post(`${org}/invites`, { inviteeEmail: 'z@example.com', role: 'ORGANIZATION_MEMBER' }), 403);
    // A plain member user is refused the same way.
    assertError(await u.api.post(`${org}/users/${u.id}/roles`, { organizationRole: 'ORGANIZATION_OWNER' }), 403);
    assertError(await u.api.post(`${org}/invites`, { inviteeEmail: 'z@example.com', role: 'ORGANIZATION_MEMBER' }), 403);
    const wsToken = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' }]);
    assertError(await wsToken.get(`${org}/users`), 403);
    assertError(await wsToken.get(`${org}/users/${u.id}`), 403);
    const other = await createOrganizationWithOwner(s.app, { name: 'other org' });
    const stranger = s.as(other.token);
    assertError(await stranger.get(`${org}/users`), 403);
    assertError(await stranger.get(`${org}/users/${u.id}`), 403);
    assertError(await stranger.post(`${org}/invites`, { inviteeEmail: 'z@example.com', role: 'ORGANIZATION_MEMBER' }), 403);
    // The user is not visible from the other Organization either.
    assertError(await stranger.get(`/v1/organizations/${other.organizationId}/users/${u.id}`), 404);
    assertError(await s.as(undefined).get(`${org}/users`), 401);
    assertError(await s.as(undefined).get('/v1/users/self'), 401);
    // A user of this Organization is refused in the other one.
    assertError(await u.api.get(`/v1/organizations/${other.organizationId}/users`), 403);
  });
});

describe('user JWTs from an OpenID Connect issuer', () => {
  let s: TestServer;
  let idp: http.Server;
  let issuer: string;
  const keys: Json = {};

  before(async () => {
    keys.rsa = await generateKeyPair('RS256');
    keys.ec = await generateKeyPair('ES256');
    keys.stray = await generateKeyPair('RS256');
    const jwks = { keys: [{ ...(await exportJWK(keys.rsa.publicKey)), kid: 'rsa', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(keys.ec.publicKey)), kid: 'ec', alg: 'ES256', use: 'sig' }] };
    idp = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify(jwks));
      else { res.statusCode = 404; res.end('{}'); }
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    s = await startServer({ ASTROLABE_OIDC_ISSUER: issuer, ASTROLABE_OIDC_AUDIENCE: 'astrolabe' });
  });
  after(async () => {
    await s.close();
    await new Promise<void>((resolve) => idp.close(() => resolve()));
  });

  const sign = (key: Json, alg: string, kid: string, claims: Json, opts: { iss?: string; aud?: string } = {}) => {
    const now = Math.floor(s.clock.now().getTime() / 1000);
    return new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer(opts.iss ?? issuer).setAudience(opts.aud ?? 'astrolabe')
      .setIssuedAt(now).setExpirationTime(now + 600).sign(key.privateKey);
  };

  it('accepts RS256 and ES256 tokens of the issuer for the audience, and refuses the rest', async () => {
    const org = `/v1/organizations/${s.orgId}`;
    const email = 'oidc.person@example.com';
    await s.api.post(`${org}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_MEMBER' });
    const claims = { sub: 'oidc|1', email, name: 'Oidc Person' };
    const rs = await sign(keys.rsa, 'RS256', 'rsa', claims);
    const self = await s.as(rs).get('/v1/users/self');
    assert.equal(self.status, 200, self.text);
    assert.equal(self.body.status, 'ACTIVE');
    assert.equal(self.body.fullName, 'Oidc Person');
    assert.equal((await s.as(rs).get(org)).status, 200);
    const es = await sign(keys.ec, 'ES256', 'ec', claims);
    assert.equal((await s.as(es).get(org)).status, 200);
    assertError(await s.as(await sign(keys.rsa, 'RS256', 'rsa', claims, { aud: 'someone-else' })).get(org), 401);
    assertError(await s.as(await sign(keys.rsa, 'RS256', 'rsa', claims, { iss: 'http://127.0.0.1:1' })).get(org), 401);
    assertError(await s.as(await sign(keys.stray, 'RS256', 'rsa', claims)).get(org), 401);
    // HS256 tokens are not accepted without ASTROLABE_USER_JWT_SECRET.
    assertError(await s.as(await mintUserJwt(claims, s.clock.now())).get(org), 401);
  });
});

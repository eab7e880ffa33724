import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { startUserServer } from '../helpers/users.js';

type Json = Record<string, any>;

/**
 * The Terraform provider's astro_user_invite on /iam/v1beta1: CreateUserInvite {inviteeEmail,
 * role}; the resource is read back through GET /users/{invitee.id} (the invite materialises a
 * PENDING user; 404 drops it from state); an update deletes the invite and creates a new one;
 * delete is DeleteUserInvite (404 ignored). The invitee is listed while invited, not after.
 */
describe('provider replay: astro_user_invite', () => {
  let s: TestServer;
  let iam: string;
  before(async () => {
    s = await startUserServer();
    iam = `/iam/v1beta1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  async function listedEmails(): Promise<string[]> {
    const res = await s.api.get(`${iam}/users`, { limit: 1000, offset: 0 });
    assert.equal(res.status, 200, res.text);
    return res.body.users.map((u: Json) => u.username);
  }

  function assertInvite(inv: Json) {
    assert.match(inv.inviteId, CUID);
    assert.match(inv.invitee.id, CUID);
    assert.ok(inv.inviter.id);
    assert.equal(inv.organizationId, s.orgId);
    assert.match(inv.expiresAt, RFC3339);
    assert.ok(Date.parse(inv.expiresAt) > s.clock.now().getTime());
    // The provider stores userId from the create answer and the user id from later reads: the same value.
    if (inv.userId !== undefined) assert.equal(inv.userId, inv.invitee.id);
  }

  it('create, read, update (delete and re-create), delete, read after delete', async () => {
    const email = 'invitee@example.com';
    const created = await s.api.post(`${iam}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_MEMBER' });
    assert.equal(created.status, 200, created.text);
    assertInvite(created.body);
    const inv = created.body;

    // ---- Read: the invitee as a user, PENDING.
    const read = await s.api.get(`${iam}/users/${inv.invitee.id}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.id, inv.invitee.id);
    assert.equal(read.body.username, email);
    assert.equal(read.body.status, 'PENDING');
    assert.equal(read.body.organizationRole, 'ORGANIZATION_MEMBER');
    assert.ok((await listedEmails()).includes(email), 'the invitee is listed while invited');

    // ---- Update (role changed): delete the invite, then create a new one.
    assert.equal((await s.api.delete(`${iam}/invites/${inv.inviteId}`)).status, 204);
    const again = await s.api.post(`${iam}/invites`, { inviteeEmail: email, role: 'ORGANIZATION_BILLING_ADMIN' });
    assert.equal(again.status, 200, again.text);
    assertInvite(again.body);
    assert.notEqual(again.body.inviteId, inv.inviteId);
    const reread = await s.api.get(`${iam}/users/${again.body.invitee.id}`);
    assert.equal(reread.status, 200, reread.text);
    assert.equal(reread.body.status, 'PENDING');
    assert.equal(reread.body.organizationRole, 'ORGANIZATION_BILLING_ADMIN');

    // ---- Delete, and the read that drops it from state.
    assert.equal((await s.api.delete(`${iam}/invites/${again.body.inviteId}`)).status, 204);
    assertError(await s.api.get(`${iam}/users/${again.body.invitee.id}`), 404);
    assert.ok(!(await listedEmails()).includes(email), 'gone from the list once the invite is deleted');
    // Deleting again (state out of date) answers 404, which the provider ignores.
    assertError(await s.api.delete(`${iam}/invites/${again.body.inviteId}`), 404);
  });

  it('refuses a role that is not an Organization role, and a malformed email', async () => {
    assertError(await s.api.post(`${iam}/invites`, { inviteeEmail: 'x@example.com', role: 'WORKSPACE_OWNER' }), 400, 'role');
    assertError(await s.api.post(`${iam}/invites`, { inviteeEmail: 'not-an-email', role: 'ORGANIZATION_MEMBER' }), 400);
  });

  it('cross-surface: invited on iam v1beta1, read on /v1, deleted on /v1, 404 on both', async () => {
    const v1 = `/v1/organizations/${s.orgId}`;
    const inv = (await s.api.post(`${iam}/invites`, { inviteeEmail: 'cross@example.com', role: 'ORGANIZATION_MEMBER' })).body;
    const onV1 = await s.api.get(`${v1}/users/${inv.invitee.id}`);
    assert.equal(onV1.status, 200, onV1.text);
    assert.deepEqual(onV1.body, (await s.api.get(`${iam}/users/${inv.invitee.id}`)).body);
    assert.equal((await s.api.delete(`${v1}/invites/${inv.inviteId}`)).status, 204);
    assertError(await s.api.get(`${v1}/users/${inv.invitee.id}`), 404);
    assertError(await s.api.get(`${iam}/users/${inv.invitee.id}`), 404);
    assertError(await s.api.delete(`${iam}/invites/${inv.inviteId}`), 404);
  });
});

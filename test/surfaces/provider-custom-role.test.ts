import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/**
 * The Terraform provider's astro_custom_role on /iam/v1beta1. Create sends name, permissions,
 * scopeType, description only when configured, and restrictedWorkspaceIds always: the configured
 * list, or JSON null when none is configured (a Go *[]string pointing at a nil slice). Update
 * sends the same minus scopeType. The answer's description must be absent when none was sent
 * (Terraform reads a present one into state), restrictedWorkspaceIds an array ([] when none).
 * The iam document refuses a Workspace listed twice (uniqueItems); v1's does not.
 */
describe('provider replay: astro_custom_role', () => {
  let s: TestServer;
  let iam: string;
  let v1: string;
  let ws1: string;
  let ws2: string;
  before(async () => {
    s = await startServer();
    iam = `/iam/v1beta1/organizations/${s.orgId}`;
    v1 = `/v1/organizations/${s.orgId}`;
    ws1 = (await s.api.post(`${v1}/workspaces`, { name: 'cr-1' })).body.id;
    ws2 = (await s.api.post(`${v1}/workspaces`, { name: 'cr-2' })).body.id;
  });
  after(async () => { await s.close(); });

  function assertRoleShape(r: Json) {
    assert.match(r.id, CUID);
    assert.match(r.createdAt, RFC3339);
    assert.match(r.updatedAt, RFC3339);
    assert.ok(r.createdBy?.id && r.updatedBy?.id);
    assert.ok(Array.isArray(r.restrictedWorkspaceIds), 'restrictedWorkspaceIds is always an array');
  }

  it('create, read, update, import, delete, read after delete', async () => {
    const sent = {
      name: 'tf-deployment-reader',
      permissions: ['deployment.get', 'deployment.update'],
      scopeType: 'DEPLOYMENT',
      description: 'reads deployments',
      restrictedWorkspaceIds: [ws2, ws1],
    };
    const created = await s.api.post(`${iam}/roles`, sent);
    assert.equal(created.status, 200, created.text);
    assertRoleShape(created.body);
    assert.equal(created.body.name, sent.name);
    assert.equal(created.body.description, sent.description);
    assert.equal(created.body.scopeType, 'DEPLOYMENT');
    assert.deepEqual([...created.body.permissions].sort(), [...sent.permissions].sort());
    assert.deepEqual(created.body.restrictedWorkspaceIds, [ws2, ws1], 'restrictions in the order sent');
    const id = created.body.id;

    const read = await s.api.get(`${iam}/roles/${id}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body, created.body, 'a read right after the create shows the same role');

    // ---- Update: description no longer configured (left out), restrictions removed (null).
    s.clock.advance(60);
    const update = { name: 'tf-deployment-admin', permissions: ['deployment.get', 'deployment.update', 'deployment.delete'], restrictedWorkspaceIds: null };
    const updated = await s.api.post(`${iam}/roles/${id}`, update);
    assert.equal(updated.status, 200, updated.text);
    assertRoleShape(updated.body);
    assert.equal(updated.body.name, 'tf-deployment-admin');
    assert.ok(!('description' in updated.body), 'a description not sent any more is gone');
    assert.deepEqual(updated.body.restrictedWorkspaceIds, [], 'null restrictions: none');
    assert.deepEqual([...updated.body.permissions].sort(), [...update.permissions].sort());
    assert.equal(updated.body.createdAt, created.body.createdAt);
    assert.notEqual(updated.body.updatedAt, created.body.updatedAt);

    // ---- Update again: restricted to one Workspace, description back.
    const third = await s.api.post(`${iam}/roles/${id}`, { name: 'tf-deployment-admin', permissions: ['deployment.get'], description: 'again', restrictedWorkspaceIds: [ws1] });
    assert.equal(third.status, 200, third.text);
    assert.equal(third.body.description, 'again');
    assert.deepEqual(third.body.restrictedWorkspaceIds, [ws1]);

    // ---- Import by id.
    assert.deepEqual((await s.api.get(`${iam}/roles/${id}`)).body, third.body);

    // ---- Delete and read after delete.
    assert.equal((await s.api.delete(`${iam}/roles/${id}`)).status, 204);
    assertError(await s.api.get(`${iam}/roles/${id}`), 404);
    assertError(await s.api.delete(`${iam}/roles/${id}`), 404);
  });

  it('create with no description and no restrictions configured: description absent, restrictions []', async () => {
    const raw = async (method: 'GET' | 'POST', path: string, body?: unknown) => s.api.request(method, path, { body });
    const dag = await raw('POST', `${iam}/roles`, { name: 'tf-dag', permissions: ['dag.airflow.dag.get'], scopeType: 'DAG', restrictedWorkspaceIds: null });
    assert.equal(dag.status, 200, JSON.stringify(dag.body));
    assertRoleShape(dag.body);
    assert.ok(!('description' in dag.body));
    assert.deepEqual(dag.body.restrictedWorkspaceIds, []);
    assert.equal(dag.body.scopeType, 'DAG');
    assert.deepEqual((await raw('GET', `${iam}/roles/${dag.body.id}`)).body, dag.body);
    const res = await s.api.post(`${iam}/roles`, { name: 'tf-plain', permissions: ['deployment.get'], scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: null });
    assert.equal(res.status, 200, res.text);
    assert.ok(!('description' in res.body));
    assert.deepEqual(res.body.restrictedWorkspaceIds, []);
    assert.deepEqual((await s.api.get(`${iam}/roles/${res.body.id}`)).body, res.body);
    // An empty configured set goes as [].
    const empty = await s.api.post(`${iam}/roles`, { name: 'tf-empty', permissions: ['deployment.get'], scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [] });
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual(empty.body.restrictedWorkspaceIds, []);
  });

  it('iam refuses a Workspace listed twice (uniqueItems) on create and update, naming the field; v1 takes it once', async () => {
    const dup = { name: 'dup', permissions: ['deployment.get'], scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [ws1, ws1] };
    assertError(await s.api.post(`${iam}/roles`, dup), 400, 'restrictedWorkspaceIds', 'unique');
    const ok = await s.api.post(`${iam}/roles`, { ...dup, restrictedWorkspaceIds: [ws1] });
    assert.equal(ok.status, 200, ok.text);
    assertError(await s.api.post(`${iam}/roles/${ok.body.id}`, { name: 'dup', permissions: ['deployment.get'], restrictedWorkspaceIds: [ws2, ws1, ws2] }), 400, 'restrictedWorkspaceIds', 'unique');
    assert.deepEqual((await s.api.get(`${iam}/roles/${ok.body.id}`)).body.restrictedWorkspaceIds, [ws1], 'a refused update changes nothing');
    // The v1 document has no uniqueItems there: v1 keeps each Workspace once.
    const onV1 = await s.api.post(`${v1}/roles`, { ...dup, name: 'dup-v1' });
    assert.equal(onV1.status, 200, onV1.text);
    assert.deepEqual(onV1.body.restrictedWorkspaceIds, [ws1]);
    // null is Terraform's way of saying "none" on this surface only; v1 keeps refusing it.
    assertError(await s.api.post(`${v1}/roles`, { ...dup, name: 'null-v1', restrictedWorkspaceIds: null }), 400, 'restrictedWorkspaceIds', 'type');
    // Other bad input still names its field.
    assertError(await s.api.post(`${iam}/roles`, { ...dup, name: 'x', restrictedWorkspaceIds: [`c${'0'.repeat(24)}`] }), 400, 'restrictedWorkspaceIds[0]');
    assertError(await s.api.post(`${iam}/roles`, { ...dup, name: 'x', restrictedWorkspaceIds: 'ws' }), 400, 'restrictedWorkspaceIds');
  });

  it('cross-surface: created on iam v1beta1, read and changed on /v1, read back on iam, deleted on /v1', async () => {
    const created = (await s.api.post(`${iam}/roles`, { name: 'xs', permissions: ['deployment.get'], scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [ws1] })).body;
    const id = created.id;
    assert.deepEqual((await s.api.get(`${v1}/roles/${id}`)).body, created);
    const up = await s.api.post(`${v1}/roles/${id}`, { name: 'xs-2', permissions: ['deployment.get', 'deployment.update'], description: 'from v1' });
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(up.body.restrictedWorkspaceIds, [ws1], 'v1 leaves restrictions it was not given');
    const back = (await s.api.get(`${iam}/roles/${id}`)).body;
    assert.deepEqual(back, up.body);
    assert.equal(back.description, 'from v1');
    assert.equal((await s.api.delete(`${v1}/roles/${id}`)).status, 204);
    assertError(await s.api.get(`${v1}/roles/${id}`), 404);
    assertError(await s.api.get(`${iam}/roles/${id}`), 404);
  });
});

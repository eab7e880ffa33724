import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';

type Json = Record<string, any>;

/**
 * The platform v1beta1 Deployment calls the Terraform provider makes, against the state /v1 sees:
 * create with the provider's full body, read back, update, and the workload identity, worker queue
 * and hibernation-override differences of the older shape.
 */
describe('platform v1beta1: Deployments', () => {
  let s: TestServer;
  let ws: string;
  let beta: string;
  let v1: string;
  before(async () => {
    s = await startServer();
    ws = (await s.api.post(`/platform/v1beta1/organizations/${s.orgId}/workspaces`, { name: 'tf', description: '', cicdEnforcedDefault: false })).body.id;
    beta = `/platform/v1beta1/organizations/${s.orgId}/deployments`;
    v1 = `/v1/organizations/${s.orgId}/deployments`;
  });
  after(async () => { await s.close(); });

  const standard = (extra: Json = {}): Json => ({
    type: 'STANDARD', name: 'tf-standard', description: '', workspaceId: ws, cloudProvider: 'AWS', region: 'us-east-1',
    astroRuntimeVersion: '3.1-12', executor: 'CELERY', schedulerSize: 'SMALL', isHighAvailability: false, isDevelopmentMode: false,
    isCicdEnforced: false, isDagDeployEnabled: true, contactEmails: [], resourceQuotaCpu: '10', resourceQuotaMemory: '20Gi',
    defaultTaskPodCpu: '0.25', defaultTaskPodMemory: '0.5Gi', environmentVariables: [],
    workerQueues: [{ name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 }],
    ...extra,
  });

  it('creates with the provider\'s body, shows workloadIdentity and no effective… fields, and /v1 reads the same Deployment', async () => {
    const res = await s.api.post(beta, standard());
    assert.equal(res.status, 200, res.text);
    const d = res.body;
    assert.equal(typeof d.workloadIdentity, 'string');
    assert.ok(d.workloadIdentity.length > 0);
    for (const k of ['effectiveWorkloadIdentity', 'effectiveDRWorkloadIdentity']) assert.ok(!(k in d), k);
    for (const q of d.workerQueues) assert.ok(!('podEphemeralStorage' in q));
    const same = (await s.api.get(`${v1}/${d.id}`)).body;
    assert.equal(same.effectiveWorkloadIdentity, d.workloadIdentity);
    assert.equal(same.name, 'tf-standard');
    const read = (await s.api.get(`${beta}/${d.id}`)).body;
    assert.deepEqual(read, d);
    const listed = (await s.api.get(beta, { deploymentIds: [d.id] })).body;
    assert.deepEqual(listed.deployments, [d]);
  });

  it('refuses a create without what the older surface requires, naming the field', async () => {
    const { schedulerSize: _s, ...noSize } = standard();
    assertError(await s.api.post(beta, noSize), 400, 'schedulerSize');
    const { type: _t, ...noType } = standard();
    assertError(await s.api.post(beta, noType), 400);
    // A hosted queue needs a machine on this surface.
    assertError(await s.api.post(beta, standard({ workerQueues: [{ name: 'default', isDefault: true, minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 }] })), 400, 'workerQueues[0].astroMachine');
  });

  it('updates through v1beta1 what was created on v1, and deletes through v1 what v1beta1 shows', async () => {
    const created = (await s.api.post(v1, { name: 'from-v1', workspaceId: ws, cloudProvider: 'AWS', region: 'us-east-1' })).body;
    const body = standard({
      name: 'renamed-on-beta', executor: created.executor, astroRuntimeVersion: undefined,
      workerQueues: created.workerQueues.map((q: Json) => ({ id: q.id, name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: 3, workerConcurrency: q.workerConcurrency })),
    });
    delete body.cloudProvider; delete body.region; delete body.astroRuntimeVersion;
    const res = await s.api.post(`${beta}/${created.id}`, body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'renamed-on-beta');
    assert.equal(res.body.workerQueues[0].maxWorkerCount, 3);
    assert.equal((await s.api.get(`${v1}/${created.id}`)).body.name, 'renamed-on-beta');
    assert.equal((await s.api.delete(`${v1}/${created.id}`)).status, 204);
    assertError(await s.api.get(`${beta}/${created.id}`), 404);
  });

  it('creates a HYBRID Deployment with the older scheduler and queue shapes', async () => {
    const cluster = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hyb', cloudProvider: 'AWS', region: 'us-east-1' });
    const pool = cluster.nodePools![0]!.id;
    const res = await s.api.post(beta, {
      type: 'HYBRID', name: 'tf-hybrid', description: '', workspaceId: ws, clusterId: cluster.id, astroRuntimeVersion: '3.1-12',
      executor: 'CELERY', isCicdEnforced: false, isDagDeployEnabled: true, environmentVariables: [], contactEmails: [],
      scheduler: { au: 6, replicas: 2 },
      workerQueues: [{ name: 'default', isDefault: true, nodePoolId: pool, minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 }],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.schedulerAu, 6);
    assert.equal(res.body.schedulerReplicas, 2);
    assert.equal(res.body.workerQueues[0].nodePoolId, pool);
    assert.ok(!('astroMachine' in res.body.workerQueues[0]));
    // The older hybrid scheduler spec requires both numbers.
    const again = { ...res.body, scheduler: { au: 6 } };
    assertError(await s.api.post(`${beta}/${res.body.id}`, {
      type: 'HYBRID', name: 'tf-hybrid', workspaceId: ws, executor: 'CELERY', isCicdEnforced: false, isDagDeployEnabled: true,
      environmentVariables: [], scheduler: again.scheduler,
    }), 400, 'scheduler.replicas');
  });

  it('sets and clears a hibernation override, whose fields the older shape allows to be null', async () => {
    const d = (await s.api.post(v1, { name: 'dev', workspaceId: ws, cloudProvider: 'AWS', region: 'us-east-1', isDevelopmentMode: true })).body;
    const url = `${beta}/${d.id}/hibernation-override`;
    const res = await s.api.post(url, { isHibernating: true, overrideUntil: '2075-04-25T12:58:00+05:30' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.isHibernating, true);
    assert.equal(res.body.overrideUntil, '2075-04-25T12:58:00+05:30');
    const shown = (await s.api.get(`${v1}/${d.id}`)).body.scalingSpec.hibernationSpec.override;
    assert.equal(shown.isHibernating, true);
    assert.equal((await s.api.delete(url)).status, 204);
    assert.equal((await s.api.get(`${beta}/${d.id}`)).body.scalingSpec?.hibernationSpec?.override, undefined);
  });

  it('authorizes by the Deployment\'s Workspace on the older surface too', async () => {
    const other = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'other' })).body.id;
    const d = (await s.api.post(v1, { name: 'guarded', workspaceId: ws, cloudProvider: 'AWS', region: 'us-east-1' })).body;
    const outsider = await s.withRoles('WORKSPACE', other, [{ entityType: 'WORKSPACE', entityId: other, role: 'WORKSPACE_OWNER' }]);
    assertError(await outsider.get(`${beta}/${d.id}`), 403);
    assertError(await outsider.post(beta, standard({ name: 'sneaky' })), 403);
    const insider = await s.withRoles('WORKSPACE', ws, [{ entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_MEMBER' }]);
    assert.equal((await insider.get(`${beta}/${d.id}`)).status, 200);
  });
});

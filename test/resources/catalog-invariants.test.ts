import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiResponse } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import { NODE_INSTANCES, RUNTIME_RELEASES } from '../../src/platform/catalog.js';

type Json = Record<string, any>;

const PROVISION_SECONDS = 60;

/**
 * What a Deployment shows about its runtime, scheduler and workers comes from the platform
 * catalogue, never from a stand-in value. Every path that stores those values checks them
 * against the catalogue, so through the API they always resolve; a store that breaks the
 * invariant anyway (edited by hand, or a catalogue that dropped a release) makes the read fail
 * with a 500 and a log line naming what broke, instead of answering invented data.
 */
describe('views read the platform catalogue and make nothing up', () => {
  let s: TestServer;
  let base: string;
  let ws: Json;
  let hybridWs: Json;
  const logLines: string[] = [];

  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
        done();
      },
    });
    s = await startServer({ ASTROLABE_PROVISION_SECONDS: String(PROVISION_SECONDS) }, { logger: { level: 'error', stream } });
    base = `/v1/organizations/${s.orgId}`;
    ws = (await s.api.post(`${base}/workspaces`, { name: 'catalog', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const hyb = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hybrid', cloudProvider: 'AWS', region: 'us-west-2', nodeInstanceType: 'r5.2xlarge' });
    hybridWs = (await s.api.post(`${base}/workspaces`, { name: 'catalog hybrid', defaultClusterId: hyb.id })).body;
  });
  after(async () => { await s.close(); });

  const create = async (body: Json): Promise<Json> => {
    const res = await s.api.post(`${base}/deployments`, { name: `d ${Math.random()}`, workspaceId: ws.id, ...body });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  /** The request answers a bare 500, and the log says which invariant broke. */
  async function brokenInvariant(request: () => Promise<ApiResponse>, logged: RegExp): Promise<void> {
    const before = logLines.length;
    const res = await request();
    assertError(res, 500);
    assert.equal(res.body.message, 'Internal server error', 'the invariant stays in the log');
    const lines = logLines.slice(before);
    assert.ok(lines.some((l) => logged.test(l)), `expected a log line matching ${logged}, got:\n${lines.join('\n')}`);
  }

  it('shows the catalogue\'s Airflow version for every runtime release, on the Deployment and on its deploys', async () => {
    for (const release of RUNTIME_RELEASES) {
      const d = await create({ astroRuntimeVersion: release.version });
      assert.equal(d.airflowVersion, release.airflowVersion, release.version);
    }
    const d = await create({ astroRuntimeVersion: '12.8.0' });
    s.clock.advance(PROVISION_SECONDS);
    const deploy = await s.api.post(`${base}/deployments/${d.id}/deploys`, { type: 'IMAGE_ONLY' });
    assert.equal(deploy.status, 200, deploy.text);
    assert.equal(deploy.body.airflowVersion, '2.10.5');
  });

  it('sizes HYBRID workers from the node pool\'s catalogue instance type', async () => {
    const d = await create({ workspaceId: hybridWs.id });
    const node = NODE_INSTANCES.AWS.find((i) => i.name === 'r5.2xlarge')!;
    assert.equal(d.workerQueues[0].podCpu, String(node.cpu - 2), 'r5.2xlarge: 8 vCPU less 2 for the system');
    assert.equal(d.workerQueues[0].podMemory, '62.5Gi', 'r5.2xlarge: 64Gi less 1.5Gi for the system');
    assert.equal(d.schedulerAu, 5);
  });

  it('refuses to invent an Airflow version for a stored runtime the catalogue does not list', async () => {
    const d = await create({ astroRuntimeVersion: '3.0-7' });
    s.clock.advance(PROVISION_SECONDS);
    const deploy = await s.api.post(`${base}/deployments/${d.id}/deploys`, { type: 'IMAGE_ONLY' });
    assert.equal(deploy.status, 200, deploy.text);
    await s.app.db.updateTable('deployments').set({ runtime_version: '3.0-1' }).where('id', '=', d.id).execute();
    await s.app.db.updateTable('deploys').set({ runtime_version: '3.0-1' }).where('deployment_id', '=', d.id).execute();
    const missing = /Astro Runtime 3\.0-1 is stored but not in the platform catalogue/;
    await brokenInvariant(() => s.api.get(`${base}/deployments/${d.id}`), missing);
    await brokenInvariant(() => s.api.get(`${base}/deployments/${d.id}/deploys/${deploy.body.id}`), missing);
    await brokenInvariant(() => s.api.get(`${base}/deployment-options?deploymentId=${d.id}`), missing);
    await s.app.db.deleteFrom('deploys').where('deployment_id', '=', d.id).execute();
    await s.app.db.deleteFrom('deployments').where('id', '=', d.id).execute();
  });

  it('refuses to invent a worker size for a queue whose node pool or instance type is not in the catalogue', async () => {
    const d = await create({ workspaceId: hybridWs.id });
    const queue = d.workerQueues[0];
    await s.app.db.updateTable('cluster_node_pools').set({ node_instance_type: 'm9.huge' }).where('id', '=', queue.nodePoolId).execute();
    await brokenInvariant(() => s.api.get(`${base}/deployments/${d.id}`), /node instance type m9\.huge is stored on a node pool but not in the platform catalogue/);
    await s.app.db.updateTable('cluster_node_pools').set({ node_instance_type: 'r5.2xlarge' }).where('id', '=', queue.nodePoolId).execute();

    await s.app.db.updateTable('deployment_worker_queues').set({ node_pool_id: 'cgonegonegonegonegonegone' }).where('id', '=', queue.id).execute();
    await brokenInvariant(() => s.api.get(`${base}/deployments/${d.id}`), /names node pool cgonegonegonegonegonegone, which is not a node pool/);
    await s.app.db.updateTable('deployment_worker_queues').set({ node_pool_id: queue.nodePoolId }).where('id', '=', queue.id).execute();

    const healthy = await s.api.get(`${base}/deployments/${d.id}`);
    assert.equal(healthy.status, 200, 'repaired, it reads again');
    assert.equal(healthy.body.workerQueues[0].podMemory, '62.5Gi');
  });

  it('refuses to invent a scheduler for a Deployment whose stored size is missing or unknown', async () => {
    const hosted = await create({});
    await s.app.db.updateTable('deployments').set({ scheduler_size: 'HUGE' }).where('id', '=', hosted.id).execute();
    await brokenInvariant(() => s.api.get(`${base}/deployments/${hosted.id}`), /scheduler size HUGE, which the platform catalogue's SCHEDULER_MACHINES does not list/);
    await s.app.db.updateTable('deployments').set({ scheduler_size: 'SMALL' }).where('id', '=', hosted.id).execute();

    const hybrid = await create({ workspaceId: hybridWs.id });
    await s.app.db.updateTable('deployments').set({ scheduler_au: null }).where('id', '=', hybrid.id).execute();
    await brokenInvariant(() => s.api.get(`${base}/deployments/${hybrid.id}`), /HYBRID Deployment \S+ has no stored scheduler AUs or replicas/);
    await s.app.db.updateTable('deployments').set({ scheduler_au: 5 }).where('id', '=', hybrid.id).execute();
    assert.equal((await s.api.get(`${base}/deployments/${hybrid.id}`)).body.schedulerAu, 5);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { hostedQueue, paths, standardCreate, updateFrom, workspaceBody, type Json } from './provider-platform-fixture.js';

const ROUNDS = 20;

/**
 * The older Deployment update keeps the ephemeral storage v1 gave a queue (its shape has none).
 * It must read that storage in its own transaction: read before it, a v1 update committing in
 * between would be undone by the older update writing back the value it read. Whatever the
 * interleaving, the older update never states a storage, so the last one v1 set must stay. (On
 * SQLite requests hardly interleave; on PostgreSQL the read-before-the-transaction version lost
 * the v1 change in every round.)
 */
describe('platform v1beta1: a Deployment update racing a v1 update of its queues', () => {
  let s: TestServer;
  let beta: string;
  let v1: string;
  before(async () => {
    s = await startServer();
    ({ beta, v1 } = paths(s));
  });
  after(async () => { await s.close(); });

  /** A v1 update body from a v1 read, changing only the storage of every queue. */
  function withStorage(d: Json, storage: string): Json {
    const body: Json = { type: d.type, name: d.name, description: d.description, workspaceId: d.workspaceId, executor: d.executor, isCicdEnforced: d.isCicdEnforced, isDagDeployEnabled: d.isDagDeployEnabled, contactEmails: d.contactEmails, environmentVariables: [] };
    for (const k of ['schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory']) body[k] = d[k];
    body.workerQueues = d.workerQueues.map((q: Json) => ({ id: q.id, name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency, podEphemeralStorage: storage }));
    return body;
  }

  it(`keeps the storage v1 set last, over ${ROUNDS} rounds`, async () => {
    const ws = (await s.api.post(`${beta}/workspaces`, workspaceBody('race'))).body.id;
    const create = standardCreate(ws, { name: 'race', workerQueues: [hostedQueue('default')] });
    const created = await s.api.post(`${beta}/deployments`, create);
    assert.equal(created.status, 200, created.text);
    const id = created.body.id;
    const lost: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const first = `${10 + (round % 40)}Gi`;
      const second = `${50 + (round % 40)}Gi`;
      const now = (await s.api.get(`${v1}/deployments/${id}`)).body;
      assert.equal((await s.api.post(`${v1}/deployments/${id}`, withStorage(now, first))).status, 200);
      // The older update first: its reading of the stored queues would come before the v1 commit.
      const [onBeta, onV1] = await Promise.all([
        s.api.post(`${beta}/deployments/${id}`, updateFrom(create, { workerQueues: [hostedQueue('default', { maxWorkerCount: 2 + (round % 5) })] })),
        s.api.post(`${v1}/deployments/${id}`, withStorage(now, second)),
      ]);
      assert.equal(onV1.status, 200, onV1.text);
      assert.equal(onBeta.status, 200, onBeta.text);
      const storage = (await s.api.get(`${v1}/deployments/${id}`)).body.workerQueues[0].podEphemeralStorage;
      if (storage !== second) lost.push(`round ${round}: ${String(storage)} instead of ${second}`);
    }
    assert.deepEqual(lost, []);
  });
});

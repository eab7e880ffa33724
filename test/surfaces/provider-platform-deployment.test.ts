import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import {
  assertDeploymentEchoes, dedicatedCreate, hostedQueue, hybridCreate, hybridQueue, paths, standardCreate, updateFrom, workspaceBody,
  type Json,
} from './provider-platform-fixture.js';

/**
 * astro_deployment as the Terraform provider drives it on /platform/v1beta1: the runtime looked up
 * in the Deployment options when none is configured, create, read, updates that each carry the
 * full desired state (scaling spec, environment variables, worker queues), import by id, delete,
 * and the read after delete. Each answer is checked against what the provider's ReadFromResponse
 * needs to keep its plan consistent.
 */
describe('platform v1beta1: the provider\'s astro_deployment sequence', () => {
  let s: TestServer;
  let beta: string;
  let v1: string;
  let ws: string;
  before(async () => {
    s = await startServer();
    ({ beta, v1 } = paths(s));
    ws = (await s.api.post(`${beta}/workspaces`, workspaceBody('dep'))).body.id;
  });
  after(async () => { await s.close(); });

  const ok = (res: { status: number; text: string; body: any }, status = 200) => {
    assert.equal(res.status, status, res.text);
    return res.body;
  };
  /** The provider's GetLatestAstroRuntimeVersion: the first runtime release of the options. */
  async function latestRuntime(type: string, executor: string, cloudProvider: string): Promise<string> {
    // Go's form encoding sends the empty enum as `cloudProvider=` when none is configured.
    const res = await s.api.request('GET', `${beta}/deployment-options?deploymentType=${type}&executor=${executor}&cloudProvider=${cloudProvider}`);
    const options = ok(res);
    assert.ok(options.runtimeReleases.length > 0, 'runtimeReleases must not be empty');
    return options.runtimeReleases[0].version;
  }

  it('STANDARD: create, read, update scaling/env vars/queues, switch to KUBERNETES and back, import, delete', async () => {
    const runtime = await latestRuntime('STANDARD', 'CELERY', 'AWS');
    const create = standardCreate(ws, {
      astroRuntimeVersion: runtime, name: 'tf-full', description: 'managed by terraform', isDevelopmentMode: true,
      contactEmails: ['z@example.com', 'a@example.com'],
      environmentVariables: [
        { key: 'ZED', isSecret: false, value: 'last' },
        { key: 'API_KEY', isSecret: true, value: 'hunter2' },
        { key: 'ALPHA', isSecret: false, value: ' spaced value ' },
      ],
      workerQueues: [hostedQueue('zeta', { astroMachine: 'A20', minWorkerCount: 1, maxWorkerCount: 4, workerConcurrency: 20 }), hostedQueue('default')],
    });
    const created = ok(await s.api.post(`${beta}/deployments`, create));
    assertDeploymentEchoes(created, create, 'create');
    assert.equal(created.astroRuntimeVersion, runtime);
    assert.equal(created.isDevelopmentMode, true);
    // Lists come back in the order they were sent.
    assert.deepEqual(created.environmentVariables.map((v: Json) => v.key), ['ZED', 'API_KEY', 'ALPHA']);
    assert.deepEqual(created.workerQueues.map((q: Json) => q.name), ['zeta', 'default']);
    const queueIds = Object.fromEntries(created.workerQueues.map((q: Json) => [q.name, q.id]));
    const id = created.id;

    // Read (refresh) right after create shows the same object.
    assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${id}`)), created);

    // Update 1: hibernation schedules and an override with a non-UTC offset; env vars reordered,
    // one removed, one added, the secret re-sent with its configured value; queues changed.
    const schedules = [
      { hibernateAtCron: '0 20 * * 1-5', wakeAtCron: '0 8 * * 1-5', isEnabled: true, description: 'nights' },
      { hibernateAtCron: '0 0 * * 6', wakeAtCron: '0 0 * * 1', isEnabled: false },
    ];
    const update1 = updateFrom(create, {
      description: 'changed',
      scalingSpec: { hibernationSpec: { schedules, override: { isHibernating: true, overrideUntil: '2075-04-25T12:58:00+05:30' } } },
      environmentVariables: [
        { key: 'NEW', isSecret: true, value: 'n' },
        { key: 'API_KEY', isSecret: true, value: 'hunter2' },
        { key: 'ZED', isSecret: false, value: 'changed' },
      ],
      workerQueues: [hostedQueue('default', { maxWorkerCount: 20 }), hostedQueue('extra', { astroMachine: 'A10' })],
    });
    const u1 = ok(await s.api.post(`${beta}/deployments/${id}`, update1));
    assertDeploymentEchoes(u1, update1, 'update 1');
    assert.deepEqual(u1.environmentVariables.map((v: Json) => v.key), ['NEW', 'API_KEY', 'ZED']);
    assert.deepEqual(u1.workerQueues.map((q: Json) => q.name), ['default', 'extra']);
    // Queues are matched by name: default keeps its id, extra is new, zeta is gone.
    assert.equal(u1.workerQueues[0].id, queueIds.default);
    assert.ok(!Object.values(queueIds).includes(u1.workerQueues[1].id));
    const spec = u1.scalingSpec.hibernationSpec;
    assert.deepEqual(spec.schedules, schedules, 'schedules as sent; no description where none was sent');
    assert.equal(spec.override.isHibernating, true);
    assert.equal(spec.override.overrideUntil, '2075-04-25T12:58:00+05:30', 'the UTC offset is kept');
    assert.equal(typeof spec.override.isActive, 'boolean');
    assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${id}`)), u1);
    // /v1 shows the same override, offset included, and the secrets without values.
    const u1OnV1 = ok(await s.api.get(`${v1}/deployments/${id}`));
    assert.equal(u1OnV1.scalingSpec.hibernationSpec.override.overrideUntil, '2075-04-25T12:58:00+05:30');
    for (const v of u1OnV1.environmentVariables) if (v.isSecret) assert.ok(v.value === undefined || v.value === null, v.key);

    // Update 2: the scaling spec removed (the provider sends {}), only schedules kept otherwise no
    // config at all; environment variables cleared ([]), one queue.
    const update2 = updateFrom(create, { scalingSpec: {}, environmentVariables: [], workerQueues: [hostedQueue('default')] });
    const u2 = ok(await s.api.post(`${beta}/deployments/${id}`, update2));
    assertDeploymentEchoes(u2, update2, 'update 2');
    assert.ok(!('scalingSpec' in u2) || u2.scalingSpec === null, 'no hibernation config: no scalingSpec');
    assert.deepEqual(u2.environmentVariables, [], 'no variables: [] (the provider\'s attribute is required)');
    assert.equal(u2.workerQueues[0].id, queueIds.default);

    // Update 3: schedules only — override absent, not an empty object.
    const update3 = updateFrom(create, { scalingSpec: { hibernationSpec: { schedules: [schedules[1]] } }, environmentVariables: [] });
    const u3 = ok(await s.api.post(`${beta}/deployments/${id}`, update3));
    assert.deepEqual(u3.scalingSpec.hibernationSpec.schedules, [schedules[1]]);
    assert.ok(!('override' in u3.scalingSpec.hibernationSpec), JSON.stringify(u3.scalingSpec));

    // Update 3b: an override only — schedules absent, not [].
    const update3b = updateFrom(create, { scalingSpec: { hibernationSpec: { override: { isHibernating: false } } }, environmentVariables: [] });
    const u3b = ok(await s.api.post(`${beta}/deployments/${id}`, update3b));
    assert.ok(!('schedules' in u3b.scalingSpec.hibernationSpec), JSON.stringify(u3b.scalingSpec));
    assert.equal(u3b.scalingSpec.hibernationSpec.override.isHibernating, false);
    assert.ok(!u3b.scalingSpec.hibernationSpec.override.overrideUntil, 'no overrideUntil when none was sent');

    // Update 4: KUBERNETES — the provider sends no queues; the answer has none (not []).
    const { workerQueues: _q, ...k8sBase } = updateFrom(create, { executor: 'KUBERNETES', environmentVariables: [] });
    const u4 = ok(await s.api.post(`${beta}/deployments/${id}`, k8sBase));
    assertDeploymentEchoes(u4, k8sBase, 'update to KUBERNETES');
    assert.ok(!('workerQueues' in u4), 'KUBERNETES: workerQueues absent');
    assert.ok(!('workerQueues' in ok(await s.api.get(`${beta}/deployments/${id}`))));
    // And back to CELERY with a queue.
    const update5 = updateFrom(create, { environmentVariables: [{ key: 'S', isSecret: true, value: 'v' }], workerQueues: [hostedQueue('default')] });
    const u5 = ok(await s.api.post(`${beta}/deployments/${id}`, update5));
    assertDeploymentEchoes(u5, update5, 'back to CELERY');

    // Import by id: the whole object from the id alone; the secret without its value.
    const imported = ok(await s.api.get(`${beta}/deployments/${id}`));
    assert.deepEqual(imported, u5);
    assert.deepEqual(imported.environmentVariables.map((v: Json) => [v.key, v.isSecret, 'value' in v ? v.value : 'absent']), [['S', true, 'absent']]);
    // v1 agrees on the runtime under both names.
    const onV1 = ok(await s.api.get(`${v1}/deployments/${id}`));
    assert.equal(onV1.runtimeVersion, imported.astroRuntimeVersion);

    // Delete, read after delete (drops from state), delete again (404, which the provider ignores).
    assert.equal(ok(await s.api.delete(`${beta}/deployments/${id}`), 204), undefined);
    assertError(await s.api.get(`${beta}/deployments/${id}`), 404);
    assertError(await s.api.delete(`${beta}/deployments/${id}`), 404);
  });

  it('STANDARD: a secret re-sent without a value keeps its stored value; a changed one replaces it', async () => {
    const create = standardCreate(ws, { name: 'tf-secret', environmentVariables: [{ key: 'TOKEN', isSecret: true, value: 'original' }] });
    const created = ok(await s.api.post(`${beta}/deployments`, create));
    // What the provider sees on import and what a read-modify-write client re-sends: no value.
    const resent = ok(await s.api.post(`${beta}/deployments/${created.id}`, updateFrom(create, { environmentVariables: [{ key: 'TOKEN', isSecret: true }] })));
    assert.deepEqual(resent.environmentVariables.map((v: Json) => [v.key, v.isSecret, v.value ?? null]), [['TOKEN', true, null]]);
    // Turning it into a plain variable needs a value; the answer shows it.
    const plain = ok(await s.api.post(`${beta}/deployments/${created.id}`, updateFrom(create, { environmentVariables: [{ key: 'TOKEN', isSecret: false, value: 'visible' }] })));
    assert.deepEqual(plain.environmentVariables.map((v: Json) => [v.key, v.isSecret, v.value]), [['TOKEN', false, 'visible']]);
  });

  it('DEDICATED: runtime from options with an empty cloudProvider, remote execution echo, update, import, delete', async () => {
    const cluster = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AWS', name: 'ded', region: 'us-east-1', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
    })).id;
    const runtime = await latestRuntime('DEDICATED', 'ASTRO', '');
    const create = dedicatedCreate(ws, cluster, {
      astroRuntimeVersion: runtime, executor: 'ASTRO', name: 'tf-dedicated-full',
      remoteExecution: { enabled: true, taskLogBucket: 's3://logs', taskLogUrlPattern: 'https://logs.example.com/{dag_id}' },
      workerQueues: [hostedQueue('default')],
    });
    delete create.resourceQuotaCpu; delete create.resourceQuotaMemory; delete create.defaultTaskPodCpu; delete create.defaultTaskPodMemory;
    const created = ok(await s.api.post(`${beta}/deployments`, create));
    assertDeploymentEchoes(created, create, 'dedicated create');
    assert.equal(created.remoteExecution.enabled, true);
    assert.equal(created.remoteExecution.taskLogBucket, 's3://logs');
    assert.equal(created.remoteExecution.taskLogUrlPattern, 'https://logs.example.com/{dag_id}');
    assert.deepEqual(created.remoteExecution.allowedIpAddressRanges, [], 'allowedIpAddressRanges always an array');
    assert.equal(created.clusterId, cluster);
    assert.ok(created.clusterName, 'clusterName for non-STANDARD');
    assert.equal(created.cloudProvider, 'AWS', 'derived from the cluster');
    assert.equal(created.region, 'us-east-1', 'derived from the cluster');
    const update = updateFrom(create, {
      remoteExecution: { enabled: true, allowedIpAddressRanges: ['10.0.0.0/8'], taskLogBucket: 's3://logs' },
      workerQueues: [hostedQueue('default', { astroMachine: 'A10' })],
    });
    const updated = ok(await s.api.post(`${beta}/deployments/${created.id}`, update));
    assertDeploymentEchoes(updated, update, 'dedicated update');
    assert.deepEqual(updated.remoteExecution.allowedIpAddressRanges, ['10.0.0.0/8']);
    assert.ok(!updated.remoteExecution.taskLogUrlPattern, 'a pattern left out of the full update is gone');
    assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${created.id}`)), updated);
    ok(await s.api.delete(`${beta}/deployments/${created.id}`), 204);
    assertError(await s.api.get(`${beta}/deployments/${created.id}`), 404);
  });

  it('DEDICATED remote execution as the provider\'s acceptance test configures it: no queues, no quotas, no IP ranges', async () => {
    const cluster = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AWS', name: 'ded-remote', region: 'us-east-1', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
    })).id;
    const create: Json = {
      astroRuntimeVersion: await latestRuntime('DEDICATED', 'ASTRO', ''), clusterId: cluster, contactEmails: [], description: 'deployment description',
      environmentVariables: [], executor: 'ASTRO', isCicdEnforced: true, isDagDeployEnabled: false, isDevelopmentMode: false,
      isHighAvailability: false, name: 'tf_remote', remoteExecution: { enabled: true }, scalingSpec: {}, schedulerSize: 'SMALL',
      type: 'DEDICATED', workspaceId: ws,
    };
    const created = ok(await s.api.post(`${beta}/deployments`, create));
    assertDeploymentEchoes(created, create, 'remote create');
    assert.deepEqual(created.remoteExecution.allowedIpAddressRanges, []);
    assert.ok(created.remoteExecution.remoteApiUrl, 'remoteApiUrl computed');
    const update = updateFrom(create, { remoteExecution: { enabled: true, allowedIpAddressRanges: ['10.0.0.0/8', '192.168.1.0/24'] } });
    const updated = ok(await s.api.post(`${beta}/deployments/${created.id}`, update));
    assertDeploymentEchoes(updated, update, 'remote update');
    assert.deepEqual([...updated.remoteExecution.allowedIpAddressRanges].sort(), ['10.0.0.0/8', '192.168.1.0/24']);
    assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${created.id}`)), updated);
  });

  it('HYBRID: KUBERNETES with a task pod node pool, then CELERY with queues (node pool cleared), import, delete', async () => {
    const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hyb', cloudProvider: 'AWS', region: 'us-east-1' });
    const pool = hybrid.nodePools![0]!.id;
    ok(await s.api.post(`${beta}/clusters/${hybrid.id}`, { clusterType: 'HYBRID', workspaceIds: [ws] }));
    const runtime = await latestRuntime('HYBRID', 'KUBERNETES', '');
    const { workerQueues: _q, ...create } = hybridCreate(ws, hybrid.id, pool, {
      astroRuntimeVersion: runtime, executor: 'KUBERNETES', name: 'tf-hybrid-full', taskPodNodePoolId: pool, scheduler: { au: 10, replicas: 3 },
      environmentVariables: [{ key: 'H', isSecret: false, value: 'h' }],
    });
    const created = ok(await s.api.post(`${beta}/deployments`, create));
    assertDeploymentEchoes(created, create, 'hybrid create');
    assert.ok(!('workerQueues' in created));
    assert.equal(created.taskPodNodePoolId, pool);
    assert.equal(created.clusterName, 'hyb');
    const update = updateFrom(hybridCreate(ws, hybrid.id, pool, {
      name: 'tf-hybrid-full', scheduler: { au: 12, replicas: 4 },
      workerQueues: [hybridQueue('default', pool), hybridQueue('b', pool, { maxWorkerCount: 2 })],
    }));
    const updated = ok(await s.api.post(`${beta}/deployments/${created.id}`, update));
    assertDeploymentEchoes(updated, update, 'hybrid update');
    assert.ok(!updated.taskPodNodePoolId, 'taskPodNodePoolId cleared away from KUBERNETES');
    assert.deepEqual(updated.workerQueues.map((q: Json) => q.name), ['default', 'b']);
    for (const q of updated.workerQueues) assert.ok(!('astroMachine' in q), 'hybrid queues have no machine');
    assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${created.id}`)), updated);
    ok(await s.api.delete(`${beta}/deployments/${created.id}`), 204);
    assertError(await s.api.get(`${beta}/deployments/${created.id}`), 404);
  });

  it('refuses what the provider validates client-side, with 400s in the error shape', async () => {
    const cluster = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AWS', name: 'ded2', region: 'us-east-1', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
    })).id;
    // Duplicate queue names.
    assertError(await s.api.post(`${beta}/deployments`, standardCreate(ws, { name: 'dup', workerQueues: [hostedQueue('default'), hostedQueue('default')] })), 400);
    // A hosted queue with a node pool.
    assertError(await s.api.post(`${beta}/deployments`, standardCreate(ws, { name: 'np', workerQueues: [hostedQueue('default', { nodePoolId: 'x' })] })), 400);
    // STANDARD with a cluster.
    assertError(await s.api.post(`${beta}/deployments`, standardCreate(ws, { name: 'c', clusterId: cluster })), 400);
    // Remote execution on STANDARD.
    assertError(await s.api.post(`${beta}/deployments`, standardCreate(ws, { name: 'r', executor: 'ASTRO', remoteExecution: { enabled: true } })), 400);
    // Unknown ids in a list filter are simply absent.
    const none = ok(await s.api.get(`${beta}/deployments`, { deploymentIds: [`c${'0'.repeat(24)}`] }));
    assert.deepEqual(none.deployments, []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiClient, type ApiResponse } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import { secretBox } from '../../src/store/crypto.js';

type Json = Record<string, any>;

const MISSING = `c${'0'.repeat(24)}`;
const SECRET = 'sup3r-s3cret-VALUE';

/** The update body that repeats what a Deployment has (as a read-modify-write client sends it), changed by `extra`. */
function same(d: Json, extra: Json = {}): Json {
  const body: Json = {
    type: d.type,
    name: d.name,
    workspaceId: d.workspaceId,
    executor: d.executor,
    isCicdEnforced: d.isCicdEnforced,
    isDagDeployEnabled: d.isDagDeployEnabled,
    environmentVariables: d.environmentVariables.map((v: Json) => ({ key: v.key, isSecret: v.isSecret, ...(v.value !== undefined ? { value: v.value } : {}) })),
  };
  if (d.description !== undefined) body.description = d.description;
  if (d.type === 'HYBRID') {
    body.scheduler = { au: d.schedulerAu, replicas: d.schedulerReplicas };
  } else {
    Object.assign(body, {
      schedulerSize: d.schedulerSize, isHighAvailability: d.isHighAvailability, isDevelopmentMode: d.isDevelopmentMode,
      resourceQuotaCpu: d.resourceQuotaCpu, resourceQuotaMemory: d.resourceQuotaMemory, defaultTaskPodCpu: d.defaultTaskPodCpu, defaultTaskPodMemory: d.defaultTaskPodMemory,
    });
  }
  if (d.workerQueues) {
    body.workerQueues = d.workerQueues.map((q: Json) => ({
      id: q.id, name: q.name, isDefault: q.isDefault, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency,
      ...(q.astroMachine ? { astroMachine: q.astroMachine } : {}), ...(q.nodePoolId ? { nodePoolId: q.nodePoolId } : {}),
    }));
  }
  return { ...body, ...extra };
}

describe('deployments: update, delete, list', () => {
  let s: TestServer;
  let base: string;
  let w1: Json;
  let w2: Json;
  let hyb: Json;
  const responses: ApiResponse[] = [];
  /** Every response of this suite, to check that no secret value ever leaves the server. */
  const track = async (p: Promise<ApiResponse>) => {
    const r = await p;
    responses.push(r);
    return r;
  };
  const create = async (body: Json) => {
    const r = await track(s.api.post(base, { workspaceId: w1.id, ...body }));
    assert.equal(r.status, 200, r.text);
    return r.body as Json;
  };
  const update = (d: Json, body: Json) => track(s.api.post(`${base}/${d.id}`, body));
  const get = async (id: string) => (await track(s.api.get(`${base}/${id}`))).body as Json;

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/deployments`;
    w1 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'one', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    w2 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'two', defaultCloudProvider: 'GCP', defaultRegion: 'us-east4' })).body;
    hyb = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hyb', cloudProvider: 'AWS', region: 'us-east-1' }) as unknown as Json;
  });
  after(async () => {
    for (const r of responses) assert.ok(!r.text.includes(SECRET), 'a secret value was returned');
    await s.close();
  });

  it('replaces the settings: what an update leaves out of the lists goes, what it repeats stays', async () => {
    const d = await create({
      name: 'replace', description: 'before', contactEmails: ['x@example.com'],
      workerQueues: [
        { name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 },
        { name: 'etl', isDefault: false, astroMachine: 'A10', minWorkerCount: 0, maxWorkerCount: 3, workerConcurrency: 10 },
        { name: 'ml', isDefault: false, astroMachine: 'A20', minWorkerCount: 1, maxWorkerCount: 2, workerConcurrency: 20 },
      ],
      environmentVariables: [{ key: 'KEEP', value: 'k', isSecret: false }, { key: 'DROP', value: 'd', isSecret: false }],
    });
    const [def, etl, ml] = d.workerQueues;
    s.clock.advance(60);
    const body = same(d, {
      name: 'replaced',
      schedulerSize: 'MEDIUM',
      workerQueues: [
        // Matched by id (its name must stay: names never change); by name: keeps its id.
        { id: etl.id, name: 'etl', isDefault: false, astroMachine: 'A10', minWorkerCount: 0, maxWorkerCount: 4, workerConcurrency: 10 },
        { name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 },
        { name: 'new-one', isDefault: false, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 1, workerConcurrency: 1 },
      ],
      environmentVariables: [{ key: 'KEEP', value: 'k', isSecret: false }],
    });
    delete body.description;
    const res = await update(d, body);
    assert.equal(res.status, 200, res.text);
    const u = res.body;
    assert.equal(u.name, 'replaced');
    assert.equal(u.schedulerSize, 'MEDIUM');
    assert.equal(u.schedulerCpu, '2');
    assert.equal(u.description, 'before', 'left out, the description stays');
    assert.deepEqual(u.contactEmails, ['x@example.com'], 'left out, the contact e-mails stay');
    assert.deepEqual(u.workerQueues.map((q: Json) => [q.name, q.maxWorkerCount]), [['etl', 4], ['default', 10], ['new-one', 1]]);
    assert.equal(u.workerQueues[0].id, etl.id);
    assert.equal(u.workerQueues[1].id, def.id);
    assert.ok(![def.id, etl.id, ml.id].includes(u.workerQueues[2].id));
    assert.deepEqual(u.environmentVariables.map((v: Json) => v.key), ['KEEP']);
    assert.equal(u.environmentVariables[0].updatedAt, d.environmentVariables[0].updatedAt, 'an unchanged variable keeps its updatedAt');
    assert.notEqual(u.updatedAt, d.updatedAt);
    assert.equal(u.createdAt, d.createdAt);
    assert.deepEqual(await get(d.id), u);

    // Environment variables and queues are required lists: an empty variable list removes them all.
    const cleared = await update(d, same(u, { environmentVariables: [], executor: 'KUBERNETES', workerQueues: undefined }));
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.body.environmentVariables, []);
    assert.ok(!('workerQueues' in cleared.body), 'KUBERNETES has no queues');
    // Back to CELERY without queues: the default queue is made again.
    const back = await update(d, same(cleared.body, { executor: 'CELERY', workerQueues: null }));
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.body.workerQueues.map((q: Json) => [q.name, q.astroMachine]), [['default', 'A5']]);
  });

  it('keeps the queues a read-modify-write client sends as null, and protects the default queue', async () => {
    const d = await create({ name: 'queues' });
    const kept = await update(d, same(d, { workerQueues: null }));
    assert.equal(kept.status, 200, kept.text);
    assert.deepEqual(kept.body.workerQueues, d.workerQueues);
    const def = d.workerQueues[0];
    const extra = { name: 'other', isDefault: false, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 1, workerConcurrency: 1 };
    assertError(await update(d, same(d, { workerQueues: [extra] })), 400, 'workerQueues', 'default');
    assertError(await update(d, same(d, { workerQueues: [{ ...extra, id: def.id }] })), 400, 'workerQueues[0].name', 'immutable');
    assertError(await update(d, same(d, { workerQueues: [{ ...def, id: MISSING }] })), 400, 'workerQueues[0].id', 'exists');
    assertError(await update(d, same(d, { workerQueues: [{ ...def, astroMachine: undefined }] })), 400, 'workerQueues[0].astroMachine', 'required');
    assert.deepEqual((await get(d.id)).workerQueues, d.workerQueues, 'refused updates change nothing');
  });

  it('never renames a worker queue: a Workspace Operator sending another name for a queue id gets a 400 on both surfaces', async () => {
    const d = await create({
      name: 'fixed names',
      workerQueues: [
        { name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 },
        { name: 'etl', isDefault: false, astroMachine: 'A10', minWorkerCount: 0, maxWorkerCount: 3, workerConcurrency: 10 },
      ],
    });
    const operator = await s.withRoles('WORKSPACE', w1.id, [{ entityType: 'WORKSPACE', entityId: w1.id, role: 'WORKSPACE_OPERATOR' }]);
    const [def, etl] = d.workerQueues;
    const queues = (renamed: string) => same(d).workerQueues.map((q: Json) => (q.id === etl.id ? { ...q, name: renamed } : q));
    const refused = await operator.post(`${base}/${d.id}`, same(d, { workerQueues: queues('etl-2') }));
    assertError(refused, 400, 'workerQueues[1].name', 'immutable');
    assert.match(refused.body.message, new RegExp(`queue ${etl.id} is named "etl"`));
    // The default queue no more than any other.
    assertError(await operator.post(`${base}/${d.id}`, same(d, { workerQueues: [{ ...same(d).workerQueues[0], name: 'main', isDefault: false }, same(d).workerQueues[1]] })), 400, 'workerQueues[0].name', 'immutable');
    // Terraform's surface matches by id when one is sent, by name otherwise.
    const beta = `/platform/v1beta1/organizations/${s.orgId}/deployments/${d.id}`;
    const betaBody = (workerQueues: Json[]) => same(d, { workerQueues: workerQueues.map(({ id, ...q }: Json) => ({ ...(id ? { id } : {}), ...q })) });
    assertError(await operator.post(beta, betaBody(queues('etl-2'))), 400, 'workerQueues[1].name', 'immutable');
    assert.deepEqual((await get(d.id)).workerQueues.map((q: Json) => [q.id, q.name]), [[def.id, 'default'], [etl.id, 'etl']], 'refused updates change nothing');
    // Changing everything but the name is fine; a new name without an id is a new queue, the old one goes.
    const scaled = await operator.post(`${base}/${d.id}`, same(d, { workerQueues: same(d).workerQueues.map((q: Json) => ({ ...q, maxWorkerCount: 7 })) }));
    assert.equal(scaled.status, 200, scaled.text);
    assert.deepEqual(scaled.body.workerQueues.map((q: Json) => [q.id, q.name, q.maxWorkerCount]), [[def.id, 'default', 7], [etl.id, 'etl', 7]]);
    const noIds = same(d).workerQueues.map(({ id: _id, ...q }: Json) => (q.name === 'etl' ? { ...q, name: 'etl-2' } : q));
    const replaced = await operator.post(beta, betaBody(noIds));
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.workerQueues[0].id, def.id);
    assert.equal(replaced.body.workerQueues[1].name, 'etl-2');
    assert.notEqual(replaced.body.workerQueues[1].id, etl.id, 'a queue with a new name is a new queue');
  });

  it('keeps a secret sent without a value, never returns it, and needs a value for a new secret', async () => {
    const d = await create({ name: 'secrets', environmentVariables: [{ key: 'TOKEN', value: SECRET, isSecret: true }, { key: 'PLAIN', value: 'p', isSecret: false }] });
    assert.deepEqual(d.environmentVariables.map((v: Json) => [v.key, v.isSecret, 'value' in v]), [['TOKEN', true, false], ['PLAIN', false, true]]);
    s.clock.advance(10);
    // The CLI copies the list from a read: the secret comes back without its value.
    const res = await update(d, same(d));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.environmentVariables[0].updatedAt, d.environmentVariables[0].updatedAt, 'the secret is unchanged');
    const stored = async () => s.app.db.selectFrom('deployment_env_vars').selectAll().where('deployment_id', '=', d.id).where('key', '=', 'TOKEN').executeTakeFirstOrThrow();
    // Stored sealed (AES-256-GCM, store/crypto.ts): the table never holds the value itself.
    const sealed = async () => {
      const raw = (await stored()).secret_value!;
      assert.match(raw, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
      assert.ok(!raw.includes(SECRET) && !raw.includes(Buffer.from(SECRET).toString('base64')), 'the secret is not in the table in any readable form');
      return secretBox(s.app.db).open(raw);
    };
    assert.equal(await sealed(), SECRET);
    assert.equal((await stored()).value, null, 'secret values are kept apart from plain ones');
    // An empty value keeps it too; a new value replaces it.
    await update(d, same(d, { environmentVariables: [{ key: 'TOKEN', value: '', isSecret: true }] }));
    assert.equal(await sealed(), SECRET);
    const changed = await update(d, same(d, { environmentVariables: [{ key: 'TOKEN', value: 'rotated', isSecret: true }] }));
    assert.notEqual(changed.body.environmentVariables[0].updatedAt, d.environmentVariables[0].updatedAt);
    assert.equal(await sealed(), 'rotated');
    // Turning a secret into a plain variable without a value does not reveal it.
    const plain = await update(d, same(d, { environmentVariables: [{ key: 'TOKEN', isSecret: false }] }));
    assert.ok(!('value' in plain.body.environmentVariables[0]));
    assertError(await update(d, same(d, { environmentVariables: [{ key: 'NEW_SECRET', isSecret: true }] })), 400, 'environmentVariables[0].value', 'required');
  });

  it('refuses what an update cannot change', async () => {
    const d = await create({ name: 'fixed', isDevelopmentMode: true });
    assertError(await update(d, same(d, { astroRuntimeVersion: '3.1-12' })), 400, 'astroRuntimeVersion', 'excluded');
    assertError(await update(d, same(d, { type: 'DEDICATED' })), 400, 'type', 'immutable');
    assertError(await update(d, same(d, { workspaceId: w2.id })), 400, 'workspaceId', 'immutable');
    assertError(await update(d, same(d, { region: 'us-west-2' })), 400, 'region', 'immutable');
    assertError(await update(d, same(d, { executor: 'ASTRO', type: undefined })), 400, 'type', 'required');
    assertError(await update(d, same(d, { environmentVariables: undefined })), 400, 'environmentVariables', 'required');
    assertError(await update(d, same(d, { resourceQuotaCpu: undefined, resourceQuotaMemory: undefined })), 400, 'resourceQuotaCpu', 'required');
    // Development mode can go from true to false, never back.
    const off = await update(d, same(d, { isDevelopmentMode: false }));
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.isDevelopmentMode, false);
    assertError(await update(d, same(off.body, { isDevelopmentMode: true })), 400, 'isDevelopmentMode', 'immutable');
    assertError(await update({ id: MISSING }, same(d)), 404);
  });

  it('updates a HYBRID Deployment: scheduler required, task pod pool for KUBERNETES only', async () => {
    const d = await create({ name: 'hybrid', clusterId: hyb.id });
    assertError(await update(d, same(d, { scheduler: undefined })), 400, 'scheduler', 'required');
    // Repeating where it runs is fine; naming another place is not.
    assert.equal((await update(d, same(d, { cloudProvider: d.cloudProvider, region: d.region, clusterId: d.clusterId }))).status, 200);
    assertError(await update(d, same(d, { region: 'eu-west-1' })), 400, 'region', 'immutable');
    const k8s = await update(d, same(d, { executor: 'KUBERNETES', workerQueues: undefined, scheduler: { au: 12, replicas: 2 } }));
    assert.equal(k8s.status, 200, k8s.text);
    assert.equal(k8s.body.taskPodNodePoolId, hyb.nodePools[0].id);
    assert.equal(k8s.body.schedulerAu, 12);
    assert.equal(k8s.body.schedulerReplicas, 2);
    const celery = await update(d, same(k8s.body, { executor: 'CELERY', taskPodNodePoolId: hyb.nodePools[0].id }));
    assert.equal(celery.status, 200, celery.text);
    assert.ok(!('taskPodNodePoolId' in celery.body), 'cleared when the executor is not KUBERNETES');
    assert.equal(celery.body.workerQueues[0].nodePoolId, hyb.nodePools[0].id);
    assertError(await update(d, same(celery.body, { schedulerSize: 'SMALL' })), 400, 'schedulerSize', 'excluded');
  });

  it('drops hibernation settings an update leaves out, and treats {} as none', async () => {
    const spec = { hibernationSpec: { schedules: [{ hibernateAtCron: '0 20 * * *', wakeAtCron: '0 6 * * *', isEnabled: false }] } };
    const d = await create({ name: 'scaling', isDevelopmentMode: true, scalingSpec: spec });
    assert.deepEqual(d.scalingSpec, spec, 'schedules echoed, no override, no description');
    const none = await update(d, same(d, { scalingSpec: {} }));
    assert.ok(!('scalingSpec' in none.body));
    const again = await update(d, same(d, { scalingSpec: spec }));
    assert.deepEqual(again.body.scalingSpec, spec);
    const gone = await update(d, same(d));
    assert.ok(!('scalingSpec' in gone.body));
  });

  it('deletes a Deployment with its queues and variables; later reads answer 404', async () => {
    const d = await create({ name: 'doomed', environmentVariables: [{ key: 'A', value: '1', isSecret: false }] });
    assert.equal((await track(s.api.delete(`${base}/${d.id}`))).status, 204);
    assertError(await track(s.api.get(`${base}/${d.id}`)), 404);
    assertError(await track(s.api.delete(`${base}/${d.id}`)), 404);
    assertError(await update(d, same(d)), 404);
    const queues = await s.app.db.selectFrom('deployment_worker_queues').select('id').where('deployment_id', '=', d.id).execute();
    const vars = await s.app.db.selectFrom('deployment_env_vars').select('key').where('deployment_id', '=', d.id).execute();
    assert.deepEqual([queues.length, vars.length], [0, 0]);
    assert.ok(!(await track(s.api.get(base, { limit: 1000 }))).body.deployments.some((x: Json) => x.id === d.id));
  });

  it('lists with filters, sorts and pages computed in SQL', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'Listing' });
    const api = s.as(o.token);
    const url = `/v1/organizations/${o.organizationId}/deployments`;
    const wa = (await api.post(`/v1/organizations/${o.organizationId}/workspaces`, { name: 'a', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const wb = (await api.post(`/v1/organizations/${o.organizationId}/workspaces`, { name: 'b', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const ids: string[] = [];
    for (const [name, w] of [['delta', wa], ['alpha', wb], ['charlie', wa], ['bravo', wb]] as const) {
      s.clock.advance(1);
      ids.push((await api.post(url, { name, workspaceId: w.id })).body.id);
    }
    const names = (r: ApiResponse) => r.body.deployments.map((d: Json) => d.name);
    const all = await api.get(url);
    assert.equal(all.body.totalCount, 4);
    assert.deepEqual(names(all), ['delta', 'alpha', 'charlie', 'bravo'], 'createdAt:asc by default');
    assert.deepEqual(names(await api.get(url, { sorts: 'name:asc' })), ['alpha', 'bravo', 'charlie', 'delta']);
    assert.deepEqual(names(await api.get(url, { sorts: ['name:desc'] })), ['delta', 'charlie', 'bravo', 'alpha']);
    assert.deepEqual(names(await api.get(url, { workspaceIds: wb.id, sorts: 'name:asc' })), ['alpha', 'bravo']);
    assert.deepEqual(names(await api.get(url, { names: ['charlie', 'nope'] })), ['charlie']);
    assert.deepEqual(names(await api.get(url, { deploymentIds: [ids[3]!, ids[0]!] })), ['delta', 'bravo']);
    const none = await api.get(url, { workspaceIds: MISSING });
    assert.deepEqual([none.status, none.body.totalCount, none.body.deployments], [200, 0, []]);
    const page = await api.get(url, { limit: 2, offset: 1, sorts: 'name:asc' });
    assert.deepEqual([names(page), page.body.limit, page.body.offset, page.body.totalCount], [['bravo', 'charlie'], 2, 1, 4]);
    const past = await api.get(url, { limit: 1000, offset: 1000 });
    assert.deepEqual([past.status, past.body.deployments, past.body.totalCount], [200, [], 4]);
    assert.deepEqual((await api.get(url, { limit: 0 })).body.deployments, []);
    assert.equal((await api.get(url, { limit: 5000 })).body.limit, 1000, 'the page size is capped at 1000, and says so');
    // totalCount follows creates and deletes, for the Organization and for each Workspace.
    assert.equal((await api.get(url, { workspaceIds: [wa.id, wb.id, MISSING] })).body.totalCount, 4);
    assert.equal((await api.delete(`${url}/${ids[1]}`)).status, 204);
    assert.equal((await api.get(url)).body.totalCount, 3);
    assert.equal((await api.get(url, { workspaceIds: wb.id })).body.totalCount, 1);
    assert.equal((await api.get(url, { workspaceIds: wa.id })).body.totalCount, 2);
    assert.equal((await api.get(url, { names: 'alpha' })).body.totalCount, 0);
    assertError(await api.get(url, { sorts: 'status:asc' }), 400, 'sorts[0]', 'oneof');
    assertError(await api.get(url, { offset: -1 }), 400, 'offset', 'min');
    // Another organization's Deployments are neither listed nor readable.
    assert.ok(!(await s.api.get(base, { limit: 1000 })).body.deployments.some((d: Json) => ids.includes(d.id)));
    assertError(await s.api.get(`${base}/${ids[0]}`), 404);
    assertError(await s.api.get(url), 403);
  });

  it('refuses to delete a Workspace or cluster that still has Deployments', async () => {
    const w = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'busy', defaultClusterId: hyb.id })).body;
    const d = await create({ name: 'holds it', workspaceId: w.id });
    const ws = await s.api.delete(`/v1/organizations/${s.orgId}/workspaces/${w.id}`);
    assertError(ws, 400);
    assert.match(ws.body.message, /still holds 1 Deployment/);
    const cl = await s.api.delete(`/v1/organizations/${s.orgId}/clusters/${hyb.id}`);
    assertError(cl, 400);
    assert.match(cl.body.message, /still hosts \d+ Deployment/);
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/workspaces/${w.id}`)).status, 200, 'nothing was deleted');
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/clusters/${hyb.id}`)).status, 200);
    assert.equal((await get(d.id)).id, d.id);
    assert.equal((await s.api.delete(`${base}/${d.id}`)).status, 204);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/workspaces/${w.id}`)).status, 204);
  });

  it('keeps its rules under concurrent requests: no 5xx, no orphans, counts right', async () => {
    const w = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'racing', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const results = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => s.api.post(base, { name: `racer-${i}`, workspaceId: w.id })),
      s.api.delete(`/v1/organizations/${s.orgId}/workspaces/${w.id}`),
      ...Array.from({ length: 4 }, (_, i) => s.api.post(base, { name: `late-${i}`, workspaceId: w.id })),
    ]);
    const del = results[4]!;
    const creates = results.filter((_, i) => i !== 4);
    for (const r of creates) assert.ok(r.status === 200 || r.status === 400, `create answered ${r.status}: ${r.text}`);
    assert.ok(del.status === 204 || del.status === 400, `delete answered ${del.status}: ${del.text}`);
    const made = creates.filter((r) => r.status === 200).length;
    const listed = await s.api.get(base, { workspaceIds: w.id });
    assert.equal(listed.body.totalCount, made);
    assert.equal(listed.body.deployments.length, made);
    if (del.status === 204) assert.equal(made, 0, 'a deleted Workspace holds nothing');
    else assert.ok(made > 0, 'the delete was refused because Deployments exist');

    const d = await create({ name: 'contested' });
    const [a, b] = await Promise.all([s.api.delete(`${base}/${d.id}`), s.api.delete(`${base}/${d.id}`)]);
    assert.deepEqual([a.status, b.status].sort(), [204, 404]);

    const e = await create({ name: 'updated twice' });
    const q = (name: string) => ({ name, isDefault: false, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 1, workerConcurrency: 1 });
    const [u1, u2] = await Promise.all([
      update(e, same(e, { workerQueues: [...same(e).workerQueues, q('first')] })),
      update(e, same(e, { workerQueues: [...same(e).workerQueues, q('second')] })),
    ]);
    assert.deepEqual([u1.status, u2.status], [200, 200]);
    const names = (await get(e.id)).workerQueues.map((x: Json) => x.name);
    assert.ok(JSON.stringify(names) === '["default","first"]' || JSON.stringify(names) === '["default","second"]', `one update wins whole: ${names}`);
  });

  it('answers GetDeploymentOptions for a Deployment, and an unknown or foreign id alike', async () => {
    const opts = `/v1/organizations/${s.orgId}/deployment-options`;
    const h = await create({ name: 'opts hybrid', clusterId: hyb.id });
    const ho = await s.api.get(opts, { deploymentId: h.id });
    assert.equal(ho.status, 200, ho.text);
    assert.deepEqual(ho.body.executors, ['CELERY', 'KUBERNETES']);
    assert.deepEqual(ho.body.schedulerMachines, []);
    assert.deepEqual(ho.body.workloadIdentityOptions, [{ role: h.effectiveWorkloadIdentity, label: 'Default' }]);
    const old = await create({ name: 'opts old', astroRuntimeVersion: '3.1-12' });
    const oo = (await s.api.get(opts, { deploymentId: old.id })).body;
    const versions = oo.runtimeReleases.map((r: Json) => r.version);
    assert.ok(versions.includes('3.1-12') && versions.includes('3.3-9'));
    assert.ok(!versions.includes('3.0-7') && !versions.includes('13.7.0'), 'its Airflow line, no downgrade');
    assertError(await s.api.get(opts, { deploymentId: old.id, deploymentType: 'HYBRID' }), 400, 'deploymentType', 'mismatch');
    const other = await createOrganizationWithOwner(s.app, { name: 'Foreign' });
    const ow = (await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const foreign = (await s.as(other.token).post(`/v1/organizations/${other.organizationId}/deployments`, { name: 'theirs', workspaceId: ow.id })).body;
    const a = await s.api.get(opts, { deploymentId: foreign.id });
    const b = await s.api.get(opts, { deploymentId: MISSING });
    assertError(a, 400, 'deploymentId', 'exists');
    assertError(b, 400, 'deploymentId', 'exists');
    assert.equal(a.body.message, b.body.message);
  });
});

describe('deployments: who may do what', () => {
  let s: TestServer;
  let base: string;
  let w1: string;
  let w2: string;
  let d1: Json;
  let d2: Json;
  let operator: ApiClient;
  let member: ApiClient;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/deployments`;
    const ws = async (name: string) => (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id as string;
    w1 = await ws('one');
    w2 = await ws('two');
    d1 = (await s.api.post(base, { name: 'in one', workspaceId: w1, isDevelopmentMode: true })).body;
    d2 = (await s.api.post(base, { name: 'in two', workspaceId: w2, isDevelopmentMode: true })).body;
    operator = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_OPERATOR' }]);
    member = await s.withRoles('WORKSPACE', w1, [{ entityType: 'WORKSPACE', entityId: w1, role: 'WORKSPACE_MEMBER' }]);
  });
  after(async () => { await s.close(); });

  const body = (d: Json, name: string) => ({
    type: 'STANDARD', name, workspaceId: d.workspaceId, executor: d.executor, isCicdEnforced: false, isDagDeployEnabled: true, environmentVariables: [],
    schedulerSize: 'SMALL', isHighAvailability: false, resourceQuotaCpu: '10', resourceQuotaMemory: '20Gi', defaultTaskPodCpu: '0.25', defaultTaskPodMemory: '0.5Gi',
  });

  it('lets a WORKSPACE_OPERATOR create, update and delete Deployments in its Workspace and nowhere else', async () => {
    const created = await operator.post(base, { name: 'by operator', workspaceId: w1 });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.createdBy.subjectType, 'SERVICEKEY');
    assertError(await operator.post(base, { name: 'elsewhere', workspaceId: w2 }), 403);
    const upd = await operator.post(`${base}/${created.body.id}`, body(created.body, 'renamed by operator'));
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await operator.get(`${base}/${created.body.id}`)).body.name, 'renamed by operator');
    assertError(await operator.post(`${base}/${d2.id}`, body(d2, 'hijacked')), 403);
    assertError(await operator.delete(`${base}/${d2.id}`), 403);
    assertError(await operator.get(`${base}/${d2.id}`), 403);
    assertError(await operator.post(`${base}/${d2.id}/hibernation-override`, { isHibernating: true }), 403);
    assert.equal((await operator.post(`${base}/${d1.id}/hibernation-override`, { isHibernating: true })).status, 200);
    assert.equal((await operator.delete(`${base}/${d1.id}/hibernation-override`)).status, 204);
    assert.equal((await operator.delete(`${base}/${created.body.id}`)).status, 204);
    assert.equal((await s.api.get(`${base}/${d2.id}`)).body.name, 'in two', 'the other Workspace\'s Deployment is untouched');
    // The list shows it the Deployments of its own Workspace only.
    const listed = await operator.get(base);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.deployments.map((d: { id: string }) => d.id), [d1.id]);
  });

  it('lets a WORKSPACE_MEMBER read the Workspace\'s Deployments and change none', async () => {
    const read = await member.get(`${base}/${d1.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.id, d1.id);
    assertError(await member.get(`${base}/${d2.id}`), 403);
    assertError(await member.post(base, { name: 'no', workspaceId: w1 }), 403);
    assertError(await member.post(`${base}/${d1.id}`, body(d1, 'no')), 403);
    assertError(await member.delete(`${base}/${d1.id}`), 403);
    assertError(await member.post(`${base}/${d1.id}/hibernation-override`, { isHibernating: true }), 403);
    assertError(await member.delete(`${base}/${d1.id}/hibernation-override`), 403);
    assert.equal((await s.api.get(`${base}/${d1.id}`)).body.name, 'in one');
  });

  it('answers a missing Deployment like another Workspace\'s, and a missing Workspace like another one', async () => {
    for (const [foreign, missing] of [
      [await operator.get(`${base}/${d2.id}`), await operator.get(`${base}/${MISSING}`)],
      [await operator.delete(`${base}/${d2.id}`), await operator.delete(`${base}/${MISSING}`)],
      [await operator.post(base, { name: 'x', workspaceId: w2 }), await operator.post(base, { name: 'x', workspaceId: MISSING })],
    ]) {
      assertError(foreign!, 403);
      assertError(missing!, 403);
      assert.equal(foreign!.body.message, missing!.body.message);
    }
    // The body is checked before the Workspace it names.
    assertError(await operator.post(base, { name: 'x' }), 400, 'workspaceId', 'required');
  });

  it('lets a DEPLOYMENT_ADMIN manage its Deployment only, and an organization member read only where it holds a role', async () => {
    const admin = await s.withRoles('DEPLOYMENT', d1.id, [{ entityType: 'DEPLOYMENT', entityId: d1.id, role: 'DEPLOYMENT_ADMIN' }]);
    assert.equal((await admin.post(`${base}/${d1.id}`, body(d1, 'by admin'))).status, 200);
    assertError(await admin.post(`${base}/${d2.id}`, body(d2, 'no')), 403);
    assertError(await admin.post(base, { name: 'no', workspaceId: w1 }), 403);
    const orgMember = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    assert.equal((await orgMember.get(base)).body.totalCount, 0);
    assertError(await orgMember.get(`${base}/${d2.id}`), 403);
    assertError(await orgMember.get(`${base}/${MISSING}`), 403);
    const reader = await s.withRoles('ORGANIZATION', s.orgId, [
      { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'DEPLOYMENT', entityId: d2.id, role: 'DEPLOYMENT_ADMIN' },
    ]);
    assert.deepEqual((await reader.get(base)).body.deployments.map((d: { id: string }) => d.id), [d2.id]);
    assert.equal((await reader.get(`${base}/${d2.id}`)).status, 200);
    assertError(await orgMember.post(base, { name: 'no', workspaceId: w1 }), 403);
    assertError(await orgMember.delete(`${base}/${d2.id}`), 403);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const SECRET = 'older-surface-secret-9f1c';
const V1_ONLY = ['description', 'environmentVariable', 'setFields'];

/**
 * Environment objects on /platform/v1beta1, against the state /v1 sees: every operation in the
 * older shapes, what the older API lacks (environment variables, SigV4, description, setFields,
 * unsetFields), secrets never shown, and objects going back and forth between the surfaces.
 */
describe('platform v1beta1: environment objects', () => {
  let s: TestServer;
  let beta: string;
  let v1: string;
  let ws: string;
  let dep1: string;
  let dep2: string;

  const create = async (body: Json, base = beta): Promise<string> => {
    const res = await s.api.post(base, body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['id']);
    assert.match(res.body.id, CUID);
    return res.body.id;
  };
  const get = async (id: string, base = beta): Promise<Json> => {
    const res = await s.api.get(`${base}/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const list = async (query: Json): Promise<Json> => {
    const res = await s.api.get(beta, query);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const olderShape = (o: Json) => {
    for (const k of V1_ONLY) assert.ok(!(k in o), `${k} shows on v1beta1`);
    for (const l of o.links ?? []) assert.ok(!('setFields' in l) && !('environmentVariableOverrides' in l), 'link in the v1 shape');
  };

  before(async () => {
    s = await startServer();
    v1 = `/v1/organizations/${s.orgId}/environment-objects`;
    beta = `/platform/v1beta1/organizations/${s.orgId}/environment-objects`;
    ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'env older', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    dep1 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'env older one', workspaceId: ws })).body.id;
    dep2 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'env older two', workspaceId: ws })).body.id;
  });
  after(async () => { await s.close(); });

  const bodies = (scope: 'WORKSPACE' | 'DEPLOYMENT', scopeEntityId: string): Json[] => [
    { objectKey: `var_${scope}`, objectType: 'AIRFLOW_VARIABLE', scope, scopeEntityId, airflowVariable: { value: SECRET, isSecret: true } },
    {
      objectKey: `conn_${scope}`, objectType: 'CONNECTION', scope, scopeEntityId,
      connection: { type: 'postgres', host: 'db.example.com', port: 5432, login: 'etl', password: SECRET, schema: 'public', extra: { sslmode: 'require', nested: { retries: 3, tags: ['a'] } } },
    },
    {
      objectKey: `prom_${scope}`, objectType: 'METRICS_EXPORT', scope, scopeEntityId,
      metricsExport: { endpoint: 'https://prom.example.com/api/v1/write', exporterType: 'PROMETHEUS', authType: 'BASIC', username: 'u', password: SECRET, headers: { 'X-Org': 'o' }, labels: { env: 'dev' } },
    },
  ];

  it('creates each type at Workspace and Deployment scope and reads it in the older shape, secrets masked', async () => {
    for (const [scope, entity] of [['WORKSPACE', () => ws], ['DEPLOYMENT', () => dep1]] as const) {
      const [variable, connection, metrics] = bodies(scope, entity());
      const o1 = await get(await create(variable!));
      olderShape(o1);
      assert.deepEqual(o1.airflowVariable, { isSecret: true, value: '' });
      assert.equal(o1.objectType, 'AIRFLOW_VARIABLE');
      assert.equal(o1.scope, scope);
      assert.equal(o1.scopeEntityId, entity());
      assert.equal('links' in o1, scope === 'WORKSPACE');

      const o2 = await get(await create(connection!));
      olderShape(o2);
      assert.deepEqual(o2.connection, { type: 'postgres', host: 'db.example.com', port: 5432, login: 'etl', schema: 'public', extra: { sslmode: 'require', nested: { retries: 3, tags: ['a'] } } });

      const o3 = await get(await create(metrics!));
      olderShape(o3);
      assert.deepEqual(o3.metricsExport, { endpoint: 'https://prom.example.com/api/v1/write', exporterType: 'PROMETHEUS', authType: 'BASIC', username: 'u', headers: { 'X-Org': 'o' }, labels: { env: 'dev' } });
    }
    const all = await s.api.get(beta, { workspaceId: ws });
    assert.ok(!all.text.includes(SECRET), 'a secret value shows in the list');
    // An Organization Owner asking for them sees them, as on /v1.
    const shown = await list({ workspaceId: ws, objectType: 'CONNECTION', showSecrets: true });
    assert.equal(shown.environmentObjects[0].connection.password, SECRET);
  });

  it('refuses what the older API does not have: ENVIRONMENT_VARIABLE, SIGV4, negative pages', async () => {
    assertError(await s.api.post(beta, { objectKey: 'EV', objectType: 'ENVIRONMENT_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws, environmentVariable: { value: 'x' } }), 400, 'objectType', 'oneof');
    const sig = { endpoint: 'https://aws.example.com', exporterType: 'PROMETHEUS', authType: 'SIGV4', sigV4AssumeArn: 'arn:aws:iam::1:role/r', sigV4StsRegion: 'us-east-1' };
    assertError(await s.api.post(beta, { objectKey: 'sig', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws, metricsExport: sig }), 400, 'metricsExport.authType', 'oneof');
    const prom = await create({ objectKey: 'prom_refusals', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws, metricsExport: { endpoint: 'https://p', exporterType: 'PROMETHEUS' } });
    assertError(await s.api.post(`${beta}/${prom}`, { metricsExport: { authType: 'SIGV4' } }), 400, 'metricsExport.authType', 'oneof');
    assertError(await s.api.post(`${beta}/${prom}`, { metricsExport: {}, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, overrides: { metricsExport: { authType: 'SIGV4' } } }] }), 400, 'links[0].overrides.metricsExport.authType', 'oneof');
    assertError(await s.api.get(beta, { objectType: 'ENVIRONMENT_VARIABLE' }), 400, 'objectType');
    assertError(await s.api.get(beta, { limit: -1 }), 400, 'limit', 'min');
    assertError(await s.api.get(beta, { offset: -3 }), 400, 'offset', 'min');
    // The v1-only fields are not part of this API: a body carrying them is taken without them.
    const id = await create({ objectKey: 'with_v1_fields', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws, airflowVariable: { value: 'v' }, description: 'ignored', environmentVariable: { value: 'x' } });
    assert.equal('description' in (await get(id, v1)), false);
  });

  it('links with overrides, lists with filters and resolveLinked, excludes a Deployment from linking', async () => {
    const id = await create({
      objectKey: 'linked_conn', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws, autoLinkDeployments: true,
      connection: { type: 'http', host: 'base.example.com', password: SECRET, extra: { a: 1 } },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, overrides: { connection: { host: 'dep1.example.com', password: 'dep1-secret', extra: { b: { c: true } } } } }],
    });
    const o = await get(id);
    olderShape(o);
    assert.equal(o.autoLinkDeployments, true);
    assert.deepEqual(o.links, [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, connectionOverrides: { host: 'dep1.example.com', extra: { b: { c: true } } } }]);
    assert.deepEqual(o.excludeLinks, []);

    const byKey = await list({ workspaceId: ws, objectType: 'CONNECTION', objectKey: 'linked_conn' });
    assert.equal(byKey.totalCount, 1);
    assert.deepEqual(byKey.environmentObjects, [o]);
    const page = await list({ workspaceId: ws, limit: 2, offset: 1, sorts: ['objectKey:asc'] });
    assert.equal(page.limit, 2);
    assert.equal(page.offset, 1);
    assert.equal(page.environmentObjects.length, 2);

    // dep1 sees the override applied, dep2 the object as it is (automatic linking).
    const seen = await list({ deploymentId: dep1, resolveLinked: true, objectKey: 'linked_conn' });
    assert.equal(seen.environmentObjects.length, 1);
    const r = seen.environmentObjects[0];
    olderShape(r);
    assert.equal(r.scope, 'DEPLOYMENT');
    assert.equal(r.scopeEntityId, dep1);
    assert.equal(r.sourceScope, 'WORKSPACE');
    assert.equal(r.sourceScopeEntityId, ws);
    assert.deepEqual(r.connection, { type: 'http', host: 'dep1.example.com', extra: { a: 1, b: { c: true } } });
    assert.equal((await list({ deploymentId: dep2, resolveLinked: true, objectKey: 'linked_conn' })).totalCount, 1);

    const ex = await s.api.post(`${beta}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep2 });
    assert.equal(ex.status, 200, ex.text);
    assert.deepEqual((await get(id)).excludeLinks, [{ scope: 'DEPLOYMENT', scopeEntityId: dep2 }]);
    assert.equal((await list({ deploymentId: dep2, resolveLinked: true, objectKey: 'linked_conn' })).totalCount, 0);
    assertError(await s.api.post(`${beta}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep1 }), 409);
  });

  it('updates: the block replaces the stored one (secrets kept), override fields left out are kept, v1-only fields are ignored', async () => {
    const id = await create({
      objectKey: 'upd_conn', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws, description: 'dropped',
      connection: { type: 'postgres', host: 'h1', login: 'l1', password: SECRET, extra: { x: 1 } },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, overrides: { connection: { host: 'oh', schema: 'os' } } }],
    });
    const res = await s.api.post(`${beta}/${id}`, {
      connection: { type: 'postgres', host: 'h2', extra: { y: 2 } },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, overrides: { connection: { login: 'ol' }, unsetFields: ['host'] } }],
      description: 'not on this surface',
    });
    assert.equal(res.status, 200, res.text);
    olderShape(res.body);
    assert.deepEqual(res.body.connection, { type: 'postgres', host: 'h2', extra: { y: 2 } });
    assert.deepEqual(res.body.links, [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, connectionOverrides: { host: 'oh', login: 'ol', schema: 'os' } }]);
    assert.ok(!res.text.includes(SECRET));
    assert.deepEqual(await get(id), res.body);
    const seenOnV1 = await get(id, v1);
    assert.deepEqual(seenOnV1.setFields, ['extra.y', 'host', 'password', 'type'], 'the password is kept, login cleared');
    assert.equal('description' in seenOnV1, false);
    // Left out: links, exclusions and automatic linking go, as on /v1.
    const bare = await s.api.post(`${beta}/${id}`, { connection: { type: 'postgres' } });
    assert.equal(bare.status, 200, bare.text);
    assert.deepEqual(bare.body.links, []);
    assertError(await s.api.post(`${beta}/${id}`, { connection: { type: 'mysql' } }), 400, 'connection.type');
    assertError(await s.api.post(`${beta}/${id}`, { airflowVariable: { value: 'x' } }), 400);
  });

  it('does not show ENVIRONMENT_VARIABLE objects made on /v1: left out of lists, 404 by id', async () => {
    const w = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'env older hidden', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    const d = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'env older hidden dep', workspaceId: w })).body.id;
    const ev = await create({ objectKey: 'HIDDEN_EV', objectType: 'ENVIRONMENT_VARIABLE', scope: 'WORKSPACE', scopeEntityId: w, autoLinkDeployments: true, environmentVariable: { value: 'e' } }, v1);
    const av = await create({ objectKey: 'shown_av', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: w, autoLinkDeployments: true, airflowVariable: { value: 'a' } }, v1);
    assert.equal((await s.api.get(v1, { workspaceId: w })).body.totalCount, 2);
    const l = await list({ workspaceId: w });
    assert.equal(l.totalCount, 1);
    assert.deepEqual(l.environmentObjects.map((o: Json) => o.id), [av]);
    const resolved = await list({ deploymentId: d, resolveLinked: true });
    assert.deepEqual(resolved.environmentObjects.map((o: Json) => o.objectKey), ['shown_av']);
    const whole = await list({ limit: 1000 });
    assert.ok(!whole.environmentObjects.some((o: Json) => o.id === ev));
    assertError(await s.api.get(`${beta}/${ev}`), 404);
    assertError(await s.api.post(`${beta}/${ev}`, { airflowVariable: { value: 'x' } }), 404);
    assertError(await s.api.post(`${beta}/${ev}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: d }), 404);
    assertError(await s.api.delete(`${beta}/${ev}`), 404);
    const still = await get(ev, v1);
    assert.deepEqual(still.environmentVariable, { isSecret: false, value: 'e' });
    assert.deepEqual(still.excludeLinks, []);
  });

  it('shows a SigV4 export made on /v1 without SigV4 and keeps its SigV4 settings through older updates that send no authType', async () => {
    const id = await create({
      objectKey: 'sig_prom', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws,
      metricsExport: { endpoint: 'https://aws.example.com', exporterType: 'PROMETHEUS', authType: 'SIGV4', sigV4AssumeArn: 'arn:aws:iam::1:role/r', sigV4StsRegion: 'us-east-1' },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1, overrides: { metricsExport: { authType: 'SIGV4', sigV4StsRegion: 'eu-west-1', labels: { d: '1' } } } }],
    }, v1);
    const o = await get(id);
    olderShape(o);
    assert.deepEqual(o.metricsExport, { endpoint: 'https://aws.example.com', exporterType: 'PROMETHEUS' });
    assert.deepEqual(o.links[0].metricsExportOverrides, { labels: { d: '1' } });
    const up = await s.api.post(`${beta}/${id}`, { metricsExport: { labels: { env: 'prod' } }, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1 }] });
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(up.body.metricsExport, { endpoint: 'https://aws.example.com', exporterType: 'PROMETHEUS', labels: { env: 'prod' } });
    let now = await get(id, v1);
    assert.equal(now.metricsExport.authType, 'SIGV4');
    assert.equal(now.metricsExport.sigV4AssumeArn, 'arn:aws:iam::1:role/r');
    assert.equal(now.metricsExport.sigV4StsRegion, 'us-east-1');
    assert.deepEqual(now.links[0].metricsExportOverrides, { authType: 'SIGV4', sigV4StsRegion: 'eu-west-1', labels: { d: '1' } });
    // Naming another authType replaces SigV4.
    assert.equal((await s.api.post(`${beta}/${id}`, { metricsExport: { authType: 'AUTH_TOKEN', basicToken: SECRET } })).status, 200);
    now = await get(id, v1);
    assert.deepEqual(now.metricsExport, { endpoint: 'https://aws.example.com', exporterType: 'PROMETHEUS', authType: 'AUTH_TOKEN' });
    assert.deepEqual((await get(id)).metricsExport, now.metricsExport);
  });

  it('goes between the surfaces: create on v1beta1, read and update on /v1, read back on v1beta1, delete on /v1', async () => {
    const id = await create({ objectKey: 'cross_var', objectType: 'AIRFLOW_VARIABLE', scope: 'DEPLOYMENT', scopeEntityId: dep2, airflowVariable: { value: 'one' } });
    const first = await get(id, v1);
    assert.deepEqual(first.airflowVariable, { isSecret: false, value: 'one' });
    assert.deepEqual(first.setFields, ['value']);
    const up = await s.api.post(`${v1}/${id}`, { airflowVariable: { value: 'two' }, description: 'set on v1' });
    assert.equal(up.status, 200, up.text);
    const back = await get(id);
    olderShape(back);
    assert.deepEqual(back.airflowVariable, { isSecret: false, value: 'two' });
    assert.equal(back.id, id);
    // An older update keeps the description it cannot see.
    assert.equal((await s.api.post(`${beta}/${id}`, { airflowVariable: { value: 'three' } })).status, 200);
    const again = await get(id, v1);
    assert.equal(again.description, 'set on v1');
    assert.equal(again.airflowVariable.value, 'three');
    assert.equal((await s.api.delete(`${v1}/${id}`)).status, 204);
    assertError(await s.api.get(`${beta}/${id}`), 404);
  });

  it('answers wrong body types and odd query values with 4xx (or 2xx for a query), never 5xx', async () => {
    const spec = await (await fetch(`${s.url}/spec/platform/v1beta1`, { headers: { accept: 'application/json' } })).json() as Json;
    const resolve = (schema: Json): Json => (schema.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()]) : schema);
    const id = await create({ objectKey: 'robust', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws, connection: { type: 'http' } });
    const WRONG = [null, 12345, 'x'.repeat(5000), [], {}, true, -1, 1.5];
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths as Json)) {
      if (!path.includes('environment-objects')) continue;
      const url = `/platform/v1beta1${path.replace('{organizationId}', s.orgId).replace('{environmentObjectId}', id)}`;
      for (const [method, op] of Object.entries(methods as Json)) {
        if (op.requestBody) {
          const shape = resolve(op.requestBody.content['application/json'].schema);
          const bodies: unknown[] = [null, [], 'text', 42];
          for (const prop of Object.keys(shape.properties ?? {})) for (const v of WRONG) bodies.push({ [prop]: v });
          for (const body of bodies) {
            const res = await s.api.request(method.toUpperCase(), url, { rawBody: JSON.stringify(body) });
            sent++;
            assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} ${JSON.stringify(body).slice(0, 80)} → ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
        if (method === 'get') {
          for (const p of (op.parameters as Json[]).filter((x) => x.in === 'query')) {
            for (const v of ['x', '-1', '99999999999999999999', '1e400', '-1e400', '1.5', 'true', ':asc', 'ENVIRONMENT_VARIABLE']) {
              const res = await s.api.get(url, { [p.name]: v });
              sent++;
              assert.ok(res.status < 500, `GET ${path}?${p.name}=${v} → ${res.status} ${res.text.slice(0, 200)}`);
            }
          }
        }
      }
    }
    assert.ok(sent > 100, `only ${sent} requests were sent`);
    assert.deepEqual((await get(id)).connection, { type: 'http' });
  });

  it('deletes on v1beta1; the object is gone on both surfaces', async () => {
    const id = await create({ objectKey: 'doomed', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws, connection: { type: 'http' } });
    const res = await s.api.delete(`${beta}/${id}`);
    assert.equal(res.status, 204, res.text);
    assertError(await s.api.get(`${beta}/${id}`), 404);
    assertError(await s.api.get(`${v1}/${id}`), 404);
    assertError(await s.api.delete(`${beta}/${id}`), 404);
  });
});

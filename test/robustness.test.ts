import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

type Json = Record<string, any>;

/**
 * Sends every served operation badly formed input derived from the served spec: wrong JSON
 * types for each body property, odd query values. Every answer must be a 4xx in the error shape
 * (the client also checks it is a status the spec declares), never a 5xx.
 */
describe('robustness: bad input never yields a 5xx', () => {
  let s: TestServer;
  let spec: Json;
  before(async () => {
    s = await startServer();
    spec = await (await fetch(`${s.url}/spec/v1`, { headers: { accept: 'application/json' } })).json() as Json;
  });
  after(async () => { await s.close(); });

  const resolve = (schema: Json): Json => {
    if (schema.$ref) return resolve(spec.components.schemas[schema.$ref.split('/').pop()]);
    return schema;
  };
  const bodyShapes = (schema: Json): Json[] => {
    const r = resolve(schema);
    if (r.oneOf) {
      const prop = r.discriminator.propertyName;
      return Object.entries(r.discriminator.mapping as Record<string, string>).map(([value, ref]) => ({ ...resolve({ $ref: ref }), [`~${prop}`]: value }));
    }
    return [r];
  };
  const WRONG = [null, 12345, 'x'.repeat(5000), [], {}, true, -1, 1.5];
  const ODD_QUERY = ['x', '-1', '99999999999999999999', '1e400', '-1e400', '1.5', 'true', ':asc', 'name:'];

  it('answers wrong body types with 4xx', async () => {
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths as Json)) {
      const url = '/v1' + path.replace('{organizationId}', s.orgId).replace(/\{[^}]+\}/g, `c${'z'.repeat(24)}`);
      for (const [method, op] of Object.entries(methods as Json)) {
        if (!op.requestBody) continue;
        const bodies: unknown[] = [null, [], 'text', 42, {}];
        for (const shape of bodyShapes(op.requestBody.content['application/json'].schema)) {
          const disc = Object.keys(shape).find((k) => k.startsWith('~'));
          const base: Json = disc ? { [disc.slice(1)]: shape[disc] } : {};
          for (const prop of Object.keys(shape.properties ?? {})) {
            for (const v of WRONG) bodies.push({ ...base, [prop]: v });
          }
        }
        for (const body of bodies) {
          const res = await s.api.request(method.toUpperCase(), url, { rawBody: JSON.stringify(body) });
          sent++;
          assert.ok(res.status >= 400 && res.status < 500, `${method.toUpperCase()} ${path} ${JSON.stringify(body).slice(0, 100)} → ${res.status} ${res.text.slice(0, 300)}`);
        }
      }
    }
    assert.ok(sent > 200, `only ${sent} requests were sent`);
  });

  it('answers odd query values with 2xx or 4xx, never 5xx', async () => {
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths as Json)) {
      const url = '/v1' + path.replace('{organizationId}', s.orgId).replace(/\{[^}]+\}/g, `c${'z'.repeat(24)}`);
      const op = (methods as Json).get;
      if (!op) continue;
      for (const p of (op.parameters as Json[]).filter((x) => x.in === 'query')) {
        for (const v of ODD_QUERY) {
          const res = await s.api.get(url, { [p.name]: v });
          sent++;
          assert.ok(res.status < 500, `GET ${path}?${p.name}=${v} → ${res.status} ${res.text.slice(0, 300)}`);
        }
      }
    }
    assert.ok(sent > 50, `only ${sent} requests were sent`);
  });

  const hasNul = (res: { body: Json }, field: (f: string) => boolean) =>
    (res.body.fieldErrors as Json[] | undefined)?.some((f) => f.code === 'nul' && field(f.field)) ?? false;
  const idPath = (path: string) => '/v1' + path.replace('{organizationId}', s.orgId).replace(/\{[^}]+\}/g, `c${'z'.repeat(24)}`);

  // PostgreSQL text cannot hold U+0000 and SQLite can: refusing it everywhere keeps the stores alike.
  it('refuses a NUL character in any string property of any body with 400 naming the field', async () => {
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths as Json)) {
      for (const [method, op] of Object.entries(methods as Json)) {
        if (!op.requestBody) continue;
        for (const shape of bodyShapes(op.requestBody.content['application/json'].schema)) {
          const disc = Object.keys(shape).find((k) => k.startsWith('~'));
          const base: Json = disc ? { [disc.slice(1)]: shape[disc] } : {};
          for (const [prop, propSchema] of Object.entries((shape.properties ?? {}) as Json)) {
            const r = resolve(propSchema);
            let value: unknown;
            let field = prop;
            if (r.type === 'string' && !r.enum) value = 'a\u0000b';
            else if (r.type === 'array' && resolve(r.items).type === 'string') [value, field] = [['ok', 'a\u0000b'], `${prop}[1]`];
            else continue;
            const res = await s.api.request(method.toUpperCase(), idPath(path), { body: { ...base, [prop]: value } });
            sent++;
            assertError(res, 400);
            assert.ok(hasNul(res, (f) => f === field), `${method.toUpperCase()} ${path} ${prop}: ${res.text.slice(0, 300)}`);
          }
        }
      }
    }
    assert.ok(sent > 20, `only ${sent} requests were sent`);
    // Nested values and object keys too.
    const org = `/v1/organizations/${s.orgId}`;
    const nested = await s.api.post(`${org}/clusters`, {
      cloudProvider: 'AWS', type: 'DEDICATED', name: 'c', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20',
      nodePools: [{ name: 'p\u0000', nodeInstanceType: 'm5.xlarge', maxNodeCount: 2 }],
    });
    assertError(nested, 400, 'nodePools[0].name', 'nul');
    assertError(await s.api.post(`${org}/workspaces`, { name: 'w', 'x\u0000y': 1 }), 400, 'x\u0000y', 'nul');
  });

  it('refuses a NUL character in a query or path value with 400 naming the parameter', async () => {
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths as Json)) {
      for (const [method, op] of Object.entries(methods as Json)) {
        for (const p of (op.parameters ?? []) as Json[]) {
          if (p.in === 'query') {
            const res = await s.api.request(method.toUpperCase(), idPath(path), { query: { [p.name]: 'a\u0000b' } });
            sent++;
            assertError(res, 400);
            assert.ok(hasNul(res, (f) => f === p.name || f.startsWith(`${p.name}[`)), `${method.toUpperCase()} ${path}?${p.name}: ${res.text.slice(0, 300)}`);
          } else if (p.in === 'path') {
            const url = idPath(path.replace(`{${p.name}}`, 'a%00b'));
            const res = await s.api.request(method.toUpperCase(), url, method === 'get' || method === 'delete' ? {} : { body: {} });
            sent++;
            if (p.name === 'organizationId') {
              // The organization check comes before anything about the input.
              assertError(res, 403);
            } else {
              assertError(res, 400, p.name, 'nul');
            }
          }
        }
      }
    }
    assert.ok(sent > 20, `only ${sent} requests were sent`);
  });

  it('refuses numbers beyond the finite range, which JSON and query coercion turn into Infinity', async () => {
    const org = `/v1/organizations/${s.orgId}`;
    assertError(await s.api.get(`${org}/workspaces`, { offset: '1e400' }), 400, 'offset', 'type');
    assertError(await s.api.request('POST', `${org}/workspaces`, { rawBody: '{"name":"w","extra":-1e400}' }), 400, 'extra', 'type');
  });

  it('refuses arrays longer than 1000 items with 400, whatever the store', async () => {
    const org = `/v1/organizations/${s.orgId}`;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(24, '0')}`);
    const cluster = { cloudProvider: 'AWS', type: 'DEDICATED', name: 'c', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' };
    // At the limit the ids are checked one by one: none is a workspace.
    assertError(await s.api.post(`${org}/clusters`, { ...cluster, workspaceIds: ids(1000) }), 400, 'workspaceIds', 'exists');
    assertError(await s.api.post(`${org}/clusters`, { ...cluster, workspaceIds: ids(1001) }), 400, 'workspaceIds', 'max');
    // More values than SQLite binds in one statement, fewer than PostgreSQL does.
    assertError(await s.api.post(`${org}/clusters`, { ...cluster, workspaceIds: ids(40000) }), 400, 'workspaceIds', 'max');
    assertError(await s.api.post(`${org}/workspaces`, { name: 'w', extra: ids(1001) }), 400, 'extra', 'max');
  });
});

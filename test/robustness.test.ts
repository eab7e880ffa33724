import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
  const ODD_QUERY = ['x', '-1', '99999999999999999999', '1.5', 'true', ':asc', 'name:'];

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
});

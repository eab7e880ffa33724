import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiResponse } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Writes `request` as is to a new connection and reads the one answer (the server closes). */
function rawHttp(url: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head!.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n')) });
    });
  });
}

function assertRawError(res: RawAnswer, status: number): void {
  assert.equal(res.status, status);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.body.statusCode, status);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.requestId);
  assert.equal(res.body.requestId, res.headers['x-request-id']);
}

/**
 * Answers produced by Fastify or Node's HTTP parser rather than by an operation: each is in the
 * API's error shape, as JSON, with the requestId of its X-Request-Id header (the client checks
 * the header on every error it receives under /v1; raw answers are checked here).
 */
describe('framework errors are API errors', () => {
  let s: TestServer;
  let org: string;
  before(async () => {
    s = await startServer();
    org = `/v1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('answers a path that is not valid percent-encoding with 400', async () => {
    assertError(await s.api.get('/v1/organizations/%E0%A4%A'), 400);
    assertError(await s.api.get(`${org}/workspaces/%E0%A4%A`), 400);
    // Outside the API too.
    const res = await fetch(`${s.url}/livez/%E0%A4%A`);
    assert.equal(res.status, 400);
    const body = await res.json() as Record<string, unknown>;
    assert.equal(body.statusCode, 400);
    assert.equal(body.requestId, res.headers.get('x-request-id'));
  });

  it('treats an over-long id like any unknown id', async () => {
    const long = 'a'.repeat(5000);
    assertError(await s.api.get(`${org}/workspaces/${long}`), 404);
    assertError(await s.api.get(`${org}/clusters/${long}`), 404);
    assertError(await s.api.delete(`${org}/workspaces/${long}`), 404);
    // An organization that is not the caller's, however long its id.
    assertError(await s.api.get(`/v1/organizations/${long}`), 403);
  });

  it('answers a request line beyond the header limit with 431', async () => {
    const res = await rawHttp(s.url, `GET /v1/organizations/${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertRawError(res, 431);
  });

  it('answers a request the HTTP parser rejects with 400', async () => {
    assertRawError(await rawHttp(s.url, 'GET /v1/organizations HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'), 400);
    assertRawError(await rawHttp(s.url, 'BREW /v1/organizations HTTP/1.1\r\nHost: x\r\n\r\n'), 400);
  });

  it('answers another method on a known path with 405 and Allow, an unknown path with 404', async () => {
    const cases: [string, string, string][] = [
      ['PUT', `${org}/workspaces`, 'GET, HEAD, POST'],
      ['PATCH', org, 'GET, HEAD, POST'],
      ['PROPFIND', org, 'GET, HEAD, POST'],
      ['OPTIONS', `${org}/workspaces/c${'1'.repeat(24)}`, 'DELETE, GET, HEAD, POST'],
      ['DELETE', `${org}/clusters`, 'GET, HEAD, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res: ApiResponse = await s.api.request(method, path);
      assertError(res, 405);
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
    }
    const spec = await fetch(`${s.url}/spec/v1`, { method: 'POST' });
    assert.equal(spec.status, 405);
    assert.equal(spec.headers.get('allow'), 'GET, HEAD');
    const body = await spec.json() as Record<string, unknown>;
    assert.equal(body.statusCode, 405);
    assert.equal(body.requestId, spec.headers.get('x-request-id'));
    assertError(await s.api.request('PUT', '/v1/nothing/here'), 404);
    assertError(await s.api.get(`${org}/nothing`), 404);
  });

  it('answers HEAD like GET, without a body', async () => {
    const ok = await fetch(`${s.url}${org}`, { method: 'HEAD', headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '');
    assert.ok(ok.headers.get('x-request-id'));
    const missing = await fetch(`${s.url}${org}/workspaces/c${'2'.repeat(24)}`, { method: 'HEAD', headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '');
    const unauthenticated = await fetch(`${s.url}${org}`, { method: 'HEAD' });
    assert.equal(unauthenticated.status, 401);
    const unknown = await fetch(`${s.url}/v1/nothing`, { method: 'HEAD' });
    assert.equal(unknown.status, 404);
  });

  it('answers bodies that are not JSON with 400', async () => {
    const url = `${org}/workspaces`;
    const send = (rawBody: string, headers: Record<string, string> = {}) => s.api.request('POST', url, { rawBody, headers });
    assertError(await send('name=x', { 'content-type': 'text/plain' }), 400);
    assertError(await send('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400);
    assertError(await send('{"name":"x"}', { 'content-type': 'application/xml' }), 400);
    assertError(await send('{"name":'), 400);
    assertError(await send(''), 400);
    assertError(await send('{"name":"x","__proto__":{"admin":true}}'), 400);
    assertError(await send(`{"name":"x","description":"${'x'.repeat(11 * 1024 * 1024)}"}`), 400);
    // A body with no Content-Type at all.
    const bare = await fetch(`${s.url}${url}`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, body: new Blob(['{"name":"x"}']) });
    assert.equal(bare.status, 400);
    const body = await bare.json() as Record<string, unknown>;
    assert.equal(body.requestId, bare.headers.get('x-request-id'));
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/**
 * Secret hygiene: drives the API through everything that carries a secret (token create and
 * rotate, secret environment variables, IP ranges, refused and failed requests, bogus and
 * revoked tokens) with the server logging everything it logs, then looks for every secret in
 * the log, in the audit log as the API returns it, and in the stored audit rows.
 */
describe('secrets never reach the log or the audit records', () => {
  let s: TestServer;
  const logLines: string[] = [];
  const secrets = new Map<string, string>();
  let base: string;

  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
        done();
      },
    });
    s = await startServer({}, { logger: { level: 'trace', stream } });
    base = `/v1/organizations/${s.orgId}`;
    secrets.set('owner token', s.token);
  });
  after(async () => { await s.close(); });

  it('drives the API through every path a secret takes', async () => {
    // API tokens: the secret of a create and of a rotation, each used, the old one refused.
    const created = await s.api.post(`${base}/tokens`, { name: 'hygiene', scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' });
    assert.equal(created.status, 200, created.text);
    secrets.set('created token', created.body.token);
    assert.equal((await s.as(created.body.token).get(`${base}/workspaces`)).status, 200);
    const rotated = await s.api.post(`${base}/tokens/${created.body.id}/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    secrets.set('rotated token', rotated.body.token);
    assertError(await s.as(created.body.token).post(`${base}/workspaces`, { name: 'revoked' }), 401);
    const rotatedApi = s.as(rotated.body.token);

    // A secret environment variable: on create, on a refused create, and on an update.
    const ws = await rotatedApi.post(`${base}/workspaces`, { name: 'hygiene', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    assert.equal(ws.status, 200, ws.text);
    secrets.set('secret variable', `var-${randomBytes(12).toString('hex')}`);
    const dep = await rotatedApi.post(`${base}/deployments`, {
      name: 'hygiene', workspaceId: ws.body.id,
      environmentVariables: [{ key: 'DB_PASSWORD', value: secrets.get('secret variable'), isSecret: true }],
    });
    assert.equal(dep.status, 200, dep.text);
    secrets.set('refused secret variable', `refused-${randomBytes(12).toString('hex')}`);
    assertError(await rotatedApi.post(`${base}/deployments`, {
      name: 'hygiene 2', workspaceId: ws.body.id, executor: 'NOT_AN_EXECUTOR',
      environmentVariables: [{ key: 'DB_PASSWORD', value: secrets.get('refused secret variable'), isSecret: true }],
    }), 400);

    // Allowed IP ranges: created, used, removed.
    const range = await s.api.post(`${base}/allowed-ip-address-ranges`, { ipAddressRange: '127.0.0.1/32' });
    assert.equal(range.status, 200, range.text);
    assert.equal((await s.api.get(`${base}/workspaces`)).status, 200);
    assert.equal((await s.api.delete(`${base}/allowed-ip-address-ranges/${range.body.id}`)).status, 204);

    // Refused callers: a well-formed JWT signed with another key, a malformed header, a token of nothing.
    const bogus = await new SignJWT({ permissions: [`organizationId:${s.orgId}`], apiTokenId: created.body.id })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(created.body.id).setIssuedAt()
      .sign(randomBytes(32));
    secrets.set('bogus JWT', bogus);
    assertError(await s.as(bogus).post(`${base}/workspaces`, { name: 'bogus' }), 401);
    assertError(await s.as(bogus).get(`${base}/workspaces`), 401);
    const malformed = `Token ${randomBytes(16).toString('hex')}`;
    secrets.set('malformed header', malformed);
    assertError(await s.api.request('POST', `${base}/workspaces`, { body: { name: 'm' }, headers: { authorization: malformed } }), 401);
    // A valid token on a route that does not exist, and on a body that does not parse.
    assertError(await rotatedApi.post(`${base}/no-such-route`, {}), 404);
    assertError(await rotatedApi.request('POST', `${base}/workspaces`, { rawBody: `{"name": "${secrets.get('secret variable')}` }), 400);

    // The token itself deleted with its own secret in hand.
    assert.equal((await rotatedApi.delete(`${base}/tokens/${created.body.id}`)).status, 204);
  });

  it('finds none of them in the log, the audit log or the stored audit rows', async () => {
    const audit = await s.api.get(`${base}/audit-logs`);
    assert.equal(audit.status, 200);
    const rows = await s.app.db.selectFrom('audit_logs').selectAll().execute();
    const places: Record<string, string> = {
      log: logLines.join('\n'),
      'audit log': audit.text,
      'stored audit rows': JSON.stringify(rows),
    };
    // The capture works and the records are there: what is searched is not empty.
    assert.ok(logLines.some((l) => (JSON.parse(l) as Json).msg === 'incoming request'), 'the log was captured');
    assert.ok(rows.length >= 9, `the audit rows are there (${rows.length})`);
    assert.match(audit.text, /"DB_PASSWORD","value":"\[REDACTED\]"/, 'the secret variable was recorded, redacted');
    for (const [what, secret] of secrets) {
      // The whole value, and for JWTs their signature alone (the part that makes them usable).
      const needles = [secret, ...(secret.split('.').length === 3 ? [secret.split('.')[2]!] : [])];
      for (const [where, text] of Object.entries(places)) {
        for (const needle of needles) assert.ok(!text.includes(needle), `the ${what} appears in the ${where}`);
      }
    }
  });
});

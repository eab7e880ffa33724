import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { ALERT_TYPES, alertBody, emailChannel, fixture, type AlertsFixture, type Json } from './alerts-fixture.js';

const WRONG: unknown[] = [null, 1e300, 'x'.repeat(5000), [], {}, '\u0000'];

/** Every path of a JSON value (objects and arrays, leaves included), as key lists. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function withValue(body: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(body);
  let cur: any = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]!] = value;
  return copy;
}

/**
 * Every field of every alert and channel body, on both surfaces, replaced by values of the wrong
 * type, too long, NUL or out of range: each answer is a 2xx or a 4xx in the error shape (the test
 * client checks both against the served document), never a 5xx.
 */
describe('alerts and channels: bad input never yields a 5xx', () => {
  let s: TestServer;
  let f: AlertsFixture;
  before(async () => {
    s = await startServer();
    f = await fixture(s);
  });
  after(async () => { await s.close(); });

  it('answers every mutated body with 2xx or 4xx', async () => {
    const ch = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1a);
    const alert = (await s.api.post(`${f.platform}/alerts`, alertBody('DAG_DURATION', f.dep1a, [ch.id]))).body;
    const channelBodies: Json[] = [
      { name: 'c', type: 'EMAIL', entityType: 'DEPLOYMENT', entityId: f.dep1a, isShared: true, definition: { recipients: ['a@example.com'] } },
      { name: 'c', type: 'SLACK', entityType: 'WORKSPACE', entityId: f.ws1, definition: { webhookUrl: 'https://h.example.com/x' } },
      { name: 'c', type: 'DAG_TRIGGER', entityType: 'ORGANIZATION', entityId: s.orgId, definition: { dagId: 'd', deploymentId: f.dep1a, deploymentApiToken: 't' } },
    ];
    const calls: [string, string, Json][] = [];
    for (const type of ALERT_TYPES) {
      const body = alertBody(type, f.dep1a, [ch.id]);
      calls.push(['POST', `${f.platform}/alerts`, body]);
      if (type !== 'DAG_DURATION' && type !== 'DAG_TIMELINESS') continue;
      calls.push(['POST', `${f.labs}/create-alerts`, { alerts: [body] }]);
      calls.push(['POST', `${f.platform}/alerts/${alert.id}`, { ...body, entityId: undefined, entityType: undefined }]);
      calls.push(['POST', `${f.labs}/update-alerts`, { alerts: [{ ...body, id: alert.id }] }]);
    }
    for (const b of channelBodies) {
      calls.push(['POST', `${f.platform}/notification-channels`, b]);
      calls.push(['POST', `${f.platform}/notification-channels/${ch.id}`, { ...b, entityId: undefined, entityType: undefined, isShared: false }]);
    }
    calls.push(['POST', `${f.labs}/delete-alerts`, { alertIds: ['cnosuchalert00000000000000'] }]);
    let sent = 0;
    for (const [method, url, body] of calls) {
      for (const path of paths(JSON.parse(JSON.stringify(body)))) {
        for (const value of WRONG) {
          const res = await s.api.request(method as 'POST', url, { body: withValue(JSON.parse(JSON.stringify(body)), path, value) });
          sent++;
          assert.ok(res.status < 500, `${method} ${url} ${path.join('.')}=${JSON.stringify(value)?.slice(0, 20)}: ${res.status} ${res.text}`);
        }
      }
    }
    for (const q of [{ limit: '1e400' }, { offset: '99999999999999999999' }, { sorts: 'name:' }, { alertIds: '' }, { alertTypes: 'x' }]) {
      for (const url of [`${f.platform}/alerts`, `${f.labs}/alerts`, `${f.platform}/notification-channels`]) {
        const res = await s.api.get(url, q);
        assert.ok(res.status < 500, `${url} ${JSON.stringify(q)}: ${res.status}`);
      }
    }
    assert.ok(sent > 500);
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import Type from 'typebox';
import { decodeJwt } from 'jose';
import { conflict } from '../../src/core/errors.js';
import { defineOperation, ITEM_ERRORS, type OpInput } from '../../src/http/operation.js';
import { named, OrganizationIdParam } from '../../src/core/schemas.js';
import type { Surface } from '../../src/http/surface.js';
import { v1Surface } from '../../src/resources/index.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { insertWorkspace } from '../../src/resources/workspaces/repo.js';
import { createWorkspace } from '../../src/resources/workspaces/service.js';
import { createdColumns } from '../../src/store/audit.js';
import { inTransaction } from '../../src/store/transactions.js';
import { newId } from '../../src/store/ids.js';
import { assertError, type ApiClient, type ApiResponse } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const MISSING = `c${'0'.repeat(24)}`;

/** The records of an organization's audit log for `query`, decoded (fetch undoes the gzip). */
async function auditLog(api: ApiClient, orgId: string, query: Record<string, string> = {}): Promise<Json[]> {
  const res = await api.get(`/v1/organizations/${orgId}/audit-logs`, query);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  return res.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);
}

const requestId = (res: ApiResponse) => res.headers.get('x-request-id')!;

/** The records of one request (there must be exactly `count`). */
function recordsOf(records: Json[], res: ApiResponse, count = 1): Json[] {
  const mine = records.filter((r) => r.requestId === requestId(res));
  assert.equal(mine.length, count, `expected ${count} record(s) of request ${requestId(res)} (${res.status}), got ${JSON.stringify(mine)}`);
  return mine;
}

const tokenIdOf = (token: string) => String(decodeJwt(token).apiTokenId);

/** Operations of the pipeline under test: how a handler's transactions and its record go together. */
const Name = named('AuditTestName', Type.Object({ name: Type.String() }));
const Anything = named('AuditTestAnything', Type.Object({}, { additionalProperties: true }));
type TestInput = OpInput<{ organizationId: string }, unknown, { name: string }>;
const testOp = (operationId: string, handler: (input: TestInput) => Promise<void>, body: typeof Name | typeof Anything = Name) => defineOperation({
  operationId,
  method: 'POST',
  path: `/organizations/{organizationId}/${operationId}`,
  summary: operationId,
  description: 'An operation of the audit pipeline test.',
  tag: 'AuditTest',
  permission: 'organization.workspaces.create',
  params: OrganizationIdParam,
  body,
  success: { status: 204 },
  errors: [...ITEM_ERRORS, 409],
  handler: handler as (input: OpInput<{ organizationId: string }, unknown, unknown>) => Promise<void>,
});

const workspaceRow = (app: TestServer['app'], orgId: string, name: string, by: string) => ({
  id: newId(), organization_id: orgId, name, description: null, cicd_enforced_default: 0,
  default_cluster_id: null, default_cloud_provider: null, default_region: null,
  ...createdColumns({ id: by, type: 'SERVICEKEY' }, app.clock.now()),
});

const testSurface: Surface = {
  name: 'audit-test',
  prefix: '/audit-test',
  specPaths: ['/spec/audit-test'],
  info: { title: 'audit pipeline test', version: '0', description: 'Handlers with zero, one, two and failing transactions.' },
  apiVersions: ['1'],
  operations: [
    // Writes a Workspace, then fails inside the same transaction.
    testOp('failHalfway', async ({ app, params, body, principal }) => {
      await inTransaction(app.db, async (tx) => {
        await insertWorkspace(tx, workspaceRow(app, params.organizationId, body.name, principal.subjectId));
        throw conflict('failed half-way');
      });
    }),
    // Two transactions, both committed.
    testOp('twoTransactions', async ({ app, params, body, principal }) => {
      await createWorkspace(app, principal, params.organizationId, { name: `${body.name} 1` });
      await createWorkspace(app, principal, params.organizationId, { name: `${body.name} 2` });
    }),
    // One transaction committed, then a failure: the change stays, the record says how it ended.
    testOp('failAfterCommit', async ({ app, params, body, principal }) => {
      await createWorkspace(app, principal, params.organizationId, { name: body.name });
      throw conflict('failed after the first change');
    }),
    // No transaction at all.
    testOp('noTransaction', async () => {}),
    // Takes any body, for the redaction rule.
    testOp('anyBody', async () => {}, Anything),
  ],
};

describe('audit log: what is recorded', () => {
  let s: TestServer;
  let base: string;
  let ownerTokenId: string;
  before(async () => {
    s = await startServer({}, { surfaces: [v1Surface, testSurface] });
    base = `/v1/organizations/${s.orgId}`;
    ownerTokenId = tokenIdOf(s.token);
  });
  after(async () => { await s.close(); });

  it('records a successful mutation: who, what, where from, target, outcome and body; reads are not recorded', async () => {
    const body = { name: 'audited', description: 'recorded', cicdEnforcedDefault: true };
    const created = await s.api.request('POST', `${base}/workspaces`, { body, headers: { 'user-agent': 'audit-test/1.0' } });
    assert.equal(created.status, 200, created.text);
    const wsId = created.body.id;
    const read = await s.api.get(`${base}/workspaces/${wsId}`);
    const updated = await s.api.post(`${base}/workspaces/${wsId}`, { name: 'audited 2', description: '', cicdEnforcedDefault: false });
    const deleted = await s.api.delete(`${base}/workspaces/${wsId}`);
    assert.equal(deleted.status, 204);

    const records = await auditLog(s.api, s.orgId);
    assert.equal(records.filter((r) => r.requestId === requestId(read)).length, 0, 'a GET is not recorded');
    const [c] = recordsOf(records, created);
    const ownerName = (await s.api.get(`${base}/tokens/${ownerTokenId}`)).body.name;
    assert.deepEqual(c, {
      id: c!.id,
      timestamp: s.clock.now().toISOString(),
      organizationId: s.orgId,
      subjectId: ownerTokenId,
      subjectType: 'SERVICEKEY',
      apiTokenId: ownerTokenId,
      apiTokenName: ownerName,
      operationId: 'CreateWorkspace',
      method: 'POST',
      path: `${base}/workspaces`,
      resourceId: wsId,
      statusCode: 200,
      sourceIp: '127.0.0.1',
      userAgent: 'audit-test/1.0',
      requestId: requestId(created),
      requestBody: body,
    });
    const [u] = recordsOf(records, updated);
    assert.equal(u!.operationId, 'UpdateWorkspace');
    assert.equal(u!.resourceId, wsId);
    assert.equal(u!.workspaceId, wsId);
    assert.deepEqual(u!.requestBody, { name: 'audited 2', description: '', cicdEnforcedDefault: false });
    const [d] = recordsOf(records, deleted);
    assert.equal(d!.statusCode, 204);
    assert.equal(d!.method, 'DELETE');
    assert.ok(!('requestBody' in d!), 'no body, no requestBody');
  });

  it('records a target resolved from the body (the workspace of a new Deployment)', async () => {
    const ws = (await s.api.post(`${base}/workspaces`, { name: 'dep ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const dep = await s.api.post(`${base}/deployments`, { name: 'audited dep', workspaceId: ws.id });
    assert.equal(dep.status, 200, dep.text);
    const [r] = recordsOf(await auditLog(s.api, s.orgId), dep);
    assert.equal(r!.workspaceId, ws.id);
    assert.equal(r!.resourceId, dep.body.id);
  });

  it('records refused and failed requests with their status, attributed to the caller', async () => {
    const invalid = await s.api.post(`${base}/workspaces`, { description: 'no name' });
    assertError(invalid, 400);
    const missing = await s.api.delete(`${base}/workspaces/${MISSING}`);
    assertError(missing, 404);
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    const refused = await member.post(`${base}/workspaces`, { name: 'not allowed' });
    assertError(refused, 403);
    const malformed = await s.api.request('POST', `${base}/workspaces`, { rawBody: '{"name": ' });
    assertError(malformed, 400);
    const noToken = await s.as(undefined).post(`${base}/workspaces`, { name: 'anonymous' });
    assertError(noToken, 401);
    const badToken = await s.as('not-a-token').post(`${base}/workspaces`, { name: 'bad token' });
    assertError(badToken, 401);

    const records = await auditLog(s.api, s.orgId);
    const [i] = recordsOf(records, invalid);
    assert.equal(i!.statusCode, 400);
    assert.deepEqual(i!.requestBody, { description: 'no name' });
    const [m] = recordsOf(records, missing);
    assert.equal(m!.statusCode, 404);
    assert.equal(m!.resourceId, MISSING);
    const [r] = recordsOf(records, refused);
    assert.equal(r!.statusCode, 403);
    assert.equal(r!.operationId, 'CreateWorkspace');
    assert.notEqual(r!.subjectId, ownerTokenId);
    assert.equal(r!.apiTokenName, 'test ORGANIZATION token');
    const [b] = recordsOf(records, malformed);
    assert.equal(b!.statusCode, 400);
    assert.equal(b!.subjectId, ownerTokenId);
    assert.ok(!('requestBody' in b!), 'a body that does not parse is not kept');
    // Without a valid token no organization vouches for the request: it is in nobody's log.
    recordsOf(records, noToken, 0);
    recordsOf(records, badToken, 0);
  });

  it('a change and its record commit or roll back together', async () => {
    const t = `/audit-test/organizations/${s.orgId}`;
    const names = async (name: string) => (await s.api.get(`${base}/workspaces`, { names: name })).body.totalCount;

    const halfway = await s.api.post(`${t}/failHalfway`, { name: 'half-way' });
    assertError(halfway, 409);
    assert.equal(await names('half-way'), 0, 'the failed transaction left nothing');

    const two = await s.api.post(`${t}/twoTransactions`, { name: 'two' });
    assert.equal(two.status, 204, two.text);
    assert.equal(await names('two 1'), 1);
    assert.equal(await names('two 2'), 1);

    const later = await s.api.post(`${t}/failAfterCommit`, { name: 'committed first' });
    assertError(later, 409);
    assert.equal(await names('committed first'), 1, 'the first transaction committed');

    const none = await s.api.post(`${t}/noTransaction`, { name: 'none' });
    assert.equal(none.status, 204);

    const records = await auditLog(s.api, s.orgId);
    assert.equal(recordsOf(records, halfway)[0]!.statusCode, 409, 'no success record, only the refusal');
    assert.equal(recordsOf(records, two)[0]!.statusCode, 204, 'two transactions, one record');
    assert.equal(recordsOf(records, later)[0]!.statusCode, 409, 'the record carried by the first transaction says how the request ended');
    assert.equal(recordsOf(records, none)[0]!.statusCode, 204);
  });

  it('a change whose record cannot be written does not happen', async () => {
    // Make the store refuse the record of CreateWorkspace, and only that.
    const db = s.app.db;
    if (s.app.store.kind === 'sqlite') {
      await sql`create trigger audit_refuse before insert on audit_logs when new.operation_id = 'CreateWorkspace'
        begin select raise(abort, 'audit record refused'); end`.execute(db);
    } else {
      await sql`create function audit_refuse() returns trigger language plpgsql as $$
        begin if new.operation_id = 'CreateWorkspace' then raise exception 'audit record refused'; end if; return new; end $$`.execute(db);
      await sql`create trigger audit_refuse before insert on audit_logs for each row execute function audit_refuse()`.execute(db);
    }
    try {
      const res = await s.api.post(`${base}/workspaces`, { name: 'unrecorded' });
      assertError(res, 500);
      assert.equal((await s.api.get(`${base}/workspaces`, { names: 'unrecorded' })).body.totalCount, 0);
    } finally {
      if (s.app.store.kind === 'sqlite') {
        await sql`drop trigger audit_refuse`.execute(db);
      } else {
        await sql`drop trigger audit_refuse on audit_logs`.execute(db);
        await sql`drop function audit_refuse()`.execute(db);
      }
    }
    assert.equal((await s.api.post(`${base}/workspaces`, { name: 'recorded again' })).status, 200);
  });

  it('keeps secrets out of the recorded body (one rule: secret-like names, values of secret variables)', async () => {
    const body = {
      name: 'kept',
      password: 'pw-1',
      apiTokenId: 'kept-id',
      tokenExpiryPeriodInDays: 30,
      isSecret: false,
      headers: { Authorization: 'Bearer abc', 'X-Plain': 'kept' },
      connection: { login: 'kept', client_secret: 'cs-1', privateKey: 'pk-1', key: 'KEPT_KEY', extra: { access_token: 'at-1', secretName: 'kept-name' } },
      environmentVariables: [{ key: 'A', value: 'secret-1', isSecret: true }, { key: 'B', value: 'plain', isSecret: false }],
      tokens: ['t-1', 't-2'],
      basicToken: null,
    };
    const res = await s.api.post(`/audit-test/organizations/${s.orgId}/anyBody`, body);
    assert.equal(res.status, 204, res.text);
    const [r] = recordsOf(await auditLog(s.api, s.orgId), res);
    assert.deepEqual(r!.requestBody, {
      name: 'kept',
      password: '[REDACTED]',
      apiTokenId: 'kept-id',
      tokenExpiryPeriodInDays: 30,
      isSecret: false,
      headers: { Authorization: '[REDACTED]', 'X-Plain': 'kept' },
      connection: { login: 'kept', client_secret: '[REDACTED]', privateKey: '[REDACTED]', key: 'KEPT_KEY', extra: { access_token: '[REDACTED]', secretName: 'kept-name' } },
      environmentVariables: [{ key: 'A', value: '[REDACTED]', isSecret: true }, { key: 'B', value: 'plain', isSecret: false }],
      tokens: '[REDACTED]',
      basicToken: null,
    });
  });

  it('keeps a large body by its size only', async () => {
    const big = { name: 'big', blob: 'x'.repeat(70 * 1024) };
    const res = await s.api.post(`/audit-test/organizations/${s.orgId}/anyBody`, big);
    assert.equal(res.status, 204);
    const [r] = recordsOf(await auditLog(s.api, s.orgId), res);
    assert.ok(!('requestBody' in r!));
    assert.equal(r!.requestBodySize, JSON.stringify(big).length);
  });
});

describe('audit log: reading it', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer({ ASTROLABE_AUDIT_RETENTION_DAYS: '10' });
    base = `/v1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('answers gzip-compressed newline-delimited JSON as application/octet-stream', async () => {
    await s.api.post(`${base}/workspaces`, { name: 'raw 1' });
    await s.api.post(`${base}/workspaces`, { name: 'raw 2' });
    const url = new URL(`${s.url}${base}/audit-logs`);
    const raw = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http.get(url, { headers: { authorization: `Bearer ${s.token}`, 'accept-encoding': 'identity' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(raw.headers['content-type'], 'application/octet-stream');
    assert.equal(raw.headers['content-encoding'], 'gzip');
    assert.deepEqual([...raw.body.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic number');
    const text = gunzipSync(raw.body).toString('utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Json);
    assert.deepEqual(lines.map((l) => l.requestBody.name), ['raw 1', 'raw 2']);
  });

  it('filters by startDate and endDate (inclusive), oldest first; refuses bad bounds', async () => {
    const t0 = s.clock.now();
    const a = await s.api.post(`${base}/workspaces`, { name: 'day 0' });
    s.clock.advance(2 * 86400);
    const t1 = s.clock.now();
    const b = await s.api.post(`${base}/workspaces`, { name: 'day 2' });
    const mid = new Date(t0.getTime() + 86400_000).toISOString();
    const ids = (records: Json[]) => records.map((r) => r.requestId).filter((id) => id === requestId(a) || id === requestId(b));

    assert.deepEqual(ids(await auditLog(s.api, s.orgId)), [requestId(a), requestId(b)], 'no bounds: everything kept, oldest first');
    assert.deepEqual(ids(await auditLog(s.api, s.orgId, { startDate: mid })), [requestId(b)], 'the CLI sends only startDate');
    assert.deepEqual(ids(await auditLog(s.api, s.orgId, { endDate: mid })), [requestId(a)]);
    assert.deepEqual(ids(await auditLog(s.api, s.orgId, { startDate: t1.toISOString(), endDate: t1.toISOString() })), [requestId(b)], 'both bounds inclusive');
    assert.deepEqual(ids(await auditLog(s.api, s.orgId, { startDate: '2026-03-03T13:00:00+01:00' })), [requestId(b)], 'offsets are understood');
    assert.deepEqual(ids(await auditLog(s.api, s.orgId, { startDate: new Date(t1.getTime() + 1).toISOString() })), []);

    assertError(await s.api.get(`${base}/audit-logs`, { startDate: t1.toISOString(), endDate: t0.toISOString() }), 400, 'endDate');
    assertError(await s.api.get(`${base}/audit-logs`, { startDate: 'yesterday' }), 400, 'startDate');
  });

  it('streams a range longer than one read, in order', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'many records' });
    const now = s.clock.now().getTime();
    const rows = Array.from({ length: 1234 }, (_, i) => ({
      id: newId(), organization_id: o.organizationId, created_at: new Date(now - (1234 - i) * 1000).toISOString(), request_id: `bulk-${i}`,
      subject_id: 'x', subject_type: 'SERVICEKEY', api_token_id: null, api_token_name: null, operation_id: 'CreateWorkspace', method: 'POST',
      path: '/v1/x', workspace_id: null, deployment_id: null, resource_id: null, status_code: 200, source_ip: '127.0.0.1', user_agent: null,
      request_body: JSON.stringify({ i }), request_body_size: null,
    }));
    for (let i = 0; i < rows.length; i += 50) await s.app.db.insertInto('audit_logs').values(rows.slice(i, i + 50)).execute();
    const records = await auditLog(s.as(o.token), o.organizationId);
    assert.equal(records.length, 1234);
    assert.deepEqual(records.map((r) => r.requestBody.i), rows.map((_, i) => i));
  });

  it('keeps records ASTROLABE_AUDIT_RETENTION_DAYS days, then deletes them', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'retention' });
    const api = s.as(o.token);
    const old = await api.post(`/v1/organizations/${o.organizationId}/workspaces`, { name: 'old' });
    s.clock.advance(9 * 86400);
    const recent = await api.post(`/v1/organizations/${o.organizationId}/workspaces`, { name: 'recent' });
    s.clock.advance(2 * 86400);
    const records = await auditLog(api, o.organizationId, { startDate: '2000-01-01T00:00:00Z' });
    recordsOf(records, old, 0);
    recordsOf(records, recent, 1);
    const stored = await s.app.db.selectFrom('audit_logs').select('request_id').where('organization_id', '=', o.organizationId).execute();
    assert.deepEqual(stored.map((r) => r.request_id), [requestId(recent)], 'the expired record is gone from the store');
  });
});

describe('audit log: who may read it', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('needs organization.auditLogs.get: members and workspace owners are refused', async () => {
    const ws = (await s.api.post(`${base}/workspaces`, { name: 'w' })).body;
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    const wsOwner = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' }]);
    assertError(await member.get(`${base}/audit-logs`), 403);
    assertError(await wsOwner.get(`${base}/audit-logs`), 403);
    assertError(await s.as(undefined).get(`${base}/audit-logs`), 401);
  });

  it('never returns another organization\'s records, nor lets it read these', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'other' });
    const other = s.as(o.token);
    const mine = await s.api.post(`${base}/workspaces`, { name: 'mine' });
    const theirs = await other.post(`/v1/organizations/${o.organizationId}/workspaces`, { name: 'theirs' });
    // A request of the other organization's token against this one is refused and recorded as
    // the other organization's caller's, not here.
    const probe = await other.post(`${base}/workspaces`, { name: 'probe' });
    assertError(probe, 403);

    const here = await auditLog(s.api, s.orgId);
    assert.ok(here.every((r) => r.organizationId === s.orgId));
    recordsOf(here, mine, 1);
    recordsOf(here, theirs, 0);
    recordsOf(here, probe, 0);
    const there = await auditLog(other, o.organizationId);
    assert.ok(there.every((r) => r.organizationId === o.organizationId));
    recordsOf(there, mine, 0);
    recordsOf(there, theirs, 1);
    assert.equal(recordsOf(there, probe, 1)[0]!.statusCode, 403);

    assertError(await other.get(`${base}/audit-logs`), 403);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Type from 'typebox';
import { badRequest, FieldCode, renderError } from '../../src/core/errors.js';
import { OrganizationIdParam } from '../../src/core/schemas.js';
import { answerStoreError } from '../../src/http/store-errors.js';
import { defineOperation, STANDARD_ERRORS } from '../../src/http/operation.js';
import type { Surface } from '../../src/http/surface.js';
import type { StoreErrorKind } from '../../src/store/errors.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

describe('core/errors: the field-error catalogue', () => {
  it('gives every code one wire string, written as the validator rules are', () => {
    const values = Object.values(FieldCode);
    assert.equal(new Set(values).size, values.length, 'two names share a wire string');
    for (const v of values) assert.match(v, /^[a-z][a-z0-9_]*$/);
  });
});

describe('core/errors: the cause of an error', () => {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "secret_things_pkey"'), { code: '23505' });

  it('is kept on the error and never rendered', () => {
    const err = badRequest('Invalid request: nope', undefined, { cause: driverError });
    assert.equal(err.cause, driverError);
    const body = renderError(err, 'r1');
    assert.deepEqual(body, { message: 'Invalid request: nope', requestId: 'r1', statusCode: 400 });
    assert.doesNotMatch(JSON.stringify(body), /secret_things/);
  });

  it('is the driver error in every answer to a store error', () => {
    const kinds: StoreErrorKind[] = ['duplicate', 'missing-reference', 'busy', 'unavailable', 'unstorable'];
    for (const kind of kinds) {
      const { error } = answerStoreError({ kind, missingKey: 'c1' }, { workspaceId: 'c1' }, driverError);
      assert.equal(error.cause, driverError, kind);
      assert.doesNotMatch(JSON.stringify(renderError(error, 'r')), /secret_things/, kind);
    }
    assert.equal(answerStoreError({ kind: 'busy' }).error.cause, undefined);
  });
});

const Echo = Type.Object({ text: Type.String() });
const failing: Surface = {
  name: 'test',
  prefix: '/test',
  specPaths: ['/spec/test'],
  info: { title: 'error log test', version: '0', description: 'An operation that fails the way a bug does.' },
  operations: [defineOperation({
    operationId: 'Fail',
    method: 'POST',
    path: '/organizations/{organizationId}/fail',
    summary: 'Fail',
    description: 'Throws an error that is no ApiError.',
    tag: 'Test',
    permission: null,
    params: OrganizationIdParam,
    body: Echo,
    success: { status: 200, schema: Echo },
    errors: STANDARD_ERRORS,
    handler: async () => {
      throw new Error('internal detail: table secret_things');
    },
  })],
};

describe('the error handler logs the cause of an answer', () => {
  let s: TestServer;
  const lines: Json[] = [];
  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Json);
        done();
      },
    });
    s = await startServer({}, { surfaces: [failing], logger: { level: 'debug', stream } });
  });
  after(async () => { await s.close(); });

  const url = () => `${s.url}/test/organizations/${s.orgId}/fail`;
  const post = (body: string) => fetch(url(), { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body });
  const logged = (requestId: string) => lines.filter((l) => l.reqId === requestId && l.err);

  it('a 500: the client gets no detail, the log gets the original error as err.cause', async () => {
    const res = await post('{"text":"x"}');
    assert.equal(res.status, 500);
    const body = await res.json() as Json;
    assert.equal(body.message, 'Internal server error');
    assert.doesNotMatch(JSON.stringify(body), /secret_things/);
    const [line] = logged(body.requestId);
    assert.ok(line, 'the failure was logged');
    assert.equal(line.level, 50);
    assert.equal(line.err.type, 'ApiError');
    assert.equal(line.err.statusCode, 500);
    assert.equal(line.err.cause.message, 'internal detail: table secret_things');
  });

  it('a body that is not JSON: a 400, and the parser\'s error as err.cause at debug level', async () => {
    const res = await post('{"text":');
    assert.equal(res.status, 400);
    const body = await res.json() as Json;
    const [line] = logged(body.requestId);
    assert.ok(line, 'the parse error was logged');
    assert.equal(line.level, 20);
    assert.equal(line.err.message, body.message);
    assert.equal(line.err.cause.code, 'FST_ERR_CTP_INVALID_JSON_BODY');
  });

  it('an ApiError without a cause is not logged', async () => {
    const res = await post('{"text":1}');
    assert.equal(res.status, 400);
    const body = await res.json() as Json;
    assert.equal(logged(body.requestId).length, 0);
  });
});

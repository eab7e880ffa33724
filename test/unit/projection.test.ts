import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Type from 'typebox';
import { defineOperation, type AnyOperation, type OpInput } from '../../src/http/operation.js';
import { byOperationId, declaredOnly, presentAs, without } from '../../src/http/projection.js';
import { discriminatedUnion } from '../../src/core/schemas.js';

/*
 * presentAs on its own: no server, operations with recording handlers. The type-level checks
 * (a translation required where the shapes differ) are compile-time assertions, run by
 * `npm run typecheck`.
 */

const Params = Type.Object({ organizationId: Type.String() });
const Query = Type.Object({ name: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer()) });
const Body = Type.Object({ scope: Type.String(), name: Type.String() });
const Thing = Type.Object({ id: Type.String(), scope: Type.String(), secret: Type.String() });

interface Rules { types?: readonly string[] }
const OWN_RULES: Rules = { types: ['A', 'B'] };

/** What the v1 handler and target saw, per call. */
interface Seen { query: unknown; body: unknown; rules: unknown }

function v1Operations() {
  const handled: Seen[] = [];
  const targeted: Seen[] = [];
  const record = (to: Seen[], input: OpInput<unknown, unknown, unknown, unknown>) => to.push({ query: input.query, body: input.body, rules: input.rules });
  const ops = [
    defineOperation({
      operationId: 'ListThings',
      method: 'GET',
      path: '/organizations/{organizationId}/things',
      summary: 'List things',
      description: 'Lists things.',
      tag: 'Things',
      permission: 'thing.list',
      params: Params,
      query: Query,
      success: { status: 200, schema: Type.Object({ things: Type.Array(Thing) }) },
      errors: [400, 401, 403, 500],
      rules: OWN_RULES,
      target: async (input) => {
        record(targeted, input);
        return { workspaceId: 'w' };
      },
      handler: async (input) => {
        record(handled, input);
        return { things: [{ id: 't1', scope: 'ORG', secret: 's' }] };
      },
    }),
    defineOperation({
      operationId: 'CreateThing',
      method: 'POST',
      path: '/organizations/{organizationId}/things',
      summary: 'Create a thing',
      description: 'Creates a thing.',
      tag: 'Things',
      permission: 'thing.create',
      params: Params,
      body: Body,
      bodyDescription: 'The thing.',
      success: { status: 200, schema: Thing },
      errors: [400, 401, 403, 404, 500],
      handler: async (input) => {
        record(handled, input);
        return { id: 't2', scope: input.body.scope, secret: 's' };
      },
    }),
    defineOperation({
      operationId: 'DeleteThing',
      method: 'DELETE',
      path: '/organizations/{organizationId}/things/{thingId}',
      summary: 'Delete a thing',
      description: 'Deletes a thing.',
      tag: 'Things',
      permission: 'thing.delete',
      params: Type.Object({ organizationId: Type.String(), thingId: Type.String() }),
      success: { status: 204 },
      errors: [400, 401, 403, 404, 500],
      handler: async (input) => {
        record(handled, input);
      },
    }),
  ];
  return { v1: byOperationId(ops), ops, handled, targeted };
}

/** The input the pipeline would hand the presented operation. */
function request(over: Partial<OpInput<unknown, unknown, unknown, unknown>> = {}): OpInput<never, never, never, never> {
  return {
    params: { organizationId: 'o' },
    query: {},
    body: undefined,
    principal: {},
    app: {},
    requestId: 'req',
    clientAddress: '127.0.0.1',
    baseUrl: 'http://localhost',
    rules: undefined,
    ...over,
  } as unknown as OpInput<never, never, never, never>;
}

// The older shapes: the scope is called `type`, and the secret is not shown.
const OlderBody = Type.Object({ type: Type.String(), name: Type.String() });
const OlderThing = Type.Object({ id: Type.String(), type: Type.String() });
const OlderQuery = Type.Object({ name: Type.Optional(Type.String()) });

describe('presentAs', () => {
  it('without a presentation, serves the v1 operation as it is', async () => {
    const { v1, handled } = v1Operations();
    const p = presentAs(v1.ListThings);
    for (const k of ['operationId', 'method', 'path', 'summary', 'description', 'tag', 'permission', 'params', 'query', 'success', 'errors'] as const) {
      assert.deepEqual(p[k], v1.ListThings[k], k);
    }
    const q = { name: 'x', other: '1' };
    assert.deepEqual(await p.handler(request({ query: q })), await v1.ListThings.handler(request({ query: q })));
    // The v1 query reaches the handler whole (no older query to cut it down), with the operation's own rules.
    assert.deepEqual(handled[0], { query: q, body: undefined, rules: OWN_RULES });
  });

  it('replaces what the presentation states and keeps the rest', () => {
    const { v1 } = v1Operations();
    const p = presentAs(v1.CreateThing, {
      operationId: 'CreateOlderThing',
      method: 'POST',
      path: '/older/{organizationId}/things',
      summary: 'Older create',
      description: 'Creates a thing, older.',
      permission: null,
      errors: [400, 500],
      body: OlderBody,
      bodyIn: ({ type, ...rest }) => ({ ...rest, scope: type }),
      success: OlderThing,
      out: ({ id, scope }) => ({ id, type: scope }),
    });
    assert.equal(p.operationId, 'CreateOlderThing');
    assert.equal(p.path, '/older/{organizationId}/things');
    assert.equal(p.summary, 'Older create');
    assert.equal(p.description, 'Creates a thing, older.');
    assert.equal(p.permission, null, 'a presentation may need no permission where v1 needs one');
    assert.deepEqual(p.errors, [400, 500]);
    assert.equal(p.body, OlderBody);
    assert.deepEqual(p.success, { status: 200, schema: OlderThing });
    assert.equal(p.tag, v1.CreateThing.tag);
    assert.equal(p.bodyDescription, v1.CreateThing.bodyDescription);
    assert.equal(p.params, v1.CreateThing.params);
  });

  it('translates the body in and the answer out', async () => {
    const { v1, handled } = v1Operations();
    const p = presentAs(v1.CreateThing, {
      body: OlderBody,
      bodyIn: ({ type, ...rest }) => ({ ...rest, scope: type }),
      success: OlderThing,
      out: ({ id, scope }) => ({ id, type: scope }),
    });
    const answer = await p.handler(request({ body: { type: 'WORKSPACE', name: 'n' } }));
    assert.deepEqual(handled[0]!.body, { name: 'n', scope: 'WORKSPACE' });
    assert.deepEqual(answer, { id: 't2', type: 'WORKSPACE' });
  });

  it('does not call bodyIn without a body', async () => {
    const { v1 } = v1Operations();
    let calls = 0;
    const p = presentAs(v1.DeleteThing, {
      bodyIn: (b) => {
        calls++;
        return b;
      },
    });
    await p.handler(request({ body: undefined }));
    assert.equal(calls, 0);
  });

  it('drops the query parameters the older query does not declare, before queryIn and the v1 rules see it', async () => {
    const { v1, handled, targeted } = v1Operations();
    const translated: unknown[] = [];
    const p = presentAs(v1.ListThings, {
      query: OlderQuery,
      queryIn: (q) => {
        translated.push(q);
        return { ...q, limit: 5 };
      },
    });
    const input = request({ query: { name: 'x', limit: '9', sneaky: 'y' } });
    await p.target!(input);
    await p.handler(input);
    assert.deepEqual(translated, [{ name: 'x' }, { name: 'x' }]);
    assert.deepEqual(targeted[0]!.query, { name: 'x', limit: 5 }, 'the target resolver sees the translated query too');
    assert.deepEqual(handled[0]!.query, { name: 'x', limit: 5 });
  });

  it('drops the body fields the older body does not declare only when told to', async () => {
    const { v1, handled } = v1Operations();
    const Narrow = Type.Object({ scope: Type.String(), name: Type.String() });
    const body = { scope: 'ORG', name: 'n', v1Only: true };
    await presentAs(v1.CreateThing, { body: Narrow }).handler(request({ body }));
    await presentAs(v1.CreateThing, { body: Narrow, dropsUndeclared: true }).handler(request({ body }));
    assert.deepEqual(handled.map((h) => h.body), [body, { scope: 'ORG', name: 'n' }]);
  });

  it('hands the v1 handler and target the rules it works out from the older request', async () => {
    const { v1, handled, targeted } = v1Operations();
    const asked: unknown[] = [];
    const p = presentAs(v1.ListThings, {
      query: OlderQuery,
      rules: ({ query }) => {
        asked.push(query);
        return { types: query.name === undefined ? ['A'] : [query.name] };
      },
    });
    await p.target!(request({ query: { name: 'C', limit: '1' } }));
    await p.handler(request({ query: {} }));
    assert.deepEqual(asked, [{ name: 'C' }, {}], 'rules see the older query, undeclared parameters dropped');
    assert.deepEqual(targeted[0]!.rules, { types: ['C'] });
    assert.deepEqual(handled[0]!.rules, { types: ['A'] });
    assert.equal(v1.ListThings.rules, OWN_RULES, 'the v1 operation keeps its own');
  });

  it('gives the presented operation no rules of its own: only the v1 one takes them', async () => {
    const { v1, handled } = v1Operations();
    const p = presentAs(v1.ListThings, { rules: () => ({ types: ['A'] }) });
    assert.equal(Object.hasOwn(p, 'rules'), false);
    // Whatever the pipeline hands the presented operation, the v1 handler gets the presentation's.
    await p.handler(request({ rules: { types: ['Z'] } }));
    assert.deepEqual(handled[0]!.rules, { types: ['A'] });
  });

  it('keeps a success without a body, and never calls out for it', async () => {
    const { v1 } = v1Operations();
    const p = presentAs(v1.DeleteThing, { path: '/older/{organizationId}/things/{thingId}' });
    assert.deepEqual(p.success, { status: 204 });
    assert.equal(await p.handler(request()), undefined);
  });

  it('keeps the target resolver absent when the v1 operation has none', () => {
    const { v1 } = v1Operations();
    assert.equal(presentAs(v1.CreateThing).target, undefined);
    assert.equal(typeof presentAs(v1.ListThings).target, 'function');
  });

  it('presents an operation of a typed union (a list of ids) one by one', () => {
    const { v1 } = v1Operations();
    const presented = (['CreateThing', 'DeleteThing'] as const).map((id) => presentAs(v1[id]));
    assert.deepEqual(presented.map((o) => o.operationId), ['CreateThing', 'DeleteThing']);
  });
});

describe('declaredOnly', () => {
  const Item = Type.Object({ a: Type.String() });
  const Schema = Type.Object({
    items: Type.Array(Item),
    nested: Type.Optional(Type.Object({ b: Type.Integer() })),
    map: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true })),
  });

  it('keeps what the schema declares, all the way down, and free maps whole', () => {
    const value = { items: [{ a: 'x', z: 1 }], nested: { b: 2, z: 3 }, map: { anything: { deep: 1 } }, z: 4 };
    assert.deepEqual(declaredOnly(Schema, value), { items: [{ a: 'x' }], nested: { b: 2 }, map: { anything: { deep: 1 } } });
  });

  it('follows the member a discriminator picks', () => {
    const Union = discriminatedUnion('U', 'kind', {
      ONE: Type.Object({ kind: Type.String(), one: Type.String() }),
      TWO: Type.Object({ kind: Type.String(), two: Type.String() }),
    }, 'One or two.');
    assert.deepEqual(declaredOnly(Union, { kind: 'ONE', one: '1', two: '2' }), { kind: 'ONE', one: '1' });
    assert.deepEqual(declaredOnly(Union, { kind: 'TWO', one: '1', two: '2' }), { kind: 'TWO', two: '2' });
    assert.deepEqual(declaredOnly(Union, { kind: 'THREE', x: 1 }), { kind: 'THREE', x: 1 }, 'no member: left as it is');
  });

  it('leaves scalars, null and what does not match the schema alone', () => {
    assert.equal(declaredOnly(Schema, null), null);
    assert.equal(declaredOnly(Schema, 'text'), 'text');
    assert.deepEqual(declaredOnly(Type.String(), { a: 1 }), { a: 1 });
  });
});

describe('byOperationId and without', () => {
  it('finds each operation by its id', () => {
    const { v1, ops } = v1Operations();
    assert.deepEqual(Object.keys(v1).sort(), ['CreateThing', 'DeleteThing', 'ListThings']);
    assert.equal(v1.DeleteThing, ops[2]);
    const erased: AnyOperation[] = ops;
    assert.equal(erased.length, 3, 'typed operations are AnyOperations, as surfaces hold them');
  });

  it('copies a value without some of its fields, leaving the original alone', () => {
    const value = { a: 1, b: 2, c: 3 };
    assert.deepEqual(without(value, ['b', 'c']), { a: 1 });
    assert.deepEqual(value, { a: 1, b: 2, c: 3 });
  });
});

// ---------------------------------------------------------------- what the build refuses

function typeChecks() {
  const { v1 } = v1Operations();
  // An older body that renames a v1 field needs bodyIn.
  // @ts-expect-error bodyIn is required: `type` is not the v1 `scope`
  presentAs(v1.CreateThing, { body: OlderBody });
  // bodyIn must produce the v1 body.
  // @ts-expect-error the v1 body has `scope`, not `type`
  presentAs(v1.CreateThing, { body: OlderBody, bodyIn: (b) => b });
  // An older answer that the v1 one does not fit needs out, and out must produce the older answer.
  // @ts-expect-error out is required: the v1 answer has no `type`
  presentAs(v1.CreateThing, { success: OlderThing });
  // @ts-expect-error out must answer the older shape
  presentAs(v1.CreateThing, { success: OlderThing, out: (t) => ({ id: t.id, scope: t.scope }) });
  // out reads the v1 answer as typed: a field v1 does not have is an error.
  // @ts-expect-error the v1 answer has no `kind`
  presentAs(v1.CreateThing, { success: OlderThing, out: (t) => ({ id: t.id, type: t.kind }) });
  // An older shape that is a v1 one needs no translation (a narrower answer: fields dropped by the serializer).
  presentAs(v1.CreateThing, { success: Type.Object({ id: Type.String() }) });
  // Rules only for an operation that takes them, and of its type.
  // @ts-expect-error CreateThing takes no rules
  presentAs(v1.CreateThing, { rules: () => ({ types: [] }) });
  // @ts-expect-error ListThings' rules have no `other`
  presentAs(v1.ListThings, { rules: () => ({ other: true }) });
  // A success without a body has no older schema and no out.
  // @ts-expect-error DeleteThing answers 204
  presentAs(v1.DeleteThing, { success: OlderThing });
  // An operation that does not exist is not found by id.
  // @ts-expect-error no such operation
  presentAs(v1.RenameThing);
}
void typeChecks;

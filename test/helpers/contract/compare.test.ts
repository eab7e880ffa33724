import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAllowList, compareDocuments, formatDifference, type Json } from './compare.js';

/**
 * Self-checks of the contract comparer: a hand-made reference and copies of it with exactly one
 * change must produce exactly that one difference, so the contract test cannot pass by accident.
 */
function baseDoc(): Json {
  return {
    openapi: '3.0.3',
    paths: {
      '/things/{thingId}': {
        get: {
          operationId: 'GetThing',
          summary: 'Get a thing',
          parameters: [
            { name: 'thingId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 100, default: 20 } },
          ],
          responses: {
            200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            404: { description: 'Not Found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          },
          'x-permission': [{ action: 'thing.get' }],
        },
        post: {
          operationId: 'UpdateThing',
          parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/UpdateThingRequest' } } } },
          responses: { 204: { description: 'No Content' } },
        },
      },
      '/shapes': {
        post: {
          operationId: 'CreateShape',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateShapeRequest' } } } },
          responses: { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          description: 'A thing.',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string', example: 'abc' },
            status: { type: 'string', enum: ['A', 'B'] },
            parent: { $ref: '#/components/schemas/Thing' },
            tags: { type: 'array', items: { type: 'string', maxLength: 10 } },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, statusCode: { type: 'integer', minimum: 400 } } },
        UpdateThingRequest: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 50 } } },
        CreateShapeRequest: {
          type: 'object',
          oneOf: [{ $ref: '#/components/schemas/CreateCircle' }, { $ref: '#/components/schemas/CreateSquare' }],
          discriminator: { propertyName: 'kind', mapping: { CIRCLE: '#/components/schemas/CreateCircle', SQUARE: '#/components/schemas/CreateSquare' } },
        },
        CreateCircle: { type: 'object', required: ['kind', 'radius'], properties: { kind: { type: 'string', enum: ['CIRCLE'] }, radius: { type: 'number', minimum: 0 } } },
        CreateSquare: { type: 'object', required: ['kind', 'side'], properties: { kind: { type: 'string', enum: ['SQUARE'] }, side: { type: 'number', minimum: 0 } } },
      },
    },
  };
}

function differencesAfter(change: (served: Json) => void): string[] {
  const served = baseDoc();
  change(served);
  return compareDocuments(baseDoc(), served).differences.map(formatDifference);
}

describe('contract comparer self-checks', () => {
  it('finds nothing between identical documents, ignoring prose and parameter order', () => {
    assert.deepEqual(differencesAfter(() => {}), []);
    assert.deepEqual(differencesAfter((d) => {
      d.components.schemas.Thing.description = 'Something else entirely.';
      d.components.schemas.Thing.properties.id.example = 'xyz';
      d.paths['/things/{thingId}'].get.summary = 'Other words';
      d.paths['/things/{thingId}'].get.parameters.reverse();
      d.paths['/things/{thingId}'].get.parameters[0].style = 'form';
      d.components.schemas.Thing.properties.status.enum.reverse();
    }), []);
  });

  it('reports one changed enum value as exactly one difference', () => {
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.Thing.properties.status.enum = ['A', 'C']; }), [
      'GetThing response 200 .status.enum: reference ["B"] (+1 shared) vs served ["C"] (+1 shared)',
    ]);
  });

  it('reports one missing required field as exactly one difference', () => {
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.UpdateThingRequest.required = []; }), [
      'UpdateThing request body .required: reference ["name"] vs served []',
    ]);
  });

  it('reports one missing status code as exactly one difference', () => {
    assert.deepEqual(differencesAfter((d) => { delete d.paths['/things/{thingId}'].get.responses[404]; }), [
      'GetThing response 404: reference present vs served absent',
    ]);
  });

  it('reports limits, parameters, permissions, component names, items and maps', () => {
    assert.deepEqual(differencesAfter((d) => { d.paths['/things/{thingId}'].get.parameters[1].schema.maximum = 1000; }), [
      'GetThing parameter query limit .maximum: reference 100 vs served 1000',
    ]);
    assert.deepEqual(differencesAfter((d) => { d.paths['/things/{thingId}'].get.parameters.pop(); }), [
      'GetThing parameter query limit: reference present vs served absent',
    ]);
    assert.deepEqual(differencesAfter((d) => { d.paths['/things/{thingId}'].get['x-permission'] = [{ action: 'thing.read' }]; }), [
      'GetThing x-permission: reference ["thing.get"] vs served ["thing.read"]',
    ]);
    assert.deepEqual(differencesAfter((d) => {
      d.components.schemas.Failure = d.components.schemas.Error;
      d.paths['/things/{thingId}'].get.responses[404].content['application/json'].schema.$ref = '#/components/schemas/Failure';
    }), ['GetThing response 404 .$ref: reference Error vs served Failure']);
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.Thing.properties.tags.items.maxLength = 11; }), [
      'GetThing response 200 .tags[].maxLength: reference 10 vs served 11',
    ]);
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.Thing.properties.labels.additionalProperties = { type: 'integer' }; }), [
      'GetThing response 200 .labels.additionalProperties.type: reference "string" vs served "integer"',
    ]);
    assert.deepEqual(differencesAfter((d) => { d.paths['/things/{thingId}'].post.responses[200] = { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }; }), [
      'UpdateThing response 200: reference absent vs served present',
    ]);
  });

  it('compares discriminated unions by property, mapping keys and members', () => {
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.CreateSquare.properties.side.minimum = 1; }), [
      'CreateShape request body <SQUARE>.side.minimum: reference 0 vs served 1',
    ]);
    assert.deepEqual(differencesAfter((d) => { d.components.schemas.CreateShapeRequest.discriminator.propertyName = 'shape'; }), [
      'CreateShape request body .discriminator.propertyName: reference "kind" vs served "shape"',
    ]);
    assert.deepEqual(differencesAfter((d) => {
      const u = d.components.schemas.CreateShapeRequest;
      u.oneOf.pop();
      delete u.discriminator.mapping.SQUARE;
    }), [
      'CreateShape request body .discriminator.mapping: reference ["SQUARE"] (+1 shared) vs served [] (+1 shared)',
      'CreateShape request body .oneOf: reference ["CreateSquare"] (+1 shared) vs served [] (+1 shared)',
    ]);
  });

  it('lists reference operations the served document lacks without calling them differences, and flags extra ones', () => {
    const served = baseDoc();
    delete served.paths['/shapes'];
    served.paths['/extras'] = { get: { operationId: 'ListExtras', responses: {} } };
    const r = compareDocuments(baseDoc(), served);
    assert.deepEqual(r.notServed.map((o) => o.operationId), ['CreateShape']);
    assert.deepEqual(r.differences.map(formatDifference), ['ListExtras operation GET /extras: reference absent vs served present']);
  });

  it('matches path templates whatever their parameter names, and reports the renamed parameter', () => {
    const served = baseDoc();
    const item = served.paths['/things/{thingId}'];
    delete served.paths['/things/{thingId}'];
    served.paths['/things/{id}'] = item;
    for (const op of [item.get, item.post]) op.parameters.find((p: Json) => p.in === 'path').name = 'id';
    const lines = compareDocuments(baseDoc(), served).differences.map(formatDifference);
    assert.ok(lines.includes('GetThing parameter path thingId: reference present vs served absent'), lines.join('\n'));
    assert.ok(lines.includes('GetThing parameter path id: reference absent vs served present'), lines.join('\n'));
  });

  it('applies the allow-list only to exact matches', () => {
    const diffs = compareDocuments(baseDoc(), (() => {
      const d = baseDoc();
      d.paths['/things/{thingId}'].post.responses[409] = { description: 'Conflict', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      d.components.schemas.Error.properties.statusCode.minimum = 399;
      return d;
    })()).differences;
    const r = applyAllowList(diffs, [
      { operationId: 'UpdateThing', where: 'response 409', reference: 'absent', served: 'present', reason: 'test' },
      { operationId: 'GetThing', where: 'response 409', reference: 'absent', served: 'present', reason: 'test' },
    ]);
    assert.deepEqual(r.allowed.map(formatDifference), ['UpdateThing response 409: reference absent vs served present']);
    assert.deepEqual(r.unexpected.map(formatDifference), ['GetThing response 404 .statusCode.minimum: reference 400 vs served 399']);
    assert.deepEqual(r.unused.map((e) => e.operationId), ['GetThing']);
  });
});

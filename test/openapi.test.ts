import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Type from 'typebox';
import { defineOperation, STANDARD_ERRORS } from '../src/http/operation.js';
import { discriminatedUnion, named } from '../src/core/schemas.js';
import type { Surface } from '../src/http/surface.js';
import { buildSpec } from '../src/openapi/build.js';
import { startServer } from './helpers/server.js';
import { v1Surface } from '../src/resources/index.js';

function surface(name: string, prefix: string, schemas: ReturnType<typeof Type.Object>[]): Surface {
  return {
    name,
    prefix,
    specPaths: [`/spec/${name}`],
    info: { title: name, version: '1', description: `The ${name} test surface.` },
    apiVersions: ['1'],
    operations: schemas.map((schema, i) => defineOperation({
      operationId: `Get${i}`,
      method: 'GET',
      path: `/things/${i}`,
      summary: 'Get a thing',
      description: 'Reads a thing.',
      tag: 'Thing',
      permission: null,
      success: { status: 200, schema },
      errors: STANDARD_ERRORS,
      handler: async () => ({}) as never,
    })),
  };
}

describe('OpenAPI documents: one component registry per surface', () => {
  it('refuses two different schemas under one name in one surface', () => {
    const a = named('Workspace', Type.Object({ id: Type.String() }));
    const b = named('Workspace', Type.Object({ id: Type.String(), name: Type.String() }));
    assert.throws(() => buildSpec(surface('clash', '/clash', [a, b])), /two different schemas are named Workspace/);
  });

  it('lets each surface have its own schema of a name', () => {
    const v1 = named('Workspace', Type.Object({ id: Type.String() }));
    const old = named('Workspace', Type.Object({ id: Type.String(), legacy: Type.Boolean() }));
    const one = buildSpec(surface('one', '/one', [v1])) as any;
    const two = buildSpec(surface('two', '/two', [old])) as any;
    assert.deepEqual(Object.keys(one.components.schemas.Workspace.properties), ['id']);
    assert.deepEqual(Object.keys(two.components.schemas.Workspace.properties), ['id', 'legacy']);
    assert.equal(one.servers[0].url, '/one');
  });

  it('accepts the same schema used twice, and a modifier copy of it', () => {
    const w = named('Workspace', Type.Object({ id: Type.String() }));
    const wrapper = named('Wrapper', Type.Object({ w: Type.Optional(w) }));
    const doc = buildSpec(surface('same', '/same', [w, wrapper])) as any;
    assert.deepEqual(doc.components.schemas.Wrapper.properties.w, { $ref: '#/components/schemas/Workspace' });
  });

  it('refuses a discriminator member without a component name', () => {
    const union = discriminatedUnion('Shape', 'kind', { A: Type.Object({ kind: Type.Literal('A') }) }, 'A shape.');
    assert.throws(() => buildSpec(surface('union', '/union', [union as never])), /has no component name/);
  });

  it('refuses an operationId declared twice', () => {
    const s = surface('dup', '/dup', [Type.Object({}), Type.Object({})]);
    s.operations[1]!.operationId = 'Get0';
    assert.throws(() => buildSpec(s), /declared twice/);
  });

  it('serves each surface at its own spec path, and refuses to start on a clash', async () => {
    const server = await startServer({}, { surfaces: [v1Surface, surface('extra', '/extra', [named('Workspace', Type.Object({ only: Type.String() }))])] });
    try {
      const extra = await (await fetch(`${server.url}/spec/extra`, { headers: { accept: 'application/json' } })).json() as any;
      const v1 = await (await fetch(`${server.url}/spec/v1`, { headers: { accept: 'application/json' } })).json() as any;
      assert.deepEqual(Object.keys(extra.components.schemas.Workspace.properties), ['only']);
      assert.ok(v1.components.schemas.Workspace.properties.organizationId);
    } finally {
      await server.close();
    }
    const a = named('Workspace', Type.Object({ id: Type.String() }));
    const b = named('Workspace', Type.Object({ id: Type.Integer() }));
    await assert.rejects(startServer({}, { surfaces: [surface('clash', '/clash', [a, b])] }), /two different schemas/);
  });
});

import type { TSchema } from 'typebox';
import { ErrorSchema, schemaName, unionInfo } from '../core/schemas.js';
import type { Surface } from '../http/surface.js';
import { successSchema } from '../http/operation.js';

const REASONS: Record<string, string> = {
  200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 412: 'Precondition Failed', 500: 'Internal Server Error',
  '4XX': 'Client error', '5XX': 'Server error',
};

type Json = Record<string, unknown>;

/** A schema's content (enumerable keys only, so modifier copies equal their original). */
const contentKey = (schema: object): string => JSON.stringify(schema);

/**
 * Builds the OpenAPI 3.0 document of one surface from its operations. Named schemas become
 * components of this document and are referenced; everything else is written inline. Two
 * different schemas under one name, or a discriminator member without a name, are errors: the
 * server refuses to start rather than serve a wrong document.
 */
export function buildSpec(surface: Surface): Json {
  const components: Record<string, Json> = {};
  const contents = new Map<string, string>();

  const componentRef = (name: string, schema: object): string => {
    const key = contentKey(schema);
    const known = contents.get(name);
    if (known === undefined) {
      contents.set(name, key);
      components[name] = {}; // reserve first: schemas may refer to themselves
      components[name] = emit(schema, true) as Json;
    } else if (known !== key) {
      throw new Error(`surface ${surface.name}: two different schemas are named ${name}`);
    }
    return `#/components/schemas/${name}`;
  };

  const emit = (schema: unknown, top = false): unknown => {
    if (Array.isArray(schema)) return schema.map((s) => emit(s));
    if (schema === null || typeof schema !== 'object') return schema;
    const name = schemaName(schema);
    if (name && !top) return { $ref: componentRef(name, schema) };
    const union = unionInfo(schema);
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$id') continue;
      out[k] = emit(v);
    }
    if (union) {
      out.discriminator = {
        propertyName: union.property,
        mapping: Object.fromEntries(Object.entries(union.mapping).map(([value, member]) => {
          const memberName = schemaName(member);
          if (!memberName) throw new Error(`surface ${surface.name}: discriminator member ${value} of ${schemaName(schema) ?? 'a union'} has no component name`);
          return [value, componentRef(memberName, member)];
        })),
      };
    }
    return out;
  };

  const paramList = (schema: TSchema | undefined, where: 'path' | 'query'): Json[] => {
    if (!schema) return [];
    const obj = schema as unknown as { properties: Record<string, Json>; required?: string[] };
    return Object.entries(obj.properties).map(([name, prop]) => {
      const { description, ...rest } = prop as Json;
      const p: Json = { name, in: where, description };
      if (where === 'path' || obj.required?.includes(name)) p.required = true;
      p.schema = emit(rest);
      if ((rest as Json).type === 'array') { p.style = 'form'; p.explode = true; }
      return p;
    });
  };

  const paths: Record<string, Json> = {};
  const operationIds = new Set<string>();
  for (const op of surface.operations) {
    if (operationIds.has(op.operationId)) throw new Error(`surface ${surface.name}: operationId ${op.operationId} is declared twice`);
    operationIds.add(op.operationId);
    const responses: Json = {};
    // An operation with a body of its own media type documents every response under it.
    const media = 'mediaType' in op.success ? op.success.mediaType : 'application/json';
    const body = successSchema(op.success);
    if (body) {
      responses['200'] = { description: REASONS[200], content: { [media]: { schema: emit(body) } } };
    } else {
      responses[String(op.success.status)] = { description: REASONS[op.success.status] };
    }
    for (const code of op.errors) {
      responses[String(code)] = { description: REASONS[code] ?? 'Error', content: { [media]: { schema: emit(surface.errorSchema ?? ErrorSchema) } } };
    }
    const entry: Json = {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      tags: [op.tag],
      parameters: [...paramList(op.params, 'path'), ...paramList(op.query, 'query')],
      responses,
      security: [{ JWT: [] }],
    };
    if (op.body) {
      entry.requestBody = { required: true, description: op.bodyDescription, content: { 'application/json': { schema: emit(op.body) } } };
    }
    if (op.permission !== null) entry['x-permission'] = [{ action: op.permission }];
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = entry;
  }

  return {
    openapi: '3.0.3',
    info: surface.info,
    servers: [{ url: surface.prefix }],
    security: [{ JWT: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

import type { TSchema } from 'typebox';
import type { Operation } from '../http/operation.js';
import { ErrorSchema, schemaName, unionInfo } from '../http/schemas.js';

const REASONS: Record<number, string> = {
  200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 412: 'Precondition Failed', 500: 'Internal Server Error',
};

type Json = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.0 document the server serves at /spec/v1 from the operations themselves.
 * Named schemas become components and are referenced; everything else is written inline.
 */
export function buildSpec(ops: Operation[], serverUrl = '/v1'): Json {
  const components: Record<string, Json> = {};

  const emit = (schema: unknown, top = false): unknown => {
    if (Array.isArray(schema)) return schema.map((s) => emit(s));
    if (schema === null || typeof schema !== 'object') return schema;
    const name = schemaName(schema);
    if (name && !top) {
      if (!(name in components)) {
        components[name] = {}; // reserve first: schemas may refer to themselves
        components[name] = emit(schema, true) as Json;
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    const union = unionInfo(schema);
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$id') continue;
      out[k] = emit(v);
    }
    if (union) {
      out.discriminator = {
        propertyName: union.property,
        mapping: Object.fromEntries(Object.entries(union.mapping).map(([value, member]) => [value, `#/components/schemas/${schemaName(member)}`])),
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
  for (const op of ops) {
    const responses: Json = {};
    if (op.success.status === 200) {
      responses['200'] = { description: REASONS[200], content: { 'application/json': { schema: emit(op.success.schema) } } };
    } else {
      responses['204'] = { description: REASONS[204] };
    }
    for (const code of op.errors) {
      responses[String(code)] = { description: REASONS[code] ?? 'Error', content: { 'application/json': { schema: emit(ErrorSchema) } } };
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
    if (op.permission) entry['x-permission'] = [{ action: op.permission }];
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = entry;
  }

  return {
    openapi: '3.0.3',
    info: {
      title: 'Astrolabe — Astro API v1',
      version: 'v1.0',
      description: 'A self-hosted server speaking the Astro API v1: organizations, workspaces, clusters and more.',
    },
    servers: [{ url: serverUrl }],
    security: [{ JWT: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { badRequest, FieldCode, type ApiError, type FieldError } from './errors.js';

/*
 * Checking a value against a schema and saying what is wrong with it as field errors. Framework
 * free: the families check nested bodies with assertValid, and the request validators Fastify gets
 * (http/validation.ts) use the same Ajv setup, and the error handler reports their failures
 * through validationError.
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * An Ajv instance with the server's options. `coerce` is for values that arrive as text (path and
 * query): they are coerced to the declared types and take their defaults. Bodies are checked
 * strictly (a string is never taken for a number).
 */
export function newAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    removeAdditional: false,
  });
  addFormats(ajv);
  return ajv;
}

export const bodyAjv = newAjv(false);

const cache = new WeakMap<object, ValidateFunction>();

export function compileBody(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = bodyAjv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/**
 * The field-error code of each Ajv keyword the schemas use (and of storageErrors' own two). A
 * keyword missing here would be reported as `invalid`; the schemas use none today.
 */
const CODE_BY_KEYWORD: Record<string, FieldCode> = {
  required: FieldCode.required,
  maxLength: FieldCode.max,
  minLength: FieldCode.min,
  maximum: FieldCode.max,
  minimum: FieldCode.min,
  exclusiveMaximum: FieldCode.lt,
  exclusiveMinimum: FieldCode.gt,
  maxItems: FieldCode.max,
  minItems: FieldCode.min,
  enum: FieldCode.oneOf,
  const: FieldCode.oneOf,
  type: FieldCode.type,
  format: FieldCode.format,
  pattern: FieldCode.pattern,
  uniqueItems: FieldCode.unique,
  nul: FieldCode.nul,
  finite: FieldCode.type,
};

/** `/nodePools/0/name` → `nodePools[0].name`, prefixed by `base` for nested checks. */
function fieldPath(instancePath: string, base: string): string {
  let out = base;
  for (const escaped of instancePath.split('/').filter(Boolean)) {
    const part = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function describe(e: ErrorObject, field: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `${field} is required`;
    case 'maxLength': return `${field} must be at most ${p.limit} characters long`;
    case 'minLength': return `${field} must be at least ${p.limit} characters long`;
    case 'maximum': return `${field} must be less than or equal to ${p.limit}`;
    case 'minimum': return `${field} must be greater than or equal to ${p.limit}`;
    case 'maxItems': return `${field} must contain at most ${p.limit} items`;
    case 'minItems': return `${field} must contain at least ${p.limit} items`;
    case 'enum': return `${field} must be one of [${(p.allowedValues as unknown[]).join(' ')}]`;
    case 'const': return `${field} must be ${JSON.stringify(p.allowedValue)}`;
    case 'type': return `${field} must be of type ${p.type}`;
    case 'format': return `${field} must be a valid ${p.format}`;
    case 'nul': return `${field} must not contain the NUL character (U+0000)`;
    case 'finite': return `${field} must be a finite number`;
    default: return `${field} ${e.message ?? 'is invalid'}`;
  }
}

export function toFieldErrors(errors: ErrorObject[], base = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    let field = fieldPath(e.instancePath, base);
    if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      field = field ? `${field}.${missing}` : missing;
    }
    if (!field) field = base || 'body';
    const key = `${field}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, code: CODE_BY_KEYWORD[e.keyword] ?? FieldCode.invalid, message: describe(e, field) });
  }
  return out;
}

export function validationError(errors: ErrorObject[], base = ''): ApiError {
  const fieldErrors = toFieldErrors(errors, base);
  const first = fieldErrors[0]?.message ?? 'request is invalid';
  return badRequest(`Invalid request: ${first}`, fieldErrors);
}

/** Checks `value` against `schema` (strict body rules); throws a 400 listing every bad field. */
export function assertValid(schema: object, value: unknown, base = ''): void {
  const fn = compileBody(schema);
  if (!fn(value)) throw validationError(fn.errors ?? [], base);
}

/**
 * Most items one array of a request may hold. The reference sets no limit, but a list's values end
 * up bound in a single SQL statement (an IN list, a multi-row insert) and the stores cap bound
 * values at different counts (SQLite 32766, PostgreSQL 65535); a cap far below both makes them
 * refuse the same requests, the same way.
 */
export const MAX_ITEMS = 1000;

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * What the schemas do not say but both stores need: no string, value or object key, holds U+0000
 * (PostgreSQL text cannot store it, SQLite can), and no array is longer than MAX_ITEMS. Numbers
 * must be finite: JSON.parse and Ajv's coercion turn 1e400 into Infinity, which Ajv takes for an
 * integer and the response serializer then cannot write. Reported as Ajv errors so they read like
 * any other validation failure. Walks with its own stack: a parsed body may nest deeper than the
 * call stack allows.
 */
export function storageErrors(value: unknown): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const nul = (instancePath: string): ErrorObject => ({ instancePath, schemaPath: '#', keyword: 'nul', params: {}, message: 'must not contain U+0000' });
  // Each entry: a value and how to name its place (a parent's path and a key, joined only when
  // something is wrong there or below: most requests have nothing to report).
  const stack: [unknown, string, string | number | undefined][] = [[value, '', undefined]];
  const at = (parent: string, key: string | number | undefined) => (key === undefined ? parent : `${parent}/${typeof key === 'number' ? key : pointer(key)}`);
  while (stack.length > 0) {
    const [v, parent, key] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) errors.push(nul(at(parent, key)));
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) errors.push({ instancePath: at(parent, key), schemaPath: '#', keyword: 'finite', params: {}, message: 'must be finite' });
    } else if (Array.isArray(v)) {
      const here = at(parent, key);
      if (v.length > MAX_ITEMS) {
        errors.push({ instancePath: here, schemaPath: '#', keyword: 'maxItems', params: { limit: MAX_ITEMS }, message: `must NOT have more than ${MAX_ITEMS} items` });
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && typeof v[i] !== 'boolean') stack.push([v[i], here, i]);
    } else if (v !== null && typeof v === 'object') {
      const here = at(parent, key);
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        if (k.includes('\u0000')) errors.push(nul(at(here, k)));
        const item = (v as Record<string, unknown>)[k];
        if (item !== null && typeof item !== 'boolean') stack.push([item, here, k]);
      }
    }
  }
  return errors;
}

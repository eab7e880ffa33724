import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { badRequest, type ApiError, type FieldError } from './errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators: request bodies are checked strictly (a string is never taken for a number),
 * while path and query values, which arrive as text, are coerced to the declared types.
 */
function makeAjv(coerce: boolean): Ajv {
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

export const bodyAjv = makeAjv(false);
export const inputAjv = makeAjv(true);

const cache = new WeakMap<object, ValidateFunction>();

/**
 * A validator that compiles `schema` on its first call: as Fastify uses validators, returning
 * true/false and leaving the errors of the last call in `.errors`.
 */
export function lazyValidator(ajv: Ajv, schema: object): ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] } {
  let fn: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    fn ??= ajv.compile(schema);
    const ok = fn(data) as boolean;
    validate.errors = fn.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  return validate;
}

export function compileBody(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = bodyAjv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

const CODE_BY_KEYWORD: Record<string, string> = {
  required: 'required',
  maxLength: 'max',
  minLength: 'min',
  maximum: 'max',
  minimum: 'min',
  exclusiveMaximum: 'lt',
  exclusiveMinimum: 'gt',
  maxItems: 'max',
  minItems: 'min',
  enum: 'oneof',
  const: 'oneof',
  type: 'type',
  format: 'format',
  pattern: 'pattern',
  uniqueItems: 'unique',
};

/** `/nodePools/0/name` → `nodePools[0].name`, prefixed by `base` for nested checks. */
function fieldPath(instancePath: string, base: string): string {
  let out = base;
  for (const part of instancePath.split('/').filter(Boolean)) {
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
    out.push({ field, code: CODE_BY_KEYWORD[e.keyword] ?? e.keyword, message: describe(e, field) });
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

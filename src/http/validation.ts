import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { newAjv, storageErrors } from '../core/validation.js';

/*
 * The validators Fastify gets for the parts of a request. Bodies are checked strictly, with the
 * bodyAjv of core/validation.ts that the families' nested checks use too; path and query values,
 * which arrive as text, are coerced to the declared types (inputAjv).
 */

export const inputAjv = newAjv(true);

/** The validator Fastify gets for a request part: its schema, then storageErrors. */
export interface RequestValidator {
  (data: unknown, context?: unknown): boolean;
  errors: ErrorObject[] | null;
  schemaEnv?: unknown;
}

/**
 * The validator Fastify gets for a request part, compiled on its first call (so start-up does not
 * compile every route's schemas): the part's schema, then storageErrors. Fastify passes the
 * parent object to validators that carry `schemaEnv`, which Ajv needs to coerce a root value.
 */
export function requestValidator(ajv: Ajv, schema: object): RequestValidator {
  let fn: ValidateFunction | undefined;
  const check: RequestValidator = Object.assign((data: unknown, context?: unknown) => {
    fn ??= ajv.compile(schema);
    // Ajv first: it coerces query and path values in place, so the walk sees what handlers get.
    const valid = fn(data, context as never);
    const found = storageErrors(data);
    if (valid && found.length === 0) {
      check.errors = null;
      return true;
    }
    check.errors = [...found, ...(valid ? [] : fn.errors ?? [])];
    return false;
  }, { errors: null as ErrorObject[] | null, schemaEnv: true });
  return check;
}

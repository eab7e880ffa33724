import type { StoreError } from '../store/errors.js';
import { ApiError, FieldCode, invalidField } from '../core/errors.js';

/** The API's answer to a store error, and for a 503 how long the client should wait (Retry-After). */
export interface StoreErrorAnswer {
  error: ApiError;
  retryAfterSeconds?: number;
}

/**
 * Where the request body holds `value`, as a field path; a position in a list of ids is left off
 * (`workspaceIds`, not `workspaceIds[2]`), the way the checks name such a field.
 */
function fieldHolding(body: unknown, value: string): string | undefined {
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (v === value) return at.replace(/\[\d+\]$/, '') || undefined;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, `${at}[${i}]`]));
    else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) stack.push([item, at ? `${at}.${k}` : k]);
  }
  return undefined;
}

/**
 * The answer never carries the driver's words (they name tables, constraints and values): the
 * driver's error, `cause`, rides along as the answer's cause, for the log only. `body` is the
 * request body, to name the field of a reference that vanished.
 */
export function answerStoreError(failure: StoreError, body?: unknown, cause?: unknown): StoreErrorAnswer {
  const options = cause === undefined ? undefined : { cause };
  switch (failure.kind) {
    case 'duplicate':
      return { error: new ApiError(409, 'The request conflicts with a change made at the same time; read the current state and try again', undefined, options) };
    case 'missing-reference': {
      // When the body names the missing key (PostgreSQL says which), the answer is the one the
      // checks give a moment later: 400 on that field. Otherwise the thing is simply not found.
      const field = failure.missingKey !== undefined ? fieldHolding(body, failure.missingKey) : undefined;
      if (field) return { error: invalidField(field, FieldCode.exists, `${field} names ${failure.missingKey}, which no longer exists`, options) };
      return { error: new ApiError(404, 'Something this request refers to no longer exists', undefined, options) };
    }
    case 'busy':
      return { error: new ApiError(503, 'The store is busy with other changes; try again shortly', undefined, options), retryAfterSeconds: 1 };
    case 'unavailable':
      return { error: new ApiError(503, 'The store is unavailable; try again shortly', undefined, options), retryAfterSeconds: 5 };
    case 'unstorable':
      return { error: new ApiError(400, 'Invalid request: a value in the request cannot be stored', undefined, options) };
  }
}

/**
 * The one rule for keeping secrets out of what the server writes down: audit records (request
 * bodies) and its log (headers). Token values, passwords and secret variable values are accepted
 * by the API but must never be repeated by it.
 *
 * In a JSON body a value is replaced by REDACTED when
 * - its property is named like a secret: the name, lower-cased without `_`/`-`, contains
 *   password, passwd, passphrase, secret, token, credential, authorization, cookie or apikey,
 *   or ends in `key` (accessKey, private_key, ...) without being just `key`; unless the name ends
 *   in id, ids, name, type or days, which describe a secret without holding it (apiTokenId,
 *   tokenExpiryPeriodInDays, secretName); or
 * - it is the `value` of an object whose `isSecret` is true (secret environment variables and
 *   Airflow variables, whose `key` is only the variable's name).
 * Null and booleans are kept (`isSecret: true` says nothing secret); anything else under such a
 * name (string, number, object, array) goes as a whole. Everything else is kept as sent.
 */
export const REDACTED = '[REDACTED]';

const SECRET_WORD = /password|passwd|passphrase|secret|token|credential|authorization|cookie|apikey|.key$/;
const DESCRIPTOR = /(id|ids|name|type|days)$/;

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[_-]/g, '');
  return SECRET_WORD.test(n) && !DESCRIPTOR.test(n);
}

const keep = (v: unknown) => v === null || v === undefined || typeof v === 'boolean';

/** A copy of `value` (parsed JSON) with every secret replaced; the input is not changed. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const secretValue = obj.isSecret === true;
  // fromEntries defines properties, so even a key named __proto__ stays a plain key.
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [
    k,
    !keep(v) && (isSecretName(k) || (secretValue && k === 'value')) ? REDACTED : redactSecrets(v),
  ]));
}

/**
 * Paths pino censors in every log line (the request serializer logs no headers today; these
 * hold if one ever does, or if a line logs a request or its headers itself).
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'req.body',
  'body',
];

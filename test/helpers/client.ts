import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

interface SpecOperation {
  method: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

type Json = Record<string, any>;

/**
 * Validates responses against an OpenAPI document the server itself serves (one per surface,
 * prefix from its `servers` entry): every response a test receives under that prefix goes through
 * `check` before the test sees it.
 */
class SpecValidator {
  readonly prefix: string;
  private ajv: Ajv;
  private ops: SpecOperation[] = [];
  private compiled = new Map<unknown, ValidateFunction>();

  constructor(spec: Json) {
    this.prefix = spec.servers[0].url;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const [name, schema] of Object.entries(spec.components.schemas as Json)) {
      this.ajv.addSchema(this.toDraft(schema), `#/components/schemas/${name}`);
    }
    for (const [p, methods] of Object.entries(spec.paths as Json)) {
      const pattern = new RegExp('^' + this.prefix + p.replace(/\{[^}]+\}/g, '[^/]+') + '$');
      for (const [method, op] of Object.entries(methods as Json)) {
        this.ops.push({ method: method.toUpperCase(), pattern, responses: (op as Json).responses });
      }
    }
  }

  /** OpenAPI 3.0 discriminators and nullable are not JSON Schema: drop the first, keep the rest. */
  private toDraft(schema: any): any {
    if (Array.isArray(schema)) return schema.map((s) => this.toDraft(s));
    if (!schema || typeof schema !== 'object') return schema;
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'discriminator' || k === 'example') continue;
      out[k] = this.toDraft(v);
    }
    return out;
  }

  check(method: string, urlPath: string, res: ApiResponse): void {
    const op = this.ops.find((o) => o.method === method && o.pattern.test(urlPath));
    if (!op) {
      // Routes outside the spec (unknown paths) must still answer in the error shape.
      this.checkErrorShape(res);
      return;
    }
    if (res.status === 503 && !op.responses['503']) {
      // The store being busy or out of reach is not something one operation declares (the
      // reference declares 503 nowhere): any operation may answer it, in the error shape and
      // with a Retry-After header.
      this.checkErrorShape(res);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/, `${method} ${urlPath} answered 503 without Retry-After`);
      return;
    }
    if (res.status >= 400 && !Object.keys(op.responses).some((code) => /^[45]/.test(code))) {
      // An operation whose document declares no error answers at all (platform v1beta1's audit
      // log) still answers errors: in the error shape, as routes outside the spec do.
      this.checkErrorShape(res);
      return;
    }
    if (res.status >= 400) this.checkRequestId(res);
    const declared = op.responses[String(res.status)] ?? op.responses[`${String(res.status)[0]}XX`];
    assert.ok(declared, `${method} ${urlPath} answered ${res.status}, which the served spec does not declare (${res.text})`);
    const content = declared.content ?? {};
    const media = 'application/json' in content ? 'application/json' : Object.keys(content)[0];
    const schema = media === undefined ? undefined : content[media]?.schema;
    if (!schema) {
      assert.equal(res.text, '', `${method} ${urlPath} ${res.status} must have no body`);
      return;
    }
    if (media !== 'application/json' && res.status < 400) {
      // Bytes of another media type (fetch has undone any Content-Encoding): only the type can be checked.
      assert.equal((res.headers.get('content-type') ?? '').split(';')[0], media, `${method} ${urlPath} ${res.status} must be ${media}`);
      return;
    }
    // Errors are JSON in the error shape even where the document lists them under another media type.
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(this.toDraft(schema));
      this.compiled.set(schema, fn);
    }
    assert.ok(fn(res.body), `${method} ${urlPath} ${res.status} does not match the served spec: ${this.ajv.errorsText(fn.errors)}\n${res.text.slice(0, 2000)}`);
  }

  private checkErrorShape(res: ApiResponse): void {
    assert.ok(res.status >= 400, `unexpected success from a route outside the spec: ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(typeof res.body.message, 'string');
    assert.equal(typeof res.body.requestId, 'string');
    assert.equal(res.body.statusCode, res.status);
    this.checkRequestId(res);
  }

  /** An error names the request it answers, the same id as its X-Request-Id header. */
  private checkRequestId(res: ApiResponse): void {
    assert.equal(res.body?.requestId, res.headers.get('x-request-id'), `requestId differs from the X-Request-Id header: ${res.text.slice(0, 300)}`);
  }
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string | number | boolean | (string | number)[] | undefined>;
  headers?: Record<string, string>;
}

export class ApiClient {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly validators: SpecValidator[],
  ) {}

  /** A client validating against the documents served at `specPaths` (one per surface). */
  static async create(baseUrl: string, token: string | undefined, specPaths = ['/spec/v1']): Promise<ApiClient> {
    const validators: SpecValidator[] = [];
    for (const specPath of specPaths) {
      const res = await fetch(`${baseUrl}${specPath}`, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 200, `${specPath} is not served`);
      validators.push(new SpecValidator((await res.json()) as Json));
    }
    return new ApiClient(baseUrl, token, validators);
  }

  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token, this.validators);
  }

  async request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, String(x));
      else url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.token !== undefined && !('authorization' in headers)) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    let body: any = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const out: ApiResponse<T> = { status: res.status, body, headers: res.headers, text };
    const validator = this.validators.find((v) => url.pathname === v.prefix || url.pathname.startsWith(v.prefix + '/'));
    if (validator) validator.check(method, url.pathname, out);
    return out;
  }

  get<T = any>(path: string, query?: RequestOptions['query']) {
    return this.request<T>('GET', path, { query });
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, { body: body ?? {} });
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

/** Asserts an error response: status, the error shape, and optionally a field error. */
export function assertError(res: ApiResponse, status: number, field?: string, code?: string): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.equal(res.body.statusCode, status);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
  assert.equal(typeof res.body.requestId, 'string');
  if (field) {
    const fe = (res.body.fieldErrors ?? []) as { field: string; code: string }[];
    assert.ok(fe.some((e) => e.field === field && (code === undefined || e.code === code)), `expected fieldError ${field}/${code ?? '*'} in ${res.text}`);
  }
}

export const CUID = /^c[0-9a-z]{24}$/;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

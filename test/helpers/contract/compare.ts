/**
 * Structural comparison of two OpenAPI 3.0 documents: the published reference and the document
 * the server serves. Operations are matched by method + path template (parameter names in the
 * template do not take part in the match; the parameter comparison reports them), and each
 * matched pair is compared field by field. Every difference becomes one line:
 *
 *   <OperationId> <where>: reference <x> vs served <y>
 *
 * What is compared per operation: operationId, the `x-permission` actions (as a set), the
 * parameters (a set keyed by `in` + `name`: presence, `required`, schema), the request body
 * (presence, `required`, media types, schema) and the responses (status codes, presence of
 * content, media types, schema). Prose and presentation (`description`, `summary`, `example(s)`,
 * `tags`, `title`, `x-originalParamName`, `style`, `explode`) is ignored.
 *
 * Schemas: `$ref`s are resolved on both sides, each against its own document; where both sides
 * use a `$ref` the component names must be equal, and where only one side does the other one
 * is inlining (or naming) something it should not. Each pair of components is compared once per
 * run: a difference inside a shared component (say `Error`) is reported under the first
 * operation that reaches it, which also guards against cycles. Then, recursively: `type`,
 * `format`, `enum` and `required` (as sets), `properties` (key sets, recursing into common keys),
 * `items`, the numeric and string limits, `pattern`, `default`, `nullable`, `additionalProperties`
 * (when either side sets it), `oneOf`/`anyOf`/`allOf` (pairwise by position, or, for
 * discriminated unions, by `discriminator.propertyName`, mapping keys and each mapped member), and
 * any other schema keyword by deep equality, so nothing unknown slips through unnoticed.
 */

export type Json = Record<string, any>;

export interface Difference {
  operationId: string;
  where: string;
  reference: string;
  served: string;
}

/** A deliberate deviation from the reference, matched exactly against a difference. */
export interface AllowedDeviation extends Difference {
  reason: string;
}

export interface ServedOperation {
  /** `GET /organizations/{organizationId}/workspaces`, as the document spells the path. */
  key: string;
  operationId: string;
}

export interface CompareOptions {
  /**
   * Compare `x-permission` only where the reference records one (the reconstructed older
   * documents leave it out where no published document said; the server still enforces one).
   */
  permissionsOnlyWhereRecorded?: boolean;
}

/**
 * The reference in the dialect the served documents use (OpenAPI 3.0): a 3.1 `type: [T, "null"]`
 * becomes `type: T, nullable: true`, and the reconstruction's own `x-` notes (where a schema was
 * hoisted from, Go type names, inferred statuses) go; `x-permission` stays.
 */
export function normalizeReference(doc: Json): Json {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('x-') && k !== 'x-permission') continue;
      out[k] = walk(x);
    }
    if (Array.isArray(out.type)) {
      const types = (out.type as unknown[]).filter((t) => t !== 'null');
      if (types.length < (out.type as unknown[]).length) out.nullable = true;
      out.type = types.length === 1 ? types[0] : types;
    }
    return out;
  };
  return walk(doc) as Json;
}

export interface ComparisonResult {
  differences: Difference[];
  /** Reference operations the served document does not have. */
  notServed: ServedOperation[];
  /** Operations present in both documents. */
  compared: ServedOperation[];
}

export function formatDifference(d: Difference): string {
  return `${d.operationId} ${d.where}: reference ${d.reference} vs served ${d.served}`;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const JSON_MEDIA = 'application/json';

/** Schema keywords ignored: prose, presentation and tooling hints. */
const IGNORED = new Set(['description', 'summary', 'example', 'examples', 'title', 'tags', 'x-originalParamName', 'style', 'explode', 'externalDocs']);
/** Schema keywords compared as plain values (absent and present differ). */
const SCALARS = ['type', 'format', 'maxLength', 'minLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'maxItems', 'minItems', 'pattern', 'default'];
/** Keywords with their own comparison below. */
const STRUCTURAL = new Set([...SCALARS, '$ref', 'nullable', 'enum', 'required', 'properties', 'items', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'discriminator']);
const MAX_DEPTH = 64;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

const deepEqual = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** A set shown as the members the other side lacks, plus how many both share. */
function showSet(only: unknown[], shared: number): string {
  return `${JSON.stringify(only)}${shared ? ` (+${shared} shared)` : ''}`;
}

const refName = (ref: string) => ref.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~');

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Json)[seg];
  }
  return cur;
}

/** Resolves a non-schema object (parameter, request body, response) that may be a `$ref`. */
function deref(doc: Json, v: unknown): Json | undefined {
  let cur = v;
  for (let i = 0; i < 16 && isObject(cur) && typeof cur.$ref === 'string'; i++) cur = resolvePointer(doc, cur.$ref);
  return isObject(cur) ? cur : undefined;
}

/** A schema that is only a list of values (`{type: string, enum: [...]}`), with no structure. */
const isEnumSchema = (v: unknown): boolean => isObject(v) && Array.isArray(v.enum) && v.properties === undefined && v.$ref === undefined;

const templateKey = (method: string, p: string) => `${method.toUpperCase()} ${p.replace(/\{[^}]*\}/g, '{}')}`;

interface OpEntry {
  key: string;
  op: Json;
  pathItem: Json;
  operationId: string;
}

/** The operations of a document, keyed by method + path template with parameter names blanked. */
export function operationsOf(doc: Json): Map<string, OpEntry> {
  const out = new Map<string, OpEntry>();
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Json)) {
    if (!isObject(item)) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (!isObject(op)) continue;
      out.set(templateKey(m, p), { key: `${m.toUpperCase()} ${p}`, op, pathItem: item, operationId: String(op.operationId ?? `${m.toUpperCase()} ${p}`) });
    }
  }
  return out;
}

class Comparer {
  readonly differences: Difference[] = [];
  /** Pairs of component names already compared (or being compared) in this run. */
  private readonly seenPairs = new Set<string>();
  private opId = '';

  constructor(private readonly refDoc: Json, private readonly servedDoc: Json, private readonly options: CompareOptions) {}

  private diff(where: string, reference: string, served: string): void {
    this.differences.push({ operationId: this.opId, where, reference, served });
  }

  private value(where: string, a: unknown, b: unknown): void {
    if (!deepEqual(a, b)) this.diff(where, show(a), show(b));
  }

  private set(where: string, a: unknown[] | undefined, b: unknown[] | undefined, absentIsEmpty: boolean): void {
    if (a === undefined && b === undefined) return;
    if (!absentIsEmpty && (a === undefined || b === undefined)) {
      this.diff(where, a === undefined ? 'absent' : showSet(a, 0), b === undefined ? 'absent' : showSet(b, 0));
      return;
    }
    const ka = new Map((a ?? []).map((v) => [canonical(v), v]));
    const kb = new Map((b ?? []).map((v) => [canonical(v), v]));
    const onlyA = [...ka].filter(([k]) => !kb.has(k)).map(([, v]) => v);
    const onlyB = [...kb].filter(([k]) => !ka.has(k)).map(([, v]) => v);
    if (onlyA.length || onlyB.length) {
      const shared = ka.size - onlyA.length;
      this.diff(where, showSet(onlyA, shared), showSet(onlyB, shared));
    }
  }

  /** Compares the operation matched under `refOp`/`servedOp`. */
  operation(ref: OpEntry, served: OpEntry): void {
    this.opId = ref.operationId;
    this.value('operationId', ref.op.operationId, served.op.operationId);
    if (ref.key !== served.key) this.diff('path', show(ref.key), show(served.key));

    const actions = (op: Json) => Array.isArray(op['x-permission']) ? op['x-permission'].map((p: Json) => p?.action) : undefined;
    if (!this.options.permissionsOnlyWhereRecorded || ref.op['x-permission'] !== undefined) {
      this.set('x-permission', actions(ref.op), actions(served.op), true);
    }

    this.parameters(ref, served);
    this.requestBody(ref.op.requestBody, served.op.requestBody);
    this.responses(ref.op.responses ?? {}, served.op.responses ?? {});
  }

  private params(doc: Json, e: OpEntry): Map<string, Json> {
    const out = new Map<string, Json>();
    for (const raw of [...(e.pathItem.parameters ?? []), ...(e.op.parameters ?? [])]) {
      const p = deref(doc, raw);
      if (p) out.set(`${p.in} ${p.name}`, p);
    }
    return out;
  }

  private parameters(ref: OpEntry, served: OpEntry): void {
    const a = this.params(this.refDoc, ref);
    const b = this.params(this.servedDoc, served);
    for (const [k, pa] of a) {
      const pb = b.get(k);
      const where = `parameter ${k}`;
      if (!pb) {
        this.diff(where, 'present', 'absent');
        continue;
      }
      this.value(`${where} required`, pa.required === true, pb.required === true);
      this.value(`${where} deprecated`, pa.deprecated === true, pb.deprecated === true);
      this.schema(where, '', pa.schema, pb.schema, 0);
    }
    for (const k of b.keys()) if (!a.has(k)) this.diff(`parameter ${k}`, 'absent', 'present');
  }

  private content(where: string, a: Json | undefined, b: Json | undefined): void {
    if (!a && !b) return;
    if (!a || !b) {
      this.diff(`${where} content`, a ? 'present' : 'absent', b ? 'present' : 'absent');
      return;
    }
    for (const media of Object.keys(a)) {
      const ctx = media === JSON_MEDIA ? where : `${where} (${media})`;
      if (!(media in b)) {
        this.diff(`${where} content ${media}`, 'present', 'absent');
        continue;
      }
      this.schema(ctx, '', a[media]?.schema, b[media]?.schema, 0);
    }
    for (const media of Object.keys(b)) if (!(media in a)) this.diff(`${where} content ${media}`, 'absent', 'present');
  }

  private requestBody(rawA: unknown, rawB: unknown): void {
    const a = deref(this.refDoc, rawA);
    const b = deref(this.servedDoc, rawB);
    if (!a && !b) return;
    if (!a || !b) {
      this.diff('request body', a ? 'present' : 'absent', b ? 'present' : 'absent');
      return;
    }
    this.value('request body required', a.required === true, b.required === true);
    this.content('request body', a.content, b.content);
  }

  private responses(a: Json, b: Json): void {
    for (const code of Object.keys(a)) {
      if (!(code in b)) {
        this.diff(`response ${code}`, 'present', 'absent');
        continue;
      }
      const ra = deref(this.refDoc, a[code]);
      const rb = deref(this.servedDoc, b[code]);
      this.content(`response ${code}`, ra?.content, rb?.content);
    }
    for (const code of Object.keys(b)) if (!(code in a)) this.diff(`response ${code}`, 'absent', 'present');
  }

  /** Compares two schemas found at `path` (`.clusters[].name`) inside `ctx` (`response 200`). */
  schema(ctx: string, path: string, a: unknown, b: unknown, depth: number): void {
    const at = (suffix: string) => `${ctx} ${path}${suffix}`.trim();
    if (a === undefined && b === undefined) return;
    if (!isObject(a) || !isObject(b)) {
      this.value(at(''), a === undefined ? undefined : isObject(a) ? 'schema' : a, b === undefined ? undefined : isObject(b) ? 'schema' : b);
      return;
    }
    if (depth > MAX_DEPTH) return;

    const refA = typeof a.$ref === 'string' ? a.$ref : undefined;
    const refB = typeof b.$ref === 'string' ? b.$ref : undefined;
    if (refA || refB) {
      const ra = refA ? resolvePointer(this.refDoc, refA) : a;
      const rb = refB ? resolvePointer(this.servedDoc, refB) : b;
      // A plain enum is the same on the wire whether it is a component or inline, and whatever
      // its component is called (the older documents hoist every enum into a component of its own).
      const enums = isEnumSchema(ra) && isEnumSchema(rb);
      if (refA && refB) {
        const pair = `${refName(refA)}|${refName(refB)}`;
        if (this.seenPairs.has(pair)) return;
        this.seenPairs.add(pair);
        if (refName(refA) !== refName(refB) && !enums) this.diff(at('.$ref'), refName(refA), refName(refB));
      } else if (!enums) {
        this.diff(at('.$ref'), refA ? refName(refA) : 'inline schema', refB ? refName(refB) : 'inline schema');
      }
      if (ra === undefined || rb === undefined) {
        this.diff(at('.$ref'), ra === undefined ? `unresolvable ${refA}` : 'resolved', rb === undefined ? `unresolvable ${refB}` : 'resolved');
        return;
      }
      this.schema(ctx, path, ra, rb, depth + 1);
      return;
    }

    for (const k of SCALARS) this.value(at(`.${k}`), a[k], b[k]);
    this.value(at('.nullable'), a.nullable === true, b.nullable === true);
    this.set(at('.enum'), a.enum, b.enum, false);
    this.set(at('.required'), a.required, b.required, true);

    if (a.properties !== undefined || b.properties !== undefined) {
      const pa: Json = isObject(a.properties) ? a.properties : {};
      const pb: Json = isObject(b.properties) ? b.properties : {};
      for (const k of Object.keys(pa)) {
        if (k in pb) this.schema(ctx, `${path}.${k}`, pa[k], pb[k], depth + 1);
        else this.diff(at(`.${k}`), 'present', 'absent');
      }
      for (const k of Object.keys(pb)) if (!(k in pa)) this.diff(at(`.${k}`), 'absent', 'present');
    }

    if (a.items !== undefined || b.items !== undefined) {
      if (a.items === undefined || b.items === undefined) this.diff(at('[]'), a.items === undefined ? 'absent' : 'present', b.items === undefined ? 'absent' : 'present');
      else this.schema(ctx, `${path}[]`, a.items, b.items, depth + 1);
    }

    if (a.additionalProperties !== undefined || b.additionalProperties !== undefined) {
      if (isObject(a.additionalProperties) && isObject(b.additionalProperties)) {
        this.schema(ctx, `${path}.additionalProperties`, a.additionalProperties, b.additionalProperties, depth + 1);
      } else {
        const shape = (v: unknown) => (isObject(v) ? 'schema' : v);
        this.value(at('.additionalProperties'), shape(a.additionalProperties), shape(b.additionalProperties));
      }
    }

    const da = isObject(a.discriminator) ? a.discriminator : undefined;
    const db = isObject(b.discriminator) ? b.discriminator : undefined;
    if (da || db) {
      if (!da || !db) this.diff(at('.discriminator'), da ? 'present' : 'absent', db ? 'present' : 'absent');
      else {
        this.value(at('.discriminator.propertyName'), da.propertyName, db.propertyName);
        const ma: Json = isObject(da.mapping) ? da.mapping : {};
        const mb: Json = isObject(db.mapping) ? db.mapping : {};
        this.set(at('.discriminator.mapping'), Object.keys(ma), Object.keys(mb), true);
        for (const k of Object.keys(ma)) {
          if (k in mb) this.schema(ctx, `${path}<${k}>`, { $ref: ma[k] }, { $ref: mb[k] }, depth + 1);
        }
      }
    }

    for (const kw of ['oneOf', 'anyOf', 'allOf'] as const) {
      const xa: unknown[] | undefined = Array.isArray(a[kw]) ? a[kw] : undefined;
      const xb: unknown[] | undefined = Array.isArray(b[kw]) ? b[kw] : undefined;
      if (!xa && !xb) continue;
      if (!xa || !xb) {
        this.diff(at(`.${kw}`), xa ? `${xa.length} members` : 'absent', xb ? `${xb.length} members` : 'absent');
        continue;
      }
      const mapped = kw === 'oneOf' && isObject(da?.mapping) && isObject(db?.mapping);
      const allRefs = (xs: unknown[]) => xs.every((x) => isObject(x) && typeof x.$ref === 'string');
      if (mapped && allRefs(xa) && allRefs(xb)) {
        // Members are compared through the mapping above; here only which components take part.
        this.set(at(`.${kw}`), xa.map((x) => refName((x as Json).$ref)), xb.map((x) => refName((x as Json).$ref)), true);
        continue;
      }
      if (xa.length !== xb.length) this.diff(at(`.${kw}`), `${xa.length} members`, `${xb.length} members`);
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) this.schema(ctx, `${path}.${kw}[${i}]`, xa[i], xb[i], depth + 1);
    }

    const others = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !STRUCTURAL.has(k) && !IGNORED.has(k)));
    for (const k of [...others].sort()) this.value(at(`.${k}`), a[k], b[k]);
  }
}

/**
 * Compares every operation the served document has with the reference. Operations only in the
 * reference are listed as not served (not a difference); operations only in the served document
 * are a difference.
 */
export function compareDocuments(rawReference: Json, served: Json, options: CompareOptions = {}): ComparisonResult {
  const reference = normalizeReference(rawReference);
  const refOps = operationsOf(reference);
  const servedOps = operationsOf(served);
  const c = new Comparer(reference, served, options);
  const notServed: ServedOperation[] = [];
  const compared: ServedOperation[] = [];
  for (const [k, r] of refOps) {
    const s = servedOps.get(k);
    if (!s) {
      notServed.push({ key: r.key, operationId: r.operationId });
      continue;
    }
    compared.push({ key: r.key, operationId: r.operationId });
    c.operation(r, s);
  }
  const differences = [...c.differences];
  for (const [k, s] of servedOps) {
    if (!refOps.has(k)) differences.push({ operationId: s.operationId, where: `operation ${s.key}`, reference: 'absent', served: 'present' });
  }
  return { differences, notServed, compared };
}

/** Splits differences into the ones an allow-list entry covers and the rest; also returns unused entries. */
export function applyAllowList(differences: Difference[], allowed: AllowedDeviation[]): { unexpected: Difference[]; allowed: Difference[]; unused: AllowedDeviation[] } {
  const matches = (d: Difference, e: AllowedDeviation) => d.operationId === e.operationId && d.where === e.where && d.reference === e.reference && d.served === e.served;
  const used = new Set<AllowedDeviation>();
  const unexpected: Difference[] = [];
  const ok: Difference[] = [];
  for (const d of differences) {
    const e = allowed.find((x) => matches(d, x));
    if (e) {
      used.add(e);
      ok.push(d);
    } else unexpected.push(d);
  }
  return { unexpected, allowed: ok, unused: allowed.filter((e) => !used.has(e)) };
}

/**
 * The allow-list entries no difference needs: one whose difference is gone, and one repeating an
 * earlier entry (a difference is credited to the first entry it matches). By position, so an
 * entry spread into a list twice counts as two.
 */
export function staleEntries(differences: Difference[], allowed: AllowedDeviation[]): AllowedDeviation[] {
  const used = new Set<number>();
  for (const d of differences) {
    const i = allowed.findIndex((e) => d.operationId === e.operationId && d.where === e.where && d.reference === e.reference && d.served === e.served);
    if (i >= 0) used.add(i);
  }
  return allowed.filter((_, i) => !used.has(i));
}

import { FieldCode, invalidField } from '../../core/errors.js';
import type { ObjectType } from './schema.js';

/**
 * The typed block of each object type, as stored: `data` holds the fields that are not secret
 * (JSON in the row), `secrets` the secret ones (JSON sealed by store/crypto.ts). Link overrides are
 * stored the same way. Empty secrets are never stored: an empty secret in a request means "keep".
 */
export type Data = Record<string, unknown>;
export type Secrets = Record<string, string>;
export interface Stored {
  data: Data;
  secrets: Secrets;
}

export type Block = 'airflowVariable' | 'connection' | 'environmentVariable' | 'metricsExport';

interface TypeInfo {
  /** Property of the request and response that carries the block. */
  block: Block;
  /** Fields of the block (and of its link overrides). */
  fields: readonly string[];
  /** Fields that are JSON objects, overridden and unset member by member. */
  maps: readonly string[];
  /** Secret fields; a variable's value is secret when the variable is. */
  secret: (isSecret: boolean) => readonly string[];
}

export const TYPES: Record<ObjectType, TypeInfo> = {
  AIRFLOW_VARIABLE: { block: 'airflowVariable', fields: ['value'], maps: [], secret: (s) => (s ? ['value'] : []) },
  ENVIRONMENT_VARIABLE: { block: 'environmentVariable', fields: ['value'], maps: [], secret: (s) => (s ? ['value'] : []) },
  CONNECTION: { block: 'connection', fields: ['extra', 'host', 'login', 'password', 'port', 'schema', 'type'], maps: ['extra'], secret: () => ['password'] },
  METRICS_EXPORT: {
    block: 'metricsExport',
    fields: ['authType', 'basicToken', 'endpoint', 'exporterType', 'headers', 'labels', 'password', 'sigV4AssumeArn', 'sigV4StsRegion', 'username'],
    maps: ['headers', 'labels'],
    secret: () => ['basicToken', 'password'],
  },
};

export const BLOCKS = Object.values(TYPES).map((t) => t.block);

/** Connection fields written but never shown. */
export const WRITE_ONLY = ['authTypeId'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks what the schema cannot say about a block (or an override block) at `at`. */
export function checkBlock(at: string, values: Record<string, unknown>): void {
  const port = values.port;
  if (port !== undefined && (typeof port !== 'number' || port < 0 || port > 65535)) {
    throw invalidField(`${at}.port`, FieldCode.max, `${at}.port must be between 0 and 65535`);
  }
}

/**
 * Splits the fields a request sends into data and secrets. Empty secrets are left out (they mean
 * "keep"); fields of no kind the type knows are dropped (write-only ones are kept by the caller).
 */
export function split(type: ObjectType, isSecret: boolean, values: Record<string, unknown>): Stored {
  const info = TYPES[type];
  const secret = info.secret(isSecret);
  const out: Stored = { data: {}, secrets: {} };
  for (const f of info.fields) {
    const v = values[f];
    if (v === undefined) continue;
    if (secret.includes(f)) {
      if (v !== '') out.secrets[f] = String(v);
    } else {
      out.data[f] = v;
    }
  }
  return out;
}

/**
 * The fields that hold a value, secrets included; map members as dotted paths. Sorted. A field
 * that is not secret counts once given (an override of "" is an override); a secret counts when
 * one is stored (empty ones never are).
 */
export function setFields(type: ObjectType, s: Stored): string[] {
  const info = TYPES[type];
  const out: string[] = [];
  for (const f of info.fields) {
    const v = s.data[f];
    if (info.maps.includes(f)) {
      if (isObject(v)) for (const k of Object.keys(v)) out.push(`${f}.${k}`);
    } else if ((v !== undefined && v !== null) || (s.secrets[f] ?? '') !== '') {
      out.push(f);
    }
  }
  return out.sort();
}

/** What a linked Deployment sees: the object's fields with the link's overrides on top (maps member by member). */
export function applyOverrides(type: ObjectType, base: Stored, over: Stored): Stored {
  const data: Data = { ...base.data };
  for (const [f, v] of Object.entries(over.data)) {
    data[f] = TYPES[type].maps.includes(f) && isObject(v) ? { ...(isObject(base.data[f]) ? base.data[f] : {}), ...v } : v;
  }
  return { data, secrets: { ...base.secrets, ...over.secrets } };
}

/**
 * A link's stored overrides after an update's override block and unsetFields: fields sent replace
 * theirs (map members one by one; an empty secret keeps the stored one), fields left out are
 * kept, unset fields go. `at` names the request's override entry for errors.
 */
export function mergeOverrides(type: ObjectType, isSecret: boolean, stored: Stored, sent: Record<string, unknown> | undefined, unset: string[], at: string): Stored {
  const info = TYPES[type];
  const incoming = split(type, isSecret, sent ?? {});
  const data: Data = { ...stored.data };
  const secrets: Secrets = { ...stored.secrets };
  for (const [i, name] of unset.entries()) {
    const field = `${at}.unsetFields[${i}]`;
    const dot = name.indexOf('.');
    const top = dot < 0 ? name : name.slice(0, dot);
    if (!info.fields.includes(top) || (dot >= 0 && !info.maps.includes(top)) || (dot >= 0 && dot === name.length - 1)) {
      throw invalidField(field, FieldCode.oneOf, `${field} "${name}" is not an override field of a ${type}; one of [${info.fields.join(' ')}], or a member of ${info.maps.length ? info.maps.join(' or ') : 'no map'} as <field>.<key>`);
    }
    const sentValue = sent?.[top];
    const clash = dot < 0 ? sentValue !== undefined : isObject(sentValue) && Object.hasOwn(sentValue, name.slice(dot + 1));
    if (clash) throw invalidField(field, FieldCode.excluded, `${field} "${name}" is also set in this override; a field cannot be both set and unset`);
    if (dot < 0) {
      delete data[top];
      delete secrets[top];
    } else if (isObject(data[top])) {
      const rest = { ...(data[top] as Record<string, unknown>) };
      delete rest[name.slice(dot + 1)];
      if (Object.keys(rest).length > 0) data[top] = rest;
      else delete data[top];
    }
  }
  for (const [f, v] of Object.entries(incoming.data)) {
    data[f] = info.maps.includes(f) && isObject(v) ? { ...(isObject(data[f]) ? data[f] : {}), ...v } : v;
  }
  Object.assign(secrets, incoming.secrets);
  return { data, secrets };
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { rootDb } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { ensureSecret } from '../../store/secrets.js';
import type { LogSource } from './repo.js';

/*
 * A searchId carries the whole definition of a search as its first page fixed it (Deployment,
 * sources, words, time window, the last line number then written, maxNumResults), signed with a
 * key kept in the store so every server instance accepts the others' ids. Later pages read
 * exactly those lines; nothing is kept per search.
 */

export interface FrozenSearch {
  deploymentId: string;
  sources: LogSource[];
  searchText: string;
  fromUs: number;
  toUs: number;
  upToSeq: number;
  maxNumResults: number;
}

const KEY_NAME = 'log_search_key';
const keys = new WeakMap<object, Promise<Buffer>>();

function key(q: Queryable): Promise<Buffer> {
  const db = rootDb(q);
  let k = keys.get(db);
  if (!k) {
    k = ensureSecret(db, KEY_NAME, () => randomBytes(32).toString('base64')).then((v) => Buffer.from(v, 'base64'));
    k.catch(() => keys.delete(db));
    keys.set(db, k);
  }
  return k;
}

const mac = (k: Buffer, payload: string) => createHmac('sha256', k).update(payload).digest().subarray(0, 18);

export async function encodeSearchId(q: Queryable, s: FrozenSearch): Promise<string> {
  const payload = Buffer.from(JSON.stringify([1, s.deploymentId, s.sources, s.searchText, s.fromUs, s.toUs, s.upToSeq, s.maxNumResults])).toString('base64url');
  return `${payload}.${mac(await key(q), payload).toString('base64url')}`;
}

/** The search a searchId stands for, or undefined when it is not one this server signed. */
export async function decodeSearchId(q: Queryable, id: string): Promise<FrozenSearch | undefined> {
  const [payload, sig, extra] = id.split('.');
  if (!payload || !sig || extra !== undefined || id.length > 64 * 1024) return undefined;
  // Compared as text: base64url decoding would ignore a trailing extra character.
  const given = Buffer.from(sig);
  const expected = Buffer.from(mac(await key(q), payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [v, deploymentId, sources, searchText, fromUs, toUs, upToSeq, maxNumResults] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    if (v !== 1) return undefined;
    return { deploymentId, sources, searchText, fromUs, toUs, upToSeq, maxNumResults } as FrozenSearch;
  } catch {
    return undefined;
  }
}

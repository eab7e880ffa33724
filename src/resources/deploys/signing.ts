import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/types.js';
import { ensureSecret } from '../../store/secrets.js';
import type { UploadKind } from './repo.js';

/*
 * The upload URLs of deploys carry their own authorization, as Azure SAS URLs do: `se` (when the
 * URL stops working, RFC 3339) and `sig`, an HMAC-SHA256 of the deploy id, the kind of upload and
 * `se` under a key the server generates once and keeps in server_secrets (shared by every
 * instance on the store). The Azure SDK keeps the query and adds its own parameters to it.
 */

const KEY_NAME = 'upload_signing_key';
/** How long an upload URL works after its deploy is created. */
export const UPLOAD_URL_SECONDS = 7200;

const keys = new WeakMap<Db, Promise<Buffer>>();

/**
 * The signing key, made on first use. Take it before opening a transaction: it is read on the
 * database itself (on SQLite, a query beside an open transaction would wait for it forever), and a
 * request that rolls back must not take a new key with it.
 */
export function uploadKey(db: Db): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = ensureSecret(db, KEY_NAME, () => randomBytes(32).toString('base64')).then((v) => Buffer.from(v, 'base64'));
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

function mac(key: Buffer, deployId: string, kind: UploadKind, expires: string): string {
  return createHmac('sha256', key).update(`${deployId}\n${kind}\n${expires}`).digest('base64url');
}

/** The path of a deploy's upload, below the server's base URL. */
export function uploadPath(deployId: string, kind: UploadKind): string {
  return `/blob/${deployId}/${kind === 'dags' ? 'dags' : 'bundle'}.tar.gz`;
}

export function signedUploadUrl(key: Buffer, baseUrl: string, deployId: string, kind: UploadKind, expires: string): string {
  const sig = mac(key, deployId, kind, expires);
  return `${baseUrl}${uploadPath(deployId, kind)}?se=${encodeURIComponent(expires)}&sig=${sig}`;
}

/** Whether `sig` signs this upload and `se` is still ahead of `now`. */
export function checkSignature(key: Buffer, deployId: string, kind: UploadKind, expires: unknown, sig: unknown, now: Date): 'ok' | 'invalid' | 'expired' {
  if (typeof expires !== 'string' || typeof sig !== 'string') return 'invalid';
  const want = Buffer.from(mac(key, deployId, kind, expires));
  const got = Buffer.from(sig);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'invalid';
  const at = Date.parse(expires);
  if (Number.isNaN(at) || at <= now.getTime()) return 'expired';
  return 'ok';
}

import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ensureSecret } from './secrets.js';
import { rootDb } from './transactions.js';
import type { Db, Queryable } from './types.js';

/**
 * Secrets at rest: the one place that encrypts what the API accepts as secret (secret variable
 * values, connection passwords, metrics-export credentials) before it reaches a table.
 *
 * AES-256-GCM with a 32-byte key. A sealed value is text:
 *
 *   v1.<key id>.<base64url(12-byte nonce | ciphertext | 16-byte tag)>
 *
 * `v1` names the format (a later format gets another prefix, and values of both can be read side
 * by side); the key id (8 hex digits of a SHA-256 of the key) says which key sealed it, so a key
 * can be replaced later while values sealed with the old one are still opened with it, and a
 * wrong key is reported as such instead of as corrupted data. The header is authenticated too
 * (GCM additional data): a value cannot be passed off as sealed by another key or format.
 *
 * Where the key comes from (resolveSecretBox): ASTROLABE_SECRET_KEY when set; otherwise, on
 * SQLite, `<data dir>/secret-key`, generated on the first start (mode 0600); on PostgreSQL,
 * where several servers share one store and must share the key, a key generated once into the
 * store's server_secrets table. A check value sealed with the key (server_secrets
 * `secret_key_check`) makes a server that starts with another key refuse to start, rather than
 * fail later on every secret it reads. openStore resolves the box once (openingSecretBox) and
 * attaches it to the store, where secretBox() finds it from any connection or transaction.
 */

const FORMAT = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

export interface SecretBox {
  /** Id of the key new values are sealed with. */
  readonly keyId: string;
  /** Seals `plain` with the current key; every call uses a fresh nonce. */
  seal(plain: string): string;
  /** Opens a value sealed by seal() with any key this box holds; throws on anything else. */
  open(sealed: string): string;
}

export class SecretKeyError extends Error {}

/** ASTROLABE_SECRET_KEY's text: 32 bytes as base64 (44 characters) or hex (64 characters). */
export function parseSecretKey(text: string, source = 'ASTROLABE_SECRET_KEY'): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== SECRET_KEY_BYTES) {
    throw new SecretKeyError(`${source} must be 32 bytes written as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('astrolabe secret key id\u0000').update(key).digest('hex').slice(0, 8);
}

/** A box sealing with `key` and opening with it or any of `older` (keys being rotated out). */
export function makeSecretBox(key: Buffer, older: Buffer[] = []): SecretBox {
  const keys = new Map<string, Buffer>();
  for (const k of [key, ...older]) keys.set(keyIdOf(k), k);
  const keyId = keyIdOf(key);
  return {
    keyId,
    seal(plain) {
      const header = `${FORMAT}.${keyId}`;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(header));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${header}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(sealed) {
      const parts = sealed.split('.');
      if (parts.length !== 3 || parts[0] !== FORMAT) throw new SecretKeyError('not a sealed secret of a known format');
      const k = keys.get(parts[1]!);
      if (!k) throw new SecretKeyError(`the secret was sealed with key ${parts[1]}, which this server does not hold (its key is ${keyId})`);
      const raw = Buffer.from(parts[2]!, 'base64url');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretKeyError('sealed secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(`${parts[0]}.${parts[1]}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

export interface SecretKeySource {
  /** ASTROLABE_SECRET_KEY, parsed. */
  secretKey?: Buffer;
  dataDir: string;
  postgres: boolean;
}

const KEY_FILE = 'secret-key';
const STORED_KEY = 'secret_encryption_key';
const CHECK = 'secret_key_check';
const CHECK_TEXT = 'astrolabe secret key check';

/** The key file of the data dir: read it, or create it (exclusively, mode 0600) when absent. */
function fileKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(SECRET_KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseSecretKey(fs.readFileSync(file, 'utf8'), file);
}

/**
 * The store's secret box, from the configured key, the data dir's key file or (PostgreSQL) the
 * store. `db` may be a migration's connection: server_secrets exists from the first migration on.
 */
export async function resolveSecretBox(db: Queryable, src: SecretKeySource): Promise<SecretBox> {
  let key = src.secretKey;
  if (!key && !src.postgres) key = fileKey(src.dataDir);
  if (!key) key = parseSecretKey(await ensureSecret(db, STORED_KEY, () => randomBytes(SECRET_KEY_BYTES).toString('base64')), 'the stored secret key');
  return makeSecretBox(key);
}

/**
 * Refuses a key other than the one this store's secrets were sealed with: the first start seals a
 * check value, every later start must open it.
 */
export async function checkSecretBox(db: Queryable, box: SecretBox): Promise<void> {
  const check = await ensureSecret(db, CHECK, () => box.seal(CHECK_TEXT));
  let ok: boolean;
  try {
    ok = box.open(check) === CHECK_TEXT;
  } catch {
    ok = false;
  }
  if (!ok) {
    const stored = check.split('.')[1] ?? 'unknown';
    throw new SecretKeyError(`the secret key in use (id ${box.keyId}) is not the one this store's secrets were encrypted with (id ${stored}): `
      + 'set ASTROLABE_SECRET_KEY to that key, or restore the data directory\'s secret-key file');
  }
}

/**
 * The secret box of a store being opened, resolved once: by the first migration that needs it
 * (inside that migration's transaction, where a generated PostgreSQL key is stored with the
 * migration), or by attach() once the migrations ran.
 */
export function openingSecretBox(src: SecretKeySource): { resolve(db: Queryable): Promise<SecretBox>; attach(db: Db): Promise<void> } {
  let box: Promise<SecretBox> | undefined;
  const resolve = (db: Queryable) => (box ??= resolveSecretBox(db, src));
  return {
    resolve,
    /** Checks the box against the store (checkSecretBox) and makes it `db`'s secretBox(). */
    async attach(db) {
      const resolved = await resolve(db);
      await checkSecretBox(db, resolved);
      boxes.set(db, resolved);
    },
  };
}

const boxes = new WeakMap<Db, SecretBox>();

/**
 * The secret box of the store behind `q`: what seals secrets before they are written and opens
 * them when read.
 */
export function secretBox(q: Queryable): SecretBox {
  const b = boxes.get(rootDb(q));
  if (!b) throw new Error('the store has no secret box');
  return b;
}

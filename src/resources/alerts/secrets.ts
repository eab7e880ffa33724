import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/db.js';
import { ensureSecret } from '../../store/secrets.js';

/**
 * The secret parts of notification channel definitions (webhook URL, integration key, API key,
 * Deployment API token) are kept encrypted (AES-256-GCM) with a key the server generates once
 * and keeps among its own secrets. The API never returns them: Terraform keeps what it sent.
 * They are decrypted only to deliver notifications, which this server does not do yet.
 */
const KEY_NAME = 'notification-channel-secret-key';
const VERSION = 'v1';

async function key(db: Queryable): Promise<Buffer> {
  return Buffer.from(await ensureSecret(db, KEY_NAME, () => randomBytes(32).toString('base64')), 'base64');
}

export async function sealSecret(db: Queryable, value: Record<string, string>): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await key(db), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export async function openSecret(db: Queryable, sealed: string): Promise<Record<string, string>> {
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', await key(db), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Record<string, string>;
}

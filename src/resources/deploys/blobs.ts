import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/types.js';
import * as repo from './repo.js';

/*
 * Uploaded tarballs, stored once per content (sha256). On SQLite they are files under the data
 * directory (`blobs/<first two hex digits>/<digest>`), written whole to a temporary name and then
 * renamed, so a reader never sees half a file; on PostgreSQL they are rows of blob_contents, so
 * every server instance on the database reads the same bytes.
 */

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function filePath(app: AppContext, digest: string): string {
  return path.join(app.config.dataDir, 'blobs', digest.slice(0, 2), digest);
}

/** Stores `content` under its digest (in `db`'s transaction on PostgreSQL) and returns the digest. */
export async function putBlob(app: AppContext, db: Queryable, content: Buffer): Promise<string> {
  const digest = sha256(content);
  if (app.store.kind === 'postgres') {
    await repo.putBlobContent(db, digest, content);
    return digest;
  }
  const file = filePath(app, digest);
  try {
    await fs.access(file);
    return digest;
  } catch {
    // Not there yet.
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, file);
  return digest;
}

/** The bytes stored under `digest`, if any. */
export async function readBlob(app: AppContext, digest: string): Promise<Buffer | undefined> {
  if (!/^[0-9a-f]{64}$/.test(digest)) return undefined;
  if (app.store.kind === 'postgres') return repo.blobContent(app.db, digest);
  try {
    return await fs.readFile(filePath(app, digest));
  } catch {
    return undefined;
  }
}

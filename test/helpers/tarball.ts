import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * Builds real .tar.gz archives for upload tests (ustar headers, as `tar czf` writes them), and
 * speaks to an upload URL the way the astro CLI's Azure SDK does.
 */

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write(Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, '0') + '\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

export interface TarEntry {
  name: string;
  content?: Buffer | string;
}

/** A tar archive of `entries` (names ending in / are folders), gzip-compressed. */
export function tarGz(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.name.endsWith('/')) {
      parts.push(header(e.name, 0, '5'));
      continue;
    }
    const data = typeof e.content === 'string' ? Buffer.from(e.content) : e.content ?? Buffer.alloc(0);
    parts.push(header(e.name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A DAGs folder as `astro deploy --dags` packs it: Python files plus data that does not compress, `size` bytes of it. */
export function dagsTarball(size: number): { gz: Buffer; files: string[] } {
  const dag = (id: string) => `from airflow.decorators import dag, task\nimport pendulum\n\n@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1))\ndef ${id}():\n    @task\n    def hello():\n        print("hello from ${id}")\n    hello()\n\n${id}()\n`;
  const files = ['dags/example_one.py', 'dags/example_two.py', 'dags/include/model.bin'];
  const gz = tarGz([
    { name: 'dags/' },
    { name: files[0]!, content: dag('example_one') },
    { name: files[1]!, content: dag('example_two') },
    { name: 'dags/include/' },
    { name: files[2]!, content: randomBytes(size) },
  ]);
  return { gz, files };
}

export interface BlobAnswer {
  status: number;
  headers: Headers;
  text: string;
}

async function put(url: string, body: Buffer | string, headers: Record<string, string>): Promise<BlobAnswer> {
  const res = await fetch(url, { method: 'PUT', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Adds the SDK's query parameters to an upload URL, keeping its own. */
export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

const SDK_HEADERS = { 'x-ms-version': '2023-11-03', 'user-agent': 'azsdk-go-azblob/v1.4.0 (go1.23; linux)', accept: 'application/xml' };

/** Put Blob: the whole tarball in one request (what the SDK does below its 1 MiB block size). */
export function putBlob(url: string, body: Buffer, extra: Record<string, string> = {}): Promise<BlobAnswer> {
  return put(url, body, { ...SDK_HEADERS, 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/octet-stream', ...extra });
}

/** Put Block: one staged block. */
export function putBlock(url: string, blockId: string, body: Buffer): Promise<BlobAnswer> {
  return put(withQuery(url, { comp: 'block', blockid: blockId }), body, { ...SDK_HEADERS });
}

/** Put Block List: the staged blocks, in order, become the blob. */
export function putBlockList(url: string, blockIds: string[]): Promise<BlobAnswer> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<BlockList>${blockIds.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
  return put(withQuery(url, { comp: 'blocklist' }), xml, { ...SDK_HEADERS, 'content-type': 'application/xml' });
}

/** A block id as the SDK makes them: a UUID string, base64-encoded. */
export function newBlockId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

/** UploadStream as the SDK runs it for a payload of at least one block: 1 MiB blocks, one at a time, then the block list. */
export async function uploadInBlocks(url: string, payload: Buffer, blockSize = 1024 * 1024): Promise<{ blocks: BlobAnswer[]; commit: BlobAnswer }> {
  const ids: string[] = [];
  const blocks: BlobAnswer[] = [];
  for (let at = 0; at < payload.length; at += blockSize) {
    const id = newBlockId();
    ids.push(id);
    blocks.push(await putBlock(url, id, payload.subarray(at, at + blockSize)));
  }
  return { blocks, commit: await putBlockList(url, ids) };
}

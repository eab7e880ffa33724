import { gunzipSync } from 'node:zlib';

/*
 * Checks that an upload is a gzip-compressed tar archive by reading it: gunzip (bounded, so a
 * small bomb cannot take the memory), then a walk over the 512-byte tar headers, each checked by
 * its checksum. Knows ustar/GNU names (prefix field, GNU long names) and pax `path` records.
 */

export class NotATarball extends Error {}

const BLOCK = 512;

function text(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** A numeric header field: octal text, or GNU base-256 (high bit set) for large values. */
function number(buf: Buffer, start: number, length: number): number {
  const field = buf.subarray(start, start + length);
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const digits = text(buf, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new NotATarball('a tar header holds a malformed number');
  return parseInt(digits, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = number(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

function paxPath(data: Buffer): string | undefined {
  let at = 0;
  let found: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    at += length;
  }
  return found;
}

/** The regular files of a .tar.gz, in archive order; throws NotATarball for anything else. */
export function tarballFiles(gz: Buffer, maxUnpackedBytes: number): string[] {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new NotATarball('the upload is not gzip-compressed');
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: maxUnpackedBytes });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new NotATarball(`the archive unpacks to more than ${maxUnpackedBytes} bytes`);
    throw new NotATarball('the upload is not valid gzip data');
  }
  const files: string[] = [];
  let at = 0;
  let longName: string | undefined;
  let ended = false;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    if (!checksumOk(header)) throw new NotATarball(`the tar header at byte ${at} is damaged (checksum mismatch)`);
    const size = number(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const dataStart = at + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw new NotATarball('the tar archive is cut short');
    const data = tar.subarray(dataStart, dataEnd);
    if (type === 'L') {
      longName = text(data, 0, data.length);
    } else if (type === 'x') {
      longName = paxPath(data) ?? longName;
    } else if (type !== 'g' && type !== 'K') {
      const magic = text(header, 257, 6);
      const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
      const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      longName = undefined;
      if (type === '0' || type === '\0' || type === '7') files.push(name);
    }
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  // An archive ends with zero blocks; some writers leave them out, but a header walk that ran
  // off the end without a single header found nothing that makes it an archive.
  if (!ended && at === 0) throw new NotATarball('the upload holds no tar archive');
  return files;
}

import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Ids shaped like Astro's CUIDs: `c` followed by 24 characters of [0-9a-z].
 * Layout: 8 chars of millisecond time, 4 of a per-process counter, 12 random.
 * Time first keeps ids roughly ordered by creation, which suits B-tree indexes.
 */
let counter = randomBytes(2).readUInt16BE(0);
const BASE = 36;

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(s.length - n) : '0'.repeat(n - s.length) + s;
}

/** Random bytes drawn a few kilobytes at a time: one call into the system per many ids. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomBlock(n: number): string {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let out = '';
  for (let i = 0; i < n; i++) out += (pool[used + i]! % BASE).toString(BASE);
  used += n;
  return out;
}

export function newId(): string {
  counter = (counter + 1) % (BASE ** 4);
  return 'c' + pad(Date.now().toString(BASE), 8) + pad(counter.toString(BASE), 4) + randomBlock(12);
}

export const CUID_PATTERN = /^c[0-9a-z]{24}$/;

export function isCuid(value: string): boolean {
  return CUID_PATTERN.test(value);
}

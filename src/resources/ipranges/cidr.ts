/**
 * IPv4 and IPv6 addresses and CIDR ranges for the organization allow-list. Addresses are held as
 * bigints of 32 or 128 bits. Ranges are canonical: host bits cleared, IPv6 in its RFC 5952 form
 * (lower case, the longest run of zero groups shortened to `::`), so equal ranges are equal text.
 */

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

export interface IpRange {
  family: Family;
  /** Network address, host bits cleared. */
  network: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const OCTET = /^(0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!OCTET.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const out: bigint[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else if (GROUP.test(p)) {
      out.push(BigInt(`0x${p}`));
    } else {
      return undefined;
    }
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!);
    const tail = parseGroups(halves[1]!);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((n, g) => (n << 16n) | g, 0n);
}

/** An IPv4 or IPv6 address; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as IPv4. */
export function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 === undefined) return undefined;
    if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
    return { family: 6, value: v6 };
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : { family: 4, value: v4 };
}

function hostMask(family: Family, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

/** A range in CIDR notation (`address/prefix`, the prefix required); host bits are cleared. */
export function parseRange(text: string): IpRange | undefined {
  const m = /^([0-9A-Fa-f.:]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const isV6 = m[1]!.includes(':');
  const value = isV6 ? parseIpv6(m[1]!) : parseIpv4(m[1]!);
  if (value === undefined) return undefined;
  const family: Family = isV6 ? 6 : 4;
  const prefix = Number(m[2]);
  if (prefix > BITS[family]) return undefined;
  return { family, network: value & ~hostMask(family, prefix), prefix };
}

function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function formatIpv6(n: bigint): string {
  const groups = [...Array<number>(8).keys()].map((i) => Number((n >> BigInt(112 - i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The canonical text of a range. */
export function formatRange(r: IpRange): string {
  return `${r.family === 4 ? formatIpv4(r.network) : formatIpv6(r.network)}/${r.prefix}`;
}

export function contains(r: IpRange, a: Address): boolean {
  return r.family === a.family && (a.value & ~hostMask(r.family, r.prefix)) === r.network;
}

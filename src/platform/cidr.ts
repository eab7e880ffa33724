/**
 * IP addresses and CIDR ranges, the one parser of them: IPv4 CIDRs of cluster networks and of
 * remote-execution allow-lists (parseCidr, overlaps, addressAt), and IPv4/IPv6 ranges of the
 * organization allow-list (parseRange, parseAddress, contains, formatRange).
 *
 * Addresses are bigints of 32 (IPv4) or 128 (IPv6) bits. A parsed range holds its network with
 * the host bits cleared: like Go's net.ParseCIDR, `10.1.2.3/16` is accepted and means
 * 10.1.0.0/16. formatRange writes the canonical text (IPv6 as RFC 5952 has it: lower case, no
 * leading zeros, the longest run of two or more zero groups, the first of equals, shortened to
 * `::`), so equal ranges are equal text. Dotted quads are strict: four decimal octets, no leading
 * zeros (`010` could be read as octal elsewhere), nothing above 255; prefixes have no leading zeros.
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

/** An IPv4 range, as cluster networks and remote-execution allow-lists hold them. */
export type Cidr = IpRange & { family: 4 };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const OCTET = /^(0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;
const RANGE = /^([0-9A-Fa-f.:]+)\/(0|[1-9]\d{0,2})$/;

/** A dotted-quad IPv4 address as a 32-bit number. */
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

/** Colon-separated groups; the last may be a dotted quad (two groups' worth). */
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
    // `::` stands for at least one zero group.
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

/** A range in CIDR notation (`address/prefix`, the prefix required), IPv4 or IPv6; host bits are cleared. */
export function parseRange(text: string): IpRange | undefined {
  const m = RANGE.exec(text);
  if (!m) return undefined;
  const isV6 = m[1]!.includes(':');
  const value = isV6 ? parseIpv6(m[1]!) : parseIpv4(m[1]!);
  if (value === undefined) return undefined;
  const family: Family = isV6 ? 6 : 4;
  const prefix = Number(m[2]);
  if (prefix > BITS[family]) return undefined;
  return { family, network: value & ~hostMask(family, prefix), prefix };
}

/** An IPv4 range in CIDR notation (a dotted quad, `/0` to `/32`); host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  if (text.includes(':')) return undefined;
  return parseRange(text) as Cidr | undefined;
}

export function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function formatIpv6(n: bigint): string {
  const groups = [...Array<number>(8).keys()].map((i) => Number((n >> BigInt(112 - i * 16)) & 0xffffn));
  // RFC 5952 §4.2: the longest run of zero groups, the first of equally long ones, never a single group.
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

/** Whether the address lies in the range (never across families). */
export function contains(r: IpRange, a: Address): boolean {
  return r.family === a.family && (a.value & ~hostMask(r.family, r.prefix)) === r.network;
}

/** Two ranges of one family overlap when the shorter prefix's network contains the other's network. */
export function overlaps(a: IpRange, b: IpRange): boolean {
  if (a.family !== b.family) return false;
  const network = ~hostMask(a.family, Math.min(a.prefix, b.prefix));
  return (a.network & network) === (b.network & network);
}

/** The address `offset` places into the range, wrapping round its size (the 10th for a kube-dns service). */
export function addressAt(c: Cidr, offset: number): string {
  const size = 1n << BigInt(32 - c.prefix);
  return formatIpv4(c.network + (BigInt(offset) % size));
}

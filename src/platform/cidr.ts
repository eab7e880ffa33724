/**
 * IPv4 CIDR handling (cluster network ranges, remote-execution ranges): parsing, overlap and address arithmetic.
 * Addresses are unsigned 32-bit numbers. Like Go's net.ParseCIDR, host bits may be set;
 * the range is always the whole network the prefix describes.
 */
export interface Cidr {
  /** Network address (host bits cleared). */
  network: number;
  prefix: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const address = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (address === undefined || prefix > 32 || (m[2]!.length > 1 && m[2]!.startsWith('0'))) return undefined;
  return { network: (address & mask(prefix)) >>> 0, prefix };
}

/** Two ranges overlap when the shorter prefix's network contains the other's network. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const m = mask(Math.min(a.prefix, b.prefix));
  return ((a.network & m) >>> 0) === ((b.network & m) >>> 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** The address `offset` places into the range (e.g. the 10th for a kube-dns service). */
export function addressAt(c: Cidr, offset: number): string {
  const size = 2 ** (32 - c.prefix);
  return formatIpv4((c.network + (offset % size)) >>> 0);
}

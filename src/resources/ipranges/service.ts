import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { badRequest, conflict, FieldCode, found, invalidField } from '../../core/errors.js';
import { createdColumns } from '../../store/audit.js';
import { lockRow } from '../../store/locks.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { contains, formatRange, parseAddress, parseRange, type IpRange } from '../../platform/cidr.js';
import * as repo from './repo.js';
import type { AllowedIpAddressRangeView } from './schema.js';
import { rangeViews } from './view.js';

/**
 * Allowed IP address ranges: an organization-wide allow-list of client addresses. While an
 * organization has at least one range, every request made with one of its tokens must come from
 * an address inside one of them (authenticate() in src/auth/authenticate.ts checks it, reading
 * the ranges through ./ports.ts). Lockout protection follows the real API: the first ranges must
 * include the caller's own address; deleting or narrowing the range that covers the caller later
 * is not refused.
 */

/**
 * Takes the organization's row lock in the caller's transaction: writes to one organization's
 * allow-list run one at a time (on PostgreSQL a concurrent one waits; SQLite runs write
 * transactions one at a time anyway).
 */
const lockOrganizationRanges = (tx: Queryable, organizationId: string) => lockRow(tx, 'organizations', organizationId);

/** Most ranges one page returns, whatever the limit asked (the reference sets no maximum). */
const PAGE_MAX = 1000;

export async function listRanges(app: AppContext, organizationId: string, q: PageRequest) {
  const limit = q.limit ?? 20;
  const page = await repo.listRanges(app.db, organizationId, { ...q, limit: Math.min(limit, PAGE_MAX) });
  return { ...envelope('allowedIpAddressRanges', page, await rangeViews(app.db, page.items)), limit };
}

function parseOrFail(text: string, field: string): IpRange {
  const r = parseRange(text.trim());
  if (!r) throw invalidField(field, FieldCode.cidr, `${field} must be an IPv4 or IPv6 range in CIDR notation (address/prefix), got "${text}"`);
  return r;
}

interface NewRanges {
  organizationId: string;
  ranges: IpRange[];
  /** Where the request comes from: the first ranges must include it. */
  clientAddress: string;
  /** Answers a range that is already allowed (the single create declares no 409). */
  exists: (range: string) => Error;
}

async function insertNew(app: AppContext, p: Principal, n: NewRanges): Promise<AllowedIpAddressRangeView[]> {
  const texts = n.ranges.map(formatRange);
  return inTransaction(app.db, async (tx) => {
    await lockOrganizationRanges(tx, n.organizationId);
    const existing = await repo.allRanges(tx, n.organizationId);
    const stored = new Set(existing.map((r) => r.ip_address_range));
    const taken = texts.find((t) => stored.has(t));
    if (taken !== undefined) throw n.exists(taken);
    if (existing.length === 0) {
      const client = parseAddress(n.clientAddress);
      if (!client || !n.ranges.some((r) => contains(r, client))) {
        throw badRequest(`Invalid request: the Organization has no allowed IP address ranges yet, and the first ones must include your own address (${n.clientAddress.slice(0, 64)}); otherwise they would lock you out at once`);
      }
    }
    const audit = createdColumns(actor(p), app.clock.now());
    const rows = texts.map((t) => ({ id: newId(), organization_id: n.organizationId, ip_address_range: t, ...audit }));
    await repo.insertRanges(tx, rows);
    return rangeViews(tx, rows);
  });
}

export async function createRange(app: AppContext, p: Principal, organizationId: string, text: string, clientAddress: string): Promise<AllowedIpAddressRangeView> {
  const range = parseOrFail(text, 'ipAddressRange');
  const views = await insertNew(app, p, {
    organizationId,
    ranges: [range],
    clientAddress,
    exists: (t) => invalidField('ipAddressRange', FieldCode.unique, `the range ${t} is already allowed`),
  });
  return views[0]!;
}

export async function bulkCreateRanges(app: AppContext, p: Principal, organizationId: string, texts: string[], clientAddress: string) {
  const ranges = texts.map((t, i) => parseOrFail(t, `allowedIpAddressRanges[${i}]`));
  const seen = new Map<string, number>();
  ranges.forEach((r, i) => {
    const t = formatRange(r);
    const first = seen.get(t);
    if (first !== undefined) throw conflict(`The range ${t} appears twice in the request (entries ${first} and ${i}); nothing was created`);
    seen.set(t, i);
  });
  const views = await insertNew(app, p, {
    organizationId,
    ranges,
    clientAddress,
    exists: (t) => conflict(`The range ${t} is already allowed; nothing was created`),
  });
  return { allowedIpAddressRanges: views };
}

export async function deleteRange(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await lockOrganizationRanges(tx, organizationId);
    found(await repo.findRange(tx, organizationId, id), 'Allowed IP address range');
    await repo.deleteRanges(tx, organizationId, [id]);
  });
}

export async function bulkDeleteRanges(app: AppContext, organizationId: string, ids: string[]): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await lockOrganizationRanges(tx, organizationId);
    await repo.deleteRanges(tx, organizationId, [...new Set(ids)]);
  });
}

import { sql, type Insertable, type Selectable } from 'kysely';
import { CachedLookup, invalidateAll } from '../../store/cache.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { AllowedIpAddressRangesTable } from '../../store/schema.js';
import { parseRange, type IpRange } from '../../platform/cidr.js';

/** The one owner of the `allowed_ip_address_ranges` table. */

export type IpRangeRow = Selectable<AllowedIpAddressRangesTable>;

const SORT_COLUMNS = { ipAddress: 'ip_address_range', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectRanges(db: Queryable, organizationId: string) {
  return db.selectFrom('allowed_ip_address_ranges').selectAll().where('organization_id', '=', organizationId);
}

/** 1 when the organization (the outer query's `organizations.id`) has a range, else 0. */
export function hasRangesColumn() {
  return sql<number>`(case when exists (select 1 from allowed_ip_address_ranges r where r.organization_id = organizations.id) then 1 else 0 end)`;
}

export function listRanges(db: Queryable, organizationId: string, page: PageRequest) {
  return paginate(selectRanges(db, organizationId), page, SORT_COLUMNS, 'createdAt:asc', 'id', { wholeRows: true });
}

export function findRange(db: Queryable, organizationId: string, id: string): Promise<IpRangeRow | undefined> {
  return selectRanges(db, organizationId).where('id', '=', id).executeTakeFirst();
}

/** Every range of an organization, oldest first. */
export function allRanges(db: Queryable, organizationId: string): Promise<IpRangeRow[]> {
  return selectRanges(db, organizationId).orderBy('created_at').orderBy('id').execute();
}

/** The ranges of an organization as the request path checks them (cached; see store/cache.ts). */
const rangesByOrganization = new CachedLookup<readonly IpRange[]>('allowed IP ranges by organization');

/** The parsed ranges of an organization, empty when it has none; stored ranges are always canonical. */
export async function cachedRanges(db: Queryable, organizationId: string): Promise<readonly IpRange[]> {
  const ranges = await rangesByOrganization.get(db, organizationId, async () => {
    const rows = await db.selectFrom('allowed_ip_address_ranges').select('ip_address_range')
      .where('organization_id', '=', organizationId).execute();
    return Object.freeze(rows.map((r) => Object.freeze(parseRange(r.ip_address_range))).filter((r): r is Readonly<IpRange> => r !== undefined));
  });
  return ranges ?? [];
}

/** Inserts ranges in the caller's transaction; every server drops its cached ranges. */
export async function insertRanges(tx: Queryable, rows: Insertable<AllowedIpAddressRangesTable>[]): Promise<void> {
  if (rows.length === 0) return;
  // Both stores cap the bound parameters of one statement; 1000 rows of 9 columns stay below them in slices.
  for (let i = 0; i < rows.length; i += 100) await tx.insertInto('allowed_ip_address_ranges').values(rows.slice(i, i + 100)).execute();
  await invalidateAll(tx);
}

/** Deletes ranges of one organization by id in the caller's transaction; how many went. */
export async function deleteRanges(tx: Queryable, organizationId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await tx.deleteFrom('allowed_ip_address_ranges').where('organization_id', '=', organizationId).where('id', 'in', ids).executeTakeFirst();
  const n = Number(r.numDeletedRows);
  if (n > 0) await invalidateAll(tx);
  return n;
}

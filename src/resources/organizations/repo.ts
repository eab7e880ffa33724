import type { Selectable } from 'kysely';
import { CachedLookup, invalidateAll } from '../../store/cache.js';
import { withinTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import type { OrganizationsTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import { hasRangesColumn } from '../ipranges/repo.js';

export type OrganizationRow = Selectable<OrganizationsTable> & { has_ip_ranges: number };

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectOrganizations(db: Queryable) {
  return db.selectFrom('organizations').selectAll('organizations').select(
    hasRangesColumn().as('has_ip_ranges'),
  );
}

export function findOrganization(db: Queryable, id: string): Promise<OrganizationRow | undefined> {
  return selectOrganizations(db).where('organizations.id', '=', id).executeTakeFirst();
}

export interface OrganizationFilter {
  ids: string[];
  product?: string;
  productPlan?: string;
}

export function listOrganizations(db: Queryable, f: OrganizationFilter, page: PageRequest) {
  let q = selectOrganizations(db).where('organizations.id', 'in', f.ids.length > 0 ? f.ids : ['']);
  if (f.product) q = q.where('product', '=', f.product);
  if (f.productPlan) q = q.where('product_plan_name', '=', f.productPlan);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'organizations.id');
}

export interface OrganizationSummary {
  name: string;
  product_plan_name: string;
}

const summaries = new CachedLookup<Readonly<OrganizationSummary>>('organization summaries');

/**
 * Name and plan of an organization, without the computed columns of the full row. Cached (see
 * store/cache.ts): every write to these columns must go through updateOrganization.
 */
export function organizationSummary(db: Queryable, id: string): Promise<Readonly<OrganizationSummary> | undefined> {
  return summaries.get(db, id, async () => {
    const row = await db.selectFrom('organizations').select(['name', 'product_plan_name']).where('id', '=', id).executeTakeFirst();
    return row && Object.freeze(row);
  });
}

export async function insertOrganization(db: Queryable, row: OrganizationsTable): Promise<void> {
  await db.insertInto('organizations').values(row).execute();
}

/** Changes an organization; servers drop what they cached about organizations. */
export async function updateOrganization(db: Queryable, id: string, changes: Partial<OrganizationsTable>): Promise<void> {
  await withinTransaction(db, async (tx) => {
    await tx.updateTable('organizations').set(changes).where('id', '=', id).execute();
    await invalidateAll(tx);
  });
}

export async function countOrganizations(db: Queryable): Promise<number> {
  const r = await db.selectFrom('organizations').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

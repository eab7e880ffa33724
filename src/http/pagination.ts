import type { SelectQueryBuilder } from 'kysely';

export interface PageRequest {
  offset?: number;
  limit?: number;
  sorts?: string[];
}

export interface Page<T> {
  items: T[];
  offset: number;
  limit: number;
  totalCount: number;
}

/**
 * Applies `sorts` (already checked against the operation's enum) through a field → column map,
 * always ending with the id so pages never overlap, then offset/limit. Count and page are two
 * indexed queries.
 */
export async function paginate<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, O>,
  req: PageRequest,
  columns: Record<string, string>,
  defaultSort: string,
  idColumn: string,
): Promise<Page<O>> {
  const offset = req.offset ?? 0;
  const limit = req.limit ?? 20;
  const countRow = await base
    .clearSelect()
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirst();
  const totalCount = Number((countRow as { count?: string | number } | undefined)?.count ?? 0);
  const sorts = req.sorts && req.sorts.length > 0 ? req.sorts : [defaultSort];
  let q = base;
  for (const s of sorts) {
    const [field, dir] = s.split(':');
    const column = columns[field!];
    if (!column) continue;
    q = q.orderBy(column as never, dir === 'desc' ? 'desc' : 'asc');
  }
  q = q.orderBy(idColumn as never, 'asc');
  const items = limit === 0 || offset >= totalCount ? [] : await q.limit(limit).offset(offset).execute();
  return { items, offset, limit, totalCount };
}

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

export interface PageOptions {
  /** What `base` would count, when the caller knows it without counting (a maintained count). */
  count?: () => Promise<number>;
  /**
   * Read whole rows while walking to the page instead of ids first: right for SQLite, where a
   * skipped row costs an index step either way and the second lookup of each row is saved.
   */
  wholeRows?: boolean;
}

/**
 * Applies `sorts` (already checked against the operation's enum) through a field → column map,
 * always ending with the id so pages never overlap, then offset/limit. Three indexed queries:
 * the count, the page of ids (which an index on the filter and sort columns answers without
 * touching the table, so a deep offset stays cheap), and the rows of those ids; see PageOptions
 * for the shortcuts.
 */
export async function paginate<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, O>,
  req: PageRequest,
  columns: Record<string, string>,
  defaultSort: string,
  idColumn: string,
  opts: PageOptions = {},
): Promise<Page<O>> {
  const offset = req.offset ?? 0;
  const limit = req.limit ?? 20;
  let totalCount: number;
  if (opts.count) {
    totalCount = await opts.count();
  } else {
    const countRow = await base
      .clearSelect()
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .executeTakeFirst();
    totalCount = Number((countRow as { count?: string | number } | undefined)?.count ?? 0);
  }
  const sorts = req.sorts && req.sorts.length > 0 ? req.sorts : [defaultSort];
  let q = base;
  for (const s of sorts) {
    const [field, dir] = s.split(':');
    const column = columns[field!];
    if (!column) continue;
    q = q.orderBy(column as never, dir === 'desc' ? 'desc' : 'asc');
  }
  q = q.orderBy(idColumn as never, 'asc');
  if (limit === 0 || offset >= totalCount) return { items: [], offset, limit, totalCount };
  if (opts.wholeRows) return { items: await q.limit(limit).offset(offset).execute() as O[], offset, limit, totalCount };
  const idRows = await q.clearSelect().select(`${idColumn} as page_id` as never).limit(limit).offset(offset).execute();
  const ids = (idRows as { page_id: string }[]).map((r) => r.page_id);
  if (ids.length === 0) return { items: [], offset, limit, totalCount };
  // The filters already chose these ids; look them up by primary key alone.
  const rows = await base.clearWhere().where(idColumn as never, 'in', ids as never).execute();
  const idKey = idColumn.split('.').pop()!;
  const byId = new Map(rows.map((r) => [(r as Record<string, unknown>)[idKey], r]));
  const items = ids.map((id) => byId.get(id)).filter((r): r is Awaited<O> => r !== undefined) as O[];
  return { items, offset, limit, totalCount };
}

/** The API's list envelope: `{<key>: [...], limit, offset, totalCount}`. */
export function envelope<K extends string, T>(key: K, page: Page<unknown>, items: T[]): { [P in K]: T[] } & { limit: number; offset: number; totalCount: number } {
  return { [key]: items, limit: page.limit, offset: page.offset, totalCount: page.totalCount } as { [P in K]: T[] } & { limit: number; offset: number; totalCount: number };
}

/** How values that a column cannot hold as such are stored, and regrouping of loaded rows. */

export function toBool(v: number | null | undefined): boolean {
  return v === 1;
}

export function fromBool(v: boolean | undefined | null): number {
  return v ? 1 : 0;
}

/** Groups rows by a key, keeping their order: for loading children of a page of parents. */
export function groupBy<R, V = R>(rows: R[], key: (r: R) => string, value: (r: R) => V = (r) => r as unknown as V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(value(r));
    else out.set(k, [value(r)]);
  }
  return out;
}

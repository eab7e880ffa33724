// What both benches share: their settings, aligned tables and targets with "met" / "not met".
import type { LoadResult } from './load.js';

export const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function printTable(head: string[], lines: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('\n' + show(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
}

export interface Target { name: string; value: string; goal: string; met: boolean }

/** How much slower a page of the big organization is than the same page of the small one: at most 1.5×. */
export function sizeTarget(name: string, small: LoadResult, big: LoadResult): Target {
  const slower = small.reqPerSec / big.reqPerSec;
  return { name, value: `${fmt(slower, 2)}× slower`, goal: '≤ 1.5× slower', met: slower <= 1.5 };
}

export function printTargets(targets: Target[]): void {
  printTable(['target', 'measured', 'goal', 'result'], targets.map((t) => [t.name, t.value, t.goal, t.met ? 'met' : 'not met']));
}

/** An integer setting from the environment (BENCH_…), with its default and lower bound. */
export function intEnv(name: string, fallback: number, min: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
}

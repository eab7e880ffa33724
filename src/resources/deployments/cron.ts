/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC, as
 * hibernation schedules use them. Each field takes `*`, a number, a range `a-b`, a step (`*\/n`,
 * `a-b/n`, `a/n`) or a comma-separated list of those; months and weekdays also take three-letter
 * English names, and weekday 7 is Sunday like 0. The day fields follow classic (Vixie) cron:
 * when neither starts with `*`, a day matching either one matches; otherwise a day must match
 * both, so a bare `*` leaves the other field alone while a stepped one (`*\/2`: odd days) still
 * restricts. Times have minute resolution. An expression that can never fire (30 February) is
 * refused when parsed.
 */

export interface Cron {
  minutes: number[];
  hours: number[];
  days: boolean[];
  months: boolean[];
  weekdays: boolean[];
  anyDay: boolean;
  anyWeekday: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export class CronError extends Error {}

function atom(text: string, f: FieldSpec): number {
  const upper = text.toUpperCase();
  if (f.names) {
    const i = f.names.indexOf(upper);
    if (i >= 0) return f.min + i;
  }
  if (!/^\d{1,2}$/.test(text)) throw new CronError(`"${text}" is not a valid ${f.name}`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`${f.name} ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function field(text: string, f: FieldSpec): { set: boolean[]; any: boolean } {
  const set = new Array<boolean>(f.max + 1).fill(false);
  let any = false;
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) throw new CronError(`"${part}" is not a valid ${f.name}`);
    const [, range, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw new CronError(`the step of ${f.name} must be at least 1`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = f.min;
      hi = f.name === 'day of week' ? 6 : f.max;
      any = true; // as classic cron: a day field starting with * makes both day fields apply
    } else if (range!.includes('-')) {
      const [a, b, extra] = range!.split('-');
      if (extra !== undefined || !a || !b) throw new CronError(`"${range}" is not a valid ${f.name} range`);
      lo = atom(a, f);
      hi = atom(b, f);
      if (lo > hi) throw new CronError(`the ${f.name} range ${range} runs backwards`);
    } else {
      lo = atom(range!, f);
      hi = stepText === undefined ? lo : (f.name === 'day of week' ? 6 : f.max);
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return { set, any };
}

/** Parses an expression; throws CronError saying what is wrong. */
export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') throw new CronError(`a cron expression has 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === '' ? 0 : parts.length}`);
  const [mi, ho, dom, mon, dow] = parts.map((p, i) => field(p, FIELDS[i]!));
  if (dow!.set[7]) dow!.set[0] = true;
  const list = (s: boolean[]) => s.flatMap((on, v) => (on ? [v] : []));
  const anyDay = dom!.any;
  const anyWeekday = dow!.any;
  // Only a day-of-month restriction can make an impossible date, and only when the weekday field
  // starts with * (otherwise any matching weekday fires it); a date that exists falls on every
  // weekday within the horizon.
  if (!anyDay && anyWeekday) {
    const longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const possible = list(mon!.set).some((m) => list(dom!.set).some((d) => d <= longest[m]!));
    if (!possible) throw new CronError('the expression names no day that exists in its months, so it never fires');
  }
  return {
    minutes: list(mi!.set),
    hours: list(ho!.set),
    days: dom!.set,
    months: mon!.set,
    weekdays: dow!.set.slice(0, 7),
    anyDay,
    anyWeekday,
  };
}

function dayMatches(c: Cron, day: Date): boolean {
  if (!c.months[day.getUTCMonth() + 1]) return false;
  const dom = c.days[day.getUTCDate()]!;
  const dow = c.weekdays[day.getUTCDay()]!;
  if (c.anyDay || c.anyWeekday) return dom && dow;
  return dom || dow;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far to look: long enough for a 29 February that falls on a given weekday. */
const HORIZON_DAYS = 366 * 28;

/** Whether the expression fires in the minute of `t`. */
export function firesAt(c: Cron, t: Date): boolean {
  return dayMatches(c, new Date(Math.floor(t.getTime() / DAY) * DAY)) && c.hours.includes(t.getUTCHours()) && c.minutes.includes(t.getUTCMinutes());
}

/** The first time the expression fires strictly after `t`, or undefined within the horizon. */
export function nextAfter(c: Cron, t: Date): Date | undefined {
  const start = Math.floor(t.getTime() / MINUTE) * MINUTE + MINUTE;
  let day = Math.floor(start / DAY) * DAY;
  for (let i = 0; i < HORIZON_DAYS; i++, day += DAY) {
    const d = new Date(day);
    if (!dayMatches(c, d)) continue;
    const from = day === Math.floor(start / DAY) * DAY ? (start - day) / MINUTE : 0;
    for (const h of c.hours) {
      if ((h + 1) * 60 <= from) continue;
      for (const m of c.minutes) {
        const minuteOfDay = h * 60 + m;
        if (minuteOfDay >= from) return new Date(day + minuteOfDay * MINUTE);
      }
    }
  }
  return undefined;
}

/** The last time the expression fired at or before `t`, or undefined within the horizon. */
export function lastAtOrBefore(c: Cron, t: Date): Date | undefined {
  const end = Math.floor(t.getTime() / MINUTE) * MINUTE;
  const endDay = Math.floor(end / DAY) * DAY;
  let day = endDay;
  for (let i = 0; i < HORIZON_DAYS; i++, day -= DAY) {
    const d = new Date(day);
    if (!dayMatches(c, d)) continue;
    const until = day === endDay ? (end - day) / MINUTE : 24 * 60 - 1;
    for (let hi = c.hours.length - 1; hi >= 0; hi--) {
      const h = c.hours[hi]!;
      if (h * 60 > until) continue;
      for (let mi = c.minutes.length - 1; mi >= 0; mi--) {
        const minuteOfDay = h * 60 + c.minutes[mi]!;
        if (minuteOfDay <= until) return new Date(day + minuteOfDay * MINUTE);
      }
    }
  }
  return undefined;
}

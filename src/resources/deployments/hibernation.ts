import { CronError, firesAt, lastAtOrBefore, nextAfter, parseCron, type Cron } from './cron.js';
import type { HibernationSchedule } from './schema.js';

/*
 * Hibernation of development Deployments, derived at read time from the stored schedules and
 * override and the time of the read: nothing is scheduled or stored when a Deployment falls
 * asleep or wakes, so any number of server instances agree on the state.
 *
 * Schedules: each enabled schedule fires "hibernate" events at its hibernateAtCron times and
 * "wake" events at its wakeAtCron times. The most recent event at or before now decides the
 * state (a wake wins over a hibernate in the same minute); before any event a Deployment is
 * awake. An override with isHibernating set replaces the schedules until overrideUntil (for good
 * when it has none).
 */

/** A hibernation override as stored: what was sent, overrideUntil with its original offset. */
export interface StoredOverride {
  isHibernating?: boolean;
  overrideUntil?: string;
}

export interface HibernationState {
  isHibernating: boolean;
  nextEventAt?: Date;
  nextEventType?: 'HIBERNATE' | 'WAKE';
  reason?: string;
}

interface ParsedSchedule {
  hibernate: Cron;
  wake: Cron;
  label: string;
}

/** How many hibernates cancelled by a wake in the same minute to step over when looking ahead. */
const MAX_STEPS = 64;

function parsed(schedules: HibernationSchedule[] | null): ParsedSchedule[] {
  const out: ParsedSchedule[] = [];
  for (const s of schedules ?? []) {
    if (!s.isEnabled) continue;
    try {
      out.push({ hibernate: parseCron(s.hibernateAtCron), wake: parseCron(s.wakeAtCron), label: s.description || `${s.hibernateAtCron} → ${s.wakeAtCron}` });
    } catch (err) {
      // Stored schedules were checked on the way in; one that no longer parses has no effect.
      if (!(err instanceof CronError)) throw err;
    }
  }
  return out;
}

/** The schedules' verdict at `t`: asleep or not, and the schedule whose event decided it. */
function scheduleStateAt(list: ParsedSchedule[], t: Date): { hibernating: boolean; by?: ParsedSchedule } {
  let best: { at: number; hibernating: boolean; by: ParsedSchedule } | undefined;
  for (const s of list) {
    for (const [cron, hibernating] of [[s.hibernate, true], [s.wake, false]] as const) {
      const at = lastAtOrBefore(cron, t)?.getTime();
      if (at === undefined) continue;
      if (!best || at > best.at || (at === best.at && !hibernating)) best = { at, hibernating, by: s };
    }
  }
  return best ? { hibernating: best.hibernating, by: best.by } : { hibernating: false };
}

/** The first firing after `t` of any of `crons`. */
function earliest(crons: Cron[], t: Date): Date | undefined {
  let first: Date | undefined;
  for (const c of crons) {
    const next = nextAfter(c, t);
    if (next && (!first || next < first)) first = next;
  }
  return first;
}

/**
 * The first time after `t` the schedules change the state from `current`. Asleep, the first
 * wake of any schedule wakes it. Awake, the first hibernate does, unless a wake falls in the
 * same minute; events that keep the state in between do not count, however many there are.
 */
function nextScheduleChange(list: ParsedSchedule[], t: Date, current: boolean): Date | undefined {
  if (current) return earliest(list.map((s) => s.wake), t);
  let cursor = t;
  for (let step = 0; step < MAX_STEPS; step++) {
    const at = earliest(list.map((s) => s.hibernate), cursor);
    if (at === undefined) return undefined;
    if (!list.some((s) => firesAt(s.wake, at))) return at;
    cursor = at;
  }
  return undefined;
}

/** Whether an override is in effect at `now`. */
export function overrideActive(o: StoredOverride | null, now: Date): boolean {
  if (!o || o.isHibernating === undefined) return false;
  return o.overrideUntil === undefined || Date.parse(o.overrideUntil) > now.getTime();
}

function eventType(hibernating: boolean): 'HIBERNATE' | 'WAKE' {
  return hibernating ? 'HIBERNATE' : 'WAKE';
}

/** The hibernation state of a development Deployment at `now`, and its next change. */
export function hibernationState(schedules: HibernationSchedule[] | null, override: StoredOverride | null, now: Date): HibernationState {
  const list = parsed(schedules);
  if (override && overrideActive(override, now)) {
    const hibernating = override.isHibernating!;
    const state = hibernating ? 'Hibernating' : 'Awake';
    if (override.overrideUntil === undefined) {
      return { isHibernating: hibernating, reason: `${state} by a hibernation override with no end` };
    }
    const until = new Date(Date.parse(override.overrideUntil));
    const reason = `${state} by a hibernation override until ${override.overrideUntil}`;
    const afterwards = scheduleStateAt(list, until).hibernating;
    if (afterwards !== hibernating) return { isHibernating: hibernating, nextEventAt: until, nextEventType: eventType(afterwards), reason };
    const next = nextScheduleChange(list, until, hibernating);
    return { isHibernating: hibernating, reason, ...(next ? { nextEventAt: next, nextEventType: eventType(!hibernating) } : {}) };
  }
  const { hibernating, by } = scheduleStateAt(list, now);
  const next = nextScheduleChange(list, now, hibernating);
  return {
    isHibernating: hibernating,
    ...(next ? { nextEventAt: next, nextEventType: eventType(!hibernating) } : {}),
    ...(hibernating && by ? { reason: `Hibernating on the schedule ${by.label}` } : {}),
  };
}

/** Why a schedule cannot be stored, or undefined when it is fine. */
export function scheduleProblem(s: HibernationSchedule): { field: 'hibernateAtCron' | 'wakeAtCron'; message: string } | undefined {
  for (const field of ['hibernateAtCron', 'wakeAtCron'] as const) {
    try {
      parseCron(s[field]);
    } catch (err) {
      if (err instanceof CronError) return { field, message: err.message };
      throw err;
    }
  }
  if (s.hibernateAtCron.trim().split(/\s+/).join(' ') === s.wakeAtCron.trim().split(/\s+/).join(' ')) {
    return { field: 'wakeAtCron', message: 'must differ from hibernateAtCron' };
  }
  return undefined;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hibernationState, overrideActive, scheduleProblem, type StoredOverride } from '../../src/resources/deployments/hibernation.js';
import type { HibernationSchedule } from '../../src/resources/deployments/schema.js';

// 2 March 2026 is a Monday.
const nights: HibernationSchedule = { hibernateAtCron: '0 18 * * MON-FRI', wakeAtCron: '0 8 * * MON-FRI', isEnabled: true, description: 'weeknights' };

/** The state at `now`, with nextEventAt as an ISO string for comparison. */
function stateAt(schedules: HibernationSchedule[] | null, override: StoredOverride | null, now: string) {
  const s = hibernationState(schedules, override, new Date(now));
  return { ...s, ...(s.nextEventAt ? { nextEventAt: s.nextEventAt.toISOString() } : {}) };
}

const schedule = (hibernateAtCron: string, wakeAtCron: string, extra: Partial<HibernationSchedule> = {}): HibernationSchedule => ({ hibernateAtCron, wakeAtCron, isEnabled: true, ...extra });

describe('hibernation: schedules', () => {
  it('keeps a Deployment without schedules or override awake, with no next event', () => {
    assert.deepEqual(stateAt(null, null, '2026-03-02T12:00:00Z'), { isHibernating: false });
    assert.deepEqual(stateAt([], null, '2026-03-02T12:00:00Z'), { isHibernating: false });
  });

  it('is awake between a wake and the next hibernate, which is its next event', () => {
    assert.deepEqual(stateAt([nights], null, '2026-03-02T12:00:00Z'), { isHibernating: false, nextEventAt: '2026-03-02T18:00:00.000Z', nextEventType: 'HIBERNATE' });
  });

  it('hibernates between a hibernate and the next wake, naming the schedule by its description', () => {
    assert.deepEqual(stateAt([nights], null, '2026-03-02T20:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule weeknights',
    });
  });

  it('names a schedule without a description by its two expressions', () => {
    assert.equal(stateAt([{ ...nights, description: undefined }], null, '2026-03-02T20:00:00Z').reason, 'Hibernating on the schedule 0 18 * * MON-FRI → 0 8 * * MON-FRI');
    assert.equal(stateAt([{ ...nights, description: '' }], null, '2026-03-02T20:00:00Z').reason, 'Hibernating on the schedule 0 18 * * MON-FRI → 0 8 * * MON-FRI');
  });

  it('sleeps through the weekend: from Friday evening to Monday morning', () => {
    assert.deepEqual(stateAt([nights], null, '2026-03-07T12:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-09T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule weeknights',
    });
  });

  it('changes state in the minute of the event, not a minute later', () => {
    assert.equal(stateAt([nights], null, '2026-03-02T17:59:59.999Z').isHibernating, false);
    assert.equal(stateAt([nights], null, '2026-03-02T17:59:59.999Z').nextEventAt, '2026-03-02T18:00:00.000Z');
    assert.equal(stateAt([nights], null, '2026-03-02T18:00:00.000Z').isHibernating, true);
    assert.equal(stateAt([nights], null, '2026-03-03T07:59:59.999Z').isHibernating, true);
    assert.equal(stateAt([nights], null, '2026-03-03T08:00:00.000Z').isHibernating, false);
  });

  it('ignores disabled schedules and stored schedules that no longer parse', () => {
    assert.deepEqual(stateAt([{ ...nights, isEnabled: false }], null, '2026-03-02T20:00:00Z'), { isHibernating: false });
    const broken = schedule('nonsense', '0 8 * * *');
    assert.deepEqual(stateAt([broken], null, '2026-03-02T20:00:00Z'), { isHibernating: false });
    assert.equal(stateAt([broken, nights], null, '2026-03-02T20:00:00Z').reason, 'Hibernating on the schedule weeknights');
  });

  it('lets the most recent event of any schedule decide, and names that schedule', () => {
    const late = schedule('0 20 * * *', '0 7 * * *', { description: 'late' });
    // 21:00: late hibernated at 20:00, after weeknights did at 18:00; late wakes first.
    assert.deepEqual(stateAt([nights, late], null, '2026-03-02T21:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T07:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule late',
    });
    // 07:30: late's wake at 07:00 is the latest event, though weeknights would still sleep; its
    // own wake at 08:00 changes nothing, so the next change is the 18:00 hibernate.
    assert.deepEqual(stateAt([nights, late], null, '2026-03-03T07:30:00Z'), { isHibernating: false, nextEventAt: '2026-03-03T18:00:00.000Z', nextEventType: 'HIBERNATE' });
  });

  it('lets a wake win over a hibernate in the same minute, now and when looking ahead', () => {
    // Lunch sleeps from 08:00, the minute weeknights wakes, until noon.
    const lunch = schedule('0 8 * * *', '0 12 * * *', { description: 'lunch' });
    assert.deepEqual(stateAt([nights, lunch], null, '2026-03-03T08:00:00Z'), { isHibernating: false, nextEventAt: '2026-03-03T18:00:00.000Z', nextEventType: 'HIBERNATE' });
    assert.deepEqual(stateAt([nights, lunch], null, '2026-03-03T07:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule weeknights',
    });
    // Schedules whose every hibernate meets a wake never sleep, and announce no change.
    const mirror = schedule('0 8 * * MON-FRI', '0 18 * * MON-FRI');
    assert.deepEqual(stateAt([nights, mirror], null, '2026-03-02T20:00:00Z'), { isHibernating: false });
  });

  it('finds the next change past any number of events that keep the state', () => {
    // Hourly hibernates keep it asleep all week; the weekly wake is the next change.
    const hourly = schedule('0 * * * *', '0 8 * * MON');
    assert.deepEqual(stateAt([hourly], null, '2026-03-02T09:30:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-09T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule 0 * * * * → 0 8 * * MON',
    });
    // Wakes every half hour keep it awake until Friday's hibernate.
    const restless = schedule('0 18 * * FRI', '15,45 * * * *');
    assert.deepEqual(stateAt([restless], null, '2026-03-02T09:45:00Z'), { isHibernating: false, nextEventAt: '2026-03-06T18:00:00.000Z', nextEventType: 'HIBERNATE' });
  });
});

describe('hibernation: overrides', () => {
  it('hibernates or wakes for good with an override that has no end', () => {
    assert.deepEqual(stateAt([nights], { isHibernating: true }, '2026-03-02T12:00:00Z'), { isHibernating: true, reason: 'Hibernating by a hibernation override with no end' });
    assert.deepEqual(stateAt([nights], { isHibernating: false }, '2026-03-02T20:00:00Z'), { isHibernating: false, reason: 'Awake by a hibernation override with no end' });
    assert.deepEqual(stateAt(null, { isHibernating: true }, '2026-03-02T12:00:00Z'), { isHibernating: true, reason: 'Hibernating by a hibernation override with no end' });
  });

  it('ends an override at its end into what the schedules say then', () => {
    // Kept awake at night until 21:00, when the schedule has it asleep.
    assert.deepEqual(stateAt([nights], { isHibernating: false, overrideUntil: '2026-03-02T21:00:00Z' }, '2026-03-02T20:00:00Z'), {
      isHibernating: false, nextEventAt: '2026-03-02T21:00:00.000Z', nextEventType: 'HIBERNATE', reason: 'Awake by a hibernation override until 2026-03-02T21:00:00Z',
    });
    // Put to sleep at noon until 15:00, when the schedule has it awake.
    assert.deepEqual(stateAt([nights], { isHibernating: true, overrideUntil: '2026-03-02T15:00:00Z' }, '2026-03-02T12:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-02T15:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating by a hibernation override until 2026-03-02T15:00:00Z',
    });
    // Its end falls on the schedule's wake: the wake applies at that minute.
    assert.deepEqual(stateAt([nights], { isHibernating: true, overrideUntil: '2026-03-03T08:00:00Z' }, '2026-03-02T12:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating by a hibernation override until 2026-03-03T08:00:00Z',
    });
  });

  it('looks past an override\'s end for the next change when the schedules agree with it then', () => {
    // Asleep from noon until 19:00, inside the night the schedule sleeps through: it wakes at 08:00.
    assert.deepEqual(stateAt([nights], { isHibernating: true, overrideUntil: '2026-03-02T19:00:00Z' }, '2026-03-02T12:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating by a hibernation override until 2026-03-02T19:00:00Z',
    });
    // Awake at night until 07:00, when the schedule still sleeps (since 18:00): it falls asleep then.
    assert.equal(stateAt([nights], { isHibernating: false, overrideUntil: '2026-03-03T07:00:00Z' }, '2026-03-02T20:00:00Z').nextEventAt, '2026-03-03T07:00:00.000Z');
    // Awake at noon until 17:00, when the schedule is awake too: the change is its 18:00 hibernate.
    assert.deepEqual(stateAt([nights], { isHibernating: false, overrideUntil: '2026-03-02T17:00:00Z' }, '2026-03-02T12:00:00Z'), {
      isHibernating: false, nextEventAt: '2026-03-02T18:00:00.000Z', nextEventType: 'HIBERNATE', reason: 'Awake by a hibernation override until 2026-03-02T17:00:00Z',
    });
  });

  it('announces no change after an awake override when no schedule ever hibernates, and a wake after a hibernating one', () => {
    assert.deepEqual(stateAt(null, { isHibernating: false, overrideUntil: '2026-03-02T17:00:00Z' }, '2026-03-02T12:00:00Z'), { isHibernating: false, reason: 'Awake by a hibernation override until 2026-03-02T17:00:00Z' });
    assert.deepEqual(stateAt(null, { isHibernating: true, overrideUntil: '2026-03-02T17:00:00Z' }, '2026-03-02T12:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-02T17:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating by a hibernation override until 2026-03-02T17:00:00Z',
    });
  });

  it('stops applying an override at its end, to the millisecond', () => {
    const o = { isHibernating: false, overrideUntil: '2026-03-02T19:00:00Z' };
    assert.equal(overrideActive(o, new Date('2026-03-02T18:59:59.999Z')), true);
    assert.equal(overrideActive(o, new Date('2026-03-02T19:00:00.000Z')), false);
    assert.deepEqual(stateAt([nights], o, '2026-03-02T19:00:00Z'), {
      isHibernating: true, nextEventAt: '2026-03-03T08:00:00.000Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule weeknights',
    });
  });

  it('reads an override end with an offset as that instant, and reports it as sent', () => {
    const o = { isHibernating: false, overrideUntil: '2026-03-02T23:00:00+02:00' };
    assert.deepEqual(stateAt([nights], o, '2026-03-02T20:00:00Z'), {
      isHibernating: false, nextEventAt: '2026-03-02T21:00:00.000Z', nextEventType: 'HIBERNATE', reason: 'Awake by a hibernation override until 2026-03-02T23:00:00+02:00',
    });
    assert.equal(stateAt([nights], o, '2026-03-02T21:00:00Z').isHibernating, true, 'past 21:00 UTC the schedule applies');
  });

  it('ignores an override that only sets an end, or none at all', () => {
    assert.equal(overrideActive({ overrideUntil: '2027-01-01T00:00:00Z' }, new Date('2026-03-02T20:00:00Z')), false);
    assert.equal(overrideActive({}, new Date('2026-03-02T20:00:00Z')), false);
    assert.equal(overrideActive(null, new Date('2026-03-02T20:00:00Z')), false);
    assert.deepEqual(stateAt([nights], { overrideUntil: '2027-01-01T00:00:00Z' }, '2026-03-02T20:00:00Z'), stateAt([nights], null, '2026-03-02T20:00:00Z'));
  });
});

describe('hibernation: schedules as stored', () => {
  it('accepts a schedule whose two expressions parse and differ', () => {
    assert.equal(scheduleProblem(nights), undefined);
  });

  it('names the expression that does not parse, the hibernate one first, with the parser\'s reason', () => {
    assert.deepEqual(scheduleProblem(schedule('60 18 * * *', '0 8 * * *')), { field: 'hibernateAtCron', message: 'minute 60 is outside 0-59' });
    assert.deepEqual(scheduleProblem(schedule('0 18 * * *', '0 8 30 2 *')), { field: 'wakeAtCron', message: 'the expression names no day that exists in its months, so it never fires' });
    assert.deepEqual(scheduleProblem(schedule('0 18 * *', '0 24 * * *')), { field: 'hibernateAtCron', message: 'a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 4' });
  });

  it('refuses a wake written like the hibernate, spacing aside', () => {
    assert.deepEqual(scheduleProblem(schedule('0 18 * * *', '0 18 * * *')), { field: 'wakeAtCron', message: 'must differ from hibernateAtCron' });
    assert.deepEqual(scheduleProblem(schedule('0 18 * * *', ' 0  18 *\t* * ')), { field: 'wakeAtCron', message: 'must differ from hibernateAtCron' });
  });
});

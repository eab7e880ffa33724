import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronError, firesAt, lastAtOrBefore, nextAfter, parseCron } from '../../src/resources/deployments/cron.js';

/** The first firing strictly after `at`, as an ISO string (or undefined). */
const next = (expr: string, at: string) => nextAfter(parseCron(expr), new Date(at))?.toISOString();
/** The last firing at or before `at`, as an ISO string (or undefined). */
const last = (expr: string, at: string) => lastAtOrBefore(parseCron(expr), new Date(at))?.toISOString();

/** The firings from `from` on, `count` of them. */
function firings(expr: string, from: string, count: number): string[] {
  const c = parseCron(expr);
  const out: string[] = [];
  let t = new Date(new Date(from).getTime() - 60_000);
  for (let i = 0; i < count; i++) {
    const n = nextAfter(c, t);
    if (!n) break;
    out.push(n.toISOString().slice(0, 16));
    t = n;
  }
  return out;
}

/** The message of the CronError parsing `expr` throws. */
function refusal(expr: string): string {
  try {
    parseCron(expr);
  } catch (err) {
    assert.ok(err instanceof CronError, `${expr}: ${String(err)} is not a CronError`);
    return err.message;
  }
  assert.fail(`${expr} was accepted`);
}

describe('cron: parsing', () => {
  it('takes exactly five fields, separated by any whitespace', () => {
    assert.match(refusal(''), /has 5 fields .* got 0$/);
    assert.match(refusal('   '), /got 0$/);
    assert.match(refusal('0 9 * *'), /got 4$/);
    assert.match(refusal('0 0 9 * * *'), /got 6$/);
    assert.deepEqual(parseCron('  0\t9   * *  *\n'), parseCron('0 9 * * *'));
  });

  it('accepts each field\'s bounds and refuses one past them, naming the field and its range', () => {
    for (const expr of ['0 0 1 1 0', '59 23 31 12 7']) assert.doesNotThrow(() => parseCron(expr), expr);
    assert.equal(refusal('60 0 * * *'), 'minute 60 is outside 0-59');
    assert.equal(refusal('0 24 * * *'), 'hour 24 is outside 0-23');
    assert.equal(refusal('0 0 0 * *'), 'day of month 0 is outside 1-31');
    assert.equal(refusal('0 0 32 * *'), 'day of month 32 is outside 1-31');
    assert.equal(refusal('0 0 * 0 *'), 'month 0 is outside 1-12');
    assert.equal(refusal('0 0 * 13 *'), 'month 13 is outside 1-12');
    assert.equal(refusal('0 0 * * 8'), 'day of week 8 is outside 0-7');
    assert.equal(refusal('0 0 * * 1-8'), 'day of week 8 is outside 0-7');
  });

  it('refuses what is not a number, a name, a range, a step or a list of those', () => {
    assert.equal(refusal('x * * * *'), '"x" is not a valid minute');
    assert.equal(refusal('1.5 * * * *'), '"1.5" is not a valid minute');
    assert.equal(refusal('100 * * * *'), '"100" is not a valid minute', 'at most two digits');
    assert.equal(refusal('? * * * *'), '"?" is not a valid minute');
    assert.equal(refusal('0 0 L * *'), '"L" is not a valid day of month');
    assert.equal(refusal('-1 * * * *'), '"-1" is not a valid minute range');
    assert.equal(refusal('5- * * * *'), '"5-" is not a valid minute range');
    assert.equal(refusal('1-2-3 * * * *'), '"1-2-3" is not a valid minute range');
    assert.equal(refusal('*-5 * * * *'), '"*" is not a valid minute');
    assert.equal(refusal('1,,2 * * * *'), '"" is not a valid minute');
    assert.equal(refusal('1/2/3 * * * *'), '"1/2/3" is not a valid minute');
    assert.equal(refusal('5-1 * * * *'), 'the minute range 5-1 runs backwards');
    assert.equal(refusal('0 0 * * FRI-MON'), 'the day of week range FRI-MON runs backwards');
  });

  it('takes month and weekday names in any case, and only in their own fields', () => {
    assert.deepEqual(parseCron('0 0 * jan-MAR mon-Fri'), parseCron('0 0 * 1-3 1-5'));
    assert.deepEqual(parseCron('0 0 * DEC SUN,sat'), parseCron('0 0 * 12 0,6'));
    assert.equal(refusal('MON * * * *'), '"MON" is not a valid minute');
    assert.equal(refusal('0 0 * MON *'), '"MON" is not a valid month');
    assert.equal(refusal('0 0 * * JAN'), '"JAN" is not a valid day of week');
    assert.equal(refusal('0 0 * * SUNDAY'), '"SUNDAY" is not a valid day of week');
  });

  it('steps from the start of a range, a star or a single value to the end of the field', () => {
    assert.deepEqual(parseCron('*/15 * * * *').minutes, [0, 15, 30, 45]);
    assert.deepEqual(parseCron('5/15 * * * *').minutes, [5, 20, 35, 50]);
    assert.deepEqual(parseCron('10-20/5 * * * *').minutes, [10, 15, 20]);
    assert.deepEqual(parseCron('10-21/5 * * * *').minutes, [10, 15, 20]);
    assert.deepEqual(parseCron('*/59 * * * *').minutes, [0, 59]);
    assert.deepEqual(parseCron('*/60 * * * *').minutes, [0], 'a step past the field keeps only the start');
    assert.deepEqual(parseCron('0 */7 * * *').hours, [0, 7, 14, 21]);
    assert.deepEqual(parseCron('0 0 * * */2').weekdays, [true, false, true, false, true, false, true], 'a weekday star runs 0-6, so Sunday is not counted twice');
    assert.deepEqual(parseCron('0 0 * * 5/1').weekdays, [false, false, false, false, false, true, true], 'a single weekday stepped runs to Saturday');
    assert.equal(refusal('*/0 * * * *'), 'the step of minute must be at least 1');
    assert.equal(refusal('*/100 * * * *'), '"*/100" is not a valid minute');
  });

  it('joins lists of values, ranges and steps, duplicates collapsing', () => {
    assert.deepEqual(parseCron('1,15,30 * * * *').minutes, [1, 15, 30]);
    assert.deepEqual(parseCron('30,1-3,*/20,2 * * * *').minutes, [0, 1, 2, 3, 20, 30, 40]);
    assert.deepEqual(parseCron('0 23,0 * * *').hours, [0, 23], 'in order, whatever the order written');
  });

  it('counts weekday 7 as Sunday, alone and at the end of a range', () => {
    assert.deepEqual(parseCron('0 0 * * 7').weekdays, parseCron('0 0 * * 0').weekdays);
    assert.deepEqual(parseCron('0 0 * * 5-7').weekdays, [true, false, false, false, false, true, true]);
    assert.deepEqual(parseCron('0 0 * * SUN').weekdays, parseCron('0 0 * * 7').weekdays);
  });

  it('refuses a date that exists in none of its months, and accepts one that exists in any', () => {
    assert.equal(refusal('0 0 30 2 *'), 'the expression names no day that exists in its months, so it never fires');
    assert.equal(refusal('0 0 31 4,6,9,11 *'), 'the expression names no day that exists in its months, so it never fires');
    assert.equal(refusal('0 0 30-31 FEB *'), 'the expression names no day that exists in its months, so it never fires');
    assert.doesNotThrow(() => parseCron('0 0 31 2,3 *'));
    assert.doesNotThrow(() => parseCron('0 0 29 2 *'), '29 February exists in leap years');
    assert.doesNotThrow(() => parseCron('0 0 30 2 MON'), 'with a weekday too, Mondays in February match');
  });
});

describe('cron: firing times', () => {
  it('fires strictly after the given time, ignoring its seconds', () => {
    assert.equal(next('0 9 * * *', '2026-03-02T08:59:59.999Z'), '2026-03-02T09:00:00.000Z');
    assert.equal(next('0 9 * * *', '2026-03-02T09:00:00.000Z'), '2026-03-03T09:00:00.000Z');
    assert.equal(next('0 9 * * *', '2026-03-02T09:00:30.000Z'), '2026-03-03T09:00:00.000Z');
    assert.equal(next('* * * * *', '2026-03-02T09:00:30.000Z'), '2026-03-02T09:01:00.000Z');
  });

  it('has fired at or before the given time, the current minute included', () => {
    assert.equal(last('0 9 * * *', '2026-03-02T09:00:00.000Z'), '2026-03-02T09:00:00.000Z');
    assert.equal(last('0 9 * * *', '2026-03-02T09:00:59.999Z'), '2026-03-02T09:00:00.000Z');
    assert.equal(last('0 9 * * *', '2026-03-02T08:59:59.999Z'), '2026-03-01T09:00:00.000Z');
    assert.equal(last('* * * * *', '2026-03-02T09:00:30.000Z'), '2026-03-02T09:00:00.000Z');
  });

  it('says whether it fires in a given minute, seconds aside', () => {
    const c = parseCron('30 9 */2 * MON');
    assert.equal(firesAt(c, new Date('2026-03-02T09:30:59Z')), false, 'a Monday, but an even day (both day fields apply)');
    assert.equal(firesAt(c, new Date('2026-03-09T09:30:00Z')), true, 'an odd Monday');
    assert.equal(firesAt(c, new Date('2026-03-09T09:30:59.999Z')), true);
    assert.equal(firesAt(c, new Date('2026-03-09T09:31:00Z')), false);
    assert.equal(firesAt(c, new Date('2026-03-09T10:30:00Z')), false);
    assert.equal(firesAt(c, new Date('2026-03-11T09:30:00Z')), false, 'an odd Wednesday');
  });

  it('walks the hours and minutes of a day in order, then moves to the next day', () => {
    assert.deepEqual(firings('15,45 9,17 * * *', '2026-03-02T09:20:00Z', 4), ['2026-03-02T09:45', '2026-03-02T17:15', '2026-03-02T17:45', '2026-03-03T09:15']);
    assert.equal(last('15,45 9,17 * * *', '2026-03-02T17:44:00Z'), '2026-03-02T17:15:00.000Z');
    assert.equal(last('15,45 9,17 * * *', '2026-03-02T09:14:00Z'), '2026-03-01T17:45:00.000Z');
  });

  it('crosses month and year ends', () => {
    assert.equal(next('59 23 31 12 *', '2026-12-31T23:59:00Z'), '2027-12-31T23:59:00.000Z');
    assert.equal(next('0 0 1 * *', '2026-12-31T23:59:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(last('59 23 31 12 *', '2027-01-01T00:00:00Z'), '2026-12-31T23:59:00.000Z');
    assert.deepEqual(firings('0 0 31 * *', '2026-03-01T00:00:00Z', 3), ['2026-03-31T00:00', '2026-05-31T00:00', '2026-07-31T00:00'], 'months without a 31st are skipped');
  });

  it('finds 29 February in the next leap year, and the one before', () => {
    assert.equal(next('0 12 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
    assert.equal(last('0 12 29 2 *', '2026-03-01T00:00:00Z'), '2024-02-29T12:00:00.000Z');
  });

  it('matches either day field when both are restricted', () => {
    // The 13th, or any Friday: 6 March (Fri), 13 March (Fri and the 13th), 20 March (Fri).
    assert.deepEqual(firings('0 0 13 * FRI', '2026-03-01T00:00:00Z', 4), ['2026-03-06T00:00', '2026-03-13T00:00', '2026-03-20T00:00', '2026-03-27T00:00']);
    assert.deepEqual(firings('0 0 1,15 * MON', '2026-03-01T00:00:00Z', 4), ['2026-03-01T00:00', '2026-03-02T00:00', '2026-03-09T00:00', '2026-03-15T00:00']);
  });

  it('lets a bare star leave the other day field alone', () => {
    assert.deepEqual(firings('0 0 15 * *', '2026-03-01T00:00:00Z', 2), ['2026-03-15T00:00', '2026-04-15T00:00']);
    assert.deepEqual(firings('0 0 * * MON', '2026-03-01T00:00:00Z', 2), ['2026-03-02T00:00', '2026-03-09T00:00']);
    assert.deepEqual(firings('0 0 * * *', '2026-02-27T00:00:00Z', 3), ['2026-02-27T00:00', '2026-02-28T00:00', '2026-03-01T00:00']);
  });

  it('keeps the step of a day field that starts with a star, and then needs both day fields to match', () => {
    // Odd days of the month: a stepped star still restricts the days.
    assert.deepEqual(firings('0 0 */2 * *', '2026-03-01T00:00:00Z', 3), ['2026-03-01T00:00', '2026-03-03T00:00', '2026-03-05T00:00']);
    assert.deepEqual(firings('0 0 */10 * *', '2026-03-01T00:00:00Z', 4), ['2026-03-01T00:00', '2026-03-11T00:00', '2026-03-21T00:00', '2026-03-31T00:00']);
    // Sundays, Tuesdays, Thursdays and Saturdays.
    assert.deepEqual(firings('0 0 * * */2', '2026-03-01T00:00:00Z', 3), ['2026-03-01T00:00', '2026-03-03T00:00', '2026-03-05T00:00']);
    // The 1st of a month that falls on one of those days: March 2026 (Sun), then August (Sat).
    assert.deepEqual(firings('0 0 1 * */2', '2026-03-01T00:00:00Z', 2), ['2026-03-01T00:00', '2026-08-01T00:00']);
    // Odd days of February that are Mondays.
    assert.deepEqual(firings('0 0 */2 2 MON', '2026-03-01T00:00:00Z', 2), ['2027-02-01T00:00', '2027-02-15T00:00']);
  });

  it('looks far enough for a 29 February that falls on a given weekday', () => {
    // */7 on weekdays is Sunday only; 29 February is next a Sunday in 2032, and was in 2004.
    assert.equal(next('0 12 29 2 */7', '2026-03-01T00:00:00Z'), '2032-02-29T12:00:00.000Z');
    assert.equal(last('0 12 29 2 */7', '2026-03-01T00:00:00Z'), '2004-02-29T12:00:00.000Z');
  });

  it('runs in UTC whatever the process time zone, across that zone\'s DST change', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // 02:30 New York time does not exist on 8 March 2026; 02:30 UTC does.
      assert.equal(new Date('2026-03-08T07:30:00Z').getHours(), 3, 'the zone is in effect');
      assert.equal(next('30 2 * * *', '2026-03-08T00:00:00Z'), '2026-03-08T02:30:00.000Z');
      assert.deepEqual(firings('0 0 * * SUN', '2026-03-07T00:00:00Z', 2), ['2026-03-08T00:00', '2026-03-15T00:00']);
      assert.equal(last('0 23 * * SAT', '2026-03-08T03:00:00Z'), '2026-03-07T23:00:00.000Z');
      assert.deepEqual(firings('0 0 1 * *', '2026-10-31T00:00:00Z', 2), ['2026-11-01T00:00', '2026-12-01T00:00']);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAllowList, staleEntries, type AllowedDeviation, type Difference } from '../helpers/contract/compare.js';

const difference = (where: string, served = 'present'): Difference => ({ operationId: 'UpdateCluster', where, reference: 'absent', served });
const entry = (d: Difference, reason = 'because'): AllowedDeviation => ({ ...d, reason });

describe('contract allow-list: stale entries', () => {
  const live = difference('response 409');
  const differences = [live, difference('response 400')];

  it('names no entry when every entry matches a difference', () => {
    assert.deepEqual(staleEntries(differences, [entry(live), entry(difference('response 400'))]), []);
  });

  it('names an entry whose difference is gone', () => {
    const gone = entry(difference('response 418'));
    assert.deepEqual(staleEntries(differences, [entry(live), gone]), [gone]);
  });

  it('names an entry that matches on every field but one', () => {
    const otherValue = entry(difference('response 409', 'absent'));
    const otherOperation = { ...entry(live), operationId: 'DeleteCluster' };
    const otherReference = { ...entry(live), reference: 'present' };
    assert.deepEqual(staleEntries([live], [otherValue, otherOperation, otherReference]), [otherValue, otherOperation, otherReference]);
  });

  it('names the second of two entries for one difference, also when the same object is listed twice', () => {
    const first = entry(live, 'first');
    const copy = entry(live, 'copy');
    assert.deepEqual(staleEntries([live], [first, copy]), [copy]);
    assert.deepEqual(staleEntries([live], [first, first]), [first]);
  });

  it('names every entry when nothing differs', () => {
    const all = [entry(live)];
    assert.deepEqual(staleEntries([], all), all);
  });

  it('agrees with applyAllowList on what the entries allow', () => {
    const gone = entry(difference('response 418'));
    const { unexpected, allowed } = applyAllowList(differences, [entry(live), gone]);
    assert.deepEqual(allowed, [live]);
    assert.deepEqual(unexpected, [difference('response 400')]);
  });
});

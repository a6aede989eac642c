/** The memo of stored conversation references: only an identical row stored by this process is skipped. */
import assert from 'node:assert/strict';
import { ConversationReferenceMemo, MEMO_TTL_MS } from '../../src/store/conversationReferenceMemo';

const AT = new Date('2026-01-05T10:00:00Z');
const later = (ms: number) => new Date(AT.getTime() + ms);

describe('store: conversation reference memo', () => {
  it('knows a row only once its write finished, for the same tenant and text, within its time', () => {
    const memo = new ConversationReferenceMemo();
    memo.beginWrite('u');
    assert.equal(memo.isStored('u', 't', 'A', AT), false, 'not while the write is under way');
    memo.endWrite('u', { tenantId: 't', text: 'A', now: AT });
    assert.equal(memo.isStored('u', 't', 'A', later(1)), true);
    assert.equal(memo.isStored('u', 't', 'B', later(1)), false, 'a changed reference');
    assert.equal(memo.isStored('u', 't2', 'A', later(1)), false, 'a changed tenant');
    assert.equal(memo.isStored('v', 't', 'A', later(1)), false, 'another user');
    assert.equal(memo.isStored('u', 't', 'A', later(MEMO_TTL_MS)), false, 'past its time');
    assert.equal(memo.isStored('u', 't', 'A', later(-1)), false, 'a clock that went back');
  });

  it('forgets a row when a write fails, and remembers neither of two racing writes', () => {
    const memo = new ConversationReferenceMemo();
    memo.beginWrite('u');
    memo.endWrite('u', { tenantId: 't', text: 'A', now: AT });
    memo.beginWrite('u');
    memo.endWrite('u', null);
    assert.equal(memo.isStored('u', 't', 'A', AT), false, 'a failed write leaves the row unknown');
    memo.beginWrite('u');
    memo.beginWrite('u');
    memo.endWrite('u', { tenantId: 't', text: 'B', now: AT });
    memo.endWrite('u', { tenantId: 't', text: 'A', now: AT });
    assert.equal(memo.isStored('u', 't', 'A', AT), false);
    assert.equal(memo.isStored('u', 't', 'B', AT), false, 'either may have landed last');
    memo.beginWrite('u');
    memo.endWrite('u', { tenantId: 't', text: 'E', now: AT });
    assert.equal(memo.isStored('u', 't', 'E', AT), true, 'a write alone is remembered');
  });
});

import assert from 'node:assert/strict';
import { ConversationRateLimiter } from '../../src/notify/conversationRateLimit';
import { maxInWindow } from './notifyHarness';


describe('notify: per-conversation rate limit (schedule, fake clock)', () => {
  it('spaces 20 sends to one conversation at 7/s: the last waits ≥ 2.5 s, never more than 7 in a second', () => {
    const now = 0;
    const limiter = new ConversationRateLimiter({ perSecond: 7, now: () => now });
    assert.equal(limiter.intervalMs, 143);
    const sendTimes = Array.from({ length: 20 }, () => now + limiter.reserve('conversation:a'));
    assert.equal(sendTimes[0], 0);
    assert.deepEqual(sendTimes.slice(0, 3), [0, 143, 286]);
    assert.ok(sendTimes[19]! >= 2500, `the 20th send is at ${sendTimes[19]} ms`);
    assert.ok(maxInWindow(sendTimes, 1000) <= 7, `at most 7 in any second, got ${maxInWindow(sendTimes, 1000)}`);
  });

  it('keeps conversations independent and frees a conversation as time passes', () => {
    let now = 1_000_000;
    const limiter = new ConversationRateLimiter({ perSecond: 7, now: () => now });
    assert.equal(limiter.reserve('a'), 0);
    assert.equal(limiter.reserve('b'), 0, 'another conversation is not delayed');
    assert.equal(limiter.reserve('a'), 143);
    assert.equal(limiter.delayFor('a'), 286, 'delayFor does not reserve');
    assert.equal(limiter.delayFor('a'), 286);
    now += 10_000;
    assert.equal(limiter.reserve('a'), 0);
  });

  it('allows a burst when configured, then spaces', () => {
    let now = 0;
    const limiter = new ConversationRateLimiter({ perSecond: 7, burst: 3, now: () => now });
    const waits = Array.from({ length: 5 }, () => limiter.reserve('a'));
    assert.deepEqual(waits, [0, 0, 0, 143, 286]);
    now = 10_000;
    assert.deepEqual(Array.from({ length: 3 }, () => limiter.reserve('a')), [0, 0, 0], 'the burst refills');
  });

  it('honours a pause (Retry-After) for the conversation', () => {
    let now = 0;
    const limiter = new ConversationRateLimiter({ perSecond: 7, now: () => now });
    limiter.pauseUntil('a', 3000);
    assert.equal(limiter.delayFor('a'), 3000);
    assert.equal(limiter.reserve('a'), 3000);
    assert.equal(limiter.reserve('a'), 3143);
    assert.equal(limiter.reserve('b'), 0);
    now = 5000;
    limiter.pauseUntil('a', 1000);
    assert.equal(limiter.reserve('a'), 0, 'a pause in the past changes nothing');
  });

  it('a pause is honoured only as far as the caller allows: from when it began, and never past a given time', () => {
    let now = 0;
    const limiter = new ConversationRateLimiter({ perSecond: 7, now: () => now });
    limiter.pauseUntil('a', 3_600_000);
    assert.equal(limiter.delayFor('a'), 3_600_000, 'a routine send waits the whole pause');
    assert.equal(limiter.delayFor('a', { maxPauseMs: 30_000 }), 30_000, 'an urgent send waits at most 30 s');
    assert.equal(limiter.delayFor('a', { notAfterMs: 600_000 }), 600_000, 'a routine send no later than its budget ends');
    now = 20_000;
    limiter.pauseUntil('a', 20_000 + 3_600_000); // Teams says wait an hour again: the pause began at 0
    assert.equal(limiter.delayFor('a', { maxPauseMs: 30_000 }), 10_000);
    now = 30_000;
    assert.equal(limiter.reserve('a', { maxPauseMs: 30_000 }), 0, 'the urgent send goes now');
    assert.equal(limiter.reserve('a', { maxPauseMs: 30_000 }), 143, 'then at the conversation rate');
    assert.equal(limiter.delayFor('a'), 3_590_000, 'routine sends still wait for the pause');
    now = 3_620_001;
    assert.equal(limiter.delayFor('a'), 0, 'over');
  });

  it('forgets idle conversations and rejects nonsense settings', () => {
    let now = 0;
    const limiter = new ConversationRateLimiter({ now: () => now });
    for (let i = 0; i < 1001; i += 1) limiter.reserve(`c${i}`);
    now = 60_000;
    limiter.reserve('late');
    assert.equal(limiter.size, 1);
    assert.throws(() => new ConversationRateLimiter({ perSecond: 0 }), RangeError);
    assert.throws(() => new ConversationRateLimiter({ burst: 0 }), RangeError);
  });
});

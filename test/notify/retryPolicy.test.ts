import assert from 'node:assert/strict';
import { seededRandom } from '../../src/notify/backoff';
import { afterFailure, classifyHttpStatus, DEFAULT_RETRY_POLICY, deferral, retryPolicyFor } from '../../src/notify/retryPolicy';

const T0 = new Date('2026-03-03T03:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('notify: retry policy (pure)', () => {
  it('splits transient failures from permanent ones', () => {
    for (const s of [429, 412, 408, 401, 500, 502, 503, 504]) assert.equal(classifyHttpStatus(s), 'retryable', String(s));
    for (const s of [403, 404, 410]) assert.equal(classifyHttpStatus(s), 'unreachable', String(s));
    for (const s of [400, 413, 501, 505]) assert.equal(classifyHttpStatus(s), 'rejected', String(s));
  });

  it('an urgent row never runs out on transient failures: 10 000 attempts over a week still retry, never waiting more than the cap', () => {
    const random = seededRandom(3);
    for (let attempts = 1; attempts <= 10_000; attempts += 1) {
      const next = afterFailure({ urgency: 'urgent', kind: 'retryable', attempts, queuedAt: T0, now: at(attempts * 60_000), retryAfterMs: null }, DEFAULT_RETRY_POLICY, random);
      assert.equal(next.action, 'retry');
      if (next.action === 'retry') assert.ok(next.delayMs <= 30_000, `attempt ${attempts}: ${next.delayMs} ms`);
    }
  });

  it('an urgent row honours Retry-After up to the urgent cap, never longer: 3600 s, a year, Infinity all wait 30 s', () => {
    for (const retryAfterMs of [3_600_000, 365 * 86_400_000, Number.MAX_SAFE_INTEGER, 45_000]) {
      const next = afterFailure({ urgency: 'urgent', kind: 'retryable', attempts: 1, queuedAt: T0, now: T0, retryAfterMs }, DEFAULT_RETRY_POLICY, () => 0);
      assert.deepEqual(next, { action: 'retry', delayMs: 30_000 }, `Retry-After ${retryAfterMs} ms`);
    }
    const shorter = afterFailure({ urgency: 'urgent', kind: 'retryable', attempts: 1, queuedAt: T0, now: T0, retryAfterMs: 12_000 }, DEFAULT_RETRY_POLICY, () => 0);
    assert.deepEqual(shorter, { action: 'retry', delayMs: 12_000 }, 'a shorter Retry-After is honoured as it is');
    const configured = afterFailure({ urgency: 'urgent', kind: 'retryable', attempts: 1, queuedAt: T0, now: T0, retryAfterMs: 3_600_000 }, { ...DEFAULT_RETRY_POLICY, urgentBackoff: { baseMs: 1000, capMs: 10_000 } }, () => 0);
    assert.deepEqual(configured, { action: 'retry', delayMs: 10_000 }, 'the configured urgent cap');
  });

  it('a routine row honours Retry-After in full, but never past the end of its budget', () => {
    const hour = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 1, queuedAt: T0, now: T0, retryAfterMs: 3_600_000 }, DEFAULT_RETRY_POLICY, () => 0);
    assert.deepEqual(hour, { action: 'retry', delayMs: 3_600_000 });
    const year = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 1, queuedAt: T0, now: at(3_600_000), retryAfterMs: 365 * 86_400_000 }, DEFAULT_RETRY_POLICY, () => 0);
    assert.deepEqual(year, { action: 'retry', delayMs: 23 * 3_600_000 }, 'at the end of the 24 h budget');
  });

  it('a routine row has a budget in time, not attempts: 500 attempts within 24 h retry; past 24 h it is exhausted', () => {
    const within = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 500, queuedAt: T0, now: at(23 * 3_600_000), retryAfterMs: null }, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.equal(within.action, 'retry');
    const early = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 9, queuedAt: T0, now: at(150_000), retryAfterMs: null }, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.equal(early.action, 'retry', 'the old 8-attempt budget is gone: attempt 9 after 150 s still retries');
    const past = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 2, queuedAt: T0, now: at(24 * 3_600_000), retryAfterMs: null }, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.deepEqual(past, { action: 'give_up', reason: 'exhausted' });
    const nearEnd = afterFailure({ urgency: 'routine', kind: 'retryable', attempts: 30, queuedAt: T0, now: at(24 * 3_600_000 - 1000), retryAfterMs: null }, DEFAULT_RETRY_POLICY, () => 0.99);
    assert.deepEqual(nearEnd, { action: 'retry', delayMs: 1000 }, 'the last retry falls inside the budget');
  });

  it('permanent failures give up at once, urgent or not', () => {
    for (const urgency of ['urgent', 'routine'] as const) {
      assert.deepEqual(afterFailure({ urgency, kind: 'unreachable', attempts: 1, queuedAt: T0, now: T0, retryAfterMs: null }), { action: 'give_up', reason: 'unreachable' });
      assert.deepEqual(afterFailure({ urgency, kind: 'rejected', attempts: 1, queuedAt: T0, now: T0, retryAfterMs: null }), { action: 'give_up', reason: 'rejected' });
    }
  });

  it('a deferral puts the row back for when its conversation may be sent to again, never in the past', () => {
    assert.deepEqual(deferral(10_000, at(5000)).nextAttemptAt, at(15_000));
    assert.deepEqual(deferral(1234.2, T0).nextAttemptAt, at(1235), 'rounded up: never before the wait ends');
    assert.deepEqual(deferral(-50, at(7000)).nextAttemptAt, at(7000), 'a wait already over: now');
    // That it is not an attempt is behaviour of the dispatcher: longOutages.test.ts checks attempts == requests.
  });

  it('is configured from the settings', () => {
    const p = retryPolicyFor({ dispatcher: { routineRetryHours: 6, urgentRetryCapSeconds: 20 } });
    assert.equal(p.routineBudgetMs, 6 * 3_600_000);
    assert.equal(p.urgentBackoff.capMs, 20_000);
  });
});

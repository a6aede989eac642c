import assert from 'node:assert/strict';
import { backoffCeilingMs, DEFAULT_BACKOFF, fullJitterDelayMs, parseRetryAfterMs, retryDelayMs, seededRandom } from '../../src/notify/backoff';
import { deriveIdempotencyKey, parseOutboxRow, practitionerNotice } from '../../src/notify/outboxDispatcher';

describe('notify: backoff with full jitter', () => {
  it('doubles the ceiling per attempt from the base, up to the cap (defaults: 1 s, 5 min)', () => {
    assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 1000, capMs: 300_000 });
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffCeilingMs(n)), [1000, 2000, 4000, 8000, 16_000]);
    assert.equal(backoffCeilingMs(9), 256_000);
    assert.equal(backoffCeilingMs(10), 300_000);
    assert.equal(backoffCeilingMs(5000), 300_000, 'no overflow for absurd attempt counts');
  });

  it('draws uniformly in [0, ceiling): 0 and just under the ceiling at the extremes', () => {
    assert.equal(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0), 0);
    assert.equal(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0.999999), 3999);
    assert.equal(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0.5), 2000);
  });

  it('is deterministic with a seeded random, and stays within its bounds', () => {
    const a = Array.from({ length: 12 }, (_, i) => fullJitterDelayMs(i + 1, { baseMs: 10, capMs: 500 }, seededRandom(42)));
    const b = Array.from({ length: 12 }, (_, i) => fullJitterDelayMs(i + 1, { baseMs: 10, capMs: 500 }, seededRandom(42)));
    assert.deepEqual(a, b);
    const random = seededRandom(7);
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      const delay = fullJitterDelayMs(attempt, { baseMs: 10, capMs: 500 }, random);
      assert.ok(delay >= 0 && delay < backoffCeilingMs(attempt, { baseMs: 10, capMs: 500 }), `attempt ${attempt}: ${delay}`);
    }
    const values = Array.from({ length: 1000 }, seededRandom(1));
    assert.ok(values.every((v) => v >= 0 && v < 1));
    assert.ok(new Set(values).size > 990, 'the PRNG does not repeat itself');
  });

  it('never schedules earlier than Retry-After', () => {
    assert.equal(retryDelayMs(1, 30_000, DEFAULT_BACKOFF, () => 0.99), 30_000, 'Retry-After beats a shorter backoff');
    assert.equal(retryDelayMs(10, 1000, DEFAULT_BACKOFF, () => 0.5), 150_000, 'a longer backoff beats a short Retry-After');
    assert.equal(retryDelayMs(1, null, DEFAULT_BACKOFF, () => 0.5), 500);
    assert.equal(retryDelayMs(1, 1.2, DEFAULT_BACKOFF, () => 0), 2, 'rounded up, never down');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-03T10:00:00.000Z');
    assert.equal(parseRetryAfterMs('120', now), 120_000);
    assert.equal(parseRetryAfterMs(' 3 ', now), 3000);
    assert.equal(parseRetryAfterMs('0', now), 0);
    assert.equal(parseRetryAfterMs('1.5', now), 1500);
    assert.equal(parseRetryAfterMs(2, now), 2000);
    assert.equal(parseRetryAfterMs('Tue, 03 Mar 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfterMs('Tue, 03 Mar 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
    for (const bad of [null, undefined, '', 'soon', '-5', 'NaN', -1, Number.NaN]) assert.equal(parseRetryAfterMs(bad as string | number | null | undefined, now), null, String(bad));
  });
});

describe('notify: follow-up keys, payload parsing and what the practitioner is told', () => {
  it('derives follow-up keys from the parent key, hashing keys that would be too long to store', () => {
    assert.equal(deriveIdempotencyKey('alert:e1:manager', 'fallback-channel'), 'alert:e1:manager:fallback-channel');
    assert.equal(deriveIdempotencyKey('alert:e1:manager', 'tell-practitioner'), 'alert:e1:manager:tell-practitioner');
    const long = 'k'.repeat(250);
    const derived = deriveIdempotencyKey(long, 'tell-practitioner');
    assert.ok(derived.length <= 256);
    assert.equal(derived, deriveIdempotencyKey(long, 'tell-practitioner'), 'deterministic');
    assert.notEqual(derived, deriveIdempotencyKey(`${long}x`, 'tell-practitioner'));
  });

  it('reads rows by kind with the one contract, and refuses what it cannot send (no guessing by shape)', () => {
    // A row queued before rows carried views: its rendered card is read as such, to be sent as it is.
    const card = { tenantId: 't', card: { type: 'AdaptiveCard' }, summary: 's' };
    assert.deepEqual(parseOutboxRow({ kind: 'card', payload: card }), { ok: true, message: { kind: 'card', payload: { ...card, card: { kind: 'rendered', card: { type: 'AdaptiveCard' } } } } });
    const otherName = parseOutboxRow({ kind: 'safeguarding_alert', payload: card });
    assert.ok(!otherName.ok && /unknown kind "safeguarding_alert"/.test(otherName.reason), 'a kind nothing writes is not delivered by its shape');
    const update = parseOutboxRow({ kind: 'card_update', payload: { activityId: 'a', conversationId: 'c', card: { type: 'AdaptiveCard', body: [] } } });
    assert.ok(update.ok && update.message.kind === 'card_update' && update.message.payload.card.kind === 'rendered');
    // Neither a view nor a card: refused, naming the field.
    for (const notACard of [{}, { kind: 'outcome', view: { decisionId: 'd' } }, { kind: 'wizard_step', view: {} }, { type: 'Hero' }]) {
      const refused = parseOutboxRow({ kind: 'card_update', payload: { activityId: 'a', conversationId: 'c', card: notACard } });
      assert.ok(!refused.ok && /malformed card_update payload: card/.test(refused.reason), JSON.stringify(notACard));
    }
    const bad = parseOutboxRow({ kind: 'card', payload: { card: 'not an object' } });
    assert.ok(!bad.ok && /malformed card payload/.test(bad.reason) && /tenantId/.test(bad.reason), 'names the field');
    const erased = parseOutboxRow({ kind: 'text', payload: null });
    assert.ok(!erased.ok && /erased/.test(erased.reason));
  });

  it('tells the practitioner who was reached, or that nobody was, naming the case', () => {
    const base = { recipientDescription: 'your line manager Lee Manager', status: 403, urgent: true, caseRef: 'CR-40118', targetIsConversation: false };
    assert.equal(
      practitionerNotice({ ...base, reason: 'unreachable', sentToEscalationChannel: true }),
      'Your safeguarding alert (case CR-40118) could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). It went to the escalation channel.',
    );
    assert.equal(
      practitionerNotice({ ...base, reason: 'unreachable', sentToEscalationChannel: false }),
      "Your safeguarding alert (case CR-40118) could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). Nobody could be reached by Teams: phone your line manager or the council's escalation contacts now.",
    );
    assert.match(
      practitionerNotice({ ...base, status: 502, reason: 'exhausted', urgent: false, exhausted: 'Teams did not accept it after 40 attempts over 24 hours', sentToEscalationChannel: true }),
      /^A message about your check \(case CR-40118\) could not reach .*\(Teams did not accept it after 40 attempts over 24 hours\)/,
    );
    assert.match(practitionerNotice({ ...base, status: 400, reason: 'rejected', urgent: false, caseRef: null, sentToEscalationChannel: true }), /\(no case reference given\).*\(Teams refused the message, status 400\)\. It went to the escalation channel\.$/);
    assert.match(practitionerNotice({ ...base, status: 404, reason: 'unreachable', sentToEscalationChannel: false }), /their chat with ChannelCheck no longer exists/);
    const reachedSomeone = practitionerNotice({ ...base, reason: 'unreachable', sentToEscalationChannel: false, deliveredElsewhere: ['the Head of Service Sam Head'] });
    assert.match(reachedSomeone, /It was delivered to the Head of Service Sam Head\.$/);
    assert.doesNotMatch(reachedSomeone, /Nobody could be reached/, 'never untrue when another copy got through');
  });
});

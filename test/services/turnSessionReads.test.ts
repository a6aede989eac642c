/**
 * One wizard session read per turn: the throttle's read is handed once to the same turn's load, and the
 * throttle still never holds back a check whose stored answers indicate risk.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { createTurnThrottle } from '../../src/bot/turnThrottle';
import type { WizardSession } from '../../src/domain/ports/store';
import type { UserRateLimiter } from '../../src/limits/userRateLimiter';
import type { Actor } from '../../src/services/actor';
import { TurnSessionReads } from '../../src/services/turnSessionReads';

function session(id: string, answers: Record<string, unknown>, version = 1): WizardSession {
  const at = new Date('2026-01-05T10:00:00Z');
  return {
    id, userAadId: 'aad-pat', tenantId: 'tenant-1', councilId: 'c', step: 'risk', answers: { answers, history: [] }, caseRef: null, version,
    status: 'active', decisionId: null, activityId: null, conversationRef: null, createdAt: at, updatedAt: at,
  };
}

function countingReads(rows: Map<string, WizardSession>) {
  const calls: string[] = [];
  const reads = new TurnSessionReads(async (id) => {
    calls.push(id);
    return rows.get(id) ?? null;
  });
  return { reads, calls };
}

const actor = (): Actor => ({ aadObjectId: 'aad-pat', tenantId: 'tenant-1', displayName: 'Pat' }) as Actor;

describe('services: one wizard session read per turn', () => {
  it('hands the kept read to the same turn once; a later load, another turn or another session reads again', async () => {
    const rows = new Map([['s1', session('s1', {})], ['s2', session('s2', {})]]);
    const { reads, calls } = countingReads(rows);
    const turn = actor();
    const first = await reads.readAndKeep(turn, 's1');
    assert.equal(await reads.take(turn, 's1'), first);
    assert.deepEqual(calls, ['s1'], 'one read for the throttle and the step');
    rows.set('s1', session('s1', {}, 2));
    assert.equal((await reads.take(turn, 's1'))?.version, 2, 'a second load (after a conflict) reads again');
    assert.deepEqual(calls, ['s1', 's1']);
    await reads.readAndKeep(turn, 's1');
    await reads.take(turn, 's2');
    assert.deepEqual(calls, ['s1', 's1', 's1', 's2'], 'a kept read of another session is not used');
    await reads.readAndKeep(turn, 's1');
    await reads.take(actor(), 's1');
    assert.deepEqual(calls.length, 6, 'another turn (a new actor object) reads for itself');
  });

  it('does not reuse a read that failed', async () => {
    let fail = true;
    const reads = new TurnSessionReads(async (id) => {
      if (fail) throw new Error('database is locked');
      return session(id, {});
    });
    const turn = actor();
    await assert.rejects(reads.readAndKeep(turn, 's1'));
    fail = false;
    assert.equal((await reads.take(turn, 's1'))?.id, 's1');
  });

  it('the throttle never holds back a check whose stored answers indicate risk, and its read serves the step', async () => {
    const rows = new Map([['risky', session('risky', { safeguardingConcern: 'yes' })], ['plain', session('plain', { safeguardingConcern: false })]]);
    const { reads, calls } = countingReads(rows);
    const refuseAll: UserRateLimiter = { consume: async () => ({ allowed: false, retryAfterMs: 5000 }) } as unknown as UserRateLimiter;
    const throttle = createTurnThrottle(refuseAll, pino({ level: 'silent' }), {
      sessionAnswers: async (id, who) => {
        const s = await reads.readAndKeep(who, id);
        return ((s?.answers as { answers?: Record<string, unknown> } | null)?.answers) ?? null;
      },
    });
    const turn = actor();
    assert.equal(await throttle.check(turn, { verb: 'wizard.next', data: { sessionId: 'risky', version: 1 } }), null, 'never throttled');
    assert.equal((await reads.take(turn, 'risky'))?.id, 'risky');
    assert.deepEqual(calls, ['risky'], 'the step used the throttle\'s read');
    assert.notEqual(await throttle.check(actor(), { verb: 'wizard.next', data: { sessionId: 'plain', version: 1 } }), null, 'an ordinary check is throttled');
  });
});

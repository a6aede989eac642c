import assert from 'node:assert/strict';
import type { ChannelCheckStore, NewOutboxMessage } from '../../../src/domain/ports/store';
import { isUniqueViolation } from '../../../src/store/engineDifferences';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

const SECOND = 1000;

function message(key: string, extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return { idempotencyKey: key, kind: 'text', target: { kind: 'conversation', conversationId: 'conv-1' }, payload: { tenantId: 'tenant-1', text: key }, ...extra } as NewOutboxMessage;
}

export function describeOutbox(env: ContractEnv): void {
  describe('outbox', function () {
    it('records the correlation id each message carries (the turn that queued it), and none for a message without one', async function () {
      const { store, db } = env;
      await store.enqueue([message('c1', { correlationId: 'corr-turn-1' }), message('c2', { correlationId: 'corr-turn-2' }), message('c3'), message('c4', { correlationId: null })]);
      const command = decisionCommand('CASE-5002', 'c5');
      await store.recordDecision({ ...command, notifications: command.notifications!.map((m) => ({ ...m, correlationId: 'corr-turn-3' })) });
      const rows = await db.raw().selectFrom('outbox').select(['idempotency_key', 'correlation_id']).where('idempotency_key', 'in', ['c1', 'c2', 'c3', 'c4', 'c5']).orderBy('idempotency_key').execute();
      assert.deepEqual(rows, [
        { idempotency_key: 'c1', correlation_id: 'corr-turn-1' },
        { idempotency_key: 'c2', correlation_id: 'corr-turn-2' },
        { idempotency_key: 'c3', correlation_id: null },
        { idempotency_key: 'c4', correlation_id: null },
        { idempotency_key: 'c5', correlation_id: 'corr-turn-3' },
      ]);
      await assert.rejects(store.enqueue([message('c6', { correlationId: 'corr\nforged' })]), (e: unknown) => e instanceof StoreValidationError && e.field === 'notifications[0].correlationId');
    });

    it('queues a message once per idempotency key, and the database enforces the key', async function () {
      const { store, db } = env;
      const first = await store.enqueue([message('k1'), message('k2')]);
      assert.deepEqual(first.queued.map((m) => m.idempotencyKey), ['k1', 'k2']);
      const again = await store.enqueue([message('k1', { payload: { tenantId: 'tenant-1', text: 'different' } }), message('k3')]);
      assert.deepEqual(again.duplicates, ['k1']);
      assert.deepEqual(again.queued.map((m) => m.idempotencyKey), ['k3']);
      const stored = await db.raw().selectFrom('outbox').selectAll().where('idempotency_key', '=', 'k1').execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.payload, '{"tenantId":"tenant-1","text":"k1"}');
      const raw = { ...stored[0]!, id: 'another-id' };
      await assert.rejects(db.raw().insertInto('outbox').values(raw).execute(), (e: unknown) => isUniqueViolation(e));
      await assert.rejects(store.enqueue([message('')]), StoreValidationError);
    });

    it('claims only due messages, for a lease; an expired lease goes to another worker', async function () {
      const { store, clock } = env;
      const now = clock.now();
      await store.enqueue([message('due-1'), message('due-2'), message('later', { notBefore: new Date(now.getTime() + 60 * SECOND) })]);
      const w1 = await store.claimDueOutbox('w1', 10, now, 30 * SECOND);
      assert.deepEqual(w1.map((m) => m.idempotencyKey), ['due-1', 'due-2']);
      assert.ok(w1.every((m) => m.status === 'in_flight' && m.claimedBy === 'w1' && m.attempts === 0), 'a claim is not an attempt');
      assert.deepEqual(await store.claimDueOutbox('w2', 10, now, 30 * SECOND), [], 'nothing else is due, and w1 holds the lease');
      assert.equal(await store.markSent(w1[0]!.id, 'w1', 'activity-1', now), true);

      const later = new Date(now.getTime() + 61 * SECOND);
      const w2 = await store.claimDueOutbox('w2', 10, later, 30 * SECOND);
      assert.deepEqual(w2.map((m) => m.idempotencyKey).sort(), ['due-2', 'later'], 'due-2 came back: w1 crashed and its lease ran out');
      assert.equal(w2.find((m) => m.idempotencyKey === 'due-2')?.attempts, 0, 'a crash before the send is not an attempt either');
      assert.equal(await store.markSent(w1[1]!.id, 'w1', 'too-late', later), false, 'w1 lost the lease: it must not mark it sent');
      const sent = await store.getOutboxMessage(w1[0]!.id);
      assert.equal(sent?.status, 'sent');
      assert.equal(sent?.sentActivityId, 'activity-1');
    });

    it('claims urgent safeguarding alerts before routine messages that were due earlier', async function () {
      const { store, clock } = env;
      const now = clock.now();
      await store.enqueue([message('routine-1', { notBefore: new Date(now.getTime() - 60 * SECOND) }), message('routine-2'), message('urgent-1', { urgent: true })]);
      const first = await store.claimDueOutbox('w1', 1, now, 30 * SECOND);
      assert.deepEqual(first.map((m) => m.idempotencyKey), ['urgent-1']);
      const rest = await store.claimDueOutbox('w1', 10, now, 30 * SECOND);
      assert.deepEqual(rest.map((m) => m.idempotencyKey), ['routine-1', 'routine-2']);
    });

    it('claims same-day information-incident notices after urgent alerts and before routine messages', async function () {
      const { store, clock } = env;
      const now = clock.now();
      await store.enqueue([
        message('routine-1', { notBefore: new Date(now.getTime() - 60 * SECOND) }),
        message('same-day-1', { priority: 'same_day' }),
        message('urgent-1', { urgent: true }),
        message('routine-2', { priority: 'routine' }),
      ]);
      const order: string[] = [];
      for (let i = 0; i < 4; i++) order.push(...(await store.claimDueOutbox('w1', 1, now, 30 * SECOND)).map((m) => m.idempotencyKey));
      assert.deepEqual(order, ['urgent-1', 'same-day-1', 'routine-1', 'routine-2']);
    });

    it('a failed send waits for its next attempt; a dead letter is audited and tells the practitioner', async function () {
      const { store, clock } = env;
      const recorded = await store.recordDecision(decisionCommand('CASE-5001', 'card:1'));
      const now = clock.now();
      const [claimed] = await store.claimDueOutbox('w1', 1, now, 30 * SECOND);
      assert.ok(claimed);
      assert.equal(await store.markFailed(claimed.id, 'w2', '429', now), false, 'only the lease holder');
      assert.equal(await store.markFailed(claimed.id, 'w1', `429 Too Many Requests ${'x'.repeat(5000)}`, new Date(now.getTime() + 10 * SECOND)), true);
      const failed = await store.getOutboxMessage(claimed.id);
      assert.equal(failed?.status, 'pending');
      assert.ok((failed?.lastError?.length ?? 0) <= 2000);
      assert.deepEqual(await store.claimDueOutbox('w1', 1, new Date(now.getTime() + 5 * SECOND), 30 * SECOND), [], 'not before its next attempt');
      const [retry] = await store.claimDueOutbox('w1', 1, new Date(now.getTime() + 10 * SECOND), 30 * SECOND);
      assert.equal(retry?.attempts, 1, 'one real send so far');
      const told = message('dead:card:1', { target: { kind: 'user', aadObjectId: 'aad-prac-1' } });
      assert.equal(await store.markDead(claimed.id, 'w1', 'gave up after 2 attempts', [told]), true);
      assert.equal((await store.getOutboxMessage(claimed.id))?.status, 'dead');
      const followUp = await env.db.raw().selectFrom('outbox').selectAll().where('idempotency_key', '=', 'dead:card:1').executeTakeFirst();
      assert.equal(followUp?.decision_id, recorded.record.id);
      const events = await store.listAuditEvents({ decisionId: recorded.record.id });
      assert.equal(events.at(-1)?.type, 'notification.dead_lettered');
      assert.equal(events.at(-1)?.caseRef, 'CASE-5001');
      assert.equal(await store.markDead(claimed.id, 'w1', 'again'), false);
    });

    it('counts real sends only: deferrals are not attempts; leases extend; backoffs release after an outage; in-flight rows release at start', async function () {
      const { store, clock } = env;
      const now = clock.now();
      await store.enqueue([message('d-1'), message('d-2'), message('d-3')]);
      const [d1, d2, d3] = await store.claimDueOutbox('w1', 3, now, 30 * SECOND);
      assert.ok(d1 && d2 && d3);
      for (let i = 0; i < 5; i += 1) {
        assert.equal(await store.deferOutbox(d1.id, 'w1', 'conversation paused by Teams for 10000 ms', now), true);
        const [again] = await store.claimDueOutbox('w1', 1, now, 30 * SECOND);
        assert.equal(again?.id, d1.id);
      }
      assert.equal((await store.getOutboxMessage(d1.id))?.attempts, 0, 'five deferrals, no attempt');
      assert.equal(await store.markFailed(d1.id, 'w1', 'retryable 500', new Date(now.getTime() + 300 * SECOND)), true);
      assert.equal(await store.deferOutbox(d2.id, 'w1', 'paused', new Date(now.getTime() + 300 * SECOND)), true);
      assert.deepEqual(await store.extendOutboxLease([d3.id], 'w2', new Date(now.getTime() + 60 * SECOND)), [], 'only the holder extends');
      assert.deepEqual(await store.extendOutboxLease([d3.id], 'w1', new Date(now.getTime() + 60 * SECOND)), [d3.id]);
      assert.deepEqual(await store.claimDueOutbox('w2', 5, new Date(now.getTime() + 45 * SECOND), 30 * SECOND), [], 'the extended lease holds');
      assert.equal(await store.releaseBackoff(now), 1, 'the backed-off row is due now; the deferred one keeps its wait');
      assert.deepEqual((await store.claimDueOutbox('w1', 5, now, 30 * SECOND)).map((m) => m.id), [d1.id]);
      assert.deepEqual(await store.releaseInFlight(now), { outbox: 2, timers: 0 });
      assert.deepEqual((await store.claimDueOutbox('w9', 5, now, 30 * SECOND)).map((m) => m.id).sort(), [d1.id, d3.id].sort(), 'claimable again at once, not after the lease');
      assert.equal(await store.markSent(d1.id, 'w9', 'a-1', now), true);
      assert.equal((await store.getOutboxMessage(d1.id))?.attempts, 2);
    });

    it('never hands the same message to two workers, across two replicas', async function () {
      this.timeout(60_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const now = env.clock.now();
      const total = 120;
      await a.enqueue(Array.from({ length: total }, (_, i) => message(`m${i}`)));
      const claims = new Map<string, string[]>();
      const worker = async (store: ChannelCheckStore, id: string) => {
        for (;;) {
          const got = await store.claimDueOutbox(id, 7, now, 60 * SECOND);
          if (got.length === 0) return;
          for (const m of got) claims.set(m.id, [...(claims.get(m.id) ?? []), id]);
          for (const m of got) assert.equal(await store.markSent(m.id, id, `act-${m.id}`, now), true);
        }
      };
      await Promise.all([worker(a, 'a1'), worker(a, 'a2'), worker(a, 'a3'), worker(b, 'b1'), worker(b, 'b2'), worker(b, 'b3')]);
      assert.equal(claims.size, total, 'every message was claimed');
      const doubled = [...claims.entries()].filter(([, workers]) => workers.length > 1);
      assert.deepEqual(doubled, [], 'no message was claimed twice');
      const rows = await env.db.raw().selectFrom('outbox').select(['status', 'attempts']).execute();
      assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1));
    });
  });
}

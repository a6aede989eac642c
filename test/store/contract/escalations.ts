import assert from 'node:assert/strict';
import type { ChannelCheckStore } from '../../../src/domain/ports/store';
import { decisionCommand, sampleDecision } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

const MINUTE = 60_000;

async function raiseAlert(store: ChannelCheckStore, now: Date, n: number) {
  const escalationId = `esc-${n}`;
  const recorded = await store.recordDecision(
    decisionCommand(`CASE-${4000 + n}`, `alert:${n}`, {
      decision: sampleDecision({ outcome: 'safeguarding_escalation', urgency: 'urgent' }),
      escalation: { id: escalationId, dueAt: new Date(now.getTime() + 15 * MINUTE) },
      timers: [{ kind: 'escalation_ack_due', refId: escalationId, dueAt: new Date(now.getTime() + 15 * MINUTE) }],
    }),
  );
  assert.ok(recorded.escalation);
  return recorded;
}

export function describeEscalations(env: ContractEnv): void {
  describe('safeguarding escalations and timers', function () {
    it('is acknowledged once, cancels its timer, and tells who acknowledged', async function () {
      const { store, clock } = env;
      const { escalation, record } = await raiseAlert(store, clock.now(), 1);
      assert.equal(record.state, 'escalation_open');
      assert.equal(escalation?.status, 'open');
      const ack = await store.acknowledgeEscalation('esc-1', 'aad-manager-1', [{ idempotencyKey: 'ack:1', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }]);
      assert.ok(ack.kind === 'acknowledged');
      assert.equal(ack.escalation.acknowledgedBy, 'aad-manager-1');
      assert.equal(ack.escalation.acknowledgedAt?.toISOString(), clock.now().toISOString());
      const again = await store.acknowledgeEscalation('esc-1', 'aad-head-1', [{ idempotencyKey: 'ack:2', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }]);
      assert.ok(again.kind === 'already_acknowledged');
      assert.equal(again.escalation.acknowledgedBy, 'aad-manager-1');
      assert.equal((await store.getDecision(record.id))?.state, 'escalation_acknowledged');
      clock.advance(20 * MINUTE);
      assert.deepEqual(await store.claimDueTimers('w1', 10, clock.now(), MINUTE), [], 'the acknowledgement cancelled the timer');
      assert.equal((await env.db.raw().selectFrom('outbox').select('id').where('idempotency_key', 'in', ['ack:1', 'ack:2']).execute()).length, 1);
      assert.equal((await store.acknowledgeEscalation('nope', 'x')).kind, 'not_found');
    });

    it('acknowledging cancels the copies still waiting in the outbox: they are never sent or dead-lettered', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 7);
      const copy = (key: string, aad: string) => ({ idempotencyKey: key, kind: 'card' as const, urgent: true, refId: 'esc-7', target: { kind: 'user' as const, aadObjectId: aad }, payload: { tenantId: 'tenant-1', card: { type: 'AdaptiveCard' }, summary: 'alert', urgent: true } });
      await store.enqueue([copy('esc-7:manager', 'aad-manager-1'), copy('esc-7:hos', 'aad-head-1')]);
      const claimed = (await store.claimDueOutbox('w1', 10, clock.now(), MINUTE)).filter((m) => m.refId === 'esc-7');
      const hos = claimed.find((m) => m.idempotencyKey === 'esc-7:hos')!;
      const manager = claimed.find((m) => m.idempotencyKey === 'esc-7:manager')!;
      assert.equal(await store.markFailed(manager.id, 'w1', 'retryable 500', clock.now()), true);
      const ack = await store.acknowledgeEscalation('esc-7', 'aad-manager-1', [{ idempotencyKey: 'esc-7:ack', kind: 'text', refId: 'esc-7', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged (case CASE-4007)' } }]);
      assert.equal(ack.kind, 'acknowledged');
      assert.equal((await store.getOutboxMessage(manager.id))?.status, 'cancelled', 'the pending copy');
      assert.equal((await store.getOutboxMessage(hos.id))?.status, 'cancelled', 'the copy in flight');
      assert.equal(await store.markDead(hos.id, 'w1', 'unreachable: 403', [{ idempotencyKey: 'esc-7:hos:tell', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'Nobody could be reached' } }]), false, 'a cancelled copy cannot be dead-lettered');
      assert.equal(await store.markFailed(hos.id, 'w1', 'retryable 500', clock.now()), false, 'nor retried');
      const keys = (await env.db.raw().selectFrom('outbox').select(['idempotency_key', 'status']).where('ref_id', '=', 'esc-7').execute()).map((r) => `${r.idempotency_key}=${r.status}`).sort();
      assert.deepEqual(keys, ['esc-7:ack=pending', 'esc-7:hos=cancelled', 'esc-7:manager=cancelled']);
      const events = await store.listAuditEvents({ caseRef: 'CASE-4007' });
      assert.deepEqual((events.find((e) => e.type === 'escalation.acknowledged')?.payload as { copiesCancelled: number }).copiesCancelled, 2);
    });

    it('a reminder at the same level is audited as such and replaces the pending timers', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 8);
      clock.advance(16 * MINUTE);
      const [timer] = (await store.claimDueTimers('w1', 10, clock.now(), MINUTE)).filter((t) => t.refId === 'esc-8');
      assert.ok(timer);
      const due = new Date(clock.now().getTime() + 15 * MINUTE);
      const result = await store.escalate({ escalationId: 'esc-8', fromLevel: 'manager', toLevel: 'manager', dueAt: due, actor: 'timer', firedTimerId: timer.id, timers: [{ kind: 'escalation_ack_due', refId: 'esc-8', dueAt: due }] });
      assert.equal(result.kind, 'escalated');
      const events = await store.listAuditEvents({ caseRef: 'CASE-4008' });
      assert.equal(events.at(-1)?.type, 'escalation.reminded');
      clock.advance(16 * MINUTE);
      assert.equal((await store.claimDueTimers('w1', 10, clock.now(), MINUTE)).filter((t) => t.refId === 'esc-8').length, 1, 'the alert comes round again');
    });

    it('escalates an unacknowledged alert when its timer fires, and not once acknowledged', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 2);
      assert.deepEqual(await store.claimDueTimers('w1', 10, clock.now(), MINUTE), [], 'not due yet');
      clock.advance(16 * MINUTE);
      const [timer] = await store.claimDueTimers('w1', 10, clock.now(), MINUTE);
      assert.ok(timer);
      const up = await store.escalate({
        escalationId: 'esc-2', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: new Date(clock.now().getTime() + 15 * MINUTE), actor: 'system:escalation',
        firedTimerId: timer.id,
        timers: [{ kind: 'escalation_ack_due', refId: 'esc-2', dueAt: new Date(clock.now().getTime() + 15 * MINUTE) }],
        notifications: [{ idempotencyKey: 'esc-2:hos', kind: 'card', urgent: true, target: { kind: 'user', aadObjectId: 'aad-head-1' }, payload: { tenantId: 'tenant-1', card: { type: 'AdaptiveCard' }, summary: 'alert', urgent: true } }],
      });
      assert.ok(up.kind === 'escalated');
      assert.equal(up.escalation.level, 'head_of_service');
      assert.equal(up.escalation.status, 'escalated');
      assert.equal(await store.completeTimer(timer.id, 'w1'), false, 'escalate() already marked the timer fired');
      const stale = await store.escalate({ escalationId: 'esc-2', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: null, actor: 'system:escalation' });
      assert.equal(stale.kind, 'unchanged', 'a second replica acting on the same timer changes nothing');
      assert.ok((await store.acknowledgeEscalation('esc-2', 'aad-head-1')).kind === 'acknowledged');
      const late = await store.escalate({ escalationId: 'esc-2', fromLevel: 'head_of_service', toLevel: 'escalation_channel', dueAt: null, actor: 'system:escalation' });
      assert.equal(late.kind, 'unchanged');
      const types = (await store.listAuditEvents({ caseRef: 'CASE-4002' })).map((e) => e.type);
      assert.deepEqual(types, ['decision.recorded', 'escalation.raised', 'escalation.escalated', 'escalation.acknowledged']);
    });

    it('two acknowledgements at once settle it once', async function () {
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      await raiseAlert(a, env.clock.now(), 3);
      const results = await Promise.all([a.acknowledgeEscalation('esc-3', 'aad-manager-1'), b.acknowledgeEscalation('esc-3', 'aad-head-1')]);
      assert.deepEqual(results.map((r) => r.kind).sort(), ['acknowledged', 'already_acknowledged']);
      const events = await a.listAuditEvents({ caseRef: 'CASE-4003' });
      assert.equal(events.filter((e) => e.type === 'escalation.acknowledged').length, 1);
    });

    it('hands each due timer to one worker for a lease, and back after the lease runs out', async function () {
      const { store, clock } = env;
      await store.scheduleTimers([
        { kind: 'k', refId: 'r1', dueAt: clock.now() },
        { kind: 'k', refId: 'r2', dueAt: clock.now() },
        { kind: 'k', refId: 'r3', dueAt: new Date(clock.now().getTime() + MINUTE) },
      ]);
      const first = await store.claimDueTimers('w1', 10, clock.now(), MINUTE);
      assert.deepEqual(first.map((t) => t.refId).sort(), ['r1', 'r2']);
      assert.deepEqual(await store.claimDueTimers('w2', 10, clock.now(), MINUTE), []);
      const [r1, r2] = ['r1', 'r2'].map((ref) => first.find((t) => t.refId === ref)?.id ?? '');
      assert.equal(await store.completeTimer(r1 ?? '', 'w1'), true);
      clock.advance(2 * MINUTE);
      const second = await store.claimDueTimers('w2', 10, clock.now(), MINUTE);
      assert.deepEqual(second.map((t) => t.refId).sort(), ['r2', 'r3'], 'r2 came back after w1 lost its lease; r1 fired');
      assert.equal(await store.completeTimer(r2 ?? '', 'w1'), false, 'w1 no longer holds r2');
      assert.equal(await store.cancelTimersFor('r3'), 1);
    });

    it('claims each due timer once across concurrent workers on two replicas', async function () {
      this.timeout(30_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const now = env.clock.now();
      await a.scheduleTimers(Array.from({ length: 40 }, (_, i) => ({ kind: 'k', refId: `r${i}`, dueAt: now })));
      const seen: string[] = [];
      const worker = async (store: ChannelCheckStore, id: string) => {
        for (;;) {
          const got = await store.claimDueTimers(id, 3, now, MINUTE);
          if (got.length === 0) return;
          seen.push(...got.map((t) => t.id));
        }
      };
      await Promise.all([worker(a, 'a1'), worker(a, 'a2'), worker(b, 'b1'), worker(b, 'b2')]);
      assert.equal(seen.length, 40);
      assert.equal(new Set(seen).size, 40);
    });
  });
}

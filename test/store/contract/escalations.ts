import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import type { ActingUser } from '../../../src/domain/authority';
import type { ChannelCheckStore, NewEscalation } from '../../../src/domain/ports/store';
import { alertRouting, decisionCommand, sampleDecision } from '../fixtures/sampleDecision';
import { migrationProvider } from '../../../src/store/migrations/migrationProvider';
import { StoreValidationError } from '../../../src/store/storeErrors';
import type { ContractEnv } from '../storeContract';
import { tableCounts } from './tableCounts';

const MINUTE = 60_000;

/** Someone clicking Acknowledge in their own 1:1 chat with the bot, in the practitioner's tenant. */
export function inChat(aadObjectId: string, tenantId = 'tenant-1'): ActingUser {
  return { aadObjectId, tenantId, conversationId: `a:personal-${aadObjectId}` };
}

export async function raiseAlert(store: ChannelCheckStore, now: Date, n: number, routing: NewEscalation['routing'] = alertRouting()) {
  const escalationId = `esc-${n}`;
  const recorded = await store.recordDecision(
    decisionCommand(`CASE-${4000 + n}`, `alert:${n}`, {
      decision: sampleDecision({ outcome: 'safeguarding_escalation', urgency: 'urgent' }),
      escalation: { id: escalationId, dueAt: new Date(now.getTime() + 15 * MINUTE), routing },
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
      const ack = await store.acknowledgeEscalation('esc-1', inChat('aad-manager-1'), [{ idempotencyKey: 'ack:1', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }]);
      assert.ok(ack.kind === 'acknowledged');
      assert.equal(ack.escalation.acknowledgedBy, 'aad-manager-1');
      assert.equal(ack.escalation.acknowledgedAt?.toISOString(), clock.now().toISOString());
      const again = await store.acknowledgeEscalation('esc-1', inChat('aad-deputy-1'), [{ idempotencyKey: 'ack:2', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }]);
      assert.ok(again.kind === 'already_acknowledged');
      assert.equal(again.escalation.acknowledgedBy, 'aad-manager-1');
      assert.equal((await store.getDecision(record.id))?.state, 'escalation_acknowledged');
      clock.advance(20 * MINUTE);
      assert.deepEqual(await store.claimDueTimers('w1', 10, clock.now(), MINUTE), [], 'the acknowledgement cancelled the timer');
      assert.equal((await env.db.raw().selectFrom('outbox').select('id').where('idempotency_key', 'in', ['ack:1', 'ack:2']).execute()).length, 1);
      assert.equal((await store.acknowledgeEscalation('nope', inChat('x'))).kind, 'not_found');
    });

    it('acknowledging cancels the copies still waiting in the outbox: they are never sent or dead-lettered', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 7);
      const copy = (key: string, aad: string) => ({ idempotencyKey: key, kind: 'card' as const, urgent: true, refId: 'esc-7', target: { kind: 'user' as const, aadObjectId: aad }, payload: { tenantId: 'tenant-1', card: { kind: 'rendered' as const, card: { type: 'AdaptiveCard' } }, summary: 'alert', urgent: true } });
      await store.enqueue([copy('esc-7:manager', 'aad-manager-1'), copy('esc-7:hos', 'aad-head-1')]);
      const claimed = (await store.claimDueOutbox('w1', 10, clock.now(), MINUTE)).filter((m) => m.refId === 'esc-7');
      const hos = claimed.find((m) => m.idempotencyKey === 'esc-7:hos')!;
      const manager = claimed.find((m) => m.idempotencyKey === 'esc-7:manager')!;
      assert.equal(await store.markFailed(manager.id, 'w1', 'retryable 500', clock.now()), true);
      const ack = await store.acknowledgeEscalation('esc-7', inChat('aad-manager-1'), [{ idempotencyKey: 'esc-7:ack', kind: 'text', refId: 'esc-7', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged (case CASE-4007)' } }]);
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

    it('not delivered with no next level: audited as undelivered, not as a reminder', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 13);
      const due = new Date(clock.now().getTime() + 15 * MINUTE);
      const result = await store.escalate({ escalationId: 'esc-13', fromLevel: 'manager', toLevel: 'manager', dueAt: due, actor: 'channelcheck:delivery-timer', reason: 'undelivered' });
      assert.equal(result.kind, 'escalated');
      const events = await store.listAuditEvents({ caseRef: 'CASE-4013' });
      assert.equal(events.at(-1)?.type, 'escalation.undelivered');
    });

    it('escalates an unacknowledged alert when its timer fires, and not once acknowledged', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 2);
      assert.deepEqual(await store.claimDueTimers('w1', 10, clock.now(), MINUTE), [], 'not due yet');
      const early = await store.acknowledgeEscalation('esc-2', inChat('aad-head-1'));
      assert.ok(early.kind === 'not_authorised', 'the Head of Service cannot acknowledge before the alert reaches them');
      assert.equal(early.reason, 'not_yet_reached');
      clock.advance(16 * MINUTE);
      const [timer] = await store.claimDueTimers('w1', 10, clock.now(), MINUTE);
      assert.ok(timer);
      const up = await store.escalate({
        escalationId: 'esc-2', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: new Date(clock.now().getTime() + 15 * MINUTE), actor: 'system:escalation',
        firedTimerId: timer.id,
        // The directory now names another Head of Service: the one the card goes to is the one who may act.
        recipient: { headOfServiceAadId: 'aad-head-2' },
        timers: [{ kind: 'escalation_ack_due', refId: 'esc-2', dueAt: new Date(clock.now().getTime() + 15 * MINUTE) }],
        notifications: [{ idempotencyKey: 'esc-2:hos', kind: 'card', urgent: true, target: { kind: 'user', aadObjectId: 'aad-head-1' }, payload: { tenantId: 'tenant-1', card: { kind: 'rendered' as const, card: { type: 'AdaptiveCard' } }, summary: 'alert', urgent: true } }],
      });
      assert.ok(up.kind === 'escalated');
      assert.equal(up.escalation.level, 'head_of_service');
      assert.equal(up.escalation.status, 'escalated');
      assert.deepEqual(up.escalation.routing.reachedLevels, ['manager', 'head_of_service']);
      assert.equal(up.escalation.routing.headOfServiceAadId, 'aad-head-2');
      assert.equal(await store.completeTimer(timer.id, 'w1'), false, 'escalate() already marked the timer fired');
      const stale = await store.escalate({ escalationId: 'esc-2', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: null, actor: 'system:escalation' });
      assert.equal(stale.kind, 'unchanged', 'a second replica acting on the same timer changes nothing');
      assert.equal((await store.acknowledgeEscalation('esc-2', inChat('aad-head-1'))).kind, 'not_authorised', 'the Head of Service it was not sent to');
      assert.equal((await store.acknowledgeEscalation('esc-2', inChat('aad-head-2'))).kind, 'acknowledged');
      const late = await store.escalate({ escalationId: 'esc-2', fromLevel: 'head_of_service', toLevel: 'escalation_channel', dueAt: null, actor: 'system:escalation' });
      assert.equal(late.kind, 'unchanged');
      const types = (await store.listAuditEvents({ caseRef: 'CASE-4002' })).map((e) => e.type);
      assert.deepEqual(types, ['decision.recorded', 'escalation.raised', 'escalation.ack_refused', 'escalation.escalated', 'escalation.ack_refused', 'escalation.acknowledged']);
    });

    it('two acknowledgements at once settle it once', async function () {
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      await raiseAlert(a, env.clock.now(), 3);
      const results = await Promise.all([a.acknowledgeEscalation('esc-3', inChat('aad-manager-1')), b.acknowledgeEscalation('esc-3', inChat('aad-deputy-1'))]);
      assert.deepEqual(results.map((r) => r.kind).sort(), ['acknowledged', 'already_acknowledged']);
      const events = await a.listAuditEvents({ caseRef: 'CASE-4003' });
      assert.equal(events.filter((e) => e.type === 'escalation.acknowledged').length, 1);
    });

    it('only someone the alert was routed to may acknowledge it; a refusal is audited and changes nothing', async function () {
      const { store, clock } = env;
      const { record } = await raiseAlert(store, clock.now(), 5);
      const channel = '19:escalations@thread.tacv2';
      const told = (key: string) => [{ idempotencyKey: key, kind: 'text' as const, target: { kind: 'user' as const, aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }];
      const before = await tableCounts(env.db.raw());
      const refusals: Array<[string, ActingUser, string]> = [
        ['an outsider with no directory entry', inChat('aad-mallory'), 'not_routed'],
        ["another team's manager", inChat('aad-manager-2'), 'not_routed'],
        ['the manager id, signed in to another tenant', inChat('aad-manager-1', 'tenant-2'), 'other_tenant'],
        ['a channel conversation id from another tenant', { aadObjectId: 'aad-member-1', tenantId: 'tenant-2', conversationId: channel }, 'other_tenant'],
        ['the practitioner', inChat('aad-prac-1'), 'own_request'],
        ['the practitioner, from the channel', { aadObjectId: 'aad-prac-1', tenantId: 'tenant-1', conversationId: channel }, 'own_request'],
        ['the Head of Service before the alert reached them', inChat('aad-head-1'), 'not_yet_reached'],
        ['a channel member in their own chat', inChat('aad-member-1'), 'not_routed'],
        ['a channel member in another channel', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: '19:general@thread.tacv2;messageid=1' }, 'not_routed'],
        ['a look-alike conversation id', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: `${channel}x` }, 'not_routed'],
        ['no conversation at all', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: null }, 'not_routed'],
      ];
      for (const [who, actor, reason] of refusals) {
        const r = await store.acknowledgeEscalation('esc-5', actor, told(`refused:${who}`));
        assert.ok(r.kind === 'not_authorised', `${who}: ${r.kind}`);
        assert.equal(r.reason, reason, who);
        assert.equal(r.escalation.status, 'open', who);
      }
      assert.deepEqual(await tableCounts(env.db.raw()), { ...before, audit_events: before.audit_events + refusals.length }, 'each refusal wrote its audit event and nothing else');
      const stored = await store.getEscalation('esc-5');
      assert.equal(stored?.status, 'open');
      assert.equal(stored?.version, 1);
      assert.equal(stored?.acknowledgedBy, null);
      assert.equal((await store.getDecision(record.id))?.state, 'escalation_open');
      clock.advance(16 * MINUTE);
      assert.equal((await store.claimDueTimers('w1', 10, clock.now(), MINUTE)).length, 1, 'the escalation timer still runs');
      const refused = (await store.listAuditEvents({ decisionId: record.id })).filter((e) => e.type === 'escalation.ack_refused');
      assert.equal(refused.length, refusals.length);
      assert.deepEqual(refused[0]?.payload, { escalationId: 'esc-5', reason: 'not_routed', tenantId: 'tenant-1', conversationId: 'a:personal-aad-mallory' });
      assert.equal(refused[0]?.actor, 'aad-mallory');
      assert.equal(refused[0]?.caseRef, 'CASE-4005');

      // A member of the escalation channel, clicking the card in its thread there.
      const member = await store.acknowledgeEscalation('esc-5', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: `${channel};messageid=1712345678901` }, told('ack:member'));
      assert.ok(member.kind === 'acknowledged');
      assert.equal(member.escalation.acknowledgedBy, 'aad-member-1');
      const acked = (await store.listAuditEvents({ decisionId: record.id })).filter((e) => e.type === 'escalation.acknowledged');
      assert.deepEqual(acked.map((e) => e.payload), [{ escalationId: 'esc-5', level: 'manager', as: 'escalation_channel', copiesCancelled: 0 }]);
      // A replay by the same member, and a later click by the manager: the settled state, nothing queued.
      assert.equal((await store.acknowledgeEscalation('esc-5', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: channel }, told('ack:replay'))).kind, 'already_acknowledged');
      assert.equal((await store.acknowledgeEscalation('esc-5', inChat('aad-manager-1'), told('ack:late'))).kind, 'already_acknowledged');
      const queued = await env.db.raw().selectFrom('outbox').select('idempotency_key').where('ref_id', 'is', null).where('decision_id', '=', record.id).execute();
      assert.deepEqual(queued.map((q) => q.idempotency_key).filter((k) => k.startsWith('ack:') || k.startsWith('refused:')), ['ack:member'], 'only the acknowledgement queued its messages');
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    it('a delegate of the line manager may acknowledge; so may the Head of Service alerted at once (out of hours)', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 6);
      const delegate = await store.acknowledgeEscalation('esc-6', inChat('aad-deputy-1'));
      assert.ok(delegate.kind === 'acknowledged');
      assert.equal(delegate.escalation.acknowledgedBy, 'aad-deputy-1');

      const outOfHours = await raiseAlert(store, clock.now(), 7, alertRouting({ reachedLevels: ['manager', 'head_of_service'] }));
      assert.deepEqual(outOfHours.escalation?.routing, {
        tenantId: 'tenant-1',
        managerAadId: 'aad-manager-1',
        delegateAadIds: ['aad-deputy-1'],
        headOfServiceAadId: 'aad-head-1',
        reachedLevels: ['manager', 'head_of_service'],
        channelConversationId: '19:escalations@thread.tacv2',
      });
      assert.equal((await store.acknowledgeEscalation('esc-7', inChat('aad-head-1'))).kind, 'acknowledged');

      // No manager on record, no channel: only the Head of Service it went to.
      await raiseAlert(store, clock.now(), 8, alertRouting({ managerAadId: null, delegateAadIds: [], reachedLevels: ['head_of_service'], channelConversationId: null }));
      assert.equal((await store.acknowledgeEscalation('esc-8', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: '19:escalations@thread.tacv2' })).kind, 'not_authorised');
      assert.equal((await store.acknowledgeEscalation('esc-8', inChat('aad-head-1'))).kind, 'acknowledged');
    });

    it('escalating to the channel records it as reached and which channel the card went to', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 9, alertRouting({ channelConversationId: null }));
      const up = await store.escalate({ escalationId: 'esc-9', fromLevel: 'manager', toLevel: 'escalation_channel', dueAt: null, actor: 'system:escalation', recipient: { channelConversationId: '19:late@thread.tacv2' } });
      assert.ok(up.kind === 'escalated');
      assert.deepEqual(up.escalation.routing.reachedLevels, ['manager', 'escalation_channel']);
      assert.equal((await store.acknowledgeEscalation('esc-9', { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: '19:late@thread.tacv2;messageid=9' })).kind, 'acknowledged');
      await assert.rejects(
        raiseAlert(store, clock.now(), 10, alertRouting({ reachedLevels: ['nowhere' as never] })),
        (e: unknown) => e instanceof StoreValidationError && e.field === 'escalation.routing.reachedLevels[0]',
      );
    });

    it('20 simultaneous clicks from mixed people on two replicas: one acknowledgement, every outsider refused and audited', async function () {
      this.timeout(30_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const { record } = await raiseAlert(a, env.clock.now(), 11);
      const channel = { aadObjectId: 'aad-member-1', tenantId: 'tenant-1', conversationId: '19:escalations@thread.tacv2;messageid=5' };
      const allowed: ActingUser[] = [inChat('aad-manager-1'), inChat('aad-deputy-1'), channel, { ...channel, aadObjectId: 'aad-member-2' }];
      const refused: Array<[ActingUser, string]> = [
        [inChat('aad-prac-1'), 'own_request'],
        [inChat('aad-mallory'), 'not_routed'],
        [inChat('aad-manager-2'), 'not_routed'],
        [inChat('aad-manager-1', 'tenant-2'), 'other_tenant'],
        [inChat('aad-head-1'), 'not_yet_reached'],
        [inChat('aad-member-1'), 'not_routed'],
      ];
      const clicks = Array.from({ length: 20 }, (_, i) => (i % 5 < 2 ? { actor: allowed[i % 4]!, refusal: null } : { actor: refused[i % 6]![0], refusal: refused[i % 6]![1] }));
      const results = await Promise.all(
        clicks.map((c, i) => (i % 2 === 0 ? a : b).acknowledgeEscalation('esc-11', c.actor, [{ idempotencyKey: `crowd:${i}`, kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'acknowledged' } }])),
      );
      assert.equal(results.filter((r) => r.kind === 'acknowledged').length, 1, 'exactly one acknowledgement');
      for (const [i, r] of results.entries()) {
        const refusal = clicks[i]!.refusal;
        if (refusal === null) assert.ok(r.kind === 'acknowledged' || r.kind === 'already_acknowledged', `click ${i}: ${r.kind}`);
        else assert.ok(r.kind === 'not_authorised' && r.reason === refusal, `click ${i}: ${r.kind}`);
      }
      const events = await a.listAuditEvents({ decisionId: record.id });
      assert.equal(events.filter((e) => e.type === 'escalation.acknowledged').length, 1);
      assert.equal(events.filter((e) => e.type === 'escalation.ack_refused').length, clicks.filter((c) => c.refusal !== null).length);
      const queued = await env.db.raw().selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', 'crowd:%').execute();
      assert.equal(queued.length, 1, 'only the winner queued its messages');
      const winner = results.find((r) => r.kind === 'acknowledged');
      assert.ok(winner?.kind === 'acknowledged' && ['aad-manager-1', 'aad-deputy-1', 'aad-member-1', 'aad-member-2'].includes(winner.escalation.acknowledgedBy ?? ''));
      assert.equal((await a.verifyAuditChain()).ok, true);
    });

    it('an alert raised before routing was recorded keeps its manager, Head of Service and channel (migration 003)', async function () {
      const { store, clock } = env;
      const card = (key: string, target: { kind: 'user'; aadObjectId: string } | { kind: 'channel'; channelId: string }) => ({ idempotencyKey: key, kind: 'card' as const, target, payload: { tenantId: 'tenant-1', card: { kind: 'rendered' as const, card: { type: 'AdaptiveCard' } }, summary: 'alert' }, refId: 'esc-12' });
      await store.recordDecision(
        decisionCommand('CASE-4012', 'alert:esc-12:manager', {
          decision: sampleDecision({ outcome: 'safeguarding_escalation', urgency: 'urgent' }),
          notifications: [card('alert:esc-12:manager', { kind: 'user', aadObjectId: 'aad-manager-1' })],
          escalation: { id: 'esc-12', dueAt: null, routing: alertRouting() },
        }),
      );
      await store.escalate({ escalationId: 'esc-12', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: null, actor: 'system:escalation', notifications: [card('alert:esc-12:escalate:head_of_service', { kind: 'user', aadObjectId: 'aad-head-9' })] });
      await store.enqueue([card('alert:esc-12:manager:fallback-channel', { kind: 'channel', channelId: '19:old@thread.tacv2' })]);
      await raiseAlert(store, clock.now(), 13);
      const migrator = new Migrator({ db: env.db.raw(), provider: migrationProvider });
      assert.equal((await migrator.migrateTo('002_outbox_priority')).error, undefined);
      assert.equal((await migrator.migrateToLatest()).error, undefined);

      const legacy = await store.getEscalation('esc-12');
      assert.deepEqual(legacy?.routing, {
        tenantId: 'tenant-1',
        managerAadId: 'aad-manager-1',
        delegateAadIds: [],
        headOfServiceAadId: 'aad-head-9',
        reachedLevels: ['manager', 'head_of_service', 'escalation_channel'],
        channelConversationId: '19:old@thread.tacv2',
      });
      assert.deepEqual((await store.getEscalation('esc-13'))?.routing, { tenantId: 'tenant-1', managerAadId: null, delegateAadIds: [], headOfServiceAadId: null, reachedLevels: [], channelConversationId: null });
      assert.equal((await store.acknowledgeEscalation('esc-12', inChat('aad-mallory'))).kind, 'not_authorised');
      assert.equal((await store.acknowledgeEscalation('esc-12', inChat('aad-head-9'))).kind, 'acknowledged');
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

    it('lists the unacknowledged alerts a person may acknowledge now: manager and delegate, the Head of Service once reached, nobody else', async function () {
      const { store, clock } = env;
      await raiseAlert(store, clock.now(), 31);
      clock.advance(MINUTE);
      await raiseAlert(store, clock.now(), 32, alertRouting({ managerAadId: 'aad-manager-2', delegateAadIds: ['aad-deputy-1%'] }));
      clock.advance(MINUTE);
      await raiseAlert(store, clock.now(), 33, alertRouting({ reachedLevels: ['manager', 'head_of_service'] }));
      const ids = async (aadObjectId: string, tenantId = 'tenant-1', limit = 10) => (await store.listOpenEscalationsFor({ aadObjectId, tenantId }, limit)).map((e) => e.id);
      assert.deepEqual(await ids('aad-manager-1'), ['esc-33', 'esc-31'], 'newest first, only those routed to this manager');
      assert.deepEqual(await ids('aad-manager-1', 'tenant-1', 1), ['esc-33']);
      assert.deepEqual(await ids('aad-deputy-1'), ['esc-33', 'esc-31'], 'a delegate; "aad-deputy-1%" is another person');
      assert.deepEqual(await ids('aad-deputy-1%'), ['esc-32'], 'a LIKE wildcard in an id matches only itself');
      assert.deepEqual(await ids('aad-head-1'), ['esc-33'], 'the Head of Service only once reached');
      assert.deepEqual(await ids('aad-manager-1', 'tenant-2'), [], 'another tenant');
      assert.deepEqual(await ids('aad-prac-1'), [], 'never the practitioner who raised it');
      assert.equal((await store.acknowledgeEscalation('esc-33', inChat('aad-manager-1'))).kind, 'acknowledged');
      assert.deepEqual(await ids('aad-manager-1'), ['esc-31'], 'an acknowledged alert leaves the list');
      await assert.rejects(store.listOpenEscalationsFor({ aadObjectId: '', tenantId: 'tenant-1' }, 10), StoreValidationError);
    });
  });
}

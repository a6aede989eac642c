import assert from 'node:assert/strict';
import type { ChannelCheckStore, NewOutboxMessage } from '../../../src/domain/ports/store';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';
import { tableCounts } from './tableCounts';

function told(key: string): NewOutboxMessage {
  return { idempotencyKey: key, kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: key } };
}

async function requestApproval(store: ChannelCheckStore, n: number) {
  const recorded = await store.recordDecision(
    decisionCommand(`CASE-${3000 + n}`, `ask:${n}`, {
      approval: { managerAadId: 'aad-manager-1', delegateAadIds: ['aad-deputy-1'], practitionerCard: { activityId: 'act-p', conversationId: 'conv-p' } },
      timers: [],
    }),
  );
  assert.ok(recorded.approval);
  return recorded.approval;
}

export function describeApprovals(env: ContractEnv): void {
  describe('approval requests', function () {
    it('settles once: the manager approves, the decision follows, and a replay gets the settled state and queues nothing', async function () {
      const { store } = env;
      const approval = await requestApproval(store, 1);
      const [timer] = await store.scheduleTimers([{ kind: 'approval_reminder', refId: approval.id, dueAt: new Date(env.clock.now().getTime() + 60_000) }]);
      const settled = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', comment: '  Fine for this one.  ', expectedVersion: 1, notifications: [told('settled:1')] });
      assert.equal(settled.kind, 'settled');
      assert.ok(settled.kind === 'settled');
      assert.equal(settled.approval.status, 'approved');
      assert.equal(settled.approval.decidedBy, 'aad-manager-1');
      assert.equal(settled.approval.comment, 'Fine for this one.');
      assert.equal(settled.approval.version, 2);
      assert.ok(settled.approval.settledAt);
      assert.deepEqual(settled.approval.practitionerCard, { activityId: 'act-p', conversationId: 'conv-p' });
      assert.equal((await store.getDecision(approval.decisionId))?.state, 'approved');
      const queued = await env.db.raw().selectFrom('outbox').selectAll().where('idempotency_key', '=', 'settled:1').executeTakeFirst();
      assert.equal(queued?.decision_id, approval.decisionId, 'the message was queued with the settlement');
      const timers = await store.claimDueTimers('w', 10, new Date(env.clock.now().getTime() + 120_000), 1000);
      assert.equal(timers.find((t) => t.id === timer?.id), undefined, 'the reminder was cancelled');

      const replay = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'decline', comment: 'changed my mind', notifications: [told('settled:2')] });
      assert.equal(replay.kind, 'already_settled');
      assert.ok(replay.kind === 'already_settled');
      assert.equal(replay.approval.status, 'approved');
      assert.equal(replay.approval.comment, 'Fine for this one.');
      const events = await store.listAuditEvents({ decisionId: approval.decisionId });
      assert.deepEqual(events.map((e) => e.type), ['decision.recorded', 'approval.requested', 'approval.approved']);
      assert.equal((await store.enqueue([told('settled:2')])).queued.length, 1, 'the replay queued nothing under its key');
      assert.equal((await store.settleApproval({ approvalId: 'missing', actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve' })).kind, 'not_found');
    });

    it('only the assigned manager or a delegate may approve or decline; never the practitioner; only the practitioner may cancel', async function () {
      const { store } = env;
      const approval = await requestApproval(store, 2);
      const self = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-prac-1', tenantId: 'tenant-1' }, action: 'approve' });
      assert.ok(self.kind === 'not_authorised');
      assert.equal(self.reason, 'own_request');
      assert.match(self.detail, /own request/);
      const before = await tableCounts(env.db.raw());
      const refusals: Array<[string, string, 'approve' | 'decline' | 'cancel', string]> = [
        ['aad-someone', 'tenant-1', 'approve', 'not_assigned'],
        ['aad-manager-2', 'tenant-1', 'decline', 'not_assigned'],
        ['aad-manager-1', 'tenant-2', 'approve', 'other_tenant'],
        ['aad-deputy-1', 'tenant-2', 'decline', 'other_tenant'],
        ['aad-manager-1', 'tenant-1', 'cancel', 'not_the_requester'],
        ['aad-prac-1', 'tenant-2', 'cancel', 'other_tenant'],
      ];
      for (const [aadObjectId, tenantId, action, reason] of refusals) {
        const r = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId, tenantId }, action, comment: 'sneaky', notifications: [told(`refused:${aadObjectId}:${tenantId}:${action}`)] });
        assert.ok(r.kind === 'not_authorised', `${aadObjectId}@${tenantId} ${action}`);
        assert.equal(r.reason, reason, `${aadObjectId}@${tenantId} ${action}`);
        assert.equal(r.approval.status, 'open');
      }
      const after = await tableCounts(env.db.raw());
      assert.deepEqual(after, { ...before, audit_events: before.audit_events + refusals.length }, 'a refusal writes its audit event and nothing else');
      const refused = (await store.listAuditEvents({ decisionId: approval.decisionId })).filter((e) => e.type === 'approval.settle_refused');
      assert.equal(refused.length, refusals.length + 1);
      assert.deepEqual(refused.at(-1)?.payload, { approvalId: approval.id, action: 'cancel', reason: 'other_tenant', tenantId: 'tenant-2' });
      assert.equal(refused.at(-1)?.actor, 'aad-prac-1');
      const stored = await store.getApproval(approval.id);
      assert.equal(stored?.status, 'open');
      assert.equal(stored?.version, 1);
      assert.equal(stored?.comment, null);
      const delegate = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-deputy-1', tenantId: 'tenant-1' }, action: 'decline', comment: 'Use Teams' });
      assert.ok(delegate.kind === 'settled');
      assert.equal(delegate.approval.status, 'declined');
      assert.equal((await store.getDecision(approval.decisionId))?.state, 'declined');

      const other = await requestApproval(store, 3);
      const cancelled = await store.settleApproval({ approvalId: other.id, actor: { aadObjectId: 'aad-prac-1', tenantId: 'tenant-1' }, action: 'cancel' });
      assert.ok(cancelled.kind === 'settled');
      assert.equal(cancelled.approval.status, 'cancelled');
    });

    it('refuses a stale card version and an over-long comment, leaving the request open', async function () {
      const { store } = env;
      const approval = await requestApproval(store, 4);
      assert.equal((await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', expectedVersion: 7 })).kind, 'stale_version');
      await assert.rejects(
        store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', comment: 'x'.repeat(1001) }),
        (e: unknown) => e instanceof StoreValidationError && e.field === 'comment' && /1000/.test(e.message),
      );
      const ok = await store.settleApproval({ approvalId: approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', comment: 'é'.repeat(1000) });
      assert.equal(ok.kind, 'settled');
    });

    it('remembers where the manager card was sent', async function () {
      const approval = await requestApproval(env.store, 5);
      await env.store.attachApprovalCard(approval.id, 'manager', { activityId: 'act-m', conversationId: 'conv-m' });
      assert.deepEqual((await env.store.getApproval(approval.id))?.managerCard, { activityId: 'act-m', conversationId: 'conv-m' });
      assert.deepEqual((await env.store.listOpenApprovalsForManager('aad-manager-1', 10)).map((a) => a.id), [approval.id]);
    });

    it('20 simultaneous clicks from mixed people on two replicas: one settlement, every outsider refused and audited', async function () {
      this.timeout(30_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const approval = await requestApproval(a, 30);
      const deciders = [{ aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, { aadObjectId: 'aad-deputy-1', tenantId: 'tenant-1' }];
      const outsiders: Array<[{ aadObjectId: string; tenantId: string }, string]> = [
        [{ aadObjectId: 'aad-prac-1', tenantId: 'tenant-1' }, 'own_request'],
        [{ aadObjectId: 'aad-mallory', tenantId: 'tenant-1' }, 'not_assigned'],
        [{ aadObjectId: 'aad-manager-2', tenantId: 'tenant-1' }, 'not_assigned'],
        [{ aadObjectId: 'aad-manager-1', tenantId: 'tenant-2' }, 'other_tenant'],
      ];
      const clicks = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? { actor: deciders[(i / 2) % 2]!, refusal: null } : { actor: outsiders[((i - 1) / 2) % 4]![0], refusal: outsiders[((i - 1) / 2) % 4]![1] }));
      const results = await Promise.all(
        clicks.map((c, i) => (i % 3 === 0 ? a : b).settleApproval({ approvalId: approval.id, actor: c.actor, action: i % 4 === 0 ? 'approve' : 'decline', notifications: [told(`crowd:${i}`)] })),
      );
      assert.equal(results.filter((r) => r.kind === 'settled').length, 1, 'exactly one settlement');
      for (const [i, r] of results.entries()) {
        const refusal = clicks[i]!.refusal;
        if (refusal === null) assert.ok(r.kind === 'settled' || r.kind === 'already_settled', `click ${i}: ${r.kind}`);
        else assert.ok(r.kind === 'not_authorised' && r.reason === refusal, `click ${i}: ${r.kind}`);
      }
      const events = await a.listAuditEvents({ decisionId: approval.decisionId });
      assert.equal(events.filter((e) => e.type === 'approval.approved' || e.type === 'approval.declined').length, 1);
      assert.equal(events.filter((e) => e.type === 'approval.settle_refused').length, 10);
      const queued = await env.db.raw().selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', 'crowd:%').execute();
      assert.equal(queued.length, 1, 'only the winner queued its messages');
      const winner = results.find((r) => r.kind === 'settled');
      assert.ok(winner?.kind === 'settled' && ['aad-manager-1', 'aad-deputy-1'].includes(winner.approval.decidedBy ?? ''));
      assert.equal((await a.verifyAuditChain()).ok, true);
    });

    it('two replicas clicking at once settle each request exactly once; the loser gets the settled state', async function () {
      this.timeout(30_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const requests = [];
      for (let n = 0; n < 10; n++) requests.push(await requestApproval(a, 10 + n));
      const outcomes = await Promise.all(
        requests.map((r, n) =>
          Promise.all([
            a.settleApproval({ approvalId: r.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', notifications: [told(`race:${n}:a`)] }),
            b.settleApproval({ approvalId: r.id, actor: { aadObjectId: 'aad-deputy-1', tenantId: 'tenant-1' }, action: 'decline', notifications: [told(`race:${n}:b`)] }),
          ]),
        ),
      );
      for (const [n, pair] of outcomes.entries()) {
        const kinds = pair.map((p) => p.kind).sort();
        assert.deepEqual(kinds, ['already_settled', 'settled'], `request ${n}`);
        const winner = pair.find((p) => p.kind === 'settled');
        const loser = pair.find((p) => p.kind === 'already_settled');
        assert.ok(winner?.kind === 'settled' && loser?.kind === 'already_settled');
        assert.equal(loser.approval.status, winner.approval.status);
        assert.equal(loser.approval.version, 2);
        const events = await a.listAuditEvents({ decisionId: winner.approval.decisionId });
        assert.equal(events.filter((e) => e.type === 'approval.approved' || e.type === 'approval.declined').length, 1);
      }
      const queued = await env.db.raw().selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', 'race:%').execute();
      assert.equal(queued.length, 10, 'only the winners queued their messages');
      assert.equal((await a.verifyAuditChain()).ok, true);
    });

    it('lists the open requests a person may decide: the manager and a delegate, in the tenant, never the practitioner', async function () {
      const { store, clock } = env;
      const first = await requestApproval(store, 41);
      clock.advance(1000);
      const second = await requestApproval(store, 42);
      clock.advance(1000);
      const other = await store.recordDecision(decisionCommand('CASE-3043', 'ask:43', { approval: { managerAadId: 'aad-manager-2', delegateAadIds: ['aad-deputy-1_'] }, timers: [] }));
      const ids = async (aadObjectId: string, tenantId = 'tenant-1', limit = 10) => (await store.listOpenApprovalsFor({ aadObjectId, tenantId }, limit)).map((a) => a.id);
      assert.deepEqual(await ids('aad-manager-1'), [second.id, first.id]);
      assert.deepEqual(await ids('aad-manager-1', 'tenant-1', 1), [second.id]);
      assert.deepEqual(await ids('aad-deputy-1'), [second.id, first.id], 'a delegate; "aad-deputy-1_" is someone else');
      assert.deepEqual(await ids('aad-deputy-1_'), [other.approval!.id]);
      assert.deepEqual(await ids('aad-manager-1', 'tenant-2'), [], 'another tenant');
      assert.deepEqual(await ids('aad-prac-1'), []);
      assert.equal((await store.settleApproval({ approvalId: second.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve' })).kind, 'settled');
      assert.deepEqual(await ids('aad-deputy-1'), [first.id], 'a settled request leaves the list');
      await assert.rejects(store.listOpenApprovalsFor({ aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, 0), StoreValidationError);
    });
  });
}

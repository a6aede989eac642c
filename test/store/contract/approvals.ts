import assert from 'node:assert/strict';
import type { ChannelCheckStore, NewOutboxMessage } from '../../../src/domain/ports/store';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

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
      const settled = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'approve', comment: '  Fine for this one.  ', expectedVersion: 1, notifications: [told('settled:1')] });
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

      const replay = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'decline', comment: 'changed my mind', notifications: [told('settled:2')] });
      assert.equal(replay.kind, 'already_settled');
      assert.ok(replay.kind === 'already_settled');
      assert.equal(replay.approval.status, 'approved');
      assert.equal(replay.approval.comment, 'Fine for this one.');
      const events = await store.listAuditEvents({ decisionId: approval.decisionId });
      assert.deepEqual(events.map((e) => e.type), ['decision.recorded', 'approval.requested', 'approval.approved']);
      assert.equal((await store.enqueue([told('settled:2')])).queued.length, 1, 'the replay queued nothing under its key');
      assert.equal((await store.settleApproval({ approvalId: 'missing', actorAadId: 'aad-manager-1', action: 'approve' })).kind, 'not_found');
    });

    it('only the assigned manager or a delegate may approve or decline; never the practitioner; only the practitioner may cancel', async function () {
      const { store } = env;
      const approval = await requestApproval(store, 2);
      const self = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-prac-1', action: 'approve' });
      assert.ok(self.kind === 'not_authorised');
      assert.match(self.reason, /own request/);
      const stranger = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-someone', action: 'approve' });
      assert.equal(stranger.kind, 'not_authorised');
      const cancelByManager = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'cancel' });
      assert.equal(cancelByManager.kind, 'not_authorised');
      assert.equal((await store.getApproval(approval.id))?.status, 'open');
      const delegate = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-deputy-1', action: 'decline', comment: 'Use Teams' });
      assert.ok(delegate.kind === 'settled');
      assert.equal(delegate.approval.status, 'declined');
      assert.equal((await store.getDecision(approval.decisionId))?.state, 'declined');

      const other = await requestApproval(store, 3);
      const cancelled = await store.settleApproval({ approvalId: other.id, actorAadId: 'aad-prac-1', action: 'cancel' });
      assert.ok(cancelled.kind === 'settled');
      assert.equal(cancelled.approval.status, 'cancelled');
    });

    it('refuses a stale card version and an over-long comment, leaving the request open', async function () {
      const { store } = env;
      const approval = await requestApproval(store, 4);
      assert.equal((await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'approve', expectedVersion: 7 })).kind, 'stale_version');
      await assert.rejects(
        store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'approve', comment: 'x'.repeat(1001) }),
        (e: unknown) => e instanceof StoreValidationError && e.field === 'comment' && /1000/.test(e.message),
      );
      const ok = await store.settleApproval({ approvalId: approval.id, actorAadId: 'aad-manager-1', action: 'approve', comment: 'é'.repeat(1000) });
      assert.equal(ok.kind, 'settled');
    });

    it('remembers where the manager card was sent', async function () {
      const approval = await requestApproval(env.store, 5);
      await env.store.attachApprovalCard(approval.id, 'manager', { activityId: 'act-m', conversationId: 'conv-m' });
      assert.deepEqual((await env.store.getApproval(approval.id))?.managerCard, { activityId: 'act-m', conversationId: 'conv-m' });
      assert.deepEqual((await env.store.listOpenApprovalsForManager('aad-manager-1', 10)).map((a) => a.id), [approval.id]);
    });

    it('two replicas clicking at once settle each request exactly once; the loser gets the settled state', async function () {
      this.timeout(30_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const requests = [];
      for (let n = 0; n < 10; n++) requests.push(await requestApproval(a, 10 + n));
      const outcomes = await Promise.all(
        requests.map((r, n) =>
          Promise.all([
            a.settleApproval({ approvalId: r.id, actorAadId: 'aad-manager-1', action: 'approve', notifications: [told(`race:${n}:a`)] }),
            b.settleApproval({ approvalId: r.id, actorAadId: 'aad-deputy-1', action: 'decline', notifications: [told(`race:${n}:b`)] }),
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
  });
}

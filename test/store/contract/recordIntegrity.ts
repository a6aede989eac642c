/**
 * Records that prove themselves (decisions, settlements and acknowledgements sealed into the audit chain),
 * case references in one canonical form, and a store that says when it cannot be written.
 */
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../../src/domain/ports/storeUnavailable';
import { alertRouting, decisionCommand } from '../fixtures/sampleDecision';
import { inChat } from './escalations';
import type { ContractEnv } from '../storeContract';
import { tableCounts } from './tableCounts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function describeRecordIntegrity(env: ContractEnv): void {
  describe('record seals, canonical case references, write probe', function () {
    async function seedThree() {
      const { store, clock } = env;
      const approved = await store.recordDecision(decisionCommand('CASE-7001', 'r1', { approval: { managerAadId: 'aad-manager-1' } }));
      await store.settleApproval({ approvalId: approved.approval!.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', comment: 'Fine for this appointment' });
      const alert = await store.recordDecision(decisionCommand('CASE-7002', 'r2', { notifications: [], escalation: { id: 'esc-r2', dueAt: new Date(clock.now().getTime() + 15 * MINUTE), routing: alertRouting() } }));
      await store.acknowledgeEscalation('esc-r2', inChat('aad-manager-1'));
      const plain = await store.recordDecision(decisionCommand('CASE-7003', 'r3', { notifications: [] }));
      return { approved, alert, plain };
    }

    it('verifies untouched decisions, settlements and acknowledgements', async function () {
      await seedThree();
      assert.deepEqual(await env.store.verifyRecords(), { checked: 5, unsealed: [], problems: [] });
    });

    it('names each record whose stored content no longer matches the event that sealed it', async function () {
      const { approved, alert, plain } = await seedThree();
      const raw = env.db.raw();
      await raw.updateTable('decisions').set({ outcome: 'whatsapp_permitted' }).where('id', '=', plain.record.id).execute();
      await raw.updateTable('approval_requests').set({ comment: 'forged comment' }).where('id', '=', approved.approval!.id).execute();
      await raw.updateTable('escalations').set({ acknowledged_by: 'aad-someone-else' }).where('id', '=', 'esc-r2').execute();

      assert.equal((await env.store.verifyAuditChain()).ok, true, 'the chain itself is untouched');
      const { problems } = await env.store.verifyRecords();
      assert.deepEqual(
        problems.map((p) => [p.record, p.id, p.caseRef]).sort(),
        [
          ['acknowledgement', 'esc-r2', 'CASE-7002'],
          ['approval', approved.approval!.id, 'CASE-7001'],
          ['decision', plain.record.id, 'CASE-7003'],
        ].sort(),
      );
      const byRecord = new Map(problems.map((p) => [p.record, p]));
      assert.match(byRecord.get('decision')!.reason, /stored record \(ids, outcome.*no longer matches the decision\.recorded event \d+/);
      assert.match(byRecord.get('approval')!.reason, /stored content \(facts, decision, practitioner name, comment\) no longer matches the approval\.approved event/);
      assert.ok(byRecord.get('acknowledgement')!.seq! > 0);
      // Only the decisions asked about are checked.
      assert.deepEqual((await env.store.verifyRecords([alert.record.id])).problems.map((p) => p.record), ['acknowledgement']);
    });

    it("names an alert whose routing was changed in the database (someone adds themselves as a delegate, or a level they were never sent)", async function () {
      const { store, clock } = env;
      const due = new Date(clock.now().getTime() + 15 * MINUTE);
      await store.recordDecision(decisionCommand('CASE-7201', 'a1', { notifications: [], escalation: { id: 'esc-a1', dueAt: due, routing: alertRouting() } }));
      await store.recordDecision(decisionCommand('CASE-7202', 'a2', { notifications: [], escalation: { id: 'esc-a2', dueAt: due, routing: alertRouting() } }));
      await store.recordDecision(decisionCommand('CASE-7203', 'a3', { notifications: [], escalation: { id: 'esc-a3', dueAt: due, routing: alertRouting({ headOfServiceAadId: null }) } }));
      // Moved on by the service: the new routing is sealed by the event that moved it.
      await store.escalate({ escalationId: 'esc-a2', fromLevel: 'manager', toLevel: 'head_of_service', dueAt: due, actor: 'channelcheck:escalation-timer', recipient: { headOfServiceAadId: 'aad-head-2' } });
      await store.escalate({ escalationId: 'esc-a3', fromLevel: 'manager', toLevel: 'manager', dueAt: due, actor: 'channelcheck:escalation-timer' });
      assert.deepEqual((await store.verifyRecords()).problems, [], 'raised, escalated and reminded alerts verify');

      const raw = env.db.raw();
      await raw.updateTable('escalations').set({ delegate_aad_ids: JSON.stringify(['aad-deputy-1', 'aad-mallory']) }).where('id', '=', 'esc-a1').execute();
      await raw.updateTable('escalations').set({ reached_levels: JSON.stringify(['manager', 'head_of_service', 'escalation_channel']), channel_conversation_id: '19:mallory@thread.tacv2' }).where('id', '=', 'esc-a2').execute();
      await raw.updateTable('escalations').set({ head_of_service_aad_id: 'aad-mallory' }).where('id', '=', 'esc-a3').execute();
      // The forged delegate now passes the rule: the routing is what decides who may acknowledge.
      const forged = await store.acknowledgeEscalation('esc-a1', inChat('aad-mallory'));
      assert.equal(forged.kind, 'acknowledged');

      assert.equal((await store.verifyAuditChain()).ok, true, 'the chain itself is untouched');
      const problems = (await store.verifyRecords()).problems.filter((p) => p.record === 'routing');
      assert.deepEqual(problems.map((p) => [p.id, p.caseRef]).sort(), [['esc-a1', 'CASE-7201'], ['esc-a2', 'CASE-7202'], ['esc-a3', 'CASE-7203']]);
      const byId = new Map(problems.map((p) => [p.id, p]));
      assert.match(byId.get('esc-a1')!.reason, /who it was routed to\) no longer matches the escalation\.raised event \d+/);
      assert.match(byId.get('esc-a2')!.reason, /no longer matches the escalation\.escalated event \d+/);
      assert.match(byId.get('esc-a3')!.reason, /no longer matches the escalation\.reminded event \d+/);
    });

    it('catches a settlement or a decision changed without an event, and a row deleted without a tombstone', async function () {
      const { store, db } = env;
      const open = await store.recordDecision(decisionCommand('CASE-7101', 's1', { approval: { managerAadId: 'aad-manager-1' } }));
      const gone = await store.recordDecision(decisionCommand('CASE-7102', 's2', { notifications: [] }));
      await db.raw().updateTable('approval_requests').set({ status: 'approved', decided_by: 'aad-manager-1' }).where('id', '=', open.approval!.id).execute();
      await db.raw().updateTable('decisions').set({ facts: null, erased_at: '2026-03-03T10:00:00.000Z' }).where('id', '=', open.record.id).execute();
      await db.raw().deleteFrom('timers').execute();
      await db.raw().deleteFrom('outbox').where('decision_id', '=', gone.record.id).execute();
      await db.raw().deleteFrom('decisions').where('id', '=', gone.record.id).execute();
      const reasons = (await store.verifyRecords()).problems.map((p) => `${p.record} ${p.id}: ${p.reason}`);
      assert.ok(reasons.some((r) => r.startsWith(`approval ${open.approval!.id}: it is approved but no event settled it`)), reasons.join('\n'));
      assert.ok(reasons.some((r) => r.startsWith(`decision ${open.record.id}: its content was removed without a case.erased tombstone`)), reasons.join('\n'));
      assert.ok(reasons.some((r) => r.startsWith(`decision ${gone.record.id}: the record was deleted without a retention.purged tombstone`)), reasons.join('\n'));
    });

    it('accepts erased and purged records: a tombstone covers them', async function () {
      const { store, clock } = env;
      await seedThree();
      await store.eraseCase('CASE-7001', 'cli:dpo');
      await store.eraseCase('case-7002', 'cli:dpo');
      clock.advance(400 * DAY);
      const report = await store.purgeExpired({ testshire: 365 }, clock.now(), 'retention');
      assert.equal(report.purged[0]?.decisionIds.length, 3);
      assert.deepEqual(await store.verifyRecords(), { checked: 0, unsealed: [], problems: [] });
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    it('stores case references trimmed and upper case, and finds them however they are typed', async function () {
      const { store } = env;
      const typed = await store.recordDecision(decisionCommand(' cr-40118 ', 'c1', { notifications: [] }));
      assert.equal(typed.record.caseRef, 'CR-40118');
      await store.createWizardSession({ id: 'card-c2', userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'caseRef' });
      const step = await store.applyWizardStep('card-c2', 1, { step: 'done', answers: {}, caseRef: 'cr-40118' });
      assert.equal(step.kind === 'applied' && step.session.caseRef, 'CR-40118');
      for (const asked of ['cr-40118', 'CR-40118', ' Cr-40118']) {
        const held = await store.getCaseHoldings(asked);
        assert.equal(held.caseRef, 'CR-40118');
        assert.deepEqual(held.decisions.map((d) => d.id), [typed.record.id], asked);
        assert.deepEqual(held.wizardSessions.map((w) => w.id), ['card-c2'], asked);
        assert.deepEqual(held.auditEvents.map((e) => e.type), ['decision.recorded'], asked);
      }
      const erased = await store.eraseCase('cr-40118', 'cli:dpo');
      assert.deepEqual(erased.decisionIds, [typed.record.id]);
      assert.equal((await store.getDecision(typed.record.id))?.facts, null);
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    it('matches audit events chained with a lower-case case reference, and erases them with the chain intact', async function () {
      const { store } = env;
      // As a release before canonical case references stored them: the event keeps the form it was chained with.
      await store.appendAuditEvent({ type: 'service.note', actor: 'ops', caseRef: 'cr-40119', payload: { note: 'typed in lower case' } });
      assert.deepEqual((await store.listAuditEvents({ caseRef: 'CR-40119' })).map((e) => e.caseRef), ['cr-40119']);
      const report = await store.eraseCase('CR-40119', 'cli:dpo');
      assert.equal(report.auditEventsRedacted, 1);
      assert.deepEqual(await store.verifyAuditChain(), { ok: true, events: 2 });
    });

    it('the write probe passes on a writable store and fails, naming why, while another session holds the write lock', async function () {
      this.timeout(30_000);
      await env.store.checkWritable();
      const release = await env.db.holdWriteLock();
      try {
        await assert.rejects(env.store.checkWritable(), (e: unknown) => e instanceof StoreUnavailableError && e.reason === 'busy');
        assert.equal(await env.store.getDecision('00000000-0000-0000-0000-000000000000'), null, 'reading still works');
      } finally {
        await release();
      }
      await env.store.checkWritable();
    });

    for (const reason of ['full', 'read_only'] as const) {
      it(`a store that is ${reason === 'full' ? 'full (no room for one more page / disk full)' : 'read-only'}: the probe and every write fail naming why, nothing is half-written, reads work`, async function () {
        const { store, db } = env;
        await store.recordDecision(decisionCommand('CASE-7301', 'w1', { notifications: [] }));
        const before = await tableCounts(db.raw());
        await db.refuseWrites(reason);
        try {
          await assert.rejects(store.checkWritable(), (e: unknown) => e instanceof StoreUnavailableError && e.reason === reason, 'the write probe says why');
          // A decision with its escalation, timers and an alert: needs new pages, so it fails whole.
          const due = new Date(env.clock.now().getTime() + 15 * MINUTE);
          await assert.rejects(
            store.recordDecision(decisionCommand('CASE-7302', 'w2', { escalation: { id: 'esc-w2', dueAt: due, routing: alertRouting() } })),
            (e: unknown) => e instanceof StoreUnavailableError && e.reason === reason && e.message.includes(reason === 'full' ? 'the disk holding the store is full' : 'the store is read-only'),
          );
          assert.deepEqual(await tableCounts(db.raw()), before, 'nothing half-written');
          assert.equal((await store.listAuditEvents({ caseRef: 'CASE-7301' })).length, 1, 'reading still works');
        } finally {
          await db.allowWrites();
        }
        await store.checkWritable();
        await store.recordDecision(decisionCommand('CASE-7302', 'w2', { notifications: [] }));
        assert.equal((await store.verifyAuditChain()).ok, true);
      });
    }
  });
}

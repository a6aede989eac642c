import assert from 'node:assert/strict';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { alertRouting, decisionCommand, practitioner, sampleDecision } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

const DAY = 24 * 60 * 60 * 1000;

export function describeDataProtection(env: ContractEnv): void {
  describe('subject access, export, erasure and retention', function () {
    async function seedCase(caseRef: string, key: string) {
      const { store } = env;
      await store.createWizardSession({ id: `card-${key}`, userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'caseRef' });
      await store.applyWizardStep(`card-${key}`, 1, { step: 'done', answers: { purpose: 'appointment' }, caseRef });
      const recorded = await store.recordDecision(
        decisionCommand(caseRef, `${key}:card`, { approval: { managerAadId: 'aad-manager-1' }, completesSession: { sessionId: `card-${key}`, expectedVersion: 2 } }),
      );
      assert.ok(recorded.approval);
      await store.settleApproval({ approvalId: recorded.approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'decline', comment: 'Not with this family: use Teams', notifications: [{ idempotencyKey: `${key}:told`, kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'Declined: Not with this family' } }] });
      return recorded;
    }

    it('says clearly when nothing is held for a case reference', async function () {
      await seedCase('CASE-8001', 'a');
      const holdings = await env.store.getCaseHoldings('CASE-0404');
      assert.deepEqual(holdings, { caseRef: 'CASE-0404', found: false, decisions: [], approvals: [], escalations: [], outbox: [], wizardSessions: [], consent: [], auditEvents: [] });
      await assert.rejects(env.store.getCaseHoldings('Jane Smith'), StoreValidationError);
    });

    it('returns everything held about one case reference and nothing about others', async function () {
      const mine = await seedCase('CASE-8001', 'a');
      await seedCase('CASE-8002', 'b');
      const h = await env.store.getCaseHoldings('CASE-8001');
      assert.equal(h.found, true);
      assert.deepEqual(h.decisions.map((d) => d.id), [mine.record.id]);
      assert.equal(h.approvals.length, 1);
      assert.equal(h.approvals[0]?.comment, 'Not with this family: use Teams');
      assert.deepEqual(h.outbox.map((m) => m.idempotencyKey).sort(), ['a:card', 'a:told']);
      assert.deepEqual(h.wizardSessions.map((s) => s.id), ['card-a']);
      assert.deepEqual(h.auditEvents.map((e) => e.type), ['decision.recorded', 'approval.requested', 'approval.declined']);
      assert.ok(h.auditEvents.every((e) => e.caseRef === 'CASE-8001'));
    });

    it('erases the personal content of one case everywhere, keeps ids, outcome and times, and the chain still verifies', async function () {
      const { store, db, clock } = env;
      const erased = await seedCase('CASE-8001', 'a');
      const kept = await seedCase('CASE-8002', 'b');
      const pending = await store.enqueue([{ idempotencyKey: 'a:late', kind: 'text', target: { kind: 'user', aadObjectId: 'aad-prac-1' }, payload: { tenantId: 'tenant-1', text: 'about CASE-8001' }, decisionId: erased.record.id }]);
      clock.advance(DAY);

      const report = await store.eraseCase('CASE-8001', 'cli:dpo');
      assert.equal(report.found, true);
      assert.deepEqual(report.decisionIds, [erased.record.id]);
      assert.equal(report.approvalsCleared, 1);
      assert.equal(report.outboxCleared, 3);
      assert.equal(report.wizardSessionsCleared, 1);
      assert.equal(report.auditEventsRedacted, 3);
      assert.ok(report.tombstoneSeq);

      const record = await store.getDecision(erased.record.id);
      assert.ok(record);
      assert.equal(record.facts, null);
      assert.equal(record.decision, null);
      assert.equal(record.practitionerDisplayName, null);
      assert.equal(record.outcome, erased.record.outcome);
      assert.equal(record.state, 'declined');
      assert.equal(record.practitionerAadId, 'aad-prac-1');
      assert.deepEqual(record.createdAt, erased.record.createdAt);
      assert.deepEqual(record.erasedAt, clock.now());
      const h = await store.getCaseHoldings('CASE-8001');
      assert.equal(h.approvals[0]?.comment, null);
      assert.ok(h.outbox.every((m) => m.payload === null));
      assert.equal((await store.getOutboxMessage(pending.queued[0]!.id))?.status, 'dead', 'an undelivered message about the case is not sent any more');
      assert.equal(h.wizardSessions[0]?.answers, null);
      const events = h.auditEvents;
      assert.deepEqual(events.map((e) => e.type), ['decision.recorded', 'approval.requested', 'approval.declined', 'case.erased']);
      assert.ok(events.slice(0, 3).every((e) => e.payload === null && e.redactedBySeq === report.tombstoneSeq && e.payloadHash.length === 64));

      // Nothing personal about the case is left in any column of any table.
      const everything = JSON.stringify(await Promise.all(['decisions', 'approval_requests', 'outbox', 'wizard_sessions', 'audit_events'].map((t) => db.raw().selectFrom(t as 'decisions').selectAll().execute())));
      assert.equal(everything.includes('Jo Practitioner'), true, 'the other case keeps its content');
      const erasedRows = JSON.stringify([record, h]);
      for (const personal of ['Jo Practitioner', 'Not with this family', 'young_person', 'appointment']) {
        assert.equal(erasedRows.includes(personal), false, personal);
      }

      assert.deepEqual(await store.verifyAuditChain(), { ok: true, events: 7 });
      const other = await store.getDecision(kept.record.id);
      assert.deepEqual(other?.decision, sampleDecision());
      assert.equal((await store.getApprovalForDecision(kept.record.id))?.comment, 'Not with this family: use Teams');

      // Erasing again removes nothing more, says so, and appends nothing to the chain.
      const again = await store.eraseCase('CASE-8001', 'cli:dpo');
      assert.equal(again.found, true, 'records are still held (ids, outcome, times)');
      assert.deepEqual([again.decisionIds, again.tombstoneSeq, again.tombstoneSeqs, again.auditEventsRedacted, again.wizardSessionsCleared], [[], null, [], 0, 0]);
      assert.deepEqual(await store.verifyAuditChain(), { ok: true, events: 7 });
      assert.deepEqual((await store.verifyRecords()).problems, [], 'the erased records still match what they keep');
    });

    it('erasing a case reference nothing is held for writes nothing', async function () {
      const report = await env.store.eraseCase('CASE-0404', 'cli:dpo');
      assert.deepEqual(report, { caseRef: 'CASE-0404', found: false, decisionIds: [], approvalsCleared: 0, outboxCleared: 0, wizardSessionsCleared: 0, consentEntriesErased: 0, auditEventsRedacted: 0, tombstoneSeq: null, tombstoneSeqs: [] });
      assert.deepEqual(await env.store.verifyAuditChain(), { ok: true, events: 0 });
    });

    it('exports the decisions of a period, optionally of one council', async function () {
      const { store, clock } = env;
      clock.set('2026-01-10T09:00:00.000Z');
      const jan = await store.recordDecision(decisionCommand('CASE-8101', 'e1'));
      clock.set('2026-02-10T09:00:00.000Z');
      const feb = await store.recordDecision(decisionCommand('CASE-8102', 'e2'));
      clock.advance(1000);
      const other = sampleDecision();
      other.policy = { ...other.policy, id: 'otherton' };
      const febOther = await store.recordDecision({ ...decisionCommand('CASE-8103', 'e3'), decision: other });
      const all = await store.exportDecisions({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') });
      assert.deepEqual(all.map((d) => d.id), [jan.record.id, feb.record.id, febOther.record.id]);
      const febOnly = await store.exportDecisions({ from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z'), councilId: 'testshire' });
      assert.deepEqual(febOnly.map((d) => d.id), [feb.record.id]);
      assert.deepEqual(await store.listCouncilsWithRecords(), ['otherton', 'testshire']);
      await assert.rejects(store.exportDecisions({ from: new Date('2026-03-01'), to: new Date('2026-01-01') }), StoreValidationError);
    });

    it('purges records past their council retention with everything hung on them, audited, and the chain verifies', async function () {
      const { store, clock, db } = env;
      clock.set('2020-01-01T00:00:00.000Z');
      const old = await seedCase('CASE-8201', 'old');
      const alert = await store.recordDecision(
        decisionCommand('CASE-8202', 'old-alert', { decision: sampleDecision({ outcome: 'safeguarding_escalation' }), escalation: { id: 'esc-old', dueAt: null, routing: alertRouting() }, timers: [{ kind: 'k', refId: 'esc-old', dueAt: clock.now() }] }),
      );
      const otherCouncil = sampleDecision();
      otherCouncil.policy = { ...otherCouncil.policy, id: 'otherton' };
      const oldOther = await store.recordDecision({ ...decisionCommand('CASE-8203', 'old-other'), decision: otherCouncil, practitioner: practitioner() });
      clock.set('2026-01-01T00:00:00.000Z');
      const recent = await seedCase('CASE-8204', 'new');

      const report = await store.purgeExpired({ testshire: 365 }, clock.now(), 'job:retention');
      assert.equal(report.purged.length, 1);
      assert.deepEqual(report.purged[0]?.decisionIds.sort(), [old.record.id, alert.record.id].sort());
      assert.deepEqual(report.councilsWithoutRetention, ['otherton']);
      assert.equal(await store.getDecision(old.record.id), null);
      assert.equal(await store.getDecision(alert.record.id), null);
      assert.ok(await store.getDecision(oldOther.record.id), 'a council without a retention period keeps its records');
      assert.ok(await store.getDecision(recent.record.id));
      for (const table of ['approval_requests', 'escalations', 'outbox', 'wizard_sessions'] as const) {
        const rows = await db.raw().selectFrom(table).selectAll().execute();
        assert.ok(rows.every((r) => !('decision_id' in r) || (r.decision_id !== old.record.id && r.decision_id !== alert.record.id)), table);
      }
      assert.equal((await db.raw().selectFrom('timers').selectAll().where('ref_id', '=', 'esc-old').execute()).length, 0);
      const tombstone = (await db.raw().selectFrom('audit_events').selectAll().where('type', '=', 'retention.purged').execute())[0];
      assert.equal(tombstone?.actor, 'job:retention');
      const oldEvents = await store.listAuditEvents({ decisionId: old.record.id });
      assert.ok(oldEvents.length > 0 && oldEvents.every((e) => e.payload === null && e.redactedBySeq === tombstone?.seq));
      assert.equal((await store.verifyAuditChain()).ok, true);
      assert.deepEqual((await store.purgeExpired({ testshire: 365 }, clock.now(), 'job:retention')).purged[0]?.decisionIds, [], 'nothing more to purge');
      await assert.rejects(store.purgeExpired({ testshire: 0 }, clock.now(), 'job:retention'), StoreValidationError);
    });
  });
}

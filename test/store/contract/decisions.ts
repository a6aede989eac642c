import assert from 'node:assert/strict';
import { MEMO_TTL_MS } from '../../../src/store/conversationReferenceMemo';
import { StoreConflictError, StoreValidationError } from '../../../src/store/storeErrors';
import { DuplicateIdempotencyKeyError } from '../../../src/store/storeErrors';
import { decisionCommand, practitioner, sampleDecision } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';
import { tableCounts } from './tableCounts';

export function describeDecisions(env: ContractEnv): void {
  describe('decision records', function () {
    it('records the decision, its audit events, approval request, timers and notifications together, and reads it back', async function () {
      const { store, clock } = env;
      const result = await store.recordDecision(
        decisionCommand('CASE-1001', 'd1:approval-card', {
          approval: { managerAadId: 'aad-manager-1', delegateAadIds: ['aad-deputy-1'] },
          timers: [{ kind: 'approval_reminder', refId: 'later', dueAt: new Date(clock.now().getTime() + 3600_000) }],
        }),
      );
      assert.equal(result.replayed, false);
      assert.equal(result.record.caseRef, 'CASE-1001');
      assert.equal(result.record.state, 'awaiting_approval');
      assert.equal(result.record.councilId, 'testshire');
      assert.equal(result.record.packContentHash, 'a'.repeat(64));
      assert.equal(result.approval?.status, 'open');
      assert.deepEqual(result.approval?.delegateAadIds, ['aad-deputy-1']);
      assert.equal(result.outbox.length, 1);
      assert.equal(result.outbox[0]?.decisionId, result.record.id);
      assert.equal(result.timers.length, 1);

      const stored = await store.getDecision(result.record.id);
      assert.ok(stored);
      assert.deepEqual(stored.decision, sampleDecision());
      assert.deepEqual(stored.facts, sampleDecision().facts);
      assert.equal(stored.practitionerDisplayName, 'Jo Practitioner');
      assert.equal(stored.createdAt.toISOString(), clock.now().toISOString());
      const events = await store.listAuditEvents({ decisionId: result.record.id });
      assert.deepEqual(events.map((e) => e.type), ['decision.recorded', 'approval.requested']);
      assert.equal(events[0]?.caseRef, 'CASE-1001');
      assert.equal(events[0]?.actor, 'aad-prac-1');
      assert.deepEqual(await tableCounts(env.db.raw()), {
        decisions: 1, audit_events: 2, approval_requests: 1, escalations: 0, timers: 1, outbox: 1, wizard_sessions: 0,
      });
    });

    it('records a contact that is not about a case without a case reference', async function () {
      const result = await env.store.recordDecision(decisionCommand(null, 'colleague:1'));
      assert.equal(result.record.caseRef, null);
      assert.equal((await env.store.getDecision(result.record.id))?.caseRef, null);
    });

    it('leaves neither half when queuing the notification fails inside the transaction (crash simulation)', async function () {
      const { store, db } = env;
      await store.recordDecision(decisionCommand('CASE-1000', 'before:1'));
      const before = await tableCounts(db.raw());
      await db.failOutboxInserts();
      await assert.rejects(
        store.recordDecision(decisionCommand('CASE-1001', 'crash:1', { approval: { managerAadId: 'aad-manager-1' }, timers: [{ kind: 't', refId: 'x', dueAt: new Date() }] })),
        /simulated crash/,
      );
      assert.deepEqual(await tableCounts(db.raw()), before, 'no decision, audit event, approval, timer or outbox row was left behind');
      assert.deepEqual((await store.getCaseHoldings('CASE-1001')).found, false);
      assert.deepEqual(await store.verifyAuditChain(), { ok: true, events: 1 });
    });

    it('rolls everything back when a notification idempotency key is already queued', async function () {
      const { store, db } = env;
      await store.recordDecision(decisionCommand('CASE-1000', 'same-key'));
      const before = await tableCounts(db.raw());
      await assert.rejects(store.recordDecision(decisionCommand('CASE-1001', 'same-key')), DuplicateIdempotencyKeyError);
      const twice = decisionCommand('CASE-1002', 'twice');
      twice.notifications = [...(twice.notifications ?? []), ...(twice.notifications ?? [])];
      await assert.rejects(store.recordDecision(twice), DuplicateIdempotencyKeyError);
      assert.deepEqual(await tableCounts(db.raw()), before);
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    it('refuses a name or a malformed case reference, an over-long display name and self-approval, writing nothing', async function () {
      const { store, db } = env;
      for (const bad of ['Jane Smith', 'JaneSmith', 'ab', 'CASE 1001', `A${'1'.repeat(40)}`, '../etc']) {
        await assert.rejects(store.recordDecision(decisionCommand(bad, `k-${bad}`)), (e: unknown) => e instanceof StoreValidationError && e.field === 'caseRef', bad);
      }
      const longName = decisionCommand('CASE-1001', 'k-long', { practitioner: practitioner('aad-prac-1', 'x'.repeat(201)) });
      await assert.rejects(store.recordDecision(longName), (e: unknown) => e instanceof StoreValidationError && e.field === 'practitioner.displayName' && /200/.test(e.message));
      const twoLines = decisionCommand('CASE-1001', 'k-lines', { practitioner: practitioner('aad-prac-1', 'Jo\nChild Name') });
      await assert.rejects(store.recordDecision(twoLines), StoreValidationError);
      const self = decisionCommand('CASE-1001', 'k-self', { approval: { managerAadId: 'aad-prac-1' } });
      await assert.rejects(store.recordDecision(self), /own request/);
      assert.equal((await tableCounts(db.raw())).decisions, 0);
      assert.equal((await tableCounts(db.raw())).audit_events, 0);
    });

    it('uses the configured case-reference pattern', async function () {
      const strict = await env.db.open({ caseRefPattern: /^MOS-[0-9]{6}$/ });
      await assert.rejects(strict.recordDecision(decisionCommand('CASE-1001', 'p1')), StoreValidationError);
      const ok = await strict.recordDecision(decisionCommand('MOS-123456', 'p2'));
      assert.equal(ok.record.caseRef, 'MOS-123456');
    });

    it('keeps everything when the database is closed and opened again (a restart)', async function () {
      const { store, db } = env;
      const recorded = await store.recordDecision(decisionCommand('CASE-1001', 'restart:1', { approval: { managerAadId: 'aad-manager-1' } }));
      await store.saveConversationReference('aad-manager-1', 'tenant-1', { conversation: { id: 'conv-1' } });
      await store.close();
      const reopened = await db.open();
      assert.deepEqual(await reopened.getDecision(recorded.record.id), recorded.record);
      assert.equal((await reopened.getApprovalForDecision(recorded.record.id))?.status, 'open');
      assert.equal((await reopened.getOutboxMessage(recorded.outbox[0]?.id ?? ''))?.status, 'pending');
      assert.deepEqual((await reopened.getConversationReference('aad-manager-1'))?.reference, { conversation: { id: 'conv-1' } });
      assert.deepEqual(await reopened.verifyAuditChain(), { ok: true, events: 2 });
      // Opening again runs no migration twice.
      await (await db.open()).close();
    });

    it("lists a practitioner's decisions newest first, and a team's by member or by assigned manager", async function () {
      const { store, clock } = env;
      const ids: string[] = [];
      for (const [i, who] of ['aad-a', 'aad-b', 'aad-a', 'aad-c'].entries()) {
        clock.advance(60_000);
        const cmd = decisionCommand(`CASE-${2000 + i}`, `list:${i}`, { practitioner: practitioner(who, `Person ${who}`) });
        if (who === 'aad-c') cmd.approval = { managerAadId: 'aad-boss' };
        ids.push((await store.recordDecision(cmd)).record.id);
      }
      assert.deepEqual((await store.listDecisionsForPractitioner('aad-a', 10)).map((d) => d.id), [ids[2], ids[0]]);
      assert.deepEqual((await store.listDecisionsForPractitioner('aad-a', 1)).map((d) => d.id), [ids[2]]);
      assert.deepEqual((await store.listDecisionsForTeam({ memberAadIds: ['aad-a', 'aad-b'] }, 10)).map((d) => d.id), [ids[2], ids[1], ids[0]]);
      assert.deepEqual((await store.listDecisionsForTeam({ managerAadId: 'aad-boss' }, 10)).map((d) => d.id), [ids[3]]);
      assert.deepEqual((await store.listDecisionsForTeam({ managerAadId: 'aad-boss', memberAadIds: ['aad-b'] }, 10)).map((d) => d.id), [ids[3], ids[1]]);
      assert.deepEqual(await store.listDecisionsForTeam({}, 10), []);
      await assert.rejects(store.listDecisionsForPractitioner('aad-a', 0), StoreValidationError);
    });

    it('saves, replaces and reads conversation references', async function () {
      const { store, clock } = env;
      assert.equal(await store.getConversationReference('aad-x'), null);
      await store.saveConversationReference('aad-x', 'tenant-1', { conversation: { id: 'one' } });
      clock.advance(1000);
      await store.saveConversationReference('aad-x', 'tenant-2', { conversation: { id: 'two' } });
      const ref = await store.getConversationReference('aad-x');
      assert.deepEqual(ref, { userAadId: 'aad-x', tenantId: 'tenant-2', reference: { conversation: { id: 'two' } }, updatedAt: clock.now() });
    });

    it('rewrites a conversation reference only when it changed (updatedAt is when it last changed)', async function () {
      const { store, clock } = env;
      const first = clock.now();
      await store.saveConversationReference('aad-y', 'tenant-1', { conversation: { id: 'one' }, serviceUrl: 'https://a.example/' });
      clock.advance(60_000);
      await store.saveConversationReference('aad-y', 'tenant-1', { serviceUrl: 'https://a.example/', conversation: { id: 'one' } });
      assert.deepEqual(await store.getConversationReference('aad-y'), { userAadId: 'aad-y', tenantId: 'tenant-1', reference: { conversation: { id: 'one' }, serviceUrl: 'https://a.example/' }, updatedAt: first });
      clock.advance(60_000);
      await store.saveConversationReference('aad-y', 'tenant-1', { conversation: { id: 'one' }, serviceUrl: 'https://b.example/' });
      assert.deepEqual(await store.getConversationReference('aad-y'), { userAadId: 'aad-y', tenantId: 'tenant-1', reference: { conversation: { id: 'one' }, serviceUrl: 'https://b.example/' }, updatedAt: clock.now() });
      clock.advance(60_000);
      await store.saveConversationReference('aad-y', 'tenant-2', { conversation: { id: 'one' }, serviceUrl: 'https://b.example/' });
      assert.equal((await store.getConversationReference('aad-y'))?.tenantId, 'tenant-2', 'a new tenant alone is a change');
    });

    // Each engine's own test (registered for that engine only): the memo is SQLite's.
    const forEngine = (engine: 'sqlite' | 'postgres') => (env.harness.engine === engine ? it : () => undefined);

    forEngine('postgres')('saves every turn\'s reference, so the latest turn wins even when another replica stored a different one', async function () {
      const { store, clock } = env;
      const desktop = { conversation: { id: 'one' }, locale: 'en-GB' };
      await store.saveConversationReference('aad-r', 'tenant-1', desktop);
      // Another replica stores the user's phone turn …
      await env.db.raw().updateTable('conversation_references').set({ reference: JSON.stringify({ conversation: { id: 'one' }, locale: 'en-US' }) }).where('user_aad_id', '=', 'aad-r').execute();
      clock.advance(1000);
      // … then the desktop turn comes back to this one.
      await store.saveConversationReference('aad-r', 'tenant-1', { ...desktop });
      assert.deepEqual((await store.getConversationReference('aad-r'))?.reference, desktop);
    });

    forEngine('sqlite')('skips saving a reference this store wrote a moment ago, and writes whenever it or the tenant changed', async function () {
      const { store, clock } = env;
      const ref = { conversation: { id: 'one' }, serviceUrl: 'https://a.example/' };
      await store.saveConversationReference('aad-m', 'tenant-1', ref);
      // The row is changed behind the store's back: an identical save is not written again (the memo) …
      await env.db.raw().updateTable('conversation_references').set({ reference: '{"changed":true}' }).where('user_aad_id', '=', 'aad-m').execute();
      clock.advance(1000);
      await store.saveConversationReference('aad-m', 'tenant-1', { ...ref });
      assert.deepEqual((await store.getConversationReference('aad-m'))?.reference, { changed: true });
      // … but a changed reference, or the same one for another tenant, always is.
      await store.saveConversationReference('aad-m', 'tenant-1', { ...ref, serviceUrl: 'https://b.example/' });
      assert.deepEqual((await store.getConversationReference('aad-m'))?.reference, { ...ref, serviceUrl: 'https://b.example/' });
      await env.db.raw().updateTable('conversation_references').set({ reference: '{"changed":true}' }).where('user_aad_id', '=', 'aad-m').execute();
      await store.saveConversationReference('aad-m', 'tenant-2', { ...ref, serviceUrl: 'https://b.example/' });
      assert.deepEqual(await store.getConversationReference('aad-m'), { userAadId: 'aad-m', tenantId: 'tenant-2', reference: { ...ref, serviceUrl: 'https://b.example/' }, updatedAt: clock.now() });
      // An identical save after the memo's time is written again, so a row changed elsewhere is put right.
      await env.db.raw().updateTable('conversation_references').set({ reference: '{"changed":true}' }).where('user_aad_id', '=', 'aad-m').execute();
      clock.advance(MEMO_TTL_MS);
      await store.saveConversationReference('aad-m', 'tenant-2', { ...ref, serviceUrl: 'https://b.example/' });
      assert.deepEqual((await store.getConversationReference('aad-m'))?.reference, { ...ref, serviceUrl: 'https://b.example/' });
    });

    it('reports a missing wizard session as a conflict and writes nothing', async function () {
      await assert.rejects(env.store.recordDecision(decisionCommand('CASE-1001', 'ws', { completesSession: { sessionId: 'nope', expectedVersion: 1 } })), StoreConflictError);
      assert.equal((await tableCounts(env.db.raw())).decisions, 0);
    });
  });
}

import assert from 'node:assert/strict';
import { StoreConflictError, StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';
import { tableCounts } from './tableCounts';

export function describeWizardSessions(env: ContractEnv): void {
  describe('wizard sessions', function () {
    async function newSession(id = 'card-1') {
      return env.store.createWizardSession({ id, userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'contactType' });
    }

    it('applies a step once: the same (session, version) again changes nothing and returns the current state', async function () {
      const { store } = env;
      const created = await newSession();
      assert.equal(created.version, 1);
      assert.deepEqual(created.answers, {});
      const first = await store.applyWizardStep('card-1', 1, { step: 'age', answers: { contactType: 'young_person' }, caseRef: 'CASE-1001' });
      assert.equal(first.kind, 'applied');
      const replay = await store.applyWizardStep('card-1', 1, { step: 'age', answers: { contactType: 'parent_carer' } });
      assert.equal(replay.kind, 'replayed');
      assert.ok(replay.kind === 'replayed');
      assert.equal(replay.session.version, 2);
      assert.deepEqual(replay.session.answers, { contactType: 'young_person' });
      assert.equal(replay.session.caseRef, 'CASE-1001');
      const next = await store.applyWizardStep('card-1', 2, { step: 'device', answers: { contactType: 'young_person', age: 15 } });
      assert.ok(next.kind === 'applied');
      assert.equal(next.session.version, 3);
      assert.deepEqual((await store.applyWizardStep('nope', 1, { step: 'x', answers: {} })).kind, 'not_found');
    });

    it('applies a step once when two invokes of the same step arrive together', async function () {
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      await a.createWizardSession({ id: 'card-2', userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'contactType' });
      const results = await Promise.all([
        a.applyWizardStep('card-2', 1, { step: 'age', answers: { n: 'a' } }),
        b.applyWizardStep('card-2', 1, { step: 'age', answers: { n: 'b' } }),
      ]);
      assert.deepEqual(results.map((r) => r.kind).sort(), ['applied', 'replayed']);
      const session = await a.getWizardSession('card-2');
      assert.equal(session?.version, 2);
    });

    it('remembers the card to update without changing the version, and refuses bad input', async function () {
      const { store } = env;
      await newSession();
      await store.attachWizardCard('card-1', 'activity-9', { conversation: { id: 'c1' } });
      const s = await store.getWizardSession('card-1');
      assert.equal(s?.activityId, 'activity-9');
      assert.deepEqual(s?.conversationRef, { conversation: { id: 'c1' } });
      assert.equal(s?.version, 1);
      await assert.rejects(store.applyWizardStep('card-1', 1, { step: 'x', answers: {}, caseRef: 'Jane Smith' }), StoreValidationError);
      await assert.rejects(store.applyWizardStep('card-1', 0, { step: 'x', answers: {} }), StoreValidationError);
      await assert.rejects(newSession(), StoreConflictError);
    });

    it('an abandoned session takes no more steps', async function () {
      await newSession();
      await env.store.abandonWizardSession('card-1');
      const r = await env.store.applyWizardStep('card-1', 2, { step: 'x', answers: {} });
      assert.equal(r.kind, 'closed');
    });

    it('completing the wizard records one decision; a replayed final step returns that decision and writes nothing', async function () {
      const { store, db } = env;
      await newSession();
      const done = await store.recordDecision(decisionCommand('CASE-1001', 'final:1', { completesSession: { sessionId: 'card-1', expectedVersion: 1 } }));
      assert.equal(done.replayed, false);
      const session = await store.getWizardSession('card-1');
      assert.equal(session?.status, 'completed');
      assert.equal(session?.decisionId, done.record.id);
      const before = await tableCounts(db.raw());
      const again = await store.recordDecision(decisionCommand('CASE-1001', 'final:2', { completesSession: { sessionId: 'card-1', expectedVersion: 1 } }));
      assert.equal(again.replayed, true);
      assert.equal(again.record.id, done.record.id);
      assert.deepEqual(again.outbox.map((m) => m.idempotencyKey), ['final:1']);
      assert.deepEqual(await tableCounts(db.raw()), before);
      assert.equal((await store.applyWizardStep('card-1', 2, { step: 'x', answers: {} })).kind, 'closed');
    });

    it('two final steps at once record one decision', async function () {
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      await a.createWizardSession({ id: 'card-3', userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'last' });
      const results = await Promise.all([
        a.recordDecision(decisionCommand('CASE-1001', 'race:a', { completesSession: { sessionId: 'card-3', expectedVersion: 1 } })),
        b.recordDecision(decisionCommand('CASE-1001', 'race:b', { completesSession: { sessionId: 'card-3', expectedVersion: 1 } })),
      ]);
      assert.deepEqual(results.map((r) => r.replayed).sort(), [false, true]);
      assert.equal(results[0]?.record.id, results[1]?.record.id);
      assert.equal((await tableCounts(env.db.raw())).decisions, 1);
    });

    it('lists a person\'s checks in progress in their tenant, newest first, without abandoned or completed ones', async function () {
      const { store, clock } = env;
      await newSession('card-a');
      clock.advance(1000);
      await newSession('card-b');
      clock.advance(1000);
      await newSession('card-c');
      await store.createWizardSession({ id: 'card-other', userAadId: 'aad-prac-2', tenantId: 'tenant-1', councilId: 'testshire', step: 'contact' });
      await store.createWizardSession({ id: 'card-elsewhere', userAadId: 'aad-prac-1', tenantId: 'tenant-2', councilId: 'testshire', step: 'contact' });
      await store.abandonWizardSession('card-b');
      const active = await store.listActiveWizardSessions('aad-prac-1', 'tenant-1', 10);
      assert.deepEqual(active.map((s) => s.id), ['card-c', 'card-a']);
      assert.deepEqual((await store.listActiveWizardSessions('aad-prac-1', 'tenant-1', 1)).map((s) => s.id), ['card-c']);
      assert.deepEqual(await store.listActiveWizardSessions('aad-nobody', 'tenant-1', 10), []);
      await assert.rejects(store.listActiveWizardSessions('aad-prac-1', 'tenant-1', 0), StoreValidationError);
    });
  });
}

import assert from 'node:assert/strict';
import { countCompilations } from '../compilationCounter';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

export function describeStatementReuse(env: ContractEnv): void {
  describe('statement reuse', function () {
    async function wizardRun(n: number): Promise<void> {
      const { store } = env;
      const id = `card-reuse-${n}`;
      await store.createWizardSession({ id, userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'contactType' });
      const compilations = countCompilations();
      try {
        assert.equal((await store.getWizardSession(id))?.version, 1);
        const next = await store.applyWizardStep(id, 1, { step: 'age', answers: { contactType: 'young_person' }, caseRef: `CASE-${1000 + n}` });
        assert.ok(next.kind === 'applied');
        assert.equal(next.session.caseRef, `CASE-${1000 + n}`);
        const back = await store.applyWizardStep(id, 2, { step: 'contactType', answers: { n } });
        assert.ok(back.kind === 'applied');
        assert.deepEqual(back.session.answers, { n });
        assert.equal((await store.applyWizardStep(id, 2, { step: 'age', answers: {} })).kind, 'replayed');
        const done = await store.recordDecision(decisionCommand(`CASE-${1000 + n}`, `final:${n}`, { completesSession: { sessionId: id, expectedVersion: 3 } }));
        assert.equal(done.replayed, false);
        assert.equal(done.outbox.length, 1);
        await store.saveConversationReference('aad-prac-1', 'tenant-1', { conversation: { id: `conv-${n}` } });
        if (n > 1) assert.equal(compilations.count, 0, 'a wizard step, a final step and a conversation reference, once each has run, compile no query');
      } finally {
        compilations.restore();
      }
      assert.equal((await store.getWizardSession(id))?.status, 'completed');
      assert.deepEqual((await store.getConversationReference('aad-prac-1'))?.reference, { conversation: { id: `conv-${n}` } });
    }

    it('a wizard step, a final step and the turn\'s conversation reference build and compile no query once each has run', async function () {
      await wizardRun(1);
      await wizardRun(2);
      await wizardRun(3);
      assert.deepEqual(await env.store.verifyAuditChain(), { ok: true, events: 3 });
    });
  });
}

import assert from 'node:assert/strict';
import { precompileChecks } from '../../../src/store/precompiledQuery';
import { countCompilations } from '../compilationCounter';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

export function describeStatementReuse(env: ContractEnv): void {
  describe('statement reuse', function () {
    // Counting compilations: the contract's check against each builder would compile every query again.
    let verifying = false;
    before(() => {
      verifying = precompileChecks.verify;
      precompileChecks.verify = false;
    });
    after(() => {
      precompileChecks.verify = verifying;
    });
    /** A complete check as the wizard runs it: new check (create, attach its card), steps, consent reads, final step, the outcome's reads. */
    async function wizardRun(n: number): Promise<void> {
      const { store } = env;
      const id = `card-reuse-${n}`;
      const caseRef = `CASE-${1000 + n}`;
      const conversationRef = { conversation: { id: `conv-${n}` }, serviceUrl: 'https://smba.example.test/' };
      // Consent recorded earlier for the case (not part of a check): the check's consent step reads it.
      await store.recordConsent({ caseRef, councilId: 'testshire', status: 'given', scriptId: null, scriptVersion: '1', ruleId: null, decisionId: null, recordedBy: { aadObjectId: 'aad-prac-1', displayName: 'Pat Practitioner' } });
      const compilations = countCompilations();
      try {
        const created = await store.createWizardSession({ id, userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'contactType', answers: { answers: {}, history: [] }, conversationRef });
        assert.equal(created.version, 1);
        await store.attachWizardCard(id, `act-${n}`, conversationRef);
        assert.equal((await store.getWizardSession(id))?.activityId, `act-${n}`);
        const next = await store.applyWizardStep(id, 1, { step: 'age', answers: { contactType: 'young_person' }, caseRef });
        assert.ok(next.kind === 'applied');
        assert.equal(next.session.caseRef, caseRef);
        // The consent step shows where the case's register stands.
        assert.deepEqual((await store.listConsent(caseRef)).map((e) => e.status), ['given']);
        const back = await store.applyWizardStep(id, 2, { step: 'contactType', answers: { n } });
        assert.ok(back.kind === 'applied');
        assert.deepEqual(back.session.answers, { n });
        assert.equal((await store.applyWizardStep(id, 2, { step: 'age', answers: {} })).kind, 'replayed');
        const done = await store.recordDecision(decisionCommand(caseRef, `final:${n}`, { completesSession: { sessionId: id, expectedVersion: 3 } }));
        assert.equal(done.replayed, false);
        assert.equal(done.outbox.length, 1);
        // The outcome card: the decision's approval, escalation and the case's consent register.
        assert.equal(await store.getApprovalForDecision(done.record.id), null);
        assert.equal(await store.getEscalationForDecision(done.record.id), null);
        assert.equal((await store.listConsent(caseRef)).length, 1);
        await store.saveConversationReference('aad-prac-1', 'tenant-1', { conversation: { id: `conv-${n}` } });
        assert.deepEqual((await store.getConversationReference('aad-prac-1'))?.reference, { conversation: { id: `conv-${n}` } });
        if (n > 1) assert.equal(compilations.count, 0, 'a new check, its steps and consent reads, its final step, its outcome\'s reads and a conversation reference, once each has run, compile no query');
      } finally {
        compilations.restore();
      }
      assert.equal((await store.getWizardSession(id))?.status, 'completed');
    }

    it('a complete check (new check, steps, consent reads, final step, outcome, conversation reference) builds and compiles no query once each statement has run', async function () {
      await wizardRun(1);
      await wizardRun(2);
      await wizardRun(3);
      // Each run audits its consent and its decision.
      assert.deepEqual(await env.store.verifyAuditChain(), { ok: true, events: 6 });
    });

    it('a session id already used is still refused as a conflict, and nothing is written', async function () {
      const { store } = env;
      const session = { id: 'card-reuse-dup', userAadId: 'aad-prac-1', tenantId: 'tenant-1', councilId: 'testshire', step: 'contactType' };
      await store.createWizardSession(session);
      await assert.rejects(store.createWizardSession({ ...session, step: 'age' }), { name: 'StoreConflictError', message: 'wizard session card-reuse-dup already exists' });
      assert.equal((await store.getWizardSession('card-reuse-dup'))?.step, 'contactType');
    });
  });
}

import assert from 'node:assert/strict';
import type { NewConsentEntry } from '../../../src/domain/ports/store';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

const MINUTE = 60_000;

function entry(caseRef: string, extra: Partial<NewConsentEntry> = {}): NewConsentEntry {
  return {
    caseRef,
    councilId: 'testshire',
    status: 'given',
    scriptId: 'tst-consent-script',
    scriptVersion: '2.1 aaaaaaaaaaaa',
    ruleId: 'TST-C2',
    decisionId: null,
    recordedBy: { aadObjectId: 'aad-prac-1', displayName: 'Pat Practitioner' },
    ...extra,
  };
}

export function describeConsentRegister(env: ContractEnv): void {
  describe('consent register', function () {
    it('records a YES and a later withdrawal against the case, each audited with who, when, script and version', async function () {
      const { store, clock } = env;
      const { record } = await store.recordDecision(decisionCommand('CASE-7101', 'card:7101'));
      const given = await store.recordConsent(entry('CASE-7101', { decisionId: record.id }));
      clock.advance(90 * MINUTE);
      await store.recordConsent(entry('CASE-7101', { status: 'withdrawn', recordedBy: { aadObjectId: 'aad-prac-2', displayName: 'Sam Social Worker' } }));
      await store.recordConsent(entry('CASE-7102'));
      // Several entries in the same millisecond still list in the order they were made.
      for (const status of ['given', 'withdrawn', 'given', 'withdrawn'] as const) await store.recordConsent(entry('CASE-7106', { status }));
      assert.deepEqual((await store.listConsent('CASE-7106')).map((e) => e.status), ['given', 'withdrawn', 'given', 'withdrawn']);
      const register = await store.listConsent('CASE-7101');
      assert.deepEqual(register.map((e) => [e.status, e.recordedByAadId, e.recordedByName, e.scriptId, e.scriptVersion]), [
        ['given', 'aad-prac-1', 'Pat Practitioner', 'tst-consent-script', '2.1 aaaaaaaaaaaa'],
        ['withdrawn', 'aad-prac-2', 'Sam Social Worker', 'tst-consent-script', '2.1 aaaaaaaaaaaa'],
      ]);
      assert.equal(register[0]!.decisionId, record.id);
      assert.equal(register[1]!.recordedAt.getTime() - register[0]!.recordedAt.getTime(), 90 * MINUTE);
      assert.equal(given.id, register[0]!.id);
      const audit = (await store.listAuditEvents({ caseRef: 'CASE-7101' })).filter((e) => e.type.startsWith('consent.'));
      assert.deepEqual(audit.map((e) => [e.type, e.actor]), [['consent.given', 'aad-prac-1'], ['consent.withdrawn', 'aad-prac-2']]);
      assert.deepEqual((audit[0]!.payload as { scriptId: string }).scriptId, 'tst-consent-script');
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    it('refuses bad input naming the field, and writes nothing', async function () {
      const { store } = env;
      await assert.rejects(store.recordConsent(entry('Jane Smith')), (e: unknown) => e instanceof StoreValidationError && e.field === 'caseRef');
      await assert.rejects(store.recordConsent(entry('CASE-7103', { status: 'maybe' as never })), (e: unknown) => e instanceof StoreValidationError && e.field === 'status');
      await assert.rejects(store.recordConsent(entry('CASE-7103', { recordedBy: { aadObjectId: 'aad-1', displayName: 'Pat\nFake line' } })), StoreValidationError);
      await assert.rejects(store.recordConsent(entry('CASE-7103', { decisionId: 'no-such-decision' })));
      assert.deepEqual(await store.listConsent('CASE-7103'), []);
      assert.deepEqual((await store.listAuditEvents({ caseRef: 'CASE-7103' })).length, 0);
    });

    it('appears in subject access and goes with the case on erasure', async function () {
      const { store } = env;
      await store.recordConsent(entry('CASE-7104'));
      await store.recordConsent(entry('CASE-7105'));
      const held = await store.getCaseHoldings('CASE-7104');
      assert.equal(held.found, true, 'a register entry alone is something held');
      assert.equal(held.consent.length, 1);
      const report = await store.eraseCase('CASE-7104', 'dpo@example.org');
      assert.equal(report.found, true);
      assert.equal(report.consentEntriesErased, 1);
      assert.deepEqual(await store.listConsent('CASE-7104'), []);
      assert.equal((await store.listConsent('CASE-7105')).length, 1, 'other cases keep theirs');
      assert.equal((await store.verifyAuditChain()).ok, true);
    });
  });
}

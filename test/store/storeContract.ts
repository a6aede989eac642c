/**
 * The store contract: one suite, run against every engine (sqliteStore.test.ts, postgresStore.test.ts).
 * Each test gets a fresh database and a store on it with a clock it can move.
 */
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { describeApprovals } from './contract/approvals';
import { describeConsentRegister } from './contract/consentRegister';
import { describeAuditTrail } from './contract/auditTrail';
import { describeDataProtection } from './contract/dataProtection';
import { describeDecisions } from './contract/decisions';
import { describeEscalations } from './contract/escalations';
import { describeOutbox } from './contract/outbox';
import { describeRecordIntegrity } from './contract/recordIntegrity';
import { describeStatementReuse } from './contract/statementReuse';
import { precompileChecks } from '../../src/store/precompiledQuery';
import { describeWizardSessions } from './contract/wizardSessions';
import { type StoreHarness, type TestDatabase, TestClock } from './storeHarness';

export interface ContractEnv {
  harness: StoreHarness;
  db: TestDatabase;
  store: ChannelCheckStore;
  clock: TestClock;
}

export function describeStoreContract(harness: StoreHarness): void {
  const env = { harness } as ContractEnv;

  // Every precompiled statement the contract runs is checked against its builder's own compile.
  before(() => {
    precompileChecks.verify = true;
  });
  after(() => {
    precompileChecks.verify = false;
  });

  beforeEach(async function () {
    env.clock = new TestClock();
    env.db = await harness.newDatabase();
    env.store = await env.db.open({ now: env.clock.now });
  });

  afterEach(async function () {
    await env.db?.drop();
  });

  describeDecisions(env);
  describeWizardSessions(env);
  describeApprovals(env);
  describeEscalations(env);
  describeOutbox(env);
  describeConsentRegister(env);
  describeAuditTrail(env);
  describeDataProtection(env);
  describeRecordIntegrity(env);
  describeStatementReuse(env);
}

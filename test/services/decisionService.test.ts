/**
 * DecisionService.record on the store (SQLite, and PostgreSQL when it is reachable), with the manager planner
 * and a fake directory: the outcome it answers with is the view read back from the store, without reading back
 * what it has just written.
 */
import assert from 'node:assert/strict';
import { parseFacts } from '../../src/domain/facts';
import type { ChannelCheckStore, NewOutboxMessage, OutboxMessage } from '../../src/domain/ports/store';
import { DecisionService } from '../../src/services/decisionService';
import { ManagerNotificationPlanner } from '../../src/services/managerNotificationPlanner';
import { outboxForRef } from '../../src/services/managerStatus';
import { postgresHarness, requirePostgres } from '../store/postgresHarness';
import { sqliteHarness } from '../store/sqliteHarness';
import type { StoreHarness, TestDatabase } from '../store/storeHarness';
import { capturingLog, CHANNEL, FACTS, FakeDirectory, hillingdon, PAT } from './fakes';

const TUESDAY_10AM = new Date('2026-03-03T10:00:00Z'); // inside Hillingdon's working hours
/** The reads of what recordDecision has just written or read, which the final step no longer makes. */
const READ_BACKS = ['getApprovalForDecision', 'getEscalationForDecision', 'listOutboxForRef'] as const;

/** The store, with a count of the calls made through it. */
function counted(store: ChannelCheckStore): { store: ChannelCheckStore; readBacks: () => number[] } {
  const calls = new Map<string, number>();
  const watched = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: watched, readBacks: () => READ_BACKS.map((n) => calls.get(n) ?? 0) };
}

async function setup(db: TestDatabase) {
  const raw = await db.open({ now: () => TUESDAY_10AM });
  const { store, readBacks } = counted(raw);
  const directory = new FakeDirectory();
  const planner = new ManagerNotificationPlanner({ directory, config: { escalation: { channelConversationId: CHANNEL, ackTimeoutMinutes: 15, deliveryTimeoutMinutes: 2 } }, log: capturingLog().log });
  const service = new DecisionService({ store, planner, directory, now: () => TUESDAY_10AM });
  return { raw, readBacks, service };
}

const KINDS = [
  { name: 'allowed, nothing for the manager', facts: FACTS.allowed, approval: false, alert: false },
  { name: 'needs the line manager\'s approval', facts: FACTS.needsApproval, approval: true, alert: false },
  { name: 'a safeguarding alert', facts: FACTS.safeguarding, approval: false, alert: true },
] as const;

for (const harness of [sqliteHarness(), postgresHarness()] satisfies StoreHarness[]) {
  describe(`services: DecisionService.record (${harness.engine})`, function () {
    this.timeout(30_000);
    let db: TestDatabase;
    before(async function () {
      if (harness.engine === 'postgres') await requirePostgres(this, 'the DecisionService tests on PostgreSQL');
    });
    beforeEach(async () => {
      db = await harness.newDatabase();
    });
    afterEach(async () => {
      await db?.drop();
    });

    for (const kind of KINDS) {
      it(`${kind.name}: answers with the view read back from the store, without reading back the approval, alert or outbox rows`, async () => {
        const { readBacks, service } = await setup(db);
        const result = await service.record({ actor: PAT, policy: hillingdon(), facts: parseFacts(kind.facts), caseRef: 'CR-90001' });
        assert.equal(result.replayed, false);
        assert.deepEqual(readBacks(), [0, 0, 0], 'getApprovalForDecision, getEscalationForDecision, listOutboxForRef');
        // Everything read back, with the status facts the final step sets in motion (the planner's words).
        const read = await service.viewFor(result.decisionId, { plannedStatus: result.view.managerStatus });
        assert.deepEqual(readBacks(), [1, 1, kind.alert ? 1 : 0], 'the view read back did read');
        assert.deepEqual(result.view, read);
        assert.equal(read.approval !== null, kind.approval);
        assert.equal(read.alert !== null, kind.alert);
        if (kind.alert) assert.ok((read.alert?.copies.length ?? 0) > 0, 'the alert has copies');
      });

      it(`${kind.name}, the final step replayed: the decision recorded before, as viewFor reads it`, async () => {
        const { raw, readBacks, service } = await setup(db);
        await raw.createWizardSession({ id: 'session-1', userAadId: PAT.aadObjectId, tenantId: PAT.tenantId, councilId: 'hillingdon', step: 'review' });
        const input = { actor: PAT, policy: hillingdon(), facts: parseFacts(kind.facts), caseRef: 'CR-90001', completesSession: { sessionId: 'session-1', expectedVersion: 1 } };
        const first = await service.record(input);
        let extraCopies = 0;
        if (kind.alert) {
          // A copy of the alert queued later, about the alert but not carrying the decision's id: the replay reads the alert's rows.
          const [copy] = (await raw.listOutboxForRef(first.view.alert!.escalationId)).filter((r) => r.kind === 'card');
          await raw.enqueue([{ idempotencyKey: 'later-copy', kind: 'card', target: { kind: 'user', aadObjectId: 'aaaaaaaa-1000-0000-0000-000000000009' }, payload: copy!.payload, refId: copy!.refId } as NewOutboxMessage]);
          extraCopies = 1;
        }
        const before = readBacks();
        const replay = await service.record(input);
        assert.equal(replay.replayed, true);
        assert.equal(replay.decisionId, first.decisionId);
        const made = readBacks().map((n, i) => n - before[i]!);
        const read = await service.viewFor(first.decisionId);
        assert.deepEqual(replay.view, read);
        assert.deepEqual(made, [0, 0, kind.alert ? 1 : 0], 'only the alert\'s outbox rows are read');
        assert.equal(read.alert?.copies.length ?? 0, (first.view.alert?.copies.length ?? 0) + extraCopies);
        assert.equal(read.approval !== null, kind.approval);
      });
    }
  });
}

describe('services: outboxForRef', () => {
  it('the rows about one reference, oldest queued first, then by id, as listOutboxForRef', () => {
    const at = (iso: string) => new Date(iso);
    const row = (id: string, refId: string | null, createdAt: Date) => ({ id, refId, createdAt }) as OutboxMessage;
    const rows = [
      row('b', 'esc-1', at('2026-03-03T10:00:00Z')),
      row('c', 'appr-1', at('2026-03-03T09:00:00Z')),
      row('z', 'esc-1', at('2026-03-03T09:59:00Z')),
      row('a', 'esc-1', at('2026-03-03T10:00:00Z')),
      row('d', null, at('2026-03-03T09:00:00Z')),
    ];
    assert.deepEqual(outboxForRef(rows, 'esc-1').map((r) => r.id), ['z', 'a', 'b']);
    assert.deepEqual(rows.map((r) => r.id), ['b', 'c', 'z', 'a', 'd'], 'the rows given are left as they are');
  });
});

import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { eventHash, sha256Hex } from '../../../src/domain/audit/hashChain';
import type { AuditVerification, ChannelCheckStore } from '../../../src/domain/ports/store';
import type { Database } from '../../../src/store/schema';
import { StoreValidationError } from '../../../src/store/storeErrors';
import { decisionCommand } from '../fixtures/sampleDecision';
import type { ContractEnv } from '../storeContract';

/** Six events: 1 recorded, 2 approval requested, 3 recorded, 4 approved, 5 recorded, 6 service note. */
async function buildChain(store: ChannelCheckStore): Promise<void> {
  const first = await store.recordDecision(decisionCommand('CASE-6001', 'c1', { approval: { managerAadId: 'aad-manager-1' } }));
  await store.recordDecision(decisionCommand('CASE-6002', 'c2'));
  assert.ok(first.approval);
  await store.settleApproval({ approvalId: first.approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'approve', comment: 'ok' });
  await store.recordDecision(decisionCommand('CASE-6003', 'c3'));
  await store.appendAuditEvent({ type: 'service.note', actor: 'system', payload: { note: 'test' } });
}

function brokenAt(result: AuditVerification): { seq: number; reason: string } {
  assert.equal(result.ok, false, 'tampering must be detected');
  assert.ok(!result.ok);
  return result.brokenAt;
}

type Tamper = (db: Kysely<Database>) => Promise<unknown>;

const TAMPERING: Array<{ name: string; tamper: Tamper; seq: number; reason: RegExp }> = [
  {
    name: 'a changed payload',
    tamper: (db) => db.updateTable('audit_events').set({ payload: '{"approvalId":"x","comment":"forged","version":2}' }).where('seq', '=', 4).execute(),
    seq: 4,
    reason: /payload does not match/,
  },
  {
    name: 'a payload with only whitespace changed',
    tamper: async (db) => {
      const row = await db.selectFrom('audit_events').select('payload').where('seq', '=', 2).executeTakeFirstOrThrow();
      await db.updateTable('audit_events').set({ payload: `${row.payload} ` }).where('seq', '=', 2).execute();
    },
    seq: 2,
    reason: /payload does not match/,
  },
  { name: 'a changed hash', tamper: (db) => db.updateTable('audit_events').set({ hash: 'f'.repeat(64) }).where('seq', '=', 3).execute(), seq: 3, reason: /hash does not match/ },
  { name: 'a changed payload hash', tamper: (db) => db.updateTable('audit_events').set({ payload_hash: 'e'.repeat(64) }).where('seq', '=', 2).execute(), seq: 2, reason: /hash does not match/ },
  { name: 'a changed actor', tamper: (db) => db.updateTable('audit_events').set({ actor: 'aad-someone-else' }).where('seq', '=', 4).execute(), seq: 4, reason: /hash does not match/ },
  { name: 'a changed time', tamper: (db) => db.updateTable('audit_events').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('seq', '=', 1).execute(), seq: 1, reason: /hash does not match/ },
  { name: 'a changed case reference', tamper: (db) => db.updateTable('audit_events').set({ case_ref: 'CASE-9999' }).where('seq', '=', 3).execute(), seq: 3, reason: /hash does not match/ },
  { name: 'a deleted event in the middle', tamper: (db) => db.deleteFrom('audit_events').where('seq', '=', 3).execute(), seq: 3, reason: /event 3 is missing/ },
  { name: 'the first event deleted', tamper: (db) => db.deleteFrom('audit_events').where('seq', '=', 1).execute(), seq: 1, reason: /event 1 is missing/ },
  { name: 'the last event deleted', tamper: (db) => db.deleteFrom('audit_events').where('seq', '=', 6).execute(), seq: 6, reason: /event 6 is missing/ },
  {
    name: 'two events swapped (reordered)',
    tamper: async (db) => {
      await db.updateTable('audit_events').set({ seq: -2 }).where('seq', '=', 2).execute();
      await db.updateTable('audit_events').set({ seq: 2 }).where('seq', '=', 3).execute();
      await db.updateTable('audit_events').set({ seq: 3 }).where('seq', '=', -2).execute();
    },
    seq: 2,
    reason: /prev_hash|hash does not match/,
  },
  {
    name: 'a payload removed without a tombstone',
    tamper: (db) => db.updateTable('audit_events').set({ payload: null }).where('seq', '=', 1).execute(),
    seq: 1,
    reason: /without an erasure or retention tombstone/,
  },
  {
    name: 'a payload removed, pointing at an event that is not a tombstone',
    tamper: (db) => db.updateTable('audit_events').set({ payload: null, redacted_by_seq: 5 }).where('seq', '=', 1).execute(),
    seq: 1,
    reason: /not a tombstone/,
  },
  {
    name: 'an event rewritten with its own hashes recomputed (the next link breaks)',
    tamper: async (db) => {
      const row = await db.selectFrom('audit_events').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
      const payload = '{"approvalId":"x","comment":"forged","version":2}';
      const payloadHash = sha256Hex(payload);
      const hash = eventHash({
        seq: row.seq, id: row.id, decisionId: row.decision_id, caseRef: row.case_ref, type: row.type, actor: row.actor,
        payloadHash, createdAt: row.created_at, prevHash: row.prev_hash, recordHash: row.record_hash,
      });
      await db.updateTable('audit_events').set({ payload, payload_hash: payloadHash, hash }).where('seq', '=', 4).execute();
    },
    seq: 5,
    reason: /prev_hash does not match the hash of event 4/,
  },
  { name: 'the chain head row deleted', tamper: (db) => db.deleteFrom('audit_chain_head').execute(), seq: 1, reason: /chain head row is missing/ },
  {
    name: 'the chain head moved back to hide a forged tail',
    tamper: (db) => db.updateTable('audit_chain_head').set({ last_seq: 5 }).execute(),
    seq: 6,
    reason: /not recorded in the chain head/,
  },
];

export function describeAuditTrail(env: ContractEnv): void {
  describe('audit trail', function () {
    it('verifies an untouched chain and counts its events', async function () {
      assert.deepEqual(await env.store.verifyAuditChain(), { ok: true, events: 0 });
      await buildChain(env.store);
      assert.deepEqual(await env.store.verifyAuditChain(), { ok: true, events: 6 });
      const events = await env.db.raw().selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
      for (const [i, e] of events.entries()) {
        if (i > 0) assert.equal(e.prev_hash, events[i - 1]?.hash, 'each event carries the previous hash');
      }
    });

    for (const t of TAMPERING) {
      it(`detects ${t.name} and names the first broken link`, async function () {
        await buildChain(env.store);
        assert.equal((await env.store.verifyAuditChain()).ok, true);
        await t.tamper(env.db.raw());
        const broken = brokenAt(await env.store.verifyAuditChain());
        assert.equal(broken.seq, t.seq, broken.reason);
        assert.match(broken.reason, t.reason);
      });
    }

    it('does not fork when two replicas append at once', async function () {
      this.timeout(60_000);
      const [a, b] = await env.db.openReplicas({ now: env.clock.now });
      const writes = [];
      for (let i = 0; i < 12; i++) {
        writes.push(a.recordDecision(decisionCommand(`CASE-7${100 + i}`, `fork:a:${i}`)));
        writes.push(b.recordDecision(decisionCommand(`CASE-7${200 + i}`, `fork:b:${i}`)));
      }
      await Promise.all(writes);
      assert.deepEqual(await a.verifyAuditChain(), { ok: true, events: 24 });
      const seqs = (await env.db.raw().selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
      assert.deepEqual(seqs, Array.from({ length: 24 }, (_, i) => i + 1));
    });

    it('only the store itself writes tombstones', async function () {
      await assert.rejects(env.store.appendAuditEvent({ type: 'case.erased', actor: 'x', caseRef: 'CASE-1', payload: {} }), StoreValidationError);
    });
  });
}

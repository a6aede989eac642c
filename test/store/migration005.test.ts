/** Migration 005 on a database written by an earlier release: case references become canonical, the chain still verifies. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Migrator } from 'kysely';
import { createKysely, openStore } from '../../src/store/openStore';
import { migrationProvider } from '../../src/store/migrations/migrationProvider';
import { canonicalJson, eventHash, GENESIS_HASH, sha256Hex } from '../../src/domain/audit/hashChain';

describe('migration 005 (SQLite file from an earlier release)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-mig-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('normalises stored case references, keeps audit events as chained, and sar/erase then find the case', async function () {
    const file = path.join(dir, 'channelcheck.db');
    // A database as an earlier release left it: migrations up to 002, case references stored as typed.
    const old = createKysely({ engine: 'sqlite', file });
    const upTo002 = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('002_outbox_priority');
    assert.equal(upTo002.error, undefined);
    await old.destroy();
    const raw = new Database(file);
    const decisionId = 'dec-old-1';
    raw.prepare(
      "insert into decisions (id, practitioner_aad_id, practitioner_name, tenant_id, council_id, pack_version, pack_content_hash, baseline_hash, case_ref, facts, decision, outcome, state, created_at, updated_at) values (?, 'aad-prac-1', 'Jo Practitioner', 'tenant-1', 'testshire', '2.1', 'aaa', 'bbb', 'cr-40118', '{}', '{}', 'whatsapp_permitted', 'recorded', '2026-03-03T10:00:00.000Z', '2026-03-03T10:00:00.000Z')",
    ).run(decisionId);
    raw.prepare("insert into wizard_sessions (id, user_aad_id, tenant_id, council_id, step, answers, case_ref, version, status, created_at, updated_at) values ('card-old', 'aad-prac-1', 'tenant-1', 'testshire', 'done', '{}', 'cr-40118', 2, 'abandoned', '2026-03-03T10:00:00.000Z', '2026-03-03T10:00:00.000Z')").run();
    let prevHash = GENESIS_HASH;
    for (const [seq, type, decision] of [[1, 'decision.recorded', decisionId], [2, 'service.note', null]] as const) {
      const payload = canonicalJson({ note: 'as the old release wrote it' });
      const fields = { seq, id: `ev-${seq}`, decisionId: decision, caseRef: 'cr-40118', type, actor: 'aad-prac-1', payloadHash: sha256Hex(payload), createdAt: '2026-03-03T10:00:00.000Z', prevHash };
      const hash = eventHash(fields);
      raw.prepare('insert into audit_events (seq, id, decision_id, case_ref, type, actor, payload, payload_hash, created_at, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(seq, fields.id, decision, 'cr-40118', type, 'aad-prac-1', payload, fields.payloadHash, fields.createdAt, prevHash, hash);
      raw.prepare('update audit_chain_head set last_seq = ?, last_hash = ? where id = 1').run(seq, hash);
      prevHash = hash;
    }
    raw.close();

    const db = createKysely({ engine: 'sqlite', file });
    const { results, error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    await db.destroy();
    assert.equal(error, undefined);
    assert.ok(results?.some((r) => r.migrationName === '005_store_integrity'), 'migration 005 ran');
    assert.ok(results?.every((r) => r.status === 'Success' && r.migrationName > '002'), 'only the migrations after the earlier release ran, all successfully');

    const check = new Database(file, { readonly: true });
    assert.deepEqual(check.prepare('select case_ref from decisions').all(), [{ case_ref: 'CR-40118' }]);
    assert.deepEqual(check.prepare('select case_ref from wizard_sessions').all(), [{ case_ref: 'CR-40118' }]);
    assert.deepEqual(check.prepare('select case_ref from audit_events').all(), [{ case_ref: 'cr-40118' }, { case_ref: 'cr-40118' }], 'chained fields are never rewritten');
    check.close();

    const after = await openStore({ engine: 'sqlite', file });
    try {
      assert.equal((await after.verifyAuditChain()).ok, true);
      const held = await after.getCaseHoldings('cr-40118');
      assert.deepEqual(held.decisions.map((d) => d.id), [decisionId]);
      assert.equal(held.auditEvents.length, 2);
      await after.eraseCase('CR-40118', 'cli:dpo');
      assert.equal((await after.verifyAuditChain()).ok, true);
      const records = await after.verifyRecords();
      assert.deepEqual([records.problems, records.unsealed], [[], [decisionId]], 'recorded before seals: counted, not failed');
    } finally {
      await after.close();
    }
  });
});

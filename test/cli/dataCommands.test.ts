/** The data commands, run as real processes against a temp SQLite file. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/openStore';
import { alertRouting, decisionCommand } from '../store/fixtures/sampleDecision';
import { runCli } from '../support/runCli';
import { type Seeded, seedStore } from './seedStore';

describe('data commands (export, sar, erase, audit:verify, retention:purge)', function () {
  this.timeout(120_000);
  let seeded: Seeded;
  const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(`src/cli/${script}.ts`, args, { env: { ...seeded.env, ...env } });

  function expectBadInput(script: string, args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) {
    const r = run(script, args, env);
    assert.equal(r.status, 2, `${script} ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing on standard output on bad input');
    assert.match(r.stderr, message);
  }

  beforeEach(async function () {
    seeded = await seedStore();
  });
  afterEach(function () {
    fs.rmSync(seeded.dir, { recursive: true, force: true });
  });

  it('export: one CSV row per decision in the period (UK days, both ends included), by council', function () {
    const r = run('export', ['--from', '2026-01-01', '--to', '2026-06-30', '--council', 'hillingdon', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\r\n');
    assert.match(lines[0] ?? '', /^decision_id,recorded_at,council_id,pack_version,/);
    assert.equal(lines.length, 2, 'only January: the June one is 1 July in London');
    assert.ok(lines[1]?.startsWith(`${seeded.ids.hillingdonJan},2026-01-15T10:00:00.000Z,hillingdon,2.1,`));
    assert.match(lines[1] ?? '', /,CASE-1001,aad-prac-1,Jo Practitioner,tenant-1,manager_approval_required,manager_approval_required,true,routine,Ask your line manager before using WhatsApp,declined,,,verified$/);

    const json = run('export', ['--from', '2026-01-01', '--to', '2026-07-01', '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    const records = JSON.parse(json.stdout) as Array<{ id: string; decision: unknown; facts: unknown; consent: { status: string; recordedAt: string; scriptId: string | null } | null }>;
    assert.deepEqual(records.map((d) => d.id), [seeded.ids.hillingdonJan, seeded.ids.leicesterJun, seeded.ids.hillingdonJun]);
    assert.ok(records.every((d) => d.decision !== null && d.facts !== null));
    assert.deepEqual(records.map((d) => d.consent && { status: d.consent.status, recordedAt: d.consent.recordedAt, scriptId: d.consent.scriptId }), [
      null, { status: 'given', recordedAt: '2026-06-16T09:00:00.000Z', scriptId: 'lei-service-user-notice' }, null,
    ]);
  });

  it("export: the consent_register column gives where the case's consent register stands", function () {
    const r = run('export', ['--from', '2026-06-01', '--to', '2026-06-30', '--council', 'leicester']);
    assert.equal(r.status, 0, r.stderr);
    const [header, row, ...rest] = r.stdout.trimEnd().split('\r\n');
    assert.equal(rest.length, 0);
    const columns = (header ?? '').split(',');
    const cells = (row ?? '').split(',');
    assert.equal(cells[columns.indexOf('decision_id')], seeded.ids.leicesterJun);
    assert.equal(cells[columns.indexOf('consent_register')], 'given 2026-06-16T09:00:00.000Z lei-service-user-notice');
  });

  it('export: exits 2 naming the flag for every kind of bad input', function () {
    expectBadInput('export', ['--from', '2026-02-30', '--to', '2026-03-01'], /--from must be a real date/);
    expectBadInput('export', ['--from', '01/02/2026', '--to', '2026-03-01'], /--from must be a real date/);
    expectBadInput('export', ['--from', '2026-01-01'], /--to is required/);
    expectBadInput('export', ['--to', '2026-01-01'], /--from is required/);
    expectBadInput('export', ['--from', '2026-03-01', '--to', '2026-01-01'], /--from \(2026-03-01\) is after --to \(2026-01-01\)/);
    expectBadInput('export', ['--from', '2026-01-01', '--to', '2026-03-01', '--council', 'atlantis'], /--council: unknown council "atlantis"; known: .*hillingdon/);
    expectBadInput('export', ['--from', '2026-01-01', '--to', '2026-03-01', '--format', 'xml'], /--format must be csv or json, not "xml"/);
    expectBadInput('export', ['--from', '2026-01-01', '--to', '2026-03-01', '--colour', 'blue'], /Unknown option '--colour'/);
    expectBadInput('export', ['--from'], /--from/);
    expectBadInput('export', ['--from', '2026-01-01', '--to', '2026-03-01'], /CHANNELCHECK_SQLITE_PATH: no ChannelCheck database at .*missing\.db/, { CHANNELCHECK_SQLITE_PATH: `${seeded.dir}/missing.db` });
    expectBadInput('export', ['--from', '2026-01-01', '--to', '2026-03-01'], /DATABASE_URL: must be a postgres/, { DATABASE_URL: 'mysql://x' });
  });

  it('sar: everything held about one case as JSON; an unknown case reference says so (exit 3)', function () {
    const r = run('sar', ['--case', 'CASE-1001']);
    assert.equal(r.status, 0, r.stderr);
    const held = JSON.parse(r.stdout) as { caseRef: string; decisions: Array<{ id: string }>; approvals: Array<{ comment: string }>; auditEvents: Array<{ type: string }> };
    assert.equal(held.caseRef, 'CASE-1001');
    assert.deepEqual(held.decisions.map((d) => d.id), [seeded.ids.hillingdonJan]);
    assert.equal(held.approvals[0]?.comment, 'Not with this family, use Teams');
    assert.deepEqual(held.auditEvents.map((e) => e.type), ['decision.recorded', 'approval.requested', 'approval.declined']);
    assert.equal(r.stdout.includes('CASE-1002'), false, 'nothing about other cases');

    const unknown = run('sar', ['--case', 'CASE-9999']);
    assert.equal(unknown.status, 3);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /No records are held for case reference CASE-9999/);

    expectBadInput('sar', [], /--case is required/);
    expectBadInput('sar', ['--case', 'Jane Smith'], /--case doesn't look like a case number.*never enter a name/);
    expectBadInput('sar', ['--case'], /--case/);
    expectBadInput('sar', ['--case', 'MOS-1'], /--case doesn't look like a case number/, { CHANNELCHECK_CASE_REF_PATTERN: '^MOS-[0-9]{4}$' });
  });

  it('erase: refuses without --yes, then removes the content, keeps the chain valid, and says what it erased', async function () {
    expectBadInput('erase', ['--case', 'CASE-1001'], /--yes is required: erasing case CASE-1001 permanently removes/);
    expectBadInput('erase', ['--yes'], /--case is required/);
    expectBadInput('erase', ['--case', 'John', '--yes'], /--case/);
    assert.equal(run('sar', ['--case', 'CASE-1001']).status, 0, 'nothing was erased by the refusals');

    const r = run('erase', ['--case', 'CASE-1001', '--yes']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(report.decisionRecords, [seeded.ids.hillingdonJan]);
    assert.equal(report.approvalCommentsRemoved, 1);
    assert.ok(Number(report.auditPayloadsRemoved) >= 3);
    assert.equal(typeof report.tombstoneEvent, 'number');

    const sar = JSON.parse(run('sar', ['--case', 'CASE-1001']).stdout) as { decisions: Array<{ facts: unknown; practitionerDisplayName: unknown; outcome: string }> };
    assert.equal(sar.decisions[0]?.facts, null);
    assert.equal(sar.decisions[0]?.practitionerDisplayName, null);
    assert.equal(sar.decisions[0]?.outcome, 'manager_approval_required');
    const verify = run('auditVerify', []);
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /^audit chain OK: \d+ events\nrecords OK: \d+ decisions, approvals and alerts match their audit events\n$/);

    // A second run removes nothing more and says so.
    const again = run('erase', ['--case', 'CASE-1001', '--yes']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^Case reference CASE-1001 was already erased: nothing more was removed\.\n$/);
    assert.deepEqual(JSON.parse(again.stdout), { erased: 'CASE-1001', nothingMoreRemoved: true });
    assert.match(run('auditVerify', []).stdout, /^audit chain OK: \d+ events\n/, 'the second run appended nothing that breaks the chain');

    const unknown = run('erase', ['--case', 'CASE-9999', '--yes']);
    assert.equal(unknown.status, 3);
    assert.match(unknown.stderr, /No records are held for case reference CASE-9999: nothing was erased/);
  });

  it('audit:verify: OK with the count, or exit 1 naming the first broken link', function () {
    const ok = run('auditVerify', []);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'audit chain OK: 7 events\nrecords OK: 5 decisions, approvals and alerts match their audit events\n');
    expectBadInput('auditVerify', ['--fix'], /Unknown option '--fix'/);

    const db = new Database(seeded.file);
    db.prepare("update audit_events set payload = '{\"comment\":\"forged\"}' where seq = 4").run();
    db.close();
    const broken = run('auditVerify', []);
    assert.equal(broken.status, 1);
    assert.doesNotMatch(broken.stdout, /audit chain OK/);
    assert.match(broken.stderr, /^audit chain BROKEN at event 4: payload does not match its payload_hash/);
  });

  it("audit:verify, export and sar: a decision whose stored outcome was changed is named, flagged and not passed as OK", function () {
    const db = new Database(seeded.file);
    db.prepare("update decisions set outcome = 'whatsapp_permitted' where id = ?").run(seeded.ids.hillingdonJun);
    db.prepare("update approval_requests set status = 'approved', comment = 'forged approval' where decision_id = ?").run(seeded.ids.hillingdonJan);
    db.close();

    const verify = run('auditVerify', []);
    assert.equal(verify.status, 1, verify.stdout);
    assert.match(verify.stdout, /^audit chain OK: 7 events\n$/, 'the chain itself is intact: it is the rows that changed');
    assert.match(verify.stderr, /^records ALTERED: 2 stored records no longer match the audit trail:$/m);
    assert.match(verify.stderr, new RegExp(`^  decision ${seeded.ids.hillingdonJun}, case CASE-1002: its stored record \\(ids, outcome.*no longer matches the decision\\.recorded event \\d+ that sealed it$`, 'm'));
    assert.match(verify.stderr, new RegExp(`^  approval .* \\(decision ${seeded.ids.hillingdonJan}\\), case CASE-1001: its stored record .*the approval\\.declined event \\d+ that sealed it$`, 'm'));

    const exported = run('export', ['--from', '2026-01-01', '--to', '2026-07-01', '--format', 'csv']);
    assert.equal(exported.status, 1);
    const rows = exported.stdout.trimEnd().split('\r\n');
    assert.match(rows.find((l) => l.startsWith(seeded.ids.hillingdonJun)) ?? '', /,whatsapp_permitted,.*,altered$/);
    assert.match(rows.find((l) => l.startsWith(seeded.ids.leicesterJun)) ?? '', /,verified$/);
    assert.match(exported.stderr, /2 exported records no longer match the audit trail/);

    const sar = run('sar', ['--case', 'CASE-1001']);
    assert.equal(sar.status, 1);
    const held = JSON.parse(sar.stdout) as { integrityProblems: Array<{ record: string; decisionId: string }> };
    assert.deepEqual(held.integrityProblems.map((p) => [p.record, p.decisionId]), [['approval', seeded.ids.hillingdonJan]]);
  });

  it("audit:verify names an alert whose routing was changed in the database (someone added their own id to its delegates)", async function () {
    const store = await openStore({ engine: 'sqlite', file: seeded.file });
    const raised = await store.recordDecision(decisionCommand('CASE-1201', 'routed', { notifications: [], escalation: { id: 'esc-cli-1', dueAt: new Date('2026-06-01T10:15:00Z'), routing: alertRouting() } }));
    await store.close();
    assert.equal(run('auditVerify', []).status, 0);
    const db = new Database(seeded.file);
    db.prepare('update escalations set delegate_aad_ids = ? where id = ?').run(JSON.stringify(['aad-deputy-1', 'aad-mallory']), 'esc-cli-1');
    db.close();
    const verify = run('auditVerify', []);
    assert.equal(verify.status, 1, verify.stdout);
    assert.match(verify.stderr, /^records ALTERED: 1 stored records no longer match the audit trail:$/m);
    assert.match(verify.stderr, new RegExp(`^  routing esc-cli-1 \\(decision ${raised.record.id}\\), case CASE-1201: its stored record .*who it was routed to\\) no longer matches the escalation\\.raised event \\d+ that sealed it$`, 'm'));
  });

  it('sar and erase match a case reference in canonical form, however it was typed or stored', async function () {
    const store = await openStore({ engine: 'sqlite', file: seeded.file });
    const typed = await store.recordDecision(decisionCommand(' cr-40118 ', 'typed-lower'));
    await store.close();
    assert.equal(typed.record.caseRef, 'CR-40118', 'stored trimmed and upper case');

    for (const asked of ['cr-40118', 'CR-40118', ' Cr-40118 ']) {
      const r = run('sar', ['--case', asked]);
      assert.equal(r.status, 0, `sar --case "${asked}": ${r.stderr}`);
      const held = JSON.parse(r.stdout) as { caseRef: string; decisions: Array<{ id: string }>; auditEvents: Array<{ type: string }> };
      assert.equal(held.caseRef, 'CR-40118');
      assert.deepEqual(held.decisions.map((d) => d.id), [typed.record.id]);
    }
    const erased = run('erase', ['--case', 'cr-40118', '--yes']);
    assert.equal(erased.status, 0, erased.stderr);
    assert.deepEqual((JSON.parse(erased.stdout) as { decisionRecords: string[] }).decisionRecords, [typed.record.id]);
    const after = JSON.parse(run('sar', ['--case', 'CR-40118']).stdout) as { decisions: Array<{ facts: unknown }> };
    assert.equal(after.decisions[0]?.facts, null, 'erase --case cr-40118 erased CR-40118');
    assert.equal(run('auditVerify', []).status, 0);
  });

  it("retention:purge: deletes records past each council pack's retention period, audited", async function () {
    const r = run('retentionPurge', []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^hillingdon: 1 decision records older than 2190 days \(before .*\) purged$/m);
    assert.match(r.stdout, /^leicester: 0 decision records/m);
    const store = await openStore({ engine: 'sqlite', file: seeded.file });
    try {
      assert.equal(await store.getDecision(seeded.ids.old), null);
      assert.ok(await store.getDecision(seeded.ids.hillingdonJan));
      const events = await store.listAuditEvents({ decisionId: seeded.ids.old });
      assert.ok(events.every((e) => e.payload === null));
      assert.equal((await store.verifyAuditChain()).ok, true);
    } finally {
      await store.close();
    }
    expectBadInput('retentionPurge', ['--days', '1'], /Unknown option '--days'/);
  });
});

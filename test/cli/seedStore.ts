/** A temp SQLite database with a few decisions, for the data commands' tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Decision } from '../../src/domain/policy/decision';
import { openStore } from '../../src/store/openStore';
import { decisionCommand, sampleDecision } from '../store/fixtures/sampleDecision';

export interface Seeded {
  dir: string;
  file: string;
  env: NodeJS.ProcessEnv;
  ids: { hillingdonJan: string; hillingdonJun: string; leicesterJun: string; old: string };
}

function forCouncil(id: string): Decision {
  const d = sampleDecision();
  d.policy = { ...d.policy, id };
  return d;
}

export async function seedStore(): Promise<Seeded> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cli-'));
  const file = path.join(dir, 'channelcheck.db');
  let now = new Date('2026-01-15T10:00:00Z');
  const store = await openStore({ engine: 'sqlite', file, now: () => now });
  const record = async (caseRef: string, council: string, key: string, at: string, withApproval = false) => {
    now = new Date(at);
    const r = await store.recordDecision({
      ...decisionCommand(caseRef, key, withApproval ? { approval: { managerAadId: 'aad-manager-1' } } : {}),
      decision: forCouncil(council),
    });
    if (r.approval) await store.settleApproval({ approvalId: r.approval.id, actor: { aadObjectId: 'aad-manager-1', tenantId: 'tenant-1' }, action: 'decline', comment: 'Not with this family, use Teams' });
    return r.record.id;
  };
  const old = await record('OLD-2001', 'hillingdon', 'k0', '2019-06-01T10:00:00Z');
  const hillingdonJan = await record('CASE-1001', 'hillingdon', 'k1', '2026-01-15T10:00:00Z', true);
  // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
  const hillingdonJun = await record('CASE-1002', 'hillingdon', 'k2', '2026-06-30T23:30:00Z');
  const leicesterJun = await record('CASE-1003', 'leicester', 'k3', '2026-06-15T10:00:00Z');
  // The contact agreed the next morning: the export shows where the case's consent register stands.
  now = new Date('2026-06-16T09:00:00Z');
  await store.recordConsent({
    caseRef: 'CASE-1003', councilId: 'leicester', status: 'given', scriptId: 'lei-service-user-notice', scriptVersion: 'undated-briefing',
    ruleId: null, decisionId: leicesterJun, recordedBy: { aadObjectId: 'aad-prac-1', displayName: 'Jo Practitioner' },
  });
  await store.close();
  return { dir, file, env: { CHANNELCHECK_SQLITE_PATH: file, DATABASE_URL: '' }, ids: { hillingdonJan, hillingdonJun, leicesterJun, old } };
}

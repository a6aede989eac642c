/**
 * export: the decision records of a period, for audit and information-governance review.
 *   npm run --silent export -- --from 2026-01-01 --to 2026-12-31 [--council hillingdon] [--format csv|json]
 * Dates are whole days in UK time, both included. csv (the default) has one summary row per decision;
 * json has the full records (facts and decision). The export itself is recorded in the audit trail.
 * Every record is checked against the audit event that sealed it (`integrity`: verified, unsealed for records
 * older than seals, altered when its stored content no longer matches): an altered record is still exported,
 * flagged, named on stderr, and the command exits 1.
 */
import type { ConsentEntry, DecisionRecord, RecordVerification } from '../domain/ports/store';
import { loadPolicies } from '../policyFiles/loadPolicies';
import { cliActor, londonDayFlag, oneOf, parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_FAILED, EXIT_OK, runCommand, UsageError } from './exitCodes';

export type Integrity = 'verified' | 'unsealed' | 'altered';

/** Each decision's standing against the audit trail, from verifyRecords(). */
export function integrityOf(records: readonly DecisionRecord[], check: RecordVerification): Map<string, Integrity> {
  const altered = new Set(check.problems.map((p) => p.decisionId));
  const unsealed = new Set(check.unsealed);
  return new Map(records.map((d) => [d.id, altered.has(d.id) ? 'altered' : unsealed.has(d.id) ? 'unsealed' : 'verified']));
}

const USAGE = 'usage: npm run --silent export -- --from YYYY-MM-DD --to YYYY-MM-DD [--council <pack id>] [--format csv|json]';
const FORMATS = ['csv', 'json'] as const;

/** A decision with its standing against the audit trail and where its case's consent register stood at export time. */
export type ExportRow = DecisionRecord & { integrity: Integrity; consent?: ConsentEntry | null };

const COLUMNS: Array<[string, (d: ExportRow) => string | boolean | null]> = [
  ['decision_id', (d) => d.id],
  ['recorded_at', (d) => d.createdAt.toISOString()],
  ['council_id', (d) => d.councilId],
  ['pack_version', (d) => d.packVersion],
  ['pack_content_hash', (d) => d.packContentHash],
  ['baseline_hash', (d) => d.baselineHash],
  ['case_ref', (d) => d.caseRef],
  ['practitioner_aad_id', (d) => d.practitionerAadId],
  ['practitioner_display_name', (d) => d.practitionerDisplayName],
  ['tenant_id', (d) => d.tenantId],
  ['outcome', (d) => d.outcome],
  ['channel', (d) => d.decision?.channel ?? null],
  ['notify_manager', (d) => d.decision?.notifyManager ?? null],
  ['urgency', (d) => d.decision?.urgency ?? null],
  ['headline', (d) => d.decision?.headline ?? null],
  ['state', (d) => d.state],
  ['erased_at', (d) => d.erasedAt?.toISOString() ?? null],
  ['consent_register', (d) => (d.consent ? `${d.consent.status} ${d.consent.recordedAt.toISOString()} ${d.consent.scriptId ?? ''}`.trim() : null)],
  ['integrity', (d) => d.integrity],
];

/** RFC 4180 quoting, and a leading ' on anything a spreadsheet would run as a formula. */
function csvCell(value: string | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function decisionsCsv(records: readonly ExportRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const d of records) lines.push(COLUMNS.map(([, get]) => csvCell(get(d))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

async function main(): Promise<number> {
  const flags = parseFlags({ from: { type: 'string' }, to: { type: 'string' }, council: { type: 'string' }, format: { type: 'string', default: 'csv' } });
  const from = londonDayFlag(flags.from, 'from');
  const to = londonDayFlag(flags.to, 'to');
  if (from.start.getTime() > to.start.getTime()) throw new UsageError(`--from (${from.day}) is after --to (${to.day})`);
  const format = oneOf(flags.format ?? 'csv', 'format', FORMATS);
  const council = flags.council?.trim();
  if (council === '') throw new UsageError('--council needs a council pack id');

  return withStore(storeOptions(), async (store) => {
    if (council !== undefined) {
      const known = new Set(await store.listCouncilsWithRecords());
      if (!known.has(council)) {
        for (const id of loadPolicies().councils.keys()) known.add(id);
        if (!known.has(council)) throw new UsageError(`--council: unknown council "${council}"; known: ${[...known].sort().join(', ')}`);
      }
    }
    const records = await store.exportDecisions({ from: from.start, to: to.nextDayStart, ...(council === undefined ? {} : { councilId: council }) });
    const check = await store.verifyRecords(records.map((d) => d.id));
    const integrity = integrityOf(records, check);
    const cases = [...new Set(records.map((d) => d.caseRef).filter((c): c is string => c !== null))];
    const registers = new Map(await Promise.all(cases.map(async (c) => [c, await store.listConsent(c)] as const)));
    // Each decision carries where its case's consent register stands now (the latest entry).
    const rows: ExportRow[] = records.map((d) => ({ ...d, integrity: integrity.get(d.id) ?? 'verified', consent: d.caseRef ? (registers.get(d.caseRef)?.at(-1) ?? null) : null }));
    await store.recordDisclosure('export.generated', cliActor(), { from: from.day, to: to.day, councilId: council ?? null, format, decisions: records.length, altered: check.problems.length });
    process.stdout.write(format === 'csv' ? decisionsCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`);
    if (check.problems.length === 0) return EXIT_OK;
    process.stderr.write(`warning: ${check.problems.length} exported records no longer match the audit trail (integrity "altered"); run audit:verify:\n`);
    for (const p of check.problems) process.stderr.write(`  ${p.record} ${p.id}${p.caseRef === null ? '' : `, case ${p.caseRef}`}: ${p.reason}\n`);
    return EXIT_FAILED;
  });
}

if (require.main === module) void runCommand(USAGE, main);

/**
 * audit:verify: checks the whole audit chain (every hash, every link, every erased payload's tombstone), then
 * every decision, approval settlement and acknowledgement against the event that sealed it.
 *   npm run --silent audit:verify
 * Exit 0 "audit chain OK: N events; records OK: ..."; exit 1 naming the first broken link and every record
 * whose stored content no longer matches its event.
 */
import type { RecordProblem } from '../domain/ports/store';
import { parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_FAILED, EXIT_OK, runCommand } from './exitCodes';

const USAGE = 'usage: npm run --silent audit:verify';

export function describeProblem(p: RecordProblem): string {
  return `${p.record} ${p.id}${p.record === 'decision' ? '' : ` (decision ${p.decisionId})`}${p.caseRef === null ? '' : `, case ${p.caseRef}`}: ${p.reason}`;
}

async function main(): Promise<number> {
  parseFlags({});
  return withStore(storeOptions(), async (store) => {
    const chain = await store.verifyAuditChain();
    let exit = EXIT_OK;
    if (chain.ok) process.stdout.write(`audit chain OK: ${chain.events} events\n`);
    else {
      process.stderr.write(`audit chain BROKEN at event ${chain.brokenAt.seq}: ${chain.brokenAt.reason} (${chain.events} events before it verify)\n`);
      exit = EXIT_FAILED;
    }
    const records = await store.verifyRecords();
    if (records.problems.length === 0) {
      const legacy = records.unsealed.length === 0 ? '' : `; ${records.unsealed.length} decisions recorded before records were sealed cannot be checked`;
      process.stdout.write(`records OK: ${records.checked} decisions, approvals and alerts match their audit events${legacy}\n`);
    } else {
      process.stderr.write(`records ALTERED: ${records.problems.length} stored records no longer match the audit trail:\n`);
      for (const p of records.problems) process.stderr.write(`  ${describeProblem(p)}\n`);
      exit = EXIT_FAILED;
    }
    return exit;
  });
}

void runCommand(USAGE, main);

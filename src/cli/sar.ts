/**
 * sar: everything ChannelCheck holds about one case reference, as JSON, for a subject access request.
 *   npm run --silent sar -- --case <case reference>
 * Exit 0 with the JSON on stdout; exit 3 with a message on stderr when nothing is held for that case
 * reference; exit 2 on bad input. The disclosure is recorded in the audit trail. The case reference is
 * matched in canonical form (cr-40118 finds CR-40118). Records that no longer match the audit event that
 * sealed them are listed under `integrityProblems`, named on stderr, and the command exits 1.
 */
import { caseRefFlag, cliActor, EXIT_NOTHING_HELD, parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_FAILED, EXIT_OK, runCommand } from './exitCodes';

const USAGE = 'usage: npm run --silent sar -- --case <case reference>';

async function main(): Promise<number> {
  const flags = parseFlags({ case: { type: 'string' } });
  const options = storeOptions();
  const caseRef = caseRefFlag(flags.case, options.caseRefPattern);
  return withStore(options, async (store) => {
    const holdings = await store.getCaseHoldings(caseRef);
    if (!holdings.found) {
      process.stderr.write(`No records are held for case reference ${caseRef}: ChannelCheck has no decision, approval, alert, message or audit event about it.\n`);
      return EXIT_NOTHING_HELD;
    }
    const check = await store.verifyRecords(holdings.decisions.map((d) => d.id));
    await store.recordDisclosure('sar.generated', cliActor(), { caseRef, decisions: holdings.decisions.length, auditEvents: holdings.auditEvents.length, altered: check.problems.length });
    process.stdout.write(`${JSON.stringify({ generatedAt: new Date().toISOString(), ...holdings, integrityProblems: check.problems }, null, 2)}\n`);
    if (check.problems.length === 0) return EXIT_OK;
    process.stderr.write(`warning: ${check.problems.length} records about case ${caseRef} no longer match the audit trail; run audit:verify\n`);
    return EXIT_FAILED;
  });
}

void runCommand(USAGE, main);

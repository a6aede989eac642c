/**
 * sar: everything ChannelCheck holds about one case reference, as JSON, for a subject access request.
 *   npm run --silent sar -- --case <case reference>
 * Exit 0 with the JSON on stdout; exit 3 with a message on stderr when nothing is held for that case
 * reference; exit 2 on bad input. The disclosure is recorded in the audit trail.
 */
import { caseRefFlag, cliActor, EXIT_NOTHING_HELD, parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_OK, runCommand } from './exitCodes';

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
    await store.recordDisclosure('sar.generated', cliActor(), { caseRef, decisions: holdings.decisions.length, auditEvents: holdings.auditEvents.length });
    process.stdout.write(`${JSON.stringify({ generatedAt: new Date().toISOString(), ...holdings }, null, 2)}\n`);
    return EXIT_OK;
  });
}

void runCommand(USAGE, main);

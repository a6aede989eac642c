/**
 * erase: removes the personal content held for one case reference (facts, decision text, practitioner
 * names, comments, message contents, wizard answers, audit payloads) and leaves a tombstone event, so
 * the audit chain still verifies. Ids, outcomes and times stay.
 *   npm run --silent erase -- --case <case reference> --yes
 * Without --yes it refuses (exit 2). Exit 3 when nothing is held for the case reference. Run again on a case
 * already erased, it removes nothing, appends nothing, says so on stderr and exits 0 (`"nothingMoreRemoved": true`).
 * The case reference is matched in canonical form (trimmed, upper case): cr-40118 and CR-40118 are one case.
 */
import { caseRefFlag, cliActor, EXIT_NOTHING_HELD, parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_OK, runCommand, UsageError } from './exitCodes';

const USAGE = 'usage: npm run --silent erase -- --case <case reference> --yes';

async function main(): Promise<number> {
  const flags = parseFlags({ case: { type: 'string' }, yes: { type: 'boolean', default: false } });
  const options = storeOptions();
  const caseRef = caseRefFlag(flags.case, options.caseRefPattern);
  if (flags.yes !== true) {
    throw new UsageError(`--yes is required: erasing case ${caseRef} permanently removes its personal content from every record and cannot be undone; nothing was changed`);
  }
  return withStore(options, async (store) => {
    const report = await store.eraseCase(caseRef, cliActor());
    if (!report.found) {
      process.stderr.write(`No records are held for case reference ${caseRef}: nothing was erased.\n`);
      return EXIT_NOTHING_HELD;
    }
    if (report.tombstoneSeq === null) {
      process.stderr.write(`Case reference ${caseRef} was already erased: nothing more was removed.\n`);
      process.stdout.write(`${JSON.stringify({ erased: caseRef, nothingMoreRemoved: true }, null, 2)}\n`);
      return EXIT_OK;
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          erased: caseRef,
          decisionRecords: report.decisionIds,
          approvalCommentsRemoved: report.approvalsCleared,
          messageContentsRemoved: report.outboxCleared,
          wizardAnswersRemoved: report.wizardSessionsCleared,
          auditPayloadsRemoved: report.auditEventsRedacted,
          tombstoneEvent: report.tombstoneSeq,
          tombstoneEvents: report.tombstoneSeqs,
        },
        null,
        2,
      )}\n`,
    );
    return EXIT_OK;
  });
}

void runCommand(USAGE, main);

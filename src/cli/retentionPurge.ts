/**
 * retention:purge: deletes decision records older than their council pack's retention period
 * (`retention.decisionRecordDays`), with everything hung on them; the purge is recorded in the audit trail.
 * The bot runs the same purge daily on its own (src/services/retentionJob.ts); this command runs it now.
 *   npm run --silent retention:purge
 */
import { loadPolicies } from '../policyFiles/loadPolicies';
import { retentionDaysByCouncil } from '../policyFiles/retentionPeriods';

export { retentionDaysByCouncil };
import { cliActor, parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_OK, runCommand } from './exitCodes';

const USAGE = 'usage: npm run --silent retention:purge';

async function main(): Promise<number> {
  parseFlags({});
  const retention = retentionDaysByCouncil(loadPolicies());
  return withStore(storeOptions(), async (store) => {
    const report = await store.purgeExpired(retention, new Date(), cliActor());
    for (const c of report.purged) {
      process.stdout.write(`${c.councilId}: ${c.decisionIds.length} decision records older than ${c.retentionDays} days (before ${c.cutoff.toISOString()}) purged\n`);
    }
    for (const c of report.councilsWithoutRetention) {
      process.stderr.write(`warning: ${c} has decision records but no retention period in its pack (retention.decisionRecordDays): nothing purged\n`);
    }
    return EXIT_OK;
  });
}

if (require.main === module) void runCommand(USAGE, main);

/**
 * audit:verify: checks the whole audit chain (every hash, every link, every erased payload's tombstone).
 *   npm run --silent audit:verify
 * Exit 0 "audit chain OK: N events"; exit 1 naming the first broken link.
 */
import { parseFlags, storeOptions, withStore } from './cliArgs';
import { EXIT_FAILED, EXIT_OK, runCommand } from './exitCodes';

const USAGE = 'usage: npm run --silent audit:verify';

async function main(): Promise<number> {
  parseFlags({});
  return withStore(storeOptions(), async (store) => {
    const result = await store.verifyAuditChain();
    if (result.ok) {
      process.stdout.write(`audit chain OK: ${result.events} events\n`);
      return EXIT_OK;
    }
    process.stderr.write(`audit chain BROKEN at event ${result.brokenAt.seq}: ${result.brokenAt.reason} (${result.events} events before it verify)\n`);
    return EXIT_FAILED;
  });
}

void runCommand(USAGE, main);

/** Exit codes shared by every ChannelCheck command. */
export const EXIT_OK = 0;
/** A check found a problem (audit chain broken, scenario failed). */
export const EXIT_FAILED = 1;
/** Bad input: unknown flag, malformed value, unknown council or fact. Nothing was written or printed on stdout. */
export const EXIT_BAD_INPUT = 2;

export class UsageError extends Error {}

/** True when the arguments ask for help (`--help` or `-h`). */
export function wantsHelp(args: readonly string[] = process.argv.slice(2)): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Runs a command's main function, mapping UsageError to exit 2 with the message on stderr. `--help` prints
 * the usage on stdout and exits 0 without running anything.
 */
export async function runCommand(usage: string, main: () => Promise<number> | number): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(`${usage}\n`);
    process.exitCode = EXIT_OK;
    return;
  }
  try {
    process.exitCode = await main();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n${usage}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    } else {
      process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT_FAILED;
    }
  }
}

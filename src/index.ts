/**
 * Composition root: read settings (env/.env.local fills in anything the environment does not set), load and
 * check the policy packs, open the store, start the bot, the outbox dispatcher and the escalation timers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { DirectoryFileError } from './directory/directoryFile';
import { PackError } from './domain/policy/parsePack';
import { createLogger, routeConsoleTo } from './logging';
import { PROJECT_ROOT } from './paths';
import { loadPolicies } from './policyFiles/loadPolicies';
import { StoreInUseError } from './store/sqliteBotLock';

/** Fills unset variables from an env file; real environment variables always win. */
export function applyEnvFile(file: string, env: NodeJS.ProcessEnv): boolean {
  if (!fs.existsSync(file)) return false;
  const values = parseEnv(fs.readFileSync(file, 'utf8'));
  for (const [k, v] of Object.entries(values)) if (env[k] === undefined) env[k] = v;
  return true;
}

async function main(): Promise<void> {
  const envFile = process.env.CHANNELCHECK_ENV_FILE ?? path.join(PROJECT_ROOT, 'env', '.env.local');
  const loadedEnvFile = process.env.CHANNELCHECK_ENV_FILE === '' ? false : applyEnvFile(envFile, process.env);
  let policies;
  try {
    policies = loadPolicies();
  } catch (e) {
    if (e instanceof PackError) {
      process.stderr.write(`ChannelCheck cannot start: the policy packs have problems:\n${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  let config;
  try {
    config = loadConfig(process.env, [...policies.councils.keys()]);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n(Settings are read from the environment${loadedEnvFile ? ` and ${path.relative(process.cwd(), envFile)}` : ''}; see env/ for examples.)\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(config.logLevel, { readable: config.logFormat === 'pretty' });
  routeConsoleTo(log);
  if (config.store.kind === 'sqlite') fs.mkdirSync(path.dirname(path.resolve(config.store.path)), { recursive: true });
  let app;
  try {
    app = await createApp({ config, policies, log });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DirectoryFileError || e instanceof StoreInUseError) {
      process.stderr.write(`ChannelCheck cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const port = await app.listen();
  log.info(
    { port, host: config.host, store: config.store.kind, council: config.council, tenants: Object.keys(config.tenantCouncils).length, anonymous: config.bot.appId === null },
    `ChannelCheck listening on http://${config.host}:${port}/api/messages`,
  );
  if (config.bot.appId === null) log.warn('anonymous mode: no bot credentials, no token checks. For local use only.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`ChannelCheck failed to start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}

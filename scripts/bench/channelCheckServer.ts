/**
 * Benchmark fixture: ChannelCheck itself (createApp, as src/index.ts starts it: info-level JSON logs,
 * dispatcher and timers on), anonymous, on loopback, against the fake Bot Connector whose URL the parent
 * gives in CHANNELCHECK_SERVICE_URL. SQLite by default; with DATABASE_URL, PostgreSQL in a fresh schema that
 * is dropped on stop. Reports its port over IPC and stops on 'stop'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { loadPolicies } from '../../src/policyFiles/loadPolicies';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { openStore } from '../../src/store/openStore';
import { reportLoopDelayOnRequest } from './loopDelay';
import { profileOnRequest } from './profiling';

async function main(): Promise<void> {
  profileOnRequest(process.env.DATABASE_URL ? 'channelcheck-pg' : 'channelcheck');
  reportLoopDelayOnRequest();
  const policies = loadPolicies();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-'));
  const env = { CHANNELCHECK_SQLITE_PATH: path.join(dir, 'channelcheck.db'), ...process.env };
  const config = loadConfig(env, [...policies.councils.keys()]);
  const log = createLogger(config.logLevel);
  let dropSchema = async () => undefined as void;
  let store: ChannelCheckStore | undefined;
  if (config.store.kind === 'postgres') {
    const url = config.store.url;
    const schema = `bench_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    store = await openStore({ engine: 'postgres', connectionString: url, schema, caseRefPattern: config.caseRefPattern });
    dropSchema = async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    };
  }
  const app = await createApp({ config, policies, log, ...(store ? { store } : {}) });
  const port = await app.listen();
  process.send?.({ port });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      await app.close();
      if (store) await store.close();
      await dropSchema();
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

main().catch((e) => {
  process.stderr.write(`bench ChannelCheck server failed: ${(e as Error).stack}\n`);
  process.exit(1);
});

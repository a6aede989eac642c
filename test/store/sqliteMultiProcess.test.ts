/**
 * SQLite with two processes on one file through the store (the bot and a data command): every transaction
 * is BEGIN IMMEDIATE, so they queue for the write lock (asynchronously, see busyRetry.ts) instead of failing
 * or double-claiming. Two *bots* on one file are refused at start (sqliteBotLock.ts, test/bot/oneBotPerFile).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/openStore';

const run = promisify(execFile);
const WORKER = path.join(__dirname, 'fixtures', 'sqliteWorker.ts');

async function inTwoProcesses(file: string, mode: 'claim' | 'record', extra: string[] = []): Promise<string[][]> {
  const startAt = String(Date.now() + 2500);
  const outputs = await Promise.all(
    ['p1', 'p2'].map((id) => run(process.execPath, ['--import', 'tsx', WORKER, file, mode, id, startAt, ...extra], { timeout: 60_000 })),
  );
  return outputs.map((o) => JSON.parse(o.stdout) as string[]);
}

describe('SQLite store: two processes on one file', function () {
  this.timeout(90_000);
  let dir: string;
  let file: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-mp-'));
    file = path.join(dir, 'channelcheck.db');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands each outbox message to exactly one process', async function () {
    const store = await openStore({ engine: 'sqlite', file });
    await store.enqueue(Array.from({ length: 150 }, (_, i) => ({ idempotencyKey: `m${i}`, kind: 'text' as const, target: { kind: 'user' as const, aadObjectId: 'u' }, payload: { tenantId: 'tenant-1', text: `message ${i}` } })));
    await store.close();
    const [a = [], b = []] = await inTwoProcesses(file, 'claim');
    assert.ok(a.length > 0 && b.length > 0, `both processes claimed some (${a.length}, ${b.length})`);
    assert.equal(new Set([...a, ...b]).size, 150);
    assert.equal(a.length + b.length, 150, 'no message was claimed twice');
    const after = await openStore({ engine: 'sqlite', file });
    assert.deepEqual(await after.claimDueOutbox('check', 10, new Date(), 1000), [], 'all were marked sent');
    await after.close();
  });

  it('keeps one unforked audit chain when two processes record at once', async function () {
    await (await openStore({ engine: 'sqlite', file })).close();
    const [a = [], b = []] = await inTwoProcesses(file, 'record', ['15']);
    assert.equal(a.length + b.length, 30);
    const store = await openStore({ engine: 'sqlite', file });
    assert.deepEqual(await store.verifyAuditChain(), { ok: true, events: 30 });
    await store.close();
  });
});

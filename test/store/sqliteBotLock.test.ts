/** One bot per SQLite file: the lock beside the file, and how a crashed holder's lock is taken over. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireBotLock, lockPathFor, STALE_AFTER_MS, StoreInUseError } from '../../src/store/sqliteBotLock';

describe('SQLite bot lock', function () {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-lock-'));
    file = path.join(dir, 'channelcheck.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder, naming the process that holds the file, and frees the file on release', function () {
    const first = acquireBotLock(file);
    assert.throws(
      () => acquireBotLock(file),
      (e: unknown) => e instanceof StoreInUseError && e.holder.pid === process.pid && e.holder.host === os.hostname() && e.message.includes(`process ${process.pid} on ${os.hostname()}`),
    );
    first.release();
    assert.equal(fs.existsSync(lockPathFor(file)), false);
    acquireBotLock(file).release();
  });

  it('takes over the lock of a process that is no longer running (a crash), and says so', function () {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: deadPid, host: os.hostname(), startedAt: '2026-03-03T10:00:00.000Z' }));
    const heard: string[] = [];
    const lock = acquireBotLock(file, (previous, why) => heard.push(`${previous?.pid}: ${why}`));
    assert.deepEqual(heard, [`${deadPid}: process ${deadPid} is not running`]);
    assert.equal(JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')).pid, process.pid);
    lock.release();
  });

  it('takes over a lock from another host only once it has not been touched for a minute', function () {
    const lockPath = lockPathFor(file);
    fs.writeFileSync(lockPath, JSON.stringify({ pid: 4242, host: 'other-host', startedAt: '2026-03-03T10:00:00.000Z' }));
    const now = Date.now();
    assert.throws(() => acquireBotLock(file, undefined, () => now), /process 4242 on other-host/);
    const touched = fs.statSync(lockPath).mtimeMs;
    const lock = acquireBotLock(file, undefined, () => touched + STALE_AFTER_MS + 1000);
    lock.release();
  });
});

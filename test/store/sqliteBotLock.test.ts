/**
 * One bot per SQLite file: the lock beside the file, held by the operating system, so a crashed holder (even
 * one that had this process's pid) never blocks a start, a symbolic link finds the same lock, and of several
 * bots starting at once exactly one wins.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireBotLock, lockPathFor, StoreInUseError } from '../../src/store/sqliteBotLock';

const LOCK_MODULE = path.resolve(__dirname, '../../src/store/sqliteBotLock.ts');

/** A bot process that takes the lock, says `held <pid>` or `refused`, and holds it until its stdin closes. */
function starter(file: string): { child: ChildProcess; answer: Promise<string> } {
  const script = `
    const { acquireBotLock } = require(${JSON.stringify(LOCK_MODULE)});
    let lock;
    try { lock = acquireBotLock(${JSON.stringify(file)}); process.stdout.write('held ' + process.pid + '\\n'); }
    catch (e) { process.stdout.write((e.name === 'StoreInUseError' ? 'refused' : 'error ' + e.message) + '\\n'); }
    process.stdin.on('end', () => { lock?.release(); process.exit(0); });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../..') });
  const answer = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`the starter exited (${code}) before answering: ${out}`)));
  });
  return { child, answer };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('SQLite bot lock', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-lock-'));
    file = path.join(dir, 'channelcheck.db');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

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

  it('a lock left by a killed run that had this very pid on this host (a container restarted) is taken over at once, and said so', function () {
    // What a bot killed with SIGKILL leaves: its holder file, naming pid 1 on "app-0" in a container, which
    // after the restart is this process's pid and host again.
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-03-03T10:00:00.000Z' }));
    const heard: string[] = [];
    const lock = acquireBotLock(file, (previous, why) => heard.push(`${previous?.pid}: ${why}`));
    assert.deepEqual(heard, [`${process.pid}: process ${process.pid} on ${os.hostname()} ended without releasing the lock`]);
    assert.notEqual(JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')).startedAt, '2026-03-03T10:00:00.000Z', 'now names this run');
    lock.release();
  });

  it('a holder killed with SIGKILL blocks nothing: the next bot starts at once; while it ran, it was named', async function () {
    const first = starter(file);
    children.push(first.child);
    assert.equal(await first.answer, `held ${first.child.pid}`);
    assert.throws(() => acquireBotLock(file), (e: unknown) => e instanceof StoreInUseError && e.holder.pid === first.child.pid);
    first.child.kill('SIGKILL');
    await exited(first.child);
    assert.equal(JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')).pid, first.child.pid, 'its holder file is left behind');
    const heard: string[] = [];
    const lock = acquireBotLock(file, (previous) => heard.push(String(previous?.pid)));
    assert.deepEqual(heard, [String(first.child.pid)]);
    lock.release();
  });

  it('a symbolic link to the same database finds the same lock', function () {
    fs.writeFileSync(file, '');
    const link = path.join(dir, 'linked.db');
    fs.symlinkSync(file, link);
    const viaLinkedDir = path.join(dir, 'data-link');
    fs.symlinkSync(dir, viaLinkedDir);
    const lock = acquireBotLock(file);
    assert.throws(() => acquireBotLock(link), StoreInUseError, 'through a link to the file');
    assert.throws(() => acquireBotLock(path.join(viaLinkedDir, 'channelcheck.db')), StoreInUseError, 'through a link to its folder');
    assert.equal(lockPathFor(link), lockPathFor(file));
    lock.release();
    acquireBotLock(link).release();
  });

  it('of six bots starting at once on a file whose last holder crashed, exactly one wins', async function () {
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: 999_999, host: os.hostname(), startedAt: '2026-03-03T10:00:00.000Z' }));
    const starters = Array.from({ length: 6 }, () => starter(file));
    children.push(...starters.map((s) => s.child));
    const answers = await Promise.all(starters.map((s) => s.answer));
    assert.equal(answers.filter((a) => a.startsWith('held ')).length, 1, answers.join(', '));
    assert.equal(answers.filter((a) => a === 'refused').length, 5, answers.join(', '));
    const winner = Number(answers.find((a) => a.startsWith('held '))!.slice(5));
    assert.equal(JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')).pid, winner, 'the holder file names the winner');
  });
});

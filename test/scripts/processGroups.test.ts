/**
 * scripts/processGroups.mjs, which `npm run playground` uses to stop everything it started: run with fake
 * children (each with a grandchild, one ignoring SIGTERM), it leaves no process behind when it is interrupted
 * (SIGINT, SIGTERM), when its parent is killed, or when it is killed itself (SIGKILL: the watchdog). No
 * network, no Playground. Waits are on events (processes gone), with a deadline only so a failure ends.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FIXTURE = path.join(__dirname, 'fixtures', 'supervisedTree.mjs');

/** Alive and not a zombie (a killed process nobody has reaped yet is gone for our purposes). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Tree {
  /** The process whose stdout we read: the supervisor, or the parent that started it. */
  top: ChildProcess;
  supervisor: number;
  descendants: number[];
  groupsFile: string;
  output: string[];
}

/** Starts the supervised tree (under a parent process when `withParent`) and waits for every pid. */
async function startTree(withParent: boolean): Promise<Tree> {
  const groupsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-groups-')), 'groups.json');
  const args = withParent
    ? ['-e', `require('node:child_process').spawn(process.execPath, [${JSON.stringify(FIXTURE)}, ${JSON.stringify(groupsFile)}], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`]
    : [FIXTURE, groupsFile];
  const top = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  top.stdout!.on('data', (d: Buffer) => output.push(...String(d).split('\n').filter(Boolean)));
  top.stderr!.on('data', (d: Buffer) => output.push(...String(d).split('\n').filter(Boolean)));
  await until('the supervisor and both children reported', () => output.some((l) => l.startsWith('supervisor ')) && output.filter((l) => /\] pids /.test(l)).length === 2, 30_000);
  const supervisor = Number(output.find((l) => l.startsWith('supervisor '))!.split(' ')[1]);
  const descendants = output.filter((l) => /\] pids /.test(l)).flatMap((l) => l.split('pids ')[1]!.split(' ').map(Number));
  assert.equal(descendants.length, 4);
  assert.ok([supervisor, ...descendants].every(alive), 'everything is running');
  assert.deepEqual((JSON.parse(fs.readFileSync(groupsFile, 'utf8')) as number[]).length, 2, 'the groups are listed for the watchdog');
  return { top, supervisor, descendants, groupsFile, output };
}

describe('scripts: processGroups (what npm run playground uses to stop its children)', function () {
  this.timeout(60_000);
  const started: Tree[] = [];
  afterEach(() => {
    // Whatever a failed test left behind.
    for (const t of started.splice(0)) for (const pid of [t.top.pid!, t.supervisor, ...t.descendants]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: every child and grandchild stops (the one ignoring SIGTERM too), and the launcher exits 0`, async () => {
      const tree = await startTree(false);
      started.push(tree);
      const exited = new Promise<number | null>((resolve) => tree.top.once('exit', (code) => resolve(code)));
      process.kill(tree.supervisor, signal);
      await until('every child and grandchild is gone', () => tree.descendants.every((pid) => !alive(pid)));
      assert.equal(await exited, 0);
      assert.equal(fs.existsSync(tree.groupsFile), false, 'the groups file is removed');
    });
  }

  it('its parent is killed (npm, the terminal): it notices, stops every child and grandchild, and exits', async () => {
    const tree = await startTree(true);
    started.push(tree);
    process.kill(tree.top.pid!, 'SIGKILL');
    await until('the launcher and everything it started are gone', () => [tree.supervisor, ...tree.descendants].every((pid) => !alive(pid)));
  });

  it('it is killed itself (SIGKILL, no chance to clean up): the watchdog stops the groups it left behind', async () => {
    const tree = await startTree(false);
    started.push(tree);
    process.kill(tree.supervisor, 'SIGKILL');
    await until('every child and grandchild is gone', () => tree.descendants.every((pid) => !alive(pid)));
    await until('the watchdog removed the groups file', () => !fs.existsSync(tree.groupsFile));
  });
});

// The children a launcher starts (scripts/playground.mjs) are stopped when it stops, however it stops: Ctrl-C,
// SIGTERM, SIGHUP, its parent (npm, the terminal) dying, or SIGKILL. Each child runs in its own process group
// (detached), so the group's grandchildren (tsx's node, the Playground's workers) go with it; a small watchdog
// process outlives a SIGKILL of the launcher and stops the groups it left behind (listed in `groupsFile`).
// One child exiting stops the others too. test/scripts/processGroups.test.ts runs it with fake children.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const WATCHDOG = `
const fs = require('node:fs');
const [owner, file, graceMs] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const groups = () => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return []; } };
const kill = (signal) => { for (const g of groups()) { try { process.kill(-g, signal); } catch {} } };
let stopping = false;
setInterval(() => {
  if (stopping || alive(Number(owner))) return;
  stopping = true;
  kill('SIGTERM');
  setTimeout(() => { kill('SIGKILL'); fs.rmSync(file, { force: true }); process.exit(0); }, Number(graceMs));
}, 500);
`;

/**
 * @param {{ groupsFile: string, cwd?: string, graceMs?: number, parentCheckMs?: number, out?: NodeJS.WriteStream, err?: NodeJS.WriteStream }} options
 *   graceMs: how long children get between SIGTERM and SIGKILL (default 5000).
 */
export function superviseChildren({ groupsFile, cwd = process.cwd(), graceMs = 5000, parentCheckMs = 1000, out = process.stdout, err = process.stderr }) {
  const children = [];
  let down = false;
  const saveGroups = () => fs.writeFileSync(groupsFile, JSON.stringify(children.map((c) => c.pid)));
  const signalGroups = (signal) => {
    for (const c of children) {
      try { process.kill(-c.pid, signal); } catch { /* already gone */ }
    }
  };

  async function shutdown(code) {
    if (down) return;
    down = true;
    signalGroups('SIGTERM');
    const until = Date.now() + graceMs;
    while (Date.now() < until && children.some((c) => !c.exited)) await new Promise((r) => setTimeout(r, 100));
    signalGroups('SIGKILL');
    fs.rmSync(groupsFile, { force: true });
    process.exit(code);
  }

  function run(name, cmd, args, env = {}) {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (d) => out.write(`[${name}] ${d}`));
    child.stderr.on('data', (d) => err.write(`[${name}] ${d}`));
    child.on('exit', (code) => {
      child.exited = true;
      out.write(`[${name}] exited (${code})\n`);
      void shutdown(code ?? 1);
    });
    children.push(child);
    saveGroups();
    return child;
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));
  process.on('exit', () => {
    signalGroups('SIGKILL');
    fs.rmSync(groupsFile, { force: true });
  });
  // The parent died (this process was re-parented): stop too.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) void shutdown(1); }, parentCheckMs).unref();
  // The watchdog: when this process is gone (even by SIGKILL), it stops the groups listed in the groups file.
  spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), groupsFile, String(Math.min(graceMs, 3000))], { detached: true, stdio: 'ignore' }).unref();

  return { run, shutdown };
}

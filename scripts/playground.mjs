#!/usr/bin/env node
// npm run playground: the bot on the embedded default, plus two Microsoft 365 Agents Playground windows
// against it: the practitioner (http://127.0.0.1:56150) and the line manager (http://127.0.0.1:56151).
// The Playground allows one user per instance, so the line manager gets a second one. The tab runs with the
// local development sign-in on, and its addresses for the practitioner and the line manager are printed.
// For your own machine. Tests run the Playground only inside a loopback-only network namespace.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (n) => path.join(root, 'node_modules/.bin', n);
const botPort = process.env.PORT ?? '3978';
const endpoint = `http://127.0.0.1:${botPort}/api/messages`;
fs.mkdirSync(path.join(root, 'data/playground-logs'), { recursive: true });

// Everything started here is stopped when this script stops, however it stops: Ctrl-C, SIGTERM, SIGHUP, its
// parent (npm, the terminal) dying, or SIGKILL. Each child runs in its own process group (detached), so the
// group's grandchildren (tsx's node, the Playground's workers) go with it; a small watchdog process outlives a
// SIGKILL of this script and stops the groups it left behind.
const children = [];
const groupsFile = path.join(root, 'data/playground-logs', `groups-${process.pid}.json`);
function saveGroups() {
  fs.writeFileSync(groupsFile, JSON.stringify(children.map((c) => c.pid)));
}
function signalGroups(signal) {
  for (const c of children) {
    try { process.kill(-c.pid, signal); } catch { /* already gone */ }
  }
}
function run(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => process.stdout.write(`[${name}] ${d}`));
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  child.on('exit', (code) => { child.exited = true; console.log(`[${name}] exited (${code})`); shutdown(code ?? 1); });
  children.push(child);
  saveGroups();
  return child;
}
let down = false;
async function shutdown(code) {
  if (down) return;
  down = true;
  signalGroups('SIGTERM');
  const until = Date.now() + 5000;
  while (Date.now() < until && children.some((c) => !c.exited)) await new Promise((r) => setTimeout(r, 100));
  signalGroups('SIGKILL');
  fs.rmSync(groupsFile, { force: true });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));
process.on('exit', () => {
  signalGroups('SIGKILL');
  fs.rmSync(groupsFile, { force: true });
});
// The parent died (this script was re-parented): stop too.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) void shutdown(1); }, 1000).unref();
// The watchdog: when this script is gone (even by SIGKILL), stop the groups listed in the groups file.
const watchdog = `
const fs = require('node:fs');
const [owner, file] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const groups = () => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return []; } };
const kill = (signal) => { for (const g of groups()) { try { process.kill(-g, signal); } catch {} } };
let stopping = false;
setInterval(() => {
  if (stopping || alive(Number(owner))) return;
  stopping = true;
  kill('SIGTERM');
  setTimeout(() => { kill('SIGKILL'); fs.rmSync(file, { force: true }); process.exit(0); }, 3000);
}, 500);
`;
spawn(process.execPath, ['-e', watchdog, String(process.pid), groupsFile], { detached: true, stdio: 'ignore' }).unref();

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(url)).ok) return true; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

// The tab's page, bundled as `npm run build` does.
const { buildTab } = await import('./buildTab.mjs');
await buildTab();
run('bot', bin('tsx'), ['src/index.ts'], { PORT: botPort, CHANNELCHECK_TAB_DEV_SIGNIN: 'true' });
if (!(await waitFor(`http://127.0.0.1:${botPort}/readyz`, 60_000))) { console.error('the bot did not become ready'); shutdown(1); }
const playground = path.join(root, 'node_modules/@microsoft/m365agentsplayground/cli.js');
for (const [who, port, config] of [['practitioner', 56150, '.m365agentsplayground.yml'], ['manager', 56151, 'playground/manager.yml']]) {
  run(`playground:${who}`, process.execPath, [playground, '-e', endpoint, '-c', 'msteams', '-p', String(port), '--dt'], {
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(root, config),
    M365_AGENTS_PLAYGROUND_LOGFILE: path.join(root, `data/playground-logs/${who}.log`),
  });
}
for (const port of [56150, 56151]) await waitFor(`http://127.0.0.1:${port}/_debug/ping`, 30_000);
const tab = (view, who) => `http://127.0.0.1:${botPort}/tab/?view=${view}&as=${who}`;
console.log(`
Practitioner: http://127.0.0.1:56150   Line manager: http://127.0.0.1:56151   (Ctrl-C stops everything)
The tab (local development sign-in):
  practitioner, My checks: ${tab('my-checks', 'aaaaaaaa-0000-0000-0000-000000000001')}
  line manager, Approvals: ${tab('approvals', 'aaaaaaaa-0000-0000-0000-000000000002')}
`);

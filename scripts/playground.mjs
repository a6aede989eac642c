#!/usr/bin/env node
// npm run playground: the bot on the embedded default, plus two Microsoft 365 Agents Playground windows
// against it: the practitioner (http://127.0.0.1:56150) and the line manager (http://127.0.0.1:56151).
// The Playground allows one user per instance, so the line manager gets a second one.
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

const children = [];
function run(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => process.stdout.write(`[${name}] ${d}`));
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  child.on('exit', (code) => { console.log(`[${name}] exited (${code})`); shutdown(code ?? 1); });
  children.push(child);
  return child;
}
let down = false;
function shutdown(code) {
  if (down) return;
  down = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(url)).ok) return true; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

run('bot', bin('tsx'), ['src/index.ts'], { PORT: botPort });
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
console.log(`\nPractitioner: http://127.0.0.1:56150   Line manager: http://127.0.0.1:56151   (Ctrl-C stops everything)\n`);

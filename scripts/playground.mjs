#!/usr/bin/env node
// npm run playground: the bot on the embedded default, plus two Microsoft 365 Agents Playground windows
// against it: the practitioner (http://127.0.0.1:56150) and the line manager (http://127.0.0.1:56151).
// The Playground allows one user per instance, so the line manager gets a second one. The tab runs with the
// local development sign-in on, and its addresses for the practitioner and the line manager are printed.
// For your own machine. Tests run the Playground only inside a loopback-only network namespace.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTab } from './buildTab.mjs';
import { superviseChildren } from './processGroups.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (n) => path.join(root, 'node_modules/.bin', n);
const botPort = process.env.PORT ?? '3978';
const endpoint = `http://127.0.0.1:${botPort}/api/messages`;
fs.mkdirSync(path.join(root, 'data/playground-logs'), { recursive: true });

// Everything started here is stopped when this script stops, however it stops (scripts/processGroups.mjs).
const { run, shutdown } = superviseChildren({ groupsFile: path.join(root, 'data/playground-logs', `groups-${process.pid}.json`), cwd: root });

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(url)).ok) return true; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

// The tab's page, bundled as `npm run build` does.
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

#!/usr/bin/env node
// `npm start`: compile src/ into dist/ only when something it is built from is newer than the last build,
// so a start with a current dist/ takes no compile time. A release (no src/) never builds.
// `npm run build` (--force) always compiles. The tab's page is bundled into dist/tab/web after (scripts/buildTab.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTab } from './buildTab.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file changes its folder
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** True when `dir` has sources newer than its last build (dist/.build-stamp), or was never built. */
export function isStale(dir = root) {
  if (!fs.existsSync(path.join(dir, 'src'))) return false;
  const built = fs.statSync(path.join(dir, 'dist', '.build-stamp'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  // cards/ too: the tab's page bundles the card templates.
  const inputs = ['src', 'cards', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => newestMtime(path.join(dir, p)));
  return Math.max(...inputs) > built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  if (!force && !isStale()) process.exit(0);
  const started = Date.now();
  if (!force) process.stderr.write('building dist/ (src/ changed since the last build)...\n');
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  await buildTab(path.join(root, 'dist', 'tab', 'web'));
  fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
  if (!force) process.stderr.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

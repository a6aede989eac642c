#!/usr/bin/env node
// npm run release [-- --out <file.zip>]: a self-contained zip for Azure App Service (Linux, Node 20) zip
// deploy: the compiled dist/, the production node_modules (with better-sqlite3's native binary, built for
// this platform and Node ABI), cards/, policies/, manifest/, the env examples and a package.json whose
// `npm start` only runs the bot. Unzip anywhere, set the environment, `npm start`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const NATIVE = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

/** Folders of the packages `npm ls --omit=dev` lists: exactly what production needs. */
/**
 * The release's start command: the `node <flags> dist/index.js` part of package.json's start script (whose
 * first part, build-if-stale, needs the sources a release does not carry), so the flags live in one place.
 */
export function startCommand(manifest) {
  const command = manifest.scripts.start.split('&&').map((part) => part.trim()).find((part) => /^node .*dist\/index\.js$/.test(part));
  if (command === undefined) throw new Error('package.json start script: no "node … dist/index.js" command');
  return command;
}

function productionPackages() {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const dirs = out.split('\n').map((l) => l.trim()).filter((l) => l && l !== root).map((l) => path.relative(root, l).split(path.sep).join('/'));
  return [...new Set(dirs)].filter((rel) => rel.startsWith('node_modules/')).sort();
}

/** Left out: better-sqlite3's SQLite sources and build intermediates (only its binary is needed), and .bin links. */
function skipped(rel) {
  if (/^node_modules\/better-sqlite3\/(deps|src)(\/|$)/.test(rel)) return true;
  if (rel.startsWith('node_modules/better-sqlite3/build/')) return !NATIVE.startsWith(rel);
  return /(^|\/)node_modules\/\.bin(\/|$)/.test(rel);
}

/** Every file under `rel` (relative to the project) that `keep` accepts, as zip entries. */
function filesUnder(rel, keep = () => true, list = []) {
  const full = path.join(root, rel);
  const st = fs.statSync(full);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(full).sort()) {
      const child = `${rel}/${name}`;
      if (keep(child)) filesUnder(child, keep, list);
    }
  } else if (st.isFile()) list.push({ from: full, to: rel, mode: st.mode });
  return list;
}

function entries() {
  const list = [];
  for (const dir of ['dist', 'cards', 'policies', 'manifest']) list.push(...filesUnder(dir, (r) => r !== 'dist/.build-stamp'));
  // The examples keep their content but not their names: a release never reads them by itself.
  list.push({ from: path.join(root, 'env/.env.local'), to: 'env/local.env.example' });
  list.push({ from: path.join(root, 'env/.env.dev'), to: 'env/production.env.example' });
  list.push({ from: path.join(root, 'env/directory.example.yaml'), to: 'env/directory.example.yaml' });
  list.push({ from: path.join(root, 'package-lock.json'), to: 'package-lock.json' });
  for (const dir of productionPackages()) {
    // A nested node_modules is listed on its own when production needs it.
    list.push(...filesUnder(dir, (r) => !skipped(r) && !r.slice(dir.length).includes('/node_modules')));
  }
  if (!list.some((e) => e.to === NATIVE)) throw new Error(`${NATIVE} is missing: run npm ci (or npm rebuild better-sqlite3) first`);
  const release = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    license: pkg.license,
    engines: pkg.engines,
    scripts: { start: startCommand(pkg) },
    dependencies: pkg.dependencies,
  };
  list.push({ text: `${JSON.stringify(release, null, 2)}\n`, to: 'package.json' });
  const builtFor = { node: process.version, modules: process.versions.modules, platform: process.platform, arch: process.arch, glibc: process.report?.getReport?.().header?.glibcVersionRuntime ?? null };
  list.push({ text: `${JSON.stringify({ version: pkg.version, nativeModulesBuiltFor: builtFor }, null, 2)}\n`, to: 'RELEASE.json' });
  return list;
}

function zip(list, outFile) {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    const mtime = new Date('2026-01-01T00:00:00Z'); // the same inputs give the same zip
    for (const e of list) {
      if (e.text !== undefined) z.addBuffer(Buffer.from(e.text), e.to, { mtime, mode: 0o100644 });
      else z.addFile(e.from, e.to, { mtime, mode: e.mode });
    }
    z.end();
    z.outputStream.pipe(fs.createWriteStream(outFile)).on('close', resolve).on('error', reject);
  });
}

/** Builds dist/ if it is stale, then writes the zip to `outFile`. */
export async function buildRelease(outFile) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  await zip(entries(), outFile);
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('usage: npm run release [-- --out <file.zip>]   (default: release/channelcheck-<version>.zip)\n');
    process.exit(0);
  }
  const i = process.argv.indexOf('--out');
  const out = path.resolve(i > 0 && process.argv[i + 1] ? process.argv[i + 1] : path.join(root, 'release', `channelcheck-${pkg.version}.zip`));
  const started = Date.now();
  buildRelease(out).then(
    () => process.stdout.write(`${out}: ${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s\n`),
    (e) => {
      process.stderr.write(`release failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}

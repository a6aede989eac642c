/**
 * `npm run release` builds a zip that runs on its own: unpacked in an empty temporary folder, started with
 * `npm start` and only environment variables (production, SQLite allowed, a council directory file), it
 * answers /readyz. This exercises the shipped better-sqlite3 binary and the trimmed package.json.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';

const ROOT = path.resolve(__dirname, '../..');

async function unzip(file: string, into: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      const target = path.join(into, entry.fileName);
      assert.ok(target.startsWith(into + path.sep), `entry stays inside the folder: ${entry.fileName}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      zip.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        stream.pipe(fs.createWriteStream(target, { mode: (entry.externalFileAttributes >>> 16) & 0o777 || 0o644 })).on('close', () => zip.readEntry()).on('error', reject);
      });
    });
    zip.readEntry();
  });
  return names;
}

describe('release zip', function () {
  this.timeout(600_000);
  let dir: string;
  let bot: ChildProcess | null = null;
  let names: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-release-test-'));
    const { buildRelease } = (await import(path.join(ROOT, 'scripts/release.mjs'))) as { buildRelease: (out: string) => Promise<string> };
    const zipFile = await buildRelease(path.join(dir, 'channelcheck.zip'));
    fs.mkdirSync(path.join(dir, 'wwwroot'));
    names = await unzip(zipFile, path.join(dir, 'wwwroot'));
  });
  after(() => {
    bot?.kill('SIGKILL');
  });

  it('holds the compiled app, production dependencies, cards, policies, manifest and env examples, and nothing else', () => {
    for (const must of ['dist/index.js', 'dist/tab/web/index.html', 'dist/tab/web/app.js', 'package.json', 'package-lock.json', 'cards/outcome.json', 'policies/hillingdon.yaml', 'policies/baseline.yaml', 'manifest/manifest.json', 'env/production.env.example', 'env/local.env.example', 'env/directory.example.yaml', 'node_modules/botbuilder/package.json', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/pg/package.json']) {
      assert.ok(names.includes(must), `${must} is in the zip`);
    }
    for (const never of ['src/', 'test/', 'node_modules/typescript/', 'node_modules/mocha/', 'node_modules/tsx/', 'node_modules/eslint/', 'env/.env.local', 'env/.env.dev', 'node_modules/better-sqlite3/deps/']) {
      assert.ok(!names.some((n) => n.startsWith(never)), `${never} is not in the zip`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'wwwroot/package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies?: unknown };
    // The node command of the repository's start script, flags and all (build-if-stale needs the sources).
    assert.deepEqual(pkg.scripts, { start: 'node --disable-warning=DEP0111 --max-semi-space-size=8 --heap-growing-percent=50 dist/index.js' });
    assert.equal(pkg.devDependencies, undefined);
  });

  it('starts from the unpacked folder with only environment variables and is ready', async () => {
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const directoryFile = path.join(data, 'council-directory.yaml');
    fs.copyFileSync(path.join(ROOT, 'env/directory.example.yaml'), directoryFile);
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      MicrosoftAppId: '3f2b6c1e-8a47-4d2e-9c55-0b7a1d9e4f10',
      MicrosoftAppPassword: 'release-test-secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'a1b2c3d4-0000-4000-8000-00000000c0de',
      CHANNELCHECK_COUNCIL: 'hillingdon',
      CHANNELCHECK_DIRECTORY_FILE: directoryFile,
      CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: 'true',
      CHANNELCHECK_SQLITE_PATH: path.join(data, 'channelcheck.db'),
      CHANNELCHECK_ESCALATION_CHANNEL: '19:release-test@thread.tacv2',
    };
    // What `npm start` runs there (checked above), started directly so signals reach the bot itself.
    const [node, ...args] = (JSON.parse(fs.readFileSync(path.join(dir, 'wwwroot/package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
    assert.equal(node, 'node');
    const child = spawn(process.execPath, args, { cwd: path.join(dir, 'wwwroot'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    bot = child;
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        stdout += String(d);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${stdout}\n${stderr}`)));
    });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ready');
    assert.ok(body.checks.every((c) => c.ok), JSON.stringify(body.checks));
    assert.ok(fs.existsSync(path.join(data, 'channelcheck.db')), 'the shipped SQLite binary created the store');
    for (const line of stdout.trim().split('\n')) JSON.parse(line); // production logs are JSON
    assert.doesNotMatch(stderr, /DeprecationWarning/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    bot = null;
  });
});

/**
 * Starting the bot as an operator does: a wrong setting or a missing directory file is a named configuration
 * error (no stack trace); development logs are readable lines, production logs JSON; no deprecation
 * warnings; `npm start` compiles only when the sources changed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const APP = '3f2b6c1e-8a47-4d2e-9c55-0b7a1d9e4f10';

/** Starts src/index.ts as `npm start` starts dist/index.js (same node flags); resolves on exit or on `until` in stdout. */
function start(env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-start-'));
  const child: ChildProcess = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, CHANNELCHECK_ENV_FILE: '', PORT: '0', CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_SQLITE_PATH: path.join(dir, 'cc.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve) => {
    child.stdout!.on('data', (d) => {
      stdout += String(d);
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `no stack trace:\n${text}`);

describe('starting the bot', function () {
  this.timeout(120_000);

  it('names a wrong LOG_LEVEL as a configuration error, with every other wrong setting', async () => {
    const r = await start({ LOG_LEVEL: 'verbose', PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ChannelCheck cannot start; fix these settings:/);
    assert.match(r.stderr, /- LOG_LEVEL: .*"info"/);
    assert.match(r.stderr, /- PORT: /);
    noStack(r.stderr);
    assert.equal(r.stdout, '');
  });

  it('names a missing directory file as a configuration error', async () => {
    const r = await start({ CHANNELCHECK_DIRECTORY_FILE: '/nonexistent/council-directory.yaml' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ChannelCheck cannot start: .*directory file/);
    assert.match(r.stderr, /council-directory\.yaml: \(file\): file not found \(check CHANNELCHECK_DIRECTORY_FILE\)/);
    noStack(r.stderr);
  });

  it('in production lists every refusal at once: not a GUID, the example directory, SQLite', async () => {
    const r = await start({ NODE_ENV: 'production', MicrosoftAppId: 'not-a-guid', MicrosoftAppPassword: 'x', CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' });
    assert.equal(r.code, 1);
    for (const name of ['MicrosoftAppId: "not-a-guid" is not a GUID', 'CHANNELCHECK_DIRECTORY_FILE: "env/directory.example.yaml" is the example', 'DATABASE_URL: required in production']) {
      assert.ok(r.stderr.includes(name), `${name}\n${r.stderr}`);
    }
    noStack(r.stderr);
  });

  it('logs readable lines in development and warns about the escalation channel, with no deprecation warnings', async () => {
    // The warning is logged just after the listening line: wait for it, not for the first line.
    const r = await start({ CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' }, /WARNING: no escalation channel/);
    assert.match(r.stdout, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: line managers from the directory file/m);
    assert.match(r.stdout, /ERROR: WARNING: no escalation channel is configured \(CHANNELCHECK_ESCALATION_CHANNEL\)/);
    assert.doesNotMatch(r.stdout, /^\{"level"/m);
    assert.doesNotMatch(r.stderr, /DeprecationWarning/);
    // restify loads spdy → http-deceiver, which reads process.binding('http_parser') (DEP0111); HTTP/2 is never used.
    assert.match((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start, /node --disable-warning=DEP0111 (--\S+ )*dist\/index\.js/);
  });

  it('logs JSON in production', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-dir-'));
    const file = path.join(dir, 'council-directory.yaml');
    fs.copyFileSync(path.join(ROOT, 'env/directory.example.yaml'), file);
    const r = await start(
      { NODE_ENV: 'production', HOST: '127.0.0.1', MicrosoftAppId: APP, MicrosoftAppPassword: 'x', CHANNELCHECK_DIRECTORY_FILE: file, CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: 'true', CHANNELCHECK_ESCALATION_CHANNEL: '19:esc@thread.tacv2' },
      /listening on/,
    );
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string });
    assert.ok(lines.some((l) => l.msg.startsWith('ChannelCheck listening on')), r.stdout);
    assert.ok(!lines.some((l) => l.msg.includes('no escalation channel')));
    assert.doesNotMatch(r.stderr, /DeprecationWarning/);
  });

  it('npm start compiles only when a source is newer than the last build', async () => {
    const { isStale } = (await import('../scripts/build-if-stale.mjs' as string)) as { isStale: (dir: string) => boolean };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-stale-'));
    fs.mkdirSync(path.join(dir, 'src/bot'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'dist'));
    const at = (p: string, seconds: number) => fs.utimesSync(path.join(dir, p), seconds, seconds);
    fs.writeFileSync(path.join(dir, 'src/bot/a.ts'), '');
    assert.equal(isStale(dir), true, 'never built');
    fs.writeFileSync(path.join(dir, 'dist/.build-stamp'), '');
    for (const p of ['src/bot/a.ts', 'src/bot', 'src']) at(p, 1_000);
    at('dist/.build-stamp', 2_000);
    assert.equal(isStale(dir), false, 'dist is current');
    at('src/bot/a.ts', 3_000);
    assert.equal(isStale(dir), true, 'a source changed');
    at('src/bot/a.ts', 1_000);
    at('src/bot', 3_000);
    assert.equal(isStale(dir), true, 'a source was deleted or added');
    fs.rmSync(path.join(dir, 'src'), { recursive: true });
    assert.equal(isStale(dir), false, 'a release has no sources: never builds');
  });
});

/** Every command answers --help (and -h) with its usage on stdout and exit 0, touching nothing. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/runCli';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function run(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No database settings: a command that tried to run would fail; --help must not try.
    const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, CHANNELCHECK_SQLITE_PATH: '/nonexistent/cc.db' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('commands: --help', function () {
  this.timeout(180_000);

  it('every npm script that runs a command answers --help with its usage and exit 0', async () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const commands = Object.entries(scripts).filter(([, cmd]) => cmd.includes('src/cli/'));
    assert.deepEqual(commands.map(([name]) => name).sort(), ['audit:verify', 'decide', 'erase', 'export', 'policy:check', 'retention:purge', 'sar']);
    const results = await Promise.all(commands.map(async ([name, cmd]) => ({ name, ...(await run(cmd.replace(/^tsx /, ''), ['--help'])) })));
    for (const r of results) {
      assert.equal(r.status, 0, `${r.name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: npm run (--silent )?${r.name.replace(':', ':')}`), `${r.name}: ${r.stdout}`);
      assert.equal(r.stderr, '', r.name);
    }
    const short = await run('src/cli/erase.ts', ['-h']);
    assert.equal(short.status, 0);
    assert.match(short.stdout, /--case <case reference> --yes/);
  });
});

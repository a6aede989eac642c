/** A second bot process on the same SQLite file refuses to start and names the one that holds it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/runCli';
import { startHarness } from './botHarness';

describe('bot: one bot per SQLite file', function () {
  this.timeout(120_000);

  it('a second bot on the same file exits 1 naming the first; the data commands still run beside it', async () => {
    const h = await startHarness({ dispatch: false });
    try {
      const second = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/index.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, CHANNELCHECK_ENV_FILE: '', NODE_ENV: 'test', PORT: '0', CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_SQLITE_PATH: h.dbFile, DATABASE_URL: '' },
      });
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`ChannelCheck cannot start: another ChannelCheck bot is using .*channelcheck\\.db: process ${process.pid} on ${os.hostname()}`));

      const verify = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'src/cli/auditVerify.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CHANNELCHECK_SQLITE_PATH: h.dbFile, DATABASE_URL: '' } });
      assert.equal(verify.status, 0, verify.stderr);
      assert.equal((await fetch(`http://127.0.0.1:${h.port}/readyz`)).status, 200, 'the first bot is unaffected');
    } finally {
      await h.close();
    }
  });

  it('a bot restarted in the same process (or after a clean stop) takes the file again', async () => {
    const h = await startHarness({ dispatch: false });
    await h.restart();
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status, 200);
    await h.close();
  });
});

/** The tab's page: served by plain file name only, framed only by Teams and Microsoft 365, never a path. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Harness, startHarness } from '../bot/botHarness';
import { rawRequest } from '../support/rawHttp';

describe('tab page (/tab/)', function () {
  this.timeout(30_000);
  let h: Harness;
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tab-assets-'));

  before(async () => {
    fs.writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>ChannelCheck</title>');
    fs.writeFileSync(path.join(assets, 'app.js'), 'console.log("tab")');
    fs.writeFileSync(path.join(path.dirname(assets), 'secret.txt'), 'not for the web');
    h = await startHarness({ dispatch: false, tabAssetsDir: assets });
  });
  after(async () => h?.close());

  it('serves the page with a policy that lets only the Teams and Microsoft 365 clients frame it', async () => {
    const res = await fetch(`http://127.0.0.1:${h.port}/tab/?view=policy`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'self' https:\/\/teams\.microsoft\.com /);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/tab/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  it('serves nothing but the plain file names in its folder', async () => {
    for (const target of ['/tab/..%2Fsecret.txt', '/tab/%2e%2e%2fsecret.txt', '/tab/../secret.txt', '/tab/.hidden.js', '/tab/secret.txt', '/tab/index.html%00.js']) {
      const res = await rawRequest(h.port, { method: 'GET', path: target });
      assert.ok([400, 404].includes(res.status), `${target}: ${res.status}`);
      assert.doesNotMatch(res.text, /not for the web/);
    }
  });
});

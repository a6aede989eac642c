/** Settings are validated at start, every wrong one named; anonymous mode is refused in production. */
import assert from 'node:assert/strict';
import { ConfigError, councilForTenant, loadConfig } from '../../src/config';

const COUNCILS = ['hillingdon', 'leicester'];

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, COUNCILS);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  throw new Error('expected the settings to be refused');
}

describe('configuration', () => {
  it('defaults to the embedded store, port 3978 and loopback in development', () => {
    const c = loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon' }, COUNCILS);
    assert.deepEqual(c.store, { kind: 'sqlite', path: 'data/channelcheck.db' });
    assert.equal(c.port, 3978);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.bot.appId, null);
    assert.equal(c.escalation.ackTimeoutMinutes, 15);
  });

  it('refuses anonymous mode in production, naming each missing credential', () => {
    const p = problems({ NODE_ENV: 'production', CHANNELCHECK_COUNCIL: 'hillingdon' });
    assert.ok(p.some((x) => x.startsWith('MicrosoftAppId: required in production')));
    assert.ok(p.some((x) => x.startsWith('MicrosoftAppPassword: required in production')));
    const base = { NODE_ENV: 'production', CHANNELCHECK_COUNCIL: 'hillingdon', MicrosoftAppId: '3f2b6c1e-8a47-4d2e-9c55-0b7a1d9e4f10', MicrosoftAppPassword: 'b', DATABASE_URL: 'postgres://u@h/db', CHANNELCHECK_DIRECTORY_FILE: 'council-directory.yaml' };
    const single = problems({ ...base, MicrosoftAppType: 'SingleTenant' });
    assert.deepEqual(single, ['MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant']);
    const ok = loadConfig(base, COUNCILS);
    assert.equal(ok.host, '0.0.0.0');
  });

  it('names every wrong setting at once', () => {
    const p = problems({ PORT: 'eighty', CHANNELCHECK_COUNCIL: 'atlantis', CHANNELCHECK_ACK_TIMEOUT_MINUTES: '0' });
    assert.ok(p.some((x) => x.startsWith('PORT:')), p.join('\n'));
    assert.ok(p.some((x) => x.startsWith('CHANNELCHECK_ACK_TIMEOUT_MINUTES:')), p.join('\n'));
    assert.ok(p.some((x) => x.startsWith('CHANNELCHECK_COUNCIL: unknown pack "atlantis"')), 'named together with the type errors');
    const q = problems({ CHANNELCHECK_COUNCIL: 'atlantis', DATABASE_URL: 'mysql://x', CHANNELCHECK_CASE_REF_PATTERN: '([', CHANNELCHECK_TENANT_COUNCILS: 't1=leicester,broken,t2=nowhere' });
    for (const name of ['CHANNELCHECK_COUNCIL: unknown pack "atlantis"', 'DATABASE_URL:', 'CHANNELCHECK_CASE_REF_PATTERN:', 'CHANNELCHECK_TENANT_COUNCILS: "broken"', 'CHANNELCHECK_TENANT_COUNCILS: tenant t2 names unknown pack "nowhere"']) {
      assert.ok(q.some((x) => x.startsWith(name)), `${name}\n${q.join('\n')}`);
    }
    assert.ok(problems({}).some((x) => x.startsWith('CHANNELCHECK_COUNCIL: set the council pack')));
  });

  it('picks the council by tenant first, then the one-council setting; PostgreSQL when DATABASE_URL is set', () => {
    const c = loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_TENANT_COUNCILS: 'tenant-a=leicester', DATABASE_URL: 'postgres://u@h/db' }, COUNCILS);
    assert.equal(councilForTenant(c, 'tenant-a'), 'leicester');
    assert.equal(councilForTenant(c, 'tenant-b'), 'hillingdon');
    assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://u@h/db' });
  });
});

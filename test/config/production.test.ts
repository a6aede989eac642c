/** Production refuses settings that would hurt real people, naming each, all at once; it warns about the escalation channel. */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';
import { escalationChannelWarning } from '../../src/productionChecks';

const COUNCILS = ['hillingdon', 'leicester'];
const APP = '3f2b6c1e-8a47-4d2e-9c55-0b7a1d9e4f10';
const TENANT = 'a1b2c3d4-0000-4000-8000-00000000c0de';
const GOOD = {
  NODE_ENV: 'production',
  CHANNELCHECK_COUNCIL: 'hillingdon',
  MicrosoftAppId: APP,
  MicrosoftAppPassword: 'secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: TENANT,
  DATABASE_URL: 'postgres://cc@db.example.invalid/cc',
  CHANNELCHECK_DIRECTORY_GRAPH: 'true',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, COUNCILS);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  throw new Error('expected the settings to be refused');
}
const startsWith = (p: string[], prefix: string) => assert.ok(p.some((x) => x.startsWith(prefix)), `${prefix}\n${p.join('\n')}`);

describe('production settings', () => {
  it('starts with Graph, PostgreSQL and GUIDs', () => {
    const c = loadConfig(GOOD, COUNCILS);
    assert.equal(c.nodeEnv, 'production');
    assert.equal(c.store.kind, 'postgres');
  });

  it('refuses an app id or tenant id that is not a GUID, naming the value', () => {
    const p = problems({ ...GOOD, MicrosoftAppId: 'not-a-guid', MicrosoftAppTenantId: 'contoso.onmicrosoft.com', CHANNELCHECK_TENANT_COUNCILS: `${TENANT}=hillingdon,tenant-b=leicester` });
    startsWith(p, 'MicrosoftAppId: "not-a-guid" is not a GUID');
    startsWith(p, 'MicrosoftAppTenantId: "contoso.onmicrosoft.com" is not a GUID');
    startsWith(p, 'CHANNELCHECK_TENANT_COUNCILS: tenant "tenant-b" is not a GUID');
    assert.equal(p.filter((x) => x.includes(TENANT)).length, 0, 'the GUID tenant is accepted');
  });

  it('refuses the example directory of invented people, however it is named', () => {
    for (const file of ['env/directory.example.yaml', './env/../env/directory.example.yaml', '/srv/copy/directory.example.yaml']) {
      const p = problems({ ...GOOD, CHANNELCHECK_DIRECTORY_GRAPH: 'false', CHANNELCHECK_DIRECTORY_FILE: file });
      startsWith(p, `CHANNELCHECK_DIRECTORY_FILE: "${file}" is the example of invented people`);
    }
    // Also with Graph on: the example file would supply invented Heads of Service and delegates.
    startsWith(problems({ ...GOOD, CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' }), 'CHANNELCHECK_DIRECTORY_FILE:');
  });

  it('refuses to run without Graph or a directory file', () => {
    startsWith(problems({ ...GOOD, CHANNELCHECK_DIRECTORY_GRAPH: undefined }), 'CHANNELCHECK_DIRECTORY_GRAPH: production needs to know line managers');
    assert.doesNotThrow(() => loadConfig({ ...GOOD, CHANNELCHECK_DIRECTORY_GRAPH: 'false', CHANNELCHECK_DIRECTORY_FILE: 'council/directory.yaml' }, COUNCILS));
  });

  it('refuses SQLite unless CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION=true', () => {
    startsWith(problems({ ...GOOD, DATABASE_URL: undefined }), 'DATABASE_URL: required in production');
    const c = loadConfig({ ...GOOD, DATABASE_URL: undefined, CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: 'true' }, COUNCILS);
    assert.equal(c.store.kind, 'sqlite');
    startsWith(problems({ ...GOOD, CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: 'yes' }), 'CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION:');
  });

  it('lists every refusal and every wrong setting in one go', () => {
    const p = problems({ NODE_ENV: 'production', CHANNELCHECK_COUNCIL: 'hillingdon', MicrosoftAppId: 'not-a-guid', MicrosoftAppPassword: 'x', LOG_LEVEL: 'verbose', PORT: 'eighty', CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' });
    for (const name of ['LOG_LEVEL:', 'PORT:', 'MicrosoftAppId: "not-a-guid"', 'CHANNELCHECK_DIRECTORY_FILE:', 'DATABASE_URL: required in production']) startsWith(p, name);
  });

  it('does not apply the production refusals in development', () => {
    const c = loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon', MicrosoftAppId: 'not-a-guid', CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' }, COUNCILS);
    assert.equal(c.store.kind, 'sqlite');
  });

  it('warns when no escalation channel is configured, and only then', () => {
    assert.match(escalationChannelWarning(null) ?? '', /CHANNELCHECK_ESCALATION_CHANNEL/);
    assert.equal(escalationChannelWarning('19:abc@thread.tacv2'), null);
  });

  it('refuses the tab\'s development sign-in, and a tab client id that is not a GUID', () => {
    const p = problems({ ...GOOD, CHANNELCHECK_TAB_DEV_SIGNIN: 'true', CHANNELCHECK_DIRECTORY_FILE: '/srv/council/directory.yaml', CHANNELCHECK_TAB_CLIENT_ID: 'tab-app' });
    startsWith(p, 'CHANNELCHECK_TAB_DEV_SIGNIN: the local development sign-in lets anyone act as anyone');
    startsWith(p, 'CHANNELCHECK_TAB_CLIENT_ID: "tab-app" is not a GUID');
    assert.equal(loadConfig(GOOD, COUNCILS).tab.devSignIn, false);
    assert.equal(loadConfig(GOOD, COUNCILS).tab.clientId, APP, 'the tab accepts tokens for the bot\'s Entra app unless told otherwise');
  });

  it('allows the development sign-in outside production only with a directory file to sign in from', () => {
    const local = { CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_TAB_DEV_SIGNIN: 'true' };
    assert.deepEqual(problems(local), ['CHANNELCHECK_TAB_DEV_SIGNIN: needs CHANNELCHECK_DIRECTORY_FILE (the development sign-in offers the people of that file)']);
    assert.equal(loadConfig({ ...local, CHANNELCHECK_DIRECTORY_FILE: 'env/directory.example.yaml' }, COUNCILS).tab.devSignIn, true);
  });
});

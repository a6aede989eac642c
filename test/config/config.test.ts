/** Settings are validated at start, every wrong one named; anonymous mode is refused in production. */
import assert from 'node:assert/strict';
import { ConfigError, councilForTenant, loadConfig, tenantAllowList } from '../../src/config';
import { botAuthOptions } from '../../src/bot/adapter';
import { splitLoginUrl } from '../../src/bot/botCredentials';

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
    assert.equal(c.escalation.deliveryTimeoutMinutes, 2);
    assert.deepEqual(c.dispatcher, { pollMs: 1000, routineRetryHours: 24, urgentRetryCapSeconds: 30, leaseSeconds: 30 });
  });

  it('reads the retry settings, and refuses an urgent cap over 5 minutes', () => {
    const c = loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_ROUTINE_RETRY_HOURS: '6', CHANNELCHECK_URGENT_RETRY_CAP_SECONDS: '20', CHANNELCHECK_ALERT_DELIVERY_MINUTES: '3' }, COUNCILS);
    assert.equal(c.dispatcher.routineRetryHours, 6);
    assert.equal(c.dispatcher.urgentRetryCapSeconds, 20);
    assert.equal(c.escalation.deliveryTimeoutMinutes, 3);
    assert.ok(problems({ CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_URGENT_RETRY_CAP_SECONDS: '600' }).some((x) => x.startsWith('CHANNELCHECK_URGENT_RETRY_CAP_SECONDS:')));
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

  it('the tenant allow-list: the tenant map, plus the app tenant for a one-council deployment; none without either', () => {
    const base = { CHANNELCHECK_COUNCIL: 'hillingdon' };
    assert.equal(tenantAllowList(loadConfig(base, COUNCILS)), null);
    assert.deepEqual([...tenantAllowList(loadConfig({ ...base, MicrosoftAppTenantId: 'tenant-app' }, COUNCILS))!], ['tenant-app']);
    assert.deepEqual([...tenantAllowList(loadConfig({ CHANNELCHECK_TENANT_COUNCILS: 'tenant-a=leicester,tenant-b=hillingdon' }, COUNCILS))!].sort(), ['tenant-a', 'tenant-b']);
    assert.deepEqual([...tenantAllowList(loadConfig({ ...base, MicrosoftAppTenantId: 'tenant-app', CHANNELCHECK_TENANT_COUNCILS: 'tenant-a=leicester' }, COUNCILS))!].sort(), ['tenant-a', 'tenant-app']);
  });

  it('hands botbuilder every cloud setting, public-cloud defaults or the ones set, and never the secret', () => {
    const env = { CHANNELCHECK_COUNCIL: 'hillingdon', MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret-value', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 't' } as const;
    const options = botAuthOptions(loadConfig(env, COUNCILS)) as Record<string, unknown>;
    assert.equal(options.ToBotFromChannelOpenIdMetadataUrl, 'https://login.botframework.com/v1/.well-known/openidconfiguration');
    assert.equal(options.ToChannelFromBotLoginUrl, 'https://login.microsoftonline.com/botframework.com');
    assert.equal(options.ToBotFromChannelTokenIssuer, 'https://api.botframework.com');
    assert.ok(!JSON.stringify(options).includes('secret-value'));
    const gov = botAuthOptions(loadConfig({ ...env, ChannelService: 'https://botframework.azure.us' }, COUNCILS)) as Record<string, unknown>;
    assert.equal(gov.ToChannelFromBotOAuthScope, 'https://api.botframework.us');
    const custom = botAuthOptions(loadConfig({ ...env, ToBotFromChannelOpenIdMetadataUrl: 'https://keys.example.org/openid', ValidateAuthority: 'false' }, COUNCILS)) as Record<string, unknown>;
    assert.equal(custom.ToBotFromChannelOpenIdMetadataUrl, 'https://keys.example.org/openid');
    assert.equal(custom.ValidateAuthority, false);
    assert.equal(custom.ToBotFromChannelTokenIssuer, 'https://api.botframework.com', 'the others keep their defaults');
    assert.deepEqual(botAuthOptions(loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon' }, COUNCILS)), {}, 'anonymous');
    assert.deepEqual(splitLoginUrl('https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us'), { authorityHost: 'https://login.microsoftonline.us', tenant: 'MicrosoftServices.onmicrosoft.us' });
  });

  it('names wrong credential and cloud settings', () => {
    const base = { CHANNELCHECK_COUNCIL: 'hillingdon', MicrosoftAppId: 'app' };
    assert.ok(problems({ ...base, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't', MicrosoftAppPassword: 'x' }).some((p) => p.startsWith('MicrosoftAppPassword: must not be set')));
    assert.ok(problems({ ...base, MicrosoftAppPassword: 'x', CHANNELCHECK_BOT_CERTIFICATE_FILE: '/k.pem' }).some((p) => p.startsWith('CHANNELCHECK_BOT_CERTIFICATE_FILE: set either')));
    assert.ok(problems({ ...base, ChannelService: 'https://elsewhere.example' }).some((p) => p.startsWith('ChannelService:')));
    assert.ok(problems({ ...base, ToChannelFromBotLoginUrl: 'http://login.example/botframework.com' }).some((p) => p.startsWith('ToChannelFromBotLoginUrl: must use https')));
    assert.ok(problems({ ...base, ToBotFromChannelOpenIdMetadataUrl: 'not a url' }).some((p) => p.startsWith('ToBotFromChannelOpenIdMetadataUrl:')));
    assert.ok(problems({ ...base, CHANNELCHECK_RATE_LIMIT_POINTS: 'lots' }).some((p) => p.startsWith('CHANNELCHECK_RATE_LIMIT_POINTS:')));
    const cert = loadConfig({ ...base, MicrosoftAppId: '00000000-0000-4000-8000-0000000000a1', NODE_ENV: 'production', CHANNELCHECK_BOT_CERTIFICATE_FILE: '/k.pem', CHANNELCHECK_DIRECTORY_GRAPH: 'true', DATABASE_URL: 'postgres://cc@127.0.0.1:5432/cc' }, COUNCILS);
    assert.equal(cert.bot.certificateFile, '/k.pem', 'a certificate stands in for the password in production');
  });
});

/**
 * Bicep cannot be compiled here (no Azure CLI or bicep binary, no network), so this checks offline what
 * can be checked: every setting the app reads is set in the web app's app settings and nothing else is;
 * secrets come from Key Vault references; every parameter is described and documented; the example
 * parameters file names real parameters and gives every required one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SETTING_NAMES } from '../../src/config';
import { DEFAULT_CASE_REF_PATTERN } from '../../src/domain/caseReference';

const INFRA = path.resolve(__dirname, '../../infra');
const main = fs.readFileSync(path.join(INFRA, 'azure.bicep'), 'utf8');
const PLATFORM = ['SCM_DO_BUILD_DURING_DEPLOYMENT', 'WEBSITE_RUN_FROM_PACKAGE', 'APPLICATIONINSIGHTS_CONNECTION_STRING'];
const SECRETS = ['MicrosoftAppPassword', 'DATABASE_URL'];

function appSettings(): Map<string, string> {
  const block = /appSettings: \[([\s\S]*?)\n\s*\]/.exec(main)?.[1];
  assert.ok(block, 'azure.bicep has an appSettings list');
  const settings = new Map<string, string>();
  for (const m of block.matchAll(/\{ name: '([^']+)', value: (.+?) \}/g)) {
    assert.ok(!settings.has(m[1]!), `${m[1]} is set once`);
    settings.set(m[1]!, m[2]!);
  }
  return settings;
}

/** `param` declarations, with the decorator lines just above each. */
function params(text: string): Array<{ name: string; decorators: string; hasDefault: boolean; secure: boolean }> {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^param (\w+) (\w+)( = .*)?$/.exec(lines[i]!);
    if (!m) continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.startsWith('@')) j--;
    const decorators = lines.slice(j + 1, i).join('\n');
    out.push({ name: m[1]!, decorators, hasDefault: Boolean(m[3]), secure: decorators.includes('@secure()') });
  }
  return out;
}

describe('infra: the Bicep templates, checked offline', () => {
  it('sets every setting the app reads, and nothing it does not read', () => {
    const settings = appSettings();
    for (const name of SETTING_NAMES) assert.ok(settings.has(name), `${name} (src/config.ts) is wired in azure.bicep`);
    for (const name of settings.keys()) assert.ok(SETTING_NAMES.includes(name) || PLATFORM.includes(name), `${name} in azure.bicep is a setting the app reads`);
  });

  it('takes the secrets from Key Vault references, never from plain values', () => {
    const settings = appSettings();
    for (const name of SECRETS) assert.match(settings.get(name) ?? '', /^kvRef\('/, `${name} is a Key Vault reference`);
    assert.match(main, /var kvRef = \(secretName string\) => '@Microsoft\.KeyVault\(VaultName=\$\{keyVaultName\};SecretName=\$\{secretName\}\)'/);
    for (const secret of ['MicrosoftAppPassword', 'DatabaseUrl']) assert.ok(main.includes(`name: '${secret}'`), `Key Vault secret ${secret} is created`);
    for (const p of params(main).filter((x) => /Secret|Password/.test(x.name))) assert.ok(p.secure, `${p.name} is @secure()`);
    assert.equal(appSettings().get('NODE_ENV'), "'production'");
    assert.equal(appSettings().get('CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION'), "'false'");
  });

  it('describes every parameter, documents it in infra/README.md, and the example parameters match', () => {
    const readme = fs.readFileSync(path.join(INFRA, 'README.md'), 'utf8');
    const declared = params(main);
    for (const p of declared) {
      assert.match(p.decorators, /@description\('/, `${p.name} has a description`);
      assert.ok(readme.includes(`\`${p.name}\``), `${p.name} is documented in infra/README.md`);
    }
    const example = (JSON.parse(fs.readFileSync(path.join(INFRA, 'azure.parameters.json'), 'utf8')) as { parameters: Record<string, unknown> }).parameters;
    for (const name of Object.keys(example)) assert.ok(declared.some((p) => p.name === name), `azure.parameters.json: ${name} is a parameter`);
    for (const p of declared.filter((x) => !x.hasDefault)) assert.ok(p.name in example, `azure.parameters.json gives the required ${p.name}`);
    assert.ok(main.includes(`param caseRefPattern string = '${DEFAULT_CASE_REF_PATTERN}'`), 'the case reference default matches the app');
  });

  it('has the resources of a deployment: plan, Linux Node 20 web app, bot with Teams channel, PostgreSQL, Key Vault, Application Insights', () => {
    const bot = fs.readFileSync(path.join(INFRA, 'botRegistration/azurebot.bicep'), 'utf8');
    for (const type of ['Microsoft.Web/serverfarms@', 'Microsoft.Web/sites@', 'Microsoft.DBforPostgreSQL/flexibleServers@', 'Microsoft.KeyVault/vaults@', 'Microsoft.Insights/components@']) assert.ok(main.includes(`'${type}`), type);
    assert.match(main, /linuxFxVersion: 'NODE\|20-lts'/);
    assert.match(main, /healthCheckPath: '\/readyz'/);
    assert.match(bot, /'Microsoft\.BotService\/botServices@/);
    assert.match(bot, /channelName: 'MsTeamsChannel'/);
    assert.match(bot, /msaAppType: 'SingleTenant'/);
    for (const p of params(bot)) assert.ok(new RegExp(`\\b${p.name}: `).test(main) || p.hasDefault, `the bot module's ${p.name} is passed`);
  });
});

/**
 * Bot Framework authentication, end to end over loopback: botbuilder's own token checks, pointed through its
 * national-cloud settings at a local OpenID metadata endpoint and JWKS with keys made for the run; the bot's own
 * tokens for the Bot Connector come from a local token endpoint and the fake Bot Connector refuses any other.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { generateKeyPair, importPKCS8, SignJWT } from 'jose';
import sinon from 'sinon';
import { ASSERTION_CLOCK_SKEW_SECONDS, FakeBotFrameworkIdentity, LOOPBACK_CA } from '../support/fakeBotFrameworkIdentity';
import { type Harness, PEOPLE, rowCounts, startHarness, TENANT } from './botHarness';

const APP_PASSWORD = 'fake-app-secret-Zq8!wP3#kL';

function activity(serviceUrl: string, extra: Record<string, unknown> = {}) {
  const from = PEOPLE.pat;
  return {
    type: 'message',
    id: `m-${randomUUID()}`,
    text: 'new check',
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: `a:personal-${from.aadObjectId}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

describe('bot: Bot Framework authentication against a local identity platform', function () {
  this.timeout(60_000);
  let identity: FakeBotFrameworkIdentity;
  let h: Harness;
  let appId: string;
  /** The Authorization header the next request carries (null: none). */
  let nextAuthorization: string | null;

  beforeEach(async () => {
    appId = randomUUID(); // a fresh app id per test: botbuilder caches tokens per app id
    identity = await FakeBotFrameworkIdentity.start(appId, TENANT);
    nextAuthorization = null;
    h = await startHarness({
      dispatch: false,
      botAuthorityCa: LOOPBACK_CA,
      headers: (): Record<string, string> => (nextAuthorization === null ? {} : { authorization: nextAuthorization }),
      env: { MicrosoftAppId: appId, MicrosoftAppPassword: APP_PASSWORD, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, ...identity.env() },
    });
    h.connector.authorize = (authorization) => identity.verifyBotToken(authorization);
    identity.clientSecret = APP_PASSWORD;
  });
  afterEach(async () => {
    await h.close();
    await identity.stop();
  });

  it('a good token passes, and the reply carries a token from the local token endpoint that the connector accepts', async () => {
    const body = activity(h.connector.serviceUrl);
    nextAuthorization = `Bearer ${await identity.channelToken(h.connector.serviceUrl)}`;
    const res = await h.post(body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const sends = h.connector.calls.filter((c) => c.operation === 'sendActivity' || c.operation === 'replyToActivity');
    assert.ok(sends.length >= 1, 'the bot answered');
    for (const call of sends) {
      assert.equal(call.outcome, 201, 'the connector accepted the bot token');
      assert.ok(await identity.verifyBotToken(call.authorization));
    }
    assert.ok(identity.metadataRequests.some((u) => u === '/v1/keys'), 'keys came from the local JWKS');
    const [tokenRequest] = identity.tokenRequests;
    assert.ok(tokenRequest, 'a token was asked for');
    assert.equal(tokenRequest.url.split('?')[0], `/${TENANT}/oauth2/v2.0/token`, 'SingleTenant: the app tenant authority');
    assert.equal(tokenRequest.form.get('grant_type'), 'client_credentials');
    assert.equal(tokenRequest.form.get('client_id'), appId);
    assert.equal(tokenRequest.form.get('scope'), 'https://api.botframework.com/.default');
    assert.ok(rowCounts(h.dbFile).wizard_sessions! >= 1, 'the turn ran');
  });

  it('the fake connector refuses a call without a good token (the check is real)', async () => {
    assert.equal(await identity.verifyBotToken(null), false);
    assert.equal(await identity.verifyBotToken(`Bearer ${await identity.channelToken(h.connector.serviceUrl)}`), false, 'a channel token is not a bot token');
  });

  const forgeries: Array<[string, (serviceUrl: string) => Promise<string | null>]> = [
    ['no token', async () => null],
    ['an empty bearer', async () => 'Bearer '],
    ['a wrong audience', async (s) => `Bearer ${await identity.channelToken(s, { claims: { aud: randomUUID() } })}`],
    ['a wrong issuer', async (s) => `Bearer ${await identity.channelToken(s, { claims: { iss: 'https://api.botframework.com.evil.example' } })}`],
    ['an expired token', async (s) => `Bearer ${await identity.channelToken(s, { expiresInSeconds: -3600 })}`],
    ['a token not yet valid', async (s) => `Bearer ${await identity.channelToken(s, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } })}`],
    ['a wrong signature (another key, same key id)', async (s) => `Bearer ${await identity.channelToken(s, { signWith: 'other' })}`],
    ['alg: none', async (s) => `Bearer ${identity.unsignedToken(s)}`],
    ['HS256 signed with the app password', async (s) => `Bearer ${await identity.hmacToken(s, APP_PASSWORD)}`],
    ['a token for another service URL', async () => `Bearer ${await identity.channelToken('https://smba.trafficmanager.net/emea/')}`],
    ['a token in another scheme', async (s) => `Basic ${await identity.channelToken(s)}`],
  ];
  for (const [name, forge] of forgeries) {
    it(`refuses ${name} with 401 and stores nothing`, async () => {
      // Warm the key cache with one good request first, so a refusal is the token's fault, not a cold cache.
      nextAuthorization = `Bearer ${await identity.channelToken(h.connector.serviceUrl)}`;
      assert.equal((await h.post(activity(h.connector.serviceUrl, { type: 'conversationUpdate' }))).status, 200);
      const before = rowCounts(h.dbFile);
      const sentBefore = h.connector.calls.length;
      const header = await forge(h.connector.serviceUrl);
      nextAuthorization = header;
      for (const type of ['message', 'installationUpdate', 'invoke']) {
        const res = await h.post(activity(h.connector.serviceUrl, type === 'message' ? {} : type === 'invoke' ? { type, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'wizard.start', data: { verb: 'wizard.start' } } } } : { type, action: 'add' }));
        assert.equal(res.status, 401, `${type}: ${JSON.stringify(res.body)}`);
        // No Authorization header at all is refused by the server before the body is read; a bad token by botbuilder.
        assert.deepEqual(res.body, { error: name === 'no token' ? 'an Authorization header is required' : 'unauthorized' });
      }
      assert.deepEqual(rowCounts(h.dbFile), before, 'nothing stored');
      assert.equal(h.connector.calls.length, sentBefore, 'nothing sent');
    });
  }

  it('answers 503 with a generic body when the OpenID metadata cannot be fetched, and 200 once it can', async () => {
    identity.metadataStatus = 500;
    nextAuthorization = `Bearer ${await identity.channelToken(h.connector.serviceUrl)}`;
    const before = rowCounts(h.dbFile);
    const res = await h.post(activity(h.connector.serviceUrl));
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { error: 'temporarily unavailable; retry later' });
    assert.deepEqual(rowCounts(h.dbFile), before);
    identity.metadataStatus = null;
    const again = await h.post(activity(h.connector.serviceUrl));
    assert.equal(again.status, 200, 'Teams retries and gets through');
  });
});

describe('bot: a certificate instead of a client secret', function () {
  this.timeout(60_000);

  it('obtains the Bot Connector token with a client assertion signed by the certificate', async () => {
    const appId = randomUUID();
    const identity = await FakeBotFrameworkIdentity.start(appId, TENANT);
    identity.clientCertificate = fs.readFileSync(path.join(__dirname, 'fixtures', 'bot-certificate.crt'), 'utf8');
    let authorization = '';
    const h = await startHarness({
      dispatch: false,
      botAuthorityCa: LOOPBACK_CA,
      headers: () => ({ authorization }),
      env: { MicrosoftAppId: appId, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, CHANNELCHECK_BOT_CERTIFICATE_FILE: path.join(__dirname, 'fixtures', 'bot-certificate.pem'), ...identity.env() },
    });
    h.connector.authorize = (header) => identity.verifyBotToken(header);
    // MSAL stamps the assertion's nbf with the time rounded to the nearest second: late in a second it is up to
    // half a second ahead, inside the clock skew Entra ID allows. The clock stands still late in a second here,
    // so every run sends that assertion (the token endpoint sees it before the nbf second has begun).
    const clock = sinon.useFakeTimers({ now: Math.floor(Date.now() / 1000) * 1000 + 900, toFake: ['Date'] });
    try {
      authorization = `Bearer ${await identity.channelToken(h.connector.serviceUrl)}`;
      assert.equal((await h.post(activity(h.connector.serviceUrl))).status, 200);
      const [request] = identity.tokenRequests;
      assert.ok(request?.form.get('client_assertion'), 'a signed assertion, no secret');
      assert.equal(request?.form.get('client_secret'), null);
      const nbf = JSON.parse(Buffer.from(request.form.get('client_assertion')!.split('.')[1]!, 'base64url').toString()).nbf;
      assert.ok(nbf * 1000 > Date.now(), 'the case under test: the assertion is not yet valid by the second');
      assert.deepEqual(identity.tokenRequests.map((r) => r.refusal), [null], 'the token endpoint accepted the one assertion');
      const sends = h.connector.calls.filter((c) => c.operation === 'sendActivity' || c.operation === 'replyToActivity');
      assert.ok(sends.length >= 1 && sends.every((c) => c.outcome === 201), `the connector accepted every call: ${JSON.stringify(h.connector.calls)}`);
    } finally {
      clock.restore();
      await h.close();
      await identity.stop();
    }
  });
});

/** Asks the local token endpoint for a Bot Connector token with a client assertion; resolves with the status. */
function requestToken(identity: FakeBotFrameworkIdentity, assertion: string): Promise<number> {
  const endpoint = new URL(`/${TENANT}/oauth2/v2.0/token`, identity.loginUrl);
  const form = new URLSearchParams({
    client_id: identity.appId,
    grant_type: 'client_credentials',
    scope: 'https://api.botframework.com/.default',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(endpoint, { method: 'POST', ca: LOOPBACK_CA, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(form);
  });
}

describe('bot: the local token endpoint checks client assertions (the check is real)', function () {
  this.timeout(60_000);
  const certificatePem = fs.readFileSync(path.join(__dirname, 'fixtures', 'bot-certificate.pem'), 'utf8');
  const privateKeyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(certificatePem)![0];
  let identity: FakeBotFrameworkIdentity;

  beforeEach(async () => {
    identity = await FakeBotFrameworkIdentity.start(randomUUID(), TENANT);
    identity.clientCertificate = fs.readFileSync(path.join(__dirname, 'fixtures', 'bot-certificate.crt'), 'utf8');
  });
  afterEach(() => identity.stop());

  async function assertion(claims: { nbf: number; exp: number }, key: Parameters<SignJWT['sign']>[0] | null = null): Promise<string> {
    const audience = new URL(`/${TENANT}/oauth2/v2.0/token`, identity.loginUrl).href;
    return new SignJWT({ ...claims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'PS256' })
      .setIssuer(identity.appId)
      .setSubject(identity.appId)
      .setAudience(audience)
      .sign(key ?? (await importPKCS8(privateKeyPem, 'PS256')));
  }

  it('accepts one within the clock skew and refuses one not yet valid, expired beyond it, or signed by another key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const skew = ASSERTION_CLOCK_SKEW_SECONDS;
    // The clock stands at now.9 s: an nbf of now + 1 is what MSAL stamps then (it rounds to the nearest second).
    const clock = sinon.useFakeTimers({ now: now * 1000 + 900, toFake: ['Date'] });
    try {
      assert.equal(await requestToken(identity, await assertion({ nbf: now + 1, exp: now + 600 })), 200, 'nbf a second ahead, as MSAL rounds it');
      assert.equal(await requestToken(identity, await assertion({ nbf: now + skew + 1, exp: now + skew + 600 })), 401, 'not yet valid a second beyond the skew');
      assert.equal(await requestToken(identity, await assertion({ nbf: now - skew - 600, exp: now - skew - 1 })), 401, 'expired a second beyond the skew');
      const { privateKey: otherKey } = await generateKeyPair('PS256');
      assert.equal(await requestToken(identity, await assertion({ nbf: now, exp: now + 600 }, otherKey)), 401, 'signed by another key');
      assert.deepEqual(
        identity.tokenRequests.map((r) => r.refusal === null),
        [true, false, false, false],
      );
      assert.match(identity.tokenRequests[1]!.refusal!, /"nbf" claim timestamp check failed/);
      assert.match(identity.tokenRequests[2]!.refusal!, /"exp" claim timestamp check failed/);
    } finally {
      clock.restore();
    }
  });
});

describe('bot: unreachable Bot Framework metadata', function () {
  this.timeout(60_000);

  it('answers 503 with a generic body (no upstream error text) and stores nothing', async () => {
    const appId = randomUUID();
    const identity = await FakeBotFrameworkIdentity.start(appId, TENANT);
    const metadataUrl = identity.metadataUrl;
    const token = await identity.channelToken('http://placeholder/');
    await identity.stop(); // nothing listens there any more
    let authorization = '';
    const h = await startHarness({
      dispatch: false,
      headers: () => ({ authorization }),
      env: { MicrosoftAppId: appId, MicrosoftAppPassword: APP_PASSWORD, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, ToBotFromChannelOpenIdMetadataUrl: metadataUrl, ToChannelFromBotLoginUrl: identity.loginUrl },
    });
    try {
      authorization = `Bearer ${token}`;
      const before = rowCounts(h.dbFile);
      const res = await h.post(activity(h.connector.serviceUrl));
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, { error: 'temporarily unavailable; retry later' });
      assert.doesNotMatch(JSON.stringify(res.body), /ECONNREFUSED|127\.0\.0\.1|fetch|FetchError/);
      assert.deepEqual(rowCounts(h.dbFile), before);
      assert.ok(h.logs.some((l) => /signing keys could not be fetched/.test(l)), 'logged for the operator');
    } finally {
      await h.close();
    }
  });
});

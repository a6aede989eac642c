/**
 * The tab's API signs every request in before it reads anything: a Teams SSO token from Entra ID (checked
 * with jose against the authority's JWKS, here a loopback one with keys made for the run), or the local
 * development sign-in's own token when that is on. Forged, expired, wrong-audience, wrong-issuer,
 * wrong-tenant, unsigned and scope-less tokens all get 401, on every route.
 */
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { type Harness, PEOPLE, startHarness, TENANT } from '../bot/botHarness';
import { FakeEntraId } from '../support/fakeEntraId';

const CLIENT_ID = '5d1c8a4e-2b7f-4c3a-9e6d-0f1a2b3c4d5e';
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';
const ROUTES: Array<['GET' | 'POST', string]> = [
  ['GET', 'me'],
  ['GET', 'policy'],
  ['GET', 'no-such-route'],
  ['POST', 'no-such-route'],
];

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('tab API sign-in (Teams SSO tokens, loopback JWKS)', function () {
  this.timeout(60_000);
  let entra: FakeEntraId;
  let h: Harness;

  before(async () => {
    entra = await FakeEntraId.start(CLIENT_ID);
    h = await startHarness({
      dispatch: false,
      env: { CHANNELCHECK_AUTHORITY_HOST: entra.authorityHost, CHANNELCHECK_TAB_CLIENT_ID: CLIENT_ID, MicrosoftAppTenantId: TENANT },
    });
  });
  after(async () => {
    await h?.close();
    await entra?.stop();
  });

  const call = async (method: 'GET' | 'POST', path: string, authorization?: string) => {
    const res = await fetch(`http://127.0.0.1:${h.port}/api/tab/${path}`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any, headers: res.headers };
  };

  it('answers a valid token with data for the person the token names, and nobody else', async () => {
    const token = await entra.token(PEOPLE.pat.aadObjectId, TENANT);
    const me = await call('GET', 'me', `Bearer ${token}`);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.user.aadObjectId, PEOPLE.pat.aadObjectId);
    assert.equal(me.body.council.id, 'hillingdon');
    const policy = await call('GET', 'policy', `Bearer ${token}`);
    assert.equal(policy.status, 200);
    assert.equal(policy.body.councilId, 'hillingdon');
  });

  it('answers 404 for an unknown route only once signed in', async () => {
    const token = await entra.token(PEOPLE.pat.aadObjectId, TENANT);
    assert.equal((await call('GET', 'no-such-route', `Bearer ${token}`)).status, 404);
  });

  const bad: Array<[string, () => Promise<string | undefined>]> = [
    ['no Authorization header', async () => undefined],
    ['another scheme', async () => `Basic ${Buffer.from('pat:password').toString('base64')}`],
    ['a token that is not a JWT', async () => 'Bearer not-a-token'],
    ['a forged token (signed with a key the JWKS does not publish)', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { signWith: 'other' })}`],
    ['an expired token', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { expiresInSeconds: -3600 })}`],
    ['a token not yet valid', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } })}`],
    ['a token for another audience', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { aud: 'https://graph.microsoft.com' } })}`],
    ['a token from another tenant', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, OTHER_TENANT)}`],
    ['a token whose issuer is another tenant than its tid', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { iss: entra.issuerFor(OTHER_TENANT) } })}`],
    ['a token from another issuer', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { iss: `https://sts.windows.net/${TENANT}/` } })}`],
    ['a token without the access_as_user scope', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { scp: 'User.Read' } })}`],
    ['a token without a user (an app-only token)', async () => `Bearer ${await entra.token(PEOPLE.pat.aadObjectId, TENANT, { claims: { oid: undefined } })}`],
    ['an unsigned token (alg none)', async () => `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: entra.issuerFor(TENANT), aud: CLIENT_ID, oid: PEOPLE.pat.aadObjectId, tid: TENANT, scp: 'access_as_user', exp: Math.floor(Date.now() / 1000) + 600, iat: 1 })}.x`],
    [
      'an HS256 token keyed with the client id',
      async () =>
        `Bearer ${await new SignJWT({ iss: entra.issuerFor(TENANT), aud: CLIENT_ID, oid: PEOPLE.pat.aadObjectId, tid: TENANT, scp: 'access_as_user' })
          .setProtectedHeader({ alg: 'HS256', kid: 'fake-entra-key-1' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(CLIENT_ID))}`,
    ],
    ['a development sign-in token while the development sign-in is off', async () => `Bearer ${b64url({ alg: 'ES256', kid: 'channelcheck-dev-signin' })}.${b64url({ oid: PEOPLE.pat.aadObjectId, tid: TENANT })}.x`],
  ];
  for (const [name, authorization] of bad) {
    it(`refuses ${name} with 401 on every route`, async () => {
      const header = await authorization();
      for (const [method, path] of ROUTES) {
        const r = await call(method, path, header);
        assert.equal(r.status, 401, `${method} /api/tab/${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
        assert.equal(Object.keys(r.body).join(), 'error', 'a refusal carries no data');
      }
    });
  }

  it('answers 503 with Retry-After, not 401, when the signing keys cannot be fetched', async () => {
    const fresh = await FakeEntraId.start(CLIENT_ID);
    const other = await startHarness({ dispatch: false, env: { CHANNELCHECK_AUTHORITY_HOST: fresh.authorityHost, CHANNELCHECK_TAB_CLIENT_ID: CLIENT_ID, MicrosoftAppTenantId: TENANT } });
    try {
      fresh.keysStatus = 500;
      const res = await fetch(`http://127.0.0.1:${other.port}/api/tab/me`, { headers: { authorization: `Bearer ${await fresh.token(PEOPLE.pat.aadObjectId, TENANT)}` } });
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      assert.doesNotMatch(await res.text(), /scripted|500/, 'nothing of the key endpoint\'s answer reaches the caller');
    } finally {
      await other.close();
      await fresh.stop();
    }
  });

  it('has no development sign-in unless it is turned on', async () => {
    const res = await fetch(`http://127.0.0.1:${h.port}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: PEOPLE.lee.aadObjectId }) });
    assert.equal(res.status, 401, 'the route does not exist: it is signed in like any other');
  });
});

describe('tab API: the local development sign-in', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_TAB_DEV_SIGNIN: 'true' } });
  });
  after(async () => h?.close());

  const signIn = async (aadObjectId: string) =>
    fetch(`http://127.0.0.1:${h.port}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId }) });

  it('offers the people of the directory file and signs one in, as that person only', async () => {
    const people = (await (await fetch(`http://127.0.0.1:${h.port}/api/tab/dev/people`)).json()) as any;
    assert.ok(people.people.some((p: any) => p.aadObjectId === PEOPLE.lee.aadObjectId && p.displayName === 'Lee Manager'));
    assert.ok(people.people.some((p: any) => p.displayName === 'Robin Oncall'), 'a Head of Service listed only under teams is offered too');
    const res = await signIn(PEOPLE.lee.aadObjectId);
    assert.equal(res.status, 200);
    const { token } = (await res.json()) as { token: string };
    const me = (await (await fetch(`http://127.0.0.1:${h.port}/api/tab/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    assert.deepEqual(me.user, { aadObjectId: PEOPLE.lee.aadObjectId, displayName: 'Lee Manager' });
  });

  it('refuses someone who is not in the directory file, and a token it did not sign', async () => {
    assert.equal((await signIn(PEOPLE.mallory.aadObjectId)).status, 404);
    const { token } = (await (await signIn(PEOPLE.pat.aadObjectId)).json()) as { token: string };
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${b64url({ oid: PEOPLE.lee.aadObjectId, tid: TENANT, iss: 'urn:channelcheck:dev-signin', aud: 'urn:channelcheck:tab', exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/api/tab/me`, { headers: { authorization: `Bearer ${tampered}` } })).status, 401);
  });
});

describe('tab API: the per-user rate limit', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_TAB_DEV_SIGNIN: 'true', CHANNELCHECK_RATE_LIMIT_POINTS: '3', CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  after(async () => h?.close());

  it('answers 429 with Retry-After past the limit, for that person only', async () => {
    const tokenFor = async (aadObjectId: string) =>
      ((await (await fetch(`http://127.0.0.1:${h.port}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId }) })).json()) as { token: string }).token;
    const pat = await tokenFor(PEOPLE.pat.aadObjectId);
    const lee = await tokenFor(PEOPLE.lee.aadObjectId);
    const me = (token: string) => fetch(`http://127.0.0.1:${h.port}/api/tab/me`, { headers: { authorization: `Bearer ${token}` } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await me(pat)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await me(pat);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await me(lee)).status, 200, 'another person is not held back');
  });
});

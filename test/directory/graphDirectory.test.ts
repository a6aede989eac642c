/**
 * The real GraphDirectory (real @azure/identity ClientSecretCredential, real Graph client middleware chain)
 * against a fake token endpoint and a fake Graph on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DirectoryUnavailableError, GraphDirectory, type GraphDirectoryOptions, graphBaseUrlProblem } from '../../src/directory/graphDirectory';
import { FakeGraph, FakeTokenEndpoint, graphUser, notFound, TEST_CA } from './fakeEntra';

const TENANT = 'bbbbbbbb-0000-0000-0000-00000000000a';
const CLIENT_ID = 'cccccccc-0000-0000-0000-00000000000b';
const SECRET = 'not-a-real-secret';
const PAT = 'aaaaaaaa-0000-0000-0000-000000000001';
const LEE = 'aaaaaaaa-0000-0000-0000-000000000002';
const JO = 'aaaaaaaa-0000-0000-0000-000000000005';
const managerPath = (id: string) => `/v1.0/users/${id}/manager`;
const reportsPath = (id: string) => `/v1.0/users/${id}/directReports`;

describe('GraphDirectory against a fake Entra token endpoint and a fake Graph (loopback)', function () {
  this.timeout(8000);
  let token: FakeTokenEndpoint;
  let graph: FakeGraph;

  beforeEach(async function () {
    token = await new FakeTokenEndpoint().start();
    graph = await new FakeGraph().start();
  });
  afterEach(async function () {
    await Promise.all([token.stop(), graph.stop()]);
  });

  function directory(overrides: Partial<GraphDirectoryOptions> = {}): GraphDirectory {
    return new GraphDirectory({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      authorityHost: token.authorityHost,
      authorityCa: TEST_CA,
      graphBaseUrl: graph.baseUrl,
      timeoutMs: 2500,
      retryDelaySeconds: 0,
      ...overrides,
    });
  }

  async function rejectsUnavailable(promise: Promise<unknown>, pattern: RegExp): Promise<DirectoryUnavailableError> {
    let caught: unknown;
    await promise.then(
      () => assert.fail('expected a DirectoryUnavailableError'),
      (e: unknown) => (caught = e),
    );
    assert.ok(caught instanceof DirectoryUnavailableError, `expected DirectoryUnavailableError, got ${String(caught)}`);
    assert.match(caught.message, pattern);
    return caught;
  }

  it('gets an app token by client credentials and reads /users/{id}/manager with the bearer token', async function () {
    graph.on(managerPath(PAT), { status: 200, body: graphUser(LEE, 'Lee Manager') });
    const d = directory();
    assert.deepEqual(await d.managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager' });

    const [req] = graph.requestsTo(managerPath(PAT));
    assert.ok(req);
    assert.equal(req.method, 'GET');
    assert.equal(req.headers.authorization, 'Bearer fake-graph-token-1');
    assert.match(req.url, /\$select=id,displayName/);

    const [tokenReq] = token.tokenRequests();
    assert.ok(tokenReq, 'a token request was made');
    assert.ok(tokenReq.url.startsWith(`/${TENANT}/oauth2/v2.0/token`));
    const form = new URLSearchParams(tokenReq.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('client_id'), CLIENT_ID);
    assert.equal(form.get('client_secret'), SECRET);
    assert.equal(form.get('scope'), 'https://graph.microsoft.com/.default');
    // Instance discovery is off: only our loopback authority was asked, for its metadata and the token.
    assert.ok(token.requests.some((r) => r.method === 'GET' && r.url === `/${TENANT}/v2.0/.well-known/openid-configuration`));
    assert.ok(token.requests.every((r) => r.url.startsWith(`/${TENANT}/`)));
  });

  it('reuses the token across calls', async function () {
    graph.on(managerPath(PAT), { status: 200, body: graphUser(LEE, 'Lee Manager') });
    const d = directory();
    await d.managerOf(PAT);
    await d.managerOf(PAT);
    assert.equal(graph.requestsTo(managerPath(PAT)).length, 2);
    assert.equal(token.tokenRequests().length, 1);
  });

  it('treats 404 from /manager as "no manager"', async function () {
    graph.on(managerPath(PAT), notFound);
    assert.equal(await directory().managerOf(PAT), null);
    assert.equal(graph.requestsTo(managerPath(PAT)).length, 1, 'a 404 is an answer, not retried');
  });

  it('does not call Graph for an id that is not an Entra object id', async function () {
    assert.equal(await directory().managerOf('../../me'), null);
    assert.deepEqual(await directory().reportsOf('not-a-guid'), []);
    assert.equal(graph.requests.length, 0);
  });

  it('retries 429 after the Retry-After seconds, then answers', async function () {
    graph.on(managerPath(PAT), { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } }, { status: 200, body: graphUser(LEE, 'Lee Manager') });
    const started = Date.now();
    assert.deepEqual(await directory().managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager' });
    const elapsed = Date.now() - started;
    const reqs = graph.requestsTo(managerPath(PAT));
    assert.equal(reqs.length, 2);
    assert.ok(elapsed >= 950, `waited for Retry-After (${elapsed} ms)`);
    assert.equal(reqs[1]?.headers['retry-attempt'], '1');
    assert.equal(reqs[1]?.headers.authorization, 'Bearer fake-graph-token-1');
  });

  it('retries 503, then answers', async function () {
    graph.on(managerPath(PAT), { status: 503 }, { status: 200, body: graphUser(LEE, 'Lee Manager') });
    assert.deepEqual(await directory().managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager' });
    assert.equal(graph.requestsTo(managerPath(PAT)).length, 2);
  });

  it('gives up after maxRetries when Graph keeps answering 429', async function () {
    graph.on(managerPath(PAT), { status: 429, headers: { 'Retry-After': '0' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } });
    const e = await rejectsUnavailable(directory({ maxRetries: 3 }).managerOf(PAT), /busy or unavailable \(429\)/);
    assert.equal(e.status, 429);
    assert.equal(graph.requestsTo(managerPath(PAT)).length, 4, 'the first try and 3 retries');
  });

  it('fails at once, without sleeping, when Retry-After is longer than the time left', async function () {
    graph.on(managerPath(PAT), { status: 429, headers: { 'Retry-After': '30' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } });
    const started = Date.now();
    await rejectsUnavailable(directory({ timeoutMs: 2000 }).managerOf(PAT), /429/);
    assert.ok(Date.now() - started < 1500, 'did not wait for a retry that could not finish in time');
    assert.equal(graph.requestsTo(managerPath(PAT)).length, 1);
  });

  it('throws DirectoryUnavailableError within the timeout when Graph hangs', async function () {
    graph.on(managerPath(PAT), 'hang');
    const started = Date.now();
    await rejectsUnavailable(directory({ timeoutMs: 1000 }).managerOf(PAT), /did not answer .* within 1000 ms/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 950 && elapsed < 2000, `gave up at the timeout (${elapsed} ms)`);
  });

  it('uses a 3 second timeout by default', async function () {
    graph.on(managerPath(PAT), 'hang');
    const started = Date.now();
    await rejectsUnavailable(directory({ timeoutMs: undefined }).managerOf(PAT), /within 3000 ms/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2950 && elapsed < 4000, `gave up after about 3 s (${elapsed} ms)`);
  });

  it('explains a 403 (missing User.Read.All consent)', async function () {
    graph.on(managerPath(PAT), { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } });
    const e = await rejectsUnavailable(directory().managerOf(PAT), /User\.Read\.All/);
    assert.equal(e.status, 403);
  });

  it('logs a failed lookup with the correlation id of the turn that asked, and none for a lookup outside a turn', async function () {
    const lines: any[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
    graph.on(managerPath(PAT), { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } });
    graph.on(reportsPath(LEE), { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } });
    const d = directory({ log });
    await rejectsUnavailable(d.managerOf(PAT, { correlationId: 'turn-of-pat' }), /User\.Read\.All/);
    await rejectsUnavailable(d.reportsOf(LEE, { correlationId: 'turn-of-lee' }), /User\.Read\.All/);
    await rejectsUnavailable(d.managerOf(PAT), /User\.Read\.All/);
    const failed = lines.filter((l) => l.msg === 'directory lookup in Microsoft Graph failed');
    assert.deepEqual(failed.map((l) => [l.status, l.correlationId]), [[403, 'turn-of-pat'], [403, 'turn-of-lee'], [403, undefined]]);
    assert.ok(!('correlationId' in failed[2]), 'no correlationId field outside a turn');
  });

  it('throws DirectoryUnavailableError when the token endpoint rejects the app', async function () {
    token.rejectClient = true;
    graph.on(managerPath(PAT), { status: 200, body: graphUser(LEE, 'Lee Manager') });
    await rejectsUnavailable(directory().managerOf(PAT), /could not get a Microsoft Graph token for the app .*invalid_client/);
    assert.equal(graph.requests.length, 0, 'Graph is never called without a token');
  });

  it('throws DirectoryUnavailableError at once when Graph refuses connections', async function () {
    const gone = await new FakeGraph().start();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    const started = Date.now();
    await rejectsUnavailable(directory({ graphBaseUrl: baseUrl }).managerOf(PAT), /could not (be reached|answer)/);
    assert.ok(Date.now() - started < 2000);
  });

  it('lists direct reports (users only), following nextLink within the Graph base URL', async function () {
    graph.on(reportsPath(LEE), {
      status: 200,
      body: {
        value: [graphUser(PAT, 'Pat Practitioner'), { '@odata.type': '#microsoft.graph.orgContact', id: 'dddddddd-0000-0000-0000-000000000001', displayName: 'A contact' }],
        '@odata.nextLink': `${graph.baseUrl}/users/${LEE}/directReports?$select=id,displayName&$top=999&$skiptoken=page2`,
      },
    }, { status: 200, body: { value: [graphUser(JO, 'Jo Deputy')] } });
    assert.deepEqual(await directory().reportsOf(LEE), [
      { aadObjectId: JO, displayName: 'Jo Deputy' },
      { aadObjectId: PAT, displayName: 'Pat Practitioner' },
    ]);
    const reqs = graph.requestsTo(reportsPath(LEE));
    assert.equal(reqs.length, 2);
    assert.match(reqs[1]?.url ?? '', /\$skiptoken=page2/);
    assert.ok(reqs.every((r) => r.headers.authorization === 'Bearer fake-graph-token-1'));
  });

  it('does not follow (or send the token to) a nextLink on another host', async function () {
    const elsewhere = await new FakeGraph().start();
    try {
      graph.on(reportsPath(LEE), { status: 200, body: { value: [graphUser(PAT, 'Pat Practitioner')], '@odata.nextLink': `${elsewhere.baseUrl}/users/${LEE}/directReports?$skiptoken=x` } });
      assert.deepEqual(await directory().reportsOf(LEE), [{ aadObjectId: PAT, displayName: 'Pat Practitioner' }]);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await elsewhere.stop();
    }
  });

  it('reads Head of Service and delegates from the extras (the directory file), else none', async function () {
    const plain = directory();
    assert.deepEqual(await plain.escalationContactsFor(PAT), { headOfService: null });
    assert.deepEqual(await plain.delegatesOf(LEE), []);
    const withExtras = directory({
      extras: {
        delegatesOf: async () => [{ aadObjectId: JO, displayName: 'Jo Deputy' }],
        escalationContactsFor: async () => ({ headOfService: { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000003', displayName: 'Sam Head' } }),
      },
    });
    assert.deepEqual(await withExtras.delegatesOf(LEE), [{ aadObjectId: JO, displayName: 'Jo Deputy' }]);
    assert.equal((await withExtras.escalationContactsFor(PAT)).headOfService?.displayName, 'Sam Head');
    assert.equal(graph.requests.length, 0);
  });

  it('refuses a Graph base URL that would send the token over plain http to another host', function () {
    assert.equal(graphBaseUrlProblem('https://graph.microsoft.com/v1.0'), null);
    assert.equal(graphBaseUrlProblem('http://127.0.0.1:8080/v1.0'), null);
    assert.match(graphBaseUrlProblem('http://graph.example.org/v1.0') ?? '', /must use https/);
    assert.throws(() => directory({ graphBaseUrl: 'http://graph.example.org/v1.0' }), /must use https/);
  });
});

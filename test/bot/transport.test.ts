/**
 * What reaches the bot: only a small, uncompressed JSON activity of the right shape. Each test here is an
 * attack that got through before: a gzip bomb, a multipart upload to disk, a form post that became a turn,
 * an activity without a sender that became a shared user "unknown". Plus the headers every answer carries,
 * and that nothing from inside (botbuilder's error text) reaches a response body.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import pino from 'pino';
import sinon from 'sinon';
import { MAX_BODY_BYTES, MAX_DISCARD_BYTES } from '../../src/server/httpServer';
import { nestingDepth } from '../../src/server/jsonRequestBody';
import { routeConsoleTo } from '../../src/logging';
import { rawRequest, type RawRequest } from '../support/rawHttp';
import { formBody, gzipBomb, multipartBody } from '../support/hostileBodies';
import { conversationOf, type Harness, PEOPLE, queryRows, startHarness, TENANT } from './botHarness';

function activity(h: Harness, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: 'm-1',
    text: 'new check',
    channelId: 'msteams',
    serviceUrl: h.connector.serviceUrl,
    from: PEOPLE.pat,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: conversationOf(PEOPLE.pat), conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Rows in every table, straight from the file. */
function rowCounts(dbFile: string): Record<string, number> {
  const tables = queryRows(dbFile, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'").map((r) => r.name as string);
  return Object.fromEntries(tables.map((t) => [t, queryRows(dbFile, `select count(*) as n from "${t}"`)[0].n as number]));
}

function assertSecurityHeaders(headers: Record<string, unknown>, production = false) {
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['cache-control'], 'no-store');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['server'], undefined, 'no Server banner');
  if (production) assert.match(String(headers['strict-transport-security']), /^max-age=\d{7,}/);
  else assert.equal(headers['strict-transport-security'], undefined);
}

describe('bot: transport hardening (what reaches the bot)', function () {
  this.timeout(60_000);
  let h: Harness;
  let tmp: string;
  let savedTmp: string | undefined;
  const send = (r: Partial<RawRequest>) => rawRequest(h.port, { method: 'POST', path: '/api/messages', ...r });

  beforeEach(async () => {
    h = await startHarness({ dispatch: false });
    // A private temporary directory, so a body written to disk would show here and nowhere else.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-transport-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
  });
  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    sinon.restore();
    await h.close();
  });

  it('refuses a 247 KB gzip bomb (240 MB inflated) with 415 from its headers alone, and never inflates it', async () => {
    const bomb = gzipBomb();
    assert.ok(bomb.length < MAX_BODY_BYTES, 'the bomb is under the body limit as sent');
    const inflaters = [sinon.spy(zlib, 'createGunzip'), sinon.spy(zlib, 'createInflate'), sinon.spy(zlib, 'createUnzip'), sinon.spy(zlib, 'createBrotliDecompress')];
    const before = rowCounts(h.dbFile);
    // Headers only: the answer must come without the server reading a byte of the body.
    const early = await send({ headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) }, holdBody: true });
    assert.equal(early.status, 415);
    assert.match(early.json.error, /compressed bodies are not accepted/);
    assertSecurityHeaders(early.headers);
    // And sent in full, four at once, as an attacker would.
    const all = await Promise.all(
      ['gzip', 'deflate', 'br', 'GZIP'].map((enc) => send({ headers: { ...JSON_HEADERS, 'Content-Encoding': enc }, body: bomb })),
    );
    assert.deepEqual(all.map((r) => r.status), [415, 415, 415, 415]);
    for (const spy of inflaters) assert.equal(spy.callCount, 0, `${spy.name ?? 'an inflater'} was never called`);
    assert.deepEqual(rowCounts(h.dbFile), before);
  });

  it('refuses a multipart upload with 415, writes no temporary file and starts no turn', async () => {
    const before = rowCounts(h.dbFile);
    const boundary = 'xYzZY';
    const body = multipartBody(boundary, { type: 'message', text: 'new check', 'from[id]': PEOPLE.pat.id, 'conversation[id]': 'c1', serviceUrl: h.connector.serviceUrl }, { name: 'big.bin', bytes: 5 * 1024 * 1024 });
    const early = await send({ headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) }, holdBody: true });
    assert.equal(early.status, 415);
    const full = await send({ headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body });
    assert.equal(full.status, 415);
    assert.match(full.json.error, /application\/json/);
    const chunked = await send({ headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body, chunked: true });
    assert.equal(chunked.status, 415);
    assert.deepEqual(fs.readdirSync(tmp), [], 'no temporary file was written');
    assert.deepEqual(rowCounts(h.dbFile), before);
    assert.equal(h.connector.calls.length, 0, 'the bot said nothing: no turn ran');
  });

  it('refuses form-encoded, text, XML and typeless bodies with 415, and accepts a charset of utf-8 only', async () => {
    const before = rowCounts(h.dbFile);
    const fields = { type: 'message', text: 'help', channelId: 'msteams', serviceUrl: h.connector.serviceUrl, 'from[id]': PEOPLE.pat.id, 'conversation[id]': conversationOf(PEOPLE.pat), 'recipient[id]': 'b' };
    assert.equal((await send({ headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody(fields) })).status, 415);
    for (const type of ['text/plain', 'application/xml', 'application/json-patch+json', 'application/jsonp', 'application/json; charset=latin1', 'application/octet-stream']) {
      assert.equal((await send({ headers: { 'Content-Type': type }, body: json(activity(h)) })).status, 415, type);
    }
    assert.equal((await send({ body: json(activity(h)) })).status, 415, 'no Content-Type');
    assert.deepEqual(rowCounts(h.dbFile), before);
    assert.equal(h.connector.calls.length, 0);
    // What Teams sends is accepted.
    const ok = await send({ headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'identity' }, body: json(activity(h)) });
    assert.equal(ok.status, 200);
    assert.equal(h.cardsTo(PEOPLE.pat).length, 1, 'a legitimate turn still runs');
  });

  it('refuses oversized bodies with 413 from Content-Length before reading, and stops reading a chunked one at the limit', async () => {
    const big = json(activity(h, { text: 'x'.repeat(MAX_BODY_BYTES) }));
    const early = await send({ headers: { ...JSON_HEADERS, 'Content-Length': String(big.length) }, holdBody: true });
    assert.equal(early.status, 413);
    const chunked = await send({ headers: JSON_HEADERS, body: Buffer.concat([big, Buffer.alloc(4 * 1024 * 1024, 0x20)]), chunked: true });
    assert.equal(chunked.status, 413);
    assert.match(chunked.json.error, /at most 262144 bytes/);
    assert.equal(h.connector.calls.length, 0);
  });

  it('after refusing, throws away at most 8 MB of a body that keeps coming, then cuts the connection', async () => {
    // A client that ignores the answer and streams without end, over a bare socket.
    const socket = net.connect(h.port, '127.0.0.1');
    let answer = '';
    let written = 0;
    socket.on('data', (d) => (answer += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => {
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    socket.write('POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x61), Buffer.from('\r\n')]);
    let open = true;
    void closed.then(() => (open = false));
    while (open && written < 256 * 1024 * 1024) {
      written += chunk.length;
      if (!socket.write(chunk)) await new Promise<void>((r) => { socket.once('drain', r); void closed.then(r); });
    }
    await closed;
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 415 /, 'the answer came first');
    assert.ok(written < MAX_DISCARD_BYTES + 32 * 1024 * 1024, `the server stopped reading after ${written} bytes`);
  });

  it('refuses an activity without a sender with 400 naming the field, and stores nothing (no shared user "unknown")', async () => {
    const before = rowCounts(h.dbFile);
    const { from: _from, ...noFrom } = activity(h);
    const r = await send({ headers: JSON_HEADERS, body: json(noFrom) });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /^the activity is not valid: from: /);
    assert.deepEqual(rowCounts(h.dbFile), before);
    assert.deepEqual(queryRows(h.dbFile, "select * from wizard_sessions where user_aad_id = 'unknown'"), []);
    assert.deepEqual(queryRows(h.dbFile, "select * from conversation_references where user_aad_id = 'unknown'"), []);
    assert.equal(h.connector.calls.length, 0);
  });

  it('names each malformed field with 400: from.id, from.aadObjectId, conversation.id, serviceUrl, type', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ from: { name: 'No Id' } }, /from\.id: /],
      [{ from: { id: '' } }, /from\.id: must not be empty/],
      [{ from: { id: '29:pat', aadObjectId: 42 } }, /from\.aadObjectId: /],
      [{ from: { id: '29:pat', aadObjectId: { $ne: null } } }, /from\.aadObjectId: /],
      [{ conversation: { conversationType: 'personal' } }, /conversation\.id: /],
      [{ conversation: 'a:c' }, /conversation: /],
      [{ serviceUrl: 'javascript:alert(1)' }, /serviceUrl: must be an http\(s\) URL/],
      [{ serviceUrl: undefined }, /serviceUrl: /],
      [{ type: 7 }, /type: /],
      [{ type: '' }, /type: must not be empty/],
      [{ text: ['new check'] }, /text: /],
      [{ conversation: { id: 'a:c', tenantId: 1 } }, /conversation\.tenantId: /],
    ];
    const before = rowCounts(h.dbFile);
    for (const [change, field] of cases) {
      const r = await send({ headers: JSON_HEADERS, body: json(activity(h, change)) });
      assert.equal(r.status, 400, JSON.stringify(change));
      assert.match(r.json.error, field, JSON.stringify(change));
    }
    for (const notAnObject of ['null', '[1,2,3]', '"message"', '42', '{"type":"message"', '']) {
      assert.equal((await send({ headers: JSON_HEADERS, body: Buffer.from(notAnObject) })).status, 400, notAnObject);
    }
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const r = await send({ headers: JSON_HEADERS, body: Buffer.from(deep) });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /nests deeper/);
    assert.deepEqual(rowCounts(h.dbFile), before);
    assert.equal(h.connector.calls.length, 0);
  });

  it('every answer carries the security headers and no Server banner: 200, 4xx, 404, 405 and an unparseable request', async () => {
    const ok = await send({ headers: JSON_HEADERS, body: json(activity(h, { text: 'help' })) });
    assert.equal(ok.status, 200);
    assertSecurityHeaders(ok.headers);
    assertSecurityHeaders((await send({ headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('x') })).headers);
    const health = await rawRequest(h.port, { method: 'GET', path: '/healthz' });
    assert.equal(health.status, 200);
    assertSecurityHeaders(health.headers);
    const missing = await rawRequest(h.port, { method: 'GET', path: '/admin' });
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing.headers);
    const wrongMethod = await rawRequest(h.port, { method: 'DELETE', path: '/api/messages' });
    assert.equal(wrongMethod.status, 405);
    assertSecurityHeaders(wrongMethod.headers);
    // A method the HTTP parser does not know never reaches restify; the answer still has the headers.
    const unknown = await rawRequest(h.port, { method: 'BREW', path: '/api/messages' });
    assert.equal(unknown.status, 400);
    assertSecurityHeaders(unknown.headers);
    const hugeHeader = await rawRequest(h.port, { method: 'GET', path: '/healthz', headers: { 'X-Junk': 'x'.repeat(64 * 1024) } });
    assert.equal(hugeHeader.status, 431);
    assertSecurityHeaders(hugeHeader.headers);
  });

  it('a failure inside the turn is a generic 500 and an authentication failure a bare 401: no upstream text in the body, all of it in the log', async () => {
    const secret = 'Failed to load openID config from https://login.botframework.com/v1/.well-known/openidconfiguration: ECONNREFUSED';
    sinon.stub(h.app.adapter, 'processAuthenticated').rejects(new Error(secret));
    const r = await send({ headers: JSON_HEADERS, body: json(activity(h)) });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: 'ChannelCheck could not process the activity' });
    assertSecurityHeaders(r.headers);
    assert.ok(h.logs.some((l) => l.includes('ECONNREFUSED') && JSON.parse(l).err?.stack), 'the failure was logged with its stack, as JSON');
    sinon.restore();
    sinon.stub(h.app.auth, 'authenticateRequest').rejects(Object.assign(new Error('Unauthorized. Invalid AppId passed on token: 0000-attacker'), { statusCode: 401 }));
    const denied = await send({ headers: JSON_HEADERS, body: json(activity(h)) });
    assert.equal(denied.status, 401);
    assert.doesNotMatch(denied.text, /AppId|attacker/);
  });

  it('botbuilder\'s console.error stack traces become structured log lines', () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
    const saved = { error: console.error, warn: console.warn, info: console.info, log: console.log, debug: console.debug, trace: console.trace };
    try {
      routeConsoleTo(log);
      // What CloudAdapter.process and JwtTokenExtractor do with a failure.
      console.error(new Error('Unauthorized. No valid identity.'));
      console.warn('BadRequest: Missing activity or activity type.');
      console.error(`Error finding key for token. Available keys: ${['k1', 'k2']}`);
    } finally {
      Object.assign(console, saved);
    }
    const parsed = lines.map((l) => JSON.parse(l));
    assert.equal(parsed.length, 3);
    assert.equal(parsed[0].level, 50);
    assert.match(parsed[0].err.stack, /Unauthorized\. No valid identity\.\n\s+at /);
    assert.equal(parsed[1].level, 40);
    assert.equal(parsed[1].msg, 'BadRequest: Missing activity or activity type.');
    assert.equal(parsed[2].msg, 'Error finding key for token. Available keys: k1,k2');
    assert.ok(parsed.every((p) => p.source === 'console'));
  });

  it('nesting depth is counted outside strings, without recursion', () => {
    assert.equal(nestingDepth('{"a":[1,{"b":"[[[[\\"{{{"}]}'), 3);
    assert.equal(nestingDepth('"[[["'), 0);
    assert.equal(nestingDepth('['.repeat(1_000_000)), 1_000_000);
  });
});

describe('bot: transport hardening in production', function () {
  this.timeout(60_000);
  let h: Harness;
  const send = (r: Partial<RawRequest>) => rawRequest(h.port, { method: 'POST', path: '/api/messages', ...r });
  // Production with bot credentials. No request here carries a plausible token, so nothing is ever sent to the
  // Bot Framework's real endpoints: every one is refused before authentication.
  // Production refuses the example directory by name: the same invented people, under a council's own file name.
  const directoryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-prod-dir-')), 'directory.yaml');
  fs.copyFileSync(path.join(__dirname, '../../env/directory.example.yaml'), directoryFile);
  beforeEach(async () => {
    h = await startHarness({
      dispatch: false,
      env: { NODE_ENV: 'production', HOST: '127.0.0.1', MicrosoftAppId: '00000000-0000-0000-0000-00000000b07a', MicrosoftAppPassword: 'not-a-real-secret', CHANNELCHECK_DIRECTORY_FILE: directoryFile, CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: 'true' },
    });
  });
  afterEach(async () => h.close());

  it('refuses a request without an Authorization header with 401 before reading its body', async () => {
    const body = json(activity(h, { serviceUrl: 'https://smba.trafficmanager.net/teams/' }));
    const early = await send({ headers: { ...JSON_HEADERS, 'Content-Length': String(body.length) }, holdBody: true });
    assert.equal(early.status, 401);
    assert.deepEqual(early.json, { error: 'an Authorization header is required' });
    assertSecurityHeaders(early.headers, true);
    // Even the bomb gets 401 first: an unauthenticated caller learns nothing else.
    assert.equal((await send({ headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip' }, body: gzipBomb() })).status, 401);
    assert.equal(h.connector.calls.length, 0);
  });

  it('requires an https serviceUrl, and sends HSTS on every answer', async () => {
    const r = await send({ headers: { ...JSON_HEADERS, Authorization: 'Bearer x' }, body: json(activity(h)) });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /serviceUrl: must be an https URL/);
    assertSecurityHeaders(r.headers, true);
    assertSecurityHeaders((await rawRequest(h.port, { method: 'GET', path: '/healthz' })).headers, true);
    assertSecurityHeaders((await rawRequest(h.port, { method: 'GET', path: '/nope' })).headers, true);
  });
});

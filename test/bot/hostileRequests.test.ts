/**
 * Random and hostile requests, fired at the real server running as its own process (src/index.ts, as `npm
 * start` runs it) over loopback: wrong content types, gzip/deflate/br bodies and a gzip bomb, oversized and
 * chunked bodies, multipart uploads, form posts, broken JSON, missing and mistyped fields, unknown HTTP
 * methods and paths, huge strings, and card actions that name other people's records. For every request:
 * a well-formed 4xx with the security headers, or a card; the process never dies; its peak resident memory
 * stays under 300 MB; nothing is written to its temporary directory; no table changes unless the request was a
 * legitimate turn. Seeded and bounded, so every run fires the same requests.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { ROOT } from '../support/runCli';
import { FakeBotConnector } from '../support/fakeBotConnector';
import { formBody, gzipBomb, multipartBody } from '../support/hostileBodies';
import { type RawRequest, type RawResponse, rawRequest } from '../support/rawHttp';
import { actionData, conversationOf, ESCALATION_CHANNEL, PEOPLE, type Person, queryRows, TENANT } from './botHarness';

const SEED = 8_2026;
const RUNS = 160;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;

type Expect = 'refused' | 'forged' | 'legit';
interface Case {
  label: string;
  request: RawRequest;
  expect: Expect;
}

interface ServerProcess {
  child: ChildProcess;
  port: number;
  dbFile: string;
  tmp: string;
  stdout: string[];
  stderr: string[];
  exited: () => string | null;
  stop: () => Promise<void>;
}

async function startServerProcess(connector: FakeBotConnector): Promise<ServerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-hostile-'));
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  const dbFile = path.join(dir, 'channelcheck.db');
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/index.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      CHANNELCHECK_ENV_FILE: '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      CHANNELCHECK_COUNCIL: 'hillingdon',
      CHANNELCHECK_SQLITE_PATH: dbFile,
      CHANNELCHECK_DIRECTORY_FILE: path.join(ROOT, 'env/directory.example.yaml'),
      CHANNELCHECK_SERVICE_URL: connector.serviceUrl,
      CHANNELCHECK_ESCALATION_CHANNEL: ESCALATION_CHANNEL,
      CHANNELCHECK_DISPATCH_POLL_MS: '200',
      // Where a body written to disk would land (os.tmpdir() in the server).
      TMPDIR: tmp,
    },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let exit: string | null = null;
  child.on('exit', (code, signal) => {
    exit = `exited with ${code ?? signal}`;
  });
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        stdout.push(line);
        try {
          const entry = JSON.parse(line);
          if (typeof entry.port === 'number' && /listening/.test(entry.msg)) resolve(entry.port);
        } catch {
          /* checked at the end: every line must be JSON */
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    child.once('exit', () => reject(new Error(`the server did not start: ${stderr.join('')}${stdout.join('\n')}`)));
  });
  return {
    child,
    port,
    dbFile,
    tmp,
    stdout,
    stderr,
    exited: () => exit,
    stop: async () => {
      if (exit) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Resident memory of the server process now and at its peak (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function rowCounts(dbFile: string): Record<string, number> {
  const tables = queryRows(dbFile, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").map((r) => r.name as string);
  return Object.fromEntries(tables.map((t) => [t, queryRows(dbFile, `select count(*) as n from "${t}"`)[0].n as number]));
}

function without<T extends Record<string, number>>(counts: T, table: string): Record<string, number> {
  const { [table]: _skip, ...rest } = counts;
  return rest;
}

/** Top-level entries of the server's temporary directory, leaving out the test loader's own compile cache. */
function tempEntries(tmp: string): string[] {
  return fs.readdirSync(tmp).filter((e) => !/^tsx-\d+$/.test(e));
}

/** A well-formed refusal: 4xx, the security headers, no banner, and a JSON `{ error }` body when it has one. */
function assertRefusal(c: Case, r: RawResponse): void {
  const what = `${c.label}: ${r.status} ${r.text.slice(0, 200)}`;
  assert.ok(r.status >= 400 && r.status < 500, what);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['cache-control'], 'no-store', what);
  assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(r.headers['server'], undefined, what);
  if (r.text && c.request.path === '/api/messages' && c.request.method === 'POST') {
    assert.equal(typeof r.json?.error, 'string', what);
    assert.doesNotMatch(r.text, /\n\s+at |node_modules|Error:/, `no stack or internal text: ${what}`);
  }
}

/** A card action's answer: an Adaptive Card, or the invoke error the card shows, never a crash. */
function assertCardAnswer(c: Case, r: RawResponse): void {
  const what = `${c.label}: ${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, 200, what);
  assert.ok(['application/vnd.microsoft.card.adaptive', 'application/vnd.microsoft.error', 'application/vnd.microsoft.activity.message'].includes(r.json?.type), what);
}

describe('bot: random and hostile requests against the running server (property, seeded)', function () {
  this.timeout(600_000);
  let connector: FakeBotConnector;
  let server: ServerProcess;
  let peakSeen = 0;
  let monitor: NodeJS.Timeout;
  let patSession: Record<string, unknown>;

  before(async () => {
    connector = await FakeBotConnector.start();
    server = await startServerProcess(connector);
    monitor = setInterval(() => {
      if (!server.exited()) peakSeen = Math.max(peakSeen, memoryOf(server.child.pid!).rss);
    }, 25);
    // One legitimate check in progress, whose ids the forged actions below will name.
    const r = await rawRequest(server.port, { method: 'POST', path: '/api/messages', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(message(connector, PEOPLE.pat, 'new check'))) });
    assert.equal(r.status, 200);
    const card = (connector.delivered().at(-1)?.body as any)?.attachments?.[0]?.content;
    patSession = actionData(card, 'wizard.next');
  });

  after(async () => {
    clearInterval(monitor);
    await server?.stop();
    await connector?.close();
  });

  it('answers every request with a 4xx or a card, never dies, stays under 300 MB, writes no temp file and changes no table but for legitimate turns', async () => {
    const cases = hostileCases(connector, patSession);
    const tempBefore = tempEntries(server.tmp);
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        seen[c.label] = (seen[c.label] ?? 0) + 1;
        const before = rowCounts(server.dbFile);
        const r = await rawRequest(server.port, c.request);
        assert.equal(server.exited(), null, `the server died after ${c.label}`);
        const after = rowCounts(server.dbFile);
        if (c.expect === 'refused') {
          assertRefusal(c, r);
          assert.deepEqual(after, before, `${c.label} changed the store`);
        } else if (c.expect === 'forged') {
          assertCardAnswer(c, r);
          // Remembering where to reach the sender is the only thing a turn from a real user may write.
          assert.deepEqual(without(after, 'conversation_references'), without(before, 'conversation_references'), `${c.label} changed the store`);
        } else {
          assert.equal(r.status, 200, `${c.label}: ${r.status} ${r.text.slice(0, 200)}`);
        }
        assert.ok(memoryOf(server.child.pid!).peak < RSS_LIMIT_BYTES, `peak RSS ${memoryOf(server.child.pid!).peak} after ${c.label}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The generators reached every kind of attack.
    for (const label of ['content-type', 'compressed', 'gzip bomb', 'oversized', 'multipart', 'form', 'broken json', 'mutated field', 'http method', 'forged action', 'huge text']) {
      assert.ok((seen[label] ?? 0) > 0, `no "${label}" request was generated (${JSON.stringify(seen)})`);
    }
    assert.deepEqual(tempEntries(server.tmp), tempBefore, 'no request body was written to disk');
    if (process.env.CHANNELCHECK_PRINT_FIGURES) process.stdout.write(`FIGURES ${JSON.stringify({ seen, peak: memoryOf(server.child.pid!).peak, peakSeen })}\n`);
  });

  it('survives the same attacks all at once: four gzip bombs, four 3 MB uploads, four 2 MB chunked bodies', async () => {
    const before = rowCounts(server.dbFile);
    const post = (headers: Record<string, string>, body: Buffer, chunked = false) => rawRequest(server.port, { method: 'POST', path: '/api/messages', headers, body, chunked });
    const boundary = 'b0undary';
    const answers = await Promise.all([
      ...['gzip', 'deflate', 'br', 'gzip'].map((enc) => post({ 'Content-Type': 'application/json', 'Content-Encoding': enc }, gzipBomb())),
      ...[1, 2, 3, 4].map(() => post({ 'Content-Type': `multipart/form-data; boundary=${boundary}` }, multipartBody(boundary, { type: 'message' }, { name: 'x.bin', bytes: 3 * 1024 * 1024 }))),
      ...[1, 2, 3, 4].map(() => post({ 'Content-Type': 'application/json' }, Buffer.alloc(2 * 1024 * 1024, 0x20), true)),
    ]);
    assert.deepEqual(answers.map((a) => a.status), [415, 415, 415, 415, 415, 415, 415, 415, 413, 413, 413, 413]);
    assert.equal(server.exited(), null);
    assert.deepEqual(rowCounts(server.dbFile), before);
    const { peak } = memoryOf(server.child.pid!);
    assert.ok(peak < RSS_LIMIT_BYTES, `peak RSS ${Math.round(peak / 1e6)} MB`);
    assert.ok(peakSeen < RSS_LIMIT_BYTES);
    assert.deepEqual(tempEntries(server.tmp), []);
  });

  it('wrote nothing but JSON log lines: botbuilder\'s own console output went through the logger', () => {
    assert.equal(server.stderr.join(''), '');
    const notJson = server.stdout.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(notJson, []);
  });
});

function message(connector: FakeBotConnector, from: Person, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: `m-${Math.abs(hash(text))}`,
    text,
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    from,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: conversationOf(from), conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-GB',
    ...extra,
  };
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < Math.min(s.length, 64); i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

function setPath(target: Record<string, any>, dotted: string, value: unknown): Record<string, any> {
  const copy = structuredClone(target);
  const keys = dotted.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}

/** The media types the server reads: application/json, with no charset or utf-8. */
function serverAccepts(contentType: string): boolean {
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  return type === 'application/json' && params.every((p) => !p.startsWith('charset') || /^charset\s*=\s*"?utf-?8"?$/.test(p));
}

function hostileCases(connector: FakeBotConnector, patSession: Record<string, unknown>): fc.Arbitrary<Case> {
  const post = (headers: Record<string, string>, body: Buffer, chunked = false): RawRequest => ({ method: 'POST', path: '/api/messages', headers, body, chunked });
  const JSON_TYPE = { 'Content-Type': 'application/json' };
  const valid = (text = 'help') => Buffer.from(JSON.stringify(message(connector, PEOPLE.pat, text)));
  const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

  const contentType = fc
    .oneof(
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/json-seq', 'application/json; charset=utf-16', 'application/jsonx', 'application/*', '*/*', ''),
      printable(60),
    )
    .filter((t) => !serverAccepts(t))
    .map((t): Case => ({ label: 'content-type', expect: 'refused', request: post(t === '' ? {} : { 'Content-Type': t }, valid()) }));

  const compressed = fc.constantFrom('gzip', 'deflate', 'br', 'x-gzip', 'compress', 'gzip, identity', 'identity, gzip', 'GZIP', 'zstd').map((enc): Case => {
    const body = enc.includes('br') ? zlib.brotliCompressSync(valid()) : enc.includes('deflate') ? zlib.deflateSync(valid()) : zlib.gzipSync(valid());
    return { label: 'compressed', expect: 'refused', request: post({ ...JSON_TYPE, 'Content-Encoding': enc }, body) };
  });

  const bomb = fc.record({ enc: fc.constantFrom('gzip', 'deflate'), chunked: fc.boolean() }).map(({ enc, chunked }): Case => ({
    label: 'gzip bomb',
    expect: 'refused',
    request: post({ ...JSON_TYPE, 'Content-Encoding': enc }, gzipBomb(), chunked),
  }));

  const oversized = fc.record({ extra: fc.integer({ min: 1, max: 2 * 1024 * 1024 }), chunked: fc.boolean() }).map(({ extra, chunked }): Case => ({
    label: 'oversized',
    expect: 'refused',
    request: post(JSON_TYPE, Buffer.from(JSON.stringify(message(connector, PEOPLE.pat, 'x'.repeat(256 * 1024 + extra)))), chunked),
  }));

  const multipart = fc.record({ bytes: fc.integer({ min: 0, max: 3 * 1024 * 1024 }), chunked: fc.boolean(), boundary: fc.stringMatching(/^[A-Za-z0-9]{1,40}$/) }).map(({ bytes, chunked, boundary }): Case => ({
    label: 'multipart',
    expect: 'refused',
    request: post({ 'Content-Type': `multipart/form-data; boundary=${boundary}` }, multipartBody(boundary, { type: 'message', text: 'new check', 'from[id]': PEOPLE.pat.id }, { name: 'upload.bin', bytes }), chunked),
  }));

  const form = fc.dictionary(printable(12), printable(40), { maxKeys: 8 }).map((fields): Case => ({
    label: 'form',
    expect: 'refused',
    request: post({ 'Content-Type': 'application/x-www-form-urlencoded' }, formBody({ ...fields, type: 'message', text: 'new check', 'from[id]': PEOPLE.pat.id, 'conversation[id]': 'c', serviceUrl: connector.serviceUrl })),
  }));

  const brokenJson = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.integer({ min: 1, max: 400 }).map((n) => valid().toString('utf8').slice(0, n)),
      fc.integer({ min: 33, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
      fc.integer({ min: 33, max: 5_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
      fc.constantFrom('', 'null', '[]', '"message"', '{"__proto__":{"type":"message"}}', '\uFEFF{}', '{"type":"message","from":{"id":"29:pat"}'),
    )
    .map((text): Case => ({ label: 'broken json', expect: 'refused', request: post(JSON_TYPE, Buffer.from(text)) }));

  // Never a value JSON turns into null (NaN): null is how a channel says "absent" in an optional field.
  const wrongValue = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.constant({ $ne: null }));
  const requiredFields = ['type', 'from', 'from.id', 'recipient', 'recipient.id', 'conversation', 'conversation.id', 'serviceUrl'];
  const optionalFields = ['from.aadObjectId', 'from.name', 'conversation.tenantId', 'conversation.conversationType', 'channelData.tenant.id', 'text', 'replyToId', 'name', 'id', 'channelId'];
  const mutated = fc
    .oneof(
      fc.record({ field: fc.constantFrom(...requiredFields), value: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), wrongValue, fc.integer({ min: 2100, max: 20_000 }).map((n) => 'y'.repeat(n))) }),
      fc.record({ field: fc.constantFrom(...optionalFields), value: wrongValue }),
      fc.record({ field: fc.constantFrom('from.name', 'from.aadObjectId', 'conversation.tenantId', 'from.id'), value: fc.integer({ min: 1100, max: 50_000 }).map((n) => 'z'.repeat(n)) }),
      fc.record({ field: fc.constant('serviceUrl'), value: fc.constantFrom('file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'ftp://127.0.0.1/') }),
    )
    .map(({ field, value }): Case => ({
      label: 'mutated field',
      expect: 'refused',
      request: post(JSON_TYPE, Buffer.from(JSON.stringify(setPath(message(connector, PEOPLE.pat, 'new check'), field, value)))),
    }));

  const method = fc
    .record({
      method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE', 'BREW', 'SEARCH'),
      path: fc.constantFrom('/api/messages', '/', '/admin', '/api/messages/x', '/%2e%2e/etc/passwd', '/api/messages?x=1', '/healthz/..'),
    })
    .map(({ method: m, path: p }): Case => ({ label: 'http method', expect: 'refused', request: { method: m, path: p } }));
  const postElsewhere = fc.constantFrom('/', '/api', '/api/messages/', '/api/messages/1', '/readyz', '/API/MESSAGES').map((p): Case => ({ label: 'http method', expect: 'refused', request: { method: 'POST', path: p, headers: JSON_TYPE, body: valid() } }));

  const others = [PEOPLE.mallory, PEOPLE.alex, PEOPLE.lee, PEOPLE.sam];
  const verb = fc.oneof(fc.constantFrom('wizard.next', 'wizard.back', 'wizard.cancel', 'approval.approve', 'approval.decline', 'approval.refresh', 'escalation.acknowledge'), fc.stringMatching(/^[a-z][a-z.]{0,30}$/).filter((v) => v !== 'wizard.start'), printable(30));
  const forged = fc
    .record({ who: fc.constantFrom(...others), verb, id: fc.uuid(), extra: fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,10}$/), fc.oneof(fc.string({ maxLength: 50 }), fc.integer()), { maxKeys: 4 }) })
    .map(({ who, verb: v, id, extra }): Case => {
      const data = { ...extra, ...patSession, approvalId: id, escalationId: id, decisionId: id, verb: v };
      const invoke = message(connector, who, '', { type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: v, data } } });
      return { label: 'forged action', expect: 'forged', request: post(JSON_TYPE, Buffer.from(JSON.stringify(invoke))) };
    });

  const hugeText = fc.record({ who: fc.constantFrom(PEOPLE.pat, PEOPLE.lee, PEOPLE.mallory), n: fc.integer({ min: 1, max: 200 * 1024 }), unit: fc.constantFrom('a', 'é', '🙂', '\u0000', '<script>', "'; drop table decisions; --") }).map(({ who, n, unit }): Case => ({
    label: 'huge text',
    expect: 'legit',
    // Up to 200 KB as JSON (escapes counted), under the 256 KB limit: a legitimate, if odd, message.
    request: post({ 'Content-Type': 'application/json; charset=utf-8' }, Buffer.from(JSON.stringify(message(connector, who, unit.repeat(Math.max(1, Math.floor(n / (Buffer.byteLength(JSON.stringify(unit)) - 2)))))))),
  }));

  return fc.oneof(contentType, compressed, bomb, oversized, multipart, form, brokenJson, mutated, method, postElsewhere, forged, hugeText).map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }));
}

/** How a failing case is reported: the request line, its headers and the start of its body, not megabytes of it. */
function describeCase(c: Case): string {
  const body = c.request.body ?? Buffer.alloc(0);
  const start = body.subarray(0, 160).toString('utf8').replace(/[^\x20-\x7e]/g, '.');
  return `${c.label} (${c.expect}): ${c.request.method} ${c.request.path} ${JSON.stringify(c.request.headers ?? {})}${c.request.chunked ? ' chunked' : ''} body ${body.length} bytes: ${start}`;
}

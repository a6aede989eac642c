import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config';
import { CachedDirectory } from '../../src/directory/cachedDirectory';
import { EmptyDirectory, createDirectory } from '../../src/directory/createDirectory';
import { DirectoryFileError, FileDirectory } from '../../src/directory/directoryFile';
import { PROJECT_ROOT } from '../../src/paths';
import { FakeGraph, FakeTokenEndpoint, graphUser, TEST_CA } from './fakeEntra';

const PAT = 'aaaaaaaa-0000-0000-0000-000000000001';
const LEE = 'aaaaaaaa-0000-0000-0000-000000000002';
const EXAMPLE = path.join(PROJECT_ROOT, 'env', 'directory.example.yaml');
const APP = { MicrosoftAppId: 'cccccccc-0000-0000-0000-00000000000b', MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppTenantId: 'bbbbbbbb-0000-0000-0000-00000000000a' };

function config(env: Record<string, string>) {
  return loadConfig({ NODE_ENV: 'test', CHANNELCHECK_COUNCIL: 'testshire', ...env }, ['testshire']);
}

function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('createDirectory', function () {
  this.timeout(8000);

  it('with nothing configured: an empty directory, and a warning that managers cannot be found', async function () {
    const { log, lines } = capturingLogger();
    const dir = await createDirectory(config({}), log);
    assert.ok(dir instanceof EmptyDirectory);
    assert.equal(await dir.managerOf(PAT), null);
    assert.deepEqual(await dir.reportsOf(LEE), []);
    assert.deepEqual(await dir.delegatesOf(LEE), []);
    assert.deepEqual(await dir.escalationContactsFor(PAT), { headOfService: null });
    const warning = lines.find((l) => l.level === 40);
    assert.match(warning?.msg ?? '', /line managers cannot be found/);
  });

  it('with a directory file: the file', async function () {
    const { log } = capturingLogger();
    const dir = await createDirectory(config({ CHANNELCHECK_DIRECTORY_FILE: EXAMPLE }), log);
    assert.ok(dir instanceof FileDirectory);
    assert.equal((await dir.managerOf(PAT))?.displayName, 'Lee Manager');
  });

  it('with an invalid directory file: refuses to start, naming the problem', async function () {
    const { log } = capturingLogger();
    await assert.rejects(createDirectory(config({ CHANNELCHECK_DIRECTORY_FILE: path.join(PROJECT_ROOT, 'env', 'no-such-directory.yaml') }), log), DirectoryFileError);
  });

  it('Graph mode needs the app id, secret and tenant, and https', async function () {
    const { log } = capturingLogger();
    await assert.rejects(
      createDirectory(config({ CHANNELCHECK_DIRECTORY_GRAPH: 'true', MicrosoftAppId: APP.MicrosoftAppId }), log),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('MicrosoftAppPassword')) && e.problems.some((p) => p.startsWith('MicrosoftAppTenantId')),
    );
    await assert.rejects(
      createDirectory(config({ CHANNELCHECK_DIRECTORY_GRAPH: 'true', ...APP, CHANNELCHECK_GRAPH_BASE_URL: 'http://graph.example.org/v1.0' }), log),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => /^CHANNELCHECK_GRAPH_BASE_URL: must use https/.test(p)),
    );
  });

  describe('Graph mode against loopback fakes', function () {
    let token: FakeTokenEndpoint;
    let graph: FakeGraph;
    beforeEach(async function () {
      token = await new FakeTokenEndpoint().start();
      graph = await new FakeGraph().start();
      graph.on(`/v1.0/users/${PAT}/manager`, { status: 200, body: graphUser(LEE, 'Lee Manager (from Graph)') });
    });
    afterEach(async function () {
      await Promise.all([token.stop(), graph.stop()]);
    });

    const graphEnv = (extra: Record<string, string> = {}) => ({
      ...APP,
      CHANNELCHECK_DIRECTORY_GRAPH: 'true',
      CHANNELCHECK_GRAPH_BASE_URL: graph.baseUrl,
      CHANNELCHECK_AUTHORITY_HOST: token.authorityHost,
      ...extra,
    });

    it('managers from Graph, cached for cacheSeconds; Head of Service and delegates from the file', async function () {
      const { log } = capturingLogger();
      const dir = await createDirectory(config(graphEnv({ CHANNELCHECK_DIRECTORY_FILE: EXAMPLE, CHANNELCHECK_DIRECTORY_CACHE_SECONDS: '60' })), log, { authorityCa: TEST_CA });
      assert.ok(dir instanceof CachedDirectory);
      assert.deepEqual(await dir.managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager (from Graph)' });
      assert.deepEqual(await dir.managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager (from Graph)' });
      assert.equal(graph.requestsTo(`/v1.0/users/${PAT}/manager`).length, 1, 'the second answer came from the cache');
      assert.equal(graph.requests[0]?.headers.authorization, 'Bearer fake-graph-token-1');
      assert.equal((await dir.escalationContactsFor(PAT)).headOfService?.displayName, 'Sam Head');
      assert.deepEqual((await dir.delegatesOf(LEE)).map((p) => p.displayName), ['Jo Deputy']);
    });

    it('without a file: no Head of Service or delegates; cacheSeconds 0 turns the cache off', async function () {
      const { log } = capturingLogger();
      const dir = await createDirectory(config(graphEnv({ CHANNELCHECK_DIRECTORY_CACHE_SECONDS: '0' })), log, { authorityCa: TEST_CA });
      assert.ok(!(dir instanceof CachedDirectory));
      await dir.managerOf(PAT);
      await dir.managerOf(PAT);
      assert.equal(graph.requestsTo(`/v1.0/users/${PAT}/manager`).length, 2);
      assert.deepEqual(await dir.escalationContactsFor(PAT), { headOfService: null });
      assert.deepEqual(await dir.delegatesOf(LEE), []);
    });
  });
});

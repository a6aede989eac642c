import assert from 'node:assert/strict';
import sinon from 'sinon';
import { CachedDirectory } from '../../src/directory/cachedDirectory';
import type { Directory, DirectoryAsker, Person } from '../../src/domain/ports/directory';

const PAT = 'aaaaaaaa-0000-0000-0000-000000000001';
const LEE: Person = { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000002', displayName: 'Lee Manager' };

/** A directory whose answers are sinon stubs, so the test can count the calls. */
function stubDirectory() {
  return {
    managerOf: sinon.stub<[string, DirectoryAsker?], Promise<Person | null>>().resolves(LEE),
    reportsOf: sinon.stub<[string, DirectoryAsker?], Promise<Person[]>>().resolves([{ aadObjectId: PAT, displayName: 'Pat Practitioner' }]),
    delegatesOf: sinon.stub<[string], Promise<Person[]>>().resolves([]),
    escalationContactsFor: sinon.stub<[string], Promise<{ headOfService: Person | null }>>().resolves({ headOfService: null }),
  } satisfies Directory;
}

describe('cached directory', function () {
  this.timeout(2000);
  let clock: number;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('answers from the cache within the TTL and asks again after it', async function () {
    const inner = stubDirectory();
    const dir = new CachedDirectory(inner, { ttlMs: 300_000, now });
    assert.deepEqual(await dir.managerOf(PAT), LEE);
    clock += 299_999;
    assert.deepEqual(await dir.managerOf(PAT), LEE);
    assert.equal(inner.managerOf.callCount, 1);
    clock += 1;
    inner.managerOf.resolves(null);
    assert.equal(await dir.managerOf(PAT), null, 'a changed manager is seen once the entry expires');
    assert.equal(inner.managerOf.callCount, 2);
  });

  it('asks the directory behind it on behalf of the turn that missed the cache', async function () {
    const inner = stubDirectory();
    const dir = new CachedDirectory(inner, { ttlMs: 300_000, now });
    await dir.managerOf(PAT, { correlationId: 'turn-1' });
    await dir.managerOf(PAT, { correlationId: 'turn-2' });
    await dir.reportsOf(LEE.aadObjectId, { correlationId: 'turn-3' });
    assert.deepEqual(inner.managerOf.args, [[PAT, { correlationId: 'turn-1' }]]);
    assert.deepEqual(inner.reportsOf.args, [[LEE.aadObjectId, { correlationId: 'turn-3' }]]);
  });

  it('caches "no manager" (an answer), per user and per question, ignoring id case', async function () {
    const inner = stubDirectory();
    inner.managerOf.resolves(null);
    const dir = new CachedDirectory(inner, { ttlMs: 60_000, now });
    assert.equal(await dir.managerOf(PAT), null);
    assert.equal(await dir.managerOf(PAT.toUpperCase()), null);
    assert.equal(inner.managerOf.callCount, 1);
    await dir.managerOf(LEE.aadObjectId);
    await dir.reportsOf(PAT);
    await dir.reportsOf(PAT);
    await dir.delegatesOf(PAT);
    await dir.escalationContactsFor(PAT);
    await dir.escalationContactsFor(PAT);
    assert.equal(inner.managerOf.callCount, 2);
    assert.equal(inner.reportsOf.callCount, 1);
    assert.equal(inner.delegatesOf.callCount, 1);
    assert.equal(inner.escalationContactsFor.callCount, 1);
  });

  it('does not cache failures', async function () {
    const inner = stubDirectory();
    inner.managerOf.onFirstCall().rejects(new Error('Graph down'));
    const dir = new CachedDirectory(inner, { ttlMs: 60_000, now });
    await assert.rejects(dir.managerOf(PAT), /Graph down/);
    assert.deepEqual(await dir.managerOf(PAT), LEE, 'the next call asks again');
    assert.deepEqual(await dir.managerOf(PAT), LEE);
    assert.equal(inner.managerOf.callCount, 2);
  });

  it('shares one request between concurrent callers, and a shared failure is not kept', async function () {
    const inner = stubDirectory();
    let fail!: (e: Error) => void;
    inner.managerOf.onFirstCall().returns(new Promise((_, reject) => (fail = reject)));
    const dir = new CachedDirectory(inner, { ttlMs: 60_000, now });
    const a = dir.managerOf(PAT);
    const b = dir.managerOf(PAT);
    fail(new Error('timeout'));
    await assert.rejects(a, /timeout/);
    await assert.rejects(b, /timeout/);
    assert.equal(inner.managerOf.callCount, 1);
    assert.deepEqual(await dir.managerOf(PAT), LEE);
    assert.equal(inner.managerOf.callCount, 2);
  });

  it('hands out copies, so a caller cannot change what others are told', async function () {
    const inner = stubDirectory();
    const dir = new CachedDirectory(inner, { ttlMs: 60_000, now });
    const first = await dir.reportsOf(LEE.aadObjectId);
    first.pop();
    assert.equal((await dir.reportsOf(LEE.aadObjectId)).length, 1);
  });

  it('with a TTL of 0 always asks', async function () {
    const inner = stubDirectory();
    const dir = new CachedDirectory(inner, { ttlMs: 0, now });
    await dir.managerOf(PAT);
    await dir.managerOf(PAT);
    assert.equal(inner.managerOf.callCount, 2);
  });

  it('keeps at most maxEntries answers, dropping the oldest', async function () {
    const inner = stubDirectory();
    const dir = new CachedDirectory(inner, { ttlMs: 60_000, now, maxEntries: 2 });
    await dir.managerOf('a');
    await dir.managerOf('b');
    await dir.managerOf('c');
    await dir.managerOf('c');
    await dir.managerOf('b');
    assert.equal(inner.managerOf.callCount, 3);
    await dir.managerOf('a');
    assert.equal(inner.managerOf.callCount, 4);
  });

  it('uses the real clock by default (sinon fake timers)', async function () {
    const timers = sinon.useFakeTimers({ now: 0, toFake: ['Date'] });
    try {
      const inner = stubDirectory();
      const dir = new CachedDirectory(inner, { ttlMs: 5_000 });
      await dir.managerOf(PAT);
      timers.tick(4_999);
      await dir.managerOf(PAT);
      assert.equal(inner.managerOf.callCount, 1);
      timers.tick(1);
      await dir.managerOf(PAT);
      assert.equal(inner.managerOf.callCount, 2);
    } finally {
      timers.restore();
    }
  });
});

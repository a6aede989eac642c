/** Waiting for a busy SQLite file asynchronously, on an injected clock and sleep. */
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../src/domain/ports/storeUnavailable';
import { BusyRetry } from '../../src/store/busyRetry';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    clock: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    /** What one attempt costs: SQLite's own short busy timeout. */
    spend: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

describe('busy retry (SQLite lock waits off the event loop)', function () {
  it('retries a busy attempt with growing pauses and succeeds once the lock is free', async function () {
    const time = fakeTime();
    const retry = new BusyRetry({ budgetMs: 1500, clock: time.clock, sleep: time.sleep, random: () => 0.5 });
    let attempts = 0;
    const result = await retry.run(0, { mayRetry: true, write: true }, async () => {
      attempts += 1;
      time.spend(20);
      if (attempts < 6) throw busy();
      return 'written';
    });
    assert.equal(result, 'written');
    assert.equal(attempts, 6);
    assert.ok(time.sleeps.every((ms, i) => i === 0 || ms >= time.sleeps[i - 1]!), `pauses grow: ${time.sleeps.join(', ')}`);
    assert.equal(retry.busy, false);
  });

  it('gives up with StoreUnavailableError(busy) once the budget, counted from when the operation asked, is spent', async function () {
    const time = fakeTime();
    const retry = new BusyRetry({ budgetMs: 1500, clock: time.clock, sleep: time.sleep, random: () => 0.5 });
    const askedAt = time.clock();
    time.spend(400); // waited for the connection behind another operation
    let attempts = 0;
    await assert.rejects(
      retry.run(askedAt, { mayRetry: true, write: true }, async () => {
        attempts += 1;
        time.spend(20);
        throw busy();
      }),
      (e: unknown) => e instanceof StoreUnavailableError && e.reason === 'busy' && /gave up after 1(499|5\d\d) ms/.test(e.message),
    );
    assert.ok(time.clock() <= askedAt + 1500 + 20, `never past the budget (${time.clock()})`);
    assert.ok(attempts > 5);
    assert.equal(retry.busy, true);
  });

  it('never waits past the budget, whatever the jitter: 500 operations, each with its own jitter sequence', async function () {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647); // deterministic, [0, 1)
    for (let i = 0; i < 500; i++) {
      const time = fakeTime();
      const retry = new BusyRetry({ budgetMs: 1500, clock: time.clock, sleep: time.sleep, random });
      const spend = 1 + (i % 37) / 7; // attempts of uneven length, so what is left of the budget is fractional
      await assert.rejects(retry.run(0, { mayRetry: true, write: true }, async () => {
        time.spend(spend);
        throw busy();
      }), StoreUnavailableError);
      assert.ok(time.clock() <= 1500 + spend, `operation ${i}: waited until ${time.clock()} ms, past the budget and one attempt`);
    }
  });

  it('once known busy, later operations fail at once instead of each waiting a budget; a successful write ends it', async function () {
    const time = fakeTime();
    const retry = new BusyRetry({ budgetMs: 1500, clock: time.clock, sleep: time.sleep });
    await assert.rejects(retry.run(0, { mayRetry: true, write: true }, async () => { time.spend(20); throw busy(); }));
    const before = time.clock();
    let attempts = 0;
    await assert.rejects(retry.run(before, { mayRetry: true, write: true }, async () => { attempts += 1; throw busy(); }), StoreUnavailableError);
    assert.equal(attempts, 1);
    assert.equal(time.clock(), before, 'no waiting');
    // A read that succeeds (WAL lets reads through) does not end it; a write does.
    await retry.run(time.clock(), { mayRetry: true, write: false }, async () => 'read');
    assert.equal(retry.busy, true);
    await retry.run(time.clock(), { mayRetry: true, write: true }, async () => 'written');
    assert.equal(retry.busy, false);
  });

  it('never retries a statement inside a transaction, and passes other errors through untouched', async function () {
    const time = fakeTime();
    const retry = new BusyRetry({ budgetMs: 1500, clock: time.clock, sleep: time.sleep });
    let attempts = 0;
    await assert.rejects(retry.run(0, { mayRetry: false, write: false }, async () => { attempts += 1; throw busy(); }), StoreUnavailableError);
    assert.equal(attempts, 1);
    const other = new Error('constraint');
    await assert.rejects(retry.run(0, { mayRetry: true, write: true }, async () => { throw other; }), (e) => e === other);
  });
});

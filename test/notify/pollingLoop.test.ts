/** The background loop backs off while the store cannot be used, on fake timers. */
import assert from 'node:assert/strict';
import pino from 'pino';
import { StoreUnavailableError } from '../../src/domain/ports/storeUnavailable';
import { type LoopTimers, PollingLoop } from '../../src/notify/pollingLoop';

class FakeTimers implements LoopTimers {
  readonly waits: number[] = [];
  private pending: (() => void) | null = null;
  set(fn: () => void, ms: number): unknown {
    this.waits.push(ms);
    this.pending = fn;
    return fn;
  }
  clear(): void {
    this.pending = null;
  }
  /** Fires the scheduled pass and lets it finish. */
  async fire(): Promise<void> {
    const fn = this.pending;
    this.pending = null;
    fn?.();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

describe('polling loop: backing off while the store is busy', function () {
  it('doubles the wait after each failed pass up to the cap, and polls normally again after a success', async function () {
    const timers = new FakeTimers();
    let failing = 8;
    let passes = 0;
    const loop = new PollingLoop({
      pollMs: 1000,
      maxBackoffMs: 30_000,
      batchSize: 10,
      name: 'test loop',
      workerId: 'w1',
      log: pino({ level: 'silent' }),
      timers,
      pass: async () => {
        passes += 1;
        if (failing-- > 0) throw new StoreUnavailableError('busy');
        return { claimed: 0 };
      },
    });
    loop.start();
    for (let i = 0; i < 10; i++) await timers.fire();
    await loop.stop();
    assert.equal(passes, 10);
    // start, then after 8 failures 2 s, 4 s, 8 s, 16 s, 30 s (capped)..., then the poll again.
    assert.deepEqual(timers.waits, [0, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000, 1000, 1000]);
    assert.equal(loop.consecutiveFailures, 0);
  });

  it('a wake() while backing off does not hammer the busy store', async function () {
    const timers = new FakeTimers();
    let passes = 0;
    const loop = new PollingLoop({
      pollMs: 1000, batchSize: 10, name: 'test loop', workerId: 'w1', log: pino({ level: 'silent' }), timers,
      pass: async () => {
        passes += 1;
        throw new StoreUnavailableError('busy');
      },
    });
    loop.start();
    await timers.fire();
    loop.wake();
    loop.wake();
    assert.equal(passes, 1);
    assert.deepEqual(timers.waits, [0, 2000]);
    await loop.stop();
  });
});

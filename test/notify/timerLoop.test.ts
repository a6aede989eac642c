/** The timer loop on a real SQLite store, with dummy handlers and a clock the test moves. */
import assert from 'node:assert/strict';
import type { ChannelCheckStore, Timer } from '../../src/domain/ports/store';
import { TimerLoop, type TimerLoopOptions } from '../../src/notify/timerLoop';
import { sqliteHarness } from '../store/sqliteHarness';
import { type TestDatabase, TestClock } from '../store/storeHarness';
import { captureLog, type LogLine, waitFor } from './notifyHarness';

describe('notify: timer loop (SQLite)', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: ChannelCheckStore;
  let clock: TestClock;
  let lines: LogLine[];
  let log: TimerLoopOptions['log'];
  const loops: TimerLoop[] = [];

  function loop(handlers: TimerLoopOptions['handlers'], options: Partial<TimerLoopOptions> = {}): TimerLoop {
    const l = new TimerLoop({ store, handlers, log, workerId: 'timers-a', leaseMs: 60_000, now: clock.now, ...options });
    loops.push(l);
    return l;
  }

  async function firedAt(id: string): Promise<string | null> {
    const row = await db.raw().selectFrom('timers').select('fired_at').where('id', '=', id).executeTakeFirstOrThrow();
    return row.fired_at;
  }

  beforeEach(async () => {
    clock = new TestClock();
    db = await sqliteHarness().newDatabase();
    store = await db.open({ now: clock.now });
    ({ log, lines } = captureLog());
  });

  afterEach(async () => {
    for (const l of loops.splice(0)) await l.stop();
    await db.drop();
  });

  it('hands each due timer to the handler for its kind and marks it fired; future timers wait', async () => {
    const [due1, due2, later] = await store.scheduleTimers([
      { kind: 'escalation_ack_due', refId: 'esc-1', dueAt: clock.now() },
      { kind: 'reminder', refId: 'esc-2', dueAt: new Date(clock.now().getTime() - 1000) },
      { kind: 'escalation_ack_due', refId: 'esc-3', dueAt: new Date(clock.now().getTime() + 15 * 60_000) },
    ]);
    const seen: string[] = [];
    const l = loop({
      escalation_ack_due: async (t: Timer) => void seen.push(`ack:${t.refId}`),
      reminder: async (t: Timer) => void seen.push(`reminder:${t.refId}`),
    });
    assert.deepEqual(await l.runOnce(), { claimed: 2, fired: 2, failed: 0, leaseLost: 0 });
    assert.deepEqual(seen.sort(), ['ack:esc-1', 'reminder:esc-2']);
    assert.notEqual(await firedAt(due1!.id), null);
    assert.notEqual(await firedAt(due2!.id), null);
    assert.equal(await firedAt(later!.id), null);
    assert.deepEqual(await l.runOnce(), { claimed: 0, fired: 0, failed: 0, leaseLost: 0 }, 'a fired timer never fires again');

    clock.advance(15 * 60_000);
    assert.equal((await l.runOnce()).fired, 1);
    assert.deepEqual(seen.sort(), ['ack:esc-1', 'ack:esc-3', 'reminder:esc-2']);
  });

  it('leaves a timer whose handler throws to be retried after its lease expires', async () => {
    const [timer] = await store.scheduleTimers([{ kind: 'escalation_ack_due', refId: 'esc-9', dueAt: clock.now() }]);
    let calls = 0;
    const l = loop({
      escalation_ack_due: async () => {
        calls += 1;
        if (calls === 1) throw new Error('the directory is down');
      },
    });
    assert.deepEqual(await l.runOnce(), { claimed: 1, fired: 0, failed: 1, leaseLost: 0 });
    assert.equal(await firedAt(timer!.id), null);
    assert.ok(lines.some((x) => x.level === 50 && x.timerId === timer!.id && /will be retried/.test(x.msg)));

    clock.advance(30_000);
    assert.equal((await l.runOnce()).claimed, 0, 'still leased: not retried early');
    clock.advance(30_001);
    assert.deepEqual(await l.runOnce(), { claimed: 1, fired: 1, failed: 0, leaseLost: 0 });
    assert.equal(calls, 2);
    assert.notEqual(await firedAt(timer!.id), null);
  });

  it('logs an alert for a timer kind with no handler and keeps the timer for a later deploy', async () => {
    const [timer] = await store.scheduleTimers([{ kind: 'mystery', refId: 'x', dueAt: clock.now() }]);
    const l = loop({});
    assert.deepEqual(await l.runOnce(), { claimed: 1, fired: 0, failed: 1, leaseLost: 0 });
    assert.ok(lines.some((x) => x.alert === true && x.kind === 'mystery'));
    assert.equal(await firedAt(timer!.id), null);
    clock.advance(60_001);
    const withHandler = loop({ mystery: async () => undefined }, { workerId: 'timers-b' });
    assert.equal((await withHandler.runOnce()).fired, 1);
  });

  it('a cancelled timer is not handed out, and a timer cancelled while its handler ran is reported, not fired', async () => {
    const [cancelled, racing] = await store.scheduleTimers([
      { kind: 'escalation_ack_due', refId: 'esc-acked', dueAt: clock.now() },
      { kind: 'escalation_ack_due', refId: 'esc-racing', dueAt: clock.now() },
    ]);
    await store.cancelTimersFor('esc-acked');
    const handled: string[] = [];
    const l = loop({
      escalation_ack_due: async (t) => {
        handled.push(t.refId);
        await store.cancelTimersFor(t.refId); // acknowledged while the handler ran
      },
    });
    assert.deepEqual(await l.runOnce(), { claimed: 1, fired: 0, failed: 0, leaseLost: 1 });
    assert.deepEqual(handled, ['esc-racing']);
    assert.equal(await firedAt(cancelled!.id), null);
    assert.equal(await firedAt(racing!.id), null);
  });

  it('polls on its own once started, and stops', async () => {
    const realClockStore = await db.open();
    const [timer] = await realClockStore.scheduleTimers([{ kind: 'tick', refId: 'r', dueAt: new Date() }]);
    let handled = 0;
    const l = new TimerLoop({ store: realClockStore, handlers: { tick: async () => void (handled += 1) }, log, pollMs: 10 });
    loops.push(l);
    l.start();
    await waitFor('the timer to fire', async () => (await firedAt(timer!.id)) !== null, 5000);
    await l.stop();
    assert.equal(handled, 1);
  });
});

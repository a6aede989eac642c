/**
 * A replica that dies on PostgreSQL: its claimed outbox rows and timers come back to another replica when their
 * lease runs out, on a fake clock (no figure depends on the machine's speed). Replica A claims an urgent alert, a
 * routine message and an escalation timer, starts on them and dies (its sends and its handler never return, its
 * pool is closed); replica B polls every second. Everything is delivered (or fired) once, by B, no earlier than
 * the lease (never two workers on one row) and within lease + one poll of the crash. The figures are printed
 * (docs/reliability.md). No server: with CI=true the run fails; otherwise a loud warning and the tests are
 * pending, never passed.
 */
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { ESCALATION_TIMER_KIND } from '../../src/domain/escalations';
import type { ChannelCheckStore, Timer } from '../../src/domain/ports/store';
import { seededRandom } from '../../src/notify/backoff';
import { OutboxDispatcher } from '../../src/notify/outboxDispatcher';
import type { ProactiveSender } from '../../src/notify/proactiveSender';
import { TimerLoop } from '../../src/notify/timerLoop';
import { postgresHarness, requirePostgres } from '../store/postgresHarness';
import type { TestDatabase } from '../store/storeHarness';
import { FakeBotConnector } from '../support/fakeBotConnector';
import { FakeClock } from './faultRun';
import { captureLog, cardMessage, senderFor, storeReference, textMessage, toUser } from './notifyHarness';

/** The leases the app uses (src/app.ts), from the default settings. */
const CONFIG = loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon' }, ['hillingdon']);
const OUTBOX_LEASE_MS = CONFIG.dispatcher.leaseSeconds * 1000;
const TIMER_LEASE_MS = Math.min(CONFIG.dispatcher.leaseSeconds * 1000, 60_000);
const POLL_MS = 1000;

/** A process stopped dead mid-send: nothing it started ever returns. */
const deadSender: ProactiveSender = {
  sendToUser: () => new Promise(() => undefined),
  sendToConversation: () => new Promise(() => undefined),
  updateCard: () => new Promise(() => undefined),
};

describe('notify: a replica dies on PostgreSQL; another delivers what it held (fake clock)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let fake: FakeBotConnector;
  let clock: FakeClock;
  let a: ChannelCheckStore;
  let b: ChannelCheckStore;

  before(async function () {
    await requirePostgres(this, 'the PostgreSQL crash-reclaim tests');
  });

  beforeEach(async () => {
    clock = new FakeClock(Date.parse('2026-03-03T10:00:00.000Z'));
    fake = await FakeBotConnector.start({ now: clock.nowMs });
    db = await postgresHarness().newDatabase();
    [a, b] = await db.openReplicas({ now: clock.now });
  });

  afterEach(async () => {
    await fake?.close();
    await db?.drop();
  });

  it(`outbox rows claimed by a replica that died are delivered by the other within the ${OUTBOX_LEASE_MS / 1000} s lease + one poll, once each`, async () => {
    const { log } = captureLog('warn');
    await storeReference(b, fake, 'aad-manager-1', 'a:manager-1');
    await storeReference(b, fake, 'aad-prac-1', 'a:prac-1');
    await b.enqueue([{ ...cardMessage('alert:esc-c1:manager', toUser('aad-manager-1'), { urgent: true }), urgent: true }, textMessage('notice:c1', toUser('aad-prac-1'))]);

    const dying = new OutboxDispatcher({ store: a, sender: deadSender, log, escalationChannelId: null, workerId: 'replica-a', leaseMs: OUTBOX_LEASE_MS, now: clock.now, sleep: clock.sleep, random: seededRandom(1) });
    void dying.runOnce();
    const claimedAt = clock.ms;
    for (let i = 0; i < 100 && (await db.raw().selectFrom('outbox').select('status').where('claimed_by', '=', 'replica-a').execute()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await db.raw().selectFrom('outbox').select('id').where('claimed_by', '=', 'replica-a').where('status', '=', 'in_flight').execute()).length, 2, 'replica A holds both rows');
    await a.close(); // the process is gone: its connections with it

    const survivor = new OutboxDispatcher({ store: b, sender: senderFor(fake, b, log, 3000), log, escalationChannelId: null, workerId: 'replica-b', leaseMs: OUTBOX_LEASE_MS, now: clock.now, sleep: clock.sleep, random: seededRandom(2) });
    const delivered = () => fake.calls.filter((c) => c.effective && c.idempotencyKey !== null);
    while (delivered().length < 2 && clock.ms - claimedAt <= OUTBOX_LEASE_MS + 10 * POLL_MS) {
      await survivor.runOnce();
      if (delivered().length < 2) clock.advance(POLL_MS);
    }
    const keys = delivered().map((c) => c.idempotencyKey).sort();
    assert.deepEqual(keys, ['alert:esc-c1:manager', 'notice:c1'], 'each delivered once');
    const after = delivered().map((c) => c.at - claimedAt);
    const last = Math.max(...after);
    process.stdout.write(`      outbox: delivered by replica B ${after.map((ms) => `${ms / 1000} s`).join(', ')} after replica A claimed them and died (lease ${OUTBOX_LEASE_MS / 1000} s, poll ${POLL_MS / 1000} s)\n`);
    assert.ok(Math.min(...after) >= OUTBOX_LEASE_MS, 'not before the lease ran out: never two workers on one row');
    assert.ok(last <= OUTBOX_LEASE_MS + POLL_MS, `within the lease + one poll: ${last} ms`);
    const rows = await db.raw().selectFrom('outbox').select(['status', 'claimed_by']).execute();
    assert.deepEqual(rows.map((r) => r.status), ['sent', 'sent']);
  });

  it(`an escalation timer claimed by a replica that died fires on the other within the ${TIMER_LEASE_MS / 1000} s lease + one poll, once`, async () => {
    const { log } = captureLog('warn');
    const [timer] = await b.scheduleTimers([{ kind: ESCALATION_TIMER_KIND, refId: 'esc-c2', dueAt: clock.now() }]);
    const dying = new TimerLoop({ store: a, log, workerId: 'replica-a', leaseMs: TIMER_LEASE_MS, now: clock.now, handlers: { [ESCALATION_TIMER_KIND]: () => new Promise(() => undefined) } });
    void dying.runOnce();
    const claimedAt = clock.ms;
    for (let i = 0; i < 100 && (await db.raw().selectFrom('timers').select('id').where('claimed_by', '=', 'replica-a').execute()).length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await a.close();

    const fired: Array<{ timer: Timer; at: number }> = [];
    const survivor = new TimerLoop({ store: b, log, workerId: 'replica-b', leaseMs: TIMER_LEASE_MS, now: clock.now, handlers: { [ESCALATION_TIMER_KIND]: async (t) => void fired.push({ timer: t, at: clock.ms }) } });
    while (fired.length === 0 && clock.ms - claimedAt <= TIMER_LEASE_MS + 10 * POLL_MS) {
      await survivor.runOnce();
      if (fired.length === 0) clock.advance(POLL_MS);
    }
    for (let i = 0; i < 5; i++) {
      clock.advance(POLL_MS);
      await survivor.runOnce();
    }
    assert.deepEqual(fired.map((f) => f.timer.id), [timer!.id], 'fired once, by replica B');
    const after = fired[0]!.at - claimedAt;
    process.stdout.write(`      timer: fired by replica B ${after / 1000} s after replica A claimed it and died (lease ${TIMER_LEASE_MS / 1000} s, poll ${POLL_MS / 1000} s)\n`);
    assert.ok(after >= TIMER_LEASE_MS && after <= TIMER_LEASE_MS + POLL_MS, `within the lease + one poll: ${after} ms`);
    const row = await db.raw().selectFrom('timers').select(['fired_at', 'claimed_by']).where('id', '=', timer!.id).executeTakeFirstOrThrow();
    assert.ok(row.fired_at !== null);
  });
});

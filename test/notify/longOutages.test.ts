/**
 * Long outages on a fake clock, against the fake Bot Connector on loopback, on SQLite and PostgreSQL: 150 s and
 * 30 minutes of HTTP 500, 100 s of 429 with Retry-After, 60 s of hanging requests (timeouts), then
 * recovery. Every alert, approval card, channel copy and practitioner notice must arrive exactly once, urgent
 * first, within 30 s of recovery, and nothing that could still be delivered is dead-lettered. The figures are
 * printed (one line of docs/reliability.md's table each).
 */
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/notify/backoff';
import { OutboxDispatcher } from '../../src/notify/outboxDispatcher';
import { DEFAULT_RETRY_POLICY } from '../../src/notify/retryPolicy';
import { postgresHarness, requirePostgres } from '../store/postgresHarness';
import { sqliteHarness } from '../store/sqliteHarness';
import type { StoreHarness } from '../store/storeHarness';
import { type Fault, FakeBotConnector } from '../support/fakeBotConnector';
import { allRows, captureLog, cardMessage, senderFor, storeReference, textMessage, toUser } from './notifyHarness';
import { CHANNEL, FakeClock, figuresLine, priorityOf, runOutage } from './faultRun';

/** `wholeService`: every conversation recovers at once, so strict priority order is checked after recovery. 429 is per conversation. */
const SCENARIOS: Array<{ name: string; fault: Fault; outageMs: number; engines: Array<'sqlite' | 'postgres'>; wholeService?: false }> = [
  { name: '150 s of HTTP 500', fault: { status: 500 }, outageMs: 150_000, engines: ['sqlite', 'postgres'] },
  { name: '30 min of HTTP 500', fault: { status: 500 }, outageMs: 30 * 60_000, engines: ['sqlite', 'postgres'] },
  { name: '100 s of 429, Retry-After 10 s', fault: { status: 429, retryAfter: 10 }, outageMs: 100_000, engines: ['sqlite', 'postgres'], wholeService: false },
  { name: '60 s of hanging requests (timeouts)', fault: { hang: true, hangMs: 2000 }, outageMs: 60_000, engines: ['sqlite'] },
];

const harnesses: Record<'sqlite' | 'postgres', () => StoreHarness> = { sqlite: sqliteHarness, postgres: postgresHarness };

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`notify: long outages on a fake clock (${engine})`, function () {
    this.timeout(180_000);
    before(async function () {
      if (engine === 'postgres') await requirePostgres(this, 'the PostgreSQL outage tests');
    });

    for (const s of SCENARIOS.filter((x) => x.engines.includes(engine))) {
      it(`${s.name}: everything delivered once, urgent first, within 30 s of recovery`, async () => {
        const clock = new FakeClock();
        // The sender's deadline is on the fake clock: a request that hangs expires it (as its deadline would
        // pass), and a request Teams answers can never time out, however slow the machine. With hangs, one
        // request at a time, so that the deadline expired is always the hanging request's own. Longer than the
        // fake time a pass can sleep (rate spacing, a Retry-After of up to 5 s) while another request is in flight.
        const deadlineMs = 600_000;
        const fake = await FakeBotConnector.start({ now: clock.nowMs, onHang: () => clock.expireTimers() });
        const db = await harnesses[engine]().newDatabase();
        try {
          const store = await db.open({ now: clock.now });
          const { log, lines } = captureLog('warn');
          const dispatcher = new OutboxDispatcher({
            store,
            sender: senderFor(fake, store, log, deadlineMs, { now: clock.nowMs, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }),
            ...('hang' in s.fault ? { concurrency: 1 } : {}),
            log,
            escalationChannelId: CHANNEL,
            workerId: `outage-${engine}`,
            now: clock.now,
            sleep: clock.sleep,
            random: seededRandom(7),
            retryPolicy: DEFAULT_RETRY_POLICY,
          });
          const f = await runOutage({ scenario: s.name, engine, db, store, fake, clock, dispatcher, fault: s.fault, outageMs: s.outageMs, stepMs: s.outageMs > 600_000 ? 5000 : 1000 });
          process.stdout.write(`      ${figuresLine(f)}\n`);
          if (process.env.DEBUG_OUTAGE) for (const [k, n] of fake.deliveredKeyCounts()) if (n > 1) process.stdout.write(`${k}: ${JSON.stringify(fake.calls.filter((c) => c.idempotencyKey === k).map((c) => [c.at - fake.calls[0]!.at, c.outcome]))}\n${lines.filter((l) => JSON.stringify(l).includes(k)).map((l) => l.msg).join('\n')}\n`);
          assert.equal(f.lost, 0, `nothing lost: ${JSON.stringify(f)}`);
          assert.equal(f.deadLettered, 0, 'nothing dead-lettered that could still be delivered');
          assert.equal(f.duplicated, 0, 'each delivered exactly once');
          assert.equal(f.delivered, f.tried);
          assert.ok(f.secondsToDeliveryAfterRecovery !== null && f.secondsToDeliveryAfterRecovery <= 30, `within 30 s of recovery: ${f.secondsToDeliveryAfterRecovery} s`);
          // Urgent first: once the release after recovery starts, no routine message overtakes an urgent one
          // (the first message through may be either: it is the one that found Teams back).
          const order = f.orderAfterRecovery.slice(1).map(priorityOf);
          const lastUrgent = order.lastIndexOf('urgent');
          const firstRoutine = order.indexOf('routine');
          if (s.wholeService !== false) assert.ok(lastUrgent === -1 || firstRoutine === -1 || lastUrgent < firstRoutine, `urgent before routine after recovery: ${f.orderAfterRecovery.join(', ')}`);
          assert.deepEqual(lines.filter((l) => l.alert === true), [], 'no dead-letter alerts');
          // Every attempt is one real request, and waiting out a Retry-After (a deferral) is not an attempt.
          assert.deepEqual(f.attemptsAndRequests.filter((a) => a.attempts !== a.requests), [], 'attempts == requests for every row');
          assert.equal(f.maxAttempts, Math.max(...f.attemptsAndRequests.map((a) => a.requests)));
          if (s.fault && 'status' in s.fault && s.fault.status === 429) {
            // 429 with Retry-After 10 s for 100 s: each row is tried about once per Retry-After, not once per pass.
            assert.ok(f.maxAttempts >= 2 && f.maxAttempts <= 100_000 / 10_000 + 2, `attempts per row ${f.maxAttempts}`);
          }
        } finally {
          await fake.close();
          await db.drop();
        }
      });
    }
  });
}

/**
 * Teams (or something in between) asks for a wait far longer than an alert may wait: `Retry-After: 3600`, or an
 * HTTP date a year ahead, on every send for 100 s. An alert is tried at most 30 s apart and arrives within 30 s
 * of recovery; a routine notice to the same chat waits as asked, but never past the end of its budget.
 */
for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`notify: a Retry-After longer than an alert may wait, on a fake clock (${engine})`, function () {
    this.timeout(180_000);
    before(async function () {
      if (engine === 'postgres') await requirePostgres(this, 'the PostgreSQL Retry-After tests');
    });

    const BUDGET_MS = 2 * 3_600_000;
    const cases: Array<{ name: string; retryAfter: (clock: FakeClock) => string | number; routineAt: (firstRoutine429: number, last429: number, queuedAt: number) => number }> = [
      // The notice's conversation stays paused for an hour after the last 429 (the alert's, near the end).
      { name: 'Retry-After: 3600', retryAfter: () => 3600, routineAt: (_first, last) => last + 3_600_000 },
      { name: 'Retry-After: an HTTP date a year ahead', retryAfter: (clock) => new Date(clock.ms + 365 * 86_400_000).toUTCString(), routineAt: (_first, _last, queuedAt) => queuedAt + BUDGET_MS },
    ];
    for (const c of cases) {
      it(`${c.name}: the alert is tried at most 30 s apart and arrives within 30 s of recovery; the routine notice waits as asked, within its budget`, async () => {
        const clock = new FakeClock();
        const fake = await FakeBotConnector.start({ now: clock.nowMs });
        const db = await harnesses[engine]().newDatabase();
        try {
          const store = await db.open({ now: clock.now });
          const { log, lines } = captureLog('warn');
          const dispatcher = new OutboxDispatcher({
            store,
            sender: senderFor(fake, store, log, 600_000, { now: clock.nowMs, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }),
            log,
            escalationChannelId: CHANNEL,
            workerId: `retry-after-${engine}`,
            now: clock.now,
            sleep: clock.sleep,
            random: seededRandom(7),
            retryPolicy: { ...DEFAULT_RETRY_POLICY, routineBudgetMs: BUDGET_MS },
          });
          await storeReference(store, fake, 'aad-mgr-1', 'a:conv-aad-mgr-1');
          const queuedAt = clock.ms;
          const end = queuedAt + 100_000;
          fake.fail({ when: () => clock.ms < end, times: Infinity, fault: { status: 429, retryAfter: c.retryAfter(clock) } });
          await store.enqueue([{ ...cardMessage('alert:e1:manager', toUser('aad-mgr-1'), { urgent: true }, 'e1'), urgent: true }, textMessage('notice:1', toUser('aad-mgr-1'))]);
          while (clock.ms < queuedAt + BUDGET_MS + 600_000) {
            await dispatcher.runOnce();
            if ((await allRows(db)).every((r) => r.status === 'sent' || r.status === 'dead')) break;
            clock.advance(clock.ms < end + 120_000 ? 1000 : 30_000);
          }
          const requests = (key: string) => fake.calls.filter((call) => call.idempotencyKey === key);
          const alert = requests('alert:e1:manager');
          const gaps = alert.slice(1).map((call, i) => call.at - alert[i]!.at);
          assert.ok(Math.max(...gaps) <= 31_000, `the alert was tried at most 30 s apart (+ the 1 s step): ${gaps.join(', ')} ms`);
          assert.equal(alert.filter((call) => call.effective).length, 1, 'the alert delivered once');
          const alertDelivered = alert.find((call) => call.effective)!.at;
          assert.ok(alertDelivered >= end && alertDelivered - end <= 31_000, `within 30 s of recovery: ${(alertDelivered - end) / 1000} s`);

          const notice = requests('notice:1');
          assert.equal(notice.filter((call) => call.effective).length, 1, 'the notice delivered once');
          const last429 = Math.max(...fake.calls.filter((call) => call.outcome === 429).map((call) => call.at));
          const expected = c.routineAt(notice[0]!.at, last429, queuedAt);
          const noticeDelivered = notice.find((call) => call.effective)!.at;
          assert.ok(noticeDelivered >= expected && noticeDelivered - expected <= 31_000, `the notice waited as asked: delivered ${(noticeDelivered - queuedAt) / 1000} s after queued, expected from ${(expected - queuedAt) / 1000} s`);
          assert.ok(noticeDelivered <= queuedAt + BUDGET_MS + 31_000, 'within its budget');
          // Waiting (a deferral) is not an attempt: each row's attempts are its real requests.
          for (const row of await allRows(db)) assert.equal(row.attempts, requests(row.idempotency_key).length, row.idempotency_key);
          assert.deepEqual(lines.filter((l) => l.alert === true), [], 'nothing dead-lettered');
          process.stdout.write(`      ${c.name} (${engine}): alert tried ${alert.length} times, delivered ${(alertDelivered - end) / 1000} s after recovery; notice after ${Math.round((noticeDelivered - queuedAt) / 1000)} s, ${notice.length} requests\n`);
        } finally {
          await fake.close();
          await db.drop();
        }
      });
    }
  });
}

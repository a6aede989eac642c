/**
 * The outbox dispatcher end to end on one replica: a real SQLite store (temp file), the real botbuilder
 * CloudAdapter in anonymous mode and the real connector client, against the fake Bot Connector on loopback.
 */
import { presentAlert } from '../../src/bot/presenters/alertPresenter';
import { alertViewOf } from '../../src/domain/views';
import { decide, FACTS, hillingdon } from '../services/fakes';
import assert from 'node:assert/strict';
import type { BotProactiveSender } from '../../src/bot/proactiveSender';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { seededRandom } from '../../src/notify/backoff';
import { OutboxDispatcher, type OutboxDispatcherOptions } from '../../src/notify/outboxDispatcher';
import type { RetryPolicy } from '../../src/notify/retryPolicy';
import { StoreValidationError } from '../../src/store/storeErrors';
import { FakeClock } from './faultRun';
import { sampleDecision, decisionCommand, practitioner } from '../store/fixtures/sampleDecision';
import { sqliteHarness } from '../store/sqliteHarness';
import type { TestDatabase } from '../store/storeHarness';
import { connectorPaths, FakeBotConnector } from '../support/fakeBotConnector';
import {
  allRows,
  captureLog,
  cardMessage,
  drained,
  type LogLine,
  maxInWindow,
  rowByKey,
  senderFor,
  storeReference,
  testCard,
  rendered,
  textMessage,
  toUser,
  waitFor,
} from './notifyHarness';

const ESCALATION_CHANNEL = '19:escalation@thread.tacv2';

/** Short backoffs for tests on the wall clock; the long outages run on a fake clock (longOutages.test.ts). */
function policy(baseMs: number, capMs: number, routineBudgetMs = 60_000): RetryPolicy {
  return { routineBackoff: { baseMs, capMs }, urgentBackoff: { baseMs, capMs }, routineBudgetMs };
}
const LEE = 'your line manager Lee Manager';

describe('notify: outbox dispatcher (SQLite, real botbuilder, fake Bot Connector)', function () {
  this.timeout(40_000);
  let fake: FakeBotConnector;
  let db: TestDatabase;
  let store: ChannelCheckStore;
  let lines: LogLine[];
  let sender: BotProactiveSender;
  const running: OutboxDispatcher[] = [];

  function dispatcher(options: Partial<OutboxDispatcherOptions> = {}): OutboxDispatcher {
    const d = new OutboxDispatcher({
      store,
      sender,
      log: captureLogInto(lines),
      escalationChannelId: ESCALATION_CHANNEL,
      workerId: 'worker-a',
      pollMs: 10,
      batchSize: 10,
      leaseMs: 10_000,
      retryPolicy: policy(20, 200),
      random: seededRandom(1),
      ...options,
    });
    running.push(d);
    return d;
  }

  /** Shares one line buffer between the sender's and the dispatchers' loggers. */
  function captureLogInto(target: LogLine[]) {
    const captured = captureLog();
    captured.lines.push = (...items: LogLine[]) => target.push(...items);
    return captured.log;
  }

  async function runToCompletion(d: OutboxDispatcher, timeoutMs = 20_000): Promise<void> {
    d.start();
    await waitFor('the outbox to drain', () => drained(db), timeoutMs);
    await d.stop();
  }

  const alerts = (): LogLine[] => lines.filter((l) => l.alert === true);

  beforeEach(async () => {
    fake = await FakeBotConnector.start();
    db = await sqliteHarness().newDatabase();
    store = await db.open();
    lines = [];
    sender = senderFor(fake, store, captureLogInto(lines), 400);
  });

  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
    await fake.close();
    await db.drop();
  });

  it('(a) delivers every notification exactly once through 429 + Retry-After, 412, 5xx and timeouts', async () => {
    await storeReference(store, fake, 'aad-m1', 'a:conv-m1');
    const m2Conversation = fake.conversationIdFor('aad-m2'); // no stored reference: opened on first send
    const messages = [
      cardMessage('m1-1', toUser('aad-m1')),
      cardMessage('m1-2', toUser('aad-m1')),
      cardMessage('m1-3', toUser('aad-m1')),
      textMessage('m2-1', toUser('aad-m2')),
      textMessage('m2-2', toUser('aad-m2')),
      cardMessage('ch-1', { kind: 'channel', channelId: ESCALATION_CHANNEL }),
      cardMessage('ch-2', { kind: 'channel', channelId: ESCALATION_CHANNEL }),
      textMessage('p1-1', { kind: 'conversation', conversationId: 'a:conv-p1' }),
      textMessage('p1-2', { kind: 'conversation', conversationId: 'a:conv-p1' }),
      textMessage('p1-3', { kind: 'conversation', conversationId: 'a:conv-p1' }),
      { idempotencyKey: 'u-1', kind: 'card_update' as const, target: { kind: 'conversation' as const, conversationId: 'a:conv-p1' }, payload: { activityId: 'act-9', conversationId: 'a:conv-p1', card: rendered('updated') } },
    ];
    const { queued } = await store.enqueue(messages);
    assert.equal(queued.length, messages.length);

    fake
      .fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-m1'), fault: { status: 429, retryAfter: 1 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-m1'), times: 2, fault: { status: 500 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo(m2Conversation), fault: { status: 502 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo(m2Conversation), fault: { status: 504 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo(ESCALATION_CHANNEL), fault: { hang: true, hangMs: 5000 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo(ESCALATION_CHANNEL), fault: { status: 412 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-p1'), fault: { status: 500 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-p1'), fault: { hang: true, hangMs: 5000 } })
      .fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-p1'), fault: { status: 503 } })
      .fail({ method: 'PUT', fault: { status: 502 } });

    await runToCompletion(dispatcher({ maxRateWaitMs: 300 }));

    const rows = await allRows(db);
    assert.deepEqual(rows.filter((r) => r.status !== 'sent'), [], 'every row sent, none dead');
    const sendKeys = messages.filter((m) => m.kind !== 'card_update').map((m) => m.idempotencyKey);
    assert.deepEqual(
      [...fake.deliveredKeyCounts().entries()].sort(),
      sendKeys.map((k) => [k, 1] as [string, number]).sort(),
      'each idempotency key delivered exactly once, and nothing else',
    );
    assert.equal(fake.updates().length, 1, 'the card update applied once');
    const failed = fake.calls.filter((c) => !c.effective);
    assert.equal(failed.length, 11, 'every scripted outage happened (and was retried past)');
    assert.ok(rows.some((r) => r.attempts > 1));

    const throttled = fake.calls.find((c) => c.outcome === 429)!;
    const laterToM1 = fake.calls.filter((c) => c.conversationId === 'a:conv-m1' && c.seq > throttled.seq);
    assert.ok(laterToM1.length >= 3);
    for (const call of laterToM1) assert.ok(call.at - throttled.at >= 1000, `a send to the throttled conversation ${call.at - throttled.at} ms after the 429 (Retry-After: 1)`);
    assert.deepEqual(alerts(), []);
    for (const call of fake.calls.filter((c) => c.operation === 'sendActivity' || c.operation === 'replyToActivity')) {
      assert.ok(call.idempotencyKey !== null && sendKeys.includes(call.idempotencyKey), 'every send carries its row key');
    }
  });

  it('(b) survives a bot restart in the middle of an outage: nothing lost, nothing sent twice', async () => {
    for (const u of ['aad-r1', 'aad-r2']) await storeReference(store, fake, u, `a:conv-${u}`);
    const messages = [
      cardMessage('r1-1', toUser('aad-r1')),
      cardMessage('r2-1', toUser('aad-r2')),
      ...['c1', 'c2', 'c3', 'c4'].flatMap((c) => [textMessage(`${c}-1`, { kind: 'conversation', conversationId: c }), textMessage(`${c}-2`, { kind: 'conversation', conversationId: c })]),
    ];
    await store.enqueue(messages);
    // A replica that crashed after claiming one row, before sending it: the row comes back when its lease ends.
    const [crashedClaim] = await store.claimDueOutbox('crashed-replica', 1, new Date(), 2500);
    assert.ok(crashedClaim);
    // The outage lasts until the restart: the first process never gets a send through, however slowly the
    // machine runs its retries (a fixed number of failures let a loaded machine's retries succeed first).
    fake.fail({ method: 'POST', path: connectorPaths.anySend, times: Infinity, fault: { status: 500 } });

    const before = dispatcher({ workerId: 'replica-before', retryPolicy: policy(1500, 3000), random: () => 0.99 });
    before.start();
    await waitFor('six failed sends', () => fake.calls.filter((c) => c.outcome === 500).length >= 6);
    await before.stop();
    await store.close();
    fake.clearFaults();

    const midway = await allRows(db);
    const pendingRetry = midway.filter((r) => r.status === 'pending' && r.attempts >= 1);
    assert.ok(pendingRetry.length >= 1, `rows pending retry at the restart: ${JSON.stringify(midway)}`);
    assert.ok(fake.delivered().length < messages.length, 'the restart happened before everything was delivered');

    // A new process: the store reopened, a new adapter and sender, a new dispatcher.
    store = await db.open();
    sender = senderFor(fake, store, captureLogInto(lines), 400);
    await runToCompletion(dispatcher({ workerId: 'replica-after', retryPolicy: policy(20, 100) }));

    const rows = await allRows(db);
    assert.deepEqual(rows.filter((r) => r.status !== 'sent'), []);
    assert.deepEqual(
      [...fake.deliveredKeyCounts().entries()].sort(),
      messages.map((m) => [m.idempotencyKey, 1] as [string, number]).sort(),
      'each key delivered exactly once across the restart',
    );
    assert.equal(rows.find((r) => r.id === crashedClaim.id)?.claimed_by, 'replica-after', "the crashed replica's row was taken over");
  });

  it('a kept-alive connection cut as a send arrives (nothing taken) is retried, and the message delivered once', async () => {
    await store.enqueue([textMessage('before-reset', { kind: 'conversation', conversationId: 'a:conv-x' })]);
    await runToCompletion(dispatcher());
    const opened = fake.connectionsOpened;
    await store.enqueue([textMessage('after-reset', { kind: 'conversation', conversationId: 'a:conv-x' })]);
    fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-x'), fault: { reset: true } });
    await runToCompletion(dispatcher());
    assert.deepEqual([...fake.deliveredKeyCounts().entries()].sort(), [['after-reset', 1], ['before-reset', 1]]);
    assert.deepEqual(fake.calls.filter((c) => c.idempotencyKey === 'after-reset').map((c) => c.outcome), ['reset', 201]);
    assert.equal((await rowByKey(store, db, 'after-reset')).status, 'sent');
    assert.ok(fake.connectionsOpened > opened, 'the retry came on a new connection');
  });

  it("the honest limit: if Teams took a message but the answer was lost, it is sent again once (same key), never lost", async () => {
    await store.enqueue([textMessage('lost-ack', { kind: 'conversation', conversationId: 'a:conv-x' })]);
    fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-x'), fault: { dropAfterAccept: true } });
    await runToCompletion(dispatcher());
    const posted = fake.deliveredTo('a:conv-x');
    assert.equal(posted.length, 2, 'at-least-once: the far side got it twice');
    assert.deepEqual(posted.map((c) => c.idempotencyKey), ['lost-ack', 'lost-ack'], 'with the same key, so it can tell');
    assert.equal((await rowByKey(store, db, 'lost-ack')).status, 'sent');
  });

  describe('(c) the manager cannot be reached (403: ChannelCheck not installed for them)', () => {
    async function alertToUnreachableManager(): Promise<string> {
      await storeReference(store, fake, 'aad-prac-1', 'a:conv-prac');
      fake.fail({ path: connectorPaths.createConversation, when: (c) => JSON.stringify(c.body).includes('aad-lee'), times: Infinity, fault: { status: 403, code: 'Forbidden' } });
      const recorded = await store.recordDecision(
        decisionCommand('CASE-2001', 'unused', {
          decision: sampleDecision({ outcome: 'safeguarding_escalation', urgency: 'urgent' }),
          notifications: [
            cardMessage('alert:e1:manager', toUser('aad-lee'), {
              urgent: true,
              channelCard: rendered('Safeguarding alert (channel copy)'),
              fallback: { toEscalationChannel: true, tellPractitionerAadId: 'aad-prac-1', recipientDescription: LEE },
            }),
          ],
        }),
      );
      return recorded.record.id;
    }

    it('sends the card to the escalation channel and tells the practitioner who was reached', async () => {
      const decisionId = await alertToUnreachableManager();
      await runToCompletion(dispatcher());

      const original = await rowByKey(store, db, 'alert:e1:manager');
      assert.equal(original.status, 'dead');
      assert.equal(original.attempts, 1, 'an unreachable route is not retried');
      assert.match(original.lastError ?? '', /^unreachable: .*403/);
      assert.equal(fake.creates().length, 1);

      const [toChannel] = fake.deliveredTo(ESCALATION_CHANNEL);
      assert.equal(toChannel?.idempotencyKey, 'alert:e1:manager:fallback-channel');
      assert.deepEqual((toChannel?.body as { attachments: Array<{ content: unknown }> }).attachments[0]?.content, testCard('Safeguarding alert (channel copy)'));
      const [toPractitioner] = fake.deliveredTo('a:conv-prac');
      assert.equal(toPractitioner?.idempotencyKey, 'alert:e1:manager:tell-practitioner');
      assert.equal(
        (toPractitioner?.body as { text: string }).text,
        'Your safeguarding alert could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). It went to the escalation channel.',
      );
      assert.equal(fake.delivered().length, 2);
      for (const key of ['alert:e1:manager:fallback-channel', 'alert:e1:manager:tell-practitioner']) {
        const followUp = await rowByKey(store, db, key);
        assert.equal(followUp.status, 'sent');
        assert.equal(followUp.decisionId, decisionId);
      }
      const again = await store.enqueue([textMessage('alert:e1:manager:tell-practitioner', toUser('aad-prac-1'))]);
      assert.deepEqual(again.duplicates, ['alert:e1:manager:tell-practitioner'], 'a follow-up can never be queued twice');

      const audited = await store.listAuditEvents({ decisionId });
      assert.ok(audited.some((e) => e.type === 'notification.dead_lettered'));
      const [alert] = alerts();
      assert.equal(alert?.level, 50);
      assert.equal(alert?.reason, 'unreachable');
      assert.deepEqual(alert?.followUps, ['alert:e1:manager:fallback-channel', 'alert:e1:manager:tell-practitioner']);
    });

    it('with no escalation channel configured, tells the practitioner that nobody could be reached', async () => {
      await alertToUnreachableManager();
      await runToCompletion(dispatcher({ escalationChannelId: null }));
      assert.equal((await rowByKey(store, db, 'alert:e1:manager')).status, 'dead');
      assert.deepEqual(
        fake.delivered().map((c) => [c.conversationId, c.idempotencyKey, (c.body as { text?: string }).text]),
        [
          [
            'a:conv-prac',
            'alert:e1:manager:tell-practitioner',
            "Your safeguarding alert could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). Nobody could be reached by Teams: phone your line manager or the council's escalation contacts now.",
          ],
        ],
      );
    });

    it('with no escalation channel, never says nobody could be reached when another copy of the alert was delivered', async () => {
      // The Head of Service's copy is delivered first; then the manager's copy meets a 403.
      await storeReference(store, fake, 'aad-prac-1', 'a:conv-prac');
      await store.enqueue([
        cardMessage('alert:e2:head_of_service', toUser('aad-sam'), { urgent: true, fallback: { toEscalationChannel: true, tellPractitionerAadId: 'aad-prac-1', recipientDescription: 'the Head of Service Sam Head', caseRef: 'CASE-2002' } }, 'e2'),
      ]);
      await runToCompletion(dispatcher({ escalationChannelId: null }));
      assert.equal((await rowByKey(store, db, 'alert:e2:head_of_service')).status, 'sent');
      fake.fail({ path: connectorPaths.createConversation, when: (c) => JSON.stringify(c.body).includes('aad-lee'), times: Infinity, fault: { status: 403, code: 'Forbidden' } });
      await store.enqueue([
        cardMessage('alert:e2:manager', toUser('aad-lee'), { urgent: true, fallback: { toEscalationChannel: true, tellPractitionerAadId: 'aad-prac-1', recipientDescription: LEE, caseRef: 'CASE-2002' } }, 'e2'),
      ]);
      await runToCompletion(dispatcher({ escalationChannelId: null }));
      assert.equal((await rowByKey(store, db, 'alert:e2:manager')).status, 'dead');
      const told = fake.deliveredTo('a:conv-prac').map((c) => (c.body as { text?: string }).text);
      assert.deepEqual(told, [
        'Your safeguarding alert (case CASE-2002) could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). It was delivered to the Head of Service Sam Head.',
      ]);
    });

    it('if the escalation channel cannot be reached either, the practitioner is told that too', async () => {
      await alertToUnreachableManager();
      fake.fail({ method: 'POST', path: connectorPaths.sendsTo(ESCALATION_CHANNEL), times: Infinity, fault: { status: 403, code: 'BotNotInConversationRoster' } });
      await runToCompletion(dispatcher());
      const texts = fake.deliveredTo('a:conv-prac').map((c) => (c.body as { text: string }).text);
      assert.deepEqual(texts, [
        'Your safeguarding alert could not reach your line manager Lee Manager in Teams (ChannelCheck is not installed for them). It went to the escalation channel.',
        "Your safeguarding alert could not reach the escalation channel in Teams (ChannelCheck is not in that conversation). Nobody could be reached by Teams: phone your line manager or the council's escalation contacts now.",
      ]);
      assert.equal(alerts().length, 2);
    });
  });

  describe('(d) dead-lettering', () => {
    it('a routine message whose time budget is spent: dead-lettered, channel + practitioner told, error logged with alert: true', async () => {
      await storeReference(store, fake, 'aad-lee', 'a:conv-lee');
      await storeReference(store, fake, 'aad-prac-1', 'a:conv-prac');
      const clock = new FakeClock();
      fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-lee'), times: Infinity, fault: { status: 502 } });
      await store.close();
      store = await db.open({ now: clock.now });
      sender = senderFor(fake, store, captureLogInto(lines), 400);
      const d2 = dispatcher({ store, sender, now: clock.now, sleep: clock.sleep, retryPolicy: policy(1000, 60_000, 10 * 60_000) });
      await store.enqueue([
        cardMessage('approval:a1:manager', toUser('aad-lee'), { fallback: { toEscalationChannel: true, tellPractitionerAadId: 'aad-prac-1', recipientDescription: LEE, caseRef: 'CR-2002' } }, 'a1'),
      ]);
      for (let t = 0; t < 12 * 60 && !(await drained(db)); t += 1) {
        await d2.runOnce();
        clock.advance(1000);
      }
      const tries = fake.calls.filter((c) => c.conversationId === 'a:conv-lee').length;
      const dead = await rowByKey(store, db, 'approval:a1:manager');
      assert.equal(dead.status, 'dead');
      assert.equal(dead.attempts, tries, 'attempts count real sends');
      assert.ok(tries >= 5, `retried through the budget (${tries} tries)`);
      assert.match(dead.lastError ?? '', /^exhausted: retryable 502/);
      assert.equal(
        (fake.deliveredTo('a:conv-prac')[0]?.body as { text: string }).text,
        `A message about your check (case CR-2002) could not reach your line manager Lee Manager in Teams (Teams did not accept it after ${tries} attempts over 10 minutes). It went to the escalation channel.`,
      );
      assert.equal(fake.deliveredTo(ESCALATION_CHANNEL)[0]?.idempotencyKey, 'approval:a1:manager:fallback-channel');

      const [alert] = alerts();
      assert.ok(alert, 'an alert was logged');
      assert.equal(alert.level, 50, 'at error level');
      assert.equal(alert.reason, 'exhausted');
      assert.equal(alert.idempotencyKey, 'approval:a1:manager');
      assert.equal(alert.attempts, tries);
      assert.equal(alert.status, 502);
      assert.equal(alerts().length, 1);
      assert.equal(lines.filter((l) => l.msg === 'notification not delivered; will retry').length, tries - 1);
    });

    it('an urgent alert is never dead-lettered on transient failures, however many (here 200 × 502 over 90 minutes)', async () => {
      await storeReference(store, fake, 'aad-lee', 'a:conv-lee');
      const clock = new FakeClock();
      await store.close();
      store = await db.open({ now: clock.now });
      sender = senderFor(fake, store, captureLogInto(lines), 400);
      const d = dispatcher({ store, sender, now: clock.now, sleep: clock.sleep, retryPolicy: { routineBackoff: { baseMs: 1000, capMs: 300_000 }, urgentBackoff: { baseMs: 1000, capMs: 30_000 }, routineBudgetMs: 60_000 } });
      fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-lee'), times: 200, fault: { status: 502 } });
      await store.enqueue([{ ...cardMessage('alert:e9:manager', toUser('aad-lee'), { urgent: true, fallback: { toEscalationChannel: true, recipientDescription: LEE } }, 'e9'), urgent: true }]);
      const started = clock.ms;
      while (fake.deliveredTo('a:conv-lee').length === 0 && clock.ms - started < 3 * 3_600_000) {
        await d.runOnce();
        clock.advance(1000);
      }
      const row = await rowByKey(store, db, 'alert:e9:manager');
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 201);
      const gaps = fake.calls.filter((c) => c.conversationId === 'a:conv-lee').map((c, i, all) => (i === 0 ? 0 : c.at - all[i - 1]!.at));
      assert.ok(Math.max(...gaps) <= 31_000, `never more than the 30 s cap (+ one poll) between tries: ${Math.max(...gaps)} ms`);
      assert.deepEqual(alerts(), []);
    });

    it('a message Teams rejects (400) is dead-lettered at once and the practitioner told', async () => {
      await storeReference(store, fake, 'aad-lee', 'a:conv-lee');
      await storeReference(store, fake, 'aad-prac-1', 'a:conv-prac');
      fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-lee'), times: Infinity, fault: { status: 400, code: 'BadArgument' } });
      await store.enqueue([cardMessage('bad-card', toUser('aad-lee'), { fallback: { toEscalationChannel: false, tellPractitionerAadId: 'aad-prac-1', recipientDescription: LEE } })]);
      await runToCompletion(dispatcher());
      const dead = await rowByKey(store, db, 'bad-card');
      assert.equal(dead.status, 'dead');
      assert.equal(dead.attempts, 1);
      assert.deepEqual(
        fake.delivered().map((c) => (c.body as { text?: string }).text),
        ["A message about your check could not reach your line manager Lee Manager in Teams (Teams refused the message, status 400). Nobody could be reached by Teams: phone your line manager or the council's escalation contacts now."],
      );
    });

    it('still dead-letters (and queues the other follow-ups) when a follow-up key is already taken', async () => {
      await storeReference(store, fake, 'aad-prac-1', 'a:conv-prac');
      fake.fail({ path: connectorPaths.createConversation, times: Infinity, fault: { status: 403 } });
      await store.enqueue([
        textMessage('clash:tell-practitioner', toUser('aad-prac-1'), 'queued earlier by someone else'),
        cardMessage('clash', toUser('aad-gone'), { fallback: { toEscalationChannel: true, tellPractitionerAadId: 'aad-prac-1', recipientDescription: LEE } }),
      ]);
      await runToCompletion(dispatcher());
      assert.equal((await rowByKey(store, db, 'clash')).status, 'dead');
      assert.equal(fake.deliveredTo(ESCALATION_CHANNEL)[0]?.idempotencyKey, 'clash:fallback-channel');
      assert.deepEqual(fake.deliveredTo('a:conv-prac').map((c) => (c.body as { text: string }).text), ['queued earlier by someone else']);
      assert.equal(fake.creates().length, 1, 'the unreachable row was not tried again');
    });

    it('a row it cannot read is dead-lettered with an alert, not retried forever', async () => {
      await assert.rejects(
        store.enqueue([{ idempotencyKey: 'garbled', kind: 'card', target: toUser('aad-x'), payload: { card: 'not a card' } as never }]),
        (e: unknown) => e instanceof StoreValidationError && e.field === 'notifications[0].payload' && /tenantId/.test(e.message),
        'the store refuses a payload that does not fit its kind, naming the field',
      );
      // A row damaged in the database is still dead-lettered, never retried forever.
      await store.enqueue([textMessage('garbled', toUser('aad-x'))]);
      await db.raw().updateTable('outbox').set({ payload: '{"card":"not a card"}', kind: 'card' }).where('idempotency_key', '=', 'garbled').execute();
      await runToCompletion(dispatcher());
      assert.equal((await rowByKey(store, db, 'garbled')).status, 'dead');
      assert.equal(fake.calls.length, 0);
      assert.equal(alerts()[0]?.reason, 'malformed');
    });
  });

  it('remembers a delivered approval card on the approval request (attachAs), with activity and conversation ids', async () => {
    await storeReference(store, fake, 'aad-manager-1', 'a:conv-mgr');
    const recorded = await store.recordDecision(decisionCommand('CASE-3001', 'unused', { notifications: [], approval: { managerAadId: 'aad-manager-1' } }));
    const approvalId = recorded.approval!.id;
    await store.enqueue([cardMessage(`approval:${approvalId}:manager`, toUser('aad-manager-1'), { attachAs: { approvalId, whose: 'manager' } }, approvalId)]);
    const result = await dispatcher().runOnce();
    assert.equal(result.sent, 1);
    const [call] = fake.delivered();
    const approval = await store.getApproval(approvalId);
    assert.deepEqual(approval?.managerCard, { activityId: call?.resultId, conversationId: 'a:conv-mgr' });
    const row = await rowByKey(store, db, `approval:${approvalId}:manager`);
    assert.equal(row.sentActivityId, call?.resultId);
    assert.equal(practitioner().aadObjectId, approval?.practitionerAadId);
  });

  it("sends a card update to the conversation's own service URL when the payload carries one", async () => {
    const regional = await FakeBotConnector.start();
    try {
      await store.enqueue([
        { idempotencyKey: 'upd-here', kind: 'card_update', target: { kind: 'conversation', conversationId: 'a:c1' }, payload: { activityId: 'x1', conversationId: 'a:c1', card: rendered('a') } },
        { idempotencyKey: 'upd-there', kind: 'card_update', target: { kind: 'conversation', conversationId: 'a:c2' }, payload: { activityId: 'x2', conversationId: 'a:c2', serviceUrl: regional.serviceUrl, card: rendered('b') } },
      ]);
      await dispatcher().runOnce();
      assert.deepEqual(fake.updates().map((c) => c.activityId), ['x1']);
      assert.deepEqual(regional.updates().map((c) => c.activityId), ['x2']);
    } finally {
      await regional.close();
    }
  });

  it('delivers urgent safeguarding alerts before anything else in a pass', async () => {
    await store.enqueue([
      textMessage('routine-1', { kind: 'conversation', conversationId: 'c-1' }),
      textMessage('routine-2', { kind: 'conversation', conversationId: 'c-2' }),
      cardMessage('routine-card', { kind: 'conversation', conversationId: 'c-3' }),
      cardMessage('urgent-alert', { kind: 'conversation', conversationId: 'c-4' }, { urgent: true }),
    ]);
    await dispatcher({ concurrency: 1 }).runOnce();
    assert.deepEqual(fake.delivered().map((c) => c.idempotencyKey), ['urgent-alert', 'routine-1', 'routine-2', 'routine-card']);
  });

  it('does not guess a row of a kind nothing writes: it is dead-lettered as malformed, not delivered by its shape', async () => {
    await store.enqueue([textMessage('legacy', { kind: 'conversation', conversationId: 'c-9' })]);
    await db.raw().updateTable('outbox').set({ kind: 'safeguarding_alert', payload: JSON.stringify({ tenantId: 't', card: testCard('x'), summary: 's' }) }).where('idempotency_key', '=', 'legacy').execute();
    await dispatcher().runOnce();
    assert.equal(fake.calls.length, 0);
    assert.equal((await rowByKey(store, db, 'legacy')).status, 'dead');
    assert.match(alerts()[0]?.error as string, /unknown kind "safeguarding_alert"/);
  });

  it('renders a card row\'s view at send time, and still delivers a row queued with an already rendered card', async () => {
    const alarm = decide(FACTS.safeguarding);
    const view = alertViewOf({
      escalation: { id: 'esc-v', status: 'open', level: 'manager', reachedLevels: ['manager'], createdAt: new Date('2026-03-03T10:00:00Z'), acknowledgedAt: null },
      record: { decisionId: 'dec-v', decision: alarm, practitionerName: 'Pat Practitioner', caseRef: 'CR-40118', policy: hillingdon() },
    });
    await store.enqueue([
      cardMessage('as-view', { kind: 'conversation', conversationId: 'a:conv-v' }, { card: { kind: 'alert', view } }),
      cardMessage('old-row', { kind: 'conversation', conversationId: 'a:conv-old' }),
    ]);
    // As an older version of the bot wrote it: the card JSON itself in `card`, no kind.
    await db.raw().updateTable('outbox').set({ payload: JSON.stringify({ tenantId: 't', card: testCard('Rendered before views'), summary: 's' }) }).where('idempotency_key', '=', 'old-row').execute();
    await dispatcher().runOnce();
    const content = (key: string) => (fake.delivered().find((c) => c.idempotencyKey === key)?.body as { attachments: Array<{ content: unknown }> } | undefined)?.attachments[0]?.content;
    assert.deepEqual(content('as-view'), presentAlert(view), 'the view, presented by the bot');
    assert.match(JSON.stringify(content('as-view')), /URGENT: safeguarding alert/);
    assert.deepEqual(content('old-row'), testCard('Rendered before views'), 'the legacy card, as it was');
    assert.equal((await rowByKey(store, db, 'old-row')).status, 'sent');
  });

  it('(e) keeps to about 7 messages a second per conversation: 20 messages take at least 2.5 s (fake clock)', async () => {
    const clock = new FakeClock();
    const timed = await FakeBotConnector.start({ now: clock.nowMs });
    try {
      await store.close();
      store = await db.open({ now: clock.now });
      sender = senderFor(timed, store, captureLogInto(lines), 400);
      await store.enqueue(Array.from({ length: 20 }, (_, i) => textMessage(`burst-${i}`, { kind: 'conversation', conversationId: 'a:conv-busy' })));
      await store.enqueue([textMessage('elsewhere', { kind: 'conversation', conversationId: 'a:conv-quiet' })]);
      const started = clock.ms;
      const d = dispatcher({ store, sender, batchSize: 25, now: clock.now, sleep: clock.sleep });
      while (!(await drained(db))) await d.runOnce();
      const times = timed.deliveredTo('a:conv-busy').map((c) => c.at);
      assert.equal(times.length, 20);
      const span = Math.max(...times) - Math.min(...times);
      assert.ok(span >= 2500, `20 messages to one conversation took ${span} ms`);
      assert.ok(maxInWindow(times, 1000) <= 7, `at most 7 in any second (got ${maxInWindow(times, 1000)})`);
      const quiet = timed.deliveredTo('a:conv-quiet')[0]!;
      assert.ok(quiet.at - started < 1000, `another conversation is not held up behind the busy one (${quiet.at - started} ms)`);
    } finally {
      await timed.close();
    }
  });

  it('renews the lease before a send when too little is left (the heartbeat), instead of racing another worker', async () => {
    await store.enqueue(['slow-1', 'slow-2', 'slow-3'].map((k) => textMessage(k, { kind: 'conversation', conversationId: 'a:conv-slow' })));
    fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-slow'), times: 2, fault: { hang: true, hangMs: 5000 } });
    const d = dispatcher({ leaseMs: 2000, minLeaseLeftMs: 1300 });
    const first = await d.runOnce();
    assert.deepEqual({ claimed: first.claimed, retried: first.retried, deferred: first.deferred, sent: first.sent }, { claimed: 3, retried: 2, deferred: 0, sent: 1 });
    const third = await rowByKey(store, db, 'slow-3');
    assert.equal(third.status, 'sent');
    assert.equal(third.attempts, 1);
    await runToCompletion(d);
    assert.deepEqual([...fake.deliveredKeyCounts().entries()].sort(), [['slow-1', 1], ['slow-2', 1], ['slow-3', 1]]);
  });

  it('stops cleanly and picks up what was queued while it was stopped', async () => {
    const d = dispatcher();
    d.start();
    await d.stop();
    await store.enqueue([textMessage('late', { kind: 'conversation', conversationId: 'c-late' })]);
    assert.equal(fake.calls.length, 0, 'a stopped dispatcher sends nothing');
    d.start();
    d.wake();
    await waitFor('the late message', () => fake.delivered().length === 1, 5000);
    await d.stop();
  });
});

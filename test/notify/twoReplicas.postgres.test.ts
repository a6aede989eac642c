/**
 * (f) Two bot replicas on PostgreSQL: two dispatchers, each with its own store (its own pool), its own
 * CloudAdapter and sender, on one fresh schema, delivering to one fake Bot Connector at the same time. Each
 * notification must be claimed by one replica (FOR UPDATE SKIP LOCKED) and delivered exactly once.
 * No server: with CI=true the run fails; otherwise a loud warning and the test is reported pending, never passed.
 */
import assert from 'node:assert/strict';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { seededRandom } from '../../src/notify/backoff';
import { OutboxDispatcher } from '../../src/notify/outboxDispatcher';
import { postgresHarness, requirePostgres } from '../store/postgresHarness';
import type { TestDatabase } from '../store/storeHarness';
import { connectorPaths, FakeBotConnector } from '../support/fakeBotConnector';
import { allRows, captureLog, cardMessage, drained, senderFor, storeReference, textMessage, toUser, waitFor } from './notifyHarness';

describe('notify: two dispatcher replicas on PostgreSQL', function () {
  this.timeout(45_000);
  let fake: FakeBotConnector;
  let db: TestDatabase;
  const dispatchers: OutboxDispatcher[] = [];

  before(async function () {
    await requirePostgres(this, 'the two-replica PostgreSQL delivery test');
  });

  beforeEach(async () => {
    fake = await FakeBotConnector.start();
    db = await postgresHarness().newDatabase();
  });

  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    await fake?.close();
    await db?.drop();
  });

  it('delivers each of 50 notifications exactly once while both replicas run', async () => {
    const [storeA, storeB] = (await db.openReplicas()) as [ChannelCheckStore, ChannelCheckStore];
    assert.notEqual(storeA, storeB, 'two store instances, two pools');
    const users = ['aad-u1', 'aad-u2', 'aad-u3'];
    for (const u of users) await storeReference(storeA, fake, u, `a:conv-${u}`);
    const messages = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0
        ? cardMessage(`n-${i}`, toUser(users[i % users.length]!), { urgent: i % 10 === 0 })
        : i % 5 === 1
          ? textMessage(`n-${i}`, toUser('aad-new')) // no reference: the first send opens the conversation
          : textMessage(`n-${i}`, { kind: 'conversation', conversationId: `a:conv-${i % 4}` }),
    );
    const { queued } = await storeA.enqueue(messages);
    assert.equal(queued.length, 50);
    fake.fail({ method: 'POST', path: connectorPaths.anySend, times: 8, fault: { status: 500 } });
    fake.fail({ method: 'POST', path: connectorPaths.anySend, times: 2, fault: { status: 429, retryAfter: '0' } });

    const make = (store: ChannelCheckStore, workerId: string, seed: number): OutboxDispatcher => {
      const { log } = captureLog('warn');
      const d = new OutboxDispatcher({
        store,
        sender: senderFor(fake, store, log, 1000),
        log,
        escalationChannelId: null,
        workerId,
        pollMs: 10,
        batchSize: 4,
        leaseMs: 15_000,
        retryPolicy: { routineBackoff: { baseMs: 20, capMs: 200 }, urgentBackoff: { baseMs: 20, capMs: 200 }, routineBudgetMs: 60_000 },
        random: seededRandom(seed),
      });
      dispatchers.push(d);
      return d;
    };
    const a = make(storeA, 'replica-a', 1);
    const b = make(storeB, 'replica-b', 2);
    a.start();
    b.start();
    await waitFor('the outbox to drain', () => drained(db), 30_000);
    await Promise.all([a.stop(), b.stop()]);

    const rows = await allRows(db);
    assert.equal(rows.length, 50);
    assert.deepEqual(rows.filter((r) => r.status !== 'sent'), [], 'all sent');
    assert.deepEqual(
      [...fake.deliveredKeyCounts().entries()].sort(),
      messages.map((m) => [m.idempotencyKey, 1] as [string, number]).sort(),
      'each idempotency key delivered exactly once',
    );
    const byWorker = new Map<string, number>();
    for (const r of rows) byWorker.set(r.claimed_by ?? '(none)', (byWorker.get(r.claimed_by ?? '(none)') ?? 0) + 1);
    assert.ok((byWorker.get('replica-a') ?? 0) > 0 && (byWorker.get('replica-b') ?? 0) > 0, `both replicas delivered: ${JSON.stringify([...byWorker])}`);
    assert.equal(fake.calls.filter((c) => !c.effective).length, 10, 'the outages happened');
  });

  it('never hands one row to both replicas, however the claims interleave', async () => {
    const [storeA, storeB] = (await db.openReplicas()) as [ChannelCheckStore, ChannelCheckStore];
    await storeA.enqueue(Array.from({ length: 60 }, (_, i) => textMessage(`c-${i}`, { kind: 'conversation', conversationId: `conv-${i}` })));
    const now = new Date();
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? storeA : storeB).claimDueOutbox(`w-${i}`, 7, now, 60_000)),
    );
    const ids = claims.flat().map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
    assert.equal(ids.length, 60, 'and every row claimed by someone');
  });
});

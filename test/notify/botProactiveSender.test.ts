/**
 * The botbuilder ProactiveSender against the fake Bot Connector: the real CloudAdapter (anonymous mode, the
 * production createAdapter with its onTurnError) and the real connector client, over loopback HTTP.
 */
import assert from 'node:assert/strict';
import { BotProactiveSender, classifyHttpStatus, toDeliveryError } from '../../src/bot/proactiveSender';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { DeliveryError } from '../../src/notify/proactiveSender';
import { sqliteHarness } from '../store/sqliteHarness';
import type { TestDatabase } from '../store/storeHarness';
import { connectorPaths, type Fault, FakeBotConnector } from '../support/fakeBotConnector';
import { anonymousAdapter, captureLog, type LogLine, senderFor, sleep, storeReference, TENANT, testCard, rendered } from './notifyHarness';

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeliveryError, `expected a DeliveryError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

describe('notify: botbuilder ProactiveSender against the fake Bot Connector', function () {
  this.timeout(20_000);
  let fake: FakeBotConnector;
  let db: TestDatabase;
  let store: ChannelCheckStore;
  let lines: LogLine[];
  let sender: BotProactiveSender;

  beforeEach(async () => {
    fake = await FakeBotConnector.start();
    db = await sqliteHarness().newDatabase();
    store = await db.open();
    const captured = captureLog();
    lines = captured.lines;
    sender = senderFor(fake, store, captured.log, 600);
  });

  afterEach(async () => {
    await fake.close();
    await db.drop();
    assert.equal(lines.filter((l) => l.msg === 'unhandled error in a turn').length, 0, "no error may end up in the adapter's onTurnError");
  });

  it('sends to a user through their stored conversation reference, with the idempotency key in channelData', async () => {
    await storeReference(store, fake, 'aad-lee', 'a:conv-lee');
    const sent = await sender.sendToUser({ aadObjectId: 'aad-lee', tenantId: TENANT }, { card: rendered('Approval needed'), summary: 'Approval needed: Jo' }, 'approval:1:manager');
    assert.equal(fake.creates().length, 0);
    const [call] = fake.delivered();
    assert.ok(call);
    assert.equal(call.conversationId, 'a:conv-lee');
    assert.equal(call.idempotencyKey, 'approval:1:manager');
    assert.equal(call.authorization, null, 'anonymous mode sends no token');
    const body = call.body as { type: string; summary: string; attachments: Array<{ contentType: string; content: unknown }> };
    assert.equal(body.type, 'message');
    assert.equal(body.summary, 'Approval needed: Jo');
    assert.deepEqual(body.attachments, [{ contentType: 'application/vnd.microsoft.card.adaptive', content: testCard('Approval needed') }]);
    assert.deepEqual(sent, { activityId: call.resultId, conversationId: 'a:conv-lee' });
  });

  it('opens a 1:1 conversation when no reference is stored (tenant + object id), stores it, and reuses it', async () => {
    const sent = await sender.sendToUser({ aadObjectId: 'aad-new-manager', tenantId: TENANT }, { text: 'hello' }, 'k1');
    const [create] = fake.creates();
    assert.ok(create);
    assert.deepEqual(
      { isGroup: (create.body as Record<string, unknown>).isGroup, members: (create.body as Record<string, unknown>).members, tenantId: (create.body as Record<string, unknown>).tenantId, channelData: (create.body as Record<string, unknown>).channelData },
      { isGroup: false, members: [{ id: 'aad-new-manager', name: '' }], tenantId: TENANT, channelData: { tenant: { id: TENANT } } },
    );
    const conversationId = fake.conversationIdFor('aad-new-manager');
    assert.equal(sent.conversationId, conversationId);
    assert.equal(fake.deliveredTo(conversationId).length, 1);
    assert.equal((fake.deliveredTo(conversationId)[0]!.body as { text: string; textFormat: string }).text, 'hello');
    const stored = await store.getConversationReference('aad-new-manager');
    assert.equal((stored?.reference as { conversation: { id: string }; serviceUrl: string }).conversation.id, conversationId);
    assert.equal((stored?.reference as { serviceUrl: string }).serviceUrl, fake.serviceUrl);

    await sender.sendToUser({ aadObjectId: 'aad-new-manager', tenantId: TENANT }, { text: 'again' }, 'k2');
    assert.equal(fake.creates().length, 1, 'the stored reference is used the second time');
    assert.equal(fake.deliveredTo(conversationId).length, 2);
  });

  it('sends to a conversation (the escalation channel) and updates a card in place', async () => {
    const sent = await sender.sendToConversation('19:escalation@thread.tacv2', { text: 'plain words' }, 'ch-1');
    assert.equal(sent.conversationId, '19:escalation@thread.tacv2');
    const [call] = fake.deliveredTo('19:escalation@thread.tacv2');
    assert.equal(call?.idempotencyKey, 'ch-1');
    assert.equal((call?.body as { textFormat: string }).textFormat, 'plain');

    await sender.updateCard('a:conv-prac', 'activity-42', rendered('Approved'));
    const [update] = fake.updates();
    assert.equal(update?.path, connectorPaths.activity('a:conv-prac', 'activity-42'));
    assert.deepEqual((update?.body as { attachments: unknown[] }).attachments, [{ contentType: 'application/vnd.microsoft.card.adaptive', content: testCard('Approved') }]);
  });

  it("updates a card at the conversation's own service URL when given one", async () => {
    const regional = await FakeBotConnector.start();
    try {
      await sender.updateCard('a:conv-emea', 'activity-7', rendered('Acknowledged'), regional.serviceUrl);
      assert.equal(regional.updates().length, 1);
      assert.equal(regional.updates()[0]?.path, connectorPaths.activity('a:conv-emea', 'activity-7'));
      assert.equal(fake.calls.length, 0, 'not the configured service URL');
    } finally {
      await regional.close();
    }
  });

  it('maps each Bot Connector failure to a DeliveryError, one HTTP request per attempt (the connector does not retry)', async () => {
    const cases: Array<{ fault: Fault; kind: string; status: number | null; retryAfterMs?: number | null }> = [
      { fault: { status: 403, code: 'BotNotInConversationRoster' }, kind: 'unreachable', status: 403 },
      { fault: { status: 404, code: 'ConversationNotFound' }, kind: 'unreachable', status: 404 },
      { fault: { status: 429, retryAfter: 2 }, kind: 'retryable', status: 429, retryAfterMs: 2000 },
      { fault: { status: 412 }, kind: 'retryable', status: 412 },
      { fault: { status: 500 }, kind: 'retryable', status: 500 },
      { fault: { status: 502 }, kind: 'retryable', status: 502 },
      { fault: { status: 503, retryAfter: 1 }, kind: 'retryable', status: 503, retryAfterMs: 1000 },
      { fault: { status: 504 }, kind: 'retryable', status: 504 },
      { fault: { status: 400, code: 'BadArgument' }, kind: 'rejected', status: 400 },
      { fault: { status: 413, code: 'MessageSizeTooBig' }, kind: 'rejected', status: 413 },
      { fault: { hang: true, hangMs: 5000 }, kind: 'retryable', status: null },
      { fault: { dropAfterAccept: true }, kind: 'retryable', status: null },
      { fault: { reset: true }, kind: 'retryable', status: null },
    ];
    for (const [i, c] of cases.entries()) {
      const conversation = `conv-fault-${i}`;
      fake.fail({ method: 'POST', path: connectorPaths.sendsTo(conversation), fault: c.fault });
      const started = Date.now();
      const error = await deliveryError(sender.sendToConversation(conversation, { text: 'x' }, `key-${i}`));
      const label = JSON.stringify(c.fault);
      assert.equal(error.kind, c.kind, label);
      assert.equal(error.status, c.status, label);
      if (c.retryAfterMs !== undefined) assert.equal(error.retryAfterMs, c.retryAfterMs, label);
      assert.equal(fake.calls.filter((call) => call.conversationId === conversation).length, 1, `${label}: exactly one HTTP request`);
      assert.ok(Date.now() - started < 1500, `${label}: answered within the deadline (${Date.now() - started} ms)`);
    }
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    fake.fail({ method: 'POST', path: connectorPaths.sendsTo('c-date'), fault: { status: 429, retryAfter: at } });
    const error = await deliveryError(sender.sendToConversation('c-date', { text: 'x' }, 'k'));
    assert.ok(error.retryAfterMs !== null && error.retryAfterMs > 25_000 && error.retryAfterMs <= 30_000, String(error.retryAfterMs));
  });

  it('opens a new conversation when Teams says the stored one is gone (404)', async () => {
    await storeReference(store, fake, 'aad-moved', 'a:conv-gone');
    fake.fail({ method: 'POST', path: connectorPaths.sendsTo('a:conv-gone'), times: Infinity, fault: { status: 404, code: 'ConversationNotFound' } });
    const sent = await sender.sendToUser({ aadObjectId: 'aad-moved', tenantId: TENANT }, { text: 'hi' }, 'k-moved');
    assert.equal(sent.conversationId, fake.conversationIdFor('aad-moved'));
    assert.equal(fake.delivered().length, 1);
    const stored = await store.getConversationReference('aad-moved');
    assert.equal((stored?.reference as { conversation: { id: string } }).conversation.id, sent.conversationId, 'the new reference replaces the stale one');
  });

  it('reports 403 on opening the conversation (app not installed) as unreachable, after one request', async () => {
    fake.fail({ path: connectorPaths.createConversation, times: Infinity, fault: { status: 403, code: 'Forbidden', message: 'The bot is not installed for this user' } });
    const error = await deliveryError(sender.sendToUser({ aadObjectId: 'aad-no-app', tenantId: TENANT }, { text: 'hi' }, 'k'));
    assert.equal(error.kind, 'unreachable');
    assert.equal(error.status, 403);
    assert.equal(fake.creates().length, 1);
    assert.equal(await store.getConversationReference('aad-no-app'), null);
  });

  it("keeps botbuilder's own retry on the create-conversation call only, bounded by the deadline; a late create never sends", async () => {
    // A 500 on create: the connector client's built-in policy retries it once (0.5–1 s later) within one attempt.
    const patient = new BotProactiveSender({ adapter: anonymousAdapter(captureLog().log), appId: null, serviceUrl: fake.serviceUrl, references: store, timeoutMs: 5000 });
    fake.fail({ path: connectorPaths.createConversation, fault: { status: 500 } });
    await patient.sendToUser({ aadObjectId: 'aad-a', tenantId: TENANT }, { text: 'hi' }, 'k-a');
    assert.equal(fake.creates().length, 2);
    assert.equal(fake.delivered().length, 1);

    // A create that hangs past the deadline: the attempt fails in time; when the built-in retry later succeeds,
    // the late turn stores the reference but does not send (the dispatcher's next attempt will).
    fake.fail({ path: connectorPaths.createConversation, fault: { hang: true, hangMs: 400 } });
    const started = Date.now();
    const error = await deliveryError(sender.sendToUser({ aadObjectId: 'aad-b', tenantId: TENANT }, { text: 'hi' }, 'k-b'));
    assert.equal(error.kind, 'retryable');
    assert.ok(Date.now() - started < 1000, `gave up at the deadline (${Date.now() - started} ms)`);
    for (let i = 0; i < 60 && (await store.getConversationReference('aad-b')) === null; i += 1) await sleep(50);
    assert.notEqual(await store.getConversationReference('aad-b'), null, 'the late create completed');
    await sleep(200);
    assert.equal(fake.deliveredTo(fake.conversationIdFor('aad-b')).length, 0, 'nothing was sent by the abandoned attempt');
  });

  it('classifies statuses and odd errors conservatively', () => {
    assert.deepEqual([401, 403, 404, 408, 410, 412, 429, 500, 501, 502, 503, 504, 505, 400, 413].map(classifyHttpStatus), [
      'retryable',
      'unreachable',
      'unreachable',
      'retryable',
      'unreachable',
      'retryable',
      'retryable',
      'retryable',
      'rejected',
      'retryable',
      'retryable',
      'retryable',
      'rejected',
      'rejected',
      'rejected',
    ]);
    assert.equal(toDeliveryError(new TypeError('boom')).kind, 'retryable', 'an unknown failure is retried, not dropped');
    assert.equal(toDeliveryError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).kind, 'retryable');
    const plainHeaders = toDeliveryError({ statusCode: 429, response: { status: 429, headers: { 'retry-after': '4' } } });
    assert.equal(plainHeaders.retryAfterMs, 4000);
    const msHeader = toDeliveryError({ statusCode: 429, response: { status: 429, headers: { get: (n: string) => (n === 'retry-after-ms' ? '250' : undefined) } } });
    assert.equal(msHeader.retryAfterMs, 250);
  });
});

/**
 * Shared pieces for the notification tests: a pino logger whose lines can be read back, the real botbuilder
 * adapter (anonymous mode) and sender pointed at a FakeBotConnector, outbox row builders, and waiting for the
 * outbox to drain.
 */
import { Writable } from 'node:stream';
import type { CloudAdapter } from 'botbuilder';
import pino from 'pino';
import { createAdapter } from '../../src/bot/adapter';
import { loadConfig } from '../../src/config';
import { BotProactiveSender } from '../../src/bot/proactiveSender';
import type { CardJson } from '../../src/bot/presenters/renderTemplate';
import type { ChannelCheckStore, NewOutboxMessage, OutboxMessage, OutboxTarget } from '../../src/domain/ports/store';
import type { Logger } from '../../src/logging';
import type { CardContent, CardPayload, TextPayload } from '../../src/notify/outboxPayloads';
import type { TestDatabase } from '../store/storeHarness';
import type { FakeBotConnector } from '../support/fakeBotConnector';

export const TENANT = 'tenant-1';

export interface LogLine {
  level: number;
  msg: string;
  alert?: boolean;
  [key: string]: unknown;
}

/** A real pino logger writing JSON lines into `lines`. */
export function captureLog(level = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { log: pino({ level, name: 'test' }, stream), lines };
}

/** The production adapter (with its onTurnError) in anonymous mode: no app id, no tokens. */
export function anonymousAdapter(log: Logger): CloudAdapter {
  return createAdapter(loadConfig({ CHANNELCHECK_COUNCIL: 'hillingdon' }, ['hillingdon']), log);
}

export function senderFor(fake: FakeBotConnector, store: ChannelCheckStore, log: Logger, timeoutMs = 1000): BotProactiveSender {
  return new BotProactiveSender({ adapter: anonymousAdapter(log), appId: null, serviceUrl: fake.serviceUrl, references: store, log, timeoutMs });
}

/** Stores a 1:1 conversation reference for `userAadId` on the fake connector, as the bot does when a user messages it. */
export async function storeReference(store: ChannelCheckStore, fake: FakeBotConnector, userAadId: string, conversationId: string): Promise<void> {
  await store.saveConversationReference(userAadId, TENANT, {
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT, isGroup: false },
    bot: { id: '28:channelcheck', name: 'ChannelCheck' },
    user: { id: `29:${userAadId}`, aadObjectId: userAadId, name: userAadId },
  });
}

export function testCard(title: string): CardJson {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body: [{ type: 'TextBlock', text: title, wrap: true }] };
}

/** A card row's content for the dispatcher tests: a card already rendered (what a legacy row is read as). */
export function rendered(title: string): CardContent {
  return { kind: 'rendered', card: testCard(title) };
}

export function toUser(aadObjectId: string): OutboxTarget {
  return { kind: 'user', aadObjectId };
}

export function cardMessage(key: string, target: OutboxTarget, extra: Partial<CardPayload> = {}, refId: string | null = null): NewOutboxMessage {
  const payload: CardPayload = { tenantId: TENANT, card: rendered(`card ${key}`), summary: `summary ${key}`, ...extra };
  return { idempotencyKey: key, kind: 'card', target, payload, refId };
}

export function textMessage(key: string, target: OutboxTarget, text = `text ${key}`): NewOutboxMessage {
  const payload: TextPayload = { tenantId: TENANT, text };
  return { idempotencyKey: key, kind: 'text', target, payload };
}

export async function allRows(db: TestDatabase): Promise<Array<{ id: string; idempotency_key: string; status: string; attempts: number; claimed_by: string | null; last_error: string | null }>> {
  return db.raw().selectFrom('outbox').select(['id', 'idempotency_key', 'status', 'attempts', 'claimed_by', 'last_error']).orderBy('created_at').orderBy('id').execute();
}

export async function rowByKey(store: ChannelCheckStore, db: TestDatabase, key: string): Promise<OutboxMessage> {
  const row = (await allRows(db)).find((r) => r.idempotency_key === key);
  if (row === undefined) throw new Error(`no outbox row with key ${key}`);
  return (await store.getOutboxMessage(row.id))!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}

/** Every outbox row sent or dead (nothing pending or in flight). */
export async function drained(db: TestDatabase): Promise<boolean> {
  const rows = await allRows(db);
  return rows.length > 0 && rows.every((r) => r.status === 'sent' || r.status === 'dead');
}

/** The largest number of events in any window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[j]! < sorted[i]! - windowMs + 1) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * Outage runs on a fake clock: a mix of urgent alerts, approval cards, channel copies and practitioner notices
 * is queued, the fake Bot Connector (on loopback) answers every send and update with a fault while the fake
 * clock is inside the outage, and the real dispatcher (real botbuilder sender, real store) is driven pass by
 * pass while the clock moves on. The run returns its figures: what was tried, delivered, lost, duplicated, and
 * how long after recovery the last message arrived. docs/reliability.md is the table of these figures.
 */
import type { ChannelCheckStore, NewOutboxMessage } from '../../src/domain/ports/store';
import type { OutboxDispatcher } from '../../src/notify/outboxDispatcher';
import type { TestDatabase } from '../store/storeHarness';
import { type Fault, type FakeBotConnector } from '../support/fakeBotConnector';
import { allRows, cardMessage, storeReference, textMessage, toUser } from './notifyHarness';

export const CHANNEL = '19:escalation@thread.tacv2';

/**
 * A clock the dispatcher reads and sleeps on: sleeping moves it on at once. Timers set on it (the sender's
 * deadline) fire only when it is moved past them, never because the machine was slow.
 */
export class FakeClock {
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextTimer = 1;
  constructor(public ms = Date.parse('2026-03-03T03:00:00.000Z')) {}
  readonly now = (): Date => new Date(this.ms);
  readonly nowMs = (): number => this.ms;
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(Math.max(0, ms));
    await Promise.resolve();
  };
  readonly setTimeout = (callback: () => void, ms: number): number => {
    const id = this.nextTimer++;
    this.timers.set(id, { at: this.ms + Math.max(0, ms), callback });
    return id;
  };
  readonly clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };
  /** Fires every timer now, without moving the clock (a request that hangs until its deadline). */
  expireTimers(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const timer of due) timer.callback();
  }
  advance(ms: number): void {
    this.ms += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.ms) break;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

export type Priority = 'urgent' | 'routine';

export interface QueuedMessage {
  key: string;
  priority: Priority;
  what: 'alert' | 'channel copy' | 'approval card' | 'practitioner notice';
}

/** 4 urgent alerts to line managers, 2 urgent channel copies, 4 approval cards, 4 practitioner notices. */
export function outageMix(): { messages: NewOutboxMessage[]; queued: QueuedMessage[]; users: string[] } {
  const messages: NewOutboxMessage[] = [];
  const queued: QueuedMessage[] = [];
  const users: string[] = [];
  for (let i = 1; i <= 4; i += 1) {
    users.push(`aad-mgr-${i}`, `aad-prac-${i}`);
    const fallback = { toEscalationChannel: true, tellPractitionerAadId: `aad-prac-${i}`, recipientDescription: `your line manager Manager ${i}` };
    messages.push({ ...cardMessage(`alert:e${i}:manager`, toUser(`aad-mgr-${i}`), { urgent: true, fallback }, `e${i}`), urgent: true });
    queued.push({ key: `alert:e${i}:manager`, priority: 'urgent', what: 'alert' });
    if (i <= 2) {
      messages.push({ ...cardMessage(`alert:e${i}:channel`, { kind: 'channel', channelId: CHANNEL }, { urgent: true }, `e${i}`), urgent: true });
      queued.push({ key: `alert:e${i}:channel`, priority: 'urgent', what: 'channel copy' });
    }
    messages.push(cardMessage(`approval:a${i}:manager`, toUser(`aad-mgr-${i}`), { fallback }, `a${i}`));
    queued.push({ key: `approval:a${i}:manager`, priority: 'routine', what: 'approval card' });
    messages.push(textMessage(`notice:${i}`, toUser(`aad-prac-${i}`), `Case CR-${4000 + i}: your line manager has been told.`));
    queued.push({ key: `notice:${i}`, priority: 'routine', what: 'practitioner notice' });
  }
  return { messages, queued, users };
}

export interface OutageFigures {
  scenario: string;
  engine: string;
  /** Messages queued. */
  tried: number;
  /** Delivered (each exactly once counts once). */
  delivered: number;
  /** Dead-lettered although the route worked again later. */
  deadLettered: number;
  /** Never delivered to their own recipient. */
  lost: number;
  /** Keys posted more than once. */
  duplicated: number;
  /** HTTP requests the fake answered with the fault. */
  faultedRequests: number;
  /** The last original message's delivery, in seconds after the outage ended (null when something was lost). */
  secondsToDeliveryAfterRecovery: number | null;
  /** Keys in delivery order after recovery. */
  orderAfterRecovery: string[];
  /** Highest `attempts` on any row at the end. */
  maxAttempts: number;
  /** Per original message: `attempts` on its row at the end, and the HTTP requests the fake saw for it. */
  attemptsAndRequests: Array<{ key: string; attempts: number; requests: number }>;
}

export interface OutageRunOptions {
  scenario: string;
  engine: string;
  db: TestDatabase;
  store: ChannelCheckStore;
  fake: FakeBotConnector;
  clock: FakeClock;
  dispatcher: OutboxDispatcher;
  fault: Fault;
  outageMs: number;
  /** How far past the end of the outage to keep going. Default 120 s. */
  afterMs?: number;
  /** Fake time between passes. Default 1000. */
  stepMs?: number;
  /** Also run per step (e.g. the timer loop). */
  alsoEachStep?: () => Promise<unknown>;
}

export async function runOutage(o: OutageRunOptions): Promise<OutageFigures> {
  const { messages, queued, users } = outageMix();
  for (const u of users) await storeReference(o.store, o.fake, u, `a:conv-${u}`);
  const start = o.clock.ms;
  const end = start + o.outageMs;
  o.fake.fail({ when: () => o.clock.ms < end, times: Infinity, fault: o.fault });
  await o.store.enqueue(messages);
  const stepMs = o.stepMs ?? 1000;
  const stopAt = end + (o.afterMs ?? 120_000);
  const originalKeys = new Set(queued.map((q) => q.key));
  const deliveredOriginals = (): number => new Set(o.fake.delivered().filter((c) => c.idempotencyKey !== null && originalKeys.has(c.idempotencyKey)).map((c) => c.idempotencyKey)).size;
  while (o.clock.ms < stopAt) {
    await o.dispatcher.runOnce();
    if (o.alsoEachStep) await o.alsoEachStep();
    if (o.clock.ms >= end && deliveredOriginals() === queued.length) {
      const rows = await allRows(o.db);
      if (rows.every((r) => r.status !== 'pending' && r.status !== 'in_flight')) break;
    }
    o.clock.advance(stepMs);
  }
  const rows = await allRows(o.db);
  const counts = o.fake.deliveredKeyCounts();
  const delivered = o.fake.delivered().filter((c) => c.idempotencyKey !== null && originalKeys.has(c.idempotencyKey));
  const lost = queued.filter((q) => !counts.has(q.key)).length;
  const last = delivered.length > 0 ? Math.max(...delivered.map((c) => c.at)) : null;
  return {
    scenario: o.scenario,
    engine: o.engine,
    tried: queued.length,
    delivered: queued.filter((q) => counts.has(q.key)).length,
    deadLettered: rows.filter((r) => originalKeys.has(r.idempotency_key) && r.status === 'dead').length,
    lost,
    duplicated: [...counts.entries()].filter(([key, n]) => originalKeys.has(key) && n > 1).length,
    faultedRequests: o.fake.calls.filter((c) => !c.effective).length,
    secondsToDeliveryAfterRecovery: lost === 0 && last !== null ? Math.max(0, Math.round((last - end) / 100) / 10) : null,
    orderAfterRecovery: delivered.filter((c) => c.at >= end).map((c) => c.idempotencyKey!),
    maxAttempts: Math.max(0, ...rows.map((r) => r.attempts)),
    attemptsAndRequests: queued.map((q) => ({
      key: q.key,
      attempts: rows.find((r) => r.idempotency_key === q.key)?.attempts ?? -1,
      requests: o.fake.calls.filter((c) => c.idempotencyKey === q.key).length,
    })),
  };
}

/** One line of docs/reliability.md's table. */
export function figuresLine(f: OutageFigures): string {
  return `| ${f.scenario} | ${f.engine} | ${f.tried} | ${f.delivered} | ${f.lost} | ${f.duplicated} | ${f.secondsToDeliveryAfterRecovery === null ? 'never' : `${f.secondsToDeliveryAfterRecovery} s`} | ${f.deadLettered} | ${f.faultedRequests} | ${f.maxAttempts} |`;
}

export function priorityOf(key: string): Priority {
  return outageMix().queued.find((q) => q.key === key)?.priority ?? 'routine';
}

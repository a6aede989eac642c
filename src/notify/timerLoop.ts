/**
 * The timer loop: escalation deadlines and the like are rows in the store, not setTimeout. Each pass claims the
 * due timers (each goes to exactly one worker, across replicas, for a lease), hands each to the handler
 * registered for its kind, and marks it fired when the handler succeeds. A handler that throws (or a kind with
 * no handler) leaves the timer claimed: once the lease runs out it is claimed and tried again, by this or
 * another replica. Handlers must therefore be idempotent (the escalation handler uses the store's conditional
 * `escalate`, which fires once).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Timer, TimerStore } from '../domain/ports/store';
import type { Logger } from '../logging';
import { PollingLoop } from './pollingLoop';

export type TimerHandler = (timer: Timer) => Promise<void>;

export interface TimerLoopOptions {
  store: Pick<TimerStore, 'claimDueTimers' | 'completeTimer'>;
  /** By timer kind, e.g. `escalation_ack_due`. */
  handlers: Record<string, TimerHandler>;
  log: Logger;
  /** Unique per replica; default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  /** Default 1000. */
  pollMs?: number;
  /** Timers claimed per pass. Default 20. */
  batchSize?: number;
  /** How long a claim lasts: a failed timer is retried after this. Default 60 s. */
  leaseMs?: number;
  now?: () => Date;
}

export interface TimerPassResult {
  claimed: number;
  fired: number;
  /** Handler threw or no handler: retried after the lease. */
  failed: number;
  /** completeTimer said the lease had passed to another worker. */
  leaseLost: number;
}

export class TimerLoop {
  readonly workerId: string;
  private readonly store: TimerLoopOptions['store'];
  private readonly handlers: Record<string, TimerHandler>;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly now: () => Date;
  private readonly loop: PollingLoop<TimerPassResult>;

  constructor(options: TimerLoopOptions) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.log = options.log;
    this.workerId = options.workerId ?? `${os.hostname().slice(0, 64)}:${process.pid}:${randomUUID().slice(0, 8)}:timers`;
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
    this.loop = new PollingLoop({ pollMs: this.pollMs, batchSize: this.batchSize, pass: () => this.fireDue(), log: this.log, name: 'timer loop', workerId: this.workerId });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass. Waits for a pass already in progress first. */
  async runOnce(): Promise<TimerPassResult> {
    return this.loop.runOnce();
  }

  private async fireDue(): Promise<TimerPassResult> {
    const timers = await this.store.claimDueTimers(this.workerId, this.batchSize, this.now(), this.leaseMs);
    const result: TimerPassResult = { claimed: timers.length, fired: 0, failed: 0, leaseLost: 0 };
    for (const timer of timers) {
      const handler = Object.prototype.hasOwnProperty.call(this.handlers, timer.kind) ? this.handlers[timer.kind] : undefined;
      if (handler === undefined) {
        result.failed += 1;
        this.log.error({ alert: true, timerId: timer.id, kind: timer.kind, refId: timer.refId }, 'no handler for this timer kind; it will be retried when its lease expires');
        continue;
      }
      try {
        await handler(timer);
      } catch (error) {
        result.failed += 1;
        this.log.error({ err: error, timerId: timer.id, kind: timer.kind, refId: timer.refId }, 'timer handler failed; it will be retried when its lease expires');
        continue;
      }
      try {
        if (await this.store.completeTimer(timer.id, this.workerId)) result.fired += 1;
        else {
          result.leaseLost += 1;
          this.log.warn({ timerId: timer.id, kind: timer.kind }, 'timer handled, but its lease had passed to another worker (or it was cancelled meanwhile)');
        }
      } catch (error) {
        result.failed += 1;
        this.log.error({ err: error, timerId: timer.id, kind: timer.kind }, 'timer handled but not marked fired; it will be handled again after its lease');
      }
    }
    return result;
  }
}

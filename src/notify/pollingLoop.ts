/**
 * A background loop that runs one pass at a time: polls every `pollMs`, straight away again when a pass
 * claimed a full batch, never two passes at once, and stop() waits for the pass in progress. The outbox
 * dispatcher and the timer loop both run on it; the state they work on is in the store.
 *
 * A pass that fails (the store busy or unwritable, most often) is not retried at the poll rate: the loop backs
 * off, doubling the wait from 2 × pollMs up to maxBackoffMs, and polls normally again after a pass succeeds.
 */
import { isStoreUnavailable } from '../domain/ports/storeUnavailable';
import type { Logger } from '../logging';

/** How the loop waits between passes; tests pass a fake to see and drive the waits. */
export interface LoopTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: LoopTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const DEFAULT_MAX_BACKOFF_MS = 30_000;

export interface PollingLoopOptions<R> {
  pollMs: number;
  /** One pass; `claimed >= batchSize` means there may be more waiting. */
  pass: () => Promise<R & { claimed: number }>;
  batchSize: number;
  log: Logger;
  /** For log lines: "outbox dispatcher", "timer loop". */
  name: string;
  workerId: string;
  /** The longest wait after failed passes. Default 30 s. */
  maxBackoffMs?: number;
  timers?: LoopTimers;
}

export class PollingLoop<R> {
  private running = false;
  private timer: unknown = null;
  private current: Promise<R & { claimed: number }> | null = null;
  private failures = 0;
  private readonly timers: LoopTimers;

  constructor(private readonly options: PollingLoopOptions<R>) {
    this.timers = options.timers ?? REAL_TIMERS;
  }

  /** Passes that failed in a row (0 after a pass succeeds). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The wait before the next pass after `failures` failed passes in a row. */
  backoffMs(failures: number): number {
    if (failures === 0) return this.options.pollMs;
    return Math.min(this.options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, this.options.pollMs * 2 ** Math.min(failures, 20));
  }

  /** Starts polling. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (this.current !== null) await this.current.catch(() => undefined);
  }

  /** Runs a pass now rather than at the next poll. */
  wake(): void {
    if (!this.running || this.current !== null || this.failures > 0) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.schedule(0);
  }

  /** One pass now. Waits for a pass already in progress first. */
  async runOnce(): Promise<R & { claimed: number }> {
    while (this.current !== null) await this.current.catch(() => undefined);
    const pass = this.options.pass();
    this.current = pass;
    try {
      return await pass;
    } finally {
      if (this.current === pass) this.current = null;
    }
  }

  private schedule(ms: number): void {
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    let full = false;
    try {
      full = (await this.runOnce()).claimed >= this.options.batchSize;
      if (this.failures > 0) this.options.log.info({ workerId: this.options.workerId, failedPasses: this.failures }, `${this.options.name} is working again`);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      const waitMs = this.backoffMs(this.failures);
      const fields = { err: error, workerId: this.options.workerId, failedPasses: this.failures, nextPassInMs: waitMs };
      if (isStoreUnavailable(error)) this.options.log.warn({ ...fields, storeUnavailable: error.reason }, `${this.options.name}: the store cannot be used now; backing off`);
      else this.options.log.error(fields, `${this.options.name} pass failed; backing off`);
    }
    if (this.running && this.timer === null) this.schedule(full ? 0 : this.backoffMs(this.failures));
  }
}

/**
 * A background loop that runs one pass at a time: polls every `pollMs`, straight away again when a pass
 * claimed a full batch, never two passes at once, and stop() waits for the pass in progress. The outbox
 * dispatcher and the timer loop both run on it; the state they work on is in the store.
 */
import type { Logger } from '../logging';

export interface PollingLoopOptions<R> {
  pollMs: number;
  /** One pass; `claimed >= batchSize` means there may be more waiting. */
  pass: () => Promise<R & { claimed: number }>;
  batchSize: number;
  log: Logger;
  /** For log lines: "outbox dispatcher", "timer loop". */
  name: string;
  workerId: string;
}

export class PollingLoop<R> {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<R & { claimed: number }> | null = null;

  constructor(private readonly options: PollingLoopOptions<R>) {}

  /** Starts polling. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.current !== null) await this.current.catch(() => undefined);
  }

  /** Runs a pass now rather than at the next poll. */
  wake(): void {
    if (!this.running || this.current !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
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
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    let full = false;
    try {
      full = (await this.runOnce()).claimed >= this.options.batchSize;
    } catch (error) {
      this.options.log.error({ err: error, workerId: this.options.workerId }, `${this.options.name} pass failed; will try again`);
    }
    if (this.running && this.timer === null) this.schedule(full ? 0 : this.options.pollMs);
  }
}

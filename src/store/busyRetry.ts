/**
 * Waiting for a busy SQLite file without blocking the event loop: an attempt that failed with SQLITE_BUSY
 * is tried again after an asynchronous backoff (exponential, with jitter, capped), until the operation's
 * budget, counted from when it asked for the connection, is spent. Then it fails with
 * StoreUnavailableError('busy').
 *
 * Once an operation has given up, the store is known to be busy: until a write succeeds again, later
 * operations get one attempt and no waiting, so a user's turn that makes several writes is not held for a
 * budget per write, and the background loops back off instead of queuing behind each other.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { StoreUnavailableError } from '../domain/ports/storeUnavailable';

/** A turn must get its answer (or its error card) within 2 s; this leaves room for the rest of the turn. */
export const BOT_BUSY_BUDGET_MS = 1500;
/** The data commands wait longer: the bot holds the lock only briefly, and a person is waiting for the result. */
export const CLI_BUSY_BUDGET_MS = 30_000;

export interface BusyRetryOptions {
  /** How long one operation may wait for the lock in total. Default BOT_BUSY_BUDGET_MS. */
  budgetMs?: number;
  /** Milliseconds clock (tests move it). Default performance.now. */
  clock?: () => number;
  /** How the backoff is waited (tests pass a fake). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** First and largest pause between attempts. Defaults 5 ms and 100 ms. */
  baseMs?: number;
  capMs?: number;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export class BusyRetry {
  readonly clock: () => number;
  private readonly budgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private knownBusy = false;

  constructor(options: BusyRetryOptions = {}) {
    this.budgetMs = options.budgetMs ?? BOT_BUSY_BUDGET_MS;
    this.clock = options.clock ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
    this.baseMs = options.baseMs ?? 5;
    this.capMs = options.capMs ?? 100;
  }

  /** True between an operation giving up on the lock and the next successful write. */
  get busy(): boolean {
    return this.knownBusy;
  }

  /**
   * Runs `attempt`; when it fails with SQLITE_BUSY and `mayRetry`, tries again until `askedAt + budget`.
   * A successful `write` (which took the lock) ends the known-busy state; reads do not, since WAL lets them
   * through while another process holds the write lock.
   */
  async run<T>(askedAt: number, { mayRetry, write }: { mayRetry: boolean; write: boolean }, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        const result = await attempt();
        if (write) this.knownBusy = false;
        return result;
      } catch (error) {
        if (!isBusy(error)) throw error;
        const waited = Math.round(this.clock() - askedAt);
        const left = askedAt + this.budgetMs - this.clock();
        // Less than the shortest pause left: one more pause would end past the budget.
        if (!mayRetry || this.knownBusy || left < 1) {
          if (mayRetry) this.knownBusy = true;
          throw new StoreUnavailableError('busy', `gave up after ${waited} ms (${n + 1} attempts): ${(error as Error).message}`, { cause: error });
        }
        const pause = Math.min(this.capMs, this.baseMs * 2 ** n);
        await this.sleep(Math.max(1, Math.min(left, pause / 2 + (this.random() * pause) / 2)));
      }
    }
  }
}

/**
 * The scheduled retention purge: once a day (at 02:00 UTC) the bot deletes decision records older than each
 * council pack's retention period, and the purge is itself audited. The schedule is a timer row with one id
 * per day, so with several replicas exactly one of them runs it, and a restart neither skips nor repeats a day.
 */
import type { Logger } from '../logging';
import type { DataProtectionStore, Timer, TimerStore } from '../domain/ports/store';

export const RETENTION_TIMER_KIND = 'retention_purge';
export const RETENTION_ACTOR = 'channelcheck:retention-job';

/** The next 02:00 UTC strictly after `now`. */
export function nextPurgeAt(now: Date): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2, 0, 0));
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

export function purgeTimerId(at: Date): string {
  return `retention-purge-${at.toISOString().slice(0, 10)}`;
}

export class RetentionJob {
  constructor(
    private readonly deps: {
      store: TimerStore & DataProtectionStore;
      retentionDays: Readonly<Record<string, number>>;
      log: Logger;
      now: () => Date;
    },
  ) {}

  /** Makes sure the next purge is scheduled; safe to call from every replica at every start. */
  async ensureScheduled(): Promise<void> {
    const at = nextPurgeAt(this.deps.now());
    try {
      await this.deps.store.scheduleTimers([{ id: purgeTimerId(at), kind: RETENTION_TIMER_KIND, refId: 'retention', dueAt: at }]);
    } catch (e) {
      // Already scheduled (by this or another replica): the timer's id is the day.
      this.deps.log.debug({ err: e }, 'retention purge already scheduled');
    }
  }

  async onTimer(timer: Timer): Promise<void> {
    if (timer.kind !== RETENTION_TIMER_KIND) return;
    const report = await this.deps.store.purgeExpired(this.deps.retentionDays, this.deps.now(), RETENTION_ACTOR);
    const purged = report.purged.reduce((n, c) => n + c.decisionIds.length, 0);
    this.deps.log.info({ purged, councils: report.purged.map((c) => c.councilId) }, 'retention purge done');
    if (report.councilsWithoutRetention.length > 0) {
      this.deps.log.warn({ councils: report.councilsWithoutRetention }, 'records held for councils with no retention period: nothing purged for them');
    }
    await this.ensureScheduled();
  }
}

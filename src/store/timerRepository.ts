/**
 * Timers are rows, not setTimeout: they survive a restart and, with several replicas, each due timer is
 * claimed by exactly one worker for a lease (like the outbox).
 */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Transaction } from 'kysely';
import type { NewTimer, Timer, TimerStore } from '../domain/ports/store';
import { addMs, fromIso, fromIsoOrNull, toIso } from './columnValues';
import { lockSkippingLocked } from './engineDifferences';
import { checkDate, checkId, checkLeaseMs, checkLimit } from './fieldRules';
import type { Database, TimersTable } from './schema';
import { type Executor, inTransaction, type StoreContext } from './storeContext';

export function toTimer(row: TimersTable): Timer {
  return {
    id: row.id,
    kind: row.kind,
    refId: row.ref_id,
    dueAt: fromIso(row.due_at),
    firedAt: fromIsoOrNull(row.fired_at),
    cancelledAt: fromIsoOrNull(row.cancelled_at),
    claimedBy: row.claimed_by,
    claimedUntil: fromIsoOrNull(row.claimed_until),
    createdAt: fromIso(row.created_at),
  };
}

export function timerRows(timers: readonly NewTimer[], now: Date): TimersTable[] {
  return timers.map((t, i) => ({
    id: t.id ?? randomUUID(),
    kind: checkId(t.kind, `timers[${i}].kind`),
    ref_id: checkId(t.refId, `timers[${i}].refId`),
    due_at: toIso(checkDate(t.dueAt, `timers[${i}].dueAt`)),
    fired_at: null,
    cancelled_at: null,
    claimed_by: null,
    claimed_until: null,
    created_at: toIso(now),
  }));
}

export async function insertTimerRows(trx: Transaction<Database>, rows: readonly TimersTable[]): Promise<Timer[]> {
  if (rows.length > 0) await trx.insertInto('timers').values([...rows]).execute();
  return rows.map(toTimer);
}

/** Cancels the timers still waiting for an approval or escalation that has just been settled. */
export async function cancelPendingTimers(db: Executor, refId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('timers')
    .set({ cancelled_at: toIso(now) })
    .where('ref_id', '=', refId)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Marks a timer fired, if `workerId` (when given) still holds it. */
export async function markTimerFired(db: Executor, timerId: string, now: Date, workerId?: string): Promise<boolean> {
  let query = db.updateTable('timers').set({ fired_at: toIso(now), claimed_until: null }).where('id', '=', timerId).where('fired_at', 'is', null).where('cancelled_at', 'is', null);
  if (workerId !== undefined) query = query.where('claimed_by', '=', workerId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function createTimerRepository(ctx: StoreContext): TimerStore {
  return {
    async scheduleTimers(timers) {
      const rows = timerRows(timers, ctx.now());
      return inTransaction(ctx, (trx) => insertTimerRows(trx, rows));
    },

    async claimDueTimers(workerId, limit, now, leaseMs) {
      checkId(workerId, 'workerId');
      checkLimit(limit);
      checkDate(now, 'now');
      const nowIso = toIso(now);
      const leaseUntil = toIso(addMs(now, checkLeaseMs(leaseMs)));
      // Due, neither fired nor cancelled, and not held by a worker whose lease is still running.
      const claimable = (eb: ExpressionBuilder<Database, 'timers'>) =>
        eb.and([
          eb('fired_at', 'is', null),
          eb('cancelled_at', 'is', null),
          eb('due_at', '<=', nowIso),
          eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowIso)]),
        ]);
      return inTransaction(ctx, async (trx) => {
        const candidates = trx.selectFrom('timers').select('id').where(claimable).orderBy('due_at').orderBy('id').limit(limit);
        const ids = (await lockSkippingLocked(candidates, ctx.engine).execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        await trx.updateTable('timers').set({ claimed_by: workerId, claimed_until: leaseUntil }).where('id', 'in', ids).where(claimable).execute();
        const rows = await trx
          .selectFrom('timers')
          .selectAll()
          .where('id', 'in', ids)
          .where('claimed_by', '=', workerId)
          .where('claimed_until', '=', leaseUntil)
          .orderBy('due_at')
          .orderBy('id')
          .execute();
        return rows.map(toTimer);
      });
    },

    completeTimer: (timerId, workerId) => markTimerFired(ctx.db, timerId, ctx.now(), workerId),

    cancelTimersFor: (refId) => cancelPendingTimers(ctx.db, refId, ctx.now()),
  };
}

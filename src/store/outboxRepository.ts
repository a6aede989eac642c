/**
 * The outbox: every notification is a row, written in the same transaction as the change it reports, and
 * delivered by the dispatcher. A worker claims rows for a lease; a crashed worker's rows come back when the
 * lease runs out. The idempotency key is UNIQUE, so a message is never queued twice.
 */
import type { ExpressionBuilder, Transaction } from 'kysely';
import { type EnqueueResult, type NewOutboxMessage, OUTBOX_PRIORITIES, type OutboxMessage, type OutboxStatus, type OutboxStore, type OutboxTarget } from '../domain/ports/store';
import { parseOutboxPayload } from '../domain/ports/outboxMessages';
import { isInChannel } from '../domain/authority';
import { appendAudit } from './auditLog';
import { addMs, fromIso, fromIsoOrNull, fromJsonText, toIso, toJsonText } from './columnValues';
import { isUniqueViolation, lockSkippingLocked } from './engineDifferences';
import { checkDate, checkId, checkLeaseMs, checkLimit, clipError } from './fieldRules';
import { precompile } from './precompiledQuery';
import type { Database, OutboxTable } from './schema';
import { timeOrderedId } from './timeOrderedId';
import { DuplicateIdempotencyKeyError, StoreValidationError } from './storeErrors';
import { type Executor, inTransaction, type StoreContext } from './storeContext';

/** How a deferral (not an attempt) is marked in `last_error`, so `releaseBackoff` leaves it alone. */
const DEFERRED = 'deferred: ';

/**
 * Cancels the pending and in-flight copies of an alert someone acknowledged (inside the acknowledging
 * transaction): they are never sent, and never dead-lettered with a "nobody could be reached". Returns how many.
 */
/** Whether a copy of the alert `refId` was ever queued to the channel `channelConversationId` (any status). */
export async function channelCopyOf(trx: Transaction<Database>, refId: string, channelConversationId: string | null): Promise<boolean> {
  if (channelConversationId === null) return false;
  const rows = await trx.selectFrom('outbox').select('target_id').where('ref_id', '=', refId).where('target_kind', '=', 'channel').where('kind', '=', 'card').execute();
  return rows.some((r) => isInChannel(r.target_id, channelConversationId));
}

export async function cancelPendingOutbox(trx: Transaction<Database>, refId: string, now: Date): Promise<number> {
  const result = await trx
    .updateTable('outbox')
    .set({ status: 'cancelled', claimed_by: null, claimed_until: null, last_error: clipError(`cancelled at ${toIso(now)}: acknowledged through another route`) })
    .where('ref_id', '=', refId)
    .where('status', 'in', ['pending', 'in_flight'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function targetColumns(target: OutboxTarget): { target_kind: string; target_id: string } {
  switch (target.kind) {
    case 'user':
      return { target_kind: 'user', target_id: checkId(target.aadObjectId, 'target.aadObjectId') };
    case 'conversation':
      return { target_kind: 'conversation', target_id: checkId(target.conversationId, 'target.conversationId') };
    case 'channel':
      return { target_kind: 'channel', target_id: checkId(target.channelId, 'target.channelId') };
    default:
      throw new StoreValidationError('target.kind', 'must be user, conversation or channel');
  }
}

function toTarget(row: OutboxTable): OutboxTarget {
  if (row.target_kind === 'user') return { kind: 'user', aadObjectId: row.target_id };
  if (row.target_kind === 'channel') return { kind: 'channel', channelId: row.target_id };
  return { kind: 'conversation', conversationId: row.target_id };
}

export function toOutboxMessage(row: OutboxTable): OutboxMessage {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    target: toTarget(row),
    refId: row.ref_id,
    decisionId: row.decision_id,
    payload: fromJsonText<unknown>(row.payload),
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    nextAttemptAt: fromIso(row.next_attempt_at),
    claimedBy: row.claimed_by,
    claimedUntil: fromIsoOrNull(row.claimed_until),
    lastError: row.last_error,
    sentActivityId: row.sent_activity_id,
    createdAt: fromIso(row.created_at),
    sentAt: fromIsoOrNull(row.sent_at),
  };
}

/** Builds (and validates) the rows before any transaction starts. */
export function outboxRows(messages: readonly NewOutboxMessage[], now: Date): OutboxTable[] {
  messages.forEach((m, i) => {
    const parsed = parseOutboxPayload(m.kind, m.payload);
    if (!parsed.ok) throw new StoreValidationError(`notifications[${i}].payload`, parsed.reason);
  });
  return messages.map((m, i) => ({
    id: m.id ?? timeOrderedId(),
    idempotency_key: checkId(m.idempotencyKey, `notifications[${i}].idempotencyKey`),
    kind: checkId(m.kind, `notifications[${i}].kind`),
    ...targetColumns(m.target),
    ref_id: m.refId ?? null,
    decision_id: m.decisionId ?? null,
    payload: toJsonText(m.payload ?? null),
    status: 'pending',
    attempts: 0,
    next_attempt_at: toIso(m.notBefore === undefined ? now : checkDate(m.notBefore, `notifications[${i}].notBefore`)),
    claimed_by: null,
    claimed_until: null,
    last_error: null,
    sent_activity_id: null,
    created_at: toIso(now),
    sent_at: null,
    priority: OUTBOX_PRIORITIES[m.urgent ? 'urgent' : (m.priority ?? 'routine')],
    correlation_id: m.correlationId === undefined || m.correlationId === null ? null : checkId(m.correlationId, `notifications[${i}].correlationId`),
  }));
}

/** A decision's notifications are queued with it: this insert runs precompiled. */
export const outboxInsert = precompile('outboxInsert', (db, p: OutboxTable) => db.insertInto('outbox').values(p));

/**
 * Inserts rows inside the caller's transaction, filling in the decision they are about where the row has
 * none. A key already queued aborts the transaction (DuplicateIdempotencyKeyError).
 */
export async function insertOutboxRows(
  trx: Transaction<Database>,
  ctx: StoreContext,
  built: readonly OutboxTable[],
  decisionId: string | null = null,
): Promise<OutboxMessage[]> {
  const rows = built.map((r) => ({ ...r, decision_id: r.decision_id ?? decisionId }));
  for (const row of rows) {
    try {
      await outboxInsert.execute(ctx, trx, row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateIdempotencyKeyError(row.idempotency_key);
      throw error;
    }
  }
  return rows.map(toOutboxMessage);
}

async function findById(db: Executor, id: string): Promise<OutboxMessage | null> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toOutboxMessage(row);
}

export function createOutboxRepository(ctx: StoreContext): OutboxStore {
  return {
    async enqueue(messages) {
      const rows = outboxRows(messages, ctx.now());
      return inTransaction(ctx, async (trx): Promise<EnqueueResult> => {
        const result: EnqueueResult = { queued: [], duplicates: [] };
        for (const row of rows) {
          const inserted = await trx
            .insertInto('outbox')
            .values(row)
            .onConflict((oc) => oc.column('idempotency_key').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) result.queued.push(toOutboxMessage(row));
          else result.duplicates.push(row.idempotency_key);
        }
        return result;
      });
    },

    getOutboxMessage: (id) => findById(ctx.db, id),

    async listOutboxForRef(refId) {
      const rows = await ctx.db.selectFrom('outbox').selectAll().where('ref_id', '=', refId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toOutboxMessage);
    },

    async claimDueOutbox(workerId, limit, now, leaseMs) {
      checkId(workerId, 'workerId');
      checkLimit(limit);
      checkDate(now, 'now');
      const nowIso = toIso(now);
      const leaseUntil = toIso(addMs(now, checkLeaseMs(leaseMs)));
      // Due and pending, or in flight with a lease that ran out (the worker crashed).
      const claimable = (eb: ExpressionBuilder<Database, 'outbox'>) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'in_flight'), eb('claimed_until', '<', nowIso)]),
        ]);
      return inTransaction(ctx, async (trx) => {
        const candidates = trx
          .selectFrom('outbox')
          .select('id')
          .where(claimable)
          .orderBy('priority', 'desc')
          .orderBy('next_attempt_at')
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit);
        const ids = (await lockSkippingLocked(candidates, ctx.engine).execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        await trx
          .updateTable('outbox')
          .set({ status: 'in_flight', claimed_by: workerId, claimed_until: leaseUntil })
          .where('id', 'in', ids)
          .where(claimable)
          .execute();
        const rows = await trx
          .selectFrom('outbox')
          .selectAll()
          .where('id', 'in', ids)
          .where('claimed_by', '=', workerId)
          .where('claimed_until', '=', leaseUntil)
          .where('status', '=', 'in_flight')
          .orderBy('priority', 'desc')
          .orderBy('next_attempt_at')
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toOutboxMessage);
      });
    },

    async markSent(id, workerId, sentActivityId, now, followUps = []) {
      const sentAt = toIso(checkDate(now, 'now'));
      const followUpRows = outboxRows(followUps, now);
      return inTransaction(ctx, async (trx) => {
        const result = await trx
          .updateTable('outbox')
          .set((eb) => ({ status: 'sent', sent_activity_id: sentActivityId, sent_at: sentAt, claimed_until: null, last_error: null, attempts: eb('attempts', '+', 1) }))
          .where('id', '=', id)
          .where('status', '=', 'in_flight')
          .where('claimed_by', '=', workerId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        if (followUpRows.length > 0) {
          const message = await trx.selectFrom('outbox').select('decision_id').where('id', '=', id).executeTakeFirstOrThrow();
          await insertOutboxRows(trx, ctx, followUpRows, message.decision_id);
        }
        return true;
      });
    },

    async markFailed(id, workerId, error, nextAttemptAt) {
      const result = await ctx.db
        .updateTable('outbox')
        .set((eb) => ({
          status: 'pending',
          next_attempt_at: toIso(checkDate(nextAttemptAt, 'nextAttemptAt')),
          last_error: clipError(error),
          claimed_by: null,
          claimed_until: null,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', id)
        .where('status', '=', 'in_flight')
        .where('claimed_by', '=', workerId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deferOutbox(id, workerId, reason, nextAttemptAt) {
      const result = await ctx.db
        .updateTable('outbox')
        .set({ status: 'pending', next_attempt_at: toIso(checkDate(nextAttemptAt, 'nextAttemptAt')), last_error: clipError(`${DEFERRED}${reason}`), claimed_by: null, claimed_until: null })
        .where('id', '=', id)
        .where('status', '=', 'in_flight')
        .where('claimed_by', '=', workerId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async extendOutboxLease(ids, workerId, until) {
      if (ids.length === 0) return [];
      const untilIso = toIso(checkDate(until, 'until'));
      await ctx.db.updateTable('outbox').set({ claimed_until: untilIso }).where('id', 'in', [...ids]).where('status', '=', 'in_flight').where('claimed_by', '=', workerId).execute();
      const held = await ctx.db.selectFrom('outbox').select('id').where('id', 'in', [...ids]).where('status', '=', 'in_flight').where('claimed_by', '=', workerId).where('claimed_until', '=', untilIso).execute();
      return held.map((r) => r.id);
    },

    async releaseBackoff(now) {
      const nowIso = toIso(checkDate(now, 'now'));
      const result = await ctx.db
        .updateTable('outbox')
        .set({ next_attempt_at: nowIso })
        .where('status', '=', 'pending')
        .where('attempts', '>', 0)
        .where('next_attempt_at', '>', nowIso)
        .where((eb) => eb.or([eb('last_error', 'is', null), eb('last_error', 'not like', `${DEFERRED}%`)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async releaseInFlight(now) {
      const nowIso = toIso(checkDate(now, 'now'));
      return inTransaction(ctx, async (trx) => {
        const outbox = await trx
          .updateTable('outbox')
          .set({ status: 'pending', next_attempt_at: nowIso, claimed_by: null, claimed_until: null })
          .where('status', '=', 'in_flight')
          .executeTakeFirst();
        const timers = await trx
          .updateTable('timers')
          .set({ claimed_by: null, claimed_until: null })
          .where('fired_at', 'is', null)
          .where('cancelled_at', 'is', null)
          .where('claimed_until', 'is not', null)
          .executeTakeFirst();
        return { outbox: Number(outbox.numUpdatedRows), timers: Number(timers.numUpdatedRows) };
      });
    },

    async markDead(id, workerId, error, followUps = [], attempted = true) {
      const now = ctx.now();
      const followUpRows = outboxRows(followUps, now);
      return inTransaction(ctx, async (trx) => {
        const result = await trx
          .updateTable('outbox')
          .set((eb) => ({ status: 'dead', last_error: clipError(error), claimed_until: null, attempts: attempted ? eb('attempts', '+', 1) : eb.ref('attempts') }))
          .where('id', '=', id)
          .where('status', '=', 'in_flight')
          .where('claimed_by', '=', workerId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        const message = await trx.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const decision =
          message.decision_id === null ? undefined : await trx.selectFrom('decisions').select('case_ref').where('id', '=', message.decision_id).executeTakeFirst();
        await insertOutboxRows(trx, ctx, followUpRows, message.decision_id);
        await appendAudit(trx, ctx, {
          type: 'notification.dead_lettered',
          actor: `worker:${workerId}`,
          decisionId: message.decision_id,
          caseRef: decision?.case_ref ?? null,
          payload: { outboxId: id, kind: message.kind, target: toTarget(message), attempts: message.attempts, error: clipError(error) },
        });
        return true;
      });
    },
  };
}

/**
 * Wizard progress. Each step is applied only if the session is still at the version the card was built
 * from (optimistic concurrency), so a replayed or doubled invoke is applied once and gets the current state.
 */
import type { Transaction } from 'kysely';
import type { ApplyStepResult, WizardSession, WizardSessionStore, WizardStatus } from '../domain/ports/store';
import { fromIso, fromJsonText, toIso, toJsonText } from './columnValues';
import { isUniqueViolation, lockForUpdate } from './engineDifferences';
import { checkCaseRef, checkId, checkLimit, checkVersion } from './fieldRules';
import { precompile } from './precompiledQuery';
import type { Database, WizardSessionsTable } from './schema';
import { StoreConflictError, StoreValidationError } from './storeErrors';
import { type Executor, inTransaction, type StoreContext } from './storeContext';

export function toWizardSession(row: WizardSessionsTable): WizardSession {
  return {
    id: row.id,
    userAadId: row.user_aad_id,
    tenantId: row.tenant_id,
    councilId: row.council_id,
    step: row.step,
    answers: fromJsonText<Record<string, unknown>>(row.answers),
    caseRef: row.case_ref,
    version: row.version,
    status: row.status as WizardStatus,
    decisionId: row.decision_id,
    activityId: row.activity_id,
    conversationRef: fromJsonText<unknown>(row.conversation_ref),
    createdAt: fromIso(row.created_at),
    updatedAt: fromIso(row.updated_at),
  };
}

function checkAnswers(answers: unknown): Record<string, unknown> {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) throw new StoreValidationError('answers', 'must be an object');
  return answers as Record<string, unknown>;
}

// Every wizard step reads its session, locks it, updates it and reads it back: these run precompiled.
export const sessionById = precompile('sessionById', (db, p: { id: string }) => db.selectFrom('wizard_sessions').selectAll().where('id', '=', p.id));

export const sessionByIdForUpdate = precompile('sessionByIdForUpdate', (db, p: { id: string }, engine) =>
  lockForUpdate(db.selectFrom('wizard_sessions').selectAll().where('id', '=', p.id), engine),
);

/** A step's change (its columns in the order given) to a session still active at `expectedVersion`. */
export const stepUpdate = precompile(
  'stepUpdate',
  (db, p: Partial<WizardSessionsTable> & { sessionId: string; expectedVersion: number }) => {
    const { sessionId, expectedVersion, ...set } = p;
    return db.updateTable('wizard_sessions').set(set).where('id', '=', sessionId).where('version', '=', expectedVersion).where('status', '=', 'active');
  },
);

export const sessionCompletion = precompile(
  'sessionCompletion',
  (db, p: { sessionId: string; expectedVersion: number; decisionId: string; version: number; updatedAt: string }) =>
    db
      .updateTable('wizard_sessions')
      .set({ status: 'completed', decision_id: p.decisionId, version: p.version, updated_at: p.updatedAt })
      .where('id', '=', p.sessionId)
      .where('version', '=', p.expectedVersion)
      .where('status', '=', 'active'),
);

// Every check starts with a session insert and its card's attachment: these run precompiled too.
export const sessionInsert = precompile('sessionInsert', (db, row: WizardSessionsTable) => db.insertInto('wizard_sessions').values(row));

export const cardAttachment = precompile('cardAttachment', (db, p: { sessionId: string; activityId: string; conversationRef: string; updatedAt: string }) =>
  db.updateTable('wizard_sessions').set({ activity_id: p.activityId, conversation_ref: p.conversationRef, updated_at: p.updatedAt }).where('id', '=', p.sessionId),
);

function findSession(ctx: StoreContext, db: Executor, id: string): Promise<WizardSessionsTable | undefined> {
  return sessionById.takeFirst(ctx, db, { id });
}

/**
 * Inside recordDecision's transaction: marks the session completed by `decisionId`. If it was already
 * completed (a replayed final step), says which decision completed it, and the caller writes nothing.
 */
export async function completeWizardSession(
  trx: Transaction<Database>,
  ctx: StoreContext,
  sessionId: string,
  expectedVersion: number,
  decisionId: string,
  now: Date,
): Promise<{ kind: 'completed' } | { kind: 'already_completed'; decisionId: string }> {
  const row = await sessionByIdForUpdate.takeFirst(ctx, trx, { id: sessionId });
  if (row === undefined) throw new StoreConflictError(`wizard session ${sessionId} does not exist`);
  if (row.status === 'completed' && row.decision_id !== null) return { kind: 'already_completed', decisionId: row.decision_id };
  if (row.status !== 'active') throw new StoreConflictError(`wizard session ${sessionId} is ${row.status}`);
  if (row.version !== expectedVersion) throw new StoreConflictError(`wizard session ${sessionId} is at version ${row.version}, not ${expectedVersion}`);
  const updated = await sessionCompletion.affectedRows(ctx, trx, { sessionId, expectedVersion, decisionId, version: row.version + 1, updatedAt: toIso(now) });
  if (Number(updated) !== 1) throw new StoreConflictError(`wizard session ${sessionId} changed while completing it`);
  return { kind: 'completed' };
}

export function createWizardSessionRepository(ctx: StoreContext): WizardSessionStore {
  return {
    async createWizardSession(input) {
      const now = toIso(ctx.now());
      const row: WizardSessionsTable = {
        id: checkId(input.id, 'id'),
        user_aad_id: checkId(input.userAadId, 'userAadId'),
        tenant_id: checkId(input.tenantId, 'tenantId'),
        council_id: checkId(input.councilId, 'councilId'),
        step: checkId(input.step, 'step'),
        answers: toJsonText(checkAnswers(input.answers ?? {})),
        case_ref: null,
        version: 1,
        status: 'active',
        decision_id: null,
        activity_id: input.activityId ?? null,
        conversation_ref: input.conversationRef === undefined ? null : toJsonText(input.conversationRef),
        created_at: now,
        updated_at: now,
      };
      try {
        await sessionInsert.execute(ctx, ctx.db, row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError(`wizard session ${row.id} already exists`);
        throw error;
      }
      return toWizardSession(row);
    },

    async getWizardSession(id) {
      const row = await findSession(ctx, ctx.db, id);
      return row === undefined ? null : toWizardSession(row);
    },

    async applyWizardStep(sessionId, expectedVersion, change): Promise<ApplyStepResult> {
      checkVersion(expectedVersion, 'expectedVersion');
      const set = {
        step: checkId(change.step, 'step'),
        answers: toJsonText(checkAnswers(change.answers)),
        ...(change.caseRef === undefined ? {} : { case_ref: change.caseRef === null ? null : checkCaseRef(change.caseRef, ctx.caseRefPattern) }),
        ...(change.activityId === undefined ? {} : { activity_id: change.activityId }),
        ...(change.conversationRef === undefined ? {} : { conversation_ref: toJsonText(change.conversationRef) }),
        version: expectedVersion + 1,
        updated_at: toIso(ctx.now()),
      };
      return inTransaction(ctx, async (trx) => {
        const row = await sessionByIdForUpdate.takeFirst(ctx, trx, { id: sessionId });
        if (row === undefined) return { kind: 'not_found' };
        if (row.status !== 'active') return { kind: 'closed', session: toWizardSession(row) };
        if (row.version !== expectedVersion) return { kind: 'replayed', session: toWizardSession(row) };
        const updated = await stepUpdate.affectedRows(ctx, trx, { ...set, sessionId, expectedVersion });
        const current = await findSession(ctx, trx, sessionId);
        if (current === undefined) return { kind: 'not_found' };
        return { kind: Number(updated) === 1 ? 'applied' : 'replayed', session: toWizardSession(current) };
      });
    },

    async attachWizardCard(sessionId, activityId, conversationRef) {
      await cardAttachment.execute(ctx, ctx.db, { sessionId, activityId: checkId(activityId, 'activityId'), conversationRef: toJsonText(conversationRef), updatedAt: toIso(ctx.now()) });
    },

    async abandonWizardSession(sessionId) {
      await ctx.db
        .updateTable('wizard_sessions')
        .set((eb) => ({ status: 'abandoned', version: eb('version', '+', 1), updated_at: toIso(ctx.now()) }))
        .where('id', '=', sessionId)
        .where('status', '=', 'active')
        .execute();
    },

    async listActiveWizardSessions(userAadId, tenantId, limit) {
      const rows = await ctx.db
        .selectFrom('wizard_sessions')
        .selectAll()
        .where('user_aad_id', '=', checkId(userAadId, 'userAadId'))
        .where('tenant_id', '=', checkId(tenantId, 'tenantId'))
        .where('status', '=', 'active')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(checkLimit(limit))
        .execute();
      return rows.map(toWizardSession);
    },
  };
}

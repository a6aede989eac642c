/** The consent register: consents given and withdrawn per case reference, each audited in the same transaction. */
import { CONSENT_STATUSES, type ConsentEntry, type ConsentStatus, type ConsentStore, type NewConsentEntry } from '../domain/ports/store';
import { appendAudit } from './auditLog';
import { fromIso, toIso } from './columnValues';
import { checkCaseRef, checkDisplayName, checkId } from './fieldRules';
import { precompile } from './precompiledQuery';
import type { ConsentRegisterTable } from './schema';
import { StoreValidationError } from './storeErrors';
import { timeOrderedId } from './timeOrderedId';
import { inTransaction, type StoreContext } from './storeContext';

export function toConsentEntry(row: ConsentRegisterTable): ConsentEntry {
  return {
    id: row.id,
    caseRef: row.case_ref,
    councilId: row.council_id,
    status: row.status as ConsentStatus,
    scriptId: row.script_id,
    scriptVersion: row.script_version,
    ruleId: row.rule_id,
    decisionId: row.decision_id,
    recordedByAadId: row.recorded_by_aad_id,
    recordedByName: row.recorded_by_name,
    recordedAt: fromIso(row.recorded_at),
  };
}

/** The wizard's consent steps and every decision's view read a case's register: this read runs precompiled. */
export const consentForCase = precompile('consentForCase', (db, p: { caseRef: string }) =>
  db.selectFrom('consent_register').selectAll().where('case_ref', '=', p.caseRef).orderBy('recorded_at').orderBy('id'),
);

const optionalId = (v: string | null | undefined, field: string) => (v === null || v === undefined ? null : checkId(v, field));

export function createConsentRegisterRepository(ctx: StoreContext): ConsentStore {
  return {
    async recordConsent(entry: NewConsentEntry): Promise<ConsentEntry> {
      if (!(CONSENT_STATUSES as readonly string[]).includes(entry.status)) throw new StoreValidationError('status', `must be one of ${CONSENT_STATUSES.join(', ')}`);
      if (typeof entry.recordedBy !== 'object' || entry.recordedBy === null) throw new StoreValidationError('recordedBy', 'is required');
      const row: ConsentRegisterTable = {
        // Time-ordered, so entries recorded in the same millisecond still list in the order they were made.
        id: timeOrderedId(),
        case_ref: checkCaseRef(entry.caseRef, ctx.caseRefPattern),
        council_id: checkId(entry.councilId, 'councilId'),
        status: entry.status,
        script_id: optionalId(entry.scriptId, 'scriptId'),
        script_version: checkId(entry.scriptVersion, 'scriptVersion'),
        rule_id: optionalId(entry.ruleId, 'ruleId'),
        decision_id: optionalId(entry.decisionId, 'decisionId'),
        recorded_by_aad_id: checkId(entry.recordedBy.aadObjectId, 'recordedBy.aadObjectId'),
        recorded_by_name: checkDisplayName(entry.recordedBy.displayName, 'recordedBy.displayName'),
        recorded_at: toIso(ctx.now()),
      };
      return inTransaction(ctx, async (trx) => {
        await trx.insertInto('consent_register').values(row).execute();
        await appendAudit(trx, ctx, {
          type: entry.status === 'given' ? 'consent.given' : 'consent.withdrawn',
          actor: row.recorded_by_aad_id,
          decisionId: row.decision_id,
          caseRef: row.case_ref,
          payload: { consentId: row.id, councilId: row.council_id, scriptId: row.script_id, scriptVersion: row.script_version, ruleId: row.rule_id },
        });
        return toConsentEntry(row);
      });
    },

    async listConsent(caseRef: string): Promise<ConsentEntry[]> {
      const canonical = checkCaseRef(caseRef, ctx.caseRefPattern);
      const { rows } = await consentForCase.execute(ctx, ctx.db, { caseRef: canonical });
      return rows.map(toConsentEntry);
    },
  };
}

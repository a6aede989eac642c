/** Reading data out for people outside the bot: subject access (one case reference) and exports (a period). */
import type { CaseHoldings, DataProtectionStore } from '../domain/ports/store';
import { toApproval } from './approvalRows';
import { appendAudit, listAuditEvents } from './auditLog';
import { toIso } from './columnValues';
import { toConsentEntry } from './consentRegisterRepository';
import { toDecisionRecord } from './decisionRows';
import { toEscalation } from './escalationRows';
import { checkCaseRef, checkDate, checkId } from './fieldRules';
import { toOutboxMessage } from './outboxRepository';
import { StoreValidationError } from './storeErrors';
import { inTransaction, type StoreContext } from './storeContext';
import { toWizardSession } from './wizardSessionRepository';

type Disclosure = Pick<DataProtectionStore, 'getCaseHoldings' | 'exportDecisions' | 'listCouncilsWithRecords' | 'recordDisclosure'>;

export function createDisclosureQueries(ctx: StoreContext): Disclosure {
  return {
    async getCaseHoldings(asked): Promise<CaseHoldings> {
      const caseRef = checkCaseRef(asked, ctx.caseRefPattern);
      return inTransaction(ctx, async (trx) => {
        const decisions = await trx.selectFrom('decisions').selectAll().where('case_ref', '=', caseRef).orderBy('created_at').orderBy('id').execute();
        const ids = decisions.map((d) => d.id);
        const byDecision = <T>(load: (ids: string[]) => Promise<T[]>): Promise<T[]> => (ids.length === 0 ? Promise.resolve([]) : load(ids));
        const approvals = await byDecision((ids) => trx.selectFrom('approval_requests').selectAll().where('decision_id', 'in', ids).orderBy('created_at').execute());
        const escalations = await byDecision((ids) => trx.selectFrom('escalations').selectAll().where('decision_id', 'in', ids).orderBy('created_at').execute());
        const outbox = await byDecision((ids) => trx.selectFrom('outbox').selectAll().where('decision_id', 'in', ids).orderBy('created_at').orderBy('id').execute());
        const sessions = await trx
          .selectFrom('wizard_sessions')
          .selectAll()
          .where((eb) => eb.or([eb('case_ref', '=', caseRef), ...(ids.length === 0 ? [] : [eb('decision_id', 'in', ids)])]))
          .orderBy('created_at')
          .execute();
        const auditEvents = await listAuditEvents(trx, { caseRef });
        const consent = await trx.selectFrom('consent_register').selectAll().where('case_ref', '=', caseRef).orderBy('recorded_at').orderBy('id').execute();
        return {
          caseRef,
          found: decisions.length + sessions.length + auditEvents.length + consent.length > 0,
          decisions: decisions.map(toDecisionRecord),
          approvals: approvals.map(toApproval),
          escalations: escalations.map(toEscalation),
          outbox: outbox.map(toOutboxMessage),
          wizardSessions: sessions.map(toWizardSession),
          consent: consent.map(toConsentEntry),
          auditEvents,
        };
      });
    },

    async exportDecisions({ from, to, councilId }) {
      checkDate(from, 'from');
      checkDate(to, 'to');
      if (from.getTime() > to.getTime()) throw new StoreValidationError('from', 'must not be after to');
      let query = ctx.db.selectFrom('decisions').selectAll().where('created_at', '>=', toIso(from)).where('created_at', '<', toIso(to));
      if (councilId !== undefined) query = query.where('council_id', '=', checkId(councilId, 'councilId'));
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toDecisionRecord);
    },

    async listCouncilsWithRecords() {
      const rows = await ctx.db.selectFrom('decisions').select('council_id').distinct().orderBy('council_id').execute();
      return rows.map((r) => r.council_id);
    },

    async recordDisclosure(type, actor, details) {
      const caseRef = typeof details.caseRef === 'string' ? details.caseRef : null;
      await inTransaction(ctx, (trx) => appendAudit(trx, ctx, { type, actor: checkId(actor, 'actor'), caseRef, payload: details }));
    },
  };
}

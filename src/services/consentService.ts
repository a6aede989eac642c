/**
 * The consent register from the practitioner's side: "They replied YES" / "They agreed" on an outcome card,
 * and "They withdrew consent" from `my checks`. Each is recorded and audited against the case reference,
 * with who, when and the script's id and version; the next check for the case shows it and pre-fills it.
 */
import { z } from 'zod';
import { checkCaseReference } from '../domain/caseReference';
import { standingConsent } from '../domain/consentRegister';
import type { ConsentStore, DecisionStore } from '../domain/ports/store';
import { type DecisionView, type MessageView, notice } from '../domain/views';
import type { Actor } from './actor';
import type { DecisionService } from './decisionService';
import { UserFacingError } from './userFacingError';

/** How far back `my checks` looks for a check of the case, the practitioner's authority to record a withdrawal. */
export const WITHDRAWAL_LOOKBACK = 200;

const givenPayload = z.object({ decisionId: z.string().min(1).max(100) });
const withdrawPayload = z.object({ caseRef: z.string().min(1).max(64) });

const NOT_FOUND = new UserFacingError('decision_not_found', 'This check could not be found', 'It may have been erased, or made by someone else. Start a new check.');

export interface ConsentServiceDeps {
  store: DecisionStore & ConsentStore;
  decisions: DecisionService;
  caseRefPattern: RegExp;
}

export class ConsentService {
  constructor(private readonly deps: ConsentServiceDeps) {}

  /** "They replied YES" / "They agreed" on the outcome card: records consent for the check's case. */
  async recordGiven(actor: Actor, data: unknown): Promise<DecisionView> {
    const parsed = givenPayload.safeParse(data);
    if (!parsed.success) throw new UserFacingError('bad_payload', 'This button could not be read', 'Start a new check.', 400);
    const record = await this.deps.store.getDecision(parsed.data.decisionId);
    // Only the practitioner who made the check records its consent; anyone else learns nothing.
    if (!record?.decision || record.practitionerAadId !== actor.aadObjectId) throw NOT_FOUND;
    const request = record.decision.consentRequest;
    if (!record.caseRef) throw new UserFacingError('no_case_ref', 'Consent is recorded against a case reference', 'Start a new check with the case reference, then record the consent on its answer.');
    if (!request) throw new UserFacingError('no_consent_asked', 'This answer does not ask for consent', 'Nothing was recorded.');
    const standing = standingConsent(await this.deps.store.listConsent(record.caseRef));
    // A replayed click records nothing new.
    if (!(standing?.status === 'given' && standing.decisionId === record.id)) {
      await this.deps.store.recordConsent({
        caseRef: record.caseRef,
        councilId: record.councilId,
        status: 'given',
        scriptId: request.scriptId,
        scriptVersion: request.scriptVersion,
        ruleId: request.ruleId,
        decisionId: record.id,
        recordedBy: { aadObjectId: actor.aadObjectId, displayName: actor.displayName },
      });
    }
    return this.deps.decisions.viewFor(record.id, { asking: actor });
  }

  /** "They withdrew consent" from `my checks`: the next check for the case answers no WhatsApp. */
  async withdraw(actor: Actor, data: unknown): Promise<MessageView> {
    const parsed = withdrawPayload.safeParse(data);
    const ref = parsed.success ? checkCaseReference(parsed.data.caseRef, this.deps.caseRefPattern) : null;
    if (!ref?.ok) throw new UserFacingError('bad_payload', 'This button could not be read', 'Open my checks again.', 400);
    const caseRef = ref.value;
    const mine = await this.deps.store.listDecisionsForPractitioner(actor.aadObjectId, WITHDRAWAL_LOOKBACK);
    if (!mine.some((r) => r.caseRef === caseRef)) throw NOT_FOUND;
    const standing = standingConsent(await this.deps.store.listConsent(caseRef));
    if (standing?.status !== 'given') {
      return notice('no_consent_to_withdraw', { caseRef });
    }
    await this.deps.store.recordConsent({
      caseRef,
      councilId: standing.councilId,
      status: 'withdrawn',
      scriptId: standing.scriptId,
      scriptVersion: standing.scriptVersion,
      ruleId: standing.ruleId,
      decisionId: null,
      recordedBy: { aadObjectId: actor.aadObjectId, displayName: actor.displayName },
    });
    return notice('consent_withdrawn', { caseRef });
  }
}

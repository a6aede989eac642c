/** consent.given / consent.withdraw: the consent register's card verbs. */
import type { ConsentService } from '../../services/consentService';
import { presentMessage } from '../presenters/messagePresenter';
import { presentOutcome } from '../presenters/outcomePresenter';
import type { VerbHandler } from '../verbs';

export function consentGivenHandler(consent: ConsentService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentOutcome(await consent.recordGiven(actor, data)) });
}

export function consentWithdrawHandler(consent: ConsentService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentMessage(await consent.withdraw(actor, data)) });
}

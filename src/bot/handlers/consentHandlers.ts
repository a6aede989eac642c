/** consent.given / consent.withdraw: the consent register's card verbs. */
import type { ConsentService } from '../../services/consentService';
import type { VerbHandler } from '../verbs';

export function consentGivenHandler(consent: ConsentService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: await consent.recordGiven(actor, data) });
}

export function consentWithdrawHandler(consent: ConsentService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: await consent.withdraw(actor, data) });
}

/** escalation.acknowledge: a manager acknowledges an urgent safeguarding alert. */
import type { EscalationService } from '../../services/escalationService';
import { presentAlert } from '../presenters/alertPresenter';
import type { VerbHandler } from '../verbs';

export function escalationAcknowledgeHandler(escalations: EscalationService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentAlert(await escalations.acknowledge(actor, data)) });
}

/** Every card verb the bot understands, and its handler: the routing table as data. */
import type { ApprovalService } from '../services/approvalService';
import type { ConsentService } from '../services/consentService';
import type { ChecksService } from '../services/checksService';
import type { EscalationService } from '../services/escalationService';
import type { WizardService } from '../services/wizardService';
import { approvalDecideHandler, approvalRefreshHandler } from './handlers/approvalHandlers';
import { consentGivenHandler, consentWithdrawHandler } from './handlers/consentHandlers';
import { escalationAcknowledgeHandler } from './handlers/escalationHandlers';
import { wizardBackHandler, wizardCancelHandler, wizardNextHandler, wizardStartHandler } from './handlers/wizardHandlers';
import { presentScreen } from './presenters/screenPresenter';
import type { VerbRoutes } from './verbs';

export const VERBS = {
  wizardStart: 'wizard.start',
  wizardNext: 'wizard.next',
  wizardBack: 'wizard.back',
  wizardCancel: 'wizard.cancel',
  approvalApprove: 'approval.approve',
  approvalDecline: 'approval.decline',
  approvalRefresh: 'approval.refresh',
  escalationAcknowledge: 'escalation.acknowledge',
  consentGiven: 'consent.given',
  consentWithdraw: 'consent.withdraw',
  recordOpen: 'record.open',
} as const;

export function buildVerbRoutes(deps: { wizard: WizardService; approvals: ApprovalService; escalations: EscalationService; consent: ConsentService; checks: ChecksService }): VerbRoutes {
  return {
    [VERBS.wizardStart]: wizardStartHandler(deps.wizard),
    [VERBS.wizardNext]: wizardNextHandler(deps.wizard),
    [VERBS.wizardBack]: wizardBackHandler(deps.wizard),
    [VERBS.wizardCancel]: wizardCancelHandler(deps.wizard),
    [VERBS.approvalApprove]: approvalDecideHandler(deps.approvals, 'approve'),
    [VERBS.approvalDecline]: approvalDecideHandler(deps.approvals, 'decline'),
    [VERBS.approvalRefresh]: approvalRefreshHandler(deps.approvals),
    [VERBS.escalationAcknowledge]: escalationAcknowledgeHandler(deps.escalations),
    [VERBS.consentGiven]: consentGivenHandler(deps.consent),
    [VERBS.consentWithdraw]: consentWithdrawHandler(deps.consent),
    // A new message, so the list stays where it is and the record opens below it.
    [VERBS.recordOpen]: async ({ actor, data }) => ({ kind: 'newCard', card: presentScreen(await deps.checks.open(actor, data)), toast: 'The check is shown below.' }),
  };
}

/** The approval request a line manager decides from, and how it reads once settled. */
import { londonDateTime } from '../../domain/londonTime';
import type { ApprovalView } from '../../domain/views';
import { conditionsForManager, factBlocks, practitionerInSentence } from './factSentences';
import { citeText } from './outcomePresenter';
import { type CardJson, renderTemplate } from './renderTemplate';

const when = (iso: string | null) => londonDateTime(iso === null ? null : new Date(iso));

/** The data the approval-request template is bound to. */
export function approvalCardData(view: ApprovalView) {
  const open = view.status === 'open';
  const by = view.settledBy?.name ?? 'the line manager';
  const said = view.comment ? `: "${view.comment}"` : '';
  const practitioner = view.practitioner.name ?? '(erased)';
  const status = open
    ? null
    : view.status === 'approved'
      ? `Approved by ${by} at ${when(view.settledAt)}${said}`
      : view.status === 'declined'
        ? `Declined by ${by} at ${when(view.settledAt)}${said}`
        : 'Withdrawn by the practitioner';
  return {
    approvalId: view.approvalId,
    version: view.version,
    refreshUserIds: view.deciderAadIds,
    title: open ? `Approval needed: ${practitioner} asks to use WhatsApp` : `WhatsApp request from ${practitioner}`,
    subtitle: `${view.council} · case ${view.caseRef ?? 'not given'} · asked ${when(view.requestedAt)}`,
    headerStyle: open ? 'warning' : view.status === 'approved' ? 'good' : 'default',
    ...factBlocks(view),
    reasons: view.reasons.map((r) => ({ text: r.text, cite: citeText(r) })),
    conditionsTitle: `If you agree, ${practitionerInSentence(view.practitioner.name)} must follow`,
    conditions: conditionsForManager(view.conditions).map((c) => ({ text: c.text })),
    status,
    statusColor: view.status === 'approved' ? 'Good' : 'Attention',
    canDecide: open && view.viewerMayDecide,
  };
}

/**
 * The card; the Approve / Decline buttons are on it while the request is open and the view's reader may
 * decide (in a shared channel only a refresh shows them to the deciders).
 */
export function presentApproval(view: ApprovalView): CardJson {
  return renderTemplate('approval-request', approvalCardData(view));
}

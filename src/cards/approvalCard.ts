/** The approval request a line manager decides from, and how it reads once settled. */
import { londonDateTime as when } from '../domain/londonTime';
import type { Decision } from '../domain/policy/decision';
import type { ApprovalRequest } from '../domain/ports/store';
import { citeText } from './outcomeCard';
import { factSummary } from './factSummary';
import { type CardJson, renderTemplate } from './renderTemplate';

export interface ApprovalCardInput {
  approval: Pick<ApprovalRequest, 'id' | 'status' | 'version' | 'managerAadId' | 'delegateAadIds' | 'comment' | 'settledAt'>;
  decision: Decision;
  practitionerName: string;
  caseRef: string | null;
  /** Who settled it, in words, once settled. */
  settledByName?: string | null;
  /** Buttons on the card itself (a 1:1 chat with the manager); false in a shared channel, where only refresh shows them to the deciders. */
  buttonsForEveryone: boolean;
}


export function approvalCard(input: ApprovalCardInput): CardJson {
  const { approval, decision } = input;
  const open = approval.status === 'open';
  const by = input.settledByName ?? 'the line manager';
  const status = open
    ? null
    : approval.status === 'approved'
      ? `Approved by ${by} at ${when(approval.settledAt)}${approval.comment ? `: "${approval.comment}"` : ''}`
      : approval.status === 'declined'
        ? `Declined by ${by} at ${when(approval.settledAt)}${approval.comment ? `: "${approval.comment}"` : ''}`
        : 'Withdrawn by the practitioner';
  return renderTemplate('approval-request', {
    approvalId: approval.id,
    version: approval.version,
    refreshUserIds: [approval.managerAadId, ...approval.delegateAadIds],
    title: open ? `Approval needed: ${input.practitionerName} asks to use WhatsApp` : `WhatsApp request from ${input.practitionerName}`,
    subtitle: `${decision.policy.council} · case ${input.caseRef ?? 'not given'}`,
    headerStyle: open ? 'warning' : approval.status === 'approved' ? 'good' : 'default',
    facts: factSummary(decision.facts),
    reasons: decision.reasons.filter((r) => r.decisive).map((r) => ({ text: r.text, cite: citeText(r) })),
    conditions: [...decision.conditions, ...(decision.routineLater?.conditions ?? [])].map((c) => ({ text: c.text })),
    status,
    statusColor: approval.status === 'approved' ? 'Good' : 'Attention',
    canDecide: open && input.buttonsForEveryone,
  });
}

/** The same card as the deciders see it after a refresh: with the buttons while it is open. */
export function approvalCardForDecider(input: Omit<ApprovalCardInput, 'buttonsForEveryone'>): CardJson {
  return approvalCard({ ...input, buttonsForEveryone: true });
}

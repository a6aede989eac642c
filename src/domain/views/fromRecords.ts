/** Builds views from the domain's records: pure, so services, the planner and tests build them one way. */
import { decidingFacts } from '../decidingFacts';
import type { Decision, Reason } from '../policy/decision';
import type { CouncilPolicy } from '../policy/evaluate';
import type { ApprovalRequest, EscalationLevel, EscalationStatus } from '../ports/store';
import type { RoutedHours } from '../workingHours';
import type { AlertView } from './alertView';
import type { ApprovalView } from './approvalView';
import type { DecisionView } from './decisionView';
import { iso, type ItemView } from './viewParts';

/** The decision's own content, as the outcome view carries it. */
export function decisionContent(d: Decision): Pick<DecisionView, 'policy' | 'outcome' | 'channel' | 'headline' | 'urgency' | 'actNow' | 'reasons' | 'conditions' | 'scripts' | 'alternatives' | 'contacts' | 'record' | 'warnings' | 'routineLater'> {
  return {
    policy: {
      id: d.policy.id,
      title: d.policy.title,
      council: d.policy.council,
      shortName: d.policy.shortName ?? d.policy.council,
      version: d.policy.version,
      contentHash: d.policy.contentHash,
      status: d.policy.status,
      statusNote: d.policy.statusNote ?? null,
    },
    outcome: d.outcome,
    channel: d.channel,
    headline: d.headline,
    urgency: d.urgency,
    actNow: d.actNow,
    reasons: d.reasons,
    conditions: d.conditions,
    scripts: d.scripts,
    alternatives: d.alternatives,
    contacts: d.contacts,
    record: d.record,
    warnings: d.warnings,
    routineLater: d.routineLater,
  };
}

/** What a view needs of the decision record behind it. */
export interface RecordSource {
  decisionId: string;
  decision: Decision;
  practitionerName: string | null;
  caseRef: string | null;
  /**
   * The council's loaded pack, for the facts the decisive rules read (found by rule id, so a later version of
   * the pack is read as it now stands; a rule no longer in it reads nothing); null when it is not loaded.
   */
  policy: CouncilPolicy | null;
}

/** The check as the approval and alert views carry it (checkForManagerShape). */
function checkForManager(r: RecordSource): Pick<ApprovalView, 'practitioner' | 'council' | 'caseRef' | 'facts' | 'decidingFacts'> {
  return {
    practitioner: { name: r.practitionerName },
    council: r.decision.policy.council,
    caseRef: r.caseRef,
    facts: r.decision.facts,
    decidingFacts: r.policy ? decidingFacts(r.policy, r.decision) : [],
  };
}

/** A reason as a cited item, without its trace fields. */
function citedItem(x: Reason): ItemView {
  return { ruleId: x.ruleId, citation: x.citation, baseline: x.baseline, text: x.text };
}

export function approvalViewOf(input: {
  approval: Pick<ApprovalRequest, 'id' | 'status' | 'version' | 'managerAadId' | 'delegateAadIds' | 'comment' | 'settledAt' | 'createdAt'>;
  record: RecordSource;
  settledByName: string | null;
  viewerMayDecide: boolean;
}): ApprovalView {
  const { approval: a, record: r } = input;
  const d = r.decision;
  return {
    approvalId: a.id,
    decisionId: r.decisionId,
    version: a.version,
    status: a.status,
    requestedAt: iso(a.createdAt),
    ...checkForManager(r),
    reasons: d.reasons.filter((x) => x.decisive).map(citedItem),
    conditions: [...d.conditions, ...(d.routineLater?.conditions ?? [])],
    deciderAadIds: [a.managerAadId, ...a.delegateAadIds],
    settledAt: iso(a.settledAt),
    settledBy: a.status === 'approved' || a.status === 'declined' ? { name: input.settledByName } : null,
    comment: a.comment,
    viewerMayDecide: input.viewerMayDecide,
  };
}

export function alertViewOf(input: {
  escalation: { id: string; status: EscalationStatus; level: EscalationLevel; reachedLevels: readonly EscalationLevel[]; createdAt: Date; acknowledgedAt: Date | null; routedHours?: RoutedHours | null };
  record: RecordSource;
  /** Who acknowledged it, when the reader is told (null: "another manager"). */
  acknowledgedByName?: string | null;
  routingNote?: AlertView['routingNote'];
  /** Whether the reader may acknowledge it; by default, while it is open (a copy goes only to those it is routed to). */
  viewerMayAcknowledge?: boolean;
}): AlertView {
  const { escalation: e, record: r } = input;
  const d = r.decision;
  return {
    escalationId: e.id,
    decisionId: r.decisionId,
    status: e.status,
    level: e.level,
    reachedLevels: [...e.reachedLevels],
    raisedAt: iso(e.createdAt),
    routedHours: e.routedHours ?? null,
    ...checkForManager(r),
    reasons: d.reasons.filter((x) => x.effect === 'ESCALATE_SAFEGUARDING').map(citedItem),
    // The reader is the manager: the "tell your line manager" contact meant for the practitioner is left out.
    contacts: d.contacts.filter((c) => c.id !== 'line-manager'),
    acknowledgedAt: iso(e.acknowledgedAt),
    acknowledgedBy: e.status === 'acknowledged' ? { name: input.acknowledgedByName ?? null } : null,
    routingNote: input.routingNote ?? null,
    viewerMayAcknowledge: e.status !== 'acknowledged' && (input.viewerMayAcknowledge ?? true),
  };
}

/**
 * "my checks", "team checks" and "approvals": recent decisions, and what waits for a manager, as list
 * cards with a button per entry; and opening one entry's card, for the people who may see it.
 */
import { alertCard } from '../cards/alertCard';
import { renderTemplate, type CardJson } from '../cards/renderTemplate';
import { mayAcknowledgeAlert, maySettleApproval } from '../domain/authority';
import { londonDateTime } from '../domain/londonTime';
import type { Directory } from '../domain/ports/directory';
import { standingConsent } from '../domain/consentRegister';
import type { ApprovalStore, ConsentEntry, ConsentStore, DecisionRecord, DecisionStore, EscalationStore } from '../domain/ports/store';
import { z } from 'zod';
import type { ApprovalService } from './approvalService';
import type { DecisionService } from './decisionService';
import { UserFacingError } from './userFacingError';
import type { Outcome } from '../domain/policy/precedence';
import { HEADLINES } from '../domain/policy/precedence';
import type { Actor } from './actor';

export const LIST_LIMIT = 10;

const COLOR: Record<Outcome, string> = {
  safeguarding_escalation: 'Attention',
  information_incident: 'Attention',
  whatsapp_not_permitted: 'Attention',
  manager_approval_required: 'Warning',
  use_teams: 'Accent',
  whatsapp_allowed_with_conditions: 'Good',
};

const STATE_TEXT: Record<DecisionRecord['state'], string> = {
  recorded: 'Recorded',
  awaiting_approval: 'Waiting for the line manager',
  approved: 'Approved by the line manager',
  declined: 'Declined by the line manager',
  approval_cancelled: 'Approval request withdrawn',
  escalation_open: 'Safeguarding alert not yet acknowledged',
  escalation_acknowledged: 'Safeguarding alert acknowledged',
};

function row(r: DecisionRecord, showWho: boolean, consent: ConsentEntry | null = null, status = STATE_TEXT[r.state]) {
  return {
    decisionId: r.id,
    // A case whose consent stands can have its withdrawal recorded from here (the practitioner's own list only).
    withdraw: consent?.status === 'given' ? { caseRef: r.caseRef } : null,
    consent: consent ? (consent.status === 'given' ? 'Consent given (consent register)' : 'Consent withdrawn (consent register)') : null,
    headline: r.decision?.headline ?? HEADLINES[r.outcome],
    color: COLOR[r.outcome],
    when: londonDateTime(r.createdAt),
    council: r.decision?.policy.council ?? r.councilId,
    caseRef: r.caseRef ?? 'not given',
    who: showWho ? ` · ${r.practitionerDisplayName ?? '(erased)'}` : '',
    status,
  };
}

const openPayload = z.object({ decisionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/) });

/** Said for a record that is missing and for one the person may not open alike: a forged id learns nothing. */
const NOT_YOURS = new UserFacingError(
  'record_not_yours',
  'You cannot open this check',
  'You can open your own checks, and a line manager can open their team\'s and those sent to them. It may also have been erased. Type **my checks** to see yours.',
  403,
);

export class ChecksService {
  constructor(
    private readonly deps: {
      store: DecisionStore & ApprovalStore & EscalationStore & ConsentStore;
      directory: Directory;
      decisions: Pick<DecisionService, 'outcomeCardFor'>;
      approvals: Pick<ApprovalService, 'refresh'>;
    },
  ) {}

  /** The open approval requests a manager (or delegate) may decide and the unacknowledged alerts they may acknowledge. */
  async waitingFor(actor: Actor): Promise<CardJson> {
    const [approvals, alerts] = await Promise.all([
      this.deps.store.listOpenApprovalsFor(actor, LIST_LIMIT),
      this.deps.store.listOpenEscalationsFor(actor, LIST_LIMIT),
    ]);
    const entries: Array<ReturnType<typeof row>> = [];
    for (const e of alerts) {
      const r = await this.deps.store.getDecision(e.decisionId);
      if (r && r.tenantId === actor.tenantId) entries.push(row(r, true, null, 'Urgent safeguarding alert: not yet acknowledged'));
    }
    for (const a of approvals) {
      const r = await this.deps.store.getDecision(a.decisionId);
      if (r && r.tenantId === actor.tenantId) entries.push(row(r, true, null, 'Waiting for your approval'));
    }
    return renderTemplate('checks-list', {
      title: 'Waiting for you',
      emptyText: 'Nothing is waiting for you: no approval requests and no unacknowledged safeguarding alerts.',
      checks: entries,
    });
  }

  /**
   * One record's card: the practitioner's own outcome card; for their line manager, the assigned approver or
   * someone an alert was sent to (the rules in src/domain/authority.ts), the approval or alert card with the
   * buttons they may use. Anyone else, or another tenant, is refused and told nothing about the record.
   */
  async open(actor: Actor, data: Record<string, unknown>): Promise<CardJson> {
    const parsed = openPayload.safeParse(data);
    if (!parsed.success) throw new UserFacingError('bad_payload', 'That card action could not be read', 'The card sent an invalid decisionId.', 400);
    const record = await this.deps.store.getDecision(parsed.data.decisionId);
    if (!record || record.tenantId !== actor.tenantId) throw NOT_YOURS;
    if (record.practitionerAadId === actor.aadObjectId) return this.deps.decisions.outcomeCardFor(record.id, record);
    const [approval, escalation, reports] = await Promise.all([
      this.deps.store.getApprovalForDecision(record.id),
      this.deps.store.getEscalationForDecision(record.id),
      this.deps.directory.reportsOf(actor.aadObjectId),
    ]);
    const inTeam = reports.some((p) => p.aadObjectId === record.practitionerAadId);
    const approver = approval !== null && maySettleApproval(actor, { ...approval, tenantId: record.tenantId }, 'approve').kind === 'allowed';
    const alerted = escalation !== null && mayAcknowledgeAlert({ ...actor, conversationId: null }, { ...escalation.routing, practitionerAadId: record.practitionerAadId }).kind === 'allowed';
    if (!inTeam && !approver && !alerted) throw NOT_YOURS;
    if (approval) return this.deps.approvals.refresh(actor, { approvalId: approval.id });
    if (escalation && record.decision) {
      const acknowledgedByName = escalation.acknowledgedBy === null ? null : escalation.acknowledgedBy === actor.aadObjectId ? actor.displayName : 'another manager';
      return alertCard({ escalation, decision: record.decision, practitionerName: record.practitionerDisplayName ?? '(erased)', caseRef: record.caseRef, acknowledgedByName });
    }
    return this.deps.decisions.outcomeCardFor(record.id, record);
  }

  async mine(actor: Actor): Promise<CardJson> {
    const records = await this.deps.store.listDecisionsForPractitioner(actor.aadObjectId, LIST_LIMIT);
    const cases = [...new Set(records.map((r) => r.caseRef).filter((c): c is string => c !== null))];
    const standing = new Map(await Promise.all(cases.map(async (c) => [c, standingConsent(await this.deps.store.listConsent(c))] as const)));
    // The withdrawal button sits on the latest check of each case.
    const seen = new Set<string>();
    return renderTemplate('checks-list', {
      title: 'Your recent checks',
      emptyText: 'You have no checks yet. Type **new check** to start one.',
      checks: records.map((r) => {
        const first = r.caseRef !== null && !seen.has(r.caseRef);
        if (r.caseRef !== null) seen.add(r.caseRef);
        return row(r, false, first && r.caseRef ? (standing.get(r.caseRef) ?? null) : null);
      }),
    });
  }

  async team(actor: Actor): Promise<CardJson> {
    const reports = await this.deps.directory.reportsOf(actor.aadObjectId);
    const records = await this.deps.store.listDecisionsForTeam(
      { managerAadId: actor.aadObjectId, memberAadIds: reports.map((p) => p.aadObjectId) },
      LIST_LIMIT,
    );
    return renderTemplate('checks-list', {
      title: 'Your team\'s recent checks',
      emptyText: reports.length === 0
        ? 'ChannelCheck does not know of anyone who reports to you, so there is nothing to show.'
        : 'Nobody in your team has made a check yet.',
      checks: records.map((r) => row(r, true)),
    });
  }
}

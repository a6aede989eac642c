/**
 * "my checks", "team checks" and "approvals": recent decisions, and what waits for a manager, as list views
 * (each entry with its id and state); and opening one entry, for the people who may see it.
 */
import { mayAcknowledgeAlert, maySettleApproval } from '../domain/authority';
import type { Directory } from '../domain/ports/directory';
import { standingConsent } from '../domain/consentRegister';
import type { ApprovalStore, ConsentEntry, ConsentStore, DecisionRecord, DecisionStore, EscalationStore } from '../domain/ports/store';
import { z } from 'zod';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { HEADLINES } from '../domain/policy/precedence';
import { alertViewOf, type ChecksEntryView, type ChecksListView, iso, type Screen } from '../domain/views';
import type { ApprovalService } from './approvalService';
import type { DecisionService } from './decisionService';
import { UserFacingError } from './userFacingError';
import type { Actor } from './actor';

export const LIST_LIMIT = 10;

function entry(r: DecisionRecord, consent: ConsentEntry | null = null, waitingFor: ChecksEntryView['waitingFor'] = null): ChecksEntryView {
  return {
    decisionId: r.id,
    createdAt: iso(r.createdAt),
    outcome: r.outcome,
    headline: r.decision?.headline ?? HEADLINES[r.outcome],
    council: r.decision?.policy.council ?? r.councilId,
    caseRef: r.caseRef,
    practitionerName: r.practitionerDisplayName,
    state: r.state,
    waitingFor,
    consent: consent?.status ?? null,
    // A case whose consent stands can have its withdrawal recorded (the practitioner's own list only).
    mayWithdrawConsent: consent?.status === 'given' && r.caseRef !== null,
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
      decisions: Pick<DecisionService, 'viewFor'>;
      approvals: Pick<ApprovalService, 'refresh'>;
      /** The council's loaded pack, for the facts that raised an alert. */
      policyFor: (councilId: string) => CouncilPolicy | undefined;
    },
  ) {}

  /** The open approval requests a manager (or delegate) may decide and the unacknowledged alerts they may acknowledge. */
  async waitingFor(actor: Actor): Promise<ChecksListView> {
    const [approvals, alerts] = await Promise.all([
      this.deps.store.listOpenApprovalsFor(actor, LIST_LIMIT),
      this.deps.store.listOpenEscalationsFor(actor, LIST_LIMIT),
    ]);
    const entries: ChecksEntryView[] = [];
    for (const e of alerts) {
      const r = await this.deps.store.getDecision(e.decisionId);
      if (r && r.tenantId === actor.tenantId) entries.push(entry(r, null, 'alert'));
    }
    for (const a of approvals) {
      const r = await this.deps.store.getDecision(a.decisionId);
      if (r && r.tenantId === actor.tenantId) entries.push(entry(r, null, 'approval'));
    }
    return { list: 'waiting', hasTeam: false, entries };
  }

  /**
   * One record: the practitioner's own outcome; for their line manager, the assigned approver or someone an
   * alert was sent to (the rules in src/domain/authority.ts), the approval request or the alert, saying
   * whether they may act on it. Anyone else, or another tenant, is refused and told nothing about the record.
   */
  async open(actor: Actor, data: Record<string, unknown>): Promise<Screen> {
    const parsed = openPayload.safeParse(data);
    if (!parsed.success) throw new UserFacingError('bad_payload', 'That card action could not be read', 'The card sent an invalid decisionId.', 400);
    const record = await this.deps.store.getDecision(parsed.data.decisionId);
    if (!record || record.tenantId !== actor.tenantId) throw NOT_YOURS;
    if (record.practitionerAadId === actor.aadObjectId) return { kind: 'outcome', view: await this.deps.decisions.viewFor(record.id, { known: record, asking: actor }) };
    const [approval, escalation, reports] = await Promise.all([
      this.deps.store.getApprovalForDecision(record.id),
      this.deps.store.getEscalationForDecision(record.id),
      this.deps.directory.reportsOf(actor.aadObjectId, actor),
    ]);
    const inTeam = reports.some((p) => p.aadObjectId === record.practitionerAadId);
    const approver = approval !== null && maySettleApproval(actor, { ...approval, tenantId: record.tenantId }, 'approve').kind === 'allowed';
    const alerted = escalation !== null && mayAcknowledgeAlert({ ...actor, conversationId: null }, { ...escalation.routing, practitionerAadId: record.practitionerAadId }).kind === 'allowed';
    if (!inTeam && !approver && !alerted) throw NOT_YOURS;
    if (approval) return { kind: 'approval', view: await this.deps.approvals.refresh(actor, { approvalId: approval.id }) };
    if (escalation && record.decision) {
      // Who acknowledged it is named to themselves; anyone else reads "another manager".
      const acknowledgedByName = escalation.acknowledgedBy === actor.aadObjectId ? actor.displayName : null;
      const source = { decisionId: record.id, decision: record.decision, practitionerName: record.practitionerDisplayName, caseRef: record.caseRef, policy: this.deps.policyFor(record.councilId) ?? null };
      return { kind: 'alert', view: alertViewOf({ escalation: { ...escalation, reachedLevels: escalation.routing.reachedLevels }, record: source, acknowledgedByName, viewerMayAcknowledge: alerted }) };
    }
    return { kind: 'outcome', view: await this.deps.decisions.viewFor(record.id, { known: record, asking: actor }) };
  }

  async mine(actor: Actor): Promise<ChecksListView> {
    const records = await this.deps.store.listDecisionsForPractitioner(actor.aadObjectId, LIST_LIMIT);
    const cases = [...new Set(records.map((r) => r.caseRef).filter((c): c is string => c !== null))];
    const standing = new Map(await Promise.all(cases.map(async (c) => [c, standingConsent(await this.deps.store.listConsent(c))] as const)));
    // The withdrawal button sits on the latest check of each case.
    const seen = new Set<string>();
    return {
      list: 'mine',
      hasTeam: false,
      entries: records.map((r) => {
        const first = r.caseRef !== null && !seen.has(r.caseRef);
        if (r.caseRef !== null) seen.add(r.caseRef);
        return entry(r, first && r.caseRef ? (standing.get(r.caseRef) ?? null) : null);
      }),
    };
  }

  async team(actor: Actor): Promise<ChecksListView> {
    const reports = await this.deps.directory.reportsOf(actor.aadObjectId, actor);
    const records = await this.deps.store.listDecisionsForTeam(
      { managerAadId: actor.aadObjectId, memberAadIds: reports.map((p) => p.aadObjectId) },
      LIST_LIMIT,
    );
    return { list: 'team', hasTeam: reports.length > 0, entries: records.map((r) => entry(r)) };
  }
}

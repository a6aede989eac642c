/**
 * Records a decision: evaluates the facts, plans the manager notifications, and writes the decision, its
 * audit event, the outbox rows, the approval or escalation and its timers, and the wizard completion in one
 * transaction. A replayed final step returns the decision already recorded, never a second one.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { caseNoteText } from '../domain/caseNote';
import type { Facts } from '../domain/facts';
import { type CouncilPolicy, evaluate } from '../domain/policy/evaluate';
import { consentStandingText, standingConsent } from '../domain/consentRegister';
import type { ApprovalRequest, ApprovalStore, CardRef, ConsentStore, DecisionRecord, DecisionStore, Escalation, EscalationStore, OutboxMessage, OutboxStore } from '../domain/ports/store';
import { decisionContent, type DecisionView, iso, type ManagerStatus } from '../domain/views';
import { correlationFields } from '../correlation';
import { type Actor, queuedBy } from './actor';
import { alertCopyViews, managerStatusFacts, outboxForRef } from './managerStatus';
import type { NotificationPlanner } from './notificationPlanner';
import { routedPersonName } from './routedPersonName';
import { UserFacingError } from './userFacingError';
import type { Directory, DirectoryAsker } from '../domain/ports/directory';

export type { Actor } from './actor';

export interface RecordInput {
  actor: Actor;
  policy: CouncilPolicy;
  facts: Facts;
  caseRef: string | null;
  completesSession?: { sessionId: string; expectedVersion: number };
  /** The practitioner's card that becomes the outcome card, to update in place when a manager acts. */
  practitionerCard?: CardRef | null;
}

export interface DecisionServiceDeps {
  store: DecisionStore & ApprovalStore & EscalationStore & ConsentStore & Pick<OutboxStore, 'listOutboxForRef'>;
  planner: NotificationPlanner;
  now?: () => Date;
  newId?: () => string;
  /** For its one line per decision: fixed fields (ids, outcome, counts), never names, facts or case references. */
  log?: Pick<Logger, 'info'>;
  /** Says who settled a request or acknowledged an alert, by name, when the view is read later. */
  directory?: Directory;
}

/** What the caller of viewFor already knows, or is setting in motion. */
export interface ViewOptions {
  /** The record, when the caller has just read or written it. */
  known?: DecisionRecord;
  /** Replaces the status facts: what was just set in motion. */
  plannedStatus?: ManagerStatus[];
  /** An approval being settled in the same transaction, not yet stored. */
  settling?: Settling;
  /**
   * For an alert: its outbox rows as the caller holds them (listOutboxForRef's), so the view does not read
   * them: what the caller has just written, or a copy being marked sent.
   */
  alertRows?: OutboxMessage[];
  /** The actor of the turn that asks, for the directory's log lines when it looks a name up. */
  asking?: DirectoryAsker;
  /** The decision's approval and escalation, when the caller has just written or read them. */
  knownRows?: KnownRows;
}

/** Rows of a decision as the store holds them, so the view need not read them back. */
export interface KnownRows {
  approval: ApprovalRequest | null;
  escalation: Escalation | null;
}

export class DecisionService {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly deps: DecisionServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  async record(input: RecordInput): Promise<{ decisionId: string; view: DecisionView; replayed: boolean }> {
    const decision = evaluate(input.policy, input.facts);
    const id = this.newId();
    const plan = await this.deps.planner.plan({ decisionId: id, decision, actor: input.actor, policy: input.policy, caseRef: input.caseRef, now: this.now() });
    const recorded = await this.deps.store.recordDecision({
      id,
      practitioner: { aadObjectId: input.actor.aadObjectId, displayName: input.actor.displayName, tenantId: input.actor.tenantId },
      caseRef: input.caseRef,
      decision,
      notifications: queuedBy(input.actor, plan.notifications),
      ...(plan.approval ? { approval: { ...plan.approval, practitionerCard: input.practitionerCard ?? null } } : {}),
      ...(plan.escalation ? { escalation: { ...plan.escalation, practitionerCard: input.practitionerCard ?? null } } : {}),
      ...(plan.timers ? { timers: plan.timers } : {}),
      ...(input.completesSession ? { completesSession: input.completesSession } : {}),
    });
    this.deps.log?.info(
      { decisionId: recorded.record.id, council: decision.policy.id, outcome: decision.outcome, urgency: decision.urgency, practitionerAadId: input.actor.aadObjectId, replayed: recorded.replayed, notifications: plan.notifications.length, ...correlationFields(input.actor) },
      'decision',
    );
    const knownRows: KnownRows = { approval: recorded.approval, escalation: recorded.escalation };
    // A fresh record's outbox rows are every row about its new escalation; a replay's are only those that
    // carry the decision's id (rows queued later about the alert need not), so a replay reads them.
    const fresh = recorded.replayed ? {} : { plannedStatus: plan.managerStatus, ...(recorded.escalation ? { alertRows: outboxForRef(recorded.outbox, recorded.escalation.id) } : {}) };
    const view = await this.viewFor(recorded.record.id, { known: recorded.record, asking: input.actor, knownRows, ...fresh });
    return { decisionId: recorded.record.id, view, replayed: recorded.replayed };
  }

  /** The view of a recorded decision, with the manager's part as it stands now (ViewOptions says what can be given). */
  async viewFor(decisionId: string, { known, plannedStatus, settling, alertRows, asking, knownRows }: ViewOptions = {}): Promise<DecisionView> {
    const record = known ?? (await this.deps.store.getDecision(decisionId));
    if (!record || !record.decision) {
      throw new UserFacingError('decision_not_found', 'This decision is no longer held', 'It may have been erased or passed its retention period. Start a new check.');
    }
    const [approval, escalation, register] = await Promise.all([
      knownRows ? knownRows.approval : this.deps.store.getApprovalForDecision(record.id),
      knownRows ? knownRows.escalation : this.deps.store.getEscalationForDecision(record.id),
      record.caseRef ? this.deps.store.listConsent(record.caseRef) : Promise.resolve([]),
    ]);
    const settledApproval = approval && settling ? { ...approval, status: settling.status, settledAt: settling.at, comment: settling.comment } : approval;
    const settled = settledApproval?.status === 'approved' || settledApproval?.status === 'declined' ? settledApproval.status : null;
    const standing = standingConsent(register);
    // Offer to record consent where the pack asks for it, for a case, unless this check's consent is already in.
    const offer = record.decision.consentRequest && record.caseRef && !(standing?.status === 'given' && standing.decisionId === record.id)
      ? { label: record.decision.consentRequest.label }
      : null;
    const rows = alertRows ?? (escalation ? await this.deps.store.listOutboxForRef(escalation.id) : []);
    const nameOf = async (aadObjectId: string | null) => (aadObjectId && this.deps.directory ? routedPersonName(this.deps.directory, record.practitionerAadId, aadObjectId, asking) : null);
    const settledByName = settling?.byName ?? (settled && !settling ? await nameOf(approval?.decidedBy ?? null) : null);
    const acknowledgedByName = escalation?.status === 'acknowledged' ? (escalation.acknowledgedByName ?? (await nameOf(escalation.acknowledgedBy))) : null;
    return {
      decisionId: record.id,
      createdAt: iso(record.createdAt),
      practitioner: { name: record.practitionerDisplayName },
      caseRef: record.caseRef,
      ...decisionContent(record.decision),
      caseNote: caseNoteText({
        practitionerDisplayName: record.practitionerDisplayName ?? '(erased)',
        createdAt: record.createdAt,
        caseRef: record.caseRef ?? 'not given',
        decision: record.decision,
        consentRegister: register,
        // Brought up to date once the manager has decided: who, when, and what they said.
        approval: settled ? { status: settled, byName: settledByName, at: settledApproval?.settledAt ?? null, comment: settledApproval?.comment ?? null } : null,
      }),
      consent: { standing: standing?.status ?? null, registerLine: consentStandingText(register), offer },
      approval: settledApproval
        ? {
            approvalId: settledApproval.id,
            status: settledApproval.status,
            settledAt: iso(settledApproval.settledAt),
            settledBy: settled ? { name: settledByName } : null,
            comment: settledApproval.comment,
          }
        : null,
      alert: escalation
        ? {
            escalationId: escalation.id,
            level: escalation.level,
            status: escalation.status,
            raisedAt: iso(escalation.createdAt),
            acknowledgedAt: iso(escalation.acknowledgedAt),
            acknowledgedBy: escalation.status === 'acknowledged' ? { name: acknowledgedByName } : null,
            copies: alertCopyViews(rows),
          }
        : null,
      managerStatus: plannedStatus ?? managerStatusFacts(record, approval, escalation, rows),
    };
  }
}

/** An approval being settled by this very action (its transaction has not written it yet). */
export interface Settling {
  status: 'approved' | 'declined';
  byName: string | null;
  at: Date;
  comment: string | null;
}

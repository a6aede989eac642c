/**
 * The store's ports: the small interfaces the bot, the approval and escalation services and the outbox
 * dispatcher use. Pure types: no database, Kysely, pg or SQLite imports. `src/store` implements them
 * (`openStore()` returns a `ChannelCheckStore`, which is all of them at once).
 *
 * Conventions:
 * - Every method that changes more than one row does so in one database transaction.
 * - Times are `Date` objects here; the store keeps them as UTC ISO-8601 text.
 * - Results that can lose a race (settling, acknowledging, replaying a wizard step) are returned as a
 *   tagged union, never thrown: the loser gets the settled state back.
 * - Invalid input (bad case reference, over-long comment or display name) throws `StoreValidationError`
 *   (from src/store), naming the field.
 */
import type { ActingUser, AlertRouting, RefusalReason } from '../authority';
import type { Facts } from '../facts';
import type { Decision } from '../policy/decision';
import type { Outcome } from '../policy/precedence';
import type { RoutedHours } from '../workingHours';
import type { CardPayload, CardUpdatePayload, TextPayload } from './outboxMessages';

/** A Teams message that can be updated in place later (`updateActivity`). */
export interface CardRef {
  activityId: string;
  conversationId: string;
}

// ---------------------------------------------------------------------------------------------------
// Wizard sessions

export const WIZARD_STATUSES = ['active', 'completed', 'abandoned'] as const;
export type WizardStatus = (typeof WIZARD_STATUSES)[number];

export interface WizardSession {
  /** The card/session id carried in every Action.Execute of the wizard. */
  id: string;
  userAadId: string;
  tenantId: string;
  councilId: string;
  step: string;
  /** The answers so far (wizard-defined JSON). Null once erased. */
  answers: Record<string, unknown> | null;
  /** Set once the wizard has asked for it, so erasure can find the session. */
  caseRef: string | null;
  /** Optimistic concurrency: bumped by every applied step. Starts at 1. */
  version: number;
  status: WizardStatus;
  decisionId: string | null;
  /** The wizard card's activity id, to update it in place. */
  activityId: string | null;
  /** The botbuilder ConversationReference of the card's conversation (JSON). */
  conversationRef: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWizardSession {
  id: string;
  userAadId: string;
  tenantId: string;
  councilId: string;
  step: string;
  answers?: Record<string, unknown>;
  activityId?: string | null;
  conversationRef?: unknown;
}

export interface WizardStepChange {
  step: string;
  answers: Record<string, unknown>;
  caseRef?: string | null;
  activityId?: string | null;
  conversationRef?: unknown;
}

export type ApplyStepResult =
  /** The step was applied; `session.version` is expectedVersion + 1. */
  | { kind: 'applied'; session: WizardSession }
  /** This version was already applied (a replayed or doubled invoke): nothing changed, here is the current state. */
  | { kind: 'replayed'; session: WizardSession }
  /** The session is completed or abandoned: nothing changed. */
  | { kind: 'closed'; session: WizardSession }
  | { kind: 'not_found' };

export interface WizardSessionStore {
  createWizardSession(session: NewWizardSession): Promise<WizardSession>;
  getWizardSession(id: string): Promise<WizardSession | null>;
  /**
   * Applies one step if the session is still at `expectedVersion`. Applying the same
   * (sessionId, expectedVersion) twice applies it once; the second call gets `replayed` and the current state.
   */
  applyWizardStep(sessionId: string, expectedVersion: number, change: WizardStepChange): Promise<ApplyStepResult>;
  /** Remembers the card's activity id and conversation after it was sent; does not change the version. */
  attachWizardCard(sessionId: string, activityId: string, conversationRef: unknown): Promise<void>;
  abandonWizardSession(sessionId: string): Promise<void>;
  /** The person's checks still in progress in this tenant, newest first. */
  listActiveWizardSessions(userAadId: string, tenantId: string, limit: number): Promise<WizardSession[]>;
}

// ---------------------------------------------------------------------------------------------------
// Decision records

export const DECISION_STATES = [
  'recorded',
  'awaiting_approval',
  'approved',
  'declined',
  'approval_cancelled',
  'escalation_open',
  'escalation_acknowledged',
] as const;
export type DecisionState = (typeof DECISION_STATES)[number];

export interface Practitioner {
  /** Teams / Entra object id. */
  aadObjectId: string;
  /** At most 200 characters. */
  displayName: string;
  tenantId: string;
}

export interface DecisionRecord {
  id: string;
  practitionerAadId: string;
  /** Null once erased. */
  practitionerDisplayName: string | null;
  tenantId: string;
  councilId: string;
  packVersion: string;
  packContentHash: string;
  baselineHash: string;
  /** Null when the contact is not about a case (e.g. a colleague). */
  caseRef: string | null;
  /** Null once erased. */
  facts: Facts | null;
  /** Null once erased. */
  decision: Decision | null;
  outcome: Outcome;
  state: DecisionState;
  createdAt: Date;
  updatedAt: Date;
  erasedAt: Date | null;
}

export const ESCALATION_LEVELS = ['manager', 'head_of_service', 'escalation_channel'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export type OutboxTarget =
  | { kind: 'user'; aadObjectId: string }
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'channel'; channelId: string };

interface NewOutboxMessageBase {
  /** Generated when absent. */
  id?: string;
  /** Unique across the outbox: a message with a key already queued is never queued twice. */
  idempotencyKey: string;
  target: OutboxTarget;
  /** The approval, escalation or decision this message is about (to find sent cards later, to cancel copies). */
  refId?: string | null;
  /** Filled in by the store when the message is queued by a decision operation. */
  decisionId?: string | null;
  /** Earliest send time; now when absent. */
  notBefore?: Date;
  /** An urgent safeguarding alert: claimed before routine messages, never out of retries on a transient failure. */
  urgent?: boolean;
  /** How soon it must go when not urgent: `same_day` (an information incident notice) goes before routine. */
  priority?: OutboxPriority;
  /**
   * The correlation id of the activity whose turn queues the message, stored in `outbox.correlation_id`;
   * absent (null in the row) for messages queued outside a turn (timers, the dispatcher, the tab, CLIs).
   */
  correlationId?: string | null;
}

/** Outbox priorities, claimed highest first: urgent alerts, then same-day notices, then routine messages. */
export const OUTBOX_PRIORITIES = { routine: 0, same_day: 1, urgent: 2 } as const;
export type OutboxPriority = keyof typeof OUTBOX_PRIORITIES;

/** A message to queue: its `kind` says what the payload is (see outboxMessages.ts). */
export type NewOutboxMessage =
  | (NewOutboxMessageBase & { kind: 'card'; payload: CardPayload })
  | (NewOutboxMessageBase & { kind: 'text'; payload: TextPayload })
  | (NewOutboxMessageBase & { kind: 'card_update'; payload: CardUpdatePayload });

export interface NewTimer {
  id?: string;
  /** e.g. `escalation_ack_due`. */
  kind: string;
  refId: string;
  dueAt: Date;
}

export interface NewApprovalRequest {
  id?: string;
  managerAadId: string;
  delegateAadIds?: string[];
  practitionerCard?: CardRef | null;
}

export interface NewEscalation {
  id?: string;
  level?: EscalationLevel;
  /** Who the alert is sent to (the tenant is the practitioner's). Decides who may acknowledge it. */
  routing: Omit<AlertRouting, 'tenantId'>;
  /** Which hours it was routed for, and why (the answer, the council's clock). */
  routedHours?: RoutedHours | null;
  /** When the current level must have acknowledged, or the alert escalates further. */
  dueAt: Date | null;
  practitionerCard?: CardRef | null;
}

export interface RecordDecisionCommand {
  /** Generated when absent. */
  id?: string;
  practitioner: Practitioner;
  /** Validated against the configured case-reference pattern; never a name. Null when there is no case (e.g. a colleague). */
  caseRef: string | null;
  decision: Decision;
  notifications?: NewOutboxMessage[];
  approval?: NewApprovalRequest;
  escalation?: NewEscalation;
  timers?: NewTimer[];
  /**
   * The wizard session this decision completes. The session is marked completed in the same transaction;
   * if it was already completed (a replayed final step), nothing is written and the earlier decision is returned.
   */
  completesSession?: { sessionId: string; expectedVersion: number };
}

export interface RecordedDecision {
  /** True when `completesSession` had already been completed: nothing new was written. */
  replayed: boolean;
  record: DecisionRecord;
  approval: ApprovalRequest | null;
  escalation: Escalation | null;
  outbox: OutboxMessage[];
  timers: Timer[];
}

/** Whose decisions a manager may list: their direct reports, and/or requests assigned to them. */
export interface TeamScope {
  managerAadId?: string;
  memberAadIds?: string[];
}

export interface DecisionStore {
  /** Decision + audit event + outbox rows + approval/escalation + timers (+ wizard completion), one transaction. */
  recordDecision(command: RecordDecisionCommand): Promise<RecordedDecision>;
  getDecision(id: string): Promise<DecisionRecord | null>;
  /** Newest first. */
  listDecisionsForPractitioner(userAadId: string, limit: number): Promise<DecisionRecord[]>;
  /** Newest first. */
  listDecisionsForTeam(scope: TeamScope, limit: number): Promise<DecisionRecord[]>;
}

// ---------------------------------------------------------------------------------------------------
// Approvals

export const APPROVAL_STATUSES = ['open', 'approved', 'declined', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type ApprovalAction = 'approve' | 'decline' | 'cancel';

export interface ApprovalRequest {
  id: string;
  decisionId: string;
  practitionerAadId: string;
  managerAadId: string;
  delegateAadIds: string[];
  status: ApprovalStatus;
  decidedBy: string | null;
  /** At most 1000 characters. Null once erased. */
  comment: string | null;
  version: number;
  createdAt: Date;
  settledAt: Date | null;
  managerCard: CardRef | null;
  practitionerCard: CardRef | null;
}

export interface SettleApprovalCommand {
  approvalId: string;
  /**
   * Who clicked, from the activity (never the card's data). Checked against the stored request inside the
   * settling transaction by `maySettleApproval` (src/domain/authority.ts).
   */
  actor: Pick<ActingUser, 'aadObjectId' | 'tenantId'>;
  /** approve/decline: the assigned manager or a delegate, never the practitioner. cancel: the practitioner only. */
  action: ApprovalAction;
  comment?: string | null;
  /** When given, settles only if the request is still at this version (the card's version). */
  expectedVersion?: number;
  /** Queued in the same transaction, only if this call is the one that settles. */
  notifications?: NewOutboxMessage[];
}

export type SettleApprovalResult =
  | { kind: 'settled'; approval: ApprovalRequest }
  /** Someone settled it first (or this is a replay): nothing changed, here is the settled state. */
  | { kind: 'already_settled'; approval: ApprovalRequest }
  | { kind: 'stale_version'; approval: ApprovalRequest }
  /** This person may not do this: nothing changed except a `approval.settle_refused` audit event. */
  | { kind: 'not_authorised'; approval: ApprovalRequest; reason: RefusalReason; detail: string }
  | { kind: 'not_found' };

export interface ApprovalStore {
  getApproval(id: string): Promise<ApprovalRequest | null>;
  getApprovalForDecision(decisionId: string): Promise<ApprovalRequest | null>;
  listOpenApprovalsForManager(managerAadId: string, limit: number): Promise<ApprovalRequest[]>;
  /** Open requests this person may approve or decline (`maySettleApproval`: the manager or a delegate, in the tenant), newest first. */
  listOpenApprovalsFor(who: Pick<ActingUser, 'aadObjectId' | 'tenantId'>, limit: number): Promise<ApprovalRequest[]>;
  settleApproval(command: SettleApprovalCommand): Promise<SettleApprovalResult>;
  /** Remembers where a card of this request was sent, to update it in place later. */
  attachApprovalCard(approvalId: string, whose: 'manager' | 'practitioner', card: CardRef): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Safeguarding escalations and timers

export const ESCALATION_STATUSES = ['open', 'acknowledged', 'escalated'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

export interface Escalation {
  id: string;
  decisionId: string;
  level: EscalationLevel;
  status: EscalationStatus;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  dueAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  practitionerCard: CardRef | null;
  /** Who the alert was sent to, and so who may acknowledge it. */
  routing: AlertRouting;
  /** Which hours it was routed for, and why; null for alerts raised before this was kept. */
  routedHours: RoutedHours | null;
  /** The acknowledger's display name as Teams gave it when they acknowledged; null before it was kept, or once erased. */
  acknowledgedByName: string | null;
}

export type AcknowledgeResult =
  | { kind: 'acknowledged'; escalation: Escalation }
  | { kind: 'already_acknowledged'; escalation: Escalation }
  /** This person may not acknowledge it: nothing changed except an `escalation.ack_refused` audit event. */
  | { kind: 'not_authorised'; escalation: Escalation; reason: RefusalReason; detail: string }
  | { kind: 'not_found' };

export interface EscalateCommand {
  escalationId: string;
  /** The level the caller saw; escalates only if the alert is still there and unacknowledged. */
  fromLevel: EscalationLevel;
  toLevel: EscalationLevel;
  dueAt: Date | null;
  actor: string;
  /** The timer that fired, marked fired in the same transaction. */
  firedTimerId?: string;
  /**
   * Who the alert is sent to at `toLevel` (the Head of Service / on-call contact looked up now, or the
   * escalation channel), recorded with the level as reached, so they may acknowledge it.
   */
  recipient?: { headOfServiceAadId?: string; channelConversationId?: string };
  /**
   * Why: not acknowledged in time (default), or not even delivered in time. `toLevel` equal to `fromLevel` is a
   * reminder at the same level (there is no next level). Pending timers of the alert are cancelled and `timers`
   * scheduled instead.
   */
  reason?: 'not_acknowledged' | 'undelivered';
  notifications?: NewOutboxMessage[];
  timers?: NewTimer[];
}

export type EscalateResult =
  | { kind: 'escalated'; escalation: Escalation }
  /** Acknowledged meanwhile, or already escalated past `fromLevel`: nothing changed. */
  | { kind: 'unchanged'; escalation: Escalation }
  | { kind: 'not_found' };

export interface EscalationStore {
  getEscalation(id: string): Promise<Escalation | null>;
  getEscalationForDecision(decisionId: string): Promise<Escalation | null>;
  /**
   * Settles once, if `mayAcknowledgeAlert` (src/domain/authority.ts) allows this person, checked inside the
   * settling transaction; cancels the alert's pending timers and its copies still waiting in the outbox (status
   * `cancelled`); queues `notifications` only if this call acknowledged. A refusal changes nothing but its
   * audit event.
   */
  /** `actor.displayName`, when given, is kept as who acknowledged it, so the practitioner's card can name them. */
  acknowledgeEscalation(escalationId: string, actor: ActingUser & { displayName?: string }, notifications?: NewOutboxMessage[]): Promise<AcknowledgeResult>;
  escalate(command: EscalateCommand): Promise<EscalateResult>;
  /**
   * Alerts not yet acknowledged that this person may acknowledge now (`mayAcknowledgeAlert` with no
   * channel conversation: the line manager, a delegate, or the Head of Service once reached), newest first.
   */
  listOpenEscalationsFor(who: Pick<ActingUser, 'aadObjectId' | 'tenantId'>, limit: number): Promise<Escalation[]>;
}

export interface Timer {
  id: string;
  kind: string;
  refId: string;
  dueAt: Date;
  firedAt: Date | null;
  cancelledAt: Date | null;
  claimedBy: string | null;
  claimedUntil: Date | null;
  createdAt: Date;
}

export interface TimerStore {
  scheduleTimers(timers: NewTimer[]): Promise<Timer[]>;
  /** Due, unfired, uncancelled timers whose lease is free; each handed to exactly one worker. */
  claimDueTimers(workerId: string, limit: number, now: Date, leaseMs: number): Promise<Timer[]>;
  /** Marks a claimed timer fired. False if the lease was lost to another worker. */
  completeTimer(timerId: string, workerId: string): Promise<boolean>;
  cancelTimersFor(refId: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------
// Outbox

/** `cancelled`: a copy of an alert someone acknowledged through another route; it is not sent. */
export const OUTBOX_STATUSES = ['pending', 'in_flight', 'sent', 'dead', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxMessage {
  id: string;
  idempotencyKey: string;
  kind: string;
  target: OutboxTarget;
  refId: string | null;
  decisionId: string | null;
  /** Null once erased or purged. */
  payload: unknown;
  status: OutboxStatus;
  /** Real send attempts so far (a deferral for Retry-After or the rate limit is not one). */
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimedUntil: Date | null;
  lastError: string | null;
  sentActivityId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface EnqueueResult {
  /** Messages newly queued. */
  queued: OutboxMessage[];
  /** Idempotency keys that were already in the outbox: not queued again. */
  duplicates: string[];
}

export interface OutboxStore {
  /** Queues messages on their own (not part of a decision operation); duplicates by key are skipped. */
  enqueue(messages: NewOutboxMessage[]): Promise<EnqueueResult>;
  getOutboxMessage(id: string): Promise<OutboxMessage | null>;
  /** Messages about one approval/escalation/decision (`refId`), oldest queued first (then by id), e.g. to update their cards in place. */
  listOutboxForRef(refId: string): Promise<OutboxMessage[]>;
  /**
   * Claims up to `limit` due messages (pending and due, or in flight with an expired lease) for `leaseMs`.
   * Each message is handed to exactly one worker, across replicas.
   */
  claimDueOutbox(workerId: string, limit: number, now: Date, leaseMs: number): Promise<OutboxMessage[]>;
  /** A real send attempt succeeded. False when this worker no longer holds the lease (another worker took the message over, or it was cancelled). `followUps` are queued in the same transaction. */
  markSent(id: string, workerId: string, sentActivityId: string | null, now: Date, followUps?: NewOutboxMessage[]): Promise<boolean>;
  /** A real send attempt failed transiently: counted, and tried again at `nextAttemptAt`. */
  markFailed(id: string, workerId: string, error: string, nextAttemptAt: Date): Promise<boolean>;
  /** Put back unsent (Retry-After, the rate limit): not an attempt. */
  deferOutbox(id: string, workerId: string, reason: string, nextAttemptAt: Date): Promise<boolean>;
  /** Extends this worker's lease on rows it holds (the heartbeat of a long pass). Returns the ids still held. */
  extendOutboxLease(ids: readonly string[], workerId: string, until: Date): Promise<string[]>;
  /**
   * Dead-letters the message, audits it and queues `followUps` (e.g. telling the practitioner), one transaction.
   * `attempted`: whether this settles a real send attempt (false for a row that could not even be read).
   */
  markDead(id: string, workerId: string, error: string, followUps?: NewOutboxMessage[], attempted?: boolean): Promise<boolean>;
  /** After an outage: rows waiting out a backoff after a transient failure become due now. Returns how many. */
  releaseBackoff(now: Date): Promise<number>;
  /**
   * At the start of the only process on a store (SQLite): rows and timers it had in flight when it stopped are
   * claimable again at once, instead of after their lease. Returns how many outbox rows and timers were released.
   */
  releaseInFlight(now: Date): Promise<{ outbox: number; timers: number }>;
}

// ---------------------------------------------------------------------------------------------------
// Conversation references

export interface StoredConversationReference {
  userAadId: string;
  tenantId: string;
  /** botbuilder's ConversationReference, as JSON. */
  reference: unknown;
  updatedAt: Date;
}

export interface ConversationReferenceStore {
  saveConversationReference(userAadId: string, tenantId: string, reference: unknown): Promise<void>;
  getConversationReference(userAadId: string): Promise<StoredConversationReference | null>;
}

// ---------------------------------------------------------------------------------------------------
// Audit trail

export const AUDIT_EVENT_TYPES = [
  'decision.recorded',
  'approval.requested',
  'approval.approved',
  'approval.declined',
  'approval.cancelled',
  'approval.settle_refused',
  'escalation.raised',
  'escalation.acknowledged',
  'escalation.ack_refused',
  'escalation.escalated',
  'escalation.reminded',
  'escalation.undelivered',
  'escalation.level_not_reached',
  'notification.dead_lettered',
  'case.erased',
  'retention.purged',
  'export.generated',
  'sar.generated',
  'service.note',
  'consent.given',
  'consent.withdrawn',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEvent {
  seq: number;
  id: string;
  decisionId: string | null;
  caseRef: string | null;
  type: AuditEventType;
  actor: string;
  /** Null once redacted by an erasure or a retention purge; its hash stays in `payloadHash`. */
  payload: unknown;
  payloadHash: string;
  createdAt: Date;
  prevHash: string;
  hash: string;
  /** The tombstone event (case.erased / retention.purged) that redacted this payload. */
  redactedBySeq: number | null;
}

export interface NewAuditEvent {
  type: AuditEventType;
  actor: string;
  decisionId?: string | null;
  caseRef?: string | null;
  payload: unknown;
}

export type AuditVerification =
  | { ok: true; events: number }
  /** `seq` is the first event that does not verify (or, for a missing tail, the head's seq). */
  | { ok: false; events: number; brokenAt: { seq: number; reason: string } };

/** A stored record that no longer matches the audit event that sealed it (or has none). */
export interface RecordProblem {
  /** `routing`: who an alert was sent to and who may acknowledge it (manager, delegates, Head of Service, levels, channel). */
  record: 'decision' | 'approval' | 'acknowledgement' | 'routing';
  /** The decision, approval request or escalation id. */
  id: string;
  decisionId: string;
  caseRef: string | null;
  /** The sealing event, when there is one. */
  seq: number | null;
  reason: string;
}

export interface RecordVerification {
  /** Decision, approval and escalation rows looked at. */
  checked: number;
  /** Decisions recorded before records were sealed: they cannot be checked against the chain. */
  unsealed: string[];
  problems: RecordProblem[];
}

export interface AuditTrail {
  /** An event outside the store's own operations (e.g. `service.note`), in its own transaction. */
  appendAuditEvent(event: NewAuditEvent): Promise<AuditEvent>;
  /** Case references are matched in canonical form (trimmed, upper case). */
  listAuditEvents(filter: { decisionId?: string; caseRef?: string }): Promise<AuditEvent[]>;
  verifyAuditChain(): Promise<AuditVerification>;
  /**
   * Checks decisions, approval settlements and acknowledgements against the events that sealed them
   * (all of them, or those of `decisionIds`). Erased and purged records pass when a tombstone covers them.
   */
  verifyRecords(decisionIds?: readonly string[]): Promise<RecordVerification>;
}

// ---------------------------------------------------------------------------------------------------
// Exports, subject access, erasure, retention

/** Everything held about one case reference. */
export interface CaseHoldings {
  caseRef: string;
  found: boolean;
  decisions: DecisionRecord[];
  approvals: ApprovalRequest[];
  escalations: Escalation[];
  outbox: OutboxMessage[];
  wizardSessions: WizardSession[];
  consent: ConsentEntry[];
  auditEvents: AuditEvent[];
}

export interface ExportQuery {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  councilId?: string;
}

export interface ErasureReport {
  caseRef: string;
  found: boolean;
  decisionIds: string[];
  approvalsCleared: number;
  outboxCleared: number;
  wizardSessionsCleared: number;
  consentEntriesErased: number;
  auditEventsRedacted: number;
  /** The last case.erased tombstone event appended. Null when nothing was removed (nothing held, or already erased). */
  tombstoneSeq: number | null;
  /** Every tombstone this erasure appended (one per batch of decisions); empty when nothing was removed. */
  tombstoneSeqs: number[];
}

export interface CouncilPurge {
  councilId: string;
  retentionDays: number;
  cutoff: Date;
  decisionIds: string[];
  auditEventsRedacted: number;
  tombstoneSeq: number | null;
}

export interface PurgeReport {
  purged: CouncilPurge[];
  /** Councils with decision records but no retention period in the map: nothing purged, worth a warning. */
  councilsWithoutRetention: string[];
  /** Checks started but never finished, untouched for 30 days, deleted. */
  unfinishedWizardSessionsPurged: number;
}

export interface DataProtectionStore {
  getCaseHoldings(caseRef: string): Promise<CaseHoldings>;
  exportDecisions(query: ExportQuery): Promise<DecisionRecord[]>;
  /** Council ids that have at least one decision record. */
  listCouncilsWithRecords(): Promise<string[]>;
  /**
   * Removes the personal content for one case reference everywhere and appends a tombstone, in short
   * transactions (one per batch of decisions). `found` and no tombstone: it was all erased before.
   */
  eraseCase(caseRef: string, actor: string): Promise<ErasureReport>;
  /** Deletes decision records older than each council's retention period; one audited transaction per council. */
  purgeExpired(retentionDaysByCouncil: Readonly<Record<string, number>>, now: Date, actor: string): Promise<PurgeReport>;
  /** Appends an `export.generated` / `sar.generated` event, so reading data out is on the record too. */
  recordDisclosure(type: 'export.generated' | 'sar.generated', actor: string, details: Record<string, unknown>): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------

export const CONSENT_STATUSES = ['given', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** One entry of the consent register: a consent given ("They replied YES") or withdrawn, for a case reference. */
export interface ConsentEntry {
  id: string;
  caseRef: string;
  councilId: string;
  status: ConsentStatus;
  /** The consent script sent (e.g. wf-consent-script), or null where the pack prescribes none. */
  scriptId: string | null;
  /** The pack version and content hash the script came from. */
  scriptVersion: string;
  ruleId: string | null;
  decisionId: string | null;
  recordedByAadId: string;
  /** Null once erased. */
  recordedByName: string | null;
  recordedAt: Date;
}

export interface NewConsentEntry {
  caseRef: string;
  councilId: string;
  status: ConsentStatus;
  scriptId: string | null;
  scriptVersion: string;
  ruleId: string | null;
  decisionId: string | null;
  recordedBy: { aadObjectId: string; displayName: string };
}

export interface ConsentStore {
  /** Appends the entry and its audit event (consent.given / consent.withdrawn) in one transaction. */
  recordConsent(entry: NewConsentEntry): Promise<ConsentEntry>;
  /** The case's register, oldest first. */
  listConsent(caseRef: string): Promise<ConsentEntry[]>;
}

export interface ChannelCheckStore
  extends WizardSessionStore,
    ConsentStore,
    DecisionStore,
    ApprovalStore,
    EscalationStore,
    TimerStore,
    OutboxStore,
    ConversationReferenceStore,
    AuditTrail,
    DataProtectionStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Writes the heartbeat row: throws (StoreUnavailableError) when the store cannot be written now. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

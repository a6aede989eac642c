/**
 * The tables as Kysely sees them. Written once for both engines, so the column types are the common ground:
 * - times are UTC ISO-8601 text (`2026-03-03T14:05:00.000Z`): fixed width, so text order is time order,
 *   and the audit hash covers exactly the stored text on both engines;
 * - JSON is text (canonical JSON where it is hashed);
 * - counters are 32-bit integers (pg returns them as numbers, unlike bigint).
 */
export interface WizardSessionsTable {
  id: string;
  user_aad_id: string;
  tenant_id: string;
  council_id: string;
  step: string;
  answers: string | null;
  case_ref: string | null;
  version: number;
  status: string;
  decision_id: string | null;
  activity_id: string | null;
  conversation_ref: string | null;
  created_at: string;
  updated_at: string;
}

export interface DecisionsTable {
  id: string;
  practitioner_aad_id: string;
  practitioner_name: string | null;
  tenant_id: string;
  council_id: string;
  pack_version: string;
  pack_content_hash: string;
  baseline_hash: string;
  case_ref: string | null;
  facts: string | null;
  decision: string | null;
  outcome: string;
  state: string;
  created_at: string;
  updated_at: string;
  erased_at: string | null;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  decision_id: string | null;
  case_ref: string | null;
  type: string;
  actor: string;
  payload: string | null;
  payload_hash: string;
  created_at: string;
  prev_hash: string;
  hash: string;
  redacted_by_seq: number | null;
  /** The seal of the record this event settles (recordSeals.ts); chained with the event. Null for other events. */
  record_hash: string | null;
}

/** One row (id 1) that /readyz writes: proof the store can be written. */
export interface StoreHeartbeatTable {
  id: number;
  beat_at: string;
  beat_by: string;
}

/** One row (id 1): the last event's seq and hash. Appends lock it, so the chain never forks. */
export interface AuditChainHeadTable {
  id: number;
  last_seq: number;
  last_hash: string;
}

export interface ApprovalRequestsTable {
  id: string;
  decision_id: string;
  practitioner_aad_id: string;
  manager_aad_id: string;
  delegate_aad_ids: string;
  status: string;
  decided_by: string | null;
  comment: string | null;
  version: number;
  created_at: string;
  settled_at: string | null;
  manager_activity_id: string | null;
  manager_conversation_id: string | null;
  practitioner_activity_id: string | null;
  practitioner_conversation_id: string | null;
}

export interface EscalationsTable {
  id: string;
  decision_id: string;
  level: string;
  status: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  due_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  practitioner_activity_id: string | null;
  practitioner_conversation_id: string | null;
  /** Who the alert was routed to (migration 003): decides who may acknowledge it. */
  tenant_id: string;
  manager_aad_id: string | null;
  /** JSON array of Entra object ids. */
  delegate_aad_ids: string;
  head_of_service_aad_id: string | null;
  /** JSON array of the levels the alert has been sent to. */
  reached_levels: string;
  channel_conversation_id: string | null;
  /** JSON: the hours the alert was routed for and why (migration 008; routedHoursSchema). */
  routed_hours: string | null;
  /** The acknowledger's display name (migration 008); null before it was kept, or once the case is erased. */
  acknowledged_by_name: string | null;
}

export interface TimersTable {
  id: string;
  kind: string;
  ref_id: string;
  due_at: string;
  fired_at: string | null;
  cancelled_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  created_at: string;
}

export interface ConversationReferencesTable {
  user_aad_id: string;
  tenant_id: string;
  reference: string;
  updated_at: string;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  kind: string;
  target_kind: string;
  target_id: string;
  ref_id: string | null;
  decision_id: string | null;
  payload: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
  sent_activity_id: string | null;
  created_at: string;
  sent_at: string | null;
  /** Claimed highest first (OUTBOX_PRIORITIES): 2 an urgent safeguarding alert, 1 a same-day notice, 0 routine. */
  priority: number;
  /** Correlation id of the activity whose turn queued the row (src/correlation.ts); null outside a turn. */
  correlation_id: string | null;
}

/** The consent register: one row per consent given or withdrawn, per case reference (migration 006). */
export interface ConsentRegisterTable {
  id: string;
  case_ref: string;
  council_id: string;
  /** given | withdrawn */
  status: string;
  script_id: string | null;
  script_version: string;
  rule_id: string | null;
  decision_id: string | null;
  recorded_by_aad_id: string;
  recorded_by_name: string | null;
  recorded_at: string;
}

export interface Database {
  wizard_sessions: WizardSessionsTable;
  decisions: DecisionsTable;
  audit_events: AuditEventsTable;
  audit_chain_head: AuditChainHeadTable;
  approval_requests: ApprovalRequestsTable;
  escalations: EscalationsTable;
  timers: TimersTable;
  conversation_references: ConversationReferencesTable;
  outbox: OutboxTable;
  store_heartbeat: StoreHeartbeatTable;
  consent_register: ConsentRegisterTable;
}

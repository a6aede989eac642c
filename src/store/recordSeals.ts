/**
 * The rows a seal covers (see src/domain/audit/recordSeals.ts), and the check that every decision,
 * approval settlement and acknowledgement still matches the audit event that sealed it.
 *
 * - A decision is sealed by its `decision.recorded` event; an approval by the event that settled it
 *   (`approval.approved` / `declined` / `cancelled`); an escalation by `escalation.acknowledged`.
 * - An alert's routing (who it went to, who may acknowledge it: manager, delegates, Head of Service, levels
 *   reached, channel, current level) is sealed by the last event that set it: `escalation.raised`, then each
 *   `escalation.escalated` / `undelivered` / `reminded`. Alerts raised before routing was sealed are not checked.
 * - An erased record (a `case.erased` tombstone lists its decision) is checked on what it keeps; a record
 *   deleted by retention must be listed by a `retention.purged` tombstone.
 * - Decisions recorded before seals existed (their event has no seal) are counted as unsealed, not failed.
 */
import { TOMBSTONE_TYPES, tombstoneOf } from '../domain/audit/hashChain';
import { checkSeal, type SealCheck, type SealParts, sealOf } from '../domain/audit/recordSeals';
import type { RecordProblem, RecordVerification } from '../domain/ports/store';
import type { ApprovalRequestsTable, DecisionsTable, EscalationsTable } from './schema';
import type { Executor } from './storeContext';

export const SETTLEMENT_EVENTS = ['approval.approved', 'approval.declined', 'approval.cancelled'] as const;

function decisionParts(row: DecisionsTable): SealParts {
  return {
    kept: {
      id: row.id,
      practitionerAadId: row.practitioner_aad_id,
      tenantId: row.tenant_id,
      councilId: row.council_id,
      packVersion: row.pack_version,
      packContentHash: row.pack_content_hash,
      baselineHash: row.baseline_hash,
      caseRef: row.case_ref,
      outcome: row.outcome,
      createdAt: row.created_at,
    },
    content: { practitionerName: row.practitioner_name, facts: row.facts, decision: row.decision },
  };
}

function approvalParts(row: ApprovalRequestsTable): SealParts {
  return {
    kept: {
      id: row.id,
      decisionId: row.decision_id,
      practitionerAadId: row.practitioner_aad_id,
      managerAadId: row.manager_aad_id,
      status: row.status,
      decidedBy: row.decided_by,
      settledAt: row.settled_at,
    },
    content: { comment: row.comment },
  };
}

function acknowledgementParts(row: EscalationsTable): SealParts {
  return {
    kept: { id: row.id, decisionId: row.decision_id, status: row.status, acknowledgedBy: row.acknowledged_by, acknowledgedAt: row.acknowledged_at },
    content: {},
  };
}

/** Who the alert went to and who may acknowledge it: nobody can add themselves to it in the database. */
function routingParts(row: EscalationsTable): SealParts {
  return {
    kept: {
      id: row.id,
      decisionId: row.decision_id,
      tenantId: row.tenant_id,
      level: row.level,
      managerAadId: row.manager_aad_id,
      delegateAadIds: row.delegate_aad_ids,
      headOfServiceAadId: row.head_of_service_aad_id,
      reachedLevels: row.reached_levels,
      channelConversationId: row.channel_conversation_id,
    },
    content: {},
  };
}

/** The events that set an alert's routing, each sealing it as it then stood. */
export const ROUTING_EVENTS = ['escalation.raised', 'escalation.escalated', 'escalation.undelivered', 'escalation.reminded'] as const;

export const decisionSeal = (row: DecisionsTable): string => sealOf(decisionParts(row));
export const routingSeal = (row: EscalationsTable): string => sealOf(routingParts(row));
export const approvalSeal = (row: ApprovalRequestsTable): string => sealOf(approvalParts(row));
export const acknowledgementSeal = (row: EscalationsTable): string => sealOf(acknowledgementParts(row));

const WHAT_CHANGED: Record<Exclude<SealCheck, 'ok'>, string> = {
  kept_changed: 'its stored record (ids, outcome, pack hashes, practitioner, case reference, status, who and when; for an alert, who it was routed to) no longer matches',
  content_changed: 'its stored content (facts, decision, practitioner name, comment) no longer matches',
  malformed: 'the seal on',
};

interface SealEvent {
  seq: number;
  type: string;
  decision_id: string | null;
  record_hash: string | null;
}

const CHUNK = 500;

/** Checks the sealed records of `decisionIds` (all decisions when absent). Call it in a snapshot transaction. */
export async function verifyRecordSeals(db: Executor, decisionIds?: readonly string[]): Promise<RecordVerification> {
  if (decisionIds === undefined) return verifyChunk(db, null);
  const unique = [...new Set(decisionIds)];
  const total: RecordVerification = { checked: 0, unsealed: [], problems: [] };
  for (let i = 0; i < unique.length; i += CHUNK) {
    const part = await verifyChunk(db, unique.slice(i, i + CHUNK));
    total.checked += part.checked;
    total.unsealed.push(...part.unsealed);
    total.problems.push(...part.problems);
  }
  return total;
}

async function verifyChunk(db: Executor, only: string[] | null): Promise<RecordVerification> {
  const ids = only ?? [];
  const events: SealEvent[] = await db
    .selectFrom('audit_events')
    .select(['seq', 'type', 'decision_id', 'record_hash'])
    .where((eb) => eb.or([eb('record_hash', 'is not', null), eb('type', '=', 'decision.recorded')]))
    .$if(only !== null, (q) => q.where('decision_id', 'in', ids))
    .orderBy('seq')
    .execute();
  const tombstoneRows = await db.selectFrom('audit_events').select(['type', 'case_ref', 'payload']).where('type', 'in', [...TOMBSTONE_TYPES]).execute();
  const decisions = await db.selectFrom('decisions').selectAll().$if(only !== null, (q) => q.where('id', 'in', ids)).execute();
  const approvals = await db.selectFrom('approval_requests').selectAll().$if(only !== null, (q) => q.where('decision_id', 'in', ids)).execute();
  const escalations = await db.selectFrom('escalations').selectAll().$if(only !== null, (q) => q.where('decision_id', 'in', ids)).execute();

  const erased = new Set<string>();
  const purged = new Set<string>();
  for (const row of tombstoneRows) {
    const t = tombstoneOf({ type: row.type, caseRef: row.case_ref, payloadText: row.payload });
    for (const id of t?.decisionIds ?? []) (t?.type === 'case.erased' ? erased : purged).add(id);
  }
  const recorded = new Map<string, SealEvent>();
  const settled = new Map<string, SealEvent>();
  const acknowledged = new Map<string, SealEvent>();
  const routed = new Map<string, SealEvent>();
  for (const e of events) {
    if (e.decision_id === null) continue;
    if (e.type === 'decision.recorded') recorded.set(e.decision_id, e);
    // In seq order: the last event that set the routing is the one that seals it.
    else if ((ROUTING_EVENTS as readonly string[]).includes(e.type)) routed.set(e.decision_id, e);
    else if ((SETTLEMENT_EVENTS as readonly string[]).includes(e.type)) settled.set(e.decision_id, e);
    else if (e.type === 'escalation.acknowledged') acknowledged.set(e.decision_id, e);
  }

  const problems: RecordProblem[] = [];
  const unsealed: string[] = [];
  const caseOf = new Map(decisions.map((d) => [d.id, d.case_ref]));
  const problem = (record: RecordProblem['record'], id: string, decisionId: string, seq: number | null, reason: string) =>
    problems.push({ record, id, decisionId, caseRef: caseOf.get(decisionId) ?? null, seq, reason });
  const check = (record: RecordProblem['record'], id: string, decisionId: string, event: SealEvent, parts: SealParts, isErased: boolean) => {
    const result = event.record_hash === null ? 'malformed' : checkSeal(event.record_hash, parts, isErased);
    if (result !== 'ok') problem(record, id, decisionId, event.seq, `${WHAT_CHANGED[result]} ${result === 'malformed' ? 'its event is not readable' : `the ${event.type} event ${event.seq} that sealed it`}`);
  };

  const sealedDecisions = new Set<string>();
  for (const row of decisions) {
    const event = recorded.get(row.id);
    if (event === undefined) {
      problem('decision', row.id, row.id, null, 'no decision.recorded event records it (the row was added outside ChannelCheck)');
      continue;
    }
    if (event.record_hash === null) {
      unsealed.push(row.id);
      continue;
    }
    sealedDecisions.add(row.id);
    const isErased = row.erased_at !== null || row.facts === null || row.decision === null || row.practitioner_name === null;
    if (isErased && !erased.has(row.id)) problem('decision', row.id, row.id, event.seq, 'its content was removed without a case.erased tombstone that lists it');
    check('decision', row.id, row.id, event, decisionParts(row), isErased);
  }
  if (only === null) {
    const held = new Set(decisions.map((d) => d.id));
    for (const [decisionId, event] of recorded) {
      if (event.record_hash !== null && !held.has(decisionId) && !purged.has(decisionId)) {
        problem('decision', decisionId, decisionId, event.seq, 'the record was deleted without a retention.purged tombstone that lists it');
      }
    }
  }
  for (const row of approvals) {
    const event = settled.get(row.decision_id);
    if (event !== undefined) check('approval', row.id, row.decision_id, event, approvalParts(row), erased.has(row.decision_id));
    else if (row.status !== 'open' && sealedDecisions.has(row.decision_id)) problem('approval', row.id, row.decision_id, null, `it is ${row.status} but no event settled it`);
  }
  for (const row of escalations) {
    const event = acknowledged.get(row.decision_id);
    if (event !== undefined) check('acknowledgement', row.id, row.decision_id, event, acknowledgementParts(row), erased.has(row.decision_id));
    else if (row.status === 'acknowledged' && sealedDecisions.has(row.decision_id)) problem('acknowledgement', row.id, row.decision_id, null, 'it is acknowledged but no event acknowledged it');
    const routing = routed.get(row.decision_id);
    if (routing !== undefined) check('routing', row.id, row.decision_id, routing, routingParts(row), false);
  }
  return { checked: decisions.length + approvals.length + escalations.length, unsealed, problems };
}

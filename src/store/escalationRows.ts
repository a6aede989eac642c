/** Escalation rows <-> Escalation. */
import { randomUUID } from 'node:crypto';
import { ESCALATION_LEVELS, type Escalation, type EscalationLevel, type EscalationStatus, type NewEscalation } from '../domain/ports/store';
import { cardColumns, cardRef } from './approvalRows';
import { fromIso, fromIsoOrNull, toIso } from './columnValues';
import { checkDate } from './fieldRules';
import type { EscalationsTable } from './schema';
import { StoreValidationError } from './storeErrors';

export function checkLevel(level: unknown, field: string): EscalationLevel {
  if (!ESCALATION_LEVELS.includes(level as EscalationLevel)) throw new StoreValidationError(field, `must be one of ${ESCALATION_LEVELS.join(', ')}`);
  return level as EscalationLevel;
}

export function toEscalation(row: EscalationsTable): Escalation {
  return {
    id: row.id,
    decisionId: row.decision_id,
    level: row.level as EscalationLevel,
    status: row.status as EscalationStatus,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: fromIsoOrNull(row.acknowledged_at),
    dueAt: fromIsoOrNull(row.due_at),
    version: row.version,
    createdAt: fromIso(row.created_at),
    updatedAt: fromIso(row.updated_at),
    practitionerCard: cardRef(row.practitioner_activity_id, row.practitioner_conversation_id),
  };
}

export function escalationRow(input: NewEscalation, decisionId: string, now: Date): EscalationsTable {
  const card = cardColumns(input.practitionerCard, 'escalation.practitionerCard');
  return {
    id: input.id ?? randomUUID(),
    decision_id: decisionId,
    level: checkLevel(input.level ?? 'manager', 'escalation.level'),
    status: 'open',
    acknowledged_by: null,
    acknowledged_at: null,
    due_at: input.dueAt === null ? null : toIso(checkDate(input.dueAt, 'escalation.dueAt')),
    version: 1,
    created_at: toIso(now),
    updated_at: toIso(now),
    practitioner_activity_id: card.activityId,
    practitioner_conversation_id: card.conversationId,
  };
}

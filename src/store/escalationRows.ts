/** Escalation rows <-> Escalation. */
import { randomUUID } from 'node:crypto';
import type { AlertRouting } from '../domain/authority';
import { type RoutedHours, routedHoursSchema } from '../domain/workingHours';
import { ESCALATION_LEVELS, type Escalation, type EscalationLevel, type EscalationStatus, type NewEscalation } from '../domain/ports/store';
import { cardColumns, cardRef } from './approvalRows';
import { fromIso, fromIsoOrNull, fromJsonText, toIso, toJsonText } from './columnValues';
import { checkDate, checkId } from './fieldRules';
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
    routing: toRouting(row),
    routedHours: toRoutedHours(row.routed_hours),
    acknowledgedByName: row.acknowledged_by_name,
  };
}

/** The stored routed hours; a value that no longer reads is treated as not kept (the cards then say nothing of it). */
function toRoutedHours(text: string | null): RoutedHours | null {
  if (text === null) return null;
  try {
    const parsed = routedHoursSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function routedHoursText(value: RoutedHours | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const parsed = routedHoursSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreValidationError(['escalation.routedHours', ...(issue?.path ?? [])].join('.'), issue?.message ?? 'is not valid');
  }
  return JSON.stringify(parsed.data);
}

export function toRouting(row: EscalationsTable): AlertRouting {
  return {
    tenantId: row.tenant_id,
    managerAadId: row.manager_aad_id,
    delegateAadIds: fromJsonText<string[]>(row.delegate_aad_ids),
    headOfServiceAadId: row.head_of_service_aad_id,
    reachedLevels: fromJsonText<EscalationLevel[]>(row.reached_levels),
    channelConversationId: row.channel_conversation_id,
  };
}

/** The levels reached so far plus `level`, in escalation order, as stored. */
export function withReached(reachedLevels: string, level: EscalationLevel): string {
  const reached = new Set([...fromJsonText<EscalationLevel[]>(reachedLevels), level]);
  return toJsonText(ESCALATION_LEVELS.filter((l) => reached.has(l)));
}

function optionalId(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : checkId(value, field);
}

export function escalationRow(input: NewEscalation, decisionId: string, tenantId: string, now: Date): EscalationsTable {
  const card = cardColumns(input.practitionerCard, 'escalation.practitionerCard');
  const routing = input.routing;
  if (typeof routing !== 'object' || routing === null) throw new StoreValidationError('escalation.routing', 'is required');
  if (!Array.isArray(routing.delegateAadIds)) throw new StoreValidationError('escalation.routing.delegateAadIds', 'must be a list of ids');
  if (!Array.isArray(routing.reachedLevels)) throw new StoreValidationError('escalation.routing.reachedLevels', 'must be a list of levels');
  const reached = new Set(routing.reachedLevels.map((l, i) => checkLevel(l, `escalation.routing.reachedLevels[${i}]`)));
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
    tenant_id: checkId(tenantId, 'practitioner.tenantId'),
    manager_aad_id: optionalId(routing.managerAadId, 'escalation.routing.managerAadId'),
    delegate_aad_ids: toJsonText(routing.delegateAadIds.map((d, i) => checkId(d, `escalation.routing.delegateAadIds[${i}]`))),
    head_of_service_aad_id: optionalId(routing.headOfServiceAadId, 'escalation.routing.headOfServiceAadId'),
    reached_levels: toJsonText(ESCALATION_LEVELS.filter((l) => reached.has(l))),
    channel_conversation_id: optionalId(routing.channelConversationId, 'escalation.routing.channelConversationId'),
    routed_hours: routedHoursText(input.routedHours),
    acknowledged_by_name: null,
  };
}

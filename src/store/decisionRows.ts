/** Decision rows <-> DecisionRecord, and the checks a new record must pass before anything is written. */
import { randomUUID } from 'node:crypto';
import type { Facts } from '../domain/facts';
import { type Decision, withCurrentShape } from '../domain/policy/decision';
import { OUTCOMES, type Outcome } from '../domain/policy/precedence';
import type { DecisionRecord, DecisionState, RecordDecisionCommand } from '../domain/ports/store';
import { fromIso, fromIsoOrNull, fromJsonText, toIso, toJsonText } from './columnValues';
import { checkCaseRef, checkDisplayName, checkId } from './fieldRules';
import type { DecisionsTable } from './schema';
import { StoreValidationError } from './storeErrors';

export function toDecisionRecord(row: DecisionsTable): DecisionRecord {
  return {
    id: row.id,
    practitionerAadId: row.practitioner_aad_id,
    practitionerDisplayName: row.practitioner_name,
    tenantId: row.tenant_id,
    councilId: row.council_id,
    packVersion: row.pack_version,
    packContentHash: row.pack_content_hash,
    baselineHash: row.baseline_hash,
    caseRef: row.case_ref,
    facts: fromJsonText<Facts>(row.facts),
    decision: row.decision === null ? null : withCurrentShape(fromJsonText<Decision>(row.decision)),
    outcome: row.outcome as Outcome,
    state: row.state as DecisionState,
    createdAt: fromIso(row.created_at),
    updatedAt: fromIso(row.updated_at),
    erasedAt: fromIsoOrNull(row.erased_at),
  };
}

export function decisionRow(command: RecordDecisionCommand, caseRefPattern: RegExp, state: DecisionState, now: Date): DecisionsTable {
  const { practitioner, decision } = command;
  if (typeof practitioner !== 'object' || practitioner === null) throw new StoreValidationError('practitioner', 'is required');
  if (typeof decision !== 'object' || decision === null || typeof decision.policy !== 'object' || decision.policy === null) {
    throw new StoreValidationError('decision', 'must be a decision from evaluate()');
  }
  if (!OUTCOMES.includes(decision.outcome)) throw new StoreValidationError('decision.outcome', `must be one of ${OUTCOMES.join(', ')}`);
  if (typeof decision.facts !== 'object' || decision.facts === null) throw new StoreValidationError('decision.facts', 'is required');
  return {
    id: command.id === undefined ? randomUUID() : checkId(command.id, 'id'),
    practitioner_aad_id: checkId(practitioner.aadObjectId, 'practitioner.aadObjectId'),
    practitioner_name: checkDisplayName(practitioner.displayName),
    tenant_id: checkId(practitioner.tenantId, 'practitioner.tenantId'),
    council_id: checkId(decision.policy.id, 'decision.policy.id'),
    pack_version: checkId(decision.policy.version, 'decision.policy.version'),
    pack_content_hash: checkId(decision.policy.contentHash, 'decision.policy.contentHash'),
    baseline_hash: checkId(decision.policy.baselineHash, 'decision.policy.baselineHash'),
    case_ref: command.caseRef === null || command.caseRef === undefined ? null : checkCaseRef(command.caseRef, caseRefPattern),
    facts: toJsonText(decision.facts),
    decision: toJsonText(decision),
    outcome: decision.outcome,
    state,
    created_at: toIso(now),
    updated_at: toIso(now),
    erased_at: null,
  };
}

/** Views for card tests: a decision's outcome view with representative state, built the way the services build it. */
import type { Decision } from '../../src/domain/policy/decision';
import { decisionContent, type DecisionView, type ManagerStatus } from '../../src/domain/views';

export function decisionViewOf(decision: Decision, over: Partial<DecisionView> = {}): DecisionView {
  return {
    decisionId: 'd-1',
    createdAt: '2026-03-03T10:00:00.000Z',
    practitioner: { name: 'Pat Practitioner' },
    caseRef: 'CR-1001',
    ...decisionContent(decision),
    caseNote: 'note',
    consent: { standing: null, registerLine: null, offer: null },
    approval: null,
    alert: null,
    managerStatus: [] as ManagerStatus[],
    ...over,
  };
}

/** A settled approval on an outcome view. */
export function settledApproval(status: 'approved' | 'declined', byName: string | null = null): DecisionView['approval'] {
  return { approvalId: 'a-1', status, settledAt: '2026-03-03T10:05:00.000Z', settledBy: { name: byName }, comment: null };
}

/**
 * What a decision sets in motion for the line manager: the outbox messages, the approval request or
 * safeguarding escalation, and its timers, all written in the same transaction as the decision.
 */
import type { Decision } from '../domain/policy/decision';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import type { NewApprovalRequest, NewEscalation, NewOutboxMessage, NewTimer } from '../domain/ports/store';
import type { ManagerStatus } from '../domain/views';
import type { Actor } from './actor';

export interface NotificationPlan {
  notifications: NewOutboxMessage[];
  approval?: NewApprovalRequest;
  escalation?: NewEscalation;
  timers?: NewTimer[];
  /** Told to the practitioner on the outcome card: who is being reached, or what to do if nobody can be. */
  managerStatus: ManagerStatus[];
}

export interface PlanInput {
  decisionId: string;
  decision: Decision;
  actor: Actor;
  policy: CouncilPolicy;
  caseRef: string | null;
  now: Date;
}

export interface NotificationPlanner {
  plan(input: PlanInput): Promise<NotificationPlan>;
}

/** For tests and deployments without manager notifications. */
export const noNotifications: NotificationPlanner = {
  async plan() {
    return { notifications: [], managerStatus: [] };
  },
};

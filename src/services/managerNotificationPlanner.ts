/**
 * Plans what a decision sets in motion for the line manager, to be written in the same transaction as the
 * decision: an approval request and its card, or an urgent safeguarding alert with its escalation timer,
 * or a routine notification. If no manager can be found the practitioner is told at once, the council's
 * escalation contacts are on their card, and the alert goes to the escalation channel.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { ALERT_DELIVERY_TIMER_KIND, ESCALATION_TIMER_KIND, initialRoute, type RouteContext } from '../domain/escalations';
import type { Directory, Person } from '../domain/ports/directory';
import type { CardRef, EscalationLevel, NewOutboxMessage, OutboxPriority, OutboxTarget } from '../domain/ports/store';
import { alertViewOf, approvalViewOf, type CardView, type ManagerStatus } from '../domain/views';
import { routedHoursAt } from '../domain/workingHours';
import type { CardPayload, CardUpdatePayload, TextPayload } from '../notify/outboxPayloads';
import type { Logger } from '../logging';
import { correlationFields } from '../correlation';
import type { Actor } from './actor';
import type { NotificationPlan, NotificationPlanner, PlanInput } from './notificationPlanner';

export interface PlannerDeps {
  directory: Directory;
  config: Pick<Config, 'escalation'>;
  log: Logger;
  newId?: () => string;
}

export function cardMessage(key: string, target: OutboxTarget, payload: CardPayload, refId: string | null): NewOutboxMessage {
  return { idempotencyKey: key, kind: 'card', target, payload, refId, ...(payload.urgent ? { urgent: true } : {}) };
}

export function textMessage(key: string, userAadId: string, payload: TextPayload, refId: string | null): NewOutboxMessage {
  return { idempotencyKey: key, kind: 'text', target: { kind: 'user', aadObjectId: userAadId }, payload, refId };
}

/** Replace a card already sent (its activity in its conversation) with the card of `card` (a view). */
export function cardUpdateMessage(key: string, where: CardRef, serviceUrl: string | null, card: CardView, refId: string): NewOutboxMessage {
  const payload: CardUpdatePayload = { activityId: where.activityId, conversationId: where.conversationId, ...(serviceUrl ? { serviceUrl } : {}), card };
  return { idempotencyKey: key, kind: 'card_update', target: { kind: 'conversation', conversationId: where.conversationId }, payload, refId };
}

export function channelTarget(config: Pick<Config, 'escalation'>): OutboxTarget | null {
  const id = config.escalation.channelConversationId;
  return id ? { kind: 'channel', channelId: id } : null;
}

export class ManagerNotificationPlanner implements NotificationPlanner {
  private readonly newId: () => string;

  constructor(private readonly deps: PlannerDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  private async findManager(actor: Actor): Promise<{ manager: Person | null; lookupFailed: boolean }> {
    try {
      return { manager: await this.deps.directory.managerOf(actor.aadObjectId, actor), lookupFailed: false };
    } catch (e) {
      this.deps.log.error({ err: e, alert: true, ...correlationFields(actor) }, 'line manager lookup failed; routing to the escalation channel');
      return { manager: null, lookupFailed: true };
    }
  }

  /** Who may act for the manager; on a lookup failure, nobody but the manager. */
  private async delegatesOf(manager: Person, actor: Actor): Promise<Person[]> {
    try {
      return await this.deps.directory.delegatesOf(manager.aadObjectId);
    } catch (e) {
      this.deps.log.warn({ err: e, ...correlationFields(actor) }, 'delegate lookup failed; only the manager can act');
      return [];
    }
  }

  async plan(input: PlanInput): Promise<NotificationPlan> {
    const { decision, actor } = input;
    if (!decision.notifyManager) return { notifications: [], managerStatus: [] };
    const { manager, lookupFailed } = await this.findManager(actor);
    if (decision.outcome === 'safeguarding_escalation') return this.planAlert(input, manager, lookupFailed);
    if (decision.outcome === 'information_incident') return this.planIncident(input, manager);
    if (decision.channel === 'manager_approval_required') return this.planApproval(input, manager);
    return this.planNotice(input, manager);
  }

  private async planAlert(input: PlanInput, manager: Person | null, lookupFailed: boolean): Promise<NotificationPlan> {
    const { decision, actor, decisionId, now } = input;
    let headOfService: Person | null = null;
    try {
      headOfService = (await this.deps.directory.escalationContactsFor(actor.aadObjectId)).headOfService;
    } catch (e) {
      this.deps.log.error({ err: e, ...correlationFields(actor) }, 'Head of Service lookup failed');
    }
    const delegates = manager ? await this.delegatesOf(manager, actor) : [];
    const channel = channelTarget(this.deps.config);
    // The clock can override the answer (the manager may have gone home); the cards say which was used and why.
    const routedHours = routedHoursAt(decision.facts.withinWorkingHours, input.policy.council.data.workingHours, now);
    const outOfHours = routedHours.basis !== 'answer_and_clock_within';
    const ctx: RouteContext = { managerFound: manager !== null, headOfServiceFound: headOfService !== null, channelConfigured: channel !== null, outOfHours };
    const route = initialRoute(ctx);
    const escalationId = this.newId();
    const card: CardView = {
      kind: 'alert',
      view: alertViewOf({
        escalation: { id: escalationId, status: 'open', level: route.level ?? 'manager', reachedLevels: route.alertNow, createdAt: now, acknowledgedAt: null, routedHours },
        record: { decisionId, decision, practitionerName: actor.displayName, caseRef: input.caseRef, policy: input.policy },
      }),
    };
    const summary = `URGENT safeguarding alert from ${actor.displayName}`;
    const notifications: NewOutboxMessage[] = [];
    const fallback = (who: string) => ({ toEscalationChannel: true, tellPractitionerAadId: actor.aadObjectId, recipientDescription: who, caseRef: input.caseRef });
    const reached: Array<{ level: EscalationLevel; name: string | null }> = [];
    for (const level of route.alertNow) {
      if (level === 'manager' && manager) {
        const recipient = { level, name: manager.displayName };
        notifications.push(cardMessage(`alert:${escalationId}:manager`, { kind: 'user', aadObjectId: manager.aadObjectId }, { tenantId: actor.tenantId, card, summary, urgent: true, recipient, fallback: fallback(`your line manager ${manager.displayName}`) }, escalationId));
        reached.push(recipient);
      } else if (level === 'head_of_service' && headOfService) {
        const recipient = { level, name: headOfService.displayName };
        notifications.push(cardMessage(`alert:${escalationId}:head_of_service`, { kind: 'user', aadObjectId: headOfService.aadObjectId }, { tenantId: actor.tenantId, card, summary, urgent: true, recipient, fallback: fallback(`the Head of Service ${headOfService.displayName}`) }, escalationId));
        reached.push(recipient);
      } else if (level === 'escalation_channel' && channel) {
        const recipient = { level, name: null };
        notifications.push(cardMessage(`alert:${escalationId}:channel`, channel, { tenantId: actor.tenantId, card, summary, urgent: true, recipient }, escalationId));
        reached.push(recipient);
      }
    }
    const ackMinutes = this.deps.config.escalation.ackTimeoutMinutes;
    // Every level has an acknowledgement timer (at the last level it reminds), and delivery is watched too.
    const dueAt = route.level ? new Date(now.getTime() + ackMinutes * 60_000) : null;
    const deliveryDue = new Date(now.getTime() + this.deps.config.escalation.deliveryTimeoutMinutes * 60_000);
    const noManager = manager === null ? (lookupFailed ? 'lookup_failed' : 'not_on_record') : null;
    const managerStatus: ManagerStatus[] = reached.length > 0
      ? [{ kind: 'alert_sending', noManager, reached, goesFurtherAfterMinutes: dueAt && route.level !== 'escalation_channel' ? ackMinutes : null, routedHours }]
      : [{ kind: 'alert_unreachable', noManager }];
    if (!route.level) {
      // Nobody reachable by Teams: still recorded, still audited; the practitioner's card says what to do.
      this.deps.log.error({ decisionId, alert: true, ...correlationFields(actor) }, 'safeguarding alert has no recipient: no manager, Head of Service or escalation channel configured');
      return { notifications, managerStatus };
    }
    return {
      notifications,
      escalation: {
        id: escalationId,
        level: route.level,
        dueAt,
        routedHours,
        // Who it is sent to, and so who may acknowledge it (src/domain/authority.ts).
        routing: {
          managerAadId: manager?.aadObjectId ?? null,
          delegateAadIds: delegates.map((d) => d.aadObjectId),
          headOfServiceAadId: headOfService?.aadObjectId ?? null,
          reachedLevels: route.alertNow,
          channelConversationId: this.deps.config.escalation.channelConversationId || null,
        },
      },
      timers: dueAt
        ? [
            { kind: ESCALATION_TIMER_KIND, refId: escalationId, dueAt },
            { kind: ALERT_DELIVERY_TIMER_KIND, refId: escalationId, dueAt: deliveryDue },
          ]
        : [],
      managerStatus,
    };
  }

  private async planApproval(input: PlanInput, manager: Person | null): Promise<NotificationPlan> {
    const { decision, actor } = input;
    const channel = channelTarget(this.deps.config);
    if (!manager) {
      const notifications: NewOutboxMessage[] = [];
      if (channel) {
        notifications.push(textMessageToChannel(`approval-unassigned:${input.decisionId}`, channel, actor.tenantId, `${actor.displayName} needs a line manager's agreement before using WhatsApp (case ${input.caseRef ?? 'not given'}, ${decision.policy.council}), but ChannelCheck has no line manager on record for them. Please make sure someone picks this up.`, input.decisionId));
      }
      return {
        notifications,
        managerStatus: [{ kind: 'approval_no_manager', channelTold: channel !== null }],
      };
    }
    const delegates = await this.delegatesOf(manager, input.actor);
    const approvalId = this.newId();
    const approval = { id: approvalId, status: 'open' as const, version: 1, managerAadId: manager.aadObjectId, delegateAadIds: delegates.map((d) => d.aadObjectId), comment: null, settledAt: null, createdAt: input.now };
    const record = { decisionId: input.decisionId, decision, practitionerName: actor.displayName, caseRef: input.caseRef, policy: input.policy };
    // The manager's own copy has the buttons; the escalation channel's copy shows them only to the deciders, on refresh.
    const card: CardView = { kind: 'approval', view: approvalViewOf({ approval, record, settledByName: null, viewerMayDecide: true }) };
    const channelCard: CardView = { kind: 'approval', view: approvalViewOf({ approval, record, settledByName: null, viewerMayDecide: false }) };
    return {
      approval: { id: approvalId, managerAadId: manager.aadObjectId, delegateAadIds: approval.delegateAadIds },
      notifications: [
        cardMessage(`approval:${approvalId}:manager`, { kind: 'user', aadObjectId: manager.aadObjectId }, {
          tenantId: actor.tenantId,
          card,
          summary: `Approval needed: ${actor.displayName} asks to use WhatsApp`,
          attachAs: { approvalId, whose: 'manager' },
          fallback: { toEscalationChannel: true, tellPractitionerAadId: actor.aadObjectId, recipientDescription: `your line manager ${manager.displayName}`, caseRef: input.caseRef },
          channelCard,
        }, approvalId),
      ],
      managerStatus: [{ kind: 'approval_sending', managerName: manager.displayName }],
    };
  }

  /** An information incident: a same-day notice (never buried among routine ones), and the approval the channel may still need. */
  private async planIncident(input: PlanInput, manager: Person | null): Promise<NotificationPlan> {
    // Same day, or urgent when the decision itself is urgent: an incident notice is never buried among routine ones.
    const notice = await this.planNotice(input, manager, input.decision.urgency === 'urgent' ? 'urgent' : 'same_day');
    if (input.decision.channel !== 'manager_approval_required') return notice;
    const approval = await this.planApproval(input, manager);
    return { ...approval, notifications: [...notice.notifications, ...approval.notifications], managerStatus: [...notice.managerStatus, ...approval.managerStatus] };
  }

  private async planNotice(input: PlanInput, manager: Person | null, priority: OutboxPriority = 'routine'): Promise<NotificationPlan> {
    const { decision, actor } = input;
    const notices = decision.actNow.length > 0
      ? decision.actNow.map((a) => a.text)
      : decision.reasons.filter((r) => r.decisive || r.effect === 'INFO' || r.effect === 'CONDITION').map((r) => r.text);
    const opening = priority === 'same_day' ? 'Information incident, for action today' : 'For your information';
    const text = `${opening}: ${actor.displayName} completed a ChannelCheck (case ${input.caseRef ?? 'not given'}, ${decision.policy.council}): ${decision.headline}. ${notices.slice(0, 3).join(' ')}`;
    if (!manager) {
      const channel = channelTarget(this.deps.config);
      return {
        notifications: channel ? [withPriority(textMessageToChannel(`notice:${input.decisionId}:channel`, channel, actor.tenantId, `${text.slice(0, 1800)} ChannelCheck has no line manager on record for ${actor.displayName}.`, input.decisionId), priority)] : [],
        managerStatus: [{ kind: 'notice_no_manager', channelTold: channel !== null }],
      };
    }
    return {
      notifications: [withPriority(textMessage(`notice:${input.decisionId}:manager`, manager.aadObjectId, { tenantId: actor.tenantId, text: text.slice(0, 2000) }, input.decisionId), priority)],
      managerStatus: [{ kind: 'notice_sent', managerName: manager.displayName }],
    };
  }
}

function withPriority(m: NewOutboxMessage, priority: OutboxPriority): NewOutboxMessage {
  return priority === 'routine' ? m : { ...m, priority };
}

function textMessageToChannel(key: string, channel: OutboxTarget, tenantId: string, text: string, refId: string): NewOutboxMessage {
  return { idempotencyKey: key, kind: 'text', target: channel, payload: { tenantId, text } satisfies TextPayload, refId };
}

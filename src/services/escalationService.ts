/**
 * Urgent safeguarding alerts after they are sent: acknowledging one (the practitioner sees who did), and
 * the escalation timer that moves an unacknowledged alert on to the Head of Service / on-call contact and
 * then the escalation channel. Timers are rows in the store, claimed by one replica at a time.
 */
import { z } from 'zod';
import { alertCard } from '../cards/alertCard';
import type { CardJson } from '../cards/renderTemplate';
import type { Config } from '../config';
import type { RefusalReason } from '../domain/authority';
import { ESCALATION_TIMER_KIND, LEVEL_WORDS, nextLevel, type RouteContext } from '../domain/escalations';
import { londonClock } from '../domain/londonTime';
import type { Directory } from '../domain/ports/directory';
import type { ConversationReferenceStore, DecisionRecord, DecisionStore, Escalation, EscalationStore, NewOutboxMessage, OutboxStore, Timer } from '../domain/ports/store';
import { conversationOf, serviceUrlOf } from './conversationLookup';
import type { CardPayload, TextPayload } from '../notify/outboxPayloads';
import type { Actor } from './actor';
import type { DecisionService } from './decisionService';
import { cardUpdateMessage, channelTarget } from './managerNotificationPlanner';
import { UserFacingError } from './userFacingError';

/**
 * What someone who may not acknowledge the alert is told (the store refused, audited it and changed nothing):
 * why not, and what to do instead. Never anything about the child or the case.
 */
export function ackRefused(reason: RefusalReason): UserFacingError {
  const act = 'If you are worried about a child now, tell the practitioner\'s line manager or your duty manager, follow your council\'s safeguarding procedures, and call 999 if anyone is at immediate risk.';
  switch (reason) {
    case 'own_request':
      return new UserFacingError('not_authorised', 'You raised this alert', 'A manager must acknowledge it. If nobody has, phone your line manager or the contacts on your card now.', 403);
    case 'not_yet_reached':
      return new UserFacingError('not_authorised', 'This alert has not been sent to you yet', `It is with the practitioner's line manager. It comes to you if they do not acknowledge it in time, and you can acknowledge it then. Your acknowledgement was not recorded. ${act}`, 403);
    default:
      return new UserFacingError('not_authorised', 'You cannot acknowledge this alert', `You are not one of the people this alert was sent to, so your acknowledgement was not recorded and the alert is still with them. ${act}`, 403);
  }
}

const ackPayload = z.object({ escalationId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/) });

export interface EscalationServiceDeps {
  store: EscalationStore & DecisionStore & OutboxStore & ConversationReferenceStore;
  directory: Directory;
  decisions: Pick<DecisionService, 'outcomeCardFor'>;
  config: Pick<Config, 'escalation'>;
  now?: () => Date;
}

export class EscalationService {
  constructor(private readonly deps: EscalationServiceDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async recordFor(e: Escalation): Promise<DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> }> {
    const record = await this.deps.store.getDecision(e.decisionId);
    if (!record?.decision) throw new UserFacingError('decision_not_found', 'This alert is no longer held', 'It may have been erased.');
    return record as DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> };
  }

  async acknowledge(actor: Actor, data: Record<string, unknown>): Promise<CardJson> {
    const parsed = ackPayload.safeParse(data);
    if (!parsed.success) throw new UserFacingError('bad_payload', 'That card action could not be read', 'The card sent an invalid escalationId.', 400);
    const before = await this.deps.store.getEscalation(parsed.data.escalationId);
    if (!before) throw new UserFacingError('escalation_not_found', 'This alert could not be found', 'It may have been removed. If a child may be at risk, act on your council\'s procedures now.');
    const record = await this.recordFor(before);
    const acknowledgedAt = this.now();
    const acknowledgedView = { ...before, status: 'acknowledged' as const, acknowledgedAt };
    const ackCard = alertCard({ escalation: acknowledgedView, decision: record.decision, practitionerName: record.practitionerDisplayName ?? '(erased)', caseRef: record.caseRef, acknowledgedByName: actor.displayName });
    const result = await this.deps.store.acknowledgeEscalation(before.id, actor, await this.acknowledgedFollowUps(before, record, actor, ackCard, acknowledgedAt));
    if (result.kind === 'not_found') throw new UserFacingError('escalation_not_found', 'This alert could not be found', 'It may have been removed.');
    if (result.kind === 'not_authorised') throw ackRefused(result.reason);
    const e = result.escalation;
    return alertCard({ escalation: e, decision: record.decision, practitionerName: record.practitionerDisplayName ?? '(erased)', caseRef: record.caseRef, acknowledgedByName: result.kind === 'acknowledged' ? actor.displayName : (e.acknowledgedBy === actor.aadObjectId ? actor.displayName : 'another manager') });
  }

  private async acknowledgedFollowUps(e: Escalation, record: DecisionRecord, actor: Actor, ackCard: CardJson, at: Date): Promise<NewOutboxMessage[]> {
    const time = londonClock(at);
    const out: NewOutboxMessage[] = [
      {
        idempotencyKey: `alert:${e.id}:ack:tell-practitioner`,
        kind: 'text',
        target: { kind: 'user', aadObjectId: record.practitionerAadId },
        payload: { tenantId: record.tenantId, text: `${actor.displayName} acknowledged your safeguarding alert at ${time} (case ${record.caseRef ?? 'not given'}) and is dealing with it.` } satisfies TextPayload,
        refId: e.id,
      },
    ];
    // Every other copy of the alert (manager, Head of Service, channel) shows who acknowledged it. A card to a
    // user lands in their 1:1 conversation, whose stored reference says where it is.
    for (const sent of await this.deps.store.listOutboxForRef(e.id)) {
      if (sent.kind !== 'card' || sent.status !== 'sent' || !sent.sentActivityId) continue;
      const where =
        sent.target.kind === 'user'
          ? await conversationOf(this.deps.store, sent.target.aadObjectId)
          : { conversationId: sent.target.kind === 'channel' ? sent.target.channelId : sent.target.conversationId, serviceUrl: null };
      if (!where) continue;
      out.push(cardUpdateMessage(`alert:${e.id}:ack:update:${sent.id}`, { activityId: sent.sentActivityId, conversationId: where.conversationId }, where.serviceUrl, ackCard, e.id));
    }
    if (e.practitionerCard) {
      const card = await this.deps.decisions.outcomeCardFor(record.id, undefined, `Safeguarding alert acknowledged by ${actor.displayName} at ${time}.`);
      const serviceUrl = await serviceUrlOf(this.deps.store, record.practitionerAadId);
      out.push(cardUpdateMessage(`alert:${e.id}:ack:update-practitioner-card`, e.practitionerCard, serviceUrl, card, e.id));
    }
    return out;
  }

  /** The escalation timer: not acknowledged in time, so the alert moves to the next level. */
  async onTimer(timer: Timer): Promise<void> {
    if (timer.kind !== ESCALATION_TIMER_KIND) return;
    const e = await this.deps.store.getEscalation(timer.refId);
    if (!e || e.status === 'acknowledged') return;
    const record = await this.recordFor(e);
    const channel = channelTarget(this.deps.config);
    const hos = (await this.deps.directory.escalationContactsFor(record.practitionerAadId)).headOfService;
    const manager = await this.deps.directory.managerOf(record.practitionerAadId).catch(() => null);
    const ctx: RouteContext = { managerFound: manager !== null, headOfServiceFound: hos !== null, channelConfigured: channel !== null, outOfHours: false };
    const to = nextLevel(e.level, ctx);
    if (!to) return;
    const now = this.now();
    const minutes = this.deps.config.escalation.ackTimeoutMinutes;
    const dueAt = to === 'escalation_channel' ? null : new Date(now.getTime() + minutes * 60_000);
    const note = `Not acknowledged within ${minutes} minutes by ${LEVEL_WORDS[e.level]}: escalated to ${to === 'escalation_channel' ? 'this channel' : 'you'}.`;
    const card = alertCard({ escalation: e, decision: record.decision, practitionerName: record.practitionerDisplayName ?? '(erased)', caseRef: record.caseRef, escalationNote: note });
    const payload: CardPayload = { tenantId: record.tenantId, card, summary: `URGENT safeguarding alert escalated: ${record.practitionerDisplayName ?? ''}`, urgent: true };
    const notifications: NewOutboxMessage[] = [];
    if (to === 'head_of_service' && hos) {
      notifications.push({ idempotencyKey: `alert:${e.id}:escalate:head_of_service`, urgent: true, kind: 'card', target: { kind: 'user', aadObjectId: hos.aadObjectId }, payload: { ...payload, fallback: { toEscalationChannel: true, tellPractitionerAadId: record.practitionerAadId, recipientDescription: `the Head of Service ${hos.displayName}` } }, refId: e.id });
    } else if (to === 'escalation_channel' && channel) {
      notifications.push({ idempotencyKey: `alert:${e.id}:escalate:channel`, urgent: true, kind: 'card', target: channel, payload, refId: e.id });
    }
    notifications.push({
      idempotencyKey: `alert:${e.id}:escalate:${to}:tell-practitioner`,
      kind: 'text',
      target: { kind: 'user', aadObjectId: record.practitionerAadId },
      payload: { tenantId: record.tenantId, text: `Your safeguarding alert (case ${record.caseRef ?? 'not given'}) was not acknowledged within ${minutes} minutes, so it has gone to ${LEVEL_WORDS[to]}. If a child may be at risk now, phone your line manager or the contacts on your card.` } satisfies TextPayload,
      refId: e.id,
    });
    await this.deps.store.escalate({
      escalationId: e.id,
      fromLevel: e.level,
      toLevel: to,
      dueAt,
      actor: 'channelcheck:escalation-timer',
      firedTimerId: timer.id,
      // Whoever this level's card goes to may acknowledge from now on.
      ...(to === 'head_of_service' && hos ? { recipient: { headOfServiceAadId: hos.aadObjectId } } : {}),
      ...(to === 'escalation_channel' && channel?.kind === 'channel' ? { recipient: { channelConversationId: channel.channelId } } : {}),
      notifications,
      timers: dueAt ? [{ kind: ESCALATION_TIMER_KIND, refId: e.id, dueAt }] : [],
    });
  }
}

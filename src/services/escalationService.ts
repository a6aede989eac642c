/**
 * Urgent safeguarding alerts after they are sent: acknowledging one (the practitioner sees who did; the other
 * copies stop), the delivery timer (not delivered in time: the next level as well, and the practitioner told
 * to phone), the acknowledgement timer that moves an unacknowledged alert on to the Head of Service / on-call
 * contact and then the escalation channel (and reminds the last level rather than stop), and the practitioner's
 * card kept true as the alert moves. Timers are rows in the store, claimed by one replica at a time.
 */
import { z } from 'zod';
import type { Config } from '../config';
import type { RefusalReason } from '../domain/authority';
import { ALERT_DELIVERY_TIMER_KIND, ESCALATION_TIMER_KIND, LEVEL_WORDS, nextLevel, type RouteContext } from '../domain/escalations';
import { londonDateTime } from '../domain/londonTime';
import { minutesText } from '../domain/sentenceWords';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { type AlertView, alertViewOf, type CardView, type ManagerStatus, type RecordSource } from '../domain/views';
import type { Directory } from '../domain/ports/directory';
import type { AuditTrail, ConversationReferenceStore, DecisionRecord, DecisionStore, EscalateCommand, Escalation, EscalationLevel, EscalationStore, NewOutboxMessage, NewTimer, OutboxMessage, OutboxStore, OutboxTarget, Timer } from '../domain/ports/store';
import type { Logger } from '../logging';
import { alertCopies, alertStatus, type PhoneContact, phoneContacts, phoneNumbers as numbersIn } from './managerStatus';
import { conversationOf, serviceUrlOf } from './conversationLookup';
import type { CardPayload, OutboxPayload, TextPayload } from '../notify/outboxPayloads';
import type { Sent } from '../notify/proactiveSender';
import { type Actor, queuedBy } from './actor';
import type { DecisionService } from './decisionService';
import { cardUpdateMessage, channelTarget } from './managerNotificationPlanner';
import { routedPersonName } from './routedPersonName';
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
  store: EscalationStore & DecisionStore & OutboxStore & ConversationReferenceStore & Pick<AuditTrail, 'appendAuditEvent'>;
  directory: Directory;
  decisions: Pick<DecisionService, 'viewFor'>;
  config: Pick<Config, 'escalation'>;
  now?: () => Date;
  /** For operator alerts (`alert: true`) when an alert is not delivered or has nowhere further to go. */
  log?: Logger;
  /** The council's loaded pack, for the facts that raised an alert. */
  policyFor: (councilId: string) => CouncilPolicy | undefined;
  /** Every contact with a number in a council's pack (and the baseline), for "phone now". */
  packContacts?: (councilId: string) => readonly PhoneContact[];
}

export class EscalationService {
  constructor(private readonly deps: EscalationServiceDeps) {}

  /** The alert view of `e` for one reader; `acknowledgedByName` null reads "another manager". */
  private alertOf(e: Escalation, record: RecordWithDecision, acknowledgedByName: string | null, routingNote: AlertView['routingNote'] = null): AlertView {
    const source: RecordSource = { decisionId: record.id, decision: record.decision, practitionerName: record.practitionerDisplayName, caseRef: record.caseRef, policy: this.deps.policyFor(record.councilId) ?? null };
    return alertViewOf({ escalation: { ...e, reachedLevels: e.routing.reachedLevels }, record: source, acknowledgedByName, routingNote });
  }

  private phones(record: DecisionRecord): string {
    return numbersIn(record.decision, this.deps.packContacts?.(record.councilId) ?? []);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async recordFor(e: Escalation): Promise<DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> }> {
    const record = await this.deps.store.getDecision(e.decisionId);
    if (!record?.decision) throw new UserFacingError('decision_not_found', 'This alert is no longer held', 'It may have been erased.');
    return record as DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> };
  }

  async acknowledge(actor: Actor, data: Record<string, unknown>): Promise<AlertView> {
    const parsed = ackPayload.safeParse(data);
    if (!parsed.success) throw new UserFacingError('bad_payload', 'That card action could not be read', 'The card sent an invalid escalationId.', 400);
    const before = await this.deps.store.getEscalation(parsed.data.escalationId);
    if (!before) throw new UserFacingError('escalation_not_found', 'This alert could not be found', 'It may have been removed. If a child may be at risk, act on your council\'s procedures now.');
    const record = await this.recordFor(before);
    const acknowledgedAt = this.now();
    const acknowledged: CardView = { kind: 'alert', view: this.alertOf({ ...before, status: 'acknowledged', acknowledgedAt }, record, actor.displayName) };
    const result = await this.deps.store.acknowledgeEscalation(before.id, actor, queuedBy(actor, await this.acknowledgedFollowUps(before, record, actor, acknowledged, acknowledgedAt)));
    if (result.kind === 'not_found') throw new UserFacingError('escalation_not_found', 'This alert could not be found', 'It may have been removed.');
    if (result.kind === 'not_authorised') throw ackRefused(result.reason);
    if (result.kind === 'acknowledged') {
      // A copy that reached Teams while this acknowledgement was being written (in flight when the copies were
      // listed, sent before it committed) is updated too; keys already queued are skipped. One sent after it
      // committed was cancelled in flight, and the dispatcher's afterDelivered updates it.
      const late = (await this.acknowledgedFollowUps(before, record, actor, acknowledged, acknowledgedAt)).filter((m) => m.idempotencyKey.startsWith(`alert:${before.id}:ack:update:`));
      await this.deps.store.enqueue(queuedBy(actor, late));
    }
    const e = result.escalation;
    // Who acknowledged it is named to them; anyone else reads "another manager".
    return this.alertOf(e, record, result.kind === 'acknowledged' || e.acknowledgedBy === actor.aadObjectId ? actor.displayName : null);
  }

  private async acknowledgedFollowUps(e: Escalation, record: DecisionRecord, actor: Actor, ackCard: CardView, at: Date): Promise<NewOutboxMessage[]> {
    const time = londonDateTime(at);
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
      const view = await this.deps.decisions.viewFor(record.id, { plannedStatus: [{ kind: 'alert_acknowledged', byName: actor.displayName, at: at.toISOString() }], asking: actor });
      const serviceUrl = await serviceUrlOf(this.deps.store, record.practitionerAadId);
      out.push(cardUpdateMessage(`alert:${e.id}:ack:update-practitioner-card`, e.practitionerCard, serviceUrl, { kind: 'outcome', view }, e.id));
    }
    return out;
  }

  /** The level's people, for a card: who is at `level` now. */
  private async levelTarget(level: EscalationLevel, record: DecisionRecord): Promise<{ target: OutboxTarget; who: string; name: string | null } | null> {
    if (level === 'escalation_channel') {
      const channel = channelTarget(this.deps.config);
      return channel ? { target: channel, who: 'the escalation channel', name: null } : null;
    }
    if (level === 'head_of_service') {
      const hos = (await this.deps.directory.escalationContactsFor(record.practitionerAadId)).headOfService;
      return hos ? { target: { kind: 'user', aadObjectId: hos.aadObjectId }, who: `the Head of Service ${hos.displayName}`, name: hos.displayName } : null;
    }
    const manager = await this.deps.directory.managerOf(record.practitionerAadId).catch(() => null);
    return manager ? { target: { kind: 'user', aadObjectId: manager.aadObjectId }, who: `your line manager ${manager.displayName}`, name: manager.displayName } : null;
  }

  private async routeContext(record: DecisionRecord): Promise<RouteContext> {
    const channel = channelTarget(this.deps.config);
    const hos = (await this.deps.directory.escalationContactsFor(record.practitionerAadId)).headOfService;
    const manager = await this.deps.directory.managerOf(record.practitionerAadId).catch(() => null);
    return { managerFound: manager !== null, headOfServiceFound: hos !== null, channelConfigured: channel !== null, outOfHours: false };
  }

  /** The alert card for `level`, with its fallback (channel, then the practitioner told, naming the case). */
  private async alertTo(level: EscalationLevel, key: string, e: Escalation, record: RecordWithDecision, note: NonNullable<AlertView['routingNote']>, summary: string): Promise<NewOutboxMessage | null> {
    const to = await this.levelTarget(level, record);
    if (!to) return null;
    const reached = e.routing.reachedLevels.includes(level) ? e.routing.reachedLevels : [...e.routing.reachedLevels, level];
    const card: CardView = { kind: 'alert', view: this.alertOf({ ...e, level, routing: { ...e.routing, reachedLevels: reached } }, record, null, note) };
    const payload: CardPayload = {
      tenantId: record.tenantId,
      card,
      summary,
      urgent: true,
      recipient: { level, name: to.name },
      ...(to.target.kind === 'user' ? { fallback: { toEscalationChannel: true, tellPractitionerAadId: record.practitionerAadId, recipientDescription: to.who, caseRef: record.caseRef } } : {}),
    };
    return { idempotencyKey: key, urgent: true, kind: 'card', target: to.target, payload, refId: e.id };
  }

  /**
   * The next level's copy, or why it cannot be queued (nobody at that level now, the directory lookup failed, the
   * card would not render). A level is reached only when its copy is queued: on a failure the alert stays where
   * it is, the failure is audited (`escalation.level_not_reached`) and logged as an operator alert.
   */
  private async copyForLevel(level: EscalationLevel, key: string, e: Escalation, record: RecordWithDecision, note: NonNullable<AlertView['routingNote']>, summary: string, actor: string): Promise<NewOutboxMessage | null> {
    let why: string;
    try {
      const card = await this.alertTo(level, key, e, record, note, summary);
      if (card) return card;
      why = `nobody to send it to at ${LEVEL_WORDS[level]} now`;
    } catch (error) {
      why = `its card could not be built: ${error instanceof Error ? error.message : String(error)}`;
    }
    await this.deps.store.appendAuditEvent({ type: 'escalation.level_not_reached', actor, decisionId: record.id, caseRef: record.caseRef, payload: { escalationId: e.id, level: e.level, toLevel: level, reason: why } });
    this.deps.log?.error({ alert: true, escalationId: e.id, decisionId: record.id, level: e.level, next: level, reason: why }, `urgent safeguarding alert could not be sent to ${LEVEL_WORDS[level]}: it stays with ${LEVEL_WORDS[e.level]}`);
    return null;
  }

  /** A message to the practitioner about their alert: same-day priority, so a recovery never queues it behind routine ones. */
  private tellPractitioner(key: string, e: Escalation, record: DecisionRecord, text: string): NewOutboxMessage {
    return { idempotencyKey: key, kind: 'text', priority: 'same_day', target: { kind: 'user', aadObjectId: record.practitionerAadId }, payload: { tenantId: record.tenantId, text } satisfies TextPayload, refId: e.id };
  }

  /** The practitioner's outcome card, updated in place to say where the alert stands (null when it was never sent). */
  private async practitionerCardUpdate(key: string, e: Escalation, record: DecisionRecord, extra: ManagerStatus | null = null, alertRows?: OutboxMessage[]): Promise<NewOutboxMessage | null> {
    if (!e.practitionerCard) return null;
    const rows = alertRows ?? (await this.deps.store.listOutboxForRef(e.id));
    const status = [alertStatus(e, rows), ...(extra ? [extra] : [])];
    const view = await this.deps.decisions.viewFor(record.id, { plannedStatus: status, alertRows: rows });
    return cardUpdateMessage(key, e.practitionerCard, await serviceUrlOf(this.deps.store, record.practitionerAadId), { kind: 'outcome', view }, e.id);
  }

  private phoneNow(record: DecisionRecord, reason: 'undelivered' | 'unacknowledged', minutes: number): ManagerStatus {
    return { kind: 'phone_now', reason, minutes, numbers: phoneContacts(record.decision, this.deps.packContacts?.(record.councilId) ?? []) };
  }

  private timersFor(e: Escalation, now: Date): { dueAt: Date; timers: NewTimer[] } {
    const dueAt = new Date(now.getTime() + this.deps.config.escalation.ackTimeoutMinutes * 60_000);
    const timers: NewTimer[] = [{ kind: ESCALATION_TIMER_KIND, refId: e.id, dueAt }];
    timers.push({ kind: ALERT_DELIVERY_TIMER_KIND, refId: e.id, dueAt: new Date(now.getTime() + this.deps.config.escalation.deliveryTimeoutMinutes * 60_000) });
    return { dueAt, timers };
  }

  /**
   * A copy of an alert was delivered (called by the dispatcher; queued in the same transaction as markSent):
   * the practitioner's card says so, to whom and when.
   */
  async onAlertDelivered(row: OutboxMessage, message: OutboxPayload): Promise<NewOutboxMessage[]> {
    if (message.kind !== 'card' || message.payload.urgent !== true || row.refId === null) return [];
    const e = await this.deps.store.getEscalation(row.refId);
    if (!e || e.status === 'acknowledged' || !e.practitionerCard) return [];
    const record = await this.recordFor(e);
    const now = this.now();
    const rows = (await this.deps.store.listOutboxForRef(e.id)).map((r) => (r.id === row.id ? { ...r, status: 'sent' as const, sentAt: now } : r));
    const update = await this.practitionerCardUpdate(`alert:${e.id}:delivered:${row.id}:practitioner-card`, e, record, null, rows);
    return update ? [update] : [];
  }

  /**
   * A copy of the alert reached Teams after the acknowledgement cancelled it in flight (called by the dispatcher):
   * the acknowledgement's card updates could not include it, so that copy is updated to the acknowledged state
   * now (with the key the acknowledgement would have used, so it is queued once).
   */
  async onAlertCopyDelivered(row: OutboxMessage, message: OutboxPayload, sent: Sent): Promise<NewOutboxMessage[]> {
    if (message.kind !== 'card' || message.payload.urgent !== true || row.refId === null || sent.activityId === null) return [];
    const e = await this.deps.store.getEscalation(row.refId);
    if (!e || e.status !== 'acknowledged') return [];
    const record = await this.recordFor(e);
    const card: CardView = { kind: 'alert', view: this.alertOf(e, record, await this.acknowledgerName(e, record)) };
    const serviceUrl = row.target.kind === 'user' ? await serviceUrlOf(this.deps.store, row.target.aadObjectId) : null;
    return [cardUpdateMessage(`alert:${e.id}:ack:update:${row.id}`, { activityId: sent.activityId, conversationId: sent.conversationId }, serviceUrl, card, e.id)];
  }

  /** Who acknowledged, by name: as kept when they acknowledged it, else among the people the alert goes to (the directory); "a manager" otherwise. */
  private async acknowledgerName(e: Escalation, record: DecisionRecord): Promise<string> {
    if (e.acknowledgedByName) return e.acknowledgedByName;
    return (e.acknowledgedBy === null ? null : await routedPersonName(this.deps.directory, record.practitionerAadId, e.acknowledgedBy)) ?? 'a manager';
  }

  /**
   * Not delivered in time (no copy of the alert has reached anyone): the practitioner is told at once, on their
   * card and by message, to phone, with the pack's numbers; and the alert also goes to the next level while the
   * first route keeps trying.
   */
  async onDeliveryTimer(timer: Timer): Promise<void> {
    if (timer.kind !== ALERT_DELIVERY_TIMER_KIND) return;
    const e = await this.deps.store.getEscalation(timer.refId);
    if (!e || e.status === 'acknowledged') return;
    const rows = await this.deps.store.listOutboxForRef(e.id);
    if (alertCopies(rows).some((c) => c.status === 'sent')) return;
    const record = await this.recordFor(e);
    const minutes = this.deps.config.escalation.deliveryTimeoutMinutes;
    const now = this.now();
    const phone = this.phoneNow(record, 'undelivered', minutes);
    const next = nextLevel(e.level, await this.routeContext(record));
    const notifications: NewOutboxMessage[] = [];
    let timers: NewTimer[];
    let dueAt: Date | null;
    let recipient: EscalateCommand['recipient'];
    const card = next ? await this.copyForLevel(next, `alert:${e.id}:undelivered:${next}`, e, record, { reason: 'undelivered', fromLevel: e.level, toLevel: next, minutes }, `URGENT safeguarding alert (not delivered to ${LEVEL_WORDS[e.level]}): ${record.practitionerDisplayName ?? ''}`, 'channelcheck:delivery-timer') : null;
    // Reached only with its copy queued; otherwise the acknowledgement timer tries the next level again.
    const to = card ? next : null;
    if (to && card) {
      notifications.push(card);
      recipient = recipientAt(to, card.target);
      ({ dueAt, timers } = this.timersFor(e, now));
    } else {
      // Nowhere further to go (or its copy could not be queued): the current route keeps trying; its
      // acknowledgement timer stays.
      dueAt = e.dueAt;
      timers = e.dueAt ? [{ kind: ESCALATION_TIMER_KIND, refId: e.id, dueAt: e.dueAt }] : [];
    }
    const case_ = record.caseRef ?? 'no case reference given';
    notifications.push(
      this.tellPractitioner(
        `alert:${e.id}:undelivered:${timer.id}:tell-practitioner`,
        e,
        record,
        `Your safeguarding alert (case ${case_}) has not reached ${LEVEL_WORDS[e.level]} in Teams after ${minutesText(minutes)}. Phone your line manager or the out-of-hours contact now: ${this.phones(record)}. ${to ? `ChannelCheck has also sent it to ${LEVEL_WORDS[to]} and keeps trying.` : 'ChannelCheck keeps trying.'}`,
      ),
    );
    // The card says where the alert is now (the next level too, once queued), then that it is undelivered.
    const queued = notifications.filter((n) => n.kind === 'card').map((n) => queuedCopy(n, now));
    const update = await this.practitionerCardUpdate(`alert:${e.id}:undelivered:${timer.id}:practitioner-card`, { ...e, level: to ?? e.level }, record, phone, [...rows, ...queued]);
    if (update) notifications.push(update);
    this.deps.log?.error({ alert: true, escalationId: e.id, decisionId: record.id, level: e.level, next: to, minutes }, `urgent safeguarding alert not delivered within ${minutesText(minutes)}; the practitioner was told to phone`);
    await this.deps.store.escalate({ escalationId: e.id, fromLevel: e.level, toLevel: to ?? e.level, dueAt, actor: 'channelcheck:delivery-timer', firedTimerId: timer.id, reason: 'undelivered', ...(recipient ? { recipient } : {}), notifications, timers });
  }

  /**
   * The acknowledgement timer: not acknowledged in time, so the alert moves to the next level. With no next
   * level it never stops silently: the current level is reminded, the practitioner told to phone, an operator
   * alert logged and the reminder audited; the timer comes round again.
   */
  async onTimer(timer: Timer): Promise<void> {
    if (timer.kind !== ESCALATION_TIMER_KIND) return;
    const e = await this.deps.store.getEscalation(timer.refId);
    if (!e || e.status === 'acknowledged') return;
    const record = await this.recordFor(e);
    const to = nextLevel(e.level, await this.routeContext(record));
    const now = this.now();
    const minutes = this.deps.config.escalation.ackTimeoutMinutes;
    const case_ = record.caseRef ?? 'no case reference given';
    const notifications: NewOutboxMessage[] = [];
    let recipient: EscalateCommand['recipient'];
    if (to) {
      const note = { reason: 'unacknowledged' as const, fromLevel: e.level, toLevel: to, minutes };
      const card = await this.copyForLevel(to, `alert:${e.id}:escalate:${to}`, e, record, note, `URGENT safeguarding alert escalated: ${record.practitionerDisplayName ?? ''}`, 'channelcheck:escalation-timer');
      // Not reached without its copy: the alert stays where it is and the timer is tried again after its lease.
      if (!card) throw new Error(`the alert could not be sent to ${LEVEL_WORDS[to]}; it stays with ${LEVEL_WORDS[e.level]} and is tried again`);
      notifications.push(card);
      recipient = recipientAt(to, card.target);
      notifications.push(
        this.tellPractitioner(`alert:${e.id}:escalate:${to}:tell-practitioner`, e, record, `Your safeguarding alert (case ${case_}) was not acknowledged within ${minutesText(minutes)}, so it has gone to ${LEVEL_WORDS[to]}. If a child may be at risk now, phone your line manager or the out-of-hours contact: ${this.phones(record)}.`),
      );
    } else {
      const note = { reason: 'reminder' as const, fromLevel: e.level, toLevel: e.level, minutes };
      const card = await this.alertTo(e.level, `alert:${e.id}:remind:${timer.id}`, e, record, note, `REMINDER: URGENT safeguarding alert not yet acknowledged: ${record.practitionerDisplayName ?? ''}`);
      if (card) notifications.push(card);
      notifications.push(
        this.tellPractitioner(`alert:${e.id}:remind:${timer.id}:tell-practitioner`, e, record, `Your safeguarding alert (case ${case_}) has not been acknowledged after ${minutesText(minutes)}, and ChannelCheck has nobody further to send it to. Phone your line manager or the out-of-hours contact now: ${this.phones(record)}. ${LEVEL_WORDS[e.level][0]!.toUpperCase()}${LEVEL_WORDS[e.level].slice(1)} has been reminded.`),
      );
      this.deps.log?.error({ alert: true, escalationId: e.id, decisionId: record.id, level: e.level, minutes }, 'urgent safeguarding alert not acknowledged and there is no next level: reminded the current level, told the practitioner to phone');
    }
    const { dueAt, timers } = this.timersFor(e, now);
    const extra = to ? null : this.phoneNow(record, 'unacknowledged', minutes);
    const moved = { ...e, level: to ?? e.level };
    const update = await this.practitionerCardUpdate(`alert:${e.id}:${to ? `escalate:${to}` : `remind:${timer.id}`}:practitioner-card`, moved, record, extra);
    if (update) notifications.push(update);
    await this.deps.store.escalate({
      escalationId: e.id,
      fromLevel: e.level,
      toLevel: to ?? e.level,
      dueAt,
      actor: 'channelcheck:escalation-timer',
      firedTimerId: timer.id,
      // Whoever this level's card goes to may acknowledge from now on.
      ...(recipient ? { recipient } : {}),
      notifications,
      // Delivery is watched again only when the alert goes somewhere new.
      timers: to ? timers : timers.filter((t) => t.kind === ESCALATION_TIMER_KIND),
    });
  }
}

/** A card just queued with the escalation, as the outbox row it becomes: pending, not yet delivered. */
function queuedCopy(message: NewOutboxMessage, now: Date): OutboxMessage {
  return {
    id: message.idempotencyKey, idempotencyKey: message.idempotencyKey, kind: message.kind, target: message.target, refId: message.refId ?? null, decisionId: message.decisionId ?? null,
    payload: message.payload, status: 'pending', attempts: 0, nextAttemptAt: now, claimedBy: null, claimedUntil: null, lastError: null, sentActivityId: null, createdAt: now, sentAt: null,
  } as OutboxMessage;
}

/** Who the card for `level` went to, recorded with the level so they may acknowledge (src/domain/authority.ts). */
function recipientAt(level: EscalationLevel, target: OutboxTarget): EscalateCommand['recipient'] {
  if (level === 'head_of_service' && target.kind === 'user') return { headOfServiceAadId: target.aadObjectId };
  if (level === 'escalation_channel' && target.kind === 'channel') return { channelConversationId: target.channelId };
  return undefined;
}

type RecordWithDecision = DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> };

/**
 * The Teams activity handler: greets on install, answers text commands, routes every card verb (Universal
 * Actions invokes, and the Action.Submit fallback for older clients) to its handler, and stores the
 * conversation reference of everyone who installs or messages the bot.
 */
import { randomUUID } from 'node:crypto';
import {
  type Activity,
  type AdaptiveCardInvokeResponse,
  CardFactory,
  type InvokeResponse,
  MessageFactory,
  TeamsActivityHandler,
  type TurnContext,
  TurnContext as Turn,
} from 'botbuilder';
import type { Logger } from 'pino';
import { presentError } from './presenters/errorPresenter';
import type { CardJson } from './presenters/renderTemplate';
import type { ConversationReferenceStore } from '../domain/ports/store';
import { isStoreUnavailable } from '../domain/ports/storeUnavailable';
import type { Actor } from '../services/actor';
import { UserFacingError } from '../services/userFacingError';
import { type CommandRoutes, matchCommand } from './commands';
import { parseInvokeValue, parseSubmitValue } from './invokePayload';
import { actorFrom } from './turnActor';
import { turnTraceOf } from './turnTrace';
import type { TurnThrottle } from './turnThrottle';
import type { VerbReply, VerbRoutes } from './verbs';

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
const MESSAGE_CONTENT_TYPE = 'application/vnd.microsoft.activity.message';
const ERROR_CONTENT_TYPE = 'application/vnd.microsoft.error';

export interface BotDeps {
  verbs: VerbRoutes;
  commands: CommandRoutes;
  references: ConversationReferenceStore;
  welcome: (actor: Actor) => CardJson;
  log: Logger;
  /** Per-user rate limit (turnThrottle.ts); none: no limit. */
  throttle?: TurnThrottle;
}

function cardActivity(card: CardJson): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

export class ChannelCheckBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();

    this.onMessage(async (context, next) => {
      await this.remember(context);
      if (context.activity.value !== undefined && context.activity.value !== null) {
        await this.handleSubmit(context);
      } else {
        await this.handleText(context);
      }
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.remember(context);
      await context.sendActivity(cardActivity(this.deps.welcome(this.actorOf(context))));
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      // In a personal chat Teams sends the bot itself as the member added; greet once, on installation.
      await this.remember(context);
      await next();
    });
  }

  /** Who is acting, with the correlation id of the activity (turnTrace.ts) for the services. */
  private actorOf(context: TurnContext): Actor {
    return actorFrom(context.activity, turnTraceOf(context)?.correlationId);
  }

  /** The turn's logger (its lines carry the activity's correlation id); the bot's own outside such a turn. */
  private logOf(context: TurnContext): Logger {
    return turnTraceOf(context)?.log ?? this.deps.log;
  }

  private async remember(context: TurnContext): Promise<void> {
    const a = context.activity;
    if (a.conversation?.conversationType && a.conversation.conversationType !== 'personal') return;
    try {
      const actor = actorFrom(a);
      // Without the incoming activity's id, the reference is the same on every turn of a conversation, so
      // the store rewrites it only when it changes. Proactive sends never reply to that id.
      const { activityId: _activityId, ...reference } = Turn.getConversationReference(a);
      await this.deps.references.saveConversationReference(actor.aadObjectId, actor.tenantId, reference);
    } catch (e) {
      this.logOf(context).error({ err: e }, 'could not store the conversation reference');
    }
  }

  private async handleText(context: TurnContext): Promise<void> {
    Turn.removeRecipientMention(context.activity);
    const text = (context.activity.text ?? '').trim();
    const actor = this.actorOf(context);
    const { handler } = matchCommand(this.deps.commands, text);
    const throttled = await this.deps.throttle?.check(actor, { verb: null, data: null });
    if (throttled) {
      await context.sendActivity(cardActivity(throttled));
      return;
    }
    try {
      const reply = await handler({ actor, text, conversationRef: Turn.getConversationReference(context.activity) });
      for (const update of reply.cardUpdates ?? []) {
        if (update.card.conversationId !== context.activity.conversation?.id) continue;
        try {
          await context.updateActivity({ ...cardActivity(update.replacement), id: update.card.activityId });
        } catch (e) {
          // The state changed already; an old card left as it was only offers buttons that now say so.
          this.logOf(context).warn({ err: e }, 'could not update an earlier card');
        }
      }
      const sent = await context.sendActivity(cardActivity(reply.card));
      if (reply.onSent && sent?.id) await reply.onSent(sent.id);
    } catch (e) {
      await context.sendActivity(cardActivity(this.errorCardFor(context, e, null)));
    }
  }

  /** Action.Submit fallback: the card's data arrives as a message value; the card is updated in place. */
  private async handleSubmit(context: TurnContext): Promise<void> {
    const parsed = parseSubmitValue(context.activity.value);
    if (!parsed.ok) {
      await context.sendActivity(cardActivity(this.errorCardFor(context, new UserFacingError('bad_payload', 'That card action could not be read', parsed.message, 400), null)));
      return;
    }
    const reply = await this.runVerb(context, parsed.verb, parsed.data);
    if (reply.kind === 'replaceCard' && context.activity.replyToId) {
      await context.updateActivity({ ...cardActivity(reply.card), id: context.activity.replyToId });
    } else {
      const sent = await context.sendActivity(cardActivity(reply.card));
      if (reply.kind === 'newCard' && reply.onSent && sent?.id) await reply.onSent(sent.id);
    }
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    await this.remember(context);
    const parsed = parseInvokeValue(context.activity.value);
    if (!parsed.ok) {
      const body: AdaptiveCardInvokeResponse = { statusCode: 400, type: ERROR_CONTENT_TYPE, value: { code: 'BadRequest', message: parsed.message } as never };
      return { status: 200, body };
    }
    const reply = await this.runVerb(context, parsed.verb, parsed.data);
    if (reply.kind === 'newCard') {
      const sent = await context.sendActivity(cardActivity(reply.card));
      if (reply.onSent && sent?.id) await reply.onSent(sent.id);
      const body: AdaptiveCardInvokeResponse = { statusCode: 200, type: MESSAGE_CONTENT_TYPE, value: reply.toast as never };
      return { status: 200, body };
    }
    const body: AdaptiveCardInvokeResponse = { statusCode: 200, type: CARD_CONTENT_TYPE, value: reply.card as never };
    return { status: 200, body };
  }

  /** Runs a verb's handler; any failure becomes an error card the user can act on. */
  private async runVerb(context: TurnContext, verb: string, data: Record<string, unknown>): Promise<VerbReply> {
    const handler = Object.prototype.hasOwnProperty.call(this.deps.verbs, verb) ? this.deps.verbs[verb] : undefined;
    if (!handler) {
      return { kind: 'replaceCard', card: this.errorCardFor(context, new UserFacingError('unknown_verb', 'That card action is not known', 'This card may be from an older version of ChannelCheck. Start a new check.', 400), null) };
    }
    try {
      const actor = this.actorOf(context);
      const throttled = await this.deps.throttle?.check(actor, { verb, data });
      if (throttled) return { kind: 'replaceCard', card: throttled };
      return await handler({ actor, data, conversationRef: Turn.getConversationReference(context.activity) });
    } catch (e) {
      return { kind: 'replaceCard', card: this.errorCardFor(context, e, { verb, data }) };
    }
  }

  private errorCardFor(context: TurnContext, e: unknown, retry: { verb: string; data: Record<string, unknown> } | null): CardJson {
    const errorId = randomUUID().slice(0, 8);
    const log = this.logOf(context);
    if (e instanceof UserFacingError) log.warn({ code: e.code, errorId }, e.title);
    else if (isStoreUnavailable(e)) log.error({ err: e, errorId, storeUnavailable: e.reason }, 'the store could not be written; the user was told nothing was recorded');
    else log.error({ err: e, errorId }, 'card action failed');
    return presentError(e, errorId, retry);
  }
}

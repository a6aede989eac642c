/** Text commands: routing as data. The manifest's command list mirrors the names shown in help. */
import type { CardJson } from './presenters/renderTemplate';
import type { CardRef } from '../domain/ports/store';
import { type CommandName, parseCommand } from '../domain/commandIntent';
import type { Actor } from '../services/actor';

export interface CommandRequest {
  actor: Actor;
  text: string;
  conversationRef: unknown;
}

export interface CommandReply {
  card: CardJson;
  /** Called with the sent message's id (e.g. to key a wizard session to its card). */
  onSent?: (activityId: string) => Promise<void>;
  /** Earlier cards to replace in place (a cancelled check's card); only those in this conversation are updated. */
  cardUpdates?: Array<{ card: CardRef; replacement: CardJson }>;
}

export type CommandHandler = (request: CommandRequest) => Promise<CommandReply>;

export interface CommandRoute {
  command: CommandName;
  handler: CommandHandler;
}

export interface CommandRoutes {
  routes: readonly CommandRoute[];
  /** For anything else: a short helpful answer, never silence. */
  fallback: CommandHandler;
}

export function matchCommand(commands: CommandRoutes, text: string): { handler: CommandHandler; route: CommandRoute | null } {
  const command = parseCommand(text);
  const route = command === null ? null : (commands.routes.find((r) => r.command === command) ?? null);
  return { handler: route?.handler ?? commands.fallback, route };
}

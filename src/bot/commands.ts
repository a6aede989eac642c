/** Text commands: routing as data. The manifest's command list mirrors the names here. */
import type { CardJson } from '../cards/renderTemplate';
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
}

export type CommandHandler = (request: CommandRequest) => Promise<CommandReply>;

export interface CommandRoute {
  /** The first name is the one shown in help and the manifest; the others are accepted too. */
  names: readonly string[];
  description: string;
  handler: CommandHandler;
}

export interface CommandRoutes {
  routes: readonly CommandRoute[];
  /** For anything else: a short helpful answer, never silence. */
  fallback: CommandHandler;
}

export function normaliseCommand(text: string): string {
  return text.toLowerCase().replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export function matchCommand(commands: CommandRoutes, text: string): { handler: CommandHandler; route: CommandRoute | null } {
  const said = normaliseCommand(text);
  const route = commands.routes.find((r) => r.names.some((n) => normaliseCommand(n) === said)) ?? null;
  return { handler: route?.handler ?? commands.fallback, route };
}

/**
 * Checks a rendered card the way a client would: parses it with the Adaptive Cards SDK and collects every
 * parse warning and validation error, and checks Teams' size limit. Used by the tests for every card the
 * bot can send.
 */
import type * as AdaptiveCards from 'adaptivecards';

// The package's lib/ build is extensionless ESM that Node cannot load; its dist/ build is the UMD bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Teams rejects a message over about 28 KB of card in some clients; the hard activity limit is larger. We keep every card under 80 KB. */
export const MAX_CARD_BYTES = 80 * 1024;

export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const size = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (size > MAX_CARD_BYTES) problems.push(`card is ${size} bytes, over the ${MAX_CARD_BYTES}-byte limit`);
  const c = card as { type?: unknown; version?: unknown };
  if (c.type !== 'AdaptiveCard') problems.push('type is not AdaptiveCard');
  if (c.version !== '1.5') problems.push(`version is ${String(c.version)}, expected 1.5 (what Teams renders for bots)`);
  const context = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card as object, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  // Templating leaves unresolved expressions as literal text when data is missing.
  const text = JSON.stringify(card);
  const unresolved = text.match(/\$\{[^}]*\}/g);
  if (unresolved) problems.push(`unresolved template expressions: ${[...new Set(unresolved)].join(', ')}`);
  return problems;
}
